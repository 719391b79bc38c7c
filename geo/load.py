"""Loading embedded (or refreshed) datasets by name."""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import geopandas as gpd
import pandas as pd

from geo.cache import copy_in_use
from geo.catalog import dataset
from geo.errors import DataError
from geo.raster import Raster, read_geotiff


@dataclass
class Used:
    """What a block of code read: catalog datasets by name and the user's own files.

    Attributes
    ----------
    datasets : set of str
        Catalog names read through :func:`load` (embedded or refreshed copies).
    files : set of Path
        Resolved paths of user files read through :func:`geo.read_data`,
        :func:`geo.read_rows`, :func:`geo.read_table` or :func:`read_csv`.
    """

    datasets: set[str] = field(default_factory=set)
    files: set[Path] = field(default_factory=set)


_RECORDERS: contextvars.ContextVar[tuple[Used, ...]] = contextvars.ContextVar(
    "fergana_dataset_recorders", default=()
)


@contextlib.contextmanager
def recording() -> Iterator[Used]:
    """Collect the datasets and user files read inside the block.

    Builds use it to record which data each map depends on.

    Examples
    --------
    >>> with recording() as used:  # doctest: +SKIP
    ...     layers.build("enclaves")
    >>> sorted(used.datasets)  # doctest: +SKIP
    ['countries', 'enclaves', 'enclaves_geometry']
    """
    used = Used()
    token = _RECORDERS.set((*_RECORDERS.get(), used))
    try:
        yield used
    finally:
        _RECORDERS.reset(token)


_SUBSTITUTES: contextvars.ContextVar[MappingProxyType] = contextvars.ContextVar(
    "fergana_dataset_substitutes", default=MappingProxyType({})
)


@contextlib.contextmanager
def substituted(name: str, frame: pd.DataFrame) -> Iterator[None]:
    """Inside the block, :func:`load` returns `frame` for `name` (a user's own table).

    Examples
    --------
    >>> with substituted("violence_2010", my_table):  # doctest: +SKIP
    ...     layer = layers.build("violence")
    """
    token = _SUBSTITUTES.set(MappingProxyType({**_SUBSTITUTES.get(), name: frame}))
    try:
        yield
    finally:
        _SUBSTITUTES.reset(token)


def mark_used(*names: str) -> None:
    """Record `names` as read, for code that reads datasets through its own cache."""
    for used in _RECORDERS.get():
        used.datasets.update(names)


def mark_file_read(path: str | Path) -> None:
    """Record a user file as read (builds hash it to know when a map is stale)."""
    resolved = Path(path).resolve()
    for used in _RECORDERS.get():
        used.files.add(resolved)


def load(name: str) -> gpd.GeoDataFrame | pd.DataFrame | Raster:
    """Load a catalog dataset.

    Parameters
    ----------
    name : str
        A name from :func:`geo.catalog` (``fergana data list``).

    Returns
    -------
    GeoDataFrame, DataFrame or Raster
        Vector data as a GeoDataFrame in the declared CRS; tables with ``lat`` and
        ``lon`` columns as a GeoDataFrame of points (rows without coordinates
        keep an empty geometry); other tables as a DataFrame; rasters as
        :class:`geo.Raster`. Each call returns a fresh copy of a per-process cache.

    Examples
    --------
    >>> countries = geo.load("countries")  # doctest: +SKIP
    """
    substitute = _SUBSTITUTES.get().get(name)
    if substitute is not None:
        return substitute.copy()
    mark_used(name)
    copy = copy_in_use(name)
    data = _read(name, copy.path, copy.path.stat().st_mtime_ns)
    return data if isinstance(data, Raster) else data.copy()


@functools.lru_cache(maxsize=64)
def _read(name: str, path: Path, _mtime: int) -> gpd.GeoDataFrame | pd.DataFrame | Raster:
    entry = dataset(name)
    if entry.kind == "raster":
        return read_geotiff(path, crs=entry.crs)
    if entry.kind == "table":
        return table_to_frame(parse_csv(path), path, crs=entry.crs or None)
    frame = gpd.read_file(path, engine="pyogrio")
    if frame.crs is None:
        raise DataError(path, "has no CRS", hint=f"the catalog declares {entry.crs}")
    return frame.to_crs(entry.crs) if frame.crs != entry.crs else frame


def read_csv(path: str | Path) -> pd.DataFrame:
    """Read a user's CSV (recorded as read, see :func:`recording`); see :func:`parse_csv`."""
    mark_file_read(path)
    return parse_csv(path)


def parse_csv(path: str | Path) -> pd.DataFrame:
    """Read a UTF-8 CSV with a header row; a bad encoding raises :class:`geo.DataError`."""
    try:
        return pd.read_csv(path, encoding="utf-8", keep_default_na=False, na_values=[""])
    except FileNotFoundError:
        raise DataError(path, "no such file") from None
    except UnicodeDecodeError as err:
        raise DataError(
            path,
            f"is not valid UTF-8 (byte {err.start})",
            hint="save the file as UTF-8 CSV",
        ) from None
    except pd.errors.EmptyDataError:
        raise DataError(path, "is empty", hint="give a header row and at least one row") from None
    except pd.errors.ParserError as err:
        raise DataError(path, f"is not a well-formed CSV ({err})") from None


def table_to_frame(
    frame: pd.DataFrame, path: str | Path, crs: str | None = "EPSG:4326"
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Give a table with ``lat``/``lon`` columns point geometry (empty where a row has none)."""
    if not {"lat", "lon"} <= set(frame.columns):
        return frame
    lat = pd.to_numeric(frame["lat"], errors="coerce")
    lon = pd.to_numeric(frame["lon"], errors="coerce")
    geometry = gpd.points_from_xy(lon, lat)
    geometry[lat.isna() | lon.isna()] = None
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=crs or "EPSG:4326")
