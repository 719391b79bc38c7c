"""fergana's own JavaScript, CSS and templates, read from the package's data files.

``runtime.js`` (``window.FG``: draws a layer's features, labels, symbols and
time filter; its words put in the page's language by :mod:`maps.web.words`),
``embed.js`` (the page's height for an auto-height embed),
``theme.js`` (the colour scheme: light or dark, its feature colours filled in
from :data:`layers.theme.DARK_FEATURE_COLOURS`), ``fergana.css`` (the panels and
label placement; theme colours filled in from :mod:`layers.theme`, the label
roles' typography appended by :func:`maps.web.labels.label_css`), ``theme.css``
(the dark scheme's overrides, its label colours appended by :func:`dark_label_css`),
``legend.js`` and ``figure.html`` (Jinja templates of the legend control and of
the page). Nothing here loads anything from a network.
"""

from __future__ import annotations

import functools
import json
import string
from importlib import resources

from folium.template import Template

from geo.language import ENGLISH, Language
from layers.theme import (
    DARK,
    DARK_FEATURE_COLOURS,
    DARK_LABEL_COLOURS,
    FONT_FAMILY,
    HALO,
    LABEL_ROLES,
    MUTED_TEXT,
    PANEL_OPACITY,
    SEA,
    TEXT,
    WEB_PX_PER_PT,
)
from maps.web.labels import halo_shadow, label_css
from maps.web.leaflet import safe_in_tag
from maps.web.words import translate_js

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
# ... and the dark scheme's, as $dark_sea, $dark_text ... (theme.css)
DARK_CSS_VALUES = {
    "dark_sea": DARK.sea,
    "dark_land": DARK.land,
    "dark_panel": DARK.panel,
    "dark_panel_rgba": "rgba({}, {}, {}, {})".format(
        *(int(DARK.panel[i : i + 2], 16) for i in (1, 3, 5)), PANEL_OPACITY
    ),
    "dark_text": DARK.text,
    "dark_muted_text": DARK.muted_text,
    "dark_halo": DARK.halo,
    "dark_border": DARK.border,
    "dark_button": DARK.button,
}
# Where theme.js receives the dark scheme's feature colours (light hex -> dark hex).
DARK_COLOURS_SLOT = "/*$dark_feature_colours*/{}"


def asset_text(name: str) -> str:
    """The text of one of the package's data files (``runtime.js``, ``fergana.css`` ...)."""
    return resources.files("maps.web").joinpath(name).read_text(encoding="utf-8")


def runtime_js(lang: Language = ENGLISH) -> str:
    """The runtime every map calls (``FG.layer``, ``FG.finish`` ...), its words in `lang`."""
    return translate_js(_runtime_source(), lang)


@functools.cache
def _runtime_source() -> str:
    scripts = "\n".join(asset_text(name) for name in RUNTIME_SCRIPTS)
    if DARK_COLOURS_SLOT not in scripts:
        raise RuntimeError(f"theme.js has lost its slot {DARK_COLOURS_SLOT!r}")
    colours = json.dumps(DARK_FEATURE_COLOURS, sort_keys=True)
    return safe_in_tag(scripts.replace(DARK_COLOURS_SLOT, colours), "script")


@functools.cache
def fergana_css() -> str:
    """The stylesheet of fergana's panels, labels and popups, with the theme's colours."""
    sheets = "\n".join(asset_text(name) for name in STYLESHEETS)
    values = CSS_VALUES | DARK_CSS_VALUES
    css = string.Template(sheets).substitute(values) + label_css() + dark_label_css()
    return safe_in_tag(css, "style")


def dark_label_css() -> str:
    """One rule per label role for the dark scheme: its colour and a dark halo."""
    rules = []
    for name, role in LABEL_ROLES.items():
        shadow = halo_shadow(role.halo * WEB_PX_PER_PT).replace(HALO, DARK.halo)
        rules.append(
            f"[data-fg-theme=dark] .fg-l-{name} span {{ color: {DARK_LABEL_COLOURS[name]}; "
            f"text-shadow: {shadow}; }}\n"
        )
    return "".join(rules)


@functools.cache
def template(name: str) -> Template:
    """A Jinja template from the package's data files (``legend.js``, ``figure.html``)."""
    return Template(asset_text(name))
