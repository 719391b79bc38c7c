"""Flow layers: lines as wide as the scene says, each ending in the scene's arrowhead.

Widths (``SceneLayer.sizes``) and head proportions (``Scene.arrow``) come from
the scene. A head is drawn on the ground at the map's reference zoom, so it has
its pixel size there and scales with the map like the line under it. The shaft
stops under the head, ``(1 - shaft_overlap)`` of the head's length before the
tip (a dashed shaft at the head's base), as in print.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import shapely
from shapely.ops import substring

from geo import geometry as geom
from geo.crs import named_crs
from layers import Style
from layers.theme import ArrowShape
from maps.scene import SceneLayer
from maps.web.encoding import Encoder
from maps.web.payload import Styles, common_props, feature_json, label_only, time_groups
from maps.web.view import Scale

# Web Mercator metres per pixel at zoom 0 (256 px tiles); halved at each zoom.
MERCATOR_M_PER_PX_Z0 = 2 * 6_378_137.0 * 3.141592653589793 / 256


def flow_features(
    scene_layer: SceneLayer,
    scale: Scale,
    arrow: ArrowShape,
    labels: dict[int, dict[str, Any]],
) -> tuple[list[str], Styles]:
    """Flow lines (butt ends) each followed by its arrowhead, widest first.

    `labels` maps a feature's position to its label properties (:mod:`maps.web.labels`).
    """
    layer = scene_layer.layer
    frame = layer.frame
    styles = Styles("flow")
    widths = scene_layer.sizes
    heads: dict[int, shapely.Geometry] = {}
    trims_px: dict[int, float] = {}
    for k, g in enumerate(frame.geometry.values):
        line = _last_line(g)
        if line is None:
            continue
        tip_lat = shapely.get_coordinates(line)[-1][1]
        metres_per_px = geom.tolerance_for_zoom(scale.reference_zoom, tip_lat)
        length, width = arrow.head(float(widths[k]))
        try:
            heads[k] = geom.arrowhead(line, length * metres_per_px, width * metres_per_px)
        except ValueError:
            continue
        dashed = bool(scene_layer.style(k).dash)
        trims_px[k] = length * (1.0 if dashed else 1.0 - arrow.shaft_overlap)
    shafts = _trimmed(frame, trims_px, scale.reference_zoom)
    prepared = geom.round_coordinates(
        geom.simplify_lines(shafts, scale.tolerance_m), scale.decimals
    )
    head_series = geom.round_coordinates(
        gpd.GeoSeries(list(heads.values()), index=list(heads), crs=frame.crs), scale.decimals
    )
    groups = time_groups(layer, frame)
    encoder = Encoder(scale.decimals)
    features: list[str] = []
    drawn: set[int] = set()
    for k in scene_layer.draw_order.tolist():  # wide flows first, thin ones on top
        row = frame.iloc[k]
        group = groups.get(k)
        base = common_props(layer, row, None if group is None else 2 * group)
        flow_style = scene_layer.style(k)
        g = prepared.geometry.iloc[k]
        if g is not None and not g.is_empty:
            props = {**base, "s": styles.index(flow_style), "w": round(float(widths[k]), 2)}
            props.update(labels.get(k, {}))
            features.append(feature_json(encoder.geometry(g), props))
            drawn.add(k)
        if k in heads:
            head_style = Style(
                fill=flow_style.stroke or flow_style.fill,
                fill_opacity=flow_style.stroke_opacity,
                stroke=None,
            )
            props = {**base, "s": styles.index(head_style, "head")}
            if "g" in props:
                props["g"] += 1  # the slider shows a flow's line and head together
            features.append(feature_json(encoder.geometry(head_series.loc[k]), props))
    return features + label_only(labels, drawn), styles


def _last_line(g: shapely.Geometry | None) -> shapely.LineString | None:
    if g is None or g.is_empty:
        return None
    if g.geom_type == "LineString":
        return g
    if g.geom_type == "MultiLineString":
        return g.geoms[len(g.geoms) - 1]
    return None


def _trimmed(frame: gpd.GeoDataFrame, trims_px: dict[int, float], zoom: int) -> gpd.GeoDataFrame:
    """Lines shortened at their end by `trims_px` pixels at `zoom`, measured in Web Mercator."""
    metres_per_px = MERCATOR_M_PER_PX_Z0 / 2**zoom
    projected = frame.geometry.reset_index(drop=True).to_crs(named_crs("web"))
    out = []
    for k, g in enumerate(projected.values):
        trim = trims_px.get(k, 0.0) * metres_per_px
        if trim and g is not None and g.geom_type == "LineString" and g.length > 2 * trim:
            g = substring(g, 0, g.length - trim)
        out.append(g)
    back = gpd.GeoSeries(out, crs=projected.crs).to_crs(frame.crs)
    return gpd.GeoDataFrame(geometry=back, crs=frame.crs)
