"""Reading and checking user data: files, URLs and GeoDataFrames.

:func:`read_data` reads GeoJSON, GeoPackage, zipped Shapefile or CSV (from a path or
an http(s) URL) or takes a GeoDataFrame, checks it against a :class:`Schema` and
returns it in EPSG:4326. Problems raise :class:`geo.DataError`; repairs and
assumptions are reported with :class:`DataWarning`.

Every :class:`geo.DataError` raised here puts the place of the problem in ``row``:
for CSV the spreadsheet line number (the header is line 1, the first data row is
line 2; this assumes one record per line), for vector files and GeoDataFrames the
1-based feature number. The message says "line N" or "feature N" in words too.
"""

from __future__ import annotations

import difflib
import os
import tempfile
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import requests
import shapely

from geo.atomic import write_bytes_atomic
from geo.errors import DataError
from geo.load import load, read_csv, table_to_frame

__all__ = ["DataWarning", "Schema", "read_data"]

WGS84 = "EPSG:4326"
#: (west, south, east, north) of the region fergana maps, for spotting swapped axes.
REGION = (44.0, 30.0, 90.0, 56.0)
#: (connect, read) timeout in seconds for downloads.
TIMEOUT = (5, 30)
#: Rows or features listed by name in one message.
MAX_LISTED = 5

COLUMN_KINDS = ("str", "number", "int", "date")
GEOMETRY_TYPES = {
    "point": ("Point", "MultiPoint"),
    "line": ("LineString", "MultiLineString", "LinearRing"),
    "area": ("Polygon", "MultiPolygon"),
}
LAT_LON_NAMES = (("lat", "lon"), ("latitude", "longitude"), ("y", "x"))
WKT_NAMES = ("wkt", "geometry")
FORMATS = {
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".gpkg": "GeoPackage",
    ".zip": "zipped Shapefile",
    ".csv": "CSV",
}
CONTENT_TYPES = {
    "application/geo+json": ".geojson",
    "application/json": ".json",
    "application/geopackage+sqlite3": ".gpkg",
    "application/zip": ".zip",
    "text/csv": ".csv",
}
_PYOGRIO_ERRORS = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError)


class DataWarning(UserWarning):
    """Data that fergana used after an assumption or a repair (missing CRS, invalid shapes)."""


@dataclass
class Schema:
    """What :func:`read_data` requires of a dataset.

    Attributes
    ----------
    required : dict of str to str
        Column name to kind: ``"str"``, ``"number"``, ``"int"`` or ``"date"``. Each
        column must be present; ``number``, ``int`` and ``date`` values must parse
        (empty cells are allowed unless the column is in `nonnegative`).
    geometry : {"point", "line", "area"} or None
        Kind of geometry every feature must have; None accepts any.
    nonnegative : tuple of str
        Numeric columns whose values must be present (not NaN) and >= 0.
    optional : dict of str to str
        Columns that may be absent; checked like `required` when present.

    Examples
    --------
    >>> Schema(required={"name": "str", "count": "int"}, geometry="point",
    ...        nonnegative=("count",))  # doctest: +SKIP
    """

    required: dict[str, str] = field(default_factory=dict)
    geometry: str | None = None
    nonnegative: tuple[str, ...] = ()
    optional: dict[str, str] = field(default_factory=dict)

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
        for column in self.nonnegative:
            if columns.get(column) not in ("number", "int"):
                raise ValueError(
                    f"Schema: nonnegative column '{column}' must be a 'number' or 'int' column"
                )


