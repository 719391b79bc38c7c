"""Map furniture: scale bar, north arrow, the white furniture box and the graticule.

Everything is drawn in page points (see :mod:`maps.print.text`) or in the map's
projected metres (:class:`~maps.print.view.View`). Its words ("km", the north
arrow's letter, the graticule's degrees) and numbers are in the current language
(:func:`geo.language.current`: the renderer speaks its scene's language).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.patches import FancyBboxPatch, Polygon, Rectangle
from matplotlib.transforms import Affine2D, Transform

from geo.crs import distance_km
from geo.language import N_, current, tr
from layers.theme import HALO, MUTED_TEXT, TEXT
from maps.print.text import Box, TextStyle, put_text
from maps.print.view import View, lonlat_bounds

# Grid north and true north may differ by this much (degrees) before a north arrow is drawn.
NORTH_ARROW_THRESHOLD = 1.0
NICE_STEPS = (1.0, 2.0, 2.5, 5.0)


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
    """Kilometres without a useless decimal, and without rounding a half away (1.25, not 1.2).

    In the current language's format (Russian ``1,25``, ``10 000``).
    """
    lang = current()
    if not lang.is_source:
        return lang.number(value)
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0")


def scale_note(lat: float) -> str:
    """The note under a bar true at one latitude only: "true at 41° N; scale varies"."""
    degrees = current().number(round(abs(lat)))
    if lat >= 0:
        return tr("true at {lat}° N; scale varies", lat=degrees)
    return tr("true at {lat}° S; scale varies", lat=degrees)


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
    km = tr("km")
    put_text(
        ax, x + bar.points + 4 * s, y + height / 2, km, style, transform, va="center", zorder=62
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
        tr("N"),  # the north arrow's letter (Russian С)
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
                    _degrees(lon, EAST_WEST),
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
                    _degrees(lat, NORTH_SOUTH),
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
                _degrees(lon, EAST_WEST),
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
                _degrees(lat, NORTH_SOUTH),
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


# A graticule label's message for a positive and a negative value ("70°E", Russian "70° в. д.").
EAST_WEST = (N_("{degrees}°E"), N_("{degrees}°W"))
NORTH_SOUTH = (N_("{degrees}°N"), N_("{degrees}°S"))


def _degrees(value: float, messages: tuple[str, str]) -> str:
    lang = current()
    degrees = f"{abs(value):g}" if lang.is_source else lang.number(abs(value))
    return tr(messages[0] if value >= 0 else messages[1], degrees=degrees)
