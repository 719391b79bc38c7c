"""Map specs, composition, the scene, and the web (folium) and print (matplotlib) renderers.

In a notebook::

    import maps
    maps.web_map("june-2010")            # a folium.Map
    maps.static_figure(maps.compose(maps.load_spec("maps/specs/june-2010.toml")))

Names load their module on first use (:mod:`geo.lazy`): ``import maps`` imports
neither geopandas nor a renderer, so a no-op ``fergana build`` stays fast.
"""

from geo.lazy import make_lazy

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

make_lazy(
    __name__,
    {
        "maps.compose": ("Composition", "compose"),
        "maps.scene": ("build_scene", "describe"),
        "maps.spec": ("MapSpec", "SpecError", "load_spec", "spec_from_dict"),
        "maps.print": ("static_figure", "write_static"),
        "maps.web": ("web_map", "write_web"),
    },
)
