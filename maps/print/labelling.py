"""Label candidates: the scene's label plan turned into positions on the page.

:func:`plan_candidates` walks :attr:`maps.scene.Scene.labels` in plan order and
gives each label its positions on the main map (and in magnifiers, for roles
labelled there); the collision solver (:mod:`maps.print.placement`) keeps what
fits, earlier labels first. Typography comes from the label's
:class:`~layers.theme.LabelRole`; nothing here decides which labels matter.
"""

from __future__ import annotations

import dataclasses
import math

import shapely

from layers import Layer
from layers.theme import LabelRole
from maps.print.context import MapContext, clipped
from maps.print.drawing import Drawn, note_radius
from maps.print.placement import Candidate, Position, point_positions
from maps.print.text import Box, TextStyle, measure
from maps.print.view import View
from maps.scene import Label

INSET_TYPE = 0.9  # labels in magnifiers are set a little smaller


@dataclasses.dataclass(frozen=True)
class Panel:
    """A map panel labels go in: the main map or a magnifier.

    Attributes
    ----------
    suffix : str
        Appended to label ids (``""`` on the main map, ``-m1``... in magnifiers).
    region : shapely geometry or None
        The fan-shaped main map's outline in page points, if any.
    """

    view: View
    drawn: Drawn
    main: bool
    suffix: str = ""
    region: object = None


def text_style(role: LabelRole, factor: float) -> TextStyle:
    """The print style of a label role, at `factor` times its size."""
    base = TextStyle(role.size, role.weight, role.style, role.colour, role.halo, role.uppercase)
    return base.scaled(factor)


def plan_candidates(ctx: MapContext, panels: list[Panel]) -> list[Candidate]:
    """Candidates for the scene's labels, in plan order; each label on the main map first.

    Labels of hidden layers are skipped; in magnifiers only roles with ``in_insets``.
    Annotations are forced on the main map (always shown).
    """
    out = []
    cache: dict[tuple[int, int], object] = {}
    for plan, label in enumerate(ctx.scene.labels):
        if label.layer is not None and not ctx.layer(label.layer).visible:
            continue
        look = label.look
        for panel in panels:
            if not panel.main and not look.in_insets:
                continue
            style = text_style(look, ctx.s * (1.0 if panel.main else INSET_TYPE))
            cand = label_candidate(ctx, panel, label, style, cache)
            if cand is not None:
                gid = f"fg-label-{plan}{panel.suffix}"
                out.append(dataclasses.replace(cand, plan=plan, gid=gid))
    return out


def label_candidate(
    ctx: MapContext, panel: Panel, label: Label, style: TextStyle, cache: dict
) -> Candidate | None:
    """One label's candidate in one panel (None where it has no place there)."""
    view = panel.view
    text = style.text(label.text)
    if label.layer is None:
        x, y = view.forward.transform(label.lon, label.lat)
        px, py = view.to_page(x, y)
        if not inside_point(px, py, view.box):
            return None
        positions = point_positions(float(px), float(py), note_radius(ctx), text, style)
        return Candidate(
            text,
            style,
            positions,
            shrink(view.box, 2),
            None,
            "annotation",
            force=panel.main,
            region=panel.region,
        )
    i, n = label.layer, label.feature
    layer = ctx.layer(i).layer
    frame_box = shrink(view.box, 2.5 * ctx.s)
    if layer.kind == "point":
        geom = ctx.projected[i].geometry.iloc[n]
        size = float(ctx.sizes_pt(i)[n])
        cand = point_candidate(view, layer, geom, text, style, frame_box, (id(view), i, n), size)
    else:
        if (id(view), i) not in cache:
            cache[(id(view), i)] = clipped(ctx, i, view).to_numpy()
        geom = cache[(id(view), i)][n]
        if panel.main and ctx.fan is not None and geom is not None:
            geom = shapely.intersection(geom, ctx.fan)
        if geom is None or geom.is_empty:
            return None
        cand = shape_candidate(
            ctx, view, i, n, layer, geom, text, style, frame_box, panel.drawn, label.look.beside
        )
    if cand is not None and panel.main and panel.region is not None:
        cand = dataclasses.replace(cand, region=panel.region)
    return cand


def point_candidate(
    view: View, layer: Layer, geom, text: str, style: TextStyle, frame_box: Box, key, size: float
) -> Candidate | None:
    """Positions around a point symbol of diameter `size` (None if outside the view)."""
    xmin, ymin, xmax, ymax = view.limits
    x, y = shapely.get_coordinates(geom)[0]
    if not (xmin <= x <= xmax and ymin <= y <= ymax):
        return None
    px, py = view.to_page(x, y)
    positions = point_positions(float(px), float(py), size / 2, text, style)
    return Candidate(text, style, positions, frame_box, key, layer.id)


