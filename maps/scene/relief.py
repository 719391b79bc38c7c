"""One hillshade for both renderers: shade on the relief's own grid, sampled anywhere.

The shade is the cosine of the angle between the sun and the ground's normal
(Lambert), computed on an embedded relief's lon/lat grid with each row's true
cell size in metres on the WGS 84 ellipsoid (east–west: the parallel's arc;
north–south: the meridian's arc), so slopes are right at every latitude. A
renderer asks for the overlay colour at the lon/lat of each of its pixels —
Web Mercator rows for Leaflet, projected page pixels for print — and gets one
bilinear resampler and one colour ramp: flat ground clear, slopes facing away
from the light darker, slopes facing it a little lighter.

Three relief grids are embedded (:data:`RELIEF_GRIDS`, finest first): GEBCO 2023
at 15 arc-seconds over the Fergana Valley and its rim, GEBCO 2023 at 1 arc-minute
over Kyrgyzstan and Tajikistan, and the 5 arc-minute grid over the whole detailed
window. **Rule:** a map uses every grid that reaches it, down to the first that
covers it wholly, and each point is shaded by the finest grid holding it; coarser
grids fill only what finer ones leave, the finer grid fading in over
FEATHER_DEG from its edge (so no seam line). A map well inside the Fergana
window therefore shows only the 15" shade.

Written with numpy rather than matplotlib's ``LightSource`` so the web renderer
does not import matplotlib, and both renderers shade alike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

import geo

AZIMUTH = 315.0  # light from the north-west, the cartographic convention
ALTITUDE = 45.0
EXAGGERATION = 2.5  # the 5' grid smooths slopes
SHADOW_RGB = (59, 48, 38)  # "#3b3026"
MAX_DARK = 0.32
MAX_LIGHT = 0.22
FEATHER_DEG = 0.5  # a finer grid fades in over this distance from its edge

# WGS 84
_A = 6_378_137.0
_E2 = 6.69437999014e-3


@dataclass(frozen=True)
class ReliefGrid:
    """An embedded relief grid and the vertical exaggeration its shade gets.

    Coarse grids average slopes away, so they are exaggerated at least as much;
    the values were chosen by eye, for mountains that read at print and screen sizes.
    """

    dataset: str
    exaggeration: float


#: The embedded relief grids, finest first (catalog names).
RELIEF_GRIDS: tuple[ReliefGrid, ...] = (
    ReliefGrid("relief_fergana", 2.0),  # GEBCO 2023, 15" (~450 m)
    ReliefGrid("relief_kyrgyzstan", 2.5),  # GEBCO 2023, 1' (~1.8 km)
    ReliefGrid("relief", EXAGGERATION),  # 5' (~9 km)
)


@dataclass(frozen=True)
class Shade:
    """Lambertian shade of the relief on its own grid.

    Attributes
    ----------
    values : ndarray
        Shade per cell (1 = facing the sun); rows from north to south.
    valid : ndarray of bool
        Cells with elevation data.
    west, north : float
        Outer edges of the grid's first column and row (degrees).
    cell_x, cell_y : float
        Cell size in degrees.
    """

    values: np.ndarray
    valid: np.ndarray
    west: float
    north: float
    cell_x: float
    cell_y: float

    def sample(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Shade and data coverage (0–1) at points, bilinearly; coverage 0 off the grid."""
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        rows = (self.north - lat) / self.cell_y - 0.5
        cols = (lon - self.west) / self.cell_x - 0.5
        n_rows, n_cols = self.values.shape
        inside = (rows > -1) & (rows < n_rows) & (cols > -1) & (cols < n_cols)
        shade = bilinear(self.values, rows, cols)
        cover = bilinear(self.valid.astype(float), rows, cols) * inside
        return shade, cover


