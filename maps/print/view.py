"""Projection and view: which window of projected metres a map panel shows, and where.

A :class:`View` maps projected metres to page points (1/72 inch). :func:`main_window`
decides the main map's window from the spec's extent and the basemap's coverage,
returning a :class:`Window` record (bounds, how far it may grow, and the fan
shape for wide conic maps).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pyproj
import shapely
import shapely.affinity
from matplotlib.axes import Axes
from matplotlib.transforms import Affine2D, Transform

from layers import Layer
from maps.compose import CLIP_MARGIN
from maps.print.text import Box

# Lon/lat segments longer than this (degrees) get extra vertices before projecting.
DENSIFY_DEG = 0.05
# Maps whose projected extent fills less than this share of its bounding box (wide conic
# maps) are drawn fan-shaped, clipped to the extent's meridians and parallels.
FAN_THRESHOLD = 0.8
FAN_GROWTH = 1.1
VIEW_GROWTH = 1.5  # the map window may grow by 50% in one direction to fill the page

Limits = tuple[float, float, float, float]


@dataclass(frozen=True)
class View:
    """A map panel: a window of projected metres shown in a box of page points.

    Attributes
    ----------
    crs : pyproj.CRS
        The projection (metres).
    limits : tuple of float
        ``(xmin, ymin, xmax, ymax)`` in projected metres.
    box : Box
        The panel on the page, in points.
    """

    crs: pyproj.CRS
    limits: tuple[float, float, float, float]
    box: Box

    @property
    def metres_per_point(self) -> float:
        """Projected metres per page point (equal in x and y)."""
        return (self.limits[2] - self.limits[0]) / (self.box[2] - self.box[0])

    def to_page(self, x: np.ndarray | float, y: np.ndarray | float) -> tuple:
        """Projected metres to page points."""
        xmin, ymin, _, _ = self.limits
        k = 1 / self.metres_per_point
        return self.box[0] + (np.asarray(x) - xmin) * k, self.box[1] + (np.asarray(y) - ymin) * k

    def to_map(self, px: float, py: float) -> tuple[float, float]:
        """Page points to projected metres."""
        xmin, ymin, _, _ = self.limits
        k = self.metres_per_point
        return xmin + (px - self.box[0]) * k, ymin + (py - self.box[1]) * k

    @functools.cached_property
    def forward(self) -> pyproj.Transformer:
        """Lon/lat to projected metres."""
        return pyproj.Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)

    @functools.cached_property
    def inverse(self) -> pyproj.Transformer:
        """Projected metres to lon/lat."""
        return pyproj.Transformer.from_crs(self.crs, "EPSG:4326", always_xy=True)


def page_transform(figure) -> Transform:
    """Transform from page points to display coordinates of `figure` (any DPI)."""
    return Affine2D().scale(1 / 72) + figure.dpi_scale_trans


def projected_bounds(crs: pyproj.CRS, extent: Sequence[float]) -> tuple[float, ...]:
    """Bounds in `crs` of a lon/lat extent, its edges densified (they curve when projected)."""
    west, south, east, north = extent
    n = 64
    lons = np.concatenate(
        [np.linspace(west, east, n), np.full(n, east), np.linspace(east, west, n), np.full(n, west)]
    )
    lats = np.concatenate(
        [
            np.full(n, south),
            np.linspace(south, north, n),
            np.full(n, north),
            np.linspace(north, south, n),
        ]
    )
    x, y = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lons, lats)
    return float(np.min(x)), float(np.min(y)), float(np.max(x)), float(np.max(y))


def lonlat_bounds(view: View) -> tuple[float, float, float, float]:
    """Lon/lat bounds of a view's window (its edges densified)."""
    xmin, ymin, xmax, ymax = view.limits
    n = 64
    xs = np.concatenate(
        [np.linspace(xmin, xmax, n), np.full(n, xmax), np.linspace(xmax, xmin, n), np.full(n, xmin)]
    )
    ys = np.concatenate(
        [np.full(n, ymin), np.linspace(ymin, ymax, n), np.full(n, ymax), np.linspace(ymax, ymin, n)]
    )
    lon, lat = view.inverse.transform(xs, ys)
    return float(np.min(lon)), float(np.min(lat)), float(np.max(lon)), float(np.max(lat))


@dataclass(frozen=True)
class Window:
    """The main map's projected window.

    Attributes
    ----------
    bounds : tuple of float
        ``(xmin, ymin, xmax, ymax)`` in projected metres.
    growth : tuple of float
        How far (x, y factors) the window may grow to fill the page.
    fan : shapely.Polygon or None
        For wide conic maps, the graticule-bounded extent the map is clipped to.
    """

    bounds: Limits
    growth: tuple[float, float]
    fan: shapely.Polygon | None = None


