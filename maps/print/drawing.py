"""Drawing the map's layers: areas and lines as one collection per style, points as symbols.

Styles, sizes and drawing order come from the scene's layer arrays; area and line
features are grouped by style in order of first appearance, one collection per
style, which keeps the drawing order (and so the SVG and PDF) stable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection

from layers import Layer
from maps.print.context import MapContext, clipped, present
from maps.print.flows import FlowRecord, draw_flows
from maps.print.furniture import draw_graticule
from maps.print.relief import draw_relief
from maps.print.symbols import (
    PX_TO_PT,
    dash_pattern,
    first_seen_groups,
    line_coords,
    line_pt,
    marker_line,
    polygon_path,
    rgba,
)
from maps.print.text import Box
from maps.print.view import View

BASE_Z = 10  # z order of the first layer; each layer takes two steps


@dataclass
class Drawn:
    """What drawing one panel left behind, for labels, legend filtering and records.

    Attributes
    ----------
    symbols : list of (key, Box)
        Point symbols (and small labelled areas) labels must avoid, in page points.
    artists : dict
        Key -> the symbol's artist (so a hidden point can be removed).
    hideable : dict
        Key -> layer id, for points a more important label of their layer may hide.
    flows : list of FlowRecord
        Flows drawn, widest first per layer.
    """

    symbols: list[tuple[object, Box]] = field(default_factory=list)
    artists: dict[object, object] = field(default_factory=dict)
    hideable: dict[object, str] = field(default_factory=dict)
    flows: list[FlowRecord] = field(default_factory=list)


NOTE_Z = 60  # above every layer, below labels


def note_radius(ctx: MapContext) -> float:
    """Radius in points of the marker at an annotation's place (its label goes beside it)."""
    style = ctx.scene.note_style
    return style.marker_size * PX_TO_PT / 2 + line_pt(style) / 2


def draw_notes(ctx: MapContext, ax: Axes, view: View) -> list[tuple[object, Box]]:
    """The scene's note marker at each annotation inside the view; their page boxes."""
    style = ctx.scene.note_style
    r = note_radius(ctx)
    boxes: list[tuple[object, Box]] = []
    xmin, ymin, xmax, ymax = view.limits
    for n, label in enumerate(ctx.scene.labels):
        if label.layer is not None:
            continue
        x, y = view.forward.transform(label.lon, label.lat)
        if not (xmin <= x <= xmax and ymin <= y <= ymax):
            continue
        ax.add_line(
            marker_line(
                [x],
                [y],
                style,
                style.marker_size * PX_TO_PT,
                zorder=NOTE_Z,
                gid=f"fg-note-{n}",
            )
        )
        px, py = view.to_page(x, y)
        boxes.append((None, (float(px) - r, float(py) - r, float(px) + r, float(py) + r)))
    return boxes


def draw_map(ctx: MapContext, ax: Axes, view: View, *, main: bool, suffix: str = "") -> Drawn:
    """Draw every shown layer (and relief and graticule over the first) into `ax`.

    `suffix` keeps SVG ids unique in magnifiers (``""`` on the main map).
    """
    drawn = Drawn()
    for n, (i, layer) in enumerate(ctx.shown):
        z = BASE_Z + 2 * n
        draw_layer(ctx, ax, view, i, layer, z, drawn, suffix)
        if n == 0:
            if ctx.scene.relief:
                draw_relief(ax, view, z + 1)
            draw_graticule(
                ax,
                view,
                ctx.page,
                z + 1.5,
                ctx.s,
                labels=main,
                edges=ctx.spec.extent if (main and ctx.fan is not None) else None,
            )
    return drawn


def draw_layer(
    ctx: MapContext,
    ax: Axes,
    view: View,
    i: int,
    layer: Layer,
    z: float,
    drawn: Drawn,
    suffix: str = "",
) -> None:
    """Draw layer `i` at z order `z`: flows, point symbols, or area/line collections."""
    if layer.kind == "flow":
        drawn.flows.extend(draw_flows(ctx, ax, view, i, layer, z, suffix))
        return
    if layer.kind == "point":
        draw_points(ctx, ax, view, i, layer, z, drawn)
        return
    geoms = clipped(ctx, i, view).to_numpy()
    groups = first_seen_groups(ctx.styles_of(i), present(geoms))
    for style, ks in groups.items():
        items = geoms[ks]
        if layer.kind == "area":
            pairs = [
                (p, k)
                for p, k in zip((polygon_path(g) for g in items), ks, strict=True)
                if p is not None
            ]
            paths = [p for p, _ in pairs]
            if not paths:
                continue
            collection = ax.add_collection(
                PathCollection(
                    paths,
                    facecolors=[rgba(style.fill, style.fill_opacity)],
                    edgecolors=[rgba(style.stroke, style.stroke_opacity)],
                    linewidths=[line_pt(style) if style.stroke else 0.0],
                    linestyles=[dash_pattern(style)],
                    joinstyle="round",
                    zorder=z,
                ),
                autolim=False,
            )
            collection.fg_features = (i, np.array([k for _, k in pairs], dtype=int))
        else:
            owned = [(seg, k) for g, k in zip(items, ks, strict=True) for seg in line_coords(g)]
            segments = [seg for seg, _ in owned]
            if not segments:
                continue
            collection = ax.add_collection(
                LineCollection(
                    segments,
                    colors=[rgba(style.stroke, style.stroke_opacity)],
                    linewidths=[line_pt(style)],
                    linestyles=[dash_pattern(style)],
                    capstyle="round",
                    joinstyle="round",
                    zorder=z,
                ),
                autolim=False,
            )
            collection.fg_features = (i, np.array([k for _, k in owned], dtype=int))


def draw_points(
    ctx: MapContext, ax: Axes, view: View, i: int, layer: Layer, z: float, drawn: Drawn
) -> None:
    """One marker per point inside the view, bigger symbols first so small ones stay on top.

    Each symbol is its own artist, so a point whose label lost to a more
    important one of the same layer can be removed.
    """
    geoms = ctx.projected[i].geometry.to_numpy()
    styles = ctx.styles_of(i)
    sizes = ctx.sizes_pt(i)
    xy, owner = shapely.get_coordinates(geoms, return_index=True)
    xmin, ymin, xmax, ymax = view.limits
    inside = (xy[:, 0] >= xmin) & (xy[:, 0] <= xmax) & (xy[:, 1] >= ymin) & (xy[:, 1] <= ymax)
    xy, owner = xy[inside], owner[inside]
    # The scene's drawing order; a feature's own points keep theirs.
    rank = np.empty(len(geoms), dtype=int)
    rank[ctx.layer(i).draw_order] = np.arange(len(geoms))
    order = np.lexsort((np.arange(len(owner)), rank[owner]))
    for k in order:
        n = int(owner[k])
        x, y = xy[k]
        style, size = styles[n], sizes[n]
        artist = ax.add_line(
            marker_line(
                [x],
                [y],
                style,
                size,
                zorder=z,
            )
        )
        px, py = view.to_page(x, y)
        r = size / 2 + line_pt(style) / 2
        key = (id(view), i, n)
        artist.fg_feature = (i, n)
        drawn.artists[key] = artist
        if ctx.layer(i).symbols_yield:
            drawn.hideable[key] = layer.id
        drawn.symbols.append((key, (float(px) - r, float(py) - r, float(px) + r, float(py) + r)))
