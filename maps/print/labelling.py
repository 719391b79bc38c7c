"""Label candidates: what each layer and annotation would like to label, and where.

Candidates carry their positions (best first) and are sorted by priority; the
collision solver (:mod:`maps.print.placement`) then keeps what fits. Which
labels come first and how they look is decided in :mod:`maps.print.thematic`.
"""

from __future__ import annotations

import dataclasses
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers import Layer
from maps.print.context import MapContext, clipped
from maps.print.drawing import Drawn, point_sizes
from maps.print.placement import Candidate, Position, point_positions
from maps.print.text import Box, TextStyle, measure
from maps.print.thematic import ANNOTATION_STYLE, label_rank, label_styles, labelled_in_insets
from maps.print.view import View

# A candidate with its sort key: (rank, -priority, feature position).
Ranked = tuple[tuple[float, float, int], Candidate]


def annotation_candidates(ctx: MapContext, view: View, region) -> list[Ranked]:
    """The spec's annotations inside the map, placed first and always (``force``)."""
    out = []
    style = ANNOTATION_STYLE.scaled(ctx.s)
    for n, note in enumerate(ctx.composition.annotations):
        x, y = view.forward.transform(note.lon, note.lat)
        px, py = view.to_page(x, y)
        if not inside_point(px, py, view.box):
            continue
        positions = point_positions(float(px), float(py), 3.5 * ctx.s, note.text, style)
        cand = Candidate(
            note.text,
            style,
            positions,
            shrink(view.box, 2),
            None,
            "annotation",
            force=True,
            region=region,
        )
        out.append(((0.0, 0, n), cand))
    return out


def label_texts(layer: Layer, frame: gpd.GeoDataFrame) -> np.ndarray:
    """Each feature's label text, stripped; None where there is none."""
    out = np.full(len(frame), None, dtype=object)
    if layer.label not in frame:
        return out
    for k, text in enumerate(frame[layer.label].to_numpy(dtype=object)):
        if text is None or (isinstance(text, float) and math.isnan(text)):
            continue
        text = str(text).strip()
        if text:
            out[k] = text
    return out


def label_candidates(
    ctx: MapContext, view: View, drawn: Drawn, *, inset: bool, region=None
) -> list[Ranked]:
    """Candidates for every labelled layer's features in `view` (main map or magnifier)."""
    out = []
    frame_box = shrink(view.box, 2.5 * ctx.s)
    factor = ctx.s * (0.9 if inset else 1.0)
    for i, layer in ctx.shown:
        if not layer.label or not ctx.composition.labelled[i]:
            continue
        if inset and not labelled_in_insets(layer):
            continue
        frame = ctx.projected[i]
        priority = (
            pd.to_numeric(frame[layer.label_priority], errors="coerce").fillna(-np.inf).to_numpy()
            if layer.label_priority
            else np.zeros(len(frame))
        )
        rank = label_rank(i, layer)
        geoms = clipped(ctx, i, view) if layer.kind != "point" else frame.geometry
        if not inset and ctx.fan is not None:
            geoms = gpd.GeoSeries(shapely.intersection(geoms.to_numpy(), ctx.fan))
        geoms = geoms.to_numpy()
        texts = label_texts(layer, frame)
        styles = label_styles(layer, frame)
        sizes = point_sizes(ctx, i) if layer.kind == "point" else None
        for n in np.flatnonzero(pd.notna(texts)):
            n = int(n)
            geom = geoms[n]
            if geom is None or geom.is_empty:
                continue
            style = styles[n].scaled(factor)
            shown = style.text(texts[n])
            key = (id(view), i, n)
            if layer.kind == "point":
                cand = point_candidate(view, layer, geom, shown, style, frame_box, key, sizes[n])
            else:
                cand = shape_candidate(ctx, view, i, n, layer, geom, shown, style, frame_box, drawn)
            if cand is not None and not inset and region is not None:
                cand = dataclasses.replace(cand, region=region)
            if cand is not None:
                out.append(((rank, -float(priority[n]), n), cand))
    return out


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
) -> Candidate | None:
    """Along a line, inside an area, or beside an area too small for its name."""
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
