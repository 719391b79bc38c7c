"""Map furniture for the static renderer: scale bar, north arrow, graticule, relief, legend, text.

Everything is drawn in page points (see :mod:`maps.labels`) or in the map's
projected metres; nothing here depends on the output DPI.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyproj
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import LightSource, to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Polygon, Rectangle
from matplotlib.transforms import Affine2D, Transform

import geo
from geo.crs import distance_km
from layers.style import LegendEntry, SizeScale, Style
from layers.theme import HALO, MUTED_TEXT, TEXT
from maps.labels import Box, TextStyle, font, measure

PX_TO_PT = 0.75  # theme widths and sizes are CSS pixels; 1 px = 0.75 pt
MARKERS = {
    "circle": "o",
    "square": "s",
    "triangle": "^",
    "diamond": "D",
    "cross": "X",
    "star": "*",
}
# Grid north and true north may differ by this much (degrees) before a north arrow is drawn.
NORTH_ARROW_THRESHOLD = 1.0
NICE_STEPS = (1.0, 2.0, 2.5, 5.0)


# --- views: projected metres <-> page points ------------------------------------------------


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


# --- styles -----------------------------------------------------------------------------------


def line_pt(style: Style) -> float:
    """Stroke width in points."""
    return style.stroke_width * PX_TO_PT


def dash_pattern(style: Style, width_pt: float | None = None):
    """Matplotlib linestyle for a theme dash (px lengths), relative to the line width.

    Matplotlib scales dash lengths by the line width (``lines.scale_dashes``), so
    pixel lengths are converted to points and divided by the width in points.
    """
    if not style.dash:
        return "solid"
    width = max(width_pt if width_pt is not None else line_pt(style), 1e-3)
    return (0.0, tuple(d * PX_TO_PT / width for d in style.dash))


def rgba(colour: str | None, opacity: float) -> tuple[float, float, float, float]:
    """A colour with opacity; fully transparent for None."""
    if colour is None:
        return (0.0, 0.0, 0.0, 0.0)
    return to_rgba(colour, opacity)


def marker_of(style: Style) -> str:
    """Matplotlib marker for a theme marker name (circle if unknown)."""
    return MARKERS.get(style.marker, "o")


# --- text helpers --------------------------------------------------------------------------


# Wrapped lines are kept a little narrower than asked, for rounding in the renderers.
WRAP_SLACK = 0.98


def wrap(text: str, style: TextStyle, width: float) -> list[str]:
    """Greedy word wrap of `text` to lines at most `width` points wide (with slack)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            trial = f"{current} {word}" if current else word
            if current and measure(trial, style)[0] > width * WRAP_SLACK:
                lines.append(current)
                current = word
            else:
                current = trial
        lines.append(current)
    return lines


def put_text(
    target,
    x: float,
    y: float,
    text: str,
    style: TextStyle,
    transform: Transform,
    *,
    ha: str = "left",
    va: str = "baseline",
    rotation: float = 0.0,
    zorder: float = 50,
    gid: str | None = None,
):
    """Draw `text` with `style` (font, colour, halo); returns the Text artist.

    The halo is a second, white copy of the text stroked with a path effect and
    drawn just below; the text itself has no path effect, so SVG keeps it as
    ``<text>`` and PDF as real (selectable, embedded-font) text.
    """
    from matplotlib import patheffects

    kwargs = {
        "fontproperties": font(style.size, style.weight, style.style),
        "ha": ha,
        "va": va,
        "rotation": rotation,
        "rotation_mode": "anchor",
        "transform": transform,
        "clip_on": False,
    }
    shown = style.text(text)
    if style.halo > 0:
        halo = target.text(x, y, shown, color=HALO, zorder=zorder - 0.01, **kwargs)
        halo.set_path_effects([patheffects.withStroke(linewidth=2 * style.halo, foreground=HALO)])
    return target.text(x, y, shown, color=style.colour, zorder=zorder, gid=gid, **kwargs)


# --- scale bar and north arrow -------------------------------------------------------------


@dataclass(frozen=True)
class ScaleBar:
    """A drawn scale bar.

    Attributes
    ----------
    km : float
        Ground length the bar stands for.
    map_m : float
        Its length in projected metres.
    points : float
        Its length on the page.
    lon, lat : float
        Where it was measured (the bar's middle).
    """

    km: float
    map_m: float
    points: float
    lon: float
    lat: float