def bilinear(grid: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """`grid` sampled at fractional row and column positions (edges clamped)."""
    n_rows, n_cols = grid.shape
    rows = np.clip(rows, 0, n_rows - 1)
    cols = np.clip(cols, 0, n_cols - 1)
    r0 = np.minimum(np.floor(rows).astype(int), max(n_rows - 2, 0))
    c0 = np.minimum(np.floor(cols).astype(int), max(n_cols - 2, 0))
    r1 = np.minimum(r0 + 1, n_rows - 1)
    c1 = np.minimum(c0 + 1, n_cols - 1)
    fr, fc = rows - r0, cols - c0
    top = grid[r0, c0] * (1 - fc) + grid[r0, c1] * fc
    bottom = grid[r1, c0] * (1 - fc) + grid[r1, c1] * fc
    return top * (1 - fr) + bottom * fr


@dataclass(frozen=True)
class LayeredShade:
    """Shades of several grids over one map, finest first; sampled as one.

    Attributes
    ----------
    shades : tuple of Shade
        Finest first.
    datasets : tuple of str
        Catalog names of the grids, in the same order.
    bounds : tuple of tuple of float
        (west, south, east, north) of each whole grid, in the same order.
    """

    shades: tuple[Shade, ...]
    datasets: tuple[str, ...]
    bounds: tuple[tuple[float, float, float, float], ...]

    @property
    def cell_x(self) -> float:
        """Cell width (degrees) of the finest grid."""
        return self.shades[0].cell_x

    @property
    def cell_y(self) -> float:
        """Cell height (degrees) of the finest grid."""
        return self.shades[0].cell_y

    def sample(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Shade and coverage at points: each from the finest grid holding it.

        A finer grid's weight rises from 0 at its edge to 1 at FEATHER_DEG inside,
        so its edge shows as a gradual change of texture, not a line.
        """
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        shade, cover = self.shades[-1].sample(lon, lat)
        for finer, (west, south, east, north) in zip(
            reversed(self.shades[:-1]), reversed(self.bounds[:-1]), strict=True
        ):
            value, weight = finer.sample(lon, lat)
            inset = np.minimum(
                np.minimum(lon - west, east - lon), np.minimum(lat - south, north - lat)
            )
            weight = weight * np.clip(inset / FEATHER_DEG, 0.0, 1.0)
            shade = value * weight + shade * (1 - weight)
            cover = weight + cover * (1 - weight)
        return shade, cover


def relief_grids(extent: Sequence[float]) -> tuple[ReliefGrid, ...]:
    """The grids a map of `extent` uses, finest first (see the module's rule)."""
    west, south, east, north = extent
    used: list[ReliefGrid] = []
    for grid in RELIEF_GRIDS:
        g_west, g_south, g_east, g_north = geo.load(grid.dataset).bounds
        if g_west < east and west < g_east and g_south < north and south < g_north:
            used.append(grid)
            if g_west <= west and g_south <= south and east <= g_east and north <= g_north:
                break
    return tuple(used)


def relief_shade(extent: Sequence[float]) -> LayeredShade | None:
    """The shade of the embedded relief over `extent` (west, south, east, north), or None.

    None where no relief grid reaches the extent.
    """
    shades, names, bounds = [], [], []
    for grid in relief_grids(extent):
        raster = geo.load(grid.dataset)
        shade = shade_of(raster, extent, grid.exaggeration)
        if shade is not None:
            shades.append(shade)
            names.append(grid.dataset)
            bounds.append(tuple(raster.bounds))
    return LayeredShade(tuple(shades), tuple(names), tuple(bounds)) if shades else None


def shade_of(
    raster: geo.Raster, extent: Sequence[float], exaggeration: float = EXAGGERATION
) -> Shade | None:
    """The shade of a lon/lat elevation grid over `extent`, or None where it does not reach."""
    west, south, east, north = extent
    r_west, _r_south, _r_east, r_north = raster.bounds
    cell_x, cell_y = raster.cell_size
    n_rows, n_cols = raster.values.shape
    # two extra cells around the window, so gradients and resampling at its edge are whole
    c0 = max(math.floor((west - r_west) / cell_x) - 2, 0)
    c1 = min(math.ceil((east - r_west) / cell_x) + 2, n_cols)
    r0 = max(math.floor((r_north - north) / cell_y) - 2, 0)
    r1 = min(math.ceil((r_north - south) / cell_y) + 2, n_rows)
    if c1 - c0 < 3 or r1 - r0 < 3:
        return None
    elevation = raster.values[r0:r1, c0:c1]
    valid = ~np.isnan(elevation)
    if not valid.any():
        return None
    z = np.where(valid, elevation, np.nanmin(elevation)) * exaggeration
    lat = np.radians(r_north - (np.arange(r0, r1) + 0.5) * cell_y)
    w = 1 - _E2 * np.sin(lat) ** 2
    dx_m = (math.radians(cell_x) * _A * np.cos(lat) / np.sqrt(w))[:, None]  # parallel arc
    dy_m = (math.radians(cell_y) * _A * (1 - _E2) / w**1.5)[:, None]  # meridian arc
    dz_east = np.gradient(z, axis=1) / dx_m
    dz_north = -np.gradient(z, axis=0) / dy_m
    azimuth, altitude = math.radians(AZIMUTH), math.radians(ALTITUDE)
    sun = (
        math.sin(azimuth) * math.cos(altitude),
        math.cos(azimuth) * math.cos(altitude),
        math.sin(altitude),
    )
    shade = (-dz_east * sun[0] - dz_north * sun[1] + sun[2]) / np.sqrt(1 + dz_east**2 + dz_north**2)
    return Shade(
        values=shade,
        valid=valid,
        west=r_west + c0 * cell_x,
        north=r_north - r0 * cell_y,
        cell_x=cell_x,
        cell_y=cell_y,
    )


def overlay_rgba(shade: np.ndarray, cover: np.ndarray) -> np.ndarray:
    """RGBA bytes (shape ``shade.shape + (4,)``) of the relief overlay for shade values.

    Flat ground (shade = sin(altitude)) is clear; darker slopes get up to
    MAX_DARK of the shadow colour, sunlit slopes up to MAX_LIGHT of white.
    """
    flat = math.sin(math.radians(ALTITUDE))
    dark = np.clip((flat - shade) * 0.75, 0, MAX_DARK)
    light = np.clip((shade - flat) * 0.8, 0, MAX_LIGHT)
    alpha = dark + light
    with np.errstate(invalid="ignore", divide="ignore"):
        w_dark = np.where(alpha > 0, dark / np.where(alpha > 0, alpha, 1), 0.0)
    out = np.zeros((*np.shape(shade), 4), dtype=np.uint8)
    shadow = np.array(SHADOW_RGB, dtype=float)
    out[..., :3] = np.round(w_dark[..., None] * shadow + (1 - w_dark[..., None]) * 255)
    out[..., 3] = np.round(np.clip(alpha * cover, 0, 1) * 255)
    return out


def relief_datasets(extent: Sequence[float]) -> tuple[str, ...]:
    """Catalog names of the relief grids a map of `extent` draws (for its credits)."""
    return tuple(grid.dataset for grid in relief_grids(extent))