def shape_candidate(
    ctx: MapContext,
    view: View,
    i: int,
    n: int,
    layer: Layer,
    geom,
    text: str,
    style: TextStyle,
    frame_box: Box,
    drawn: Drawn,
    beside: bool = True,
) -> Candidate | None:
    """Along a line, inside an area, or beside an area too small for its name (if `beside`)."""
    key = (id(view), i, n)
    xmin, ymin, xmax, ymax = view.limits
    visible = shapely.clip_by_rect(geom, xmin, ymin, xmax, ymax)
    if visible.is_empty:
        return None
    if layer.kind in ("line", "flow"):
        return line_candidate(ctx, view, layer, visible, text, style, frame_box)
    polygons = shapely.get_parts(visible)
    polygons = [p for p in polygons if p.geom_type == "Polygon" and p.area > 0]
    if not polygons:
        return None
    part = max(polygons, key=lambda p: p.area)
    w, h = measure(text, style)
    mpp = view.metres_per_point
    bx0, by0, bx1, by1 = part.bounds
    if (bx1 - bx0) / mpp >= w * 1.15 and (by1 - by0) / mpp >= h * 1.8:
        positions = area_positions(view, part, w, h)
        if positions:
            return Candidate(text, style, positions, frame_box, key, layer.id)
    if not beside:
        return None  # e.g. a country's name: inside its own polygon or not at all
    whole = ctx.projected[i].geometry.iloc[n].bounds
    if max(whole[2] - whole[0], whole[3] - whole[1]) / mpp > 3 * w:
        return None  # a big area mostly out of view: a name beside it would mislead
    # Too small to hold its name: label it from outside, and keep other labels off it.
    vx0, vy0, vx1, vy1 = visible.bounds
    px0, py0 = view.to_page(vx0, vy0)
    px1, py1 = view.to_page(vx1, vy1)
    drawn.symbols.append((key, (float(px0), float(py0), float(px1), float(py1))))
    positions = point_positions(
        float(px0 + px1) / 2,
        float(py0 + py1) / 2,
        max(float(px1 - px0) / 2, 1.5),
        text,
        style,
        radius_y=max(float(py1 - py0) / 2, 1.5),
    )
    return Candidate(text, style, positions, frame_box, key, layer.id)


def line_candidate(
    ctx: MapContext, view: View, layer: Layer, visible, text: str, style: TextStyle, frame_box: Box
) -> Candidate | None:
    """Positions along the three longest visible parts of a line, text kept near level."""
    parts = [
        p for p in shapely.get_parts(shapely.line_merge(visible)) if p.geom_type == "LineString"
    ]
    if not parts:
        return None
    w, h = measure(text, style)
    mpp = view.metres_per_point
    positions = []
    for part in sorted(parts, key=lambda p: -p.length)[:3]:
        length_pt = part.length / mpp
        if length_pt < w * 1.4:
            continue
        for f in (0.5, 0.35, 0.65, 0.2, 0.8):
            d = part.length * f
            a = part.interpolate(max(d - w * mpp / 2, 0))
            b = part.interpolate(min(d + w * mpp / 2, part.length))
            mid = part.interpolate(d)
            angle = math.degrees(math.atan2(b.y - a.y, b.x - a.x))
            if angle > 90:
                angle -= 180
            elif angle <= -90:
                angle += 180
            if abs(angle) > 60:
                continue
            nx, ny = -math.sin(math.radians(angle)), math.cos(math.radians(angle))
            px, py = view.to_page(mid.x, mid.y)
            off = h / 2 + 1.5 * ctx.s + style.halo
            positions.append(Position(float(px) + nx * off, float(py) + ny * off, angle))
    if not positions:
        return None
    return Candidate(text, style, positions, frame_box, None, layer.id)


def area_positions(view: View, part, w: float, h: float) -> list[Position]:
    """Label centres inside a polygon part.

    Its pole of inaccessibility first, then a grid of nearby alternatives
    whose box lies (almost) inside the polygon.
    """
    mpp = view.metres_per_point
    tolerance = max(mpp, 1.0)
    circle = shapely.maximum_inscribed_circle(part, tolerance)
    centre = shapely.get_coordinates(circle)[0]
    px, py = view.to_page(centre[0], centre[1])
    bx0, by0, bx1, by1 = part.bounds
    qx0, qy0 = view.to_page(bx0, by0)
    qx1, qy1 = view.to_page(bx1, by1)
    step_x, step_y = w / 2, 1.6 * h
    nx = int((float(qx1) - float(qx0)) / step_x) + 1
    ny = int((float(qy1) - float(qy0)) / step_y) + 1
    offsets = [(0.0, 0.0)]
    for ix in range(-nx, nx + 1):
        for iy in range(-ny, ny + 1):
            if ix or iy:
                offsets.append((ix * step_x, iy * step_y))
    offsets.sort(key=lambda o: ((o[0] / w) ** 2 + (o[1] / (2 * h)) ** 2, o))
    shapely.prepare(part)
    out = []
    for dx, dy in offsets:
        cx, cy = float(px) + dx, float(py) + dy
        x, y = view.to_map(cx, cy)
        half_w, half_h = w / 2 * mpp, h / 2 * mpp
        rect = shapely.box(x - half_w, y - half_h, x + half_w, y + half_h)
        if shapely.contains(part, rect) or shapely.intersection(part, rect).area >= 0.9 * rect.area:
            out.append(Position(cx, cy))
        if len(out) >= 40:
            break
    return out


def inside_point(px, py, box: Box) -> bool:
    """Whether page point (px, py) lies in `box`."""
    return box[0] <= px <= box[2] and box[1] <= py <= box[3]


def shrink(box: Box, d: float) -> Box:
    """`box` inset by `d` on every side."""
    return (box[0] + d, box[1] + d, box[2] - d, box[3] - d)
