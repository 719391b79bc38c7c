"""The legend: one section per layer (its entries and size key), in one collapsible panel."""

from __future__ import annotations

from collections.abc import Sequence

from layers import Layer, LegendEntry
from maps.web.symbols import marker_svg, swatch, width_key_svg
from maps.web.text import esc, format_number

LEGEND_POSITION = "bottomright"


def legend_html(sections: Sequence[str]) -> str:
    """The legend panel's HTML: the sections inside an open ``<details>``."""
    return "<details open><summary>Legend</summary>" + "".join(sections) + "</details>"


def legend_section(layer: Layer, key: str) -> str:
    """One layer's legend section, tagged with its pane `key` so it follows the layer."""
    entries = legend_entries(layer)
    items = "".join(
        f"<li>{swatch(e.style, e.kind)}<span>{esc(e.label)}</span></li>" for e in entries
    )
    body = f"<ul>{items}</ul>" + size_key(layer)
    return f'<section data-fg-layer="{esc(key)}"><h3>{esc(layer.title)}</h3>{body}</section>'


def legend_entries(layer: Layer) -> list[LegendEntry]:
    """A layer's legend entries: its own, or one entry with its title and style."""
    return layer.legend or [LegendEntry(layer.title, layer.style, layer.kind)]


def size_key(layer: Layer) -> str:
    """Proportional flow widths or symbol sizes at the scale's key values."""
    size = layer.size
    if size is None or not size.key_values:
        return ""
    colour = layer.style.stroke or layer.style.fill or "#000000"
    rows = []
    for value in size.key_values:
        px = size.size(value)
        if layer.kind == "point":
            marker = layer.style.but(marker_size=px)
            svg = marker_svg(marker, size=px)
        else:
            svg = width_key_svg(colour, px, layer.style.stroke_opacity)
        rows.append(f"<li>{svg}<span>{esc(format_number(value))}</span></li>")
    title = size.label or size.column
    return f'<p class="fg-key-title">{esc(title)}</p><ul class="fg-key">{"".join(rows)}</ul>'
