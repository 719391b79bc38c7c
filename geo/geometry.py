"""Vectorised geometry helpers (shapely 2): simplification, clipping, labels and flow lines.

Data goes in and comes out in its own CRS (lon/lat for everything fergana embeds);
where distances matter the work is done in metres, in the ``"equal_area"``
projection of :mod:`geo.crs` or in a local projection.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from geo.crs import WGS84, lonlat, named_crs

Frame = TypeVar("Frame", gpd.GeoDataFrame, gpd.GeoSeries)

EARTH_CIRCUMFERENCE_M = 2 * math.pi * 6378137.0  # Web Mercator sphere
TILE_PX = 256
POLYGONAL = ("Polygon", "MultiPolygon")
#: Geometry types of each kind of feature: (single, multi).
KIND_TYPES = {
    "area": ("Polygon", "MultiPolygon"),
    "line": ("LineString", "MultiLineString"),
    "point": ("Point", "MultiPoint"),
}


# --- tolerances -----------------------------------------------------------------------------


def tolerance_for_scale(scale_denominator: float, pixel_mm: float = 0.3) -> float:
    """Metres of ground covered by one printed or screen pixel at a map scale.

    Parameters
    ----------
    scale_denominator : float
        The map scale 1 : `scale_denominator`.
    pixel_mm : float, default 0.3
        Size of a pixel (or of the smallest visible detail) on the page, in mm.

    Returns
    -------
    float
        Ground distance in metres.
    """
    if scale_denominator <= 0 or pixel_mm <= 0:
        raise ValueError("scale_denominator and pixel_mm must be positive")
    return scale_denominator * pixel_mm / 1000


def tolerance_for_zoom(zoom: int, lat: float) -> float:
    """Metres of ground per web-map (256 px tile) pixel at a zoom level and latitude.

    Parameters
    ----------
    zoom : int
        Web-map zoom level (0 = the world in one tile).
    lat : float
        Latitude in degrees; Web Mercator pixels shrink on the ground by cos(lat).

    Returns
    -------
    float
        Ground metres per pixel.
    """
    return EARTH_CIRCUMFERENCE_M * math.cos(math.radians(lat)) / (TILE_PX * 2**zoom)


def decimals_for_tolerance(tolerance_m: float, lat: float) -> int:
    """Fewest decimal places of a degree that keep rounding error within a tolerance.

    Rounding to ``10**-d`` degrees moves a point by at most half a grid step in
    longitude and in latitude; that diagonal, in metres on WGS 84 at `lat`, must
    not exceed `tolerance_m`.

    Parameters
    ----------
    tolerance_m : float
        Largest acceptable displacement in metres.
    lat : float
        Latitude in degrees where the error is measured.

    Returns
    -------
    int
        Number of decimal places (0 or more).
    """
    if tolerance_m <= 0:
        raise ValueError("tolerance_m must be positive")
    per_degree = math.hypot(*_metres_per_degree(lat))
    return max(0, math.ceil(math.log10(0.5 * per_degree / tolerance_m)))


def _metres_per_degree(lat: float) -> tuple[float, float]:
    """Metres per degree of latitude and of longitude on WGS 84 at `lat`."""
    a, f = WGS84.a, WGS84.f
    e2 = f * (2 - f)
    phi = math.radians(lat)
    w = math.sqrt(1 - e2 * math.sin(phi) ** 2)
    meridian = a * (1 - e2) / w**3
    normal = a / w
    return math.radians(meridian), math.radians(normal * math.cos(phi))


# --- simplification, clipping, precision ----------------------------------------------------


def simplify_coverage(gdf: Frame, tolerance_m: float, *, simplify_boundary: bool = True) -> Frame:
    """Simplify a polygon coverage so that neighbours keep one shared border.

    Uses :func:`shapely.coverage_simplify` (Visvalingam-Whyatt on shared edges)
    in the ``"equal_area"`` projection, so no gaps or overlaps appear between
    neighbours. Holes and enclaves survive (rings are never dropped). An input
    that is not an exact coverage (edges not matched vertex for vertex) is first
    repaired with :func:`shapely.coverage_clean`.

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
        Polygons and MultiPolygons with a CRS; missing or empty geometries pass through.
    tolerance_m : float
        Tolerance in metres. For Visvalingam-Whyatt this is the square root of
        the largest triangle area removed, not a maximum displacement: a vertex
        on a long straight stretch moves less, a narrow spike can go entirely.
    simplify_boundary : bool, default True
        Also simplify the outer boundary of the coverage, not only shared edges.

    Returns
    -------
    GeoDataFrame or GeoSeries
        A copy in the input CRS with simplified, valid geometries.

    Raises
    ------
    ValueError
        If there is no CRS or a geometry is not polygonal.
    """
    geometry = _geometry(gdf)
    present = ~(geometry.isna() | geometry.is_empty).to_numpy()
    types = set(geometry[present].geom_type)
    if not types <= set(POLYGONAL):
        raise ValueError(f"simplify_coverage needs polygons, got {sorted(types)}")
    values = geometry[present].to_crs(named_crs("equal_area")).to_numpy()
    if not shapely.coverage_is_valid(values):
        values = _clean_coverage(values)
    values = shapely.coverage_simplify(values, tolerance_m, simplify_boundary=simplify_boundary)
    return _replace(gdf, present, _from_equal_area(values, geometry.crs))


def simplify_lines(gdf: Frame, tolerance_m: float) -> Frame:
    """Douglas-Peucker simplification of lines, in metres.

    Each geometry is simplified on its own (``preserve_topology=True`` keeps it
    from crossing itself); endpoints stay, so networks stay joined at line ends.

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
        Lines (any geometry works) with a CRS.
    tolerance_m : float
        Largest displacement in metres, measured in the ``"equal_area"`` projection.

    Returns
    -------
    GeoDataFrame or GeoSeries
        A copy in the input CRS.
    """
    geometry = _geometry(gdf)
    projected = geometry.to_crs(named_crs("equal_area")).to_numpy()
    simplified = shapely.simplify(projected, tolerance_m, preserve_topology=True)
    present = np.ones(len(geometry), dtype=bool)
    return _replace(gdf, present, _from_equal_area(simplified, geometry.crs))


def clip_to_extent(gdf: Frame, bounds: Sequence[float]) -> Frame:
    """Clip to a ``(west, south, east, north)`` box, dropping features outside it.

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
        Data in the CRS of `bounds` (lon/lat for fergana's data).
    bounds : sequence of float
        ``(west, south, east, north)``.

    Returns
    -------
    GeoDataFrame or GeoSeries
        The features that meet the box, cut to it, keeping their geometry type.
    """
    west, south, east, north = bounds
    return gdf.clip((west, south, east, north), keep_geom_type=True)


def parts_of_kind(geometry: Any, kind: str) -> Any:
    """The parts of a geometry (or of each geometry in an array) that are of one kind.

    Clipping, :func:`shapely.make_valid` and snapping to a grid can turn a polygon
    into a collection with stray lines and points; this keeps what the kind draws.

    Parameters
    ----------
    geometry : shapely.Geometry, None, or array-like of them
        One geometry, or a sequence/array/GeoSeries (then an object array comes back).
    kind : {"area", "line", "point"}
        Which parts to keep.

    Returns
    -------
    shapely.Geometry, None, or numpy.ndarray
        A geometry already of the kind is returned as is; otherwise its parts of
        the kind (areas unioned, lines and points as one Multi* unless there is
        a single part), or an empty Multi* of the kind if it has none. None stays None.
    """
    if kind not in KIND_TYPES:
        raise ValueError(f"kind must be one of {tuple(KIND_TYPES)}, not {kind!r}")
    if geometry is None or isinstance(geometry, shapely.Geometry):
        return _parts_of_kind(geometry, kind)
    values = np.asarray(geometry, dtype=object).copy()
    # Most geometries are of the kind already: only the others are taken apart.
    fits = np.isin(shapely.get_type_id(values), [_TYPE_IDS[t] for t in KIND_TYPES[kind]])
    others = np.flatnonzero(~fits & ~shapely.is_missing(values))
    for i in others:
        values[i] = _parts_of_kind(values[i], kind)
    return values


_TYPE_IDS = {"Point": 0, "LineString": 1, "Polygon": 3, "MultiPoint": 4}
_TYPE_IDS |= {"MultiLineString": 5, "MultiPolygon": 6}


def _parts_of_kind(geom: shapely.Geometry | None, kind: str) -> shapely.Geometry | None:
    single, multi = KIND_TYPES[kind]
    if geom is None or geom.geom_type in (single, multi):
        return geom
    parts = [p for p in _single_parts(geom) if p.geom_type == single]
    if not parts:
        return shapely.from_wkt(f"{multi.upper()} EMPTY")
    if kind == "area":
        return shapely.union_all(parts)
    return parts[0] if len(parts) == 1 else getattr(shapely, multi)(parts)


def _single_parts(geom: shapely.Geometry) -> list[shapely.Geometry]:
    """The non-multi parts of `geom`, collections inside collections flattened."""
    parts = []
    for part in shapely.get_parts(geom):
        if part.geom_type.startswith("Multi") or part.geom_type == "GeometryCollection":
            parts.extend(_single_parts(part))
        else:
            parts.append(part)
    return parts


def round_coordinates(gdf: Frame, decimals: int) -> Frame:
    """Snap coordinates to a ``10**-decimals`` grid, keeping geometries valid.

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
        Data of any geometry type.
    decimals : int
        Decimal places kept (see :func:`decimals_for_tolerance`).

    Returns
    -------
    GeoDataFrame or GeoSeries
        A copy on the grid (:func:`shapely.set_precision`; parts narrower than
        the grid collapse).
    """
    geometry = _geometry(gdf, need_crs=False)
    snapped = shapely.set_precision(geometry.to_numpy(), 10.0**-decimals)
    present = np.ones(len(geometry), dtype=bool)
    return _replace(gdf, present, snapped)


# --- labels --------------------------------------------------------------------------------


def label_points(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> gpd.GeoSeries:
    """A label anchor for each feature, well inside polygons.

    Polygons: the centre of the maximum inscribed circle (pole of
    inaccessibility), found in the ``"equal_area"`` projection, so a
    MultiPolygon is labelled in its roomiest part. Lines: the point halfway
    along. Points: themselves. Anything else: a representative point.

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
        Data with a CRS.

    Returns
    -------
    GeoSeries
        Points in the input CRS with the input's index (None where the input is missing).
    """
    geometry = _geometry(gdf)
    values = geometry.to_numpy()
    types = shapely.get_type_id(values)
    moved = ~shapely.is_missing(values) & (types != 0)  # points stay exactly as they are
    projected = geometry[moved].to_crs(named_crs("equal_area")).to_numpy()
    labels = _labels_in_metres(projected, types[moved])
    out = values.copy()
    out[moved] = _from_equal_area(labels, geometry.crs)
    return gpd.GeoSeries(out, index=geometry.index, crs=geometry.crs)


def _labels_in_metres(projected: np.ndarray, types: np.ndarray) -> np.ndarray:
    """Label points of projected non-point geometries (see :func:`label_points`)."""
    points = shapely.point_on_surface(projected)
    polygons = np.isin(types, (3, 6))
    lines = np.isin(types, (1, 2, 5))
    circles = shapely.maximum_inscribed_circle(projected[polygons])
    points[polygons] = shapely.get_point(circles, 0)
    points[lines] = shapely.line_interpolate_point(projected[lines], 0.5, normalized=True)
    outside = polygons & ~shapely.contains_properly(projected, points)
    points[outside] = shapely.point_on_surface(projected[outside])
    return points


# --- flow lines ----------------------------------------------------------------------------


def flow_line(
    origin: shapely.Point | Sequence[float],
    destination: shapely.Point | Sequence[float],
    bend: float = 0.25,
    segments: int = 32,
) -> shapely.LineString:
    """A curved origin → destination line for flow maps.

    A quadratic Bézier curve whose middle lies `bend` × chord length to the
    left of the direction of travel (negative `bend`: to the right), drawn in an
    azimuthal equidistant projection centred on the geodesic midpoint.

    Parameters
    ----------
    origin, destination : shapely.Point or (lon, lat)
        End points in degrees.
    bend : float, default 0.25
        Largest offset of the curve from the chord, as a fraction of the chord.
    segments : int, default 32
        Number of straight segments.

    Returns
    -------
    shapely.LineString
        The curve in lon/lat, starting exactly at `origin` and ending at `destination`.

    Raises
    ------
    ValueError
        If the points coincide or `segments` < 1.
    """
    start, end = lonlat(origin), lonlat(destination)
    if start == end:
        raise ValueError("flow_line needs two different points")
    if segments < 1:
        raise ValueError("segments must be at least 1")
    azimuth, _, distance = WGS84.inv(*start, *end)
    mid_lon, mid_lat, _ = WGS84.fwd(*start, azimuth, distance / 2)
    forward, inverse = _local_transformers(mid_lon, mid_lat)
    p0 = np.array(forward.transform(*start))
    p2 = np.array(forward.transform(*end))
    chord = p2 - p0
    left = np.array([-chord[1], chord[0]])  # chord turned 90° anticlockwise
    control = (p0 + p2) / 2 + 2 * bend * left  # the curve's middle is halfway to it
    t = np.linspace(0.0, 1.0, segments + 1)[:, None]
    xy = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * control + t**2 * p2
    lon, lat = inverse.transform(xy[:, 0], xy[:, 1])
    coords = np.column_stack([lon, lat])
    coords[0], coords[-1] = start, end
    return shapely.LineString(coords)


def arrowhead(line: shapely.LineString, length_m: float, width_m: float) -> shapely.Polygon:
    """A triangular arrowhead whose tip is the end of a lon/lat line.

    Parameters
    ----------
    line : shapely.LineString
        Line in lon/lat; the head points along its last segment.
    length_m : float
        Distance from the tip to the base, in metres.
    width_m : float
        Width of the base, in metres.

    Returns
    -------
    shapely.Polygon
        The triangle in lon/lat (tip, left base corner, right base corner).
    """
    coords = shapely.get_coordinates(line)
    tip = tuple(coords[-1])
    before = next((c for c in coords[-2::-1] if tuple(c) != tip), None)
    if before is None:
        raise ValueError("arrowhead needs a line with two different points")
    forward, inverse = _local_transformers(*tip)
    bx, by = forward.transform(*before)
    direction = -np.array([bx, by]) / math.hypot(bx, by)  # tip is the origin
    normal = np.array([-direction[1], direction[0]])
    base = -length_m * direction
    corners = np.array([base + normal * width_m / 2, base - normal * width_m / 2])
    lon, lat = inverse.transform(corners[:, 0], corners[:, 1])
    return shapely.Polygon([tip, (lon[0], lat[0]), (lon[1], lat[1])])


def flow_geometries(
    origins: Sequence[shapely.Point],
    destinations: Sequence[shapely.Point],
    widths_m: Sequence[float],
    *,
    bend: float = 0.25,
    segments: int = 32,
    head_length: float = 3.0,
    head_width: float = 2.5,
    crs: str = "EPSG:4326",
) -> tuple[gpd.GeoSeries, gpd.GeoSeries]:
    """Curved lines and arrowheads for many flows at once.

    Parameters
    ----------
    origins, destinations : sequence of shapely.Point
        End points in lon/lat, one pair per flow.
    widths_m : sequence of float
        Line width of each flow in ground metres; heads scale with it.
    bend : float, default 0.25
        See :func:`flow_line`.
    segments : int, default 32
        See :func:`flow_line`.
    head_length, head_width : float
        Arrowhead length and base width as multiples of the line width.
    crs : str, default "EPSG:4326"
        CRS given to the results (the points must be lon/lat).

    Returns
    -------
    lines, heads : GeoSeries
        The curves and the arrowheads, in flow order.
    """
    lines = [flow_line(o, d, bend, segments) for o, d in zip(origins, destinations, strict=True)]
    heads = [
        arrowhead(line, head_length * w, head_width * w)
        for line, w in zip(lines, widths_m, strict=True)
    ]
    return gpd.GeoSeries(lines, crs=crs), gpd.GeoSeries(heads, crs=crs)


# --- helpers -------------------------------------------------------------------------------


def _geometry(gdf: Frame, *, need_crs: bool = True) -> gpd.GeoSeries:
    geometry = gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf
    if need_crs and geometry.crs is None:
        raise ValueError("the data has no CRS; set one (e.g. gdf.set_crs('EPSG:4326'))")
    return geometry


def _clean_coverage(values: np.ndarray) -> np.ndarray:
    """Overlaps removed and shared edges matched (needs shapely >= 2.2 with GEOS >= 3.14)."""
    clean = getattr(shapely, "coverage_clean", None)
    if clean is None:
        raise ValueError(
            "the polygons are not an exact coverage (see shapely.coverage_invalid_edges) "
            "and this shapely has no coverage_clean to repair them"
        )
    return clean(values)


def _from_equal_area(values: np.ndarray, crs: pyproj.CRS) -> np.ndarray:
    """Back from ``"equal_area"`` to `crs`, repairing any geometry made invalid on the way."""
    back = gpd.GeoSeries(values, crs=named_crs("equal_area")).to_crs(crs).to_numpy()
    invalid = ~shapely.is_valid(back) & ~shapely.is_missing(back)
    back[invalid] = shapely.make_valid(back[invalid], method="structure", keep_collapsed=False)
    return back


def _replace(gdf: Frame, present: np.ndarray, values: np.ndarray) -> Frame:
    """A copy of `gdf` whose geometries at the `present` positions are `values`."""
    out = gdf.copy()
    geometry = out.geometry.to_numpy().copy()
    geometry[present] = values
    if isinstance(out, gpd.GeoDataFrame):
        out[out.geometry.name] = gpd.GeoSeries(geometry, index=out.index, crs=gdf.crs)
        return out
    return gpd.GeoSeries(geometry, index=out.index, crs=gdf.crs, name=out.name)


def _local_transformers(lon: float, lat: float) -> tuple[pyproj.Transformer, pyproj.Transformer]:
    """Lon/lat ⇄ metres in an azimuthal equidistant projection centred on (lon, lat)."""
    local = pyproj.CRS.from_proj4(
        f"+proj=aeqd +lat_0={lat:.8f} +lon_0={lon:.8f} +datum=WGS84 +units=m +no_defs"
    )
    forward = pyproj.Transformer.from_crs("EPSG:4326", local, always_xy=True)
    inverse = pyproj.Transformer.from_crs(local, "EPSG:4326", always_xy=True)
    return forward, inverse
