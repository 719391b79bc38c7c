"""Named map projections for Central Asia, areas and geodesic distances.

The projections are data (:data:`PROJECTIONS`), looked up by name with
:func:`named_crs`. Areas are always computed in ``"equal_area"``, the Lambert
azimuthal equal-area projection centred at 71.5 E, 40.5 N that the data build
used (``geo/data/base/SOURCES.md``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType

import geopandas as gpd
import pandas as pd
import pyproj
import shapely

WGS84 = pyproj.Geod(ellps="WGS84")


@dataclass(frozen=True)
class Projection:
    """A named projection.

    Attributes
    ----------
    definition : str
        Anything :class:`pyproj.CRS` accepts: a PROJ string or an authority code.
    description : str
        What the projection is for, in one sentence.
    """

    definition: str
    description: str


PROJECTIONS: MappingProxyType[str, Projection] = MappingProxyType(
    {
        "equal_area": Projection(
            "+proj=laea +lat_0=40.5 +lon_0=71.5 +datum=WGS84 +units=m +no_defs",
            "Lambert azimuthal equal-area centred at 71.5 E, 40.5 N: areas (as in the data build).",
        ),
        "valley": Projection(
            "+proj=lcc +lat_1=39.5 +lat_2=41.5 +lat_0=40.5 +lon_0=71.5 "
            "+datum=WGS84 +units=m +no_defs",
            "Lambert conformal conic, parallels 39.5 and 41.5 N: maps of the Fergana Valley.",
        ),
        "central_asia": Projection(
            "+proj=lcc +lat_1=35 +lat_2=50 +lat_0=42.5 +lon_0=68 +datum=WGS84 +units=m +no_defs",
            "Lambert conformal conic, parallels 35 and 50 N, centred at 68 E: regional maps.",
        ),
        "web": Projection("EPSG:3857", "Web Mercator, the CRS of web-map tiles."),
        "lonlat": Projection("EPSG:4326", "WGS 84 longitude/latitude, the CRS of the data."),
    }
)


@functools.cache
def named_crs(name: str) -> pyproj.CRS:
    """The CRS registered under `name` in :data:`PROJECTIONS`.

    Parameters
    ----------
    name : str
        One of ``"equal_area"``, ``"valley"``, ``"central_asia"``, ``"web"``, ``"lonlat"``.

    Returns
    -------
    pyproj.CRS
        The coordinate reference system.

    Raises
    ------
    KeyError
        If `name` is not registered; the message lists the known names.
    """
    if name not in PROJECTIONS:
        raise KeyError(f"no projection '{name}'. Known: {', '.join(PROJECTIONS)}")
    return pyproj.CRS.from_user_input(PROJECTIONS[name].definition)


def project(gdf: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    """Reproject a GeoDataFrame (or GeoSeries) to a named projection.

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
        Data with a CRS.
    name : str
        A key of :data:`PROJECTIONS`.

    Returns
    -------
    GeoDataFrame or GeoSeries
        A reprojected copy.
    """
    return gdf.to_crs(named_crs(name))


def crs_for_extent(bounds: Sequence[float]) -> pyproj.CRS:
    """A conformal projection centred on a lon/lat extent, for a map of that extent.

    Lambert conformal conic with standard parallels at 1/6 and 5/6 of the
    latitude span, centred on the middle of the extent. When those parallels are
    symmetric about the equator (a cone cannot be built), Mercator is used.

    Parameters
    ----------
    bounds : sequence of float
        ``(west, south, east, north)`` in degrees; west < east, south < north.

    Returns
    -------
    pyproj.CRS
        The projection, in metres on WGS 84.

    Raises
    ------
    ValueError
        If the bounds are not a non-empty lon/lat box.
    """
    west, south, east, north = (float(b) for b in bounds)
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise ValueError(f"bounds must be (west, south, east, north) in lon/lat, got {bounds}")
    lon_0 = (west + east) / 2
    lat_0 = (south + north) / 2
    span = north - south
    lat_1 = south + span / 6
    lat_2 = south + 5 * span / 6
    if abs(lat_1 + lat_2) < 1e-6:
        return pyproj.CRS.from_proj4(f"+proj=merc +lon_0={lon_0:g} +datum=WGS84 +units=m +no_defs")
    return pyproj.CRS.from_proj4(
        f"+proj=lcc +lat_1={lat_1:.6f} +lat_2={lat_2:.6f} +lat_0={lat_0:.6f} +lon_0={lon_0:.6f} "
        "+datum=WGS84 +units=m +no_defs"
    )


def area_km2(data: gpd.GeoDataFrame | gpd.GeoSeries) -> pd.Series:
    """Area of each geometry in km², computed in the ``"equal_area"`` projection.

    Parameters
    ----------
    data : GeoDataFrame or GeoSeries
        Geometries with a CRS.

    Returns
    -------
    pandas.Series
        Areas in km² named ``area_km2``, with the input's index.

    Raises
    ------
    ValueError
        If the data has no CRS.
    """
    geometry = data.geometry if isinstance(data, gpd.GeoDataFrame) else data
    if geometry.crs is None:
        raise ValueError("area_km2 needs data with a CRS")
    areas = geometry.to_crs(named_crs("equal_area")).area / 1e6
    return pd.Series(areas.to_numpy(), index=geometry.index, name="area_km2")


def distance_km(p1: shapely.Point | Sequence[float], p2: shapely.Point | Sequence[float]) -> float:
    """Geodesic distance on the WGS 84 ellipsoid between two lon/lat points.

    Parameters
    ----------
    p1, p2 : shapely.Point or (lon, lat)
        The points, in degrees.

    Returns
    -------
    float
        Distance in kilometres.
    """
    lon1, lat1 = lonlat(p1)
    lon2, lat2 = lonlat(p2)
    _, _, metres = WGS84.inv(lon1, lat1, lon2, lat2)
    return metres / 1000


def lonlat(point: shapely.Point | Sequence[float]) -> tuple[float, float]:
    """``(lon, lat)`` of a shapely Point or a two-number sequence.

    Parameters
    ----------
    point : shapely.Point or (lon, lat)
        The point.

    Returns
    -------
    tuple of float
        Longitude and latitude.
    """
    if isinstance(point, shapely.Point):
        return point.x, point.y
    lon, lat = point
    return float(lon), float(lat)
