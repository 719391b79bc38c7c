"""Opening user data for :func:`geo.read_data`: files and http(s) URLs into raw frames.

GeoJSON, GeoPackage (one layer), a zip holding one Shapefile, or CSV with lat/lon
columns or a WKT column; URLs are downloaded with the package's one fetcher
(:func:`geo.refresh.fetch.fetch`). Nothing is checked against a schema here;
:mod:`geo.read` does that.
"""

from __future__ import annotations

import os
import tempfile
import warnings
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely

from geo.checks import (
    Problems,
    Rows,
    as_numbers,
    clipped,
    looks_swapped,
    region_text,
    require_in_range,
    require_present,
)
from geo.errors import DataError
from geo.load import mark_file_read, user_csv
from geo.refresh.fetch import RefreshError, fetch

WGS84 = "EPSG:4326"
#: (connect, read) timeout in seconds for downloads.
TIMEOUT = (5, 30)
#: Largest download :func:`read_data` accepts, in bytes.
MAX_DOWNLOAD_BYTES = 200_000_000

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


# --- loading -------------------------------------------------------------------------


def raw_frame(
    source: str | os.PathLike[str] | gpd.GeoDataFrame, name: str | None
) -> tuple[gpd.GeoDataFrame, Problems]:
    """The frame of `source` as read, unchecked, and the collector for its problems.

    The collector names the rows of `source` in messages (:class:`Rows`) and, for a
    CSV, already holds the problems found in its coordinate or WKT columns (rows with
    bad coordinates get no geometry).
    """
    if isinstance(source, gpd.GeoDataFrame):
        return source.copy(), Problems(Rows(name or "<GeoDataFrame>", 1, "feature"))
    if isinstance(source, pd.DataFrame):  # a table in Python: read as its CSV would be
        problems = Problems(Rows(name or "<DataFrame>", 2, "line", source.attrs.get("separator")))
        return _csv_frame(source.copy(), problems), problems
    if isinstance(source, str) and source.lower().startswith(("http://", "https://")):
        return _downloaded(source)
    if isinstance(source, str | os.PathLike):
        return _read_file(Path(source), str(source))
    raise TypeError(
        f"read_data needs a path, an http(s) URL or a (Geo)DataFrame, not {type(source)}"
    )


def _downloaded(url: str) -> tuple[gpd.GeoDataFrame, Problems]:
    """The frame read from the file at `url`, downloaded to a temporary folder.

    The download goes through :func:`geo.refresh.fetch.fetch` (timeouts, retries of
    transient failures, the :data:`MAX_DOWNLOAD_BYTES` cap).
    """
    with tempfile.TemporaryDirectory(prefix="fergana-") as folder:
        try:
            download = fetch(url, Path(folder), timeout=TIMEOUT, max_bytes=MAX_DOWNLOAD_BYTES)
        except RefreshError as err:
            raise DataError(
                url,
                f"could not be downloaded: {err}",
                hint="check the URL in a browser and the network connection",
            ) from None
        assert download.path is not None  # no conditional request, so never a 304
        path = download.path.rename(
            Path(folder) / f"download{_url_suffix(url, download.content_type)}"
        )
        return _read_file(path, url, downloaded=True)


def _url_suffix(url: str, content_type: str) -> str:
    """The file suffix of `url`, else the one its Content-Type implies, else ``""``."""
    suffix = Path(urlparse(url).path).suffix.lower()
    if suffix in FORMATS:
        return suffix
    return CONTENT_TYPES.get(content_type.split(";")[0].strip().lower(), suffix)


def _read_file(
    path: Path, label: str, *, downloaded: bool = False
) -> tuple[gpd.GeoDataFrame, Problems]:
    """The raw frame of the file at `path`, named `label` in messages.

    A local file is recorded as read (:func:`geo.recording`); a `downloaded` one, a
    temporary copy of a URL, is not.
    """
    if not path.exists():
        raise DataError(
            label, "does not exist", hint=f"check the path (working folder: {Path.cwd()})"
        )
    if not path.is_file():
        raise DataError(label, "is not a file", hint="give the path of a data file")
    if not downloaded:
        mark_file_read(path)
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
        table = user_csv(path, label=label, record=not downloaded)
        problems = Problems(Rows(label, 2, "line", table.separator))
        return _csv_frame(table.frame, problems), problems
    gdal_path = _shapefile_in_zip(path, label) if suffix == ".zip" else str(path)
    if suffix == ".gpkg":
        _require_one_layer(path, label)
    frame = _vector_frame(gdal_path, path, label, FORMATS[suffix])
    return frame, Problems(Rows(label, 1, "feature"))


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


