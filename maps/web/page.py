"""The page around the map: language, title, inlined assets, text description; rendering it.

:func:`render_html` renders a map's page once and checks that a
self-contained page refers to nothing on the network.
"""

from __future__ import annotations

import re

import folium

from geo.language import N_
from maps.scene import Scene
from maps.scene.text import describe
from maps.web.assets import fergana_css, runtime_js, template
from maps.web.elements import Raw
from maps.web.embed import embed_snippet  # noqa: F401  (moved; imported from here before)
from maps.web.errors import WebBuildError
from maps.web.furniture import one_line
from maps.web.ids import deterministic_ids
from maps.web.leaflet import LEAFLET_CDN, leaflet_css, leaflet_js
from maps.web.switcher import alternate_links, switcher_css
from maps.web.text import esc
from maps.web.words import css_words

_EXTERNAL = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?\s*(?:https?:)?//"
    r"|<link\b[^>]*\bhref\s*=\s*[\"']?\s*(?:https?:)?//"
    r"|@import\b"
    r"|url\(\s*[\"']?\s*(?:https?:)?//",
    re.IGNORECASE,
)


#: The page's viewport: readers may zoom the page (WCAG 1.4.4). folium's Map template
#: hard-codes ``maximum-scale=1.0, user-scalable=no``, so the rendered tag is replaced.
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1.0" />'
_FOLIUM_VIEWPORT = re.compile(r'<meta name="viewport" content="width=device-width,[^"]*" />')


def dress_page(m: folium.Map, scene: Scene, mode: str) -> None:
    """Give the map's page a language, a title, its assets and a text description."""
    spec = scene.spec
    words = scene.language
    figure = m.get_root()
    figure._template = template("figure.html")
    figure.lang = words.code
    figure.title = esc(spec.title)
    head = figure.header
    head.add_child(Raw('<meta name="generator" content="fergana" />'), name="fg_generator")
    head.add_child(
        Raw(f'<meta name="description" content="{esc(one_line(spec))}" />'), name="fg_desc"
    )
    # the other languages' links in the same element: a map in several languages keeps
    # the element ids (and so the bytes) of its one-language page
    alternates = "".join(f"\n    {link}" for link in alternate_links(scene))
    head.add_child(Raw(f'<link rel="icon" href="data:," />{alternates}'), name="fg_icon")
    if mode == "cdn":
        base = LEAFLET_CDN
        head.add_child(Raw(f'<link rel="stylesheet" href="{base}/leaflet.css" />'), name="fg_lcss")
        head.add_child(Raw(f'<script src="{base}/leaflet.js"></script>'), name="fg_ljs")
    else:
        head.add_child(Raw(f"<style>{leaflet_css()}</style>"), name="fg_lcss")
        head.add_child(Raw(f"<script>{leaflet_js()}</script>"), name="fg_ljs")
    # the asset files start at their first line; the page has always had a newline before it
    css = fergana_css() + switcher_css(scene) + css_words(words)
    head.add_child(Raw(f"<style>\n{css}</style>"), name="fg_css")
    head.add_child(Raw(f"<script>\n{runtime_js(words)}</script>"), name="fg_js")
    lines = describe(scene).strip().splitlines()
    text = "".join(f"<p>{esc(line)}</p>" for line in lines)
    label = esc(words.gettext(N_("Text description of the map")))
    figure.html.add_child(
        Raw(f'<section class="fg-sr" aria-label="{label}">{text}</section>'),
        name="fg_description",
    )


def render_html(m: folium.Map) -> str:
    """The page of a map built by :func:`maps.web.web_map`, rendered exactly once.

    folium appends duplicate lines when a map is rendered twice (folium issue
    2237), so the page is rendered on the first call and kept.

    Parameters
    ----------
    m : folium.Map
        A map from :func:`maps.web.web_map`.

    Returns
    -------
    str
        The HTML page.

    Raises
    ------
    WebBuildError
        If a self-contained map still refers to a script or stylesheet on the network.
    """
    figure = m.get_root()
    cached = getattr(figure, "_fergana_html", None)
    if cached is not None:
        return cached
    with deterministic_ids(prefix="r"):
        page = figure.render()
    page = _FOLIUM_VIEWPORT.sub(VIEWPORT, page, count=1)
    if getattr(m, "_fergana_mode", "inline") == "inline":
        check_self_contained(page)
    figure._fergana_html = page
    return page


def check_self_contained(page: str) -> None:
    """Raise if a page still loads a script or stylesheet from the network.

    Parameters
    ----------
    page : str
        An HTML page.

    Raises
    ------
    WebBuildError
        Quoting the offending reference.
    """
    found = _EXTERNAL.search(page)
    if found:
        start = max(0, found.start() - 40)
        raise WebBuildError(
            "the map is not self-contained: it refers to a network resource near "
            f"{page[start : found.end() + 80]!r}"
        )
