"""Reading and checking user data: files, URLs and GeoDataFrames.

:func:`read_data` reads GeoJSON, GeoPackage, zipped Shapefile or CSV (from a path or
an http(s) URL) or takes a GeoDataFrame, checks it against a :class:`Schema` and
returns it in EPSG:4326. Problems raise :class:`geo.DataError`; repairs and
assumptions are reported with :class:`DataWarning`.

Problems with values are collected across all checked columns and raised as one
:class:`geo.DataError` listing every bad row (up to :data:`geo.checks.MAX_LISTED`),
grouped by field and problem; its ``problems`` attribute holds them all, its ``row``
and ``field`` the first. CSV files are read by :func:`geo.load.read_csv`'s rules
(separator and encoding sniffed, thousands separators; see :mod:`geo.load` and
:mod:`geo.checks`).

Every :class:`geo.DataError` raised here puts the place of the problem in ``row``:
for CSV the spreadsheet line number (the header is line 1, the first data row is
line 2; this assumes one record per line), for vector files and GeoDataFrames the
1-based feature number. The message says "line N" or "feature N" in words too.

Opening files and URLs lives in :mod:`geo.read_files`; the per-column value checks
and the naming of rows in :mod:`geo.checks`.
"""

from __future__ import annotations

import difflib
import os
import warnings
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.checks import (
    Problems,
    Rows,
    as_date_text,
    as_dates,
    as_numbers,
    as_text,
    as_whole_numbers,
    looks_dated,
    looks_swapped,
    region_text,
    require_in_range,
    require_nonnegative,
    require_present,
)
from geo.errors import DataWarning
from geo.geometry import parts_of_kind
from geo.load import load, table_to_frame, user_csv
from geo.read_files import WGS84, raw_frame

__all__ = [
    "DataWarning",
    "Schema",
    "filled_like",
    "kinds_like",
    "read_data",
    "read_rows",
    "read_table",
]

COLUMN_KINDS = ("str", "text", "number", "int", "date", "date_text")
#: Columns of a facts table that may be left empty in the user's copy (read as "").
FREE_TEXT_COLUMNS = ("notes", "source_url")
GEOMETRY_TYPES = {
    "point": ("Point", "MultiPoint"),
    "line": ("LineString", "MultiLineString", "LinearRing"),
    "area": ("Polygon", "MultiPolygon"),
}


@dataclass
class Schema:
    """What :func:`read_data` requires of a dataset.

    Attributes
    ----------
    required : dict of str to str
        Column name to kind: ``"str"`` (as given), ``"text"`` (every value made text:
        a code 1 becomes ``"1"``), ``"number"``, ``"int"``, ``"date"`` (parsed to a
        datetime) or ``"date_text"`` (text that names a year, as the story tables
        write dates: ``2010-06-11``, ``2010-06``, ``2010-06-10/11``, ``1999 (late)``;
        any ``YYYY-MM-DD`` in it must be a real day; kept as text). Each column must
        be present; values must parse (empty cells are allowed unless the column is
        in `nonnegative` or `filled`).
    geometry : {"point", "line", "area"} or None
        Kind of geometry every feature must have; None accepts any.
    nonnegative : tuple of str
        Numeric columns whose values must be present (not NaN) and >= 0.
    optional : dict of str to str
        Columns that may be absent; checked like `required` when present.
    filled : tuple of str
        Columns (of any kind) whose every row must have a value.
    at_least_zero : tuple of str
        Numeric columns whose values, where given, must be >= 0 (empty allowed).

    Examples
    --------
    >>> Schema(required={"name": "str", "count": "int"}, geometry="point",
    ...        nonnegative=("count",))  # doctest: +SKIP
    """

    required: dict[str, str] = field(default_factory=dict)
    geometry: str | None = None
    nonnegative: tuple[str, ...] = ()
    optional: dict[str, str] = field(default_factory=dict)
    filled: tuple[str, ...] = ()
    at_least_zero: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        columns = {**self.optional, **self.required}
        for column, kind in columns.items():
            if kind not in COLUMN_KINDS:
                raise ValueError(
                    f"Schema: column '{column}' has kind {kind!r}, not one of {COLUMN_KINDS}"
                )
        if self.geometry is not None and self.geometry not in GEOMETRY_TYPES:
            raise ValueError(
                f"Schema: geometry {self.geometry!r} is not one of {tuple(GEOMETRY_TYPES)} or None"
            )
        for column in (*self.nonnegative, *self.at_least_zero):
            if columns.get(column) not in ("number", "int"):
                raise ValueError(
                    f"Schema: nonnegative column '{column}' must be a 'number' or 'int' column"
                )