def main_window(crs: pyproj.CRS, extent: Sequence[float], backdrops: Sequence[Layer]) -> Window:
    """The projected window to show, and how far it may grow (x, y) to fill the page.

    The window is the projected extent's bounding box, shrunk about its centre
    where the basemap has no data (a dataset's own window, or the
    composition's clip margin), so the map never shows cut-off edges; it may
    grow by up to VIEW_GROWTH in each direction as far as the data reach.
    """
    coverage = basemap_coverage(crs, extent, backdrops)
    extent_shape = projected_box(crs, extent).intersection(coverage)
    fx0, fy0, fx1, fy1 = extent_shape.bounds
    if extent_shape.area < FAN_THRESHOLD * (fx1 - fx0) * (fy1 - fy0):
        # A wide conic map: show the graticule-bounded extent itself.
        return Window(extent_shape.bounds, (FAN_GROWTH, FAN_GROWTH), extent_shape)
    xmin, ymin, xmax, ymax = projected_bounds(crs, extent)
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    hw, hh = (xmax - xmin) / 2, (ymax - ymin) / 2

    def covered(half_w: float, half_h: float) -> bool:
        rect = shapely.box(cx - half_w, cy - half_h, cx + half_w, cy + half_h)
        return shapely.contains(coverage, rect)

    f0 = largest(lambda f: covered(f * hw, f * hh), 0.2, 1.0)
    hw, hh = f0 * hw, f0 * hh
    gx = largest(lambda g: covered(g * hw, hh), 1.0, VIEW_GROWTH)
    gy = largest(lambda g: covered(hw, g * hh), 1.0, VIEW_GROWTH)
    return Window((cx - hw, cy - hh, cx + hw, cy + hh), (gx, gy))


def basemap_coverage(crs: pyproj.CRS, extent: Sequence[float], backdrops: Sequence[Layer]):
    """Projected area where the basemap has data.

    The composition's clip box, cut to the bounds of the scene's backdrop (basemap) layers.
    """
    west, south, east, north = extent
    dx, dy = (east - west) * CLIP_MARGIN, (north - south) * CLIP_MARGIN
    box = shapely.box(
        max(west - dx, -180), max(south - dy, -89), min(east + dx, 180), min(north + dy, 89)
    )
    bases = [
        layer.frame.total_bounds for layer in backdrops if layer.kind == "area" and len(layer.frame)
    ]
    if bases:
        box = box.intersection(shapely.union_all([shapely.box(*b) for b in bases]))
    # A hair of slack so the extent's own edges count as covered.
    return projected_box(crs, box.bounds).buffer(1.0)


def fit_limits(bounds: Sequence[float], box: Box) -> Limits:
    """Limits centred on `bounds` with the box's aspect, showing all of `bounds`."""
    xmin, ymin, xmax, ymax = bounds
    mw, mh = box[2] - box[0], box[3] - box[1]
    mpp = max((xmax - xmin) / mw, (ymax - ymin) / mh)
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    return (cx - mw * mpp / 2, cy - mh * mpp / 2, cx + mw * mpp / 2, cy + mh * mpp / 2)


def frame_axes(ax: Axes, view: View, face: str) -> None:
    """Set `ax` to show `view`'s window with a thin dark frame and no ticks."""
    xmin, ymin, xmax, ymax = view.limits
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("auto")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor(face)
    for spine in ax.spines.values():
        spine.set_linewidth(0.7)
        spine.set_edgecolor("#3d3d3d")
        spine.set_zorder(100)


def largest(ok, low: float, high: float, steps: int = 24) -> float:
    """Largest value in [low, high] for which the monotone test `ok` holds (low if none)."""
    if ok(high):
        return high
    if not ok(low):
        return low
    for _ in range(steps):
        mid = (low + high) / 2
        low, high = (mid, high) if ok(mid) else (low, mid)
    return low


def project(frame: gpd.GeoDataFrame, crs: pyproj.CRS) -> gpd.GeoDataFrame:
    """`frame` in `crs`.

    Long straight lon/lat edges (clip edges, borders along parallels) are
    densified first, so they curve as they should once projected.
    """
    dense = frame.assign(geometry=shapely.segmentize(frame.geometry.to_numpy(), DENSIFY_DEG))
    return gpd.GeoDataFrame(dense, geometry="geometry", crs=frame.crs).to_crs(crs)


def projected_box(crs: pyproj.CRS, bounds) -> shapely.Polygon:
    """A lon/lat box, its edges densified, as a polygon in `crs`."""
    ring = shapely.segmentize(shapely.box(*bounds).exterior, 0.05)
    xy = shapely.get_coordinates(ring)
    x, y = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(
        xy[:, 0], xy[:, 1]
    )
    return shapely.Polygon(np.column_stack([x, y]))


def fill_limits(bounds, box: Box) -> tuple[float, float, float, float]:
    """Limits centred on `bounds` with the box's aspect, cropping the longer side."""
    xmin, ymin, xmax, ymax = bounds
    bw, bh = box[2] - box[0], box[3] - box[1]
    mpp = min((xmax - xmin) / bw, (ymax - ymin) / bh)
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    return (cx - bw * mpp / 2, cy - bh * mpp / 2, cx + bw * mpp / 2, cy + bh * mpp / 2)


def view_outline(view: View, n: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """The window's edge as `4 n` projected points (x and y arrays)."""
    xmin, ymin, xmax, ymax = view.limits
    t = np.linspace(0, 1, n)
    xs = np.concatenate(
        [xmin + t * (xmax - xmin), np.full(n, xmax), xmax - t * (xmax - xmin), np.full(n, xmin)]
    )
    ys = np.concatenate(
        [np.full(n, ymin), ymin + t * (ymax - ymin), np.full(n, ymax), ymax - t * (ymax - ymin)]
    )
    return xs, ys


def geometry_on_page(view: View, geom):
    """`geom` (projected metres) in page points."""
    k = 1 / view.metres_per_point
    xmin, ymin = view.limits[0], view.limits[1]
    return shapely.affinity.affine_transform(
        geom, [k, 0, 0, k, view.box[0] - xmin * k, view.box[1] - ymin * k]
    )
