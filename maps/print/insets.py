"""Insets: locator, magnifier and context panels, and the scale-bar panel, placed in the map.

:func:`place_insets` asks for one slot per inset (corners before edges, away
from busy parts of the map and from magnified areas), draws each and returns
:class:`PlacedInset` records plus the :class:`ScalePanel` it drew.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.patches import Polygon as PolygonPatch
from matplotlib.patches import Rectangle

import geo
from geo.crs import crs_for_extent
from layers import Layer
from layers.theme import PAPER, SEA
from maps.compose import CLIP_MARGIN
from maps.print.context import MapContext, clipped
from maps.print.drawing import Drawn, draw_map
from maps.print.furniture import (
    NORTH_ARROW_THRESHOLD,
    ScaleBar,
    convergence,
    draw_north_arrow,
    draw_scale_bar,
    furniture_box,
    max_convergence,
    scale_bar_geometry,
    scale_note,
    scale_variation,
)
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
from maps.print.text import Box, TextStyle, put_text
from maps.print.view import (
    View,
    fill_limits,
    fit_limits,
    frame_axes,
    geometry_on_page,
    projected_bounds,
    view_outline,
)
from maps.scene import locator_dataset
from maps.spec import Inset

# Above this scale variation across the map (max/min - 1) the scale bar says where it is true.
SCALE_NOTE_VARIATION = 0.02


@dataclass
class InsetRecord:
    """An inset as drawn: its kind, page box (points) and projected window.

    Attributes
    ----------
    axes : matplotlib.axes.Axes or None
        The inset's axes (None for the scale-bar panel).
    drawn : Drawn or None
        Symbols drawn in a magnifier, for label placement.
    suffix : str
        Appended to the SVG ids of a magnifier's flows and labels (``-m1``, ``-m2``...).
    """

    kind: str
    title: str
    box: Box
    view: View
    axes: Axes | None = field(default=None, repr=False)
    drawn: Drawn | None = field(default=None, repr=False)
    suffix: str = ""


@dataclass(frozen=True)
class PlacedInset:
    """An inset (or the scale panel) and the page slot it took, title included."""

    record: InsetRecord
    slot: Box


@dataclass(frozen=True)
class InsetRequest:
    """An inset asking for room: its size in points and the height of its title."""

    kind: str
    inset: Inset | None
    width: float
    height: float
    title_h: float


@dataclass(frozen=True)
class ScalePanel:
    """The scale-bar panel: its size, the bar's target length, north arrow and note.

    `note` says whether the bar carries a "scale varies" note (the scale changes by
    more than SCALE_NOTE_VARIATION across the map).
    """

    width: float
    height: float
    bar_target: float
    north: bool
    note: bool
    convergence_deg: float
    variation: float


@dataclass
class PlacedInsets:
    """What :func:`place_insets` drew."""

    placed: list[PlacedInset]
    panel: ScalePanel
    scale_bar: ScaleBar | None = None


def scale_panel(ctx: MapContext, view: View) -> ScalePanel:
    """Size and contents of the main map's scale-bar (and north-arrow) panel."""
    s = ctx.s
    box = view.box
    mw = box[2] - box[0]
    convergence_deg = max_convergence(view)
    north = convergence_deg > NORTH_ARROW_THRESHOLD
    bar_target = min(0.2 * mw, 150 * s)
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    bar_pt = scale_bar_geometry(view, cx - bar_target / 2, cy, bar_target).points
    variation = scale_variation(view, ctx.fan)
    note = variation > SCALE_NOTE_VARIATION
    panel_h = (31 if note else 25) * s
    panel_w = bar_pt + 30 * s + (22 * s if north else 0)
    if note:
        panel_w = max(panel_w, 78 * s + (22 * s if north else 0))
    return ScalePanel(panel_w, panel_h, bar_pt * 1.02, north, note, convergence_deg, variation)


def inset_requests(ctx: MapContext, view: View) -> list[InsetRequest]:
    """Magnifier and context insets in spec order, then the first locator."""
    s = ctx.s
    box = view.box
    mw, mh = box[2] - box[0], box[3] - box[1]
    requests: list[InsetRequest] = []
    for inset in ctx.spec.insets:
        title_h = 10 * s if inset.title else 0
        if inset.kind == "magnifier":
            b = projected_bounds(ctx.crs, inset.extent)
            aspect = (b[2] - b[0]) / (b[3] - b[1])
            w = math.sqrt(0.15 * mw * mh * aspect)
            w = min(w, 0.5 * mw, 0.42 * mh * aspect)
            requests.append(InsetRequest("magnifier", inset, w, w / aspect, title_h))
        elif inset.kind == "context":
            crs = crs_for_extent(inset.extent)
            b = projected_bounds(crs, inset.extent)
            aspect = (b[2] - b[0]) / (b[3] - b[1])
            w = min(math.sqrt(0.09 * mw * mh * aspect), 0.36 * mw, 0.36 * mh * aspect)
            requests.append(InsetRequest("context", inset, w, w / aspect, title_h))
    for inset in ctx.spec.insets:
        if inset.kind == "locator":
            w = min(max(0.2 * mw, 70 * s), 125 * s)
            requests.append(InsetRequest("locator", inset, w, w / 1.45, 0))
            break
    return requests