def nice_length(value: float) -> float:
    """The largest 1, 2, 2.5 or 5 × 10ⁿ not above `value` (> 0)."""
    exponent = math.floor(math.log10(value))
    best = 10.0**exponent
    for step in NICE_STEPS:
        if step * 10.0**exponent <= value * (1 + 1e-9):
            best = step * 10.0**exponent
    return best


def ground_km_per_map_m(view: View, x: float, y: float, half: float) -> tuple[float, float, float]:
    """Ground km per projected metre along a horizontal segment centred at (x, y).

    Returns
    -------
    tuple of float
        ``(km_per_m, lon, lat)`` of the segment's middle.
    """
    (lon0, lon1), (lat0, lat1) = view.inverse.transform([x - half, x + half], [y, y])
    lon, lat = view.inverse.transform(x, y)
    return distance_km((lon0, lat0), (lon1, lat1)) / (2 * half), float(lon), float(lat)


def scale_bar_geometry(
    view: View,
    x_pt: float,
    y_pt: float,
    target_pt: float,
    at: tuple[float, float] | None = None,
) -> ScaleBar:
    """Choose a round bar length near `target_pt` points, true at the bar's position.

    The ground distance is the geodesic distance between the bar's two ends
    (:func:`geo.crs.distance_km`), so the bar is right for the projection's
    scale at that place (a conformal projection's scale is the same in every
    direction).

    Parameters
    ----------
    view : View
        The map panel.
    x_pt, y_pt : float
        Left end of the bar on the page.
    target_pt : float
        Wanted length in points; the bar is the nearest round length below.
    at : (x, y), optional
        Measure the scale at this point (projected metres) instead, e.g. the
        map's centre when the scale varies across a continental map.

    Returns
    -------
    ScaleBar
        The bar's ground and map lengths and where it is true.
    """
    mpp = view.metres_per_point

    def measure_at(length_pt: float) -> tuple[float, float, float]:
        if at is not None:
            return ground_km_per_map_m(view, at[0], at[1], length_pt * mpp / 2)
        x, y = view.to_map(x_pt + length_pt / 2, y_pt)
        return ground_km_per_map_m(view, x, y, length_pt * mpp / 2)

    km_per_m, _, _ = measure_at(target_pt)
    km = nice_length(target_pt * mpp * km_per_m)
    # Measure again over the chosen length, centred where the bar will be.
    km_per_m, lon, lat = measure_at(km / km_per_m / mpp)
    length_m = km / km_per_m
    return ScaleBar(km=km, map_m=length_m, points=length_m / mpp, lon=lon, lat=lat)


def format_km(value: float) -> str:
    """Kilometres without a useless decimal."""
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def scale_variation(view: View, region=None, n: int = 7) -> float:
    """How much the map's scale varies over the view: max/min scale factor - 1.

    Parameters
    ----------
    view : View
        The map panel.
    region : shapely geometry, optional
        Only sample inside this area (projected metres), e.g. a fan-shaped map.
    n : int
        Samples per side.

    Returns
    -------
    float
        0.01 means the scale changes by 1% between the extreme sample points.
    """
    import shapely

    xmin, ymin, xmax, ymax = view.limits
    half = (xmax - xmin) / 200
    factors = []
    for x in np.linspace(xmin, xmax, n):
        for y in np.linspace(ymin, ymax, n):
            if region is not None and not shapely.contains_xy(region, x, y):
                continue
            factors.append(ground_km_per_map_m(view, float(x), float(y), half)[0])
    return max(factors) / min(factors) - 1 if factors else 0.0


