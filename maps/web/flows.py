"""Flow layers: lines as wide as their size scale says, each ending in an arrowhead."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import shapely
from shapely.ops import substring

from geo import geometry as geom
from geo.crs import named_crs
from layers import Layer, Style
from maps.web.encoding import Encoder
from maps.web.payload import Styles, common_props, feature_json, time_groups
from maps.web.text import as_float
from maps.web.view import Scale

# Flow arrowheads, as multiples of the line width (as in geo.geometry.flow_geometries).
HEAD_LENGTH = 3.0
HEAD_WIDTH = 2.5
MIN_HEAD_BASIS_PX = 2.5


def arrowhead_size(width_px: float, metres_per_px: float) -> tuple[float, float]:
    """Length and width in metres of the arrowhead of a flow `width_px` wide."""
    basis = max(width_px, MIN_HEAD_BASIS_PX) * metres_per_px
    return HEAD_LENGTH * basis, HEAD_WIDTH * basis


def flow_features(layer: Layer, scale: Scale) -> tuple[list[str], Styles]:
    """Flow lines (width from the size scale, butt ends) each followed by its arrowhead."""
    frame = layer.frame[~(layer.frame.geometry.isna() | layer.frame.geometry.is_empty)]
    styles = Styles("flow")
    if frame.empty:
        return [], styles
    widths = {
        i: (
            layer.size.size(as_float(frame.at[i, layer.size.column]))
            if layer.size is not None
            else layer.style_of(frame.loc[i]).stroke_width
        )
        for i in frame.index
    }
    heads: dict[Any, shapely.Geometry] = {}
    trims: dict[Any, float] = {}
    for i in frame.index:
        line = _last_line(frame.geometry[i])
        if line is None:
            continue
        tip_lat = shapely.get_coordinates(line)[-1][1]
        metres_per_px = geom.tolerance_for_zoom(scale.reference_zoom, tip_lat)
        length, width = arrowhead_size(widths[i], metres_per_px)
        try:
            heads[i] = geom.arrowhead(line, length, width)
        except ValueError:
            continue
        trims[i] = 0.5 * length
    lines = _trimmed(frame, trims)
    prepared = geom.round_coordinates(geom.simplify_lines(lines, scale.tolerance_m), scale.decimals)
    head_frame = (
        geom.round_coordinates(gpd.GeoSeries(heads, crs=frame.crs), scale.decimals)
        if heads
        else gpd.GeoSeries([], crs=frame.crs)
    )
    groups = time_groups(layer, frame)
    encoder = Encoder(scale.decimals)
    features: list[str] = []
    for i in sorted(frame.index, key=lambda i: -widths[i]):  # thin flows on top
        row = frame.loc[i]
        group = groups.get(i)
        base = common_props(layer, row, None if group is None else 2 * group)
        flow_style = layer.style_of(row)
        g = prepared.geometry.loc[i]
        if g is not None and not g.is_empty:
            props = {**base, "s": styles.index(flow_style), "w": round(widths[i], 2)}
            features.append(feature_json(encoder.geometry(g), props))
        if i in heads:
            head_style = Style(
                fill=flow_style.stroke or flow_style.fill,
                fill_opacity=flow_style.stroke_opacity,
                stroke=None,
            )
            props = {**base, "s": styles.index(head_style, "head")}
            if "g" in props:
                props["g"] += 1  # the slider shows a flow's line and head together
            features.append(feature_json(encoder.geometry(head_frame.loc[i]), props))
    return features, styles


def _last_line(g: shapely.Geometry | None) -> shapely.LineString | None:
    if g is None or g.is_empty:
        return None
    if g.geom_type == "LineString":
        return g
    if g.geom_type == "MultiLineString":
        return g.geoms[len(g.geoms) - 1]
    return None


def _trimmed(frame: gpd.GeoDataFrame, trims: dict[Any, float]) -> gpd.GeoDataFrame:
    """Lines shortened at their end by `trims` metres so they stop under the arrowhead."""
    projected = frame.geometry.to_crs(named_crs("equal_area"))
    out = []
    for i, g in projected.items():
        trim = trims.get(i, 0.0)
        if trim and g.geom_type == "LineString" and g.length > 2 * trim:
            g = substring(g, 0, g.length - trim)
        out.append(g)
    back = gpd.GeoSeries(out, index=frame.index, crs=projected.crs).to_crs(frame.crs)
    return gpd.GeoDataFrame(geometry=back, crs=frame.crs)
