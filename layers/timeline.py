"""Kyrgyzstan's year as dated, numbered events from ``timeline_2010.csv``.

Every event of the chosen year with an exact day is numbered in date order. An
event is drawn at each place in its ``place`` cell that the gazetteer locates
(``"Jalal-Abad; Osh"`` gives two symbols of the same number); an event whose
place is the whole country (``"Kyrgyzstan"``: the referendum, the elections) is
drawn as the country's outline (:func:`national`). Events at places the
gazetteer cannot locate (Teyit, "Kyrgyz-Uzbek border", Moscow, ...) and events
dated only by month or season are named in the description, not drawn.

Both layers have a ``day`` column, so the web map gets a time slider; in print
each place is labelled with the numbers of its events and the legend is the
dated, numbered list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import geopandas as gpd
import pandas as pd
import shapely

import geo
from layers.layer import Layer
from layers.presets import Preset, Themed, preset_layer
from layers.style import Field

#: Place cells that mean the whole country, and its ISO code in the countries layer.
NATIONWIDE = {"kyrgyzstan": "KGZ"}
#: A place cell lists several places separated by these.
PLACE_SEPARATORS = r"[;/]"
#: Legend text of an event is its first clause, cut to this many characters.
LEGEND_CHARS = 90
ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")

_FIELDS = (
    Field("number", "Event no."),
    Field("date", "Date (as reported)"),
    Field("event", "What happened"),
    Field("place", "Place (as reported)"),
    Field("location", "Drawn at"),
    Field("source_url", "Source"),
)

EVENTS = Preset(
    id="timeline",
    title="Dated events",
    kind="point",
    style="timeline_event",
    categories=Themed("number", {}),  # one row per event, made by _with_legend
    fields=_FIELDS,
    label="label",
    time="day",
    credits=("timeline_2010", "facts_places"),
    description=(
        "Events of {year} in Kyrgyzstan from timeline_2010.csv, numbered in date order and "
        "drawn at each place the sources name: {drawn}. Not drawn, because their place "
        "has no sourced position or is not a place: {unplaced}. Dated only by month or "
        "season, so not on the time line: {undated}."
    ),
)

NATIONAL = Preset(
    id="timeline_national",
    title="Nationwide events",
    kind="area",
    style="timeline_national",
    categories=Themed("number", {}),  # one row per event, made by _with_legend
    fields=_FIELDS,
    label="label",
    time="day",
    credits=("timeline_2010", "countries"),
    description=(
        "Events of {year} that the sources place in the whole of Kyrgyzstan, drawn as the "
        "country's outline: {drawn}."
    ),
)


@dataclass(frozen=True)
class Event:
    """One numbered facts row and where it is drawn."""

    number: int
    day: str
    row: pd.Series
    places: tuple[geo.Place, ...]  # located places of its place cell
    nationwide: str | None  # the ISO code of the country it covers, if the whole country

    def legend_text(self) -> str:
        """The event's row of the dated list: number, day, place cell and first clause."""
        clause = str(self.row["event"]).split(";")[0].strip()
        if len(clause) > LEGEND_CHARS:
            clause = clause[: LEGEND_CHARS - 1].rsplit(" ", 1)[0].rstrip(" ,(") + " …"
        return f"{self.number} · {_short_day(self.day)} · {self.row['place']}: {clause}"


#: This module's story layers' presets, by layer id.
PRESETS: dict[str, Preset] = {p.id: p for p in (EVENTS, NATIONAL)}


def events(year: int = 2010) -> Layer:
    """The year's events at their located places, numbered, with a time column."""
    numbered = _numbered(year)
    if not any(e.places for e in numbered):
        raise _nothing_placed(
            year,
            "a place the gazetteer locates (e.g. 'Osh')",
            "name the place of each event, several separated by ';'",
        )
    rows = []
    for event in numbered:
        for found in event.places:
            rows.append(_feature(event, found.point, _location(found)))
    frame = _frame(rows)
    labels = _place_labels(frame)
    frame["label"] = [labels[name] for name in frame["at"]]
    preset = _with_legend(EVENTS, [e for e in numbered if e.places], "timeline_event")
    return preset_layer(
        preset,
        frame,
        year=year,
        drawn=_listing(e for e in numbered if e.places),
        unplaced=_listing_text(_unplaced(numbered, year)),
        undated=_listing_text(_undated(year)),
    )