def draw_scale_bar(
    ax: Axes, transform: Transform, bar: ScaleBar, x: float, y: float, s: float, note: str = ""
):
    """Draw `bar` with its left end at (x, y) page points: 4 alternating segments and labels.

    A `note` (e.g. where the bar is true) goes in small type under the bar.
    """
    height = 3.2 * s
    step = bar.points / 4
    for i in range(4):
        ax.add_patch(
            Rectangle(
                (x + i * step, y),
                step,
                height,
                facecolor=TEXT if i % 2 == 0 else HALO,
                edgecolor=TEXT,
                linewidth=0.5,
                transform=transform,
                zorder=61,
                clip_on=False,
            )
        )
    style = TextStyle(6.0 * s, halo=0.8 * s)
    for value, px in ((0.0, x), (bar.km / 2, x + bar.points / 2), (bar.km, x + bar.points)):
        put_text(
            ax, px, y + height + 2.2 * s, format_km(value), style, transform, ha="center", zorder=62
        )
    put_text(
        ax, x + bar.points + 4 * s, y + height / 2, "km", style, transform, va="center", zorder=62
    )
    if note:
        small = TextStyle(5.2 * s, colour=MUTED_TEXT, halo=0.6 * s)
        put_text(ax, x, y - 1.5 * s, note, small, transform, va="top", zorder=62)


def convergence(view: View, lon: float, lat: float) -> float:
    """Angle in degrees from grid north (page up) to true north at (lon, lat); positive east."""
    (x0, x1), (y0, y1) = view.forward.transform([lon, lon], [lat, lat + 0.01])
    return math.degrees(math.atan2(x1 - x0, y1 - y0))


def max_convergence(view: View) -> float:
    """Largest |grid convergence| in degrees along the edges of the view."""
    _west, _south, _east, _north = lonlat_bounds(view)
    xmin, ymin, xmax, ymax = view.limits
    xs = np.concatenate(
        [np.linspace(xmin, xmax, 9), np.linspace(xmin, xmax, 9), [xmin] * 9, [xmax] * 9]
    )
    ys = np.concatenate(
        [[ymin] * 9, [ymax] * 9, np.linspace(ymin, ymax, 9), np.linspace(ymin, ymax, 9)]
    )
    lons, lats = view.inverse.transform(xs, ys)
    return max(abs(convergence(view, float(a), float(b))) for a, b in zip(lons, lats, strict=True))


def draw_north_arrow(
    ax: Axes, transform: Transform, x: float, y: float, angle: float, s: float
) -> None:
    """A half-filled arrow centred at (x, y) page points, pointing `angle` degrees east of up."""
    length, half = 14 * s, 4 * s
    rot = Affine2D().rotate_deg(-angle).translate(x, y)
    tip, left, right, tail = (
        (0, length / 2),
        (-half, -length / 2),
        (half, -length / 2),
        (0, -length / 4),
    )
    for points, face in (([tip, left, tail], TEXT), ([tip, right, tail], HALO)):
        ax.add_patch(
            Polygon(
                rot.transform(np.array(points, dtype=float)),
                closed=True,
                facecolor=face,
                edgecolor=TEXT,
                linewidth=0.5,
                transform=transform,
                zorder=61,
                clip_on=False,
            )
        )
    nx, ny = rot.transform(np.array([[0.0, length / 2 + 5.5 * s]]))[0]
    put_text(
        ax,
        nx,
        ny,
        "N",
        TextStyle(7 * s, weight="bold", halo=0.8 * s),
        transform,
        ha="center",
        va="center",
        rotation=-angle,
        zorder=62,
    )


def furniture_box(ax: Axes, transform: Transform, box: Box) -> None:
    """A white, slightly transparent rounded panel behind furniture."""
    x0, y0, x1, y1 = box
    ax.add_patch(
        FancyBboxPatch(
            (x0, y0),
            x1 - x0,
            y1 - y0,
            boxstyle="round,pad=0,rounding_size=2",
            facecolor=HALO,
            edgecolor="#b5aea5",
            linewidth=0.4,
            alpha=0.85,
            transform=transform,
            zorder=60,
            clip_on=False,
        )
    )


# --- graticule -----------------------------------------------------------------------------


def graticule_step(span_degrees: float) -> float:
    """Degrees between graticule lines for a map spanning `span_degrees`."""
    for step in (0.5, 1, 2, 5, 10, 15, 30):
        if span_degrees / step <= 8:
            return float(step)
    return 30.0