def _csv_frame(table: pd.DataFrame, problems: Problems) -> gpd.GeoDataFrame:
    """The CSV `table` as points (lat/lon columns) or shapes (a WKT column)."""
    lat_lon = _lat_lon_columns(table)
    if lat_lon is not None:
        points = _points(table, *lat_lon, problems)
        return gpd.GeoDataFrame(table, geometry=points, crs=WGS84)
    wkt = _wkt_column(table, problems.rows)
    shapes = _wkt_shapes(table[wkt], wkt, problems)
    return gpd.GeoDataFrame(table.drop(columns=wkt), geometry=shapes, crs=WGS84)


def _lat_lon_columns(table: pd.DataFrame) -> tuple[str, str] | None:
    """The (latitude, longitude) column names of `table`, or None."""
    by_name = {str(column).strip().lower(): column for column in table.columns}
    for lat, lon in LAT_LON_NAMES:
        if lat in by_name and lon in by_name:
            return by_name[lat], by_name[lon]
    return None


def _wkt_column(table: pd.DataFrame, rows: Rows) -> str:
    """The name of the WKT column of `table`."""
    by_name = {str(column).strip().lower(): column for column in table.columns}
    for wkt in WKT_NAMES:
        if wkt in by_name:
            return by_name[wkt]
    raise rows.error(
        "has no coordinates: it needs 'lat' and 'lon' columns (or 'latitude'/'longitude', "
        f"'y'/'x') or a WKT column 'wkt' or 'geometry' ({rows.columns(table)})",
        hint="add 'lat' and 'lon' columns in decimal degrees",
    )


def _points(table: pd.DataFrame, lat_field: str, lon_field: str, problems: Problems) -> np.ndarray:
    """Points from the latitude and longitude columns of `table`.

    Rows with a coordinate that is missing, not a number or out of range are recorded
    in `problems` and get no point.
    """
    found_before = len(problems)
    lat = as_numbers(table[lat_field], lat_field, problems)
    lon = as_numbers(table[lon_field], lon_field, problems)
    for values, name in ((lat, lat_field), (lon, lon_field)):
        require_present(
            values, name, problems, "no coordinate (an empty cell)", "give every row coordinates"
        )
    require_in_range(lat.to_numpy(), 90, lat_field, problems, "latitude")
    require_in_range(lon.to_numpy(), 180, lon_field, problems, "longitude")
    usable = lat.notna() & lon.notna() & (lat.abs() <= 90) & (lon.abs() <= 180)
    problems.unlocated.update(np.flatnonzero(~usable.to_numpy()).tolist())
    if len(problems) == found_before and looks_swapped(lon.to_numpy(), lat.to_numpy()):
        rows = problems.rows
        raise rows.error(
            f"the '{lat_field}' and '{lon_field}' columns look swapped: no point lies in the "
            f"region {region_text()}, but all would with the two columns exchanged "
            f"({rows.name(0)} has {lat_field}={lat.iloc[0]}, {lon_field}={lon.iloc[0]})",
            0,
            field=f"{lat_field}/{lon_field}",
            hint=f"exchange the '{lat_field}' and '{lon_field}' column headers",
        )
    points = gpd.points_from_xy(lon, lat)
    points[~usable.to_numpy()] = None
    return points


def _wkt_shapes(texts: pd.Series, wkt_field: str, problems: Problems) -> np.ndarray:
    """Shapes parsed from the WKT strings `texts`; empty or unparseable ones are recorded."""
    require_present(
        texts, wkt_field, problems, "no geometry (an empty cell)", "give every row a WKT shape"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # GEOS parse messages
        shapes = shapely.from_wkt(texts.astype(str).to_numpy(), on_invalid="ignore")
    shapes[texts.isna().to_numpy()] = None
    bad = np.flatnonzero(pd.isna(shapes) & texts.notna().to_numpy())
    problems.add(
        bad,
        wkt_field,
        "not WKT",
        "write shapes as WKT, e.g. POINT (72.8 40.53) with longitude first",
        [f"{clipped(texts.iloc[p])!r}" for p in bad],
    )
    problems.unlocated.update(np.flatnonzero(pd.isna(shapes)).tolist())
    return shapes
