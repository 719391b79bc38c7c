"""Flow layers: curved origin → destination lines with counts, from the facts or from a CSV."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import geo
from geo.geometry import flow_line
from geo.load import read_csv
from geo.read import looks_swapped
from layers.layer import Layer
from layers.style import Credit, Field, LegendEntry, SizeScale
from layers.theme import style

# Widest flow on any map, in pixels, and the count it stands for.
FLOW_MAX_WIDTH = 18.0
FLOW_MAX_COUNT = 100_000
FLOW_KEY = (1_000, 10_000, 100_000)
COORDINATE_COLUMNS = ("origin_lon", "origin_lat", "destination_lon", "destination_lat")


def flow_scale(max_count: float = FLOW_MAX_COUNT, key: Sequence[float] = FLOW_KEY) -> SizeScale:
    """Flow widths linear in people: `max_count` people draw `FLOW_MAX_WIDTH` pixels wide."""
    return SizeScale(
        column="count",
        max_value=float(max_count),
        max_size=FLOW_MAX_WIDTH,
        min_size=2.5,
        unknown_size=1.5,
        key_values=tuple(float(k) for k in key),
        label="People (line width)",
    )


def flows(data: str | Path | pd.DataFrame, *, title: str = "Flows", bend: float = 0.2) -> Layer:
    """A flow layer from your own table.

    Parameters
    ----------
    data : path or DataFrame
        A CSV (or DataFrame) with columns ``origin``, ``destination``, ``count`` and
        optionally ``date``. Places are looked up in the gazetteer
        (:func:`geo.place`), unless ``origin_lon``, ``origin_lat``,
        ``destination_lon`` and ``destination_lat`` columns give coordinates.
        Counts must be numbers >= 0.
    title : str
        Layer title.
    bend : float
        How far flows bow to the left of travel, as a share of their length.

    Raises
    ------
    geo.DataError
        Naming the file, the line and the field: an unknown place (with the
        closest names), a missing, negative or non-numeric count, a missing column.
    """
    source = str(data) if not isinstance(data, pd.DataFrame) else "<DataFrame>"
    table = read_csv(data) if not isinstance(data, pd.DataFrame) else data.copy()
    required = ["origin", "destination", "count"]
    has_coordinates = set(COORDINATE_COLUMNS) <= set(table.columns)
    if has_coordinates:
        required = ["count"]
    for column in required:
        if column not in table.columns:
            raise geo.DataError(
                source,
                "is missing a required column",
                field=column,
                hint=f"columns present: {', '.join(map(str, table.columns))}",
            )
    counts = _counts(table["count"], source)
    origins, destinations = [], []
    for n, row in enumerate(table.itertuples(index=False)):
        line = n + 2  # spreadsheet line: the header is line 1
        row = row._asdict()
        origins.append(_point(row, "origin", source, line, has_coordinates))
        destinations.append(_point(row, "destination", source, line, has_coordinates))
    if has_coordinates:
        _check_not_swapped(origins + destinations, source)
    lines = [flow_line(o, d, bend) for o, d in zip(origins, destinations, strict=True)]
    frame = gpd.GeoDataFrame(
        {
            "origin": table.get("origin", pd.Series([""] * len(table))).astype(str),
            "destination": table.get("destination", pd.Series([""] * len(table))).astype(str),
            "count": counts,
            "count_text": [f"{c:,.0f}" for c in counts],
            "date": table.get("date", pd.Series([""] * len(table))).fillna("").astype(str),
        },
        geometry=lines,
        crs="EPSG:4326",
    )
    scale = flow_scale(max(float(counts.max()), 1.0))
    return Layer(
        id="flows",
        title=title,
        kind="flow",
        frame=frame,
        style=style("flow"),
        size=scale,
        legend=[LegendEntry(title, style("flow"), "flow")],
        fields=[
            Field("origin", "From"),
            Field("destination", "To"),
            Field("count_text", "Count"),
            Field("date", "Date", missing=""),
        ],
        time="date" if frame["date"].str.len().gt(0).any() else None,
        credits=[Credit(source=f"User data: {source}", license="as supplied by the user")],
        description=f"{len(frame)} flows from {source}.",
    )


def _counts(values: pd.Series, source: str) -> pd.Series:
    numeric = pd.to_numeric(values, errors="coerce")
    problems = [
        ("missing", values.isna() | (values.astype(str).str.strip() == "")),
        ("not a number", numeric.isna() & values.notna() & (values.astype(str).str.strip() != "")),
        ("negative", numeric < 0),
    ]
    for what, mask in problems:
        if mask.any():
            lines = [str(i + 2) for i in np.flatnonzero(mask.to_numpy())[:5]]
            first = int(np.flatnonzero(mask.to_numpy())[0])
            raise geo.DataError(
                source,
                f"count is {what} on line(s) {', '.join(lines)}",
                row=first + 2,
                field="count",
                hint="give each flow a number of people >= 0",
            )
    return numeric.astype(float)


def _check_not_swapped(points: list[shapely.Point], source: str) -> None:
    x = np.array([p.x for p in points])
    y = np.array([p.y for p in points])
    if looks_swapped(x, y):
        raise geo.DataError(
            source,
            "the coordinates look swapped: no point lies in Central Asia, but all would "
            "with longitude and latitude exchanged",
            field="origin_lon/origin_lat/destination_lon/destination_lat",
            hint="put longitudes in the *_lon columns and latitudes in the *_lat columns",
        )


def _point(row: dict, end: str, source: str, line: int, has_coordinates: bool) -> shapely.Point:
    if has_coordinates:
        lon, lat = row[f"{end}_lon"], row[f"{end}_lat"]
        try:
            lon, lat = float(lon), float(lat)
        except (TypeError, ValueError):
            raise geo.DataError(
                source, "coordinates are not numbers", row=line, field=f"{end}_lon/{end}_lat"
            ) from None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise geo.DataError(
                source,
                f"coordinates ({lon}, {lat}) are out of range",
                row=line,
                field=f"{end}_lon/{end}_lat",
            )
        return shapely.Point(lon, lat)
    name = row[end]
    try:
        return geo.place(str(name)).point
    except geo.DataError as err:
        problem = (
            err.problem if not isinstance(err, geo.UnknownPlace) else f"unknown place {name!r}"
        )
        hint = err.hint
        if isinstance(err, geo.UnknownPlace) and err.suggestions:
            hint = f"closest names: {', '.join(err.suggestions)}"
        raise geo.DataError(source, problem, row=line, field=end, hint=hint) from None