def place_insets(ctx: MapContext, ax: Axes, view: View) -> PlacedInsets:
    """Find a slot for every inset and the scale panel, and draw them there.

    Context insets draw the layers the scene clipped for them (:attr:`Scene.insets`);
    the locator shows the scene's locator window.
    """
    context_layers = {
        si.inset: list(si.layers) for si in ctx.scene.insets if si.inset.kind == "context"
    }
    # titles as the scene words them (the locator's is the scene's locator window's)
    titles = {si.inset: si.title for si in ctx.scene.insets}
    locator_title = ctx.scene.locator.title if ctx.scene.locator is not None else ""
    magnifiers = 0
    s = ctx.s
    box = view.box
    panel = scale_panel(ctx, view)
    requests = inset_requests(ctx, view)
    requests.append(InsetRequest("scale", None, panel.width, panel.height, 0))

    density = Density(ctx, view, main=True)
    taken: list[Box] = []
    avoid: list[Box] = []
    for request in requests:
        if request.kind == "magnifier":
            b = projected_bounds(ctx.crs, request.inset.extent)
            px0, py0 = view.to_page(b[0], b[1])
            px1, py1 = view.to_page(b[2], b[3])
            avoid.append((float(px0), float(py0), float(px1), float(py1)))
    out = PlacedInsets([], panel)
    pad = 5 * s
    for request in requests:
        kind, inset, title_h = request.kind, request.inset, request.title_h
        slot_w, slot_h = request.width, request.height + title_h
        spots = slots(box, slot_w, slot_h, pad, bottom_first=(kind == "scale"))
        best = None
        for order, spot in enumerate(spots):
            if any(overlap_area(spot, t) > 0 for t in taken):
                continue
            edge = 0.0 if order < 4 or kind == "scale" else 2.0  # corners before edges
            score = (
                edge
                + density.score(spot)
                + sum(1e4 * overlap_area(spot, a) / (slot_w * slot_h) for a in avoid)
            )
            if best is None or (score, order) < best[0]:
                best = ((score, order), spot)
        if best is None:  # no room: shrink into the last corner
            best = ((0, 0), spots[0])
        spot = best[1]
        taken.append(spot)
        inner = (spot[0], spot[1], spot[2], spot[3] - title_h)
        if kind == "scale":
            out.scale_bar = draw_scale_panel(ctx, ax, view, spot, panel)
            out.placed.append(PlacedInset(InsetRecord("scale", "", spot, view), spot))
            continue
        suffix = ""
        if kind == "magnifier":
            magnifiers += 1
            suffix = f"-m{magnifiers}"
        record = draw_inset(ctx, ax, view, kind, inset, inner, context_layers, suffix)
        if inset is not None and inset.title:
            put_text(
                ax,
                spot[0] + 1,
                inner[3] + 3 * s,
                locator_title if inset.kind == "locator" else titles[inset],
                TextStyle(6.8 * s, weight="bold", halo=1.2 * s),
                ctx.page,
                zorder=95,
            )
        out.placed.append(PlacedInset(record, spot))
    return out


def draw_scale_panel(
    ctx: MapContext, ax: Axes, view: View, spot: Box, panel: ScalePanel
) -> ScaleBar:
    """The scale bar (true at the map's centre if the scale varies) and north arrow."""
    s = ctx.s
    furniture_box(ax, ctx.page, spot)
    arrow_w = 22 * s if panel.north else 0
    bar_x = spot[0] + 7 * s
    bar_y = spot[1] + (13 if panel.note else 7) * s
    at = None
    if panel.note:  # the scale varies: make the bar true at the map's centre
        c = (ctx.fan if ctx.fan is not None else shapely.box(*view.limits)).centroid
        at = (c.x, c.y)
    bar = scale_bar_geometry(view, bar_x, bar_y, panel.bar_target, at=at)
    note = scale_note(bar.lat) if panel.note else ""
    draw_scale_bar(ax, ctx.page, bar, bar_x, bar_y, s, note=note)
    if panel.north:
        cx = spot[2] - arrow_w / 2 - 2 * s
        cy = (spot[1] + spot[3]) / 2 - 2 * s
        lon, lat = view.inverse.transform(*view.to_map(cx, cy))
        draw_north_arrow(ax, ctx.page, cx, cy, convergence(view, lon, lat), s)
    return bar


