"""Composition and rendering: map specs, the web (folium) and static (matplotlib) renderers.

In a notebook::

    import maps
    maps.web_map("june-2010")            # a folium.Map
    maps.static_figure(maps.compose(maps.load_spec("maps/specs/june-2010.toml")))
"""

from importlib import import_module

from maps.compose import Composition, compose
from maps.spec import MapSpec, SpecError, load_spec, spec_from_dict

# The renderers import folium or matplotlib: load them on first use.
_LAZY = {
    "build_scene": "maps.scene",
    "describe": "maps.scene",
    "web_map": "maps.web",
    "write_web": "maps.web",
    "static_figure": "maps.print",
    "write_static": "maps.print",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'maps' has no attribute {name!r}")


__all__ = [
    "Composition",
    "MapSpec",
    "SpecError",
    "build_scene",
    "compose",
    "describe",
    "load_spec",
    "spec_from_dict",
    "static_figure",
    "web_map",
    "write_static",
    "write_web",
]
