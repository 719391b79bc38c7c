"""The scene: everything a reader sees on one map, decided once for both renderers.

``spec → compose → scene → web / print``. Composition builds the layers; the
scene decides what they look like on the map, so that the web and print
renderers only draw it:

- per-feature styles and sizes (vectorised) and the drawing order;
- the label plan: text, role (typography and rank from :mod:`layers.theme`),
  anchor and placement order — renderers place as many as fit, in that order;
- one legend model (:mod:`maps.scene.legend`);
- flow arrowhead proportions (:data:`layers.theme.FLOW_ARROW`), the locator
  window, one list of credits, and one hillshade (:mod:`maps.scene.relief`).

Examples
--------
>>> from maps import compose, load_spec  # doctest: +SKIP
>>> scene = build_scene(compose(load_spec("maps/specs/june-2010.toml")))  # doctest: +SKIP
>>> [section.title for section in scene.legend]  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import shapely

import geo
import layers
from geo.language import N_, current
from layers import Credit, Layer
from layers.theme import LABEL_ROLES, label_roles
from maps.compose import Composition, clip, unique_credits
from maps.scene.legend import legend_section
from maps.scene.model import (
    Label,
    LegendRow,
    LegendSection,
    LocatorWindow,
    Scene,
    SceneInset,
    SceneLayer,
    SizeKey,
    SizeKeyRow,
)
from maps.scene.relief import relief_datasets
from maps.scene.text import caption_figures, cell_text, describe

# The locator shows at least this many degrees (lon, lat) on each side of the map's
# centre, four times the map's own span where that is more, and at most LOCATOR_MAX_HALF.
LOCATOR_MIN_HALF = (20.0, 12.0)
LOCATOR_MAX_HALF = (100.0, 40.0)
LOCATOR_GROWTH = 4.0
#: A locator window at most this wide (degrees) draws the detailed countries, enclaves
#: included, where they reach; wider ones (every default window) the world's.
LOCATOR_DETAILED_SPAN = 20.0

__all__ = [
    "Label",
    "LegendRow",
    "LegendSection",
    "LocatorWindow",
    "Scene",
    "SceneInset",
    "SceneLayer",
    "SizeKey",
    "SizeKeyRow",
    "build_scene",
    "describe",
    "locator_dataset",
    "locator_window",
]


def build_scene(composition: Composition) -> Scene:
    """Decide everything the reader sees for a composed map, in the current language.

    The language is :func:`geo.language.current` (the build makes each language
    current in turn): labels take its place names, and every text its words.
    """
    spec = composition.spec
    language = current()
    keys = _layer_keys(composition.layers)
    extent_box = shapely.box(*spec.extent)
    scene_layers = tuple(
        _scene_layer(
            n,
            keys[n],
            layer,
            composition.visible[n],
            composition.labelled[n],
            layer.frame.geometry.intersects(extent_box).to_numpy(dtype=bool),
        )
        for n, layer in enumerate(composition.layers)
    )
    legend = [s for s in map(legend_section, scene_layers) if s is not None]
    insets = tuple(_inset(inset) for inset in spec.insets)
    for inset in insets:
        for n, layer in enumerate(inset.layers):
            # an inset's layers are cut to its own extent: every feature is in its view
            every = np.ones(len(layer.frame), dtype=bool)
            key = f"{inset.inset.kind}-{layer.id}"
            scene_layer = _scene_layer(n, key, layer, True, False, every)
            if scene_layer.basemap:
                continue  # the inset's backdrop needs no key
            section = legend_section(scene_layer, context=inset.title)
            if section is not None:
                legend.append(section)
    labels = tuple(_labels(composition, scene_layers))
    relief = spec.relief and _relief_reaches(spec.extent)
    # every grid the hillshade draws from is credited (GEBCO 15" and 1', Mapzen 5')
    extra = [Credit.of(name) for name in relief_datasets(spec.extent)] if relief else []
    locator = _locator(spec)
    if locator is not None:
        extra.append(Credit.of(locator_dataset(locator.window)))
    if any(inset.kind == "context" for inset in spec.insets):
        extra.append(Credit.of("world_countries"))
    return Scene(
        spec=spec,
        layers=scene_layers,
        labels=labels,
        legend=tuple(legend),
        credits=tuple(unique_credits([*composition.credits, *extra])),
        relief=relief,
        locator=locator,
        insets=tuple(i for i in insets if i.inset.kind != "locator"),
        caption=_with_names_note(composition.caption, labels),
        caption_sources=composition.caption_sources,
        caption_figures=caption_figures(spec.caption),
        language=language,
    )


def _locator(spec) -> LocatorWindow | None:
    """The first locator inset's window: its own `extent` when it gives one."""
    inset = next((i for i in spec.insets if i.kind == "locator"), None)
    if inset is None:
        return None
    window = locator_window(spec.extent, inset.extent)
    return dataclasses.replace(window, title=_inset_title(inset))