def draw_graticule(
    ax: Axes,
    view: View,
    transform: Transform,
    zorder: float,
    s: float,
    labels: bool = True,
    edges: Sequence[float] | None = None,
) -> None:
    """Thin meridians and parallels, labelled outside the bottom and left frame edges.

    With `edges` (a lon/lat extent whose outline is the map's frame, as on a
    fan-shaped conic map) meridians are labelled below the southern parallel and
    parallels left of the western meridian instead.
    """
    west, south, east, north = lonlat_bounds(view)
    step = graticule_step(max(east - west, north - south))
    lons = np.arange(math.ceil(west / step) * step, east + 1e-9, step)
    lats = np.arange(math.ceil(south / step) * step, north + 1e-9, step)
    t = np.linspace(0, 1, 100)
    segments = []
    for lon in lons:
        x, y = view.forward.transform(np.full_like(t, lon), south - 1 + t * (north - south + 2))
        segments.append(np.column_stack([x, y]))
    for lat in lats:
        x, y = view.forward.transform(west - 1 + t * (east - west + 2), np.full_like(t, lat))
        segments.append(np.column_stack([x, y]))
    ax.add_collection(
        LineCollection(
            segments,
            colors=[(0.35, 0.33, 0.3, 0.35)],
            linewidths=0.3,
            zorder=zorder,
            linestyles=[(0, (4, 3))],
        )
    )
    if not labels:
        return
    xmin, ymin, xmax, ymax = view.limits
    style = TextStyle(5.6 * s, colour=MUTED_TEXT, halo=0)
    box = view.box
    if edges is not None:
        e_west, e_south, e_east, e_north = edges
        for lon in lons:
            if e_west <= lon <= e_east:
                x, y = view.forward.transform(lon, e_south)
                px, py = view.to_page(x, y)
                put_text(
                    ax,
                    float(px),
                    float(py) - 2 * s,
                    _degrees(lon, "E", "W"),
                    style,
                    transform,
                    ha="center",
                    va="top",
                    zorder=5,
                )
        for lat in lats:
            if e_south <= lat <= e_north:
                x, y = view.forward.transform(e_west, lat)
                px, py = view.to_page(x, y)
                put_text(
                    ax,
                    float(px) - 2 * s,
                    float(py),
                    _degrees(lat, "N", "S"),
                    style,
                    transform,
                    ha="right",
                    va="center",
                    zorder=5,
                )
        return
    for lon, seg in zip(lons, segments[: len(lons)], strict=True):
        x = _crossing(seg[:, 1], seg[:, 0], ymin)
        if x is not None and xmin < x < xmax:
            px, _ = view.to_page(x, ymin)
            put_text(
                ax,
                float(px),
                box[1] - 2 * s,
                _degrees(lon, "E", "W"),
                style,
                transform,
                ha="center",
                va="top",
                zorder=5,
            )
    for lat, seg in zip(lats, segments[len(lons) :], strict=True):
        y = _crossing(seg[:, 0], seg[:, 1], xmin)
        if y is not None and ymin < y < ymax:
            _, py = view.to_page(xmin, y)
            put_text(
                ax,
                box[0] - 2 * s,
                float(py),
                _degrees(lat, "N", "S"),
                style,
                transform,
                ha="center",
                va="bottom",
                rotation=90,
                zorder=5,
            )


def _crossing(along: np.ndarray, across: np.ndarray, level: float) -> float | None:
    """Where a polyline (across, along) crosses along == level, by linear interpolation."""
    d = along - level
    idx = np.nonzero(np.sign(d[:-1]) != np.sign(d[1:]))[0]
    if len(idx) == 0:
        return None
    i = int(idx[0])
    f = d[i] / (d[i] - d[i + 1])
    return float(across[i] + f * (across[i + 1] - across[i]))


def _degrees(value: float, positive: str, negative: str) -> str:
    text = f"{abs(value):g}°"
    return text + (positive if value >= 0 else negative)


# --- relief -------------------------------------------------------------------------------


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


# --- legend --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LegendItem:
    """One legend row: a heading (``kind="heading"``) or a swatch with a label.

    For size keys `width` is the drawn line width or symbol diameter in points.
    """

    kind: str  # "heading", "area", "line", "point", "flow", "size_line", "size_point"
    label: str
    style: Style | None = None
    width: float = 0.0


