"""Militants in the valley: the incidents of ``militancy.csv`` where the facts place them.

An incident is drawn only where its facts row gives coordinates; a row whose
coordinates the facts mark as common knowledge ("common knowledge (approx.)" in
``notes``) is drawn hollow and its popup says so. Rows without coordinates are
named in the layer's description, never placed by guess. Casualty reports count
unlike things (soldiers, civilians, rival tolls), so symbols are not sized; the
popup gives each report as written.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely

import geo
from layers.layer import Layer
from layers.presets import Preset, Themed, preset_layer
from layers.style import Field

#: Text in a facts row's ``notes`` that marks its coordinates as not from a cited page.
APPROXIMATE_MARK = "common knowledge"
#: Gazetteer and facts coordinates this close (degrees) are the same position.
SAME_POSITION_DEG = 0.01

MILITANCY = Preset(
    id="militancy",
    title="Militant incidents",
    kind="point",
    style="militancy",
    categories=Themed(
        "position",
        {
            "sourced": ("Incident (position from a cited page)", "militancy"),
            "approximate": (
                "Incident, approximate position (a town standing for the area)",
                "militancy_approximate",
            ),
        },
        present_only=True,
    ),
    fields=(
        Field("place", "Place (as reported)"),
        Field("dates", "Date"),
        Field("actor", "Actor (as attributed)"),
        Field("event", "What happened"),
        Field("casualties_reported", "Casualties (as reported)"),
        Field("location", "Position"),
        Field("notes", "Notes"),
        Field("source_url", "Source"),
    ),
    label="label",
    credits=("militancy",),
    description=(
        "Militant incidents and the Andijan crackdown from militancy.csv, drawn where the "
        "facts give a position: {drawn}. Not drawn, because no source gives their "
        "position: {not_drawn}. Symbols are not sized: the casualty reports count "
        "different things and disagree."
    ),
)
#: This module's story layer's preset, by layer id.
PRESETS: dict[str, Preset] = {MILITANCY.id: MILITANCY}


@dataclass(frozen=True)
class Incident:
    """One facts row as a reader sees it: map label, place, dates and whether it is drawn."""

    label: str
    place: str  # as the facts row gives it
    dates: str
    drawn: bool


def incidents() -> Layer:
    """Militant incidents with sourced (or flagged approximate) positions; the rest listed."""
    facts = geo.load("militancy")
    rows = []
    listed: list[Incident] = []
    for _, row in facts.iterrows():
        incident = _incident(row)
        listed.append(incident)
        if not incident.drawn:
            continue
        approximate = APPROXIMATE_MARK in _text(row.get("notes")).lower()
        rows.append(
            {
                "label": incident.label,
                "place": _text(row["place"]),
                "dates": incident.dates,
                "start": _text(row["date"]),
                "actor": _text(row.get("actor")),
                "event": _text(row.get("event")),
                "casualties_reported": _text(row.get("casualties_reported")),
                "location": _location(row, approximate),
                "notes": _text(row.get("notes")),
                "source_url": _text(row.get("source_url")),
                "position": "approximate" if approximate else "sourced",
                "geometry": row.geometry,
            }
        )
    if not rows:
        empty = [c for c in ("lat", "lon") if c in facts and facts[c].isna().all()]
        raise geo.DataError(
            "militancy",
            "nothing to draw: no incident has coordinates ('lat' and 'lon', WGS84 degrees)",
            field=empty[0] if len(empty) == 1 else None,
            hint="give lat and lon for the incidents whose position a source gives",
        )
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    return preset_layer(
        MILITANCY,
        frame,
        drawn=_listing(i for i in listed if i.drawn),
        not_drawn=_listing(i for i in listed if not i.drawn),
    )


def _incident(row: pd.Series) -> Incident:
    place = _text(row["place"]).split(" (")[0]
    start, end = _text(row["date"]), _text(row.get("end_date"))
    located = isinstance(row.geometry, shapely.Geometry) and not row.geometry.is_empty
    dates = f"{start} to {end}" if end else start
    if _text(row.get("actor")).startswith("allegation"):
        dates += ", an allegation only"
    return Incident(f"{place}, {start[:4]}", _text(row["place"]), dates, located)


def _location(row: pd.Series, approximate: bool) -> str:
    """Where the position comes from, for the popup."""
    if approximate:
        return (
            "approximate: the facts give common-knowledge coordinates (not from a cited "
            "page) of a town standing for the area"
        )
    try:
        found = geo.place(_text(row["place"]))
    except geo.DataError:
        return "coordinates as given in militancy.csv"
    if found.point.distance(row.geometry) <= SAME_POSITION_DEG:
        return f"{found.name}: coordinates from {found.source}"
    return "coordinates as given in militancy.csv"


def _listing(incidents) -> str:
    text = " · ".join(f"{i.place} ({i.dates})" for i in incidents)
    return text or "none"


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)