def read_data(
    source: str | os.PathLike[str] | pd.DataFrame,
    schema: Schema | None = None,
    *,
    name: str | None = None,
) -> gpd.GeoDataFrame:
    """Read user data and check it against `schema`.

    Parameters
    ----------
    source : str, path-like, GeoDataFrame or DataFrame
        A file (``.geojson``/``.json``, ``.gpkg``, ``.zip`` holding one Shapefile, or
        ``.csv`` with ``lat``/``lon``, ``latitude``/``longitude`` or ``y``/``x``
        columns or a WKT column ``wkt``/``geometry``), an http(s) URL to such a file,
        a GeoDataFrame (checked as is; it is not modified), or a DataFrame read as
        its CSV would be (rows named as lines).
    schema : Schema, optional
        Columns and geometry the data must have. Without one only the geometry,
        coordinates and CRS are checked.
    name : str, optional
        Name of a (Geo)DataFrame `source` in messages (default ``"<GeoDataFrame>"``
        or ``"<DataFrame>"``). Files and URLs are always named by their path or URL.

    Returns
    -------
    GeoDataFrame
        In EPSG:4326. Columns of kind ``number`` are float, ``int`` are ``Int64``,
        ``date`` are datetime; invalid shapes are repaired with
        :func:`shapely.make_valid` (area data keeps only its polygons).

    Raises
    ------
    geo.DataError
        The data cannot be used. The message names the file or URL, and where known
        the row (CSV: spreadsheet line, header = line 1) or feature (1-based), the
        field and how to fix it.

    Warns
    -----
    DataWarning
        The data has no CRS (EPSG:4326 is assumed) or had invalid shapes (repaired).

    Examples
    --------
    >>> read_data("clashes.csv", Schema(required={"deaths": "int"},
    ...           geometry="point", nonnegative=("deaths",)))  # doctest: +SKIP
    """
    frame, problems = raw_frame(source, name)
    return _validated(frame, schema or Schema(), problems)


# --- checks --------------------------------------------------------------------------


def _validated(frame: gpd.GeoDataFrame, schema: Schema, problems: Problems) -> gpd.GeoDataFrame:
    """`frame` checked against `schema`, typed, in EPSG:4326 and with valid shapes.

    Every bad value and feature is collected first, then raised as one error.
    """
    rows = problems.rows
    if frame.active_geometry_name is None:
        raise rows.error("has no geometry column", hint="set one with GeoDataFrame.set_geometry")
    if len(frame) == 0:
        raise rows.error("has no features", hint="check the export or filter that made it")
    frame = _with_typed_columns(frame, schema, problems)
    located = _require_shapes(frame.geometry, problems)
    frame = _in_wgs84(frame, rows)
    _require_lon_lat(frame.geometry, located, problems)
    _require_geometry_kind(frame.geometry, located, schema.geometry, problems)
    problems.raise_if_any()
    _require_not_swapped(frame.geometry, rows)
    return _with_valid_shapes(frame, schema.geometry, rows)


def _with_typed_columns(frame: pd.DataFrame, schema: Schema, problems: Problems) -> pd.DataFrame:
    """`frame` with the schema's columns converted to their kinds; bad values recorded."""
    rows = problems.rows
    missing = [column for column in schema.required if column not in frame.columns]
    if missing:
        raise rows.error(
            f"required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(c) for c in missing)} missing ({rows.columns(frame)})",
            field=missing[0],
            hint=_missing_column_hint(missing[0], schema.required[missing[0]], frame),
        )
    frame = frame.copy()
    for column, kind in {**schema.optional, **schema.required}.items():
        if column in frame.columns:
            frame[column] = _typed(frame[column], kind, column, problems)
    for column in schema.nonnegative:
        if column in frame.columns:
            require_present(
                frame[column], column, problems, "no value", "write 0 only for a true zero"
            )
            require_nonnegative(frame[column], column, problems)
    for column in schema.at_least_zero:
        if column in frame.columns:
            require_nonnegative(frame[column], column, problems)
    for column in schema.filled:
        if column in frame.columns:
            require_present(frame[column], column, problems, "no value", "the layer needs it")
    return frame


