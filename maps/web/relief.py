"""Relief shading for the web map: an extent in, a PNG ``data:`` URL and its bounds out.

Kept by itself behind :func:`hillshade` so one shared hillshade can replace it.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence

import numpy as np

import geo
from maps.compose import CLIP_MARGIN
from maps.web.view import grown, merc

# Relief shading: light from the north-west, 45° up; heights exaggerated for 5' cells.
RELIEF_AZIMUTH = 315.0
RELIEF_ALTITUDE = 45.0
RELIEF_EXAGGERATION = 2.5
RELIEF_UPSAMPLE = 3
RELIEF_MAX_PX = 600  # longest side of the relief image


def hillshade(
    extent: Sequence[float], margin: float = CLIP_MARGIN
) -> tuple[str, list[list[float]]] | None:
    """Hillshade of the embedded relief around an extent, as a PNG ``data:`` URI.

    Slopes are computed in metres (cell width ``cell × 111 320 × cos(lat)``,
    height ``cell × 110 540``); rows are resampled to Web Mercator so the image
    lies correctly under Leaflet. Shadows are semi-transparent black,
    sunlit slopes semi-transparent white, flat land and no-data clear.

    Parameters
    ----------
    extent : sequence of float
        ``(west, south, east, north)`` in degrees.
    margin : float
        Share of the extent added on each side.

    Returns
    -------
    (str, list) or None
        The data URI and its ``[[south, west], [north, east]]`` bounds, or None
        where the relief data does not reach.
    """
    raster = geo.load("relief")
    if not isinstance(raster, geo.Raster):
        return None
    west, south, east, north = grown(extent, margin)
    r_west, _, _, r_north = raster.bounds
    dx, dy = raster.cell_size
    rows, cols = raster.values.shape
    c0 = max(0, math.floor((west - r_west) / dx))
    c1 = min(cols, math.ceil((east - r_west) / dx))
    r0 = max(0, math.floor((r_north - north) / dy))
    r1 = min(rows, math.ceil((r_north - south) / dy))
    if c1 - c0 < 2 or r1 - r0 < 2:
        return None
    # one extra cell around the crop so gradients at its edge are centred
    p0, p1 = max(0, r0 - 1), min(rows, r1 + 1)
    q0, q1 = max(0, c0 - 1), min(cols, c1 + 1)
    z = raster.values[p0:p1, q0:q1]
    valid = ~np.isnan(z)
    z = np.where(valid, z, 0.0) * RELIEF_EXAGGERATION
    lat = r_north - (np.arange(p0, p1) + 0.5) * dy
    dx_m = dx * 111_320 * np.cos(np.radians(lat))[:, None]
    dy_m = dy * 110_540
    dz_east = np.gradient(z, axis=1) / dx_m
    dz_north = -np.gradient(z, axis=0) / dy_m
    azimuth, altitude = math.radians(RELIEF_AZIMUTH), math.radians(RELIEF_ALTITUDE)
    light = (
        math.sin(azimuth) * math.cos(altitude),
        math.cos(azimuth) * math.cos(altitude),
        math.sin(altitude),
    )
    shade = (-dz_east * light[0] - dz_north * light[1] + light[2]) / np.sqrt(
        1 + dz_east**2 + dz_north**2
    )
    # crop back to [r0:r1, c0:c1] and resample to Mercator rows, upsampled
    shade = shade[r0 - p0 : r1 - p0, c0 - q0 : c1 - q0]
    valid = valid[r0 - p0 : r1 - p0, c0 - q0 : c1 - q0]
    top, bottom = r_north - r0 * dy, r_north - r1 * dy
    left, right = r_west + c0 * dx, r_west + c1 * dx
    upsample = max(1, min(RELIEF_UPSAMPLE, RELIEF_MAX_PX // max(r1 - r0, c1 - c0)))
    out_rows, out_cols = (r1 - r0) * upsample, (c1 - c0) * upsample
    y = merc(top) + (np.arange(out_rows) + 0.5) / out_rows * (merc(bottom) - merc(top))
    lat_out = np.degrees(2 * np.arctan(np.exp(y)) - math.pi / 2)
    src_rows = (top - lat_out) / dy - 0.5
    src_cols = (np.arange(out_cols) + 0.5) / upsample - 0.5
    shade = _bilinear(shade, src_rows, src_cols)
    mask = _bilinear(valid.astype(float), src_rows, src_cols)
    flat = light[2]
    dark = np.clip((flat - shade) / flat, 0, 1) * 0.5
    bright = np.clip((shade - flat) / (1 - flat), 0, 1) * 0.25
    grey_alpha = np.zeros((out_rows, out_cols, 2), dtype=np.uint8)
    grey_alpha[..., 0] = np.where(shade > flat, 255, 0)
    grey_alpha[..., 1] = np.round(np.where(shade > flat, bright, dark) * mask * 255)
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(grey_alpha, "LA").save(buffer, format="PNG", optimize=True)
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return uri, [[bottom, left], [top, right]]


def _bilinear(values: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Sample a grid at fractional row and column positions (edges clamped)."""
    n_rows, n_cols = values.shape
    rows = np.clip(rows, 0, n_rows - 1)
    cols = np.clip(cols, 0, n_cols - 1)
    r0 = np.floor(rows).astype(int)
    c0 = np.floor(cols).astype(int)
    r1 = np.minimum(r0 + 1, n_rows - 1)
    c1 = np.minimum(c0 + 1, n_cols - 1)
    fr = (rows - r0)[:, None]
    fc = (cols - c0)[None, :]
    top = values[np.ix_(r0, c0)] * (1 - fc) + values[np.ix_(r0, c1)] * fc
    bottom = values[np.ix_(r1, c0)] * (1 - fc) + values[np.ix_(r1, c1)] * fc
    return top * (1 - fr) + bottom * fr
