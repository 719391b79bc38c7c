"""Flows: proportional arrows (shaft and head as one polygon), dashed for unknown amounts."""

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
from maps.print.symbols import (
    dash_pattern,
    feature_sizes,
    feature_styles,
    polygon_path,
    rgba,
    size_values,
    substring,
)
from maps.print.thematic import arrowhead_size
from maps.print.view import View

# How far back from the head's base the shaft ends (× head length): under the head for
# solid flows, at its base for dashed ones (so the dashes do not show through).
SHAFT_END = {False: 0.75, True: 1.0}


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
    """

    layer: str
    value: float
    width_pt: float
    dashed: bool
    artist: object
    line: object
    view: View


def draw_flows(ctx, ax: Axes, view: View, i: int, layer: Layer, z: float) -> list[FlowRecord]:
    """Draw layer `i`'s flows, widest first; returns their records in drawing order."""
    lines = ctx.projected[i].geometry.to_numpy()
    lonlat = layer.frame.geometry.to_numpy()
    styles = feature_styles(layer)
    widths = feature_sizes(layer, styles, fallback="stroke_width")
    values = size_values(layer)
    mpp = view.metres_per_point
    keep = np.flatnonzero(
        ~(shapely.is_missing(lines) | shapely.is_empty(lines))
        & (shapely.get_type_id(lines) == shapely.GeometryType.LINESTRING)
    )
    order = keep[np.lexsort((keep, -widths[keep]))]
    records = []
    for n in order:
        geom, style, width = lines[n], styles[n], float(widths[n])
        head_len, head_w = (v * mpp for v in arrowhead_size(width, ctx.s))
        length = geom.length
        tip_ll = tuple(shapely.get_coordinates(lonlat[n])[-1])
        if length > head_len * 1.2:
            # The head points from the shaft's end to the tip (not along the last
            # segment), so a curved flow meets its head without a notch.
            base = geom.interpolate(length - head_len)
            base_ll = view.inverse.transform(base.x, base.y)
            head_ll = arrowhead(shapely.LineString([base_ll, tip_ll]), head_len, head_w)
            shaft = substring(geom, length - SHAFT_END[bool(style.dash)] * head_len)
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
                    )
                )
            ax.add_patch(
                PolygonPatch(
                    np.asarray(head.exterior.coords),
                    closed=True,
                    facecolor=rgba(style.fill or style.stroke, style.fill_opacity),
                    edgecolor="none",
                    zorder=z + 0.5,
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
                PathPatch(polygon_path(body), facecolor=colour, edgecolor="none", zorder=z)
            )
        value = float(values[n]) if layer.size is not None else float("nan")
        records.append(FlowRecord(layer.id, value, width, bool(style.dash), artist, geom, view))
    return records
