"""The assets of folium elements a user adds to a fergana map, inlined from Python packages.

fergana's own elements need none of folium's defaults (:func:`maps.web.assemble.build_map`
empties the map's ``default_js``/``default_css``). Elements a user adds in a notebook do:

- those that declare assets (``default_js``/``default_css``, e.g. ``folium.plugins.MiniMap``)
  put a ``<script src>``/``<link>`` to a CDN into the page's header when they render;
- some rely on what ``folium.Map`` would have loaded: ``folium.Popup`` and
  ``keep_in_front`` call jQuery (``$``), ``folium.Icon`` draws with Leaflet.awesome-markers;
- ``folium.Marker`` without an icon shows Leaflet's default marker, whose image path
  Leaflet finds from its stylesheet, which fails once the images are ``data:`` URIs.

:class:`AssetInliner` is the last element of the page: it renders after every other
element, replaces each CDN link in the header by the asset's text from a Python package
(:data:`INLINE`), adds what folium elements need implicitly, and raises
:class:`~maps.web.errors.WebBuildError` naming every asset it cannot inline, so a
self-contained page never loads a script or stylesheet from the network. A page
without such elements is left exactly as it was.

Tiles are data, not assets: a tile layer (e.g. the one a ``MiniMap`` draws, OpenStreetMap
unless given ``tile_layer=``) loads from wherever its URL points.
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

import folium
from branca.element import CssLink, Element, Figure, JavascriptLink, Link
from folium.folium import _default_css as MAP_CSS  # noqa: N812
from folium.folium import _default_js as MAP_JS  # noqa: N812

from maps.web.assets import asset_text
from maps.web.elements import Raw
from maps.web.errors import WebBuildError
from maps.web.leaflet import LEAFLET_PACKAGE, safe_in_tag

# The addresses folium 0.20 links, as (name, url) pairs by name.
MAP_ASSETS = dict(MAP_JS + MAP_CSS)
JQUERY = ("jquery", MAP_ASSETS["jquery"])
AWESOME_MARKERS = [
    (name, MAP_ASSETS[name])
    for name in ("awesome_markers", "awesome_markers_css", "awesome_markers_font_css")
]
DEFAULT_ICON_NAME = "fg_default_icon"


@dataclass(frozen=True)
class Asset:
    """One script or stylesheet folium would link: its name in the header and its address."""

    name: str
    url: str
    by: str  # the class of the element that needs it, for messages

    @property
    def is_css(self) -> bool:
        """Whether it is a stylesheet (by folium's names and the address)."""
        return self.url.endswith(".css") or self.name.endswith(("_css", ".css"))


def _package_text(package: str, *path: str) -> str:
    try:
        return resources.files(package).joinpath(*path).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        raise WebBuildError(
            f"{'/'.join(path)} not found in the Python package {package!r}; "
            "install fergana's dependencies (pip install -e .)"
        ) from None


# Address (exactly as folium links it) -> the same file's text from a Python package:
# jQuery from XStatic-jQuery; two small Leaflet plugins no Python package ships
# (Leaflet-MiniMap, BSD-2-Clause; leaflet.fullscreen, MIT) from fergana's own package
# data, fetched from the npm registry with their licences and images inlined.
INLINE: dict[str, Callable[[], str]] = {
    JQUERY[1]: lambda: _package_text("xstatic.pkg.jquery", "data", "jquery.min.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.js": (
        lambda: asset_text("leaflet-minimap.js")
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.css": (
        lambda: asset_text("leaflet-minimap.css")
    ),
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js": (
        lambda: asset_text("leaflet-fullscreen.js")
    ),
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css": (
        lambda: asset_text("leaflet-fullscreen.css")
    ),
}


@functools.cache
def inline_text(url: str) -> str | None:
    """The text of the asset at `url` from a Python package, or None if fergana has none."""
    loader = INLINE.get(url)
    return None if loader is None else loader()