def _missing_column_hint(column: str, kind: str, frame: pd.DataFrame) -> str:
    """How to fix a missing column: a close match to rename, or the column to add."""
    close = difflib.get_close_matches(column, [str(c) for c in frame.columns], n=1)
    if close:
        # the name may come from the user's spec (columns = {...}, value = ...) or be ours
        return (
            f"the file has '{close[0]}': rename that column to '{column}', "
            f"or if a spec option names '{column}', name '{close[0]}' there instead"
        )
    return f"add a '{column}' column ({kind})"


def _typed(values: pd.Series, kind: str, column: str, problems: Problems) -> pd.Series:
    """`values` converted to `kind`; values that do not convert are recorded."""
    if kind == "number":
        return as_numbers(values, column, problems)
    if kind == "int":
        return as_whole_numbers(values, column, problems)
    if kind == "date":
        return as_dates(values, column, problems)
    if kind == "text":
        return as_text(values)
    if kind == "date_text":
        return as_date_text(values, column, problems)
    return values


def _require_shapes(shapes: gpd.GeoSeries, problems: Problems) -> np.ndarray:
    """Record features with no geometry or an empty one; return which have a shape.

    Rows whose geometry is missing because of a coordinate problem already recorded
    (CSV) are not recorded twice.
    """
    absent = shapes.isna().to_numpy()
    empty = ~absent & shapes.is_empty.to_numpy()
    missing = [p for p in np.flatnonzero(absent) if p not in problems.unlocated]
    problems.add(
        missing, shapes.name, "no geometry", "give every feature a geometry, or remove the feature"
    )
    problems.add(
        np.flatnonzero(empty),
        shapes.name,
        "an empty geometry",
        "give every feature coordinates, or remove the feature",
    )
    return ~(absent | empty)


def _in_wgs84(frame: gpd.GeoDataFrame, rows: Rows) -> gpd.GeoDataFrame:
    """`frame` in EPSG:4326; without a CRS it is assumed to be in it, with a warning."""
    if frame.crs is None:
        warnings.warn(
            f"{rows.source}: has no CRS; assuming {WGS84} (longitude, latitude in degrees)",
            DataWarning,
            stacklevel=4,
        )
        return frame.set_crs(WGS84)
    if frame.crs != WGS84:
        return frame.to_crs(WGS84)
    return frame


def _require_lon_lat(shapes: gpd.GeoSeries, located: np.ndarray, problems: Problems) -> None:
    """Record features (of those `located`) with coordinates beyond ±180 / ±90."""
    west, south, east, north = shapely.bounds(shapes.to_numpy()).T
    extreme_lon = np.where(np.abs(west) > np.abs(east), west, east)
    extreme_lat = np.where(np.abs(south) > np.abs(north), south, north)
    require_in_range(np.where(located, extreme_lon, 0), 180, shapes.name, problems, "longitude")
    require_in_range(np.where(located, extreme_lat, 0), 90, shapes.name, problems, "latitude")


def _require_not_swapped(shapes: gpd.GeoSeries, rows: Rows) -> None:
    """Raise if the coordinates look swapped (latitude first)."""
    coordinates = shapely.get_coordinates(shapes.to_numpy())
    if looks_swapped(coordinates[:, 0], coordinates[:, 1]):
        raise rows.error(
            f"the coordinates look swapped (latitude first): no feature lies in the region "
            f"{region_text()}, but all would with x and y exchanged "
            f"({rows.name(0)} starts at x={coordinates[0, 0]}, y={coordinates[0, 1]})",
            0,
            field=shapes.name,
            hint="write coordinates longitude first, as GeoJSON and WKT require: [lon, lat]",
        )


def _require_geometry_kind(
    shapes: gpd.GeoSeries, located: np.ndarray, kind: str | None, problems: Problems
) -> None:
    """Record features (of those `located`) whose geometry type `kind` does not allow."""
    if kind is None:
        return
    allowed = GEOMETRY_TYPES[kind]
    types = shapes.geom_type.to_numpy()
    bad = np.flatnonzero(located & ~np.isin(types, allowed))
    problems.add(
        bad,
        shapes.name,
        f"not {kind} geometry ({' or '.join(allowed[:2])})",
        f"give this dataset {kind} geometry only",
        [str(types[p]) for p in bad],
    )


