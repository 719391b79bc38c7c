"""fergana's own JavaScript, CSS and templates, read from the package's data files.

``runtime.js`` (``window.FG``: draws a layer's features, labels, symbols and
time filter), ``fergana.css`` (the panels and label placement; theme colours
filled in from :mod:`layers.theme`, the label roles' typography appended by
:func:`maps.web.labels.label_css`), ``legend.js`` and ``figure.html`` (Jinja templates of the
legend control and of the page). Nothing here loads anything from a network.
"""

from __future__ import annotations

import functools
import string
from importlib import resources

from folium.template import Template

from layers.theme import FONT_FAMILY, HALO, MUTED_TEXT, SEA, TEXT
from maps.web.labels import label_css
from maps.web.leaflet import safe_in_tag

#: The runtime's scripts, in order: drawing (``runtime.js``), then what builds on it:
#: keyboard and screen-reader access, the embed's height messages, the colour scheme.
RUNTIME_SCRIPTS = ("runtime.js", "access.js", "embed.js", "theme.js")
#: The stylesheets, in order: panels and layout, then the dark colour scheme.
STYLESHEETS = ("fergana.css", "theme.css")

# Theme values the stylesheet names as $sea, $text, ...
CSS_VALUES = {
    "sea": SEA,
    "text": TEXT,
    "muted_text": MUTED_TEXT,
    "halo": HALO,
    "font_family": FONT_FAMILY,
}


def asset_text(name: str) -> str:
    """The text of one of the package's data files (``runtime.js``, ``fergana.css`` ...)."""
    return resources.files("maps.web").joinpath(name).read_text(encoding="utf-8")


@functools.cache
def runtime_js() -> str:
    """The runtime every map calls (``FG.layer``, ``FG.finish`` ...)."""
    return safe_in_tag("\n".join(asset_text(name) for name in RUNTIME_SCRIPTS), "script")


@functools.cache
def fergana_css() -> str:
    """The stylesheet of fergana's panels, labels and popups, with the theme's colours."""
    sheets = "\n".join(asset_text(name) for name in STYLESHEETS)
    css = string.Template(sheets).substitute(CSS_VALUES) + label_css()
    return safe_in_tag(css, "style")


@functools.cache
def template(name: str) -> Template:
    """A Jinja template from the package's data files (``legend.js``, ``figure.html``)."""
    return Template(asset_text(name))
