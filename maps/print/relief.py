"""Relief: today's print hillshade, isolated behind one small interface.

:func:`draw_relief` is all the rest of the renderer calls; it will later give
way to one hillshade shared with the web renderer.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LightSource, to_rgba

import geo
from geo.crs import distance_km
from maps.print.view import View, lonlat_bounds

# Relief pixels per inch of map width.
RELIEF_PPI = 150


def draw_relief(ax: Axes, view: View, z: float) -> None:
    """Shade the embedded relief under `view` as one image at z order `z` (nothing if uncovered)."""
    width_in = (view.box[2] - view.box[0]) / 72
    result = hillshade_rgba(view, columns=max(int(width_in * RELIEF_PPI), 64))
    if result is None:
        return
    image, extent = result
    ax.imshow(
        image,
        extent=extent,
        origin="upper",
        interpolation="none",
        zorder=z,
        aspect="auto",
        resample=False,
    )


def hillshade_rgba(
    view: View,
    *,
    columns: int,
    azimuth: float = 315.0,
    altitude: float = 45.0,
    vert_exag: float = 2.5,
) -> tuple[np.ndarray, tuple[float, float, float, float]] | None:
    """A soft hillshade of the embedded relief, resampled onto the view's projected grid.

    The shading is computed on the DEM's own lon/lat grid with cell sizes in
    metres (so slopes are right), then sampled bilinearly at the lon/lat of
    each output pixel centre. Flat ground is left clear; slopes facing away
    from the light darken and slopes facing it lighten a little.

    Parameters
    ----------
    view : View
        The map panel.
    columns : int
        Output width in pixels (rows follow the view's aspect).
    azimuth, altitude : float
        Light direction in degrees (315 = north-west, the cartographic convention).
    vert_exag : float
        Vertical exaggeration (the 5' grid smooths slopes).

    Returns
    -------
    tuple or None
        ``(rgba, (xmin, xmax, ymin, ymax))`` for ``imshow``, or None if the
        relief does not cover the view.
    """
    relief = geo.load("relief")
    west, south, east, north = lonlat_bounds(view)
    r_west, r_south, r_east, r_north = relief.bounds
    cell_x, cell_y = relief.cell_size
    c0 = max(math.floor((west - r_west) / cell_x) - 2, 0)
    c1 = min(math.ceil((east - r_west) / cell_x) + 2, relief.values.shape[1])
    r0 = max(math.floor((r_north - north) / cell_y) - 2, 0)
    r1 = min(math.ceil((r_north - south) / cell_y) + 2, relief.values.shape[0])
    if c1 - c0 < 3 or r1 - r0 < 3:
        return None
    elevation = relief.values[r0:r1, c0:c1]
    elevation = np.where(
        np.isnan(elevation), np.nanmin(elevation) if np.isfinite(elevation).any() else 0, elevation
    )
    mid_lat = (south + north) / 2
    dx_m = distance_km((0.0, mid_lat), (cell_x, mid_lat)) * 1000
    dy_m = distance_km((0.0, mid_lat - cell_y / 2), (0.0, mid_lat + cell_y / 2)) * 1000
    light = LightSource(azdeg=azimuth, altdeg=altitude)
    shade = light.hillshade(elevation, vert_exag=vert_exag, dx=dx_m, dy=dy_m, fraction=1.0)
    flat = math.sin(math.radians(altitude))

    xmin, ymin, xmax, ymax = view.limits
    rows = max(round(columns * (ymax - ymin) / (xmax - xmin)), 2)
    px = (xmax - xmin) / columns
    py = (ymax - ymin) / rows
    xs = xmin + px * (np.arange(columns) + 0.5)
    shadow_rgb = np.round(np.array(to_rgba("#3b3026")[:3]) * 255)
    image = np.zeros((rows, columns, 4), dtype=np.uint8)
    lon0, lat0 = r_west + c0 * cell_x, r_north - r0 * cell_y
    for first in range(0, rows, 128):  # in strips, to keep memory small
        last = min(first + 128, rows)
        ys = ymax - py * (np.arange(first, last) + 0.5)
        gx, gy = np.meshgrid(xs, ys)
        lon, lat = view.inverse.transform(gx.ravel(), gy.ravel())
        lon, lat = np.asarray(lon), np.asarray(lat)
        values = _bilinear(shade, (lat0 - lat) / cell_y - 0.5, (lon - lon0) / cell_x - 0.5)
        dark = np.clip((flat - values) * 0.75, 0, 0.32)
        alpha = dark + np.clip((values - flat) * 0.8, 0, 0.22)
        with np.errstate(invalid="ignore", divide="ignore"):
            w_dark = np.where(alpha > 0, dark / alpha, 0.0)
        outside = (lon < r_west) | (lon > r_east) | (lat < r_south) | (lat > r_north)
        strip = image[first:last].reshape(-1, 4)
        strip[:, :3] = np.round(w_dark[:, None] * shadow_rgb + (1 - w_dark[:, None]) * 255)
        strip[:, 3] = np.round(np.where(outside, 0.0, alpha) * 255)
    return image, (xmin, xmax, ymin, ymax)


def _bilinear(grid: np.ndarray, row: np.ndarray, col: np.ndarray) -> np.ndarray:
    rows, cols = grid.shape
    row = np.clip(row, 0, rows - 1)
    col = np.clip(col, 0, cols - 1)
    r0 = np.minimum(np.floor(row).astype(int), rows - 2)
    c0 = np.minimum(np.floor(col).astype(int), cols - 2)
    fr, fc = row - r0, col - c0
    top = grid[r0, c0] * (1 - fc) + grid[r0, c0 + 1] * fc
    bottom = grid[r0 + 1, c0] * (1 - fc) + grid[r0 + 1, c0 + 1] * fc
    return top * (1 - fr) + bottom * fr