@dataclass(frozen=True)
class _Rows:
    """How the rows of one source are named in messages."""

    source: str
    first: int  # number of the first row: 2 for CSV lines, 1 for features
    noun: str  # "line" or "feature"

    def number(self, position: int) -> int:
        """The row number of the row at 0-based `position`."""
        return self.first + int(position)

    def name(self, position: int) -> str:
        """E.g. ``"line 3"`` or ``"feature 2"``."""
        return f"{self.noun} {self.number(position)}"

    def names(self, positions: Sequence[int]) -> str:
        """E.g. ``"lines 2, 3, 5 (and 4 more)"`` for the first few `positions`."""
        numbers = ", ".join(str(self.number(p)) for p in positions[:MAX_LISTED])
        noun = self.noun if len(positions) == 1 else f"{self.noun}s"
        more = f" (and {len(positions) - MAX_LISTED} more)" if len(positions) > MAX_LISTED else ""
        return f"{noun} {numbers}{more}"

    def each(self, positions: Sequence[int], problem: str) -> str:
        """E.g. ``"lines 3, 4 have no value"`` from `positions` and ``"no value"``."""
        verb = "has" if len(positions) == 1 else "have"
        return f"{self.names(positions)} {verb} {problem}"

    def others(self, positions: Sequence[int]) -> str:
        """E.g. ``" (3 lines in all: lines 2, 5, 9)"``; empty for a single row."""
        if len(positions) == 1:
            return ""
        return f" ({len(positions)} {self.noun}s in all: {self.names(positions)})"

    def error(self, problem: str, position: int | None = None, **kwargs: str | None) -> DataError:
        """A :class:`DataError` for this source at the row at `position`."""
        row = None if position is None else self.number(position)
        return DataError(self.source, problem, row=row, **kwargs)


def read_data(
    source: str | os.PathLike[str] | gpd.GeoDataFrame,
    schema: Schema | None = None,
    *,
    name: str | None = None,
) -> gpd.GeoDataFrame:
    """Read user data and check it against `schema`.

    Parameters
    ----------
    source : str, path-like or GeoDataFrame
        A file (``.geojson``/``.json``, ``.gpkg``, ``.zip`` holding one Shapefile, or
        ``.csv`` with ``lat``/``lon``, ``latitude``/``longitude`` or ``y``/``x``
        columns or a WKT column ``wkt``/``geometry``), an http(s) URL to such a file,
        or a GeoDataFrame (checked as is; it is not modified).
    schema : Schema, optional
        Columns and geometry the data must have. Without one only the geometry,
        coordinates and CRS are checked.
    name : str, optional
        Name of a GeoDataFrame `source` in messages (default ``"<GeoDataFrame>"``).
        Files and URLs are always named by their path or URL.

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
    frame, rows = _loaded(source, name)
    return _validated(frame, schema or Schema(), rows)


# --- loading -------------------------------------------------------------------------


def _loaded(
    source: str | os.PathLike[str] | gpd.GeoDataFrame, name: str | None
) -> tuple[gpd.GeoDataFrame, _Rows]:
    """The raw frame of `source` and how its rows are named."""
    if isinstance(source, gpd.GeoDataFrame):
        return source.copy(), _Rows(name or "<GeoDataFrame>", 1, "feature")
    if isinstance(source, str) and source.lower().startswith(("http://", "https://")):
        return _downloaded(source)
    if isinstance(source, str | os.PathLike):
        return _read_file(Path(source), str(source))
    raise TypeError(f"read_data needs a path, an http(s) URL or a GeoDataFrame, not {type(source)}")


def _downloaded(url: str) -> tuple[gpd.GeoDataFrame, _Rows]:
    """The frame read from the file at `url`, downloaded to a temporary folder."""
    try:
        response = requests.get(url, timeout=TIMEOUT)
    except requests.RequestException as err:
        raise DataError(
            url,
            f"could not be downloaded ({type(err).__name__}: {err})",
            hint="check the URL and the network connection",
        ) from None
    if not response.ok:
        raise DataError(
            url,
            f"could not be downloaded: HTTP {response.status_code} {response.reason}",
            hint="check the URL in a browser",
        )
    suffix = _url_suffix(url, response.headers.get("Content-Type", ""))
    with tempfile.TemporaryDirectory(prefix="fergana-") as folder:
        path = Path(folder) / f"download{suffix}"
        write_bytes_atomic(path, response.content)
        return _read_file(path, url)


def _url_suffix(url: str, content_type: str) -> str:
    """The file suffix of `url`, else the one its Content-Type implies, else ``""``."""
    suffix = Path(urlparse(url).path).suffix.lower()
    if suffix in FORMATS:
        return suffix
    return CONTENT_TYPES.get(content_type.split(";")[0].strip().lower(), suffix)


def _read_file(path: Path, label: str) -> tuple[gpd.GeoDataFrame, _Rows]:
    """The raw frame of the file at `path`, named `label` in messages."""
    if not path.exists():
        raise DataError(
            label, "does not exist", hint=f"check the path (working folder: {Path.cwd()})"
        )
    if not path.is_file():
        raise DataError(label, "is not a file", hint="give the path of a data file")
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise DataError(
            label,
            f"has an unsupported format ('{suffix or 'no suffix'}')",
            hint=f"use one of {', '.join(FORMATS)}; zip a Shapefile with its .shx, .dbf and .prj",
        )
    if path.stat().st_size == 0:
        raise DataError(
            label, "is empty (0 bytes)", hint="check the export or download that made it"
        )
    if suffix == ".csv":
        lines = _Rows(label, 2, "line")
        return _csv_frame(path, lines), lines
    gdal_path = _shapefile_in_zip(path, label) if suffix == ".zip" else str(path)
    if suffix == ".gpkg":
        _require_one_layer(path, label)
    return _vector_frame(gdal_path, path, label, FORMATS[suffix]), _Rows(label, 1, "feature")


def _vector_frame(gdal_path: str, path: Path, label: str, what: str) -> gpd.GeoDataFrame:
    """The data at `gdal_path` (in the file `path`) read with pyogrio.

    GDAL errors become :class:`DataError` naming `label`.
    """
    try:
        return gpd.read_file(gdal_path, engine="pyogrio")
    except _PYOGRIO_ERRORS as err:
        raise DataError(
            label,
            f"cannot be read as {what} (GDAL: {_gdal_message(err, path, label)})",
            hint=f"check that the file is complete and really is {what}",
        ) from None


def _gdal_message(err: Exception, path: Path, label: str) -> str:
    """GDAL's message for `err`, naming `label` instead of the (maybe temporary) `path`."""
    message = str(err).split("; It might help")[0]
    for text in (f"/vsizip/{path.resolve()}", str(path.resolve()), str(path)):
        message = message.replace(text, label)
    return message


