"""The offline gallery page (``index.html``) listing every built map.

Each map has a card; the pages of an atlas (entries with ``"atlas"``, ids
``SPEC-ID/SLUG``) are grouped in one section headed by the atlas's title, a
compact grid of page cards linking to each page's files.

A map built in several languages (``languages = ["en", "ru"]``) has one manifest
entry per language: ``ID`` for the first language, ``ID.CODE`` for the others, each
with ``"language"`` (its code) and ``"alternates"`` (every code of the map, in spec
order). The gallery is one page: it shows one card per map, in the map's first
language, with a language switcher linking each language's interactive map
("English", "Русский", with ``hreflang``) and the downloads of every language. An
entry without ``"language"`` (a map in one language, or a manifest written before
languages) is a card of its own, exactly as before.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from html import escape
from itertools import groupby
from pathlib import Path

from geo.language import LanguageError, language
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
#: The switcher's style, added to the page only where a map has several languages (a
#: gallery of one-language maps stays byte for byte as it was).
SWITCHER_CSS = (Path(__file__).parent / "templates" / "gallery-languages.css").read_text(
    encoding="utf-8"
)

CARD = """<article id="{id}">
{thumbnail}<h2>{title}</h2>
<p class="caption">{caption}</p>
{languages}<ul class="downloads">
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
{languages}<ul class="downloads">
{downloads}
</ul>
</article>"""


@dataclass(frozen=True)
class Version:
    """One language of a map as the manifest records it.

    Attributes
    ----------
    code : str or None
        The entry's ``"language"``; None for an entry that names none.
    map_id : str
        The entry's key, also the stem of its files (``june-2010.ru``).
    entry : dict
        The manifest entry.
    """

    code: str | None
    map_id: str
    entry: dict


@dataclass(frozen=True)
class GalleryMap:
    """A map as one card shows it: its languages, the first one shown.

    Attributes
    ----------
    id : str
        The id of the map's first language (``june-2010``, ``enclaves/sokh``).
    versions : tuple of Version
        Every language built, in the map's language order.
    codes : tuple of str
        The map's languages in order (its ``"alternates"``); () for a map in one.
    """

    id: str
    versions: tuple[Version, ...]
    codes: tuple[str, ...]

    @property
    def shown(self) -> Version:
        """The language the card is written in: the map's first one built."""
        return self.versions[0]

    def stem(self, code: str) -> str:
        """File stem of `code`'s outputs: the id for the first language, else ``ID.CODE``."""
        return self.id if not self.codes or code == self.codes[0] else f"{self.id}.{code}"


def gallery_html(manifest: dict, out: Path) -> str:
    """The gallery page for the maps recorded in `manifest`, whose files are in `out`."""

    def place(item: GalleryMap) -> tuple:
        entry = item.shown.entry
        atlas = entry.get("atlas")
        return (entry.get("order", 0), atlas or item.id, entry.get("page_order", 0), item.id)

    ordered = sorted(gallery_maps(manifest), key=place)
    blocks = []
    for atlas, group in groupby(ordered, key=lambda item: item.shown.entry.get("atlas")):
        items = list(group)
        if atlas is None:
            blocks += [_card(item, out) for item in items]
        else:
            blocks.append(_atlas(atlas, items))
    styles = SWITCHER_CSS if any(_switcher(item) for item in ordered) else ""
    return PAGE.format(font=FONT_FAMILY, styles=styles, cards="\n".join(blocks))


def gallery_maps(manifest: dict) -> list[GalleryMap]:
    """The manifest's entries gathered into maps: the languages of one map together.

    An entry with ``"language": CODE`` whose key ends in ``.CODE`` is that language
    of the map whose id is the key without it; any other entry is a map of its own.
    """
    found: dict[str, list[Version]] = {}
    for map_id, entry in manifest["maps"].items():
        code = entry.get("language")
        base = map_id
        if code and map_id.endswith(f".{code}") and _not_first(code, entry):
            base = map_id[: -len(code) - 1]
        found.setdefault(base, []).append(Version(code, map_id, entry))
    maps = []
    for base, versions in found.items():
        codes = _codes(versions)
        rank = {code: n for n, code in enumerate(codes)}
        versions.sort(key=lambda v: (v.map_id != base, rank.get(v.code, len(rank)), v.map_id))
        maps.append(GalleryMap(base, tuple(versions), codes))
    return maps


def _not_first(code: str, entry: dict) -> bool:
    alternates = _alternate_codes(entry)
    return not alternates or alternates[0] != code


def _alternate_codes(entry: dict) -> list[str]:
    """The codes of an entry's ``alternates`` (the build writes ``{"code", "id", "current"}``)."""
    return [a["code"] if isinstance(a, dict) else a for a in entry.get("alternates") or []]


def _codes(versions: list[Version]) -> tuple[str, ...]:
    """The map's languages: its entries' ``alternates``, then any other language built."""
    codes = [c for v in versions for c in _alternate_codes(v.entry)]
    codes += [v.code for v in versions if v.code]
    codes = tuple(dict.fromkeys(codes))
    return codes if len(codes) > 1 else ()


@functools.cache
def native_name(code: str) -> str:
    """The language's own name ("English", "Русский"); the code itself if unknown."""
    try:
        return language(code).native_name
    except LanguageError:
        return code