@functools.cache
def default_icon_js() -> str:
    """Leaflet's default marker images as ``data:`` URIs, set before any marker is made.

    Leaflet finds the images' folder from the ``url()`` of ``.leaflet-default-icon-path``
    in its stylesheet; a ``data:`` URI there has no folder, so the path is set here.
    """
    root = resources.files(LEAFLET_PACKAGE) / "static" / LEAFLET_PACKAGE / "images"

    def uri(name: str) -> str:
        data = base64.b64encode(root.joinpath(name).read_bytes()).decode("ascii")
        return f"data:image/png;base64,{data}"

    options = {
        "iconUrl": uri("marker-icon.png"),
        "iconRetinaUrl": uri("marker-icon-2x.png"),
        "shadowUrl": uri("marker-shadow.png"),
    }
    return (
        'L.Icon.Default.imagePath = "";\n'
        f"L.Icon.Default.mergeOptions({json.dumps(options, sort_keys=True)});\n"
    )


class AssetInliner(Element):
    """The page's last element: inlines the assets of the elements rendered before it.

    Parameters
    ----------
    mode : {"inline", "cdn"}
        ``"cdn"`` leaves the links (and links what folium elements need implicitly).
    """

    def __init__(self, mode: str) -> None:
        super().__init__()
        self._name = "AssetInliner"
        self.mode = mode

    def render(self, **kwargs: Any) -> str:
        """Rewrite the page's header; the element itself writes nothing."""
        figure = self.get_root()
        if isinstance(figure, Figure):
            inline_assets(figure, self.mode)
        return ""


def inline_assets(figure: Figure, mode: str = "inline") -> None:
    """Replace the header's CDN links by inlined text and add what elements need implicitly.

    Parameters
    ----------
    figure : branca.element.Figure
        The page, after its elements have rendered (they add their links then).
    mode : {"inline", "cdn"}
        See :class:`AssetInliner`.

    Raises
    ------
    WebBuildError
        Naming every asset (element, name and address) that no Python package provides.
    """
    header = figure.header
    declared = {url: cls for cls, _name, url in _declared(figure)}
    wanted: list[Asset] = [
        Asset(name, child.url, declared.get(child.url, type(child).__name__))
        for name, child in header._children.items()
        if isinstance(child, Link)
    ]
    needs, default_icon = _implicit_needs(figure)
    wanted += [a for a in needs if a.name not in header._children]
    if mode == "cdn":
        for asset in wanted:
            if asset.name not in header._children:
                link = CssLink(asset.url) if asset.is_css else JavascriptLink(asset.url)
                header.add_child(link, name=asset.name)
    else:
        missing = [a for a in wanted if inline_text(a.url) is None]
        if missing:
            listed = "; ".join(f"{a.name} ({a.url}) needed by {a.by}" for a in missing)
            raise WebBuildError(
                f"cannot make the map self-contained: no Python package provides {listed}. "
                "Remove the element (for folium.Icon: use folium.Marker's default icon, "
                "folium.DivIcon or folium.CustomIcon with a data: URI), or build the map "
                "with web_map(..., mode='cdn') (needs the network)"
            )
        for asset in wanted:
            text = inline_text(asset.url) or ""
            tag = "style" if asset.is_css else "script"
            header.add_child(Raw(f"<{tag}>\n{safe_in_tag(text, tag)}</{tag}>"), name=asset.name)
    if default_icon:
        header.add_child(Raw(f"<script>\n{default_icon_js()}</script>"), name=DEFAULT_ICON_NAME)


def _elements(element: Element) -> Iterator[Element]:
    yield element
    for child in list(element._children.values()):
        yield from _elements(child)


def _declared(figure: Figure) -> Iterator[tuple[str, str, str]]:
    """(element class, name, url) of every asset an element declares."""
    for element in _elements(figure):
        assets = [*getattr(element, "default_js", []), *getattr(element, "default_css", [])]
        for name, url in assets:
            yield type(element).__name__, name, url


def _implicit_needs(figure: Figure) -> tuple[list[Asset], bool]:
    """Assets folium elements use without declaring them, and whether a default marker shows."""
    needs: dict[str, Asset] = {}
    default_icon = False
    for element in _elements(figure):
        cls = type(element).__name__
        if isinstance(element, folium.Popup) or getattr(element, "objects_to_stay_in_front", []):
            needs.setdefault(JQUERY[0], Asset(*JQUERY, by=cls))
        if isinstance(element, folium.Icon):
            for name, url in AWESOME_MARKERS:
                needs.setdefault(name, Asset(name, url, by=cls))
        if isinstance(element, folium.Marker) and not isinstance(
            element, folium.CircleMarker | folium.Circle
        ):
            default_icon = True
    return list(needs.values()), default_icon