def _shapefile_in_zip(path: Path, label: str) -> str:
    """The GDAL ``/vsizip/`` path of the one Shapefile in the zip at `path`."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.namelist()
    except (zipfile.BadZipFile, OSError) as err:
        raise DataError(
            label,
            f"is not a readable zip file ({err})",
            hint="re-create the zip; the download or copy may be incomplete",
        ) from None
    shapefiles = [
        m for m in members if m.lower().endswith(".shp") and not m.startswith("__MACOSX/")
    ]
    if not shapefiles:
        raise DataError(
            label,
            f"holds no .shp file (it holds: {', '.join(members) or 'nothing'})",
            hint="zip the .shp together with its .shx, .dbf and .prj files",
        )
    if len(shapefiles) > 1:
        raise DataError(
            label,
            f"holds {len(shapefiles)} Shapefiles ({', '.join(shapefiles)})",
            hint="put one Shapefile in each zip",
        )
    return f"/vsizip/{path.resolve()}/{shapefiles[0]}"


def _require_one_layer(path: Path, label: str) -> None:
    """Raise unless the GeoPackage at `path` holds exactly one layer."""
    try:
        layers = [str(layer) for layer, _kind in pyogrio.list_layers(path)]
    except _PYOGRIO_ERRORS as err:
        raise DataError(
            label,
            f"cannot be read as a GeoPackage (GDAL: {_gdal_message(err, path, label)})",
            hint="check that the file is complete and really is a GeoPackage",
        ) from None
    if len(layers) > 1:
        raise DataError(
            label,
            f"holds {len(layers)} layers ({', '.join(layers)}); read_data reads one",
            hint="save the layer you need in a GeoPackage of its own",
        )


# --- CSV -----------------------------------------------------------------------------


def _csv_frame(path: Path, rows: _Rows) -> gpd.GeoDataFrame:
    """The CSV at `path` as points (lat/lon columns) or shapes (a WKT column)."""
    try:
        table = read_csv(path)
    except DataError as err:
        raise DataError(
            rows.source, err.problem, row=err.row, field=err.field, hint=err.hint
        ) from None
    if len(table) == 0:
        raise rows.error("has a header but no data rows", hint="add at least one row of data")
    lat_lon = _lat_lon_columns(table)
    if lat_lon is not None:
        return gpd.GeoDataFrame(table, geometry=_points(table, *lat_lon, rows), crs=WGS84)
    wkt = _wkt_column(table, rows)
    shapes = _wkt_shapes(table[wkt], wkt, rows)
    return gpd.GeoDataFrame(table.drop(columns=wkt), geometry=shapes, crs=WGS84)


def _lat_lon_columns(table: pd.DataFrame) -> tuple[str, str] | None:
    """The (latitude, longitude) column names of `table`, or None."""
    by_name = {str(column).strip().lower(): column for column in table.columns}
    for lat, lon in LAT_LON_NAMES:
        if lat in by_name and lon in by_name:
            return by_name[lat], by_name[lon]
    return None


def _wkt_column(table: pd.DataFrame, rows: _Rows) -> str:
    """The name of the WKT column of `table`."""
    by_name = {str(column).strip().lower(): column for column in table.columns}
    for wkt in WKT_NAMES:
        if wkt in by_name:
            return by_name[wkt]
    raise rows.error(
        "has no coordinates: it needs 'lat' and 'lon' columns (or 'latitude'/'longitude', "
        f"'y'/'x') or a WKT column 'wkt' or 'geometry' (columns present: {_listed(table)})",
        hint="add 'lat' and 'lon' columns in decimal degrees",
    )


def _points(table: pd.DataFrame, lat_field: str, lon_field: str, rows: _Rows) -> np.ndarray:
    """Points from the checked latitude and longitude columns of `table`."""
    lat = _numbers(table[lat_field], lat_field, rows)
    lon = _numbers(table[lon_field], lon_field, rows)
    for values, name in ((lat, lat_field), (lon, lon_field)):
        _require_present(
            values, name, rows, "no coordinate (an empty cell)", "give every row coordinates"
        )
    _require_in_range(lat.to_numpy(), 90, lat_field, rows, "latitude")
    _require_in_range(lon.to_numpy(), 180, lon_field, rows, "longitude")
    if looks_swapped(lon.to_numpy(), lat.to_numpy()):
        raise rows.error(
            f"the '{lat_field}' and '{lon_field}' columns look swapped: no point lies in the "
            f"region {_region_text()}, but all would with the two columns exchanged "
            f"({rows.name(0)} has {lat_field}={lat.iloc[0]}, {lon_field}={lon.iloc[0]})",
            0,
            field=f"{lat_field}/{lon_field}",
            hint=f"exchange the '{lat_field}' and '{lon_field}' column headers",
        )
    return gpd.points_from_xy(lon, lat)


def _wkt_shapes(texts: pd.Series, wkt_field: str, rows: _Rows) -> np.ndarray:
    """Shapes parsed from the WKT strings `texts`; an unparseable one raises."""
    _require_present(
        texts, wkt_field, rows, "no geometry (an empty cell)", "give every row a WKT shape"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # GEOS parse messages
        shapes = shapely.from_wkt(texts.astype(str).to_numpy(), on_invalid="ignore")
    bad = np.flatnonzero(pd.isna(shapes))
    if len(bad):
        raise rows.error(
            f"{rows.name(bad[0])} has a value that is not WKT: {_clipped(texts.iloc[bad[0]])!r}",
            bad[0],
            field=wkt_field,
            hint="write shapes as WKT, e.g. POINT (72.8 40.53) with longitude first",
        )
    return shapes


# --- checks --------------------------------------------------------------------------


def _validated(frame: gpd.GeoDataFrame, schema: Schema, rows: _Rows) -> gpd.GeoDataFrame:
    """`frame` checked against `schema`, typed, in EPSG:4326 and with valid shapes."""
    if frame.active_geometry_name is None:
        raise rows.error("has no geometry column", hint="set one with GeoDataFrame.set_geometry")
    if len(frame) == 0:
        raise rows.error("has no features", hint="check the export or filter that made it")
    frame = _with_typed_columns(frame, schema, rows)
    _require_shapes(frame.geometry, rows)
    frame = _in_wgs84(frame, rows)
    _require_lon_lat(frame.geometry, rows)
    _require_geometry_kind(frame.geometry, schema.geometry, rows)
    return _with_valid_shapes(frame, schema.geometry, rows)


def _with_typed_columns(frame: gpd.GeoDataFrame, schema: Schema, rows: _Rows) -> gpd.GeoDataFrame:
    """`frame` with the schema's columns checked and converted to their kinds."""
    missing = [column for column in schema.required if column not in frame.columns]
    if missing:
        raise rows.error(
            f"required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(c) for c in missing)} missing (columns present: {_listed(frame)})",
            field=missing[0],
            hint=_missing_column_hint(missing[0], schema.required[missing[0]], frame),
        )
    frame = frame.copy()
    for column, kind in {**schema.optional, **schema.required}.items():
        if column in frame.columns:
            frame[column] = _typed(frame[column], kind, column, rows)
    for column in schema.nonnegative:
        if column in frame.columns:
            _require_present(
                frame[column], column, rows, "no value", "write 0 only for a true zero"
            )
            _require_nonnegative(frame[column], column, rows)
    return frame


