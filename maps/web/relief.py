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
from maps.scene.relief import overlay_rgba, relief_shade
from maps.web.view import grown, merc

RELIEF_UPSAMPLE = 3  # image pixels per relief cell, at most
RELIEF_MAX_PX = 600  # longest side of the relief image


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
        to the relief's cells), or None where the relief does not reach.
    """
    raster = geo.load("relief")
    if not isinstance(raster, geo.Raster):
        return None
    west, south, east, north = grown(extent, margin)
    r_west, _, _, r_north = raster.bounds
    cell_x, cell_y = raster.cell_size
    n_rows, n_cols = raster.values.shape
    c0 = max(0, math.floor((west - r_west) / cell_x))
    c1 = min(n_cols, math.ceil((east - r_west) / cell_x))
    r0 = max(0, math.floor((r_north - north) / cell_y))
    r1 = min(n_rows, math.ceil((r_north - south) / cell_y))
    if c1 - c0 < 2 or r1 - r0 < 2:
        return None
    left, right = r_west + c0 * cell_x, r_west + c1 * cell_x
    top, bottom = r_north - r0 * cell_y, r_north - r1 * cell_y
    shade = relief_shade((left, bottom, right, top))
    if shade is None:
        return None
    upsample = max(1, min(RELIEF_UPSAMPLE, RELIEF_MAX_PX // max(r1 - r0, c1 - c0)))
    out_rows, out_cols = (r1 - r0) * upsample, (c1 - c0) * upsample
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
