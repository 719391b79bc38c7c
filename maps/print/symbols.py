"""Symbols: theme styles as matplotlib values, and shapes as matplotlib paths.

Per-feature styles come from the scene as arrays (like geopandas' ``plotting.py``);
:func:`first_seen_groups` turns them into one collection per style.
"""

from __future__ import annotations

import numpy as np
import shapely
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D
from matplotlib.path import Path as MplPath

from layers import Style

PX_TO_PT = 0.75  # theme widths and sizes are CSS pixels; 1 px = 0.75 pt
MARKERS = {
    "circle": "o",
    "square": "s",
    "triangle": "^",
    "diamond": "D",
    "cross": "X",
    "star": "*",
}


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


def first_seen_groups(styles: np.ndarray, keep: np.ndarray) -> dict[Style, np.ndarray]:
    """Feature positions per style, styles in order of first appearance among `keep`."""
    groups: dict[Style, list[int]] = {}
    for k in np.flatnonzero(keep):
        groups.setdefault(styles[k], []).append(int(k))
    return {style: np.asarray(ks, dtype=int) for style, ks in groups.items()}


def polygon_path(geom) -> MplPath | None:
    """The polygons of `geom` as one matplotlib path (rings oriented, holes kept); None if none."""
    verts, codes = [], []
    for part in shapely.get_parts(geom):
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        part = shapely.orient_polygons(part)
        for ring in (part.exterior, *part.interiors):
            coords = np.asarray(ring.coords)[:, :2]
            if len(coords) < 4:
                continue
            verts.append(coords)
            c = np.full(len(coords), MplPath.LINETO, dtype=MplPath.code_type)
            c[0] = MplPath.MOVETO
            c[-1] = MplPath.CLOSEPOLY
            codes.append(c)
    if not verts:
        return None
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def line_coords(geom) -> list[np.ndarray]:
    """The lines (or polygon rings) of `geom` as coordinate arrays, for a LineCollection."""
    out = []
    for part in shapely.get_parts(geom):
        if part.geom_type in ("LineString", "LinearRing") and not part.is_empty:
            out.append(np.asarray(part.coords)[:, :2])
        elif part.geom_type == "Polygon":
            out.extend(np.asarray(r.coords)[:, :2] for r in (part.exterior, *part.interiors))
    return out


def substring(line, end: float):
    """The part of `line` from its start to distance `end`."""
    coords = np.asarray(line.coords)
    seg = np.hypot(*np.diff(coords, axis=0).T)
    cum = np.concatenate([[0], np.cumsum(seg)])
    k = int(np.searchsorted(cum, end))
    if k <= 0:
        return line
    point = line.interpolate(end)
    return shapely.LineString([*coords[:k], (point.x, point.y)])


def marker_line(xs, ys, style: Style, size_pt: float, marker: str = "", **kwargs) -> Line2D:
    """Point symbols in `style`, `size_pt` across, at `xs`, `ys` (a Line2D with no line).

    `marker` overrides the style's symbol; other keywords go to :class:`Line2D`.
    """
    return Line2D(
        xs,
        ys,
        linestyle="none",
        marker=marker or marker_of(style),
        markersize=size_pt,
        markerfacecolor=rgba(style.fill, style.fill_opacity),
        markeredgecolor=rgba(style.stroke, style.stroke_opacity),
        markeredgewidth=line_pt(style),
        **kwargs,
    )
