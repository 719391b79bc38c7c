"""The relief as a web image: the scene's one hillshade on Web Mercator rows, as a PNG.

Leaflet stretches an image overlay linearly between its corners in Web
Mercator, so the image's rows are spaced evenly in Mercator y (and its columns
in longitude). Each pixel's shade and colour come from :mod:`maps.scene.relief`
(sampled at the pixel's lon/lat), so the web and print shade alike. The PNG is
written by Pillow without timestamps: same relief, same bytes.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence

import numpy as np

import geo
from maps.compose import CLIP_MARGIN
from maps.scene.relief import overlay_rgba, relief_grids, relief_shade
from maps.web.view import grown, merc

RELIEF_UPSAMPLE = 3  # image pixels per relief cell, at most
RELIEF_MAX_PX = 600  # longest side of the relief image (pages stay light on phones)


def relief_image(
    extent: Sequence[float], margin: float = CLIP_MARGIN
) -> tuple[str, list[list[float]]] | None:
    """The relief overlay around an extent, as a PNG ``data:`` URI and its bounds.

    Parameters
    ----------
    extent : sequence of float
        ``(west, south, east, north)`` in degrees.
    margin : float
        Share of the extent added on each side.

    Returns
    -------
    (str, list) or None
        The data URI and its ``[[south, west], [north, east]]`` bounds (snapped
        to the finest relief grid's cells), or None where the relief does not reach.
    """
    grids = relief_grids(grown(extent, margin))
    if not grids:
        return None
    west, south, east, north = grown(extent, margin)
    # the image's cells are the finest grid's (snapped outward to its lattice), kept
    # inside the coarsest grid used, which holds the rest of the map
    fine = geo.load(grids[0].dataset)
    f_west, _, _, f_north = fine.bounds
    cell_x, cell_y = fine.cell_size
    c_west, c_south, c_east, c_north = geo.load(grids[-1].dataset).bounds
    left = max(f_west + math.floor((west - f_west) / cell_x) * cell_x, c_west)
    right = min(f_west + math.ceil((east - f_west) / cell_x) * cell_x, c_east)
    top = min(f_north - math.floor((f_north - north) / cell_y) * cell_y, c_north)
    bottom = max(f_north - math.ceil((f_north - south) / cell_y) * cell_y, c_south)
    cells_x, cells_y = round((right - left) / cell_x), round((top - bottom) / cell_y)
    if cells_x < 2 or cells_y < 2:
        return None
    shade = relief_shade((left, bottom, right, top))
    if shade is None:
        return None
    # up to RELIEF_UPSAMPLE pixels per cell, the longest side at most RELIEF_MAX_PX
    scale = min(RELIEF_UPSAMPLE, RELIEF_MAX_PX / max(cells_x, cells_y))
    out_rows, out_cols = max(round(cells_y * scale), 2), max(round(cells_x * scale), 2)
    lon = left + (np.arange(out_cols) + 0.5) / out_cols * (right - left)
    y = merc(top) + (np.arange(out_rows) + 0.5) / out_rows * (merc(bottom) - merc(top))
    lat = np.degrees(2 * np.arctan(np.exp(y)) - math.pi / 2)
    values, cover = shade.sample(lon[None, :], lat[:, None])
    uri = png_data_uri(overlay_rgba(values, cover))
    return uri, [[bottom, left], [top, right]]


def png_data_uri(rgba: np.ndarray) -> str:
    """An RGBA image (rows × columns × 4 bytes) as a PNG ``data:`` URI, without metadata."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgba, dtype=np.uint8), "RGBA").save(
        buffer, format="PNG", optimize=True
    )
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
