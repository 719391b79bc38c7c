"""The language switcher: links between the pages of one map in its languages.

A map built in several languages (``languages = ["en", "ru"]``) shows, in its
title panel, one link per language, each named in its own language, and lists
them in the page's head as ``<link rel="alternate" hreflang>``. Links are
relative (the pages are siblings in one folder). A map in one language has
neither, and its page is what it was before languages existed.
"""

from __future__ import annotations

from geo.language import N_, language
from maps.languages import Alternate, alternates
from maps.scene import Scene
from maps.web.assets import asset_text
from maps.web.leaflet import safe_in_tag
from maps.web.text import esc


def native_name(code: str) -> str:
    """The language's name in itself ("English", "Русский")."""
    return language(code).native_name


def switcher_nav(scene: Scene) -> str:
    """The switcher's ``<nav>`` (the current language marked, not linked); "" for one language."""
    found = alternates(scene.spec)
    if not found:
        return ""
    items = "".join(_item(alt) for alt in found)
    label = esc(scene.language.gettext(N_("Languages of this map")))
    return f'<nav class="fg-languages" aria-label="{label}"><ul>{items}</ul></nav>'


def alternate_links(scene: Scene) -> list[str]:
    """The head's ``<link rel="alternate" hreflang>`` of every language; none for one language."""
    return [
        f'<link rel="alternate" hreflang="{esc(alt.code)}" href="{esc(alt.href())}" />'
        for alt in alternates(scene.spec)
    ]


def switcher_css(scene: Scene) -> str:
    """The switcher's stylesheet (``switcher.css``); "" for a map in one language."""
    return safe_in_tag(asset_text("switcher.css"), "style") if alternates(scene.spec) else ""


def _item(alt: Alternate) -> str:
    name, code = esc(native_name(alt.code)), esc(alt.code)
    if alt.current:
        return f'<li><span lang="{code}" aria-current="page">{name}</span></li>'
    return f'<li><a href="{esc(alt.href())}" hreflang="{code}" lang="{code}">{name}</a></li>'