def locator_window(
    extent: tuple[float, float, float, float],
    window: tuple[float, float, float, float] | None = None,
) -> LocatorWindow:
    """The locator's window around `extent`: the map's region, with room around it.

    With `window` (a locator inset's own extent, e.g. an atlas page's whole region)
    the window is that, grown where needed to hold `extent` with a little room.
    """
    west, south, east, north = extent
    if window is not None:
        pad_x, pad_y = (east - west) / 2, (north - south) / 2
        grown = (
            max(min(window[0], west - pad_x), -180.0),
            max(min(window[1], south - pad_y), -85.0),
            min(max(window[2], east + pad_x), 180.0),
            min(max(window[3], north + pad_y), 85.0),
        )
        return LocatorWindow(window=window if _holds(window, extent) else grown, extent=extent)
    cx, cy = (west + east) / 2, (south + north) / 2
    hx = min(max(LOCATOR_MIN_HALF[0], LOCATOR_GROWTH * (east - west)), LOCATOR_MAX_HALF[0])
    hy = min(max(LOCATOR_MIN_HALF[1], LOCATOR_GROWTH * (north - south)), LOCATOR_MAX_HALF[1])
    window = (max(cx - hx, -180.0), max(cy - hy, -85.0), min(cx + hx, 180.0), min(cy + hy, 85.0))
    return LocatorWindow(window=window, extent=(west, south, east, north))


def locator_dataset(window: tuple[float, float, float, float]) -> str:
    """The countries a locator draws: the detailed ones where its window lies inside them.

    A region's window (an atlas page's locator shows the atlas's whole extent)
    needs the enclaves and the detailed borders; a continent's, the world's.
    """
    from geo.coverage import inside

    small = window[2] - window[0] <= LOCATOR_DETAILED_SPAN
    return "countries" if small and inside(window) else "world_countries"


def _holds(window, extent) -> bool:
    return (
        window[0] <= extent[0]
        and window[1] <= extent[1]
        and extent[2] <= window[2]
        and extent[3] <= window[3]
    )


# --- layers -----------------------------------------------------------------------------


def _layer_keys(built: list[Layer]) -> list[str]:
    """A name per layer, unique in the map: ``fg-ID`` (and ``-N`` for a layer used twice)."""
    names: list[str] = []
    for n, layer in enumerate(built):
        name = f"fg-{layer.id}".replace("_", "-")
        names.append(name if name not in names else f"{name}-{n}")
    return names