def _missing_column_hint(column: str, kind: str, frame: pd.DataFrame) -> str:
    """How to fix a missing column: a close match to rename, or the column to add."""
    close = difflib.get_close_matches(column, [str(c) for c in frame.columns], n=1)
    if close:
        return f"rename '{close[0]}' to '{column}'?"
    return f"add a '{column}' column ({kind})"


def _typed(values: pd.Series, kind: str, column: str, rows: _Rows) -> pd.Series:
    """`values` converted to `kind`; the first value that does not convert raises."""
    if kind == "number":
        return _numbers(values, column, rows)
    if kind == "int":
        return _whole_numbers(values, column, rows)
    if kind == "date":
        return _dates(values, column, rows)
    return values


def _numbers(values: pd.Series, column: str, rows: _Rows) -> pd.Series:
    """`values` as floats (NaN where empty); a value that is not a number raises."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    written_nan = values.astype(str).str.strip().str.lower() == "nan"
    bad = np.flatnonzero(values.notna() & numbers.isna() & ~written_nan)
    if len(bad):
        raise rows.error(
            f"{rows.name(bad[0])} has {_clipped(values.iloc[bad[0]])!r}, which is not a number",
            bad[0],
            field=column,
            hint="write digits with '.' for decimals and no thousands separators, e.g. 1250.5",
        )
    return numbers


def _whole_numbers(values: pd.Series, column: str, rows: _Rows) -> pd.Series:
    """`values` as nullable integers; a fraction or non-number raises."""
    numbers = _numbers(values, column, rows)
    bad = np.flatnonzero(numbers.notna() & (numbers % 1 != 0))
    if len(bad):
        raise rows.error(
            f"{rows.name(bad[0])} has {numbers.iloc[bad[0]]}, which is not a whole number",
            bad[0],
            field=column,
            hint=f"write whole numbers in '{column}'",
        )
    return numbers.astype("Int64")


def _dates(values: pd.Series, column: str, rows: _Rows) -> pd.Series:
    """`values` as datetimes; a value that is not an ISO 8601 date raises."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    dates = pd.to_datetime(values, errors="coerce", format="ISO8601")
    bad = np.flatnonzero(values.notna() & dates.isna())
    if len(bad):
        raise rows.error(
            f"{rows.name(bad[0])} has {_clipped(values.iloc[bad[0]])!r}, which is not a date",
            bad[0],
            field=column,
            hint="write dates as YYYY-MM-DD, e.g. 2010-06-11",
        )
    return dates


