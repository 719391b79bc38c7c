"""The offline gallery page (``index.html``) listing every built map."""

from __future__ import annotations

from html import escape
from pathlib import Path

from layers.theme import FONT_FAMILY

FORMAT_LABELS = {
    ".html": "Interactive HTML",
    ".png": "PNG (print, 300 dpi)",
    ".web.png": "PNG (web)",
    ".svg": "SVG (editable)",
    ".pdf": "PDF",
    ".txt": "Text description",
}

EMBED_HINT = (
    "Paste it into your page: the frame grows to the map's height, caption and sources "
    "included; where scripts are not allowed it stays a 16:10 box."
)

PAGE = (Path(__file__).parent / "templates" / "gallery.html").read_text(encoding="utf-8")

CARD = """<article id="{id}">
{thumbnail}<h2>{title}</h2>
<p class="caption">{caption}</p>
<ul class="downloads">
{downloads}
</ul>
{embed}<p class="sources">Sources: {sources}</p>
</article>"""


def gallery_html(manifest: dict, out: Path) -> str:
    """The gallery page for the maps recorded in `manifest`, whose files are in `out`."""
    ordered = sorted(manifest["maps"].items(), key=lambda item: (item[1].get("order", 0), item[0]))
    cards = [_card(map_id, entry, out) for map_id, entry in ordered]
    return PAGE.format(font=FONT_FAMILY, cards="\n".join(cards))


def _card(map_id: str, entry: dict, out: Path) -> str:
    names = sorted(entry["outputs"])
    thumb = next((n for n in names if n.endswith(".web.png")), None)
    thumbnail = ""
    if thumb:
        image = f'<img src="{escape(thumb)}" alt="{escape(entry["title"])}" loading="lazy">'
        link = f"{map_id}.html" in names
        thumbnail = (f'<a href="{escape(map_id)}.html">{image}</a>' if link else image) + "\n"
    downloads = "\n".join(
        f'<li><a href="{escape(name)}" download>{escape(_label(map_id, name))}</a></li>'
        for name in names
        if not name.endswith(".embed.html")
    )
    embed = ""
    snippet_name = f"{map_id}.embed.html"
    if snippet_name in names and (out / snippet_name).is_file():
        snippet = (out / snippet_name).read_text(encoding="utf-8").strip()
        area = f"embed-{escape(map_id)}"
        embed = (
            f'<label for="{area}">Embed code</label>\n'
            f'<textarea id="{area}" readonly aria-describedby="{area}-hint">'
            f"{escape(snippet)}</textarea>\n"
            f'<p class="hint" id="{area}-hint">{EMBED_HINT}</p>\n'
            f'<button type="button" data-copy="{area}">Copy embed code</button>\n'
        )
    return CARD.format(
        id=escape(map_id),
        thumbnail=thumbnail,
        title=escape(entry["title"]),
        caption=escape(entry.get("caption", "")),
        downloads=downloads,
        embed=embed,
        sources=escape("; ".join(entry.get("sources", []))),
    )


def _label(map_id: str, name: str) -> str:
    suffix = name[len(map_id) :]
    return FORMAT_LABELS.get(suffix, suffix.lstrip("."))
