"""Layer payloads: the JSON argument of ``FG.layer`` — styles, features, popups, labels, dates.

Geometry is prepared once (:func:`prepare`: parts of the layer's kind,
simplified and rounded), encoded (:mod:`maps.web.encoding`) and written with
each feature's properties: ``s`` style index, ``t`` tooltip, ``p`` popup,
``d``/``g`` date and time group, ``z`` symbol size, ``n``/``a``/``l``/``r``
label text, anchor, role and rank, ``k`` 0 for a backdrop feature that is no
Tab stop (:mod:`maps.web.access`). Styles, sizes, drawing order and labels are
the scene's. Flows are in :mod:`maps.web.flows`.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo import geometry as geom
from geo.geometry import parts_of_kind
from geo.language import current
from layers import Field, Layer, Style
from maps.scene import SceneLayer
from maps.web.access import access_props
from maps.web.encoding import Encoder
from maps.web.symbols import marker_svg
from maps.web.text import cell, esc, iso_day, js_json, num
from maps.web.view import Scale


class Styles:
    """Distinct feature styles of one layer as Leaflet options, in first-use order."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.options: list[dict[str, Any]] = []
        self._index: dict[tuple[Style, str], int] = {}

    def index(self, style: Style, role: str = "") -> int:
        """The index of `style` (drawn as `role`, default the layer kind), added if new."""
        key = (style, role)
        if key not in self._index:
            self._index[key] = len(self.options)
            self.options.append(leaflet_style(style, role or self.kind))
        return self._index[key]


def layer_payload(
    features: list[str], styles: Styles, *, pane: str, z: int, label_class: str, scale: Scale
) -> str:
    """The JSON argument of ``FG.layer``: pane, styles and the features of one layer.

    `label_class` places the layer's labels by geometry kind (``fg-k-point`` ...).
    """
    data = '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"
    head = {
        "pane": pane,
        "z": z,
        "label": label_class,
        "scale": 10**scale.decimals,
        "styles": styles.options,
    }
    return js_json(head)[:-1] + ',"data":' + data + "}"


def layer_features(
    scene_layer: SceneLayer,
    prepared: gpd.GeoDataFrame,
    polygons: dict[int, dict[str, Any]],
    labels: dict[int, dict[str, Any]],
    scale: Scale,
) -> tuple[list[str], Styles]:
    """The features (as JSON) and styles of an area, line or point layer.

    `prepared` is the layer's simplified, rounded geometry (:func:`prepare`),
    indexed by feature position; `polygons` the encoded polygons by position
    (area layers); `labels` the label properties by position. Features come in
    the scene's drawing order, styled and sized as the scene says.
    """
    layer = scene_layer.layer
    frame = layer.frame
    styles = Styles(layer.kind)
    groups = time_groups(layer, prepared)
    present = set(prepared.index.tolist())
    order = [k for k in scene_layer.draw_order.tolist() if k in present]
    if layer.kind == "area":
        encoded = [polygons[k] for k in order]
    else:
        encoder = Encoder(scale.decimals)
        encoded = [encoder.geometry(prepared.geometry.loc[k]) for k in order]
    sizes = scene_layer.sizes if layer.kind == "point" else None
    access = access_props(scene_layer)
    features = []
    for k, geometry in zip(order, encoded, strict=True):
        style = scene_layer.style(k)
        props = common_props(layer, frame.iloc[k], groups.get(k))
        props["s"] = styles.index(style)
        if sizes is not None and sizes[k] != style.marker_size:
            props["z"] = round(float(sizes[k]), 1)
        props.update(labels.get(k, {}))
        props.update(access)
        features.append(feature_json(geometry, props))
    features += label_only(labels, present)
    return features, styles


def label_only(labels: dict[int, dict[str, Any]], drawn: set[int]) -> list[str]:
    """Features without geometry for the labels of features too small to draw (simplified away).

    The scene decided to label them; the runtime places such a label on its own.
    """
    return [feature_json(None, props) for k, props in sorted(labels.items()) if k not in drawn]


def prepare(frame: gpd.GeoDataFrame, kind: str, coverage: bool, scale: Scale) -> gpd.GeoDataFrame:
    """Geometry simplified to under about a pixel at the deepest zoom, and rounded."""
    frame = frame[["geometry"]]
    frame = frame.assign(geometry=parts_of_kind(frame.geometry.values, _PART_KIND.get(kind, kind)))
    frame = frame[~(frame.geometry.isna() | frame.geometry.is_empty)]
    if frame.empty:
        return frame
    simplified = None
    if kind == "area" and coverage:
        with contextlib.suppress(ValueError, shapely.errors.GEOSException):
            simplified = geom.simplify_coverage(frame, scale.tolerance_m)
    if simplified is None and kind in ("area", "line", "flow"):
        simplified = geom.simplify_lines(frame, scale.tolerance_m)
    frame = frame if simplified is None else simplified
    frame = geom.round_coordinates(frame, scale.decimals)
    return frame[~(frame.geometry.isna() | frame.geometry.is_empty)]