def _require_present(
    values: pd.Series, column: str, rows: _Rows, problem: str, advice: str
) -> None:
    """Raise if any of `values` is missing, naming the first few rows."""
    missing = np.flatnonzero(values.isna())
    if len(missing):
        raise rows.error(
            rows.each(missing, problem),
            missing[0],
            field=column,
            hint=f"fill in '{column}' in every row; {advice}",
        )


def _require_nonnegative(values: pd.Series, column: str, rows: _Rows) -> None:
    """Raise if any of `values` is negative, naming the first few rows."""
    negative = np.flatnonzero((values < 0).to_numpy(dtype=bool, na_value=False))
    if len(negative):
        raise rows.error(
            rows.each(negative, f"a value below 0 (first: {values.iloc[negative[0]]})"),
            negative[0],
            field=column,
            hint=f"'{column}' cannot be below 0; check the sign",
        )


def _require_shapes(shapes: gpd.GeoSeries, rows: _Rows) -> None:
    """Raise if any feature has no geometry or an empty one."""
    missing = np.flatnonzero(shapes.isna().to_numpy())
    if len(missing):
        raise rows.error(
            rows.each(missing, "no geometry"),
            missing[0],
            field=shapes.name,
            hint="give every feature a geometry, or remove the feature",
        )
    empty = np.flatnonzero(shapes.is_empty.to_numpy())
    if len(empty):
        raise rows.error(
            rows.each(empty, "an empty geometry"),
            empty[0],
            field=shapes.name,
            hint="give every feature coordinates, or remove the feature",
        )


