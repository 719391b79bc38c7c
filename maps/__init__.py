"""Composition and rendering: map specs, the web (folium) and static (matplotlib) renderers."""

from maps.compose import Composition, compose, describe
from maps.spec import MapSpec, SpecError, load_spec, spec_from_dict

__all__ = [
    "Composition",
    "MapSpec",
    "SpecError",
    "compose",
    "describe",
    "load_spec",
    "spec_from_dict",
]