def draw_inset(
    ctx: MapContext,
    ax: Axes,
    view: View,
    kind: str,
    inset: Inset,
    inner: Box,
    context_layers: dict[Inset, list[Layer]],
    suffix: str = "",
) -> InsetRecord:
    """Draw one inset in the page box `inner` (inset axes on the main map's axes)."""
    s = ctx.s
    box = view.box
    bounds = [
        (inner[0] - box[0]) / (box[2] - box[0]),
        (inner[1] - box[1]) / (box[3] - box[1]),
        (inner[2] - inner[0]) / (box[2] - box[0]),
        (inner[3] - inner[1]) / (box[3] - box[1]),
    ]
    iax = ax.inset_axes(bounds, zorder=90)
    title = inset.title if inset is not None else ""
    if kind == "magnifier":
        ib = projected_bounds(ctx.crs, inset.extent)
        limits = fit_limits(ib, inner)
        iview = View(ctx.crs, limits, inner)
        frame_axes(iax, iview, PAPER)
        drawn = draw_map(ctx, iax, iview, main=False, suffix=suffix)
        bar_target = 0.3 * (inner[2] - inner[0])
        bar = scale_bar_geometry(iview, inner[0] + 6 * s, inner[1] + 5 * s, bar_target)
        panel_w, panel_h = bar.points + 26 * s, 17 * s
        density = Density(ctx, iview, main=False)
        spots = slots(inner, panel_w, panel_h, 2 * s, bottom_first=True)
        panel = min(spots, key=lambda b: (density.score(b), spots.index(b)))
        furniture_box(iax, ctx.page, panel)
        bar = scale_bar_geometry(iview, panel[0] + 4 * s, panel[1] + 3 * s, bar_target)
        draw_scale_bar(iax, ctx.page, bar, panel[0] + 4 * s, panel[1] + 3 * s, s * 0.9)
        drawn.symbols.append((None, panel))
        # The magnified window, outlined on the main map.
        x0, y0, x1, y1 = limits
        ax.add_patch(
            Rectangle(
                (x0, y0),
                x1 - x0,
                y1 - y0,
                facecolor="none",
                edgecolor="#1d1d1d",
                linewidth=0.9,
                zorder=85,
            )
        )
        record = InsetRecord("magnifier", title, inner, iview, suffix=suffix)
        record.drawn = drawn
    else:
        if kind == "locator":
            window = ctx.scene.locator.window
            extra: list[Layer] = []
        else:
            window = inset.extent
            extra = context_layers[inset]
        crs = crs_for_extent(window)
        wb = projected_bounds(crs, window)
        limits = fill_limits(wb, inner)
        iview = View(crs, limits, inner)
        frame_axes(iax, iview, SEA)
        draw_world(iax, iview, window)
        for n, layer in enumerate(extra):
            draw_simple_layer(iax, iview, layer, 20 + n)
        # Where the main map sits.
        xs, ys = view_outline(view)
        lon, lat = view.inverse.transform(xs, ys)
        px, py = iview.forward.transform(lon, lat)
        iax.add_patch(
            PolygonPatch(
                np.column_stack([px, py]),
                closed=True,
                facecolor=(0.75, 0.16, 0.11, 0.15),
                edgecolor="#b3261e",
                linewidth=1.1,
                zorder=50,
            )
        )
        record = InsetRecord(kind, title, inner, iview)
    record.axes = iax
    return record


def draw_world(ax: Axes, view: View, window) -> None:
    """World countries around a lon/lat `window`, as one collection (locator backdrop)."""
    world = geo.load(locator_dataset(window))
    west, south, east, north = window
    dx, dy = (east - west) * CLIP_MARGIN, (north - south) * CLIP_MARGIN
    grown = (
        max(west - dx, -180),
        max(south - dy, -85),
        min(east + dx, 180),
        min(north + dy, 85),
    )
    world = world[world.intersects(shapely.box(*grown))]
    world = world.assign(geometry=shapely.clip_by_rect(world.geometry.to_numpy(), *grown))
    world = world[~world.geometry.is_empty]
    projected = world.to_crs(view.crs)
    projected = projected[np.isfinite(projected.geometry.bounds.to_numpy()).all(axis=1)]
    paths = [p for p in (polygon_path(g) for g in projected.geometry) if p is not None]
    ax.add_collection(
        PathCollection(
            paths,
            facecolors=["#ece7df"],
            edgecolors=["#a59d92"],
            linewidths=[0.3],
            zorder=5,
        ),
        autolim=False,
    )