def _in_wgs84(frame: gpd.GeoDataFrame, rows: _Rows) -> gpd.GeoDataFrame:
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


def _require_lon_lat(shapes: gpd.GeoSeries, rows: _Rows) -> None:
    """Raise if coordinates are outside ±180 / ±90 or look swapped."""
    west, south, east, north = shapely.bounds(shapes.to_numpy()).T
    extreme_lon = np.where(np.abs(west) > np.abs(east), west, east)
    extreme_lat = np.where(np.abs(south) > np.abs(north), south, north)
    _require_in_range(extreme_lon, 180, shapes.name, rows, "longitude")
    _require_in_range(extreme_lat, 90, shapes.name, rows, "latitude")
    coordinates = shapely.get_coordinates(shapes.to_numpy())
    if looks_swapped(coordinates[:, 0], coordinates[:, 1]):
        raise rows.error(
            f"the coordinates look swapped (latitude first): no feature lies in the region "
            f"{_region_text()}, but all would with x and y exchanged "
            f"({rows.name(0)} starts at x={coordinates[0, 0]}, y={coordinates[0, 1]})",
            0,
            field=shapes.name,
            hint="write coordinates longitude first, as GeoJSON and WKT require: [lon, lat]",
        )


def _require_in_range(
    values: np.ndarray, limit: float, column: str, rows: _Rows, what: str
) -> None:
    """Raise if any of `values` is beyond ±`limit` (or not finite)."""
    bad = np.flatnonzero(~(np.abs(values) <= limit))
    if len(bad):
        raise rows.error(
            f"{rows.name(bad[0])} has {what} {values[bad[0]]}, outside -{limit}..{limit}"
            f"{rows.others(bad)}",
            bad[0],
            field=column,
            hint=f"give {what} in decimal degrees; projected coordinates (metres) need a CRS",
        )


def looks_swapped(x: np.ndarray, y: np.ndarray) -> bool:
    """True if no (x, y) lies in :data:`REGION` but every (y, x) does.

    Parameters
    ----------
    x, y : numpy.ndarray
        Longitudes and latitudes as given.
    """
    return len(x) > 0 and not _in_region(x, y).any() and bool(_in_region(y, x).all())


