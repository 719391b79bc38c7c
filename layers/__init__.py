"""Thematic layers: each builds a Layer = GeoDataFrame + style + legend + credits.

``layers`` knows nothing about rendering. Build any layer in one call::

    import layers
    layers.build("enclaves").explore()
"""

from layers.layer import Layer
from layers.registry import REGISTRY, build, layer_ids
from layers.style import Categories, Credit, Field, LegendEntry, SizeScale, Style
from layers.theme import THEME, style

__all__ = [
    "REGISTRY",
    "THEME",
    "Categories",
    "Credit",
    "Field",
    "Layer",
    "LegendEntry",
    "SizeScale",
    "Style",
    "build",
    "layer_ids",
    "style",
]
