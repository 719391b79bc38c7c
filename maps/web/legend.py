"""The legend panel: the scene's legend model laid out as HTML, one section per layer.

What each section says (rows, heading, size key, "not reported" row) is the
scene's (:mod:`maps.scene.legend`); here it is only drawn, with swatches in the
map's own styles. Each section carries its layer's pane key so it hides while
the layer is switched off.
"""

from __future__ import annotations

from collections.abc import Sequence

from geo.language import ENGLISH, N_, Language
from maps.scene import LegendSection, SizeKey, SizeKeyRow
from maps.web.symbols import marker_svg, swatch, width_key_svg
from maps.web.text import esc

LEGEND_POSITION = "bottomright"
LEGEND_BODY_ID = "fg-legend-body"


def main_map_sections(legend: Sequence[LegendSection]) -> list[LegendSection]:
    """The sections of the main map.

    The web page draws no context insets (the reader pans and zooms instead),
    so the sections of layers drawn only in them (``context != ""``) are left out.
    """
    return [section for section in legend if not section.context]


def legend_html(sections: Sequence[LegendSection], lang: Language = ENGLISH) -> str:
    """The legend panel's HTML: a button that opens and closes the body of sections.

    The body is open on wide screens and a closed sheet on phones (``legend.js``
    decides when the page opens; the button's ``aria-expanded`` says which).
    """
    body = "".join(section_html(section) for section in sections)
    return (
        '<button type="button" class="fg-legend-toggle" aria-expanded="true" '
        f'aria-controls="{LEGEND_BODY_ID}">{esc(lang.gettext(N_("Legend")))}</button>'
        f'<div class="fg-legend-body" id="{LEGEND_BODY_ID}">{body}</div>'
    )


def section_html(section: LegendSection) -> str:
    """One layer's legend section, tagged with its layer's key (``data-fg-layer``)."""
    out = f'<section data-fg-layer="{esc(section.key)}">'
    if section.heading is not None:
        out += f"<h2>{esc(section.heading)}</h2>"
    if section.rows:
        items = "".join(
            f"<li>{swatch(row.style, row.kind)}<span>{esc(row.label)}</span></li>"
            for row in section.rows
        )
        out += f"<ul>{items}</ul>"
    if section.size_key is not None:
        out += size_key_html(section.size_key)
    return out + "</section>"


def size_key_html(key: SizeKey) -> str:
    """Proportional symbol diameters or flow widths, one row per key value."""
    title = f'<p class="fg-key-title">{esc(key.title)}</p>' if key.title else ""
    rows = "".join(_key_row(key.kind, row) for row in key.rows)
    return f'{title}<ul class="fg-key">{rows}</ul>'


def _key_row(kind: str, row: SizeKeyRow) -> str:
    style = row.style
    if kind == "point":
        svg = marker_svg(style.but(marker_size=row.size), size=row.size)
    else:
        colour = style.stroke or style.fill or "#000000"
        svg = width_key_svg(colour, row.size, style.stroke_opacity, style.dash)
    css = ' class="fg-key-unknown"' if row.value is None else ""
    return f"<li{css}>{svg}<span>{esc(row.label)}</span></li>"