def _in_region(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Which points lie in :data:`REGION`."""
    west, south, east, north = REGION
    return (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)


def _require_geometry_kind(shapes: gpd.GeoSeries, kind: str | None, rows: _Rows) -> None:
    """Raise if a feature's geometry type is not one `kind` allows."""
    if kind is None:
        return
    allowed = GEOMETRY_TYPES[kind]
    types = shapes.geom_type.to_numpy()
    bad = np.flatnonzero(~np.isin(types, allowed))
    if len(bad):
        raise rows.error(
            f"{rows.name(bad[0])} is a {types[bad[0]]}, but {kind} data needs "
            f"{' or '.join(allowed[:2])}{rows.others(bad)}",
            bad[0],
            field=shapes.name,
            hint=f"give this dataset {kind} geometry only",
        )


def _with_valid_shapes(frame: gpd.GeoDataFrame, kind: str | None, rows: _Rows) -> gpd.GeoDataFrame:
    """`frame` with invalid shapes repaired by :func:`shapely.make_valid`, with a warning."""
    shapes = frame.geometry.to_numpy()
    invalid = np.flatnonzero(~shapely.is_valid(shapes))
    if not len(invalid):
        return frame
    reason = shapely.is_valid_reason(shapes[invalid[0]])
    repaired = shapely.make_valid(shapes[invalid])
    if kind == "area":
        repaired = np.array([_polygonal(shape) for shape in repaired], dtype=object)
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


def _polygonal(shape: shapely.Geometry) -> shapely.Geometry:
    """The polygonal part of `shape`: a Polygon, a MultiPolygon or an empty Polygon."""
    if shape.geom_type in GEOMETRY_TYPES["area"]:
        return shape
    polygons = [
        polygon
        for part in getattr(shape, "geoms", [])
        if part.geom_type in GEOMETRY_TYPES["area"]
        for polygon in getattr(part, "geoms", [part])
    ]
    if not polygons:
        return shapely.Polygon()
    return polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)


# --- wording -------------------------------------------------------------------------


def _listed(frame: pd.DataFrame) -> str:
    """The non-geometry column names of `frame`, comma-separated."""
    geometry = getattr(frame, "active_geometry_name", None)
    names = [str(c) for c in frame.columns if c != geometry]
    return ", ".join(names) or "none"


def _region_text() -> str:
    """:data:`REGION` in words."""
    west, south, east, north = REGION
    return f"lon {west:g}–{east:g} E, lat {south:g}–{north:g} N"


def _clipped(value: object, width: int = 40) -> str:
    """`value` as text, shortened to `width` characters."""
    text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def read_table(source: str | os.PathLike[str] | pd.DataFrame, like: str) -> pd.DataFrame:
    """A user's own table in the shape of the catalog table `like`.

    Parameters
    ----------
    source : path or DataFrame
        A UTF-8 CSV (or a DataFrame) with at least the columns of the embedded table.
    like : str
        Catalog name of the table it stands in for (e.g. ``"violence_2010"``).

    Returns
    -------
    DataFrame or GeoDataFrame
        As :func:`geo.load` returns `like`: with point geometry where the table
        has ``lat``/``lon`` (rows without coordinates keep an empty geometry).

    Raises
    ------
    geo.DataError
        Naming the file and the missing column, a coordinate out of range (with its
        line), or coordinates that look swapped.
    """
    label = "<DataFrame>" if isinstance(source, pd.DataFrame) else str(source)
    frame = source.copy() if isinstance(source, pd.DataFrame) else read_csv(source)
    embedded = load(like)
    wanted = [c for c in embedded.columns if c != "geometry"]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise DataError(
            label,
            f"lacks the column(s) {', '.join(missing)} of the {like} table",
            field=missing[0],
            hint=f"columns needed: {', '.join(wanted)}",
        )
    if not isinstance(embedded, gpd.GeoDataFrame):
        return frame
    lat = pd.to_numeric(frame["lat"], errors="coerce")
    lon = pd.to_numeric(frame["lon"], errors="coerce")
    for column, values, limit in (("lat", lat, 90), ("lon", lon, 180)):
        bad = np.flatnonzero((values.abs() > limit).to_numpy())
        if len(bad):
            raise DataError(
                label,
                f"{column} {values.iloc[bad[0]]} is out of range",
                row=int(bad[0]) + 2,
                field=column,
            )
    located = lat.notna() & lon.notna()
    if looks_swapped(lon[located].to_numpy(), lat[located].to_numpy()):
        raise DataError(
            label,
            "the lat and lon columns look swapped: no point lies in Central Asia",
            field="lat/lon",
            hint="exchange the two columns",
        )
    return table_to_frame(frame, label)