# Flows are lines; clipping can leave stray points or lines among a layer's parts.
_PART_KIND = {"flow": "line"}


def is_coverage(frame: gpd.GeoDataFrame) -> bool:
    """Whether a layer's polygons tile without overlaps (so they simplify as a coverage)."""
    values = parts_of_kind(frame.geometry.values, "area")
    values = values[~(shapely.is_missing(values) | shapely.is_empty(values))]
    if len(values) == 0 or not shapely.is_valid(values).all():
        return False
    try:
        return bool(shapely.coverage_is_valid(values))
    except shapely.errors.GEOSException:
        return False


def feature_json(geometry: dict[str, Any] | None, props: dict[str, Any]) -> str:
    """One GeoJSON feature as script-safe JSON."""
    return (
        '{"type":"Feature","geometry":'
        + js_json(geometry)
        + ',"properties":'
        + js_json(props)
        + "}"
    )


def common_props(layer: Layer, row: pd.Series, group: int | None) -> dict[str, Any]:
    """Tooltip, popup and date of one feature; all text escaped."""
    props: dict[str, Any] = {}
    if layer.fields:
        # the first field names the feature: in the map's language where the names have it
        props["t"] = esc(
            current().label(layer.fields[0].format(cell(row.get(layer.fields[0].column))))
        )
        props["p"] = popup_html(layer, row)
    if layer.time:
        day = iso_day(row.get(layer.time))
        if day:
            props["d"] = day
            props["g"] = group
    return props


def popup_html(layer: Layer, row: pd.Series) -> str:
    """A feature's popup: a table of the layer's fields, captioned with the layer title."""
    lang = current()  # headings in the map's language; the sources' cells as published
    rows = "".join(
        f"<tr><th>{esc(lang.gettext(f.label))}</th>"
        f"<td>{_value_html(f, row.get(f.column), named=n == 0)}</td></tr>"
        for n, f in enumerate(layer.fields)
    )
    return f"<table><caption>{esc(lang.gettext(layer.title))}</caption>{rows}</table>"


def _value_html(field: Field, value: Any, *, named: bool = False) -> str:
    """A cell as published; the first field (the feature's name) in the map's language."""
    text = field.format(cell(value))
    if named:
        text = current().label(text)
    if re.fullmatch(r"https?://[^\s\"'<>]+", text):
        host = re.sub(r"^https?://(www\.)?", "", text).split("/")[0]
        return f'<a href="{esc(text)}" target="_blank" rel="noopener noreferrer">{esc(host)}</a>'
    return esc(text)


def time_groups(layer: Layer, frame: gpd.GeoDataFrame) -> dict[Any, int]:
    """Features at the same place with the same name: the slider shows the latest of them."""
    if not layer.time:
        return {}
    key_column = layer.label or (layer.fields[0].column if layer.fields else None)
    keys: dict[tuple[str, bytes], int] = {}
    out: dict[Any, int] = {}
    for i, g in zip(frame.index, frame.geometry.values, strict=True):
        name = "" if key_column is None else str(cell(layer.frame.at[i, key_column]))
        out[i] = keys.setdefault((name, shapely.to_wkb(g)), len(keys))
    return out


def leaflet_style(style: Style, kind: str) -> dict[str, Any]:
    """Leaflet path options (and a symbol) for a theme style."""
    filled = kind in ("area", "point", "head") and style.fill is not None
    out: dict[str, Any] = {
        "stroke": style.stroke is not None and kind != "head",
        "color": style.stroke or "#000000",
        "weight": style.stroke_width,
        "opacity": style.stroke_opacity,
        "fill": filled,
        "fillColor": style.fill or "#000000",
        "fillOpacity": style.fill_opacity if filled else 0,
    }
    if style.dash and kind != "head":
        out["dashArray"] = " ".join(num(d) for d in style.dash)
    if kind == "flow":
        out["lineCap"] = "butt"
    if kind == "point":
        out["size"] = style.marker_size
        if style.marker != "circle":
            out["svg"] = marker_svg(style)
            out["pad"] = style.stroke_width + 1 if style.stroke else 1
    return out