@dataclass(frozen=True)
class LegendLayout:
    """Legend rows split into columns, with their heights (points)."""

    columns: list[list[tuple[LegendItem, list[str], float]]]
    width: float
    height: float


def legend_items(
    groups: Sequence[tuple[str, list[LegendEntry], SizeScale | None, Style | None, Style | None]],
) -> list[list[LegendItem]]:
    """Legend rows grouped by layer.

    Parameters
    ----------
    groups : sequence of (title, entries, size scale, key style, unknown style)
        One per layer, in map order. The size key is drawn in the key style;
        the unknown style (None if every value is known) draws a "not
        reported" row. A group with one entry and no size key shows no heading
        (the entry says it all).

    Returns
    -------
    list of list of LegendItem
        Rows, grouped by layer.
    """
    out: list[list[LegendItem]] = []
    for title, entries, size, key_style, unknown in groups:
        rows: list[LegendItem] = []
        key_rows: list[LegendItem] = []
        if size is not None and size.key_values:
            kind = "size_point" if size.by_area else "size_line"
            for value in size.key_values:
                key_rows.append(
                    LegendItem(kind, f"{value:,.0f}", key_style, size.size(value) * PX_TO_PT)
                )
            if unknown is not None:
                key_rows.append(
                    LegendItem(kind, "not reported", unknown, size.unknown_size * PX_TO_PT)
                )
        for entry in entries:
            rows.append(LegendItem(entry.kind, entry.label, entry.style))
        if not rows and not key_rows:
            continue
        group: list[LegendItem] = []
        if len(rows) + len(key_rows) > 1 or key_rows:
            group.append(LegendItem("heading", title))
        group.extend(rows)
        if key_rows:
            if size is not None and size.label:
                group.append(LegendItem("subheading", size.label))
            group.extend(key_rows)
        out.append(group)
    return out


def layout_legend(
    groups: list[list[LegendItem]],
    column_width: float,
    max_height: float | None,
    s: float,
    *,
    columns: int | None = None,
    max_columns: int = 6,
) -> LegendLayout:
    """Measure legend rows and split them into columns.

    Parameters
    ----------
    groups : list of list of LegendItem
        From :func:`legend_items`.
    column_width : float
        Width of one column in points.
    max_height : float or None
        Use the fewest columns whose height fits this (points).
    s : float
        Type scale.
    columns : int, optional
        Use exactly this many columns (at most one per group) instead.
    max_columns : int
        Upper limit when fitting `max_height`.

    Returns
    -------
    LegendLayout
        Rows per column, total width and height in points.
    """
    label_style, head_style = legend_styles(s)
    swatch_w = 20 * s
    text_w = column_width - swatch_w - 5 * s
    measured: list[list[tuple[LegendItem, list[str], float]]] = []
    for group in groups:
        rows = []
        for item in group:
            if item.kind in ("heading", "subheading"):
                style = head_style if item.kind == "heading" else label_style
                lines = wrap(item.label, style, column_width)
                height = len(lines) * style.size * 1.2 + 3 * s
            else:
                lines = wrap(item.label, label_style, text_w)
                swatch_h = max(10 * s, item.width + 2 * s)
                height = max(swatch_h, len(lines) * label_style.size * 1.2) + 2.5 * s
            rows.append((item, lines, height))
        measured.append(rows)
    total = sum(h for rows in measured for _, _, h in rows)
    gap = 4 * s
    fixed = columns is not None
    tries = range(1, max_columns + 1)
    if columns is not None:
        n_fixed = max(min(columns, len(measured)), 1)
        tries = range(n_fixed, n_fixed + 1)
    for n in tries:
        target = total / n
        split: list[list] = [[]]
        heights = [0.0]
        for rows in measured:
            group_h = sum(h for _, _, h in rows) + gap
            if split[-1] and heights[-1] + group_h > target * 1.15 and len(split) < n:
                split.append([])
                heights.append(0.0)
            split[-1].extend(rows)
            split[-1].append((LegendItem("gap", ""), [], gap))
            heights[-1] += group_h
        height = max(heights)
        if fixed or max_height is None or height <= max_height or n == max_columns:
            width = len(split) * column_width + (len(split) - 1) * 8 * s
            return LegendLayout(columns=split, width=width, height=height)
    raise AssertionError("unreachable")