def _with_valid_shapes(frame: gpd.GeoDataFrame, kind: str | None, rows: Rows) -> gpd.GeoDataFrame:
    """`frame` with invalid shapes repaired by :func:`shapely.make_valid`, with a warning."""
    shapes = frame.geometry.to_numpy()
    invalid = np.flatnonzero(~shapely.is_valid(shapes))
    if not len(invalid):
        return frame
    reason = shapely.is_valid_reason(shapes[invalid[0]])
    repaired = shapely.make_valid(shapes[invalid])
    if kind == "area":
        repaired = parts_of_kind(repaired, "area")
        collapsed = invalid[shapely.is_empty(repaired)]
        if len(collapsed):
            raise rows.error(
                rows.each(collapsed, "a polygon with no area left once made valid"),
                collapsed[0],
                field=frame.geometry.name,
                hint="redraw the polygon; its outline crosses or retraces itself",
            )
    warnings.warn(
        f"{rows.source}: repaired {len(invalid)} invalid geometr"
        f"{'y' if len(invalid) == 1 else 'ies'} with shapely.make_valid "
        f"({rows.names(invalid)}; first problem: {reason})",
        DataWarning,
        stacklevel=4,
    )
    shapes = shapes.copy()
    shapes[invalid] = repaired
    frame = frame.copy()
    frame[frame.geometry.name] = gpd.GeoSeries(shapes, index=frame.index, crs=frame.crs)
    return frame


# --- user tables -------------------------------------------------------------------------


def read_rows(
    source: str | os.PathLike[str] | pd.DataFrame,
    schema: Schema | None = None,
    *,
    name: str | None = None,
) -> pd.DataFrame:
    """A user's table without geometry (e.g. origin/destination/count, or a value per province).

    Parameters
    ----------
    source : str, path-like or DataFrame
        A CSV file, or a DataFrame (checked as is; it is not modified).
    schema : Schema, optional
        Columns the table must have, checked and typed as by :func:`read_data`
        (``schema.geometry`` is ignored).
    name : str, optional
        Name of a DataFrame `source` in messages (default ``"<DataFrame>"``).

    Returns
    -------
    DataFrame
        With the schema's columns typed; spreadsheet line numbers follow row order
        (the header is line 1).

    Raises
    ------
    geo.DataError
        Naming the file, the line and the field; every bad value of the table in one
        error (its ``problems`` lists them all).
    """
    table, rows = _user_table(source, name)
    if len(table) == 0:
        raise rows.error("has a header but no data rows", hint="add at least one row of data")
    problems = Problems(rows)
    typed_table = _with_typed_columns(table, schema or Schema(), problems)
    problems.raise_if_any()
    result = pd.DataFrame(typed_table).reset_index(drop=True)
    if rows.separator is not None:
        result.attrs["separator"] = rows.separator  # read again, the frame still says how
    return result


def _user_table(
    source: str | os.PathLike[str] | pd.DataFrame, name: str | None
) -> tuple[pd.DataFrame, Rows]:
    """A copy of the DataFrame `source`, or the CSV file it names, and how its rows are named."""
    if isinstance(source, pd.DataFrame):
        # a frame read_csv made keeps its separator: numbers and messages follow the file's
        separator = source.attrs.get("separator")
        return source.copy(), Rows(name or "<DataFrame>", 2, "line", separator)
    table = user_csv(source)
    return table.frame, Rows(str(source), 2, "line", table.separator)