def draw_simple_layer(ax: Axes, view: View, layer: Layer, z: float) -> None:
    """A context inset's layer: one collection (or marker line) per style, no labels."""
    geoms = layer.frame.to_crs(view.crs).geometry.to_numpy()
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    table, codes = layer.style_codes()
    styles = np.empty(len(table), dtype=object)
    styles[:] = list(table)
    for style, ks in first_seen_groups(styles[np.asarray(codes, dtype=int)], keep).items():
        items = geoms[ks]
        if layer.kind == "area":
            paths = [p for p in (polygon_path(g) for g in items) if p is not None]
            ax.add_collection(
                PathCollection(
                    paths,
                    facecolors=[rgba(style.fill, style.fill_opacity)],
                    edgecolors=[rgba(style.stroke, style.stroke_opacity)],
                    linewidths=[line_pt(style) * 0.8],
                    linestyles=[dash_pattern(style)],
                    zorder=z,
                ),
                autolim=False,
            )
        elif layer.kind in ("line", "flow"):
            segs = [seg for g in items for seg in line_coords(g)]
            ax.add_collection(
                LineCollection(
                    segs,
                    colors=[rgba(style.stroke, style.stroke_opacity)],
                    linewidths=[line_pt(style)],
                    linestyles=[dash_pattern(style)],
                    zorder=z,
                ),
                autolim=False,
            )
        else:
            xy = shapely.get_coordinates(items)
            ax.add_line(
                marker_line(
                    xy[:, 0],
                    xy[:, 1],
                    style,
                    style.marker_size * PX_TO_PT * 0.8,
                    zorder=z,
                )
            )


def slots(box: Box, w: float, h: float, pad: float, *, bottom_first: bool) -> list[Box]:
    """Candidate `w` × `h` boxes inside `box`: corners then edge middles (or bottom row first)."""
    x0, y0, x1, y1 = box
    left, right, centre_x = x0 + pad, x1 - pad - w, (x0 + x1 - w) / 2
    bottom, top, middle_y = y0 + pad, y1 - pad - h, (y0 + y1 - h) / 2
    corners = [(left, top), (right, top), (left, bottom), (right, bottom)]
    edges = [(centre_x, bottom), (centre_x, top), (left, middle_y), (right, middle_y)]
    spots = corners + edges
    if bottom_first:
        spots = [(left, bottom), (right, bottom), (centre_x, bottom), (left, top), (right, top)]
    return [(x, y, x + w, y + h) for x, y in spots]


def overlap_area(a: Box, b: Box) -> float:
    """Area shared by two boxes."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(w, 0) * max(h, 0)


class Density:
    """How much map content lies under a page box, for choosing inset corners."""

    def __init__(self, ctx: MapContext, view: View, *, main: bool) -> None:
        self.view = view
        self.points: list[tuple[float, float]] = []
        self.lines: list = []
        self.areas: list = []
        total = shapely.box(*view.limits).area
        for i, layer in ctx.shown:
            geoms = clipped(ctx, i, view).to_numpy()
            if ctx.fan is not None and main:
                geoms = shapely.intersection(geoms, ctx.fan)
            geoms = geoms[~shapely.is_empty(geoms) & ~shapely.is_missing(geoms)]
            if layer.kind == "point":
                xy = shapely.get_coordinates(geoms)
                px, py = view.to_page(xy[:, 0], xy[:, 1]) if len(xy) else ([], [])
                self.points.extend(
                    zip(np.asarray(px).tolist(), np.asarray(py).tolist(), strict=True)
                )
            elif layer.kind in ("line", "flow"):
                self.lines.extend(geometry_on_page(view, g) for g in geoms)
            else:
                for g in geoms:
                    # Basemap-like areas covering much of the map say nothing about focus.
                    if g.area < 0.5 * total:
                        self.areas.append(geometry_on_page(view, g))

    def score(self, box: Box) -> float:
        """Points inside, line length across and area share of small areas under `box`."""
        rect = shapely.box(*box)
        area = rect.area
        score = sum(1.0 for x, y in self.points if box[0] <= x <= box[2] and box[1] <= y <= box[3])
        diag = (box[2] - box[0]) + (box[3] - box[1])
        score += sum(shapely.intersection(g, rect).length for g in self.lines) / diag
        score += 3 * sum(shapely.intersection(g, rect).area for g in self.areas) / area
        return score
