"""A composition as a folium map: panes, the shared arc table, one group per layer, controls.

Element creation order fixes the counter ids (:func:`maps.web.deterministic_ids`),
so it is part of the output: keep it when changing this module.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import folium

from maps.compose import CLIP_MARGIN, Composition, unique_credits
from maps.web.elements import ArcTable, FeatureLayer, Legend, MapFinish, Pane, ReliefImage
from maps.web.encoding import Arcs
from maps.web.flows import flow_features
from maps.web.furniture import caption_html, extra_credits, notes_layer, title_html
from maps.web.labels import LABEL_PANE, LABEL_PANE_Z, NOTE_LABEL_CLASS, label_class, label_rank
from maps.web.legend import LEGEND_POSITION, legend_html, legend_section
from maps.web.locator import locator
from maps.web.page import dress_page
from maps.web.panes import NOTES_PANE, RELIEF_PANE, TILES_PANE, layer_z, pane_names, relief_z
from maps.web.payload import is_coverage, layer_features, layer_payload, prepare
from maps.web.relief import hillshade
from maps.web.text import esc
from maps.web.view import grown, latlng_bounds, scale_of


def build_map(composition: Composition, *, mode: str, tiles: Any) -> folium.Map:
    """The folium map of a composition (call inside :func:`maps.web.deterministic_ids`)."""
    spec = composition.spec
    # features are addressed by index label below: make labels unique
    composition = replace(
        composition,
        layers=[
            layer
            if layer.frame.index.is_unique
            else layer.with_frame(layer.frame.reset_index(drop=True))
            for layer in composition.layers
        ],
    )
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
    dress_page(m, composition, mode)
    m.add_child(Pane(LABEL_PANE, LABEL_PANE_Z))

    layers = composition.layers
    groups: list[tuple[str, str]] = []
    legend_sections: list[str] = []
    panes = pane_names(layers)
    base_z = relief_z(layers)
    prepared = {
        n: prepare(
            layer.frame, layer.kind, layer.kind == "area" and is_coverage(layer.frame), scale
        )
        for n, layer in enumerate(layers)
        if layer.kind != "flow"
    }
    # Polygons of every layer as rings of arcs from one table: each border once per map.
    areas = [
        (n, i) for n, layer in enumerate(layers) if layer.kind == "area" for i in prepared[n].index
    ]
    arcs = Arcs([prepared[n].geometry.loc[i] for n, i in areas], scale.decimals)
    polygons = {key: arcs.geometry(k) for k, key in enumerate(areas)}
    m.add_child(ArcTable(10**scale.decimals, arcs.encoded()))
    for n, layer in enumerate(layers):
        css_class = label_class(layer)
        group = folium.FeatureGroup(name=esc(layer.title), show=composition.visible[n])
        if layer.kind == "flow":
            features, styles = flow_features(layer, scale)
        else:
            features, styles = layer_features(
                layer,
                prepared[n],
                {i: polygons[(n, i)] for i in prepared[n].index} if layer.kind == "area" else {},
                labelled=composition.labelled[n],
                label_rank=label_rank(layer, css_class, n),
                scale=scale,
            )
        payload = layer_payload(
            features, styles, pane=panes[n], z=layer_z(n), label_class=css_class, scale=scale
        )
        group.add_child(FeatureLayer(payload))
        m.add_child(group)
        groups.append((panes[n], group.get_name()))
        legend_sections.append(legend_section(layer, panes[n]))

    if composition.annotations:
        notes = notes_layer(composition)
        group = folium.FeatureGroup(name="Notes", show=True)
        features, styles = layer_features(
            notes,
            prepare(notes.frame, notes.kind, False, scale),
            {},
            labelled=True,
            label_rank=0,
            scale=scale,
        )
        payload = layer_payload(
            features,
            styles,
            pane=NOTES_PANE,
            z=layer_z(len(layers)),
            label_class=NOTE_LABEL_CLASS,
            scale=scale,
        )
        group.add_child(FeatureLayer(payload))
        m.add_child(group)

    credits = list(composition.credits)
    relief = hillshade(spec.extent) if spec.relief else None
    if relief is not None:
        group = folium.FeatureGroup(name="Relief shading", show=True)
        group.add_child(ReliefImage(RELIEF_PANE, base_z, relief[0], relief[1]))
        m.add_child(group)
    extras = extra_credits(relief=relief is not None)
    if extras:
        credits = unique_credits([*credits, *extras])
    if tiles is not None:
        m.add_child(Pane(TILES_PANE, base_z))
        m.add_child(_tile_layer(tiles))

    m.fit_bounds(latlng_bounds(spec.extent))
    folium.LayerControl(position="topright", collapsed=True).add_to(m)
    m.add_child(Legend(legend_html(legend_sections), groups, LEGEND_POSITION))
    timed = [layer.title for layer in layers if layer.time]
    finish = {
        "extent": latlng_bounds(spec.extent),
        "grown": latlng_bounds(bounds),
        "minZoom": spec.zoom[0],
        "title": title_html(spec),
        "caption": caption_html(composition, credits),
        "locator": locator(spec),
        "time": esc(", ".join(timed)),
        "series": [
            {
                "title": layer.series_title or layer.title,
                "points": [
                    {"d": row.date, "t": row.text, "s": row.source}
                    for row in layer.series.itertuples(index=False)
                ],
            }
            for layer in layers
            if layer.time and layer.series is not None and len(layer.series)
        ],
    }
    m.add_child(MapFinish(finish))
    return m


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
