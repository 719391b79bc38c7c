"""Thematic layers: each builds a Layer = GeoDataFrame + style + legend + credits.

``layers`` knows nothing about rendering. Build any layer in one call::

    import layers
    layers.build("enclaves").explore()

Names load their module on first use (:mod:`geo.lazy`): ``layers.REGISTRY`` (ids,
themes) is light; a layer's module and geopandas are imported when it is built.
"""

from geo.lazy import make_lazy

__all__ = [
    "REGISTRY",
    "THEME",
    "Categories",
    "Category",
    "Credit",
    "Field",
    "Layer",
    "LayerOptionError",
    "LegendEntry",
    "SizeScale",
    "Style",
    "Wording",
    "build",
    "builder_options",
    "layer_ids",
    "style",
]

make_lazy(
    __name__,
    {
        "layers.layer": ("Layer",),
        "layers.registry": (
            "REGISTRY",
            "LayerOptionError",
            "build",
            "builder_options",
            "layer_ids",
        ),
        "layers.style": (
            "Categories",
            "Category",
            "Credit",
            "Field",
            "LegendEntry",
            "SizeScale",
            "Style",
            "Wording",
        ),
        "layers.theme": ("THEME", "style"),
    },
)