def read_table(source: str | os.PathLike[str] | pd.DataFrame, like: str) -> pd.DataFrame:
    """A user's own table in the shape of the catalog table `like`, checked like it.

    Parameters
    ----------
    source : path or DataFrame
        A CSV read by :func:`geo.load.read_csv`'s rules (or a DataFrame) with at least
        the columns of the embedded table.
    like : str
        Catalog name of the table it stands in for (e.g. ``"violence_2010"``).

    Returns
    -------
    DataFrame or GeoDataFrame
        As :func:`geo.load` returns `like`: with point geometry where the table
        has ``lat``/``lon`` (rows without coordinates keep an empty geometry). Each
        column is of the embedded column's kind (:func:`kinds_like`).

    Raises
    ------
    geo.DataError
        Naming the file and the missing column, or (every one at once) each value of
        the wrong kind, each empty cell of a column the embedded table always fills
        (:func:`filled_like`), each coordinate that is not a number or out of range,
        with its line; or coordinates that look swapped.
    """
    frame, rows = _user_table(source, None)
    embedded = load(like)
    wanted = [c for c in embedded.columns if c != "geometry"]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise rows.error(
            f"lacks the column(s) {', '.join(missing)} of the {like} table ({rows.columns(frame)})",
            field=missing[0],
            hint=f"columns needed: {', '.join(wanted)}",
        )
    if len(frame) == 0:
        raise rows.error("has a header but no data rows", hint="add at least one row of data")
    located = isinstance(embedded, gpd.GeoDataFrame)
    coordinates = ("lat", "lon") if located else ()
    kinds = {c: k for c, k in kinds_like(embedded).items() if c not in coordinates}
    filled = tuple(c for c in filled_like(embedded) if c not in coordinates)
    problems = Problems(rows)
    frame = _with_typed_columns(frame, Schema(required=kinds, filled=filled), problems)
    for column in FREE_TEXT_COLUMNS:
        if column in frame and embedded[column].notna().all():
            frame[column] = frame[column].fillna("")
    for column in kinds:
        if column.endswith("iso3"):
            _require_country_codes(frame[column], column, problems)
    if not located:
        problems.raise_if_any()
        return frame
    lat = as_numbers(frame["lat"], "lat", problems)
    lon = as_numbers(frame["lon"], "lon", problems)
    require_in_range(lat.to_numpy(), 90, "lat", problems, "latitude")
    require_in_range(lon.to_numpy(), 180, "lon", problems, "longitude")
    problems.raise_if_any()
    located = lat.notna() & lon.notna()
    if looks_swapped(lon[located].to_numpy(), lat[located].to_numpy()):
        raise rows.error(
            "the lat and lon columns look swapped: no point lies in Central Asia",
            field="lat/lon",
            hint="exchange the two columns",
        )
    frame["lat"], frame["lon"] = lat, lon
    return table_to_frame(frame.drop(columns="geometry", errors="ignore"), rows.source)


def _require_country_codes(values: pd.Series, column: str, problems: Problems) -> None:
    """Record each value of an ``*_iso3`` column that is no country code of the embedded data."""
    world = load("world_countries")
    known = set(world["adm0_a3"].dropna()) | set(world.get("iso_a3", pd.Series()).dropna())
    bad = [  # a cell may list several, "KGZ;UZB"
        p
        for p, v in enumerate(values)
        if isinstance(v, str)
        and v.strip()
        and any(c.strip().upper() not in known for c in v.split(";"))
    ]
    problems.add(
        bad,
        column,
        "not a country code",
        "write ISO 3166-1 alpha-3 codes, e.g. KGZ, or several as KGZ;UZB",
        [repr(str(values.iloc[p])) for p in bad],
    )


def kinds_like(embedded: pd.DataFrame) -> dict[str, str]:
    """The :class:`Schema` kind of each column of an embedded dataset, for the user's copy.

    Numbers stay ``number``; text whose every value is dated (``2010-06-11``,
    ``1999-08 (late)``: :func:`geo.checks.looks_dated`) is ``date_text``; other
    text is ``text``. The geometry column is left out.
    """
    geometry = getattr(embedded, "active_geometry_name", None)
    kinds = {}
    for column in embedded.columns:
        if column == geometry:
            continue
        values = embedded[column]
        if pd.api.types.is_bool_dtype(values):
            continue
        if pd.api.types.is_numeric_dtype(values):
            kinds[str(column)] = "number"
        elif pd.api.types.is_datetime64_any_dtype(values):
            kinds[str(column)] = "date"
        else:
            kinds[str(column)] = "date_text" if looks_dated(values) else "text"
    return kinds


def filled_like(embedded: pd.DataFrame) -> tuple[str, ...]:
    """Columns the embedded table fills in every row, but for :data:`FREE_TEXT_COLUMNS`.

    The story layers may rely on them (a place to put a row at, a date to order by).
    """
    geometry = getattr(embedded, "active_geometry_name", None)
    return tuple(
        str(c)
        for c in embedded.columns
        if c != geometry and c not in FREE_TEXT_COLUMNS and embedded[c].notna().all()
    )