def _scene_layer(
    n: int, key: str, layer: Layer, visible: bool, labelled: bool, in_view: np.ndarray
) -> SceneLayer:
    styles, codes = layer.style_codes()
    frame = layer.frame
    values = sizes = None
    if layer.size is not None and layer.size.column in frame:
        values = pd.to_numeric(frame[layer.size.column], errors="coerce").to_numpy(dtype=float)
    if layer.kind in ("point", "flow"):
        if values is not None:
            # SizeScale.size itself, so that every renderer gets exactly the same numbers
            sizes = np.array([layer.size.size(None if v != v else v) for v in values], dtype=float)
        else:
            attr = "marker_size" if layer.kind == "point" else "stroke_width"
            per_style = np.array([getattr(s, attr) for s in styles], dtype=float)
            sizes = per_style[codes]
        draw_order = np.argsort(-sizes, kind="stable")
    else:
        draw_order = np.arange(len(frame))
    return SceneLayer(
        index=n,
        key=key,
        layer=layer,
        visible=visible,
        labelled=labelled,
        styles=styles,
        style_codes=codes,
        sizes=sizes,
        values=values,
        draw_order=draw_order,
        in_view=in_view,
        symbols_yield=layer.kind == "point" and layer.label_priority is not None,
        basemap=getattr(layers.REGISTRY.get(layer.id), "theme", "") == "basemap",
    )


def _inset_title(inset) -> str:
    """An inset's title in the current language ("" for none).

    A spec's words: a place's name ("Sokh"), else the catalog's; else English, recorded.
    """
    return current().label(inset.title) if inset.title else ""


def _inset(inset) -> SceneInset:
    title = _inset_title(inset)
    if inset.kind != "context":
        return SceneInset(inset, title=title)
    built = tuple(
        layer.with_frame(clip(layer.frame, inset.extent))
        for layer in (layers.build(layer_id) for layer_id in inset.layers)
    )
    return SceneInset(inset, built, title)


def _relief_reaches(extent: tuple[float, float, float, float]) -> bool:
    raster = geo.load("relief")
    return shapely.box(*raster.bounds).intersects(shapely.box(*extent))


# --- labels -----------------------------------------------------------------------------

#: Said on a map whose labels include names the language has no form of (drawn in English).
NAMES_NOTE = N_("Names in English: the sources give no form of them in this language.")


def _with_names_note(caption: str, labels: tuple[Label, ...]) -> str:
    """The caption, and where a label fell back to English, a sentence saying so."""
    language = current()
    if language.is_source or not any(
        label.layer is not None and label.text in language.missing.names for label in labels
    ):
        return caption
    note = language.gettext(NAMES_NOTE)
    return f"{caption} {note}" if caption else note


def _labels(composition: Composition, scene_layers: tuple[SceneLayer, ...]) -> list[Label]:
    """Every wanted label, in placement order.

    Order: lower role rank first; within a rank, layers higher in the stack first;
    within a layer, higher `label_priority` first, then frame order. Annotations
    come before everything.
    """
    language = current()
    keyed: list[tuple[tuple[float, float, int], Label]] = []
    for n, note in enumerate(composition.annotations):
        label = Label(None, n, note.text, "note", note.lon, note.lat, "note")
        keyed.append(((0.0, 0.0, n), label))
    for scene_layer in scene_layers:
        layer = scene_layer.layer
        if not layer.label or not scene_layer.labelled or layer.frame.empty:
            continue
        frame = layer.frame
        texts = frame[layer.label].to_numpy(dtype=object)
        priority = (
            pd.to_numeric(frame[layer.label_priority], errors="coerce")
            .fillna(-np.inf)
            .to_numpy(dtype=float)
            if layer.label_priority
            else np.zeros(len(frame))
        )
        roles = label_roles(layer.id, layer.kind, frame)
        anchors = geo.label_points(frame).to_numpy()
        for k in range(len(frame)):
            text = language.label(cell_text(texts[k]))
            anchor = anchors[k]
            if not text or anchor is None or anchor.is_empty:
                continue
            rank = LABEL_ROLES[roles[k]].rank - scene_layer.index / 1000
            label = Label(
                scene_layer.index,
                k,
                text,
                str(roles[k]),
                float(anchor.x),
                float(anchor.y),
                layer.kind,
                float(priority[k]),
            )
            keyed.append(((rank, -float(priority[k]), k), label))
    keyed.sort(key=lambda item: item[0])
    return [label for _, label in keyed]
