"""Relief: the scene's one hillshade (:mod:`maps.scene.relief`) drawn under a map panel.

The shade lives on the relief's own lon/lat grid; the panel's image samples it
at the lon/lat of each image pixel. Only a coarse grid of pixel centres is
inverse-projected (the projection is smooth at that step, the 5' relief far
coarser still) and lon/lat interpolated between them.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from maps.print.view import View, lonlat_bounds
from maps.scene.relief import overlay_rgba, relief_shade

# Relief image pixels per inch of map: about 0.13 mm each, so the 15" shade (~450 m cells)
# is not blocky at 300 dpi; bilinear sampling of the shade smooths between cells.
RELIEF_PPI = 200
# Pixel centres inverse-projected exactly every GRID_STEP pixels (lon/lat between them
# interpolated bilinearly).
GRID_STEP = 16


def draw_relief(ax: Axes, view: View, z: float) -> None:
    """Shade the relief under `view` as one image at z order `z` (nothing if uncovered)."""
    shade = relief_shade(lonlat_bounds(view))
    if shade is None:
        return
    xmin, ymin, xmax, ymax = view.limits
    width_in = (view.box[2] - view.box[0]) / 72
    columns = max(int(width_in * RELIEF_PPI), 64)
    rows = max(round(columns * (ymax - ymin) / (xmax - xmin)), 2)
    lon, lat = pixel_lonlat(view, columns, rows)
    values, cover = shade.sample(lon, lat)
    ax.imshow(
        overlay_rgba(values, cover),
        extent=(xmin, xmax, ymin, ymax),
        origin="upper",
        interpolation="none",
        zorder=z,
        aspect="auto",
    )


def pixel_lonlat(view: View, columns: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Lon/lat of the centre of every pixel of a `rows` × `columns` image of the view.

    Row 0 is the top. Exact at every GRID_STEP-th pixel (and the last), bilinear between.
    """
    xmin, ymin, xmax, ymax = view.limits
    px, py = (xmax - xmin) / columns, (ymax - ymin) / rows
    col_nodes = _nodes(columns)
    row_nodes = _nodes(rows)
    gx, gy = np.meshgrid(xmin + px * (col_nodes + 0.5), ymax - py * (row_nodes + 0.5))
    lon, lat = view.inverse.transform(gx, gy)
    wx = _weights(col_nodes, columns)  # (columns, nodes)
    wy = _weights(row_nodes, rows)  # (rows, nodes)
    return wy @ np.asarray(lon) @ wx.T, wy @ np.asarray(lat) @ wx.T


def _nodes(n: int) -> np.ndarray:
    nodes = np.arange(0, n, GRID_STEP, dtype=float)
    return nodes if nodes[-1] == n - 1 else np.append(nodes, n - 1)


def _weights(nodes: np.ndarray, n: int) -> np.ndarray:
    """Linear-interpolation weights from node values to every position 0..n-1."""
    at = np.arange(n, dtype=float)
    k = np.clip(np.searchsorted(nodes, at, side="right") - 1, 0, max(len(nodes) - 2, 0))
    out = np.zeros((n, len(nodes)))
    if len(nodes) == 1:
        out[:, 0] = 1.0
        return out
    f = (at - nodes[k]) / (nodes[k + 1] - nodes[k])
    out[np.arange(n), k] = 1 - f
    out[np.arange(n), k + 1] = f
    return out
