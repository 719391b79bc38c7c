"""Flow layers: curved origin → destination lines with counts, from the facts or from a CSV.

The story's flows keep one fixed scale (:func:`flow_scale`: 100,000 people draw
:data:`FLOW_MAX_WIDTH` pixels wide, keyed at 1,000 / 10,000 / 100,000) so that
its maps stay comparable; your own flows are scaled and keyed from their counts
(:mod:`layers.keys`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import geo
from geo import plausibility
from geo.checks import Problems, Rows, require_in_range, require_present
from geo.geometry import flow_line
from geo.read import looks_swapped
from layers.generic import (
    Data,
    FieldsOption,
    StyleOption,
    base_style,
    generic_layer,
    looked_up,
)
from layers.generic import places_credits as gazetteer_credits
from layers.keys import data_size_scale, key_title
from layers.layer import Layer
from layers.source import data_name, merged_error, user_credit
from layers.style import Field, SizeScale

# Widest flow on any map, in pixels, and the count it stands for.
FLOW_MAX_WIDTH = 18.0
FLOW_MAX_COUNT = 100_000
FLOW_KEY = (1_000, 10_000, 100_000)
FLOW_MIN_WIDTH = 2.5
FLOW_UNKNOWN_WIDTH = 1.5
COORDINATE_COLUMNS = ("origin_lon", "origin_lat", "destination_lon", "destination_lat")
#: The columns a flow table may have, by the names `columns=` maps the user's onto.
FLOW_COLUMNS = ("origin", "destination", "count", "date", *COORDINATE_COLUMNS)


def flow_scale(max_count: float = FLOW_MAX_COUNT, key: Sequence[float] = FLOW_KEY) -> SizeScale:
    """Flow widths linear in people: `max_count` people draw `FLOW_MAX_WIDTH` pixels wide."""
    return SizeScale(
        column="count",
        max_value=float(max_count),
        max_size=FLOW_MAX_WIDTH,
        min_size=FLOW_MIN_WIDTH,
        unknown_size=FLOW_UNKNOWN_WIDTH,
        key_values=tuple(float(k) for k in key),
        label=key_title("people", "line width"),
    )


def flows(
    data: Data,
    *,
    columns: Mapping[str, str] | None = None,
    units: str | None = None,
    title: str = "Flows",
    bend: float = 0.2,
    credit: str | None = None,
    credit_url: str | None = None,
    style: StyleOption = None,
    fields: FieldsOption = None,
) -> Layer:
    """A flow layer from your own table.

    Parameters
    ----------
    data : path or DataFrame
        A CSV (or DataFrame) with columns ``origin``, ``destination``, ``count`` and
        optionally ``date``. Places are looked up in the gazetteer
        (:func:`geo.place`), unless ``origin_lon``, ``origin_lat``,
        ``destination_lon`` and ``destination_lat`` columns give coordinates.
        Counts must be numbers >= 0.
    columns : dict, optional
        Your own column names for any of those, e.g.
        ``{"origin": "from", "destination": "to", "count": "n"}``.
    units : str, optional
        What the counts count, for the key's title ("Traders (line width)") and tooltips.
    title : str
        Layer title.
    bend : float
        How far flows bow to the left of travel, as a share of their length.
    credit, credit_url : str, optional
        The real source of the data (default: the file's name).
    style : str or Style, optional
        A role of :data:`layers.theme.THEME` (default ``"user_flow"``), or a Style.
    fields : list of str or Field, optional
        Tooltip columns (by the standard names: origin, destination, count_text, date).

    Raises
    ------
    geo.DataError
        Naming the file, the line and the field: every unknown place at once (with
        the closest names); a missing, negative or non-numeric count; a missing column.
    """
    source = "<DataFrame>" if isinstance(data, pd.DataFrame) else str(data)
    names = _column_names(columns, source)
    raw = geo.read_rows(data, name=source)
    has_coordinates = all(names[c] in raw.columns for c in COORDINATE_COLUMNS)
    ends = COORDINATE_COLUMNS if has_coordinates else ("origin", "destination")
    schema = geo.Schema(
        required={**{names[c]: "number" if c in COORDINATE_COLUMNS else "str" for c in ends},
                  names["count"]: "number"},
        optional={names["origin"]: "str", names["destination"]: "str", names["date"]: "str"},
        nonnegative=(names["count"],),
    )  # fmt: skip
    rows = Rows(source, 2, "line")
    # places are looked up under the user's column names, so messages use them
    ends_named = {} if has_coordinates else {c: names[c] for c in ("origin", "destination")}
    table = _checked(raw, schema, ends_named, rows)
    credits = [user_credit(data, credit, credit_url)]
    if not has_coordinates:
        found = looked_up({name: table[name] for name in ends_named.values()}, rows)
        origins = [p.point for p in found[names["origin"]]]
        destinations = [p.point for p in found[names["destination"]]]
        credits += gazetteer_credits(found)
    table = table.rename(columns={names[c]: c for c in FLOW_COLUMNS if names[c] in table})
    if has_coordinates:
        origins, destinations = _coordinates(table, names, rows)
    same = _warn_implausible(table, origins, destinations, names, rows, units, has_coordinates)
    if same:  # a flow from a place to itself has no line to draw: left out, with the warning
        if len(same) == len(table):
            raise rows.error(
                "every flow starts and ends at the same place: there is nothing to draw",
                same[0],
                field=names["destination"],
                hint="give each flow a destination other than its origin",
            )
        keep = [k for k in range(len(table)) if k not in set(same)]
        table = table.iloc[keep].reset_index(drop=True)
        origins = [origins[k] for k in keep]
        destinations = [destinations[k] for k in keep]
    counts = table["count"].astype(float)
    blank = pd.Series([""] * len(table))
    frame = gpd.GeoDataFrame(
        {
            "origin": table.get("origin", blank).fillna("").astype(str),
            "destination": table.get("destination", blank).fillna("").astype(str),
            "count": counts,
            "count_text": [f"{c:,.0f}" if float(c).is_integer() else f"{c:,g}" for c in counts],
            "date": table.get("date", blank).fillna("").astype(str),
        },
        geometry=[flow_line(o, d, bend) for o, d in zip(origins, destinations, strict=True)],
        crs="EPSG:4326",
    )
    scale = data_size_scale(
        counts, column="count", units=units, max_size=FLOW_MAX_WIDTH, min_size=FLOW_MIN_WIDTH,
        unknown_size=FLOW_UNKNOWN_WIDTH, by_area=False,
    )  # fmt: skip
    base = base_style(style, "user_flow", source)
    count_label = (units or "count").strip()
    default_fields = [
        Field("origin", "From"),
        Field("destination", "To"),
        Field("count_text", count_label[:1].upper() + count_label[1:]),
        Field("date", "Date", missing=""),
    ]
    return generic_layer(
        frame,
        layer_id="flows",
        kind="flow",
        title=title,
        base=base,
        size=scale,
        fields=[f if isinstance(f, Field) else Field(f, f) for f in fields]
        if fields is not None
        else default_fields,
        credits=credits,
        description=f"{len(frame)} flows from {data_name(data)}.",
        legend=title,
        time="date" if frame["date"].str.len().gt(0).any() else None,
    )


def _checked(
    raw: pd.DataFrame, schema: geo.Schema, ends: dict[str, str], rows: Rows
) -> pd.DataFrame:
    """`raw` typed and checked by `schema`, under the user's column names.

    Raises
    ------
    geo.DataError
        Every bad value at once: where the schema finds bad rows, the place names
        in the `ends` columns (standard name -> the user's) the gazetteer cannot
        place are reported in the same error, not on the next run.
    """
    try:
        return geo.read_rows(raw, schema, name=rows.source)
    except geo.DataError as err:
        if not err.problems or not all(column in raw for column in ends.values()):
            raise  # a problem with the file as a whole: no rows to look up
        try:
            looked_up({column: raw[column] for column in ends.values()}, rows)
        except geo.DataError as places:
            raise merged_error(err, places) from None
        raise


def _warn_implausible(
    table: pd.DataFrame,
    origins: list[shapely.Point],
    destinations: list[shapely.Point],
    names: dict[str, str],
    rows: Rows,
    units: str | None,
    has_coordinates: bool,
) -> list[int]:
    """Warn of implausible flows; return the 0-based rows of those that start where they end.

    Checks (:mod:`geo.plausibility`): counts above the origin country's population
    (where the counts are people: `units` None or naming people), dates outside the
    known period, ends in the sea (given coordinates only: the gazetteer's places are
    on land) and flows that start where they end.
    """
    if plausibility.counts_people(units):
        plausibility.warn_counts_above_population(
            table["count"].astype(float).tolist(), origins, rows, names["count"]
        )
    if "date" in table:
        plausibility.warn_dates_outside(table["date"], rows, names["date"])
    if has_coordinates:
        for end, points in (("origin", origins), ("destination", destinations)):
            field = f"{names[end + '_lon']}/{names[end + '_lat']}"
            plausibility.warn_points_in_sea(points, rows, field)
    texts = [
        tuple("" if pd.isna(v) else str(v) for v in pair)
        for pair in zip(
            table.get("origin", pd.Series([""] * len(table))),
            table.get("destination", pd.Series([""] * len(table))),
            strict=True,
        )
    ]
    same = plausibility.warn_same_ends(
        origins, destinations, texts, rows, f"{names['origin']}/{names['destination']}"
    )
    return [finding.position for finding in same]


def _column_names(columns: Mapping[str, str] | None, source: str) -> dict[str, str]:
    """The user's name of every flow column (the standard name where not renamed)."""
    names = {c: c for c in FLOW_COLUMNS}
    for key, value in (columns or {}).items():
        if key not in FLOW_COLUMNS:
            raise geo.DataError(
                source,
                f"columns has no key {key!r}",
                field=f"columns.{key}",
                hint=f"keys: {', '.join(FLOW_COLUMNS)}",
            )
        if not isinstance(value, str) or not value:
            raise geo.DataError(
                source, f"columns.{key} must name a column, not {value!r}", field=f"columns.{key}"
            )
        names[key] = value
    return names


def _coordinates(
    table: pd.DataFrame, names: dict[str, str], rows: Rows
) -> tuple[list[shapely.Point], list[shapely.Point]]:
    """Origin and destination points from the coordinate columns, checked."""
    problems = Problems(rows)
    for column in COORDINATE_COLUMNS:
        values = table[column]
        require_present(
            values, names[column], problems, "no coordinate", "give every flow both ends"
        )
        limit = 180 if column.endswith("_lon") else 90
        what = "longitude" if column.endswith("_lon") else "latitude"
        require_in_range(values.to_numpy(dtype=float), limit, names[column], problems, what)
    problems.raise_if_any()
    x = np.concatenate([table["origin_lon"], table["destination_lon"]]).astype(float)
    y = np.concatenate([table["origin_lat"], table["destination_lat"]]).astype(float)
    if looks_swapped(x, y):
        raise geo.DataError(
            rows.source,
            "the coordinates look swapped: no point lies in Central Asia, but all would "
            "with longitude and latitude exchanged",
            field="/".join(names[c] for c in COORDINATE_COLUMNS),
            hint="put longitudes in the *_lon columns and latitudes in the *_lat columns",
        )
    origins = shapely.points(table["origin_lon"].astype(float), table["origin_lat"].astype(float))
    destinations = shapely.points(
        table["destination_lon"].astype(float), table["destination_lat"].astype(float)
    )
    return list(origins), list(destinations)