def legend_styles(s: float) -> tuple[TextStyle, TextStyle]:
    """Label and heading text styles of the legend at type scale `s`."""
    return TextStyle(6.6 * s, halo=0), TextStyle(7.0 * s, weight="bold", halo=0)


def draw_legend(
    ax: Axes,
    transform: Transform,
    layout: LegendLayout,
    x: float,
    top: float,
    column_width: float,
    s: float,
) -> None:
    """Draw a measured legend with its top-left corner at (x, top) page points."""
    label_style, head_style = legend_styles(s)
    swatch_w = 20 * s
    for c, column in enumerate(layout.columns):
        cx = x + c * (column_width + 8 * s)
        y = top
        for item, lines, height in column:
            if item.kind in ("heading", "subheading"):
                style = head_style if item.kind == "heading" else label_style
                for i, line in enumerate(lines):
                    put_text(
                        ax, cx, y - style.size * (0.95 + 1.2 * i), line, style, transform, zorder=70
                    )
            elif item.kind != "gap":
                mid = y - height / 2 + 1.2 * s
                _swatch(ax, transform, item, cx, mid, swatch_w, s)
                n = len(lines)
                for i, line in enumerate(lines):
                    offset = (n - 1) / 2 - i
                    put_text(
                        ax,
                        cx + swatch_w + 5 * s,
                        mid + offset * label_style.size * 1.2,
                        line,
                        label_style,
                        transform,
                        va="center_baseline",
                        zorder=70,
                    )
            y -= height


def _swatch(
    ax: Axes, transform: Transform, item: LegendItem, x: float, y: float, w: float, s: float
) -> None:
    style = item.style or Style()
    common = {"transform": transform, "clip_on": False, "zorder": 70}
    if item.kind == "area":
        h = 8 * s
        ax.add_patch(
            Rectangle(
                (x + 1, y - h / 2),
                w - 2,
                h,
                facecolor=rgba(style.fill, style.fill_opacity),
                edgecolor=rgba(style.stroke, style.stroke_opacity),
                linewidth=line_pt(style) if style.stroke else 0,
                linestyle=dash_pattern(style),
                **common,
            )
        )
    elif item.kind == "line":
        ax.add_line(
            Line2D(
                [x, x + w],
                [y, y],
                color=rgba(style.stroke, style.stroke_opacity),
                linewidth=line_pt(style),
                linestyle=dash_pattern(style),
                solid_capstyle="butt",
                dash_capstyle="butt",
                **common,
            )
        )
    elif item.kind == "point":
        ax.add_line(
            Line2D(
                [x + w / 2],
                [y],
                linestyle="none",
                marker=marker_of(style),
                markersize=style.marker_size * PX_TO_PT,
                markerfacecolor=rgba(style.fill, style.fill_opacity),
                markeredgecolor=rgba(style.stroke, style.stroke_opacity),
                markeredgewidth=line_pt(style),
                **common,
            )
        )
    elif item.kind in ("flow", "size_line"):
        width = item.width if item.kind == "size_line" else line_pt(style)
        colour = rgba(style.stroke or style.fill, style.stroke_opacity)
        head = min(max(width * 1.6, 4.0 * s), w * 0.45)
        half = width / 2 + 2.0 * s
        ax.add_line(
            Line2D(
                [x, x + w - head],
                [y, y],
                color=colour,
                linewidth=width,
                linestyle=dash_pattern(style, width),
                solid_capstyle="butt",
                dash_capstyle="butt",
                **common,
            )
        )
        ax.add_patch(
            Polygon(
                [(x + w, y), (x + w - head, y + half), (x + w - head, y - half)],
                closed=True,
                facecolor=rgba(style.fill or style.stroke, style.fill_opacity),
                edgecolor="none",
                **common,
            )
        )
    elif item.kind == "size_point":
        ax.add_line(
            Line2D(
                [x + w / 2],
                [y],
                linestyle="none",
                marker="o",
                markersize=item.width,
                markerfacecolor=rgba(style.fill, style.fill_opacity),
                markeredgecolor=rgba(style.stroke, style.stroke_opacity),
                markeredgewidth=line_pt(style),
                **common,
            )
        )
