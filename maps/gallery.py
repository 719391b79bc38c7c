"""The offline gallery page (``index.html``) listing every built map.

Each map has a card; the pages of an atlas (entries with ``"atlas"``, ids
``SPEC-ID/SLUG``) are grouped in one section headed by the atlas's title, a
compact grid of page cards linking to each page's files.
"""

from __future__ import annotations

import re
from html import escape
from itertools import groupby
from pathlib import Path

from layers.theme import FONT_FAMILY

FORMAT_LABELS = {
    ".html": "Interactive HTML",
    ".png": "PNG (print, 300 dpi)",
    ".web.png": "PNG (web)",
    ".svg": "SVG (editable)",
    ".pdf": "PDF",
    ".txt": "Text description",
    ".gif": "Animation (GIF)",
    ".mp4": "Video (MP4)",
}
#: ``ID.NAME.png/.svg/.pdf``: a small-multiples page (:mod:`maps.print.multiples`).
MULTIPLES = re.compile(r"^\.[a-z0-9][a-z0-9_-]*\.(png|svg|pdf)$")

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


ATLAS = """<section class="atlas" id="{id}" aria-labelledby="{id}-title">
<h2 id="{id}-title">{title}</h2>
<p class="caption">{count} maps, one per feature. {caption}</p>
<div class="pages">
{cards}
</div>
</section>"""

PAGE_CARD = """<article class="page" id="{id}">
{thumbnail}<h3>{title}</h3>
<ul class="downloads">
{downloads}
</ul>
</article>"""


def gallery_html(manifest: dict, out: Path) -> str:
    """The gallery page for the maps recorded in `manifest`, whose files are in `out`."""

    def place(item: tuple[str, dict]) -> tuple:
        map_id, entry = item
        atlas = entry.get("atlas")
        return (entry.get("order", 0), atlas or map_id, entry.get("page_order", 0), map_id)

    ordered = sorted(manifest["maps"].items(), key=place)
    blocks = []
    for atlas, group in groupby(ordered, key=lambda item: item[1].get("atlas")):
        items = list(group)
        if atlas is None:
            blocks += [_card(map_id, entry, out) for map_id, entry in items]
        else:
            blocks.append(_atlas(atlas, items))
    return PAGE.format(font=FONT_FAMILY, cards="\n".join(blocks))


def _atlas(atlas_id: str, pages: list[tuple[str, dict]]) -> str:
    """One section for an atlas: its title, then a small card per page."""
    first = pages[0][1]
    cards = []
    for map_id, entry in pages:
        names = sorted(entry["outputs"])
        downloads = "\n".join(
            f'<li><a href="{escape(name)}" download>{escape(_label(map_id, name))}</a></li>'
            for name in names
            if not name.endswith((".embed.html", ".web.png"))
        )
        cards.append(
            PAGE_CARD.format(
                id=escape(map_id),
                thumbnail=_thumbnail(map_id, entry, names),
                title=escape(entry["title"]),
                downloads=downloads,
            )
        )
    sources = list(dict.fromkeys(s for _, entry in pages for s in entry.get("sources", [])))
    caption = "Sources: " + "; ".join(sources) + "." if sources else ""
    return ATLAS.format(
        id=escape(atlas_id),
        title=escape(first.get("atlas_title") or atlas_id),
        count=len(pages),
        caption=escape(caption),
        cards="\n".join(cards),
    )


def _thumbnail(map_id: str, entry: dict, names: list[str]) -> str:
    thumb = f"{map_id}.web.png" if f"{map_id}.web.png" in names else None
    if thumb is None:
        return ""
    image = f'<img src="{escape(thumb)}" alt="{escape(entry["title"])}" loading="lazy">'
    link = f"{map_id}.html" in names
    return (f'<a href="{escape(map_id)}.html">{image}</a>' if link else image) + "\n"


def _card(map_id: str, entry: dict, out: Path) -> str:
    names = sorted(entry["outputs"])
    thumbnail = _thumbnail(map_id, entry, names)
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
    """What a download link says, e.g. "PDF", "Small multiples (PNG)" or "Video (MP4)"."""
    suffix = name[len(map_id) :] if name.startswith(map_id) else "." + name.rsplit("/")[-1]
    if suffix in FORMAT_LABELS:
        return FORMAT_LABELS[suffix]
    multiples = MULTIPLES.match(suffix)
    if multiples:
        return f"Small multiples ({multiples.group(1).upper()})"
    return suffix.lstrip(".")
