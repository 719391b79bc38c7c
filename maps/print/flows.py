"""Flows: proportional arrows (shaft and head as one polygon), dashed for unknown amounts.

Widths, styles and drawing order come from the scene layer; the head's proportions
from the scene's :class:`~layers.theme.ArrowShape` at the page's type scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch
from matplotlib.patches import Polygon as PolygonPatch

from geo.geometry import arrowhead
from layers import Layer
from maps.print.symbols import PX_TO_PT, dash_pattern, polygon_path, rgba, substring
from maps.print.view import View


@dataclass
class FlowRecord:
    """A drawn flow: its value (NaN if not reported), width in points and shape.

    Attributes
    ----------
    artist : matplotlib artist or None
        A filled patch (shaft and head) for reported amounts, a dashed line for
        unknown ones.
    line : shapely.LineString
        The flow line in projected metres.
    view : View
        The panel it is drawn in (the main map or a magnifier).
    head : shapely.Polygon
        The arrowhead triangle as drawn (tip, base corners), in projected metres.
    feature : int
        Position of the flow in its layer's frame.
    """

    layer: str
    value: float
    width_pt: float
    dashed: bool
    artist: object
    line: object
    view: View
    head: object = None
    feature: int = -1


def draw_flows(
    ctx, ax: Axes, view: View, i: int, layer: Layer, z: float, suffix: str = ""
) -> list[FlowRecord]:
    """Draw layer `i`'s flows in the scene's order (widest first); returns their records.

    Each flow's artist gets the SVG id ``fg-flow-I-N`` (layer index, feature) plus `suffix`.
    """
    lines = ctx.projected[i].geometry.to_numpy()
    lonlat = layer.frame.geometry.to_numpy()
    scene_layer = ctx.layer(i)
    styles = ctx.styles_of(i)
    widths = ctx.sizes_pt(i)
    values = scene_layer.values
    arrow = ctx.scene.arrow
    mpp = view.metres_per_point
    drawable = ~(shapely.is_missing(lines) | shapely.is_empty(lines)) & (
        shapely.get_type_id(lines) == shapely.GeometryType.LINESTRING
    )
    order = [int(n) for n in scene_layer.draw_order if drawable[n]]
    records = []
    for n in order:
        geom, style, width = lines[n], styles[n], float(widths[n])
        gid = f"fg-flow-{i}-{n}{suffix}"
        head_px = arrow.head(width / PX_TO_PT, scale=ctx.s)
        head_len, head_w = (v * PX_TO_PT * mpp for v in head_px)
        # The shaft runs under the head by `shaft_overlap` of its length (solid flows) or
        # stops at its base (dashed ones, so the dashes do not show through).
        shaft_end = 1.0 if style.dash else 1.0 - arrow.shaft_overlap
        length = geom.length
        tip_ll = tuple(shapely.get_coordinates(lonlat[n])[-1])
        if length > head_len * 1.2:
            # The head points from the shaft's end to the tip (not along the last
            # segment), so a curved flow meets its head without a notch.
            base = geom.interpolate(length - head_len)
            base_ll = view.inverse.transform(base.x, base.y)
            head_ll = arrowhead(shapely.LineString([base_ll, tip_ll]), head_len, head_w)
            shaft = substring(geom, length - shaft_end * head_len)
        else:
            head_ll = arrowhead(lonlat[n], head_len, head_w)
            shaft = None
        head = shapely.transform(
            head_ll, lambda c: np.column_stack(view.forward.transform(c[:, 0], c[:, 1]))
        )
        colour = rgba(style.stroke or style.fill, style.stroke_opacity)
        if style.dash:
            # Unknown amounts: a thin dashed line and a small head, never a width.
            artist = None
            if shaft is not None:
                artist = ax.add_line(
                    Line2D(
                        *np.asarray(shaft.coords).T,
                        color=colour,
                        linewidth=width,
                        linestyle=dash_pattern(style, width),
                        dash_capstyle="butt",
                        zorder=z,
                        gid=gid,
                    )
                )
            ax.add_patch(
                PolygonPatch(
                    np.asarray(head.exterior.coords),
                    closed=True,
                    facecolor=rgba(style.fill or style.stroke, style.fill_opacity),
                    edgecolor="none",
                    zorder=z + 0.5,
                    gid=f"{gid}-head",
                )
            )
        else:
            # One polygon for shaft and head: no darker overlap where they meet.
            body = head
            if shaft is not None:
                body = shapely.union(
                    shaft.buffer(width * mpp / 2, cap_style="flat", join_style="round"), head
                )
            artist = ax.add_patch(
                PathPatch(polygon_path(body), facecolor=colour, edgecolor="none", zorder=z, gid=gid)
            )
        value = float(values[n]) if values is not None else float("nan")
        records.append(
            FlowRecord(layer.id, value, width, bool(style.dash), artist, geom, view, head, n)
        )
    return records
