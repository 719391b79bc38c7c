"""The label plan of the web map: each layer's label class and rank, each feature's anchor.

:func:`label_class` and :func:`label_rank` are the thematic rules (which
typography a layer's labels get, which labels win a collision); the runtime's
``FG.declutter`` hides the losers on the page.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import geometry as geom
from layers import Layer
from maps.web.text import cell, esc
from maps.web.view import Scale

LABEL_PANE = "fg-labels"
LABEL_PANE_Z = 620
NOTE_LABEL_CLASS = "fg-l-note"
# Label styles by layer id (the rest follow the layer kind).
COUNTRY_LAYERS = ("countries", "csto")
REGION_LAYERS = ("admin1", "valley_provinces")
WATER_LAYERS = ("lakes", "rivers")


def label_class(layer: Layer) -> str:
    """CSS class of a layer's labels: countries, provinces, water, points, other areas, lines."""
    if layer.id in COUNTRY_LAYERS:
        return "fg-l-country"
    if layer.id in REGION_LAYERS:
        return "fg-l-region"
    if layer.id in WATER_LAYERS:
        return "fg-l-water"
    return {"point": "fg-l-point", "area": "fg-l-area"}.get(layer.kind, "fg-l-line")


# Which label class wins a collision: lower first.
LABEL_CLASS_RANK = {
    NOTE_LABEL_CLASS: 0,
    "fg-l-country": 1,
    "fg-l-point": 2,
    "fg-l-area": 3,
    "fg-l-water": 4,
    "fg-l-region": 5,
    "fg-l-line": 6,
}


def label_rank(layer: Layer, label_class: str, n: int) -> int:
    """Base rank of a layer's labels: lower ranks win collisions; top layers first."""
    return LABEL_CLASS_RANK.get(label_class, 9) * 10_000_000 + (999 - n) * 10_000


def priority_ranks(layer: Layer) -> dict[Any, int]:
    """Rank of each feature's label within its layer: higher `label_priority` first."""
    order = list(layer.frame.index)
    if layer.label_priority:
        priority = pd.to_numeric(layer.frame[layer.label_priority], errors="coerce").fillna(-np.inf)
        order = list(priority.sort_values(ascending=False, kind="stable").index)
    return {i: rank for rank, i in enumerate(order)}


def label_anchors(layer: Layer, frame: gpd.GeoDataFrame, scale: Scale) -> dict[Any, dict[str, Any]]:
    """Label text (escaped) and anchor of each feature that has a label."""
    if frame.empty:
        return {}
    anchors = geom.label_points(frame)
    out: dict[Any, dict[str, Any]] = {}
    for i, point in anchors.items():
        text = cell(frame.at[i, layer.label])
        if text is None or point is None or point.is_empty or not str(text).strip():
            continue
        out[i] = {
            "n": esc(str(text)),
            "a": [round(point.x, scale.decimals), round(point.y, scale.decimals)],
        }
    return out
