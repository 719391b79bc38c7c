"""A scene as a folium map: panes, the shared arc table, one group per layer, controls.

Everything the reader sees is the scene's (:mod:`maps.scene`); this module only
turns it into folium elements.

Element creation order fixes the counter ids (:func:`maps.web.deterministic_ids`),
so it is part of the output: keep it when changing this module.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import folium
import pandas as pd

from geo.language import N_
from maps.compose import CLIP_MARGIN
from maps.scene import Scene, SceneLayer
from maps.web.elements import ArcTable, FeatureLayer, Legend, MapFinish, Pane, ReliefImage
from maps.web.encoding import Arcs
from maps.web.flows import flow_features
from maps.web.furniture import caption_html, notes_features, title_html
from maps.web.inline import AssetInliner
from maps.web.labels import LABEL_PANE, LABEL_PANE_Z, kind_class, label_plan
from maps.web.legend import LEGEND_POSITION, legend_html, main_map_sections
from maps.web.locator import locator
from maps.web.page import dress_page
from maps.web.panes import NOTES_PANE, RELIEF_PANE, TILES_PANE, layer_z, relief_z
from maps.web.payload import Styles, is_coverage, layer_features, layer_payload, prepare
from maps.web.relief import relief_image
from maps.web.switcher import switcher_nav
from maps.web.text import esc, iso_day
from maps.web.view import grown, latlng_bounds, scale_of
from maps.web.words import day_texts


def build_map(scene: Scene, *, mode: str, tiles: Any) -> folium.Map:
    """The folium map of a scene (call inside :func:`maps.web.deterministic_ids`)."""
    spec = scene.spec
    # the scene addresses features by position: make index labels the positions
    scene_layers = [_positional(sl) for sl in scene.layers]
    west, south, east, north = spec.extent
    scale = scale_of(spec)
    m = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=scale.reference_zoom,
        tiles=None,
        zoom_control=False,
        attribution_control=False,
    )
    m._fergana_mode = mode
    bounds = grown(spec.extent, CLIP_MARGIN)
    m.options.update(
        minZoom=spec.zoom[0],
        maxZoom=spec.zoom[1],
        maxBounds=latlng_bounds(bounds),
        maxBoundsViscosity=1.0,
        zoomSnap=0.1,
    )
    # folium's defaults load jQuery, Bootstrap, Font Awesome... from CDNs: none are used.
    m.default_js = []
    m.default_css = []
    dress_page(m, scene, mode)
    m.add_child(Pane(LABEL_PANE, LABEL_PANE_Z))

    words = scene.language
    labels = label_plan(scene, scale.decimals)
    groups: list[tuple[str, str]] = []
    prepared = {
        sl.index: prepare(
            sl.layer.frame, sl.kind, sl.kind == "area" and is_coverage(sl.layer.frame), scale
        )
        for sl in scene_layers
        if sl.kind != "flow"
    }
    # Polygons of every layer as rings of arcs from one table: each border once per map.
    areas = [
        (sl.index, k) for sl in scene_layers if sl.kind == "area" for k in prepared[sl.index].index
    ]
    arcs = Arcs([prepared[n].geometry.loc[k] for n, k in areas], scale.decimals)
    polygons = {key: arcs.geometry(j) for j, key in enumerate(areas)}
    m.add_child(ArcTable(10**scale.decimals, arcs.encoded()))
    for sl in scene_layers:
        n = sl.index
        own_labels = {k: props for (layer, k), props in labels.features.items() if layer == n}
        group = folium.FeatureGroup(name=esc(words.gettext(sl.layer.title)), show=sl.visible)
        if sl.kind == "flow":
            features, styles = flow_features(sl, scale, scene.arrow, own_labels)
        else:
            features, styles = layer_features(
                sl,
                prepared[n],
                {k: polygons[(n, k)] for k in prepared[n].index} if sl.kind == "area" else {},
                own_labels,
                scale,
            )
        payload = layer_payload(
            features,
            styles,
            pane=sl.key,
            z=layer_z(n),
            label_class=kind_class(sl.kind),
            scale=scale,
        )
        group.add_child(FeatureLayer(payload))
        m.add_child(group)
        groups.append((sl.key, group.get_name()))

    if labels.notes:
        group = folium.FeatureGroup(name=esc(words.gettext(N_("Notes"))), show=True)
        styles = Styles("point")
        styles.index(scene.note_style)
        payload = layer_payload(
            notes_features(labels.notes, scale.decimals, words),
            styles,
            pane=NOTES_PANE,
            z=layer_z(len(scene_layers)),
            label_class=kind_class("note"),
            scale=scale,
        )
        group.add_child(FeatureLayer(payload))
        m.add_child(group)

    relief = relief_image(spec.extent) if scene.relief else None
    if relief is not None:
        group = folium.FeatureGroup(name=esc(words.gettext(N_("Relief shading"))), show=True)
        group.add_child(ReliefImage(RELIEF_PANE, relief_z(scene_layers), relief[0], relief[1]))
        m.add_child(group)
    if tiles is not None:
        m.add_child(Pane(TILES_PANE, relief_z(scene_layers)))
        m.add_child(_tile_layer(tiles))

    m.fit_bounds(latlng_bounds(spec.extent))
    folium.LayerControl(position="topright", collapsed=True).add_to(m)
    legend = legend_html(main_map_sections(scene.legend), words)
    m.add_child(Legend(legend, groups, LEGEND_POSITION, words.gettext(N_("Legend"))))
    timed = [words.gettext(sl.layer.title) for sl in scene_layers if sl.layer.time]
    finish = {
        "extent": latlng_bounds(spec.extent),
        "grown": latlng_bounds(bounds),
        "minZoom": spec.zoom[0],
        "title": title_html(scene, words, switcher_nav(scene)),
        "caption": caption_html(scene),
        "locator": locator(scene.locator, lang=words) if scene.locator is not None else None,
        "time": esc(", ".join(timed)),
        "series": [
            {
                "title": words.gettext(layer.series_title or layer.title),
                "points": [
                    {"d": row.date, "t": row.text, "s": row.source}
                    for row in layer.series.itertuples(index=False)
                ],
            }
            for layer in (sl.layer for sl in scene_layers)
            if layer.time and layer.series is not None and len(layer.series)
        ],
    }
    if not words.is_source:
        # the days the slider and its totals show, as the language writes them
        finish["days"] = day_texts(slider_days(scene_layers, finish["series"]), words)
    m.add_child(MapFinish(finish))
    # last, so it renders after every element a user adds (and no id after it moves)
    m.get_root().add_child(AssetInliner(mode), name="fg_inline")
    return m


def slider_days(scene_layers: list[SceneLayer], series: list[dict[str, Any]]) -> list[str]:
    """Every day the time slider may show: its features' days and its totals' report days."""
    days = [
        day
        for sl in scene_layers
        if sl.layer.time
        for day in (iso_day(v) for v in sl.layer.frame[sl.layer.time])
        if day
    ]
    return days + [point["d"] for s in series for point in s["points"] if point["d"]]


def _positional(scene_layer: SceneLayer) -> SceneLayer:
    """The scene layer with its frame indexed 0..n-1, as the scene's per-feature arrays are."""
    frame = scene_layer.layer.frame
    if frame.index.equals(pd.RangeIndex(len(frame))):
        return scene_layer
    return replace(scene_layer, layer=scene_layer.layer.with_frame(frame.reset_index(drop=True)))


def _tile_layer(tiles: Any) -> folium.TileLayer:
    """An extra tile layer (an xyzservices provider or its name), off when the map opens."""
    import xyzservices

    provider = tiles
    if isinstance(tiles, str):
        provider = xyzservices.providers.query_name(tiles)
    return folium.TileLayer(
        tiles=provider,
        name=esc(getattr(provider, "name", str(tiles))),
        overlay=True,
        show=False,
        control=True,
        pane=TILES_PANE,
    )