def national(year: int = 2010) -> Layer:
    """The year's nationwide events (referendum, elections) as their country's outline."""
    countries = geo.load("countries").set_index("adm0_a3")
    numbered = [e for e in _numbered(year) if e.nationwide is not None]
    if not numbered:
        whole = " or ".join(repr(name.capitalize()) for name in NATIONWIDE)
        raise _nothing_placed(
            year,
            f"the whole country ({whole}) as its place",
            f"give {whole} as the place of the events of the whole country",
        )
    rows = []
    for event in numbered:
        shape = shapely.union_all(countries.loc[[event.nationwide]].geometry.values)
        rows.append(_feature(event, shape, "the whole country (the source names no place)"))
    frame = _frame(rows)
    frame["label"] = "Nationwide: " + ", ".join(str(e.number) for e in numbered)
    preset = _with_legend(NATIONAL, numbered, "timeline_national")
    return preset_layer(preset, frame, year=year, drawn=_listing(numbered))


def _numbered(year: int) -> list[Event]:
    """The year's exact-day events that have a place on the map, numbered in date order."""
    facts = geo.load("timeline_2010")
    days = facts["date"].astype(str).str.extract(ISO_DAY)
    in_year = facts[days[0] == str(year)].copy()
    in_year["day"] = in_year["date"].astype(str).str.slice(0, 10)
    in_year = in_year.sort_values("day", kind="stable")
    out: list[Event] = []
    for _, row in in_year.iterrows():
        places, nationwide = _located(str(row["place"]))
        if places or nationwide:
            out.append(Event(len(out) + 1, row["day"], row, places, nationwide))
    return out


def _nothing_placed(year: int, needed: str, hint: str) -> geo.DataError:
    """Why no event of `year` is drawn: none dated to the day in it, or none placed."""
    facts = geo.load("timeline_2010")
    if not facts["date"].astype(str).str.match(rf"{year}-\d{{2}}-\d{{2}}").any():
        return geo.DataError(
            "timeline_2010",
            f"no event is dated to the day in {year}",
            field="date",
            hint=f"give dates as {year}-MM-DD (events dated by month only are listed, "
            "not drawn), or choose the year of your events",
        )
    return geo.DataError(
        "timeline_2010",
        f"no event of {year} dated to the day has {needed}",
        field="place",
        hint=hint,
    )


def _located(cell: str) -> tuple[tuple[geo.Place, ...], str | None]:
    """The places of a place cell the gazetteer locates, and the whole country it may name."""
    nationwide = NATIONWIDE.get(cell.strip().casefold())
    if nationwide:
        return (), nationwide
    found = []
    for part in re.split(PLACE_SEPARATORS, cell):
        try:
            found.append(geo.place(part.strip()))
        except geo.DataError:  # unknown, or known without sourced coordinates
            continue
    return tuple(found), None


def _unplaced(numbered: list[Event], year: int) -> list[str]:
    """The year's exact-day events drawn nowhere, as "date, place"."""
    facts = geo.load("timeline_2010")
    rows = facts[facts["date"].astype(str).str.match(rf"{year}-\d{{2}}-\d{{2}}")]
    drawn = {(e.row["date"], e.row["event"]) for e in numbered}
    return [f"{r.date} ({r.place})" for r in rows.itertuples() if (r.date, r.event) not in drawn]


def _undated(year: int) -> list[str]:
    facts = geo.load("timeline_2010")
    text = facts["date"].astype(str)
    rows = facts[text.str.startswith(str(year)) & ~text.str.match(ISO_DAY)]
    return [f"{r.date}: {str(r.event).split(';')[0]}" for r in rows.itertuples()]


def _feature(event: Event, geometry: shapely.Geometry, location: str) -> dict[str, object]:
    return {
        "number": str(event.number),
        "day": event.day,
        "date": str(event.row["date"]),
        "event": str(event.row["event"]),
        "place": str(event.row["place"]),
        "at": location.split(":")[0],
        "location": location,
        "source_url": str(event.row["source_url"]),
        "geometry": geometry,
    }


def _frame(rows: list[dict[str, object]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def _location(found: geo.Place) -> str:
    if found.approximate:
        return (
            f"{found.name}: approximate, the facts give common-knowledge coordinates "
            "(not from a cited page)"
        )
    return f"{found.name}: coordinates from {found.source}"


def _place_labels(frame: pd.DataFrame) -> dict[str, str]:
    """Each place's map label: its name and the numbers of its events."""
    numbers = frame.groupby("at", sort=False)["number"].agg(lambda n: ", ".join(dict.fromkeys(n)))
    return {place: f"{place} {text}" for place, text in numbers.items()}


def _with_legend(preset: Preset, numbered: list[Event], role: str) -> Preset:
    """The preset with one legend row per numbered event: the dated list."""
    roles = {str(e.number): (e.legend_text(), role) for e in numbered}
    return replace(preset, categories=Themed("number", roles))


def _listing(events) -> str:
    text = " · ".join(f"{e.number} {e.day} {e.row['place']}" for e in events)
    return text or "none"


def _listing_text(items: list[str]) -> str:
    return " · ".join(items) or "none"


def _short_day(day: str) -> str:
    return pd.Timestamp(day).strftime("%-d %b")