def _switcher(item: GalleryMap) -> str:
    """Links to the interactive map in each of `item`'s languages, or "" for one language."""
    if not item.codes:
        return ""
    outputs = {name for v in item.versions for name in v.entry["outputs"]}
    titles = {v.code: v.entry.get("title", "") for v in item.versions}  # a tooltip
    links = []
    for code in item.codes:
        href = f"{item.stem(code)}.html"
        if href not in outputs:
            continue
        current = ' aria-current="true"' if code == item.shown.code else ""
        title = f' title="{escape(titles[code])}"' if titles.get(code) else ""
        links.append(
            f'<li><a href="{escape(href)}" hreflang="{escape(code)}" lang="{escape(code)}"'
            f"{title}{current}>{escape(native_name(code))}</a></li>"
        )
    if len(links) < 2:
        return ""
    return (
        '<nav class="languages" aria-label="Languages"><ul>\n'
        + "\n".join(links)
        + "\n</ul></nav>\n"
    )


def _downloads(item: GalleryMap, skip: tuple[str, ...]) -> str:
    """Download links to every file of every language, other languages' labels naming it."""
    lines = []
    for version in item.versions:
        for name in sorted(version.entry["outputs"]):
            if name.endswith(skip):
                continue
            label, code = _label_and_language(item, version.map_id, name)
            if code and code != item.shown.code:
                attrs = f' hreflang="{escape(code)}"'
                label = f"{label} — {native_name(code)}"
            else:
                attrs = ""
            lines.append(f'<li><a href="{escape(name)}"{attrs} download>{escape(label)}</a></li>')
    return "\n".join(lines)


def _atlas(atlas_id: str, pages: list[GalleryMap]) -> str:
    """One section for an atlas: its title, then a small card per page."""
    first = pages[0].shown.entry
    cards = []
    for item in pages:
        entry = item.shown.entry
        cards.append(
            PAGE_CARD.format(
                id=escape(item.id),
                thumbnail=_thumbnail(item.shown.map_id, entry, sorted(entry["outputs"])),
                title=escape(entry["title"]),
                languages=_switcher(item),
                downloads=_downloads(item, skip=(".embed.html", ".web.png")),
            )
        )
    sources = list(dict.fromkeys(s for item in pages for s in item.shown.entry.get("sources", [])))
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


def _card(item: GalleryMap, out: Path) -> str:
    shown = item.shown
    names = sorted(shown.entry["outputs"])
    return CARD.format(
        id=escape(item.id),
        thumbnail=_thumbnail(shown.map_id, shown.entry, names),
        title=escape(shown.entry["title"]),
        caption=escape(shown.entry.get("caption", "")),
        languages=_switcher(item),
        downloads=_downloads(item, skip=(".embed.html",)),
        embed="".join(_embed(item, version, out) for version in item.versions),
        sources=escape("; ".join(shown.entry.get("sources", []))),
    )


def _embed(item: GalleryMap, version: Version, out: Path) -> str:
    """The embed code of one language's map, or "" where it has none."""
    snippet_name = f"{version.map_id}.embed.html"
    if snippet_name not in version.entry["outputs"] or not (out / snippet_name).is_file():
        return ""
    snippet = (out / snippet_name).read_text(encoding="utf-8").strip()
    area = f"embed-{escape(version.map_id)}"
    other = version.code if version is not item.shown and version.code else None
    named = f" — {native_name(other)}" if other else ""
    lang = f' lang="{escape(other)}"' if other else ""
    return (
        f'<label for="{area}">Embed code{escape(named)}</label>\n'
        f'<textarea id="{area}"{lang} readonly aria-describedby="{area}-hint">'
        f"{escape(snippet)}</textarea>\n"
        f'<p class="hint" id="{area}-hint">{EMBED_HINT}</p>\n'
        f'<button type="button" data-copy="{area}">Copy embed code{escape(named)}</button>\n'
    )


def _label_and_language(item: GalleryMap, map_id: str, name: str) -> tuple[str, str | None]:
    """What a download link says, and the language of the file (None: not known).

    A file is of the language whose stem (``ID``, ``ID.ru``) it starts with, the
    longest first, so that ``june-2010.ru.png`` is the Russian PNG, not a
    small-multiples page named "ru".
    """
    for code in sorted(item.codes, key=lambda c: -len(item.stem(c))):
        stem = item.stem(code)
        label = _known_label(name[len(stem) :]) if name.startswith(stem + ".") else None
        if label:
            return label, code
    version_code = next((v.code for v in item.versions if v.map_id == map_id), None)
    return _label(map_id, name), version_code


def _known_label(suffix: str) -> str | None:
    if suffix in FORMAT_LABELS:
        return FORMAT_LABELS[suffix]
    multiples = MULTIPLES.match(suffix)
    return f"Small multiples ({multiples.group(1).upper()})" if multiples else None


def _label(map_id: str, name: str) -> str:
    """What a download link says, e.g. "PDF", "Small multiples (PNG)" or "Video (MP4)"."""
    suffix = name[len(map_id) :] if name.startswith(map_id) else "." + name.rsplit("/")[-1]
    return _known_label(suffix) or suffix.lstrip(".")
