"""The gallery of maps built in several languages: one card per map, a language switcher.

The manifests here are written by hand in the format of ``maps/build.py`` (one entry per
language: ``ID`` and ``ID.ru``, each with ``language`` and ``alternates``), not produced
by the build.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from maps.gallery import gallery_html


def _files(stem: str, *suffixes: str) -> dict[str, str]:
    return {f"{stem}{suffix}": "0" * 64 for suffix in suffixes}


def _entry(title: str, outputs: dict) -> dict:
    return {"title": title, "caption": f"{title}.", "sources": ["UNHCR"], "outputs": outputs}


# as the build writes them: the first language's entry has no alternates
BILINGUAL = {"language": "en"}
RUSSIAN = {
    "language": "ru",
    "alternates": [
        {"code": "en", "id": "june-2010", "current": False},
        {"code": "ru", "id": "june-2010.ru", "current": True},
    ],
}
FORMATS = (".html", ".embed.html", ".png", ".web.png", ".pdf", ".days.png")


def _manifest() -> dict:
    maps = {
        "june-2010": {
            **_entry("June 2010: violence and flight", _files("june-2010", *FORMATS)),
            **BILINGUAL,
            "order": 3,
        },
        "june-2010.ru": {
            **_entry("Июнь 2010 года: насилие и бегство", _files("june-2010.ru", *FORMATS)),
            **RUSSIAN,
            "order": 3,
        },
        "water-and-land": {
            **_entry("Water and land", _files("water-and-land", ".html", ".pdf")),
            "order": 5,
        },
    }
    for slug, n in (("sokh", 1), ("vorukh", 2)):
        for code, stem, title in (
            ("en", f"enclaves/{slug}", slug.title()),
            ("ru", f"enclaves/{slug}.ru", {"sokh": "Сох", "vorukh": "Ворух"}[slug]),
        ):
            maps[stem] = {
                **_entry(title, _files(stem, ".html", ".web.png", ".pdf")),
                **(BILINGUAL if code == "en" else RUSSIAN),
                "order": 4,
                "atlas": "enclaves",
                "atlas_title": "The enclaves of the Fergana Valley",
                "page_order": n,
            }
    return {"maps": maps}


class _Links(HTMLParser):
    """Every link of the page: the article it is in, whether in the switcher, its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.articles: list[str] = []
        self.links: list[dict] = []
        self._article: list[str] = []
        self._nav = 0
        self._link: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article":
            self._article.append(attrs["id"])
            self.articles.append(attrs["id"])
        elif tag == "nav" and "languages" in (attrs.get("class") or ""):
            self._nav += 1
        elif tag == "a":
            card = self._article[-1] if self._article else None
            self._link = {**attrs, "card": card, "switcher": self._nav > 0, "text": ""}

    def handle_endtag(self, tag):
        if tag == "article":
            self._article.pop()
        elif tag == "nav" and self._nav:
            self._nav -= 1
        elif tag == "a" and self._link is not None:
            self.links.append(self._link)
            self._link = None

    def handle_data(self, data):
        if self._link is not None:
            self._link["text"] += data


def _parse(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def _switcher(parsed: _Links, card: str) -> list[tuple[str, str, str]]:
    return [
        (link["href"], link.get("hreflang"), link["text"])
        for link in parsed.links
        if link["card"] == card and link["switcher"]
    ]


@pytest.fixture
def gallery(tmp_path) -> str:
    return gallery_html(_manifest(), tmp_path)


def test_one_card_per_map_whatever_its_languages(gallery):
    parsed = _parse(gallery)
    assert parsed.articles == [
        "june-2010",
        "enclaves/sokh",
        "enclaves/vorukh",
        "water-and-land",
    ]
    assert "4 maps" not in gallery and "2 maps, one per feature" in gallery


def test_the_switcher_links_each_language_by_its_own_name(gallery):
    parsed = _parse(gallery)
    assert _switcher(parsed, "june-2010") == [
        ("june-2010.html", "en", "English"),
        ("june-2010.ru.html", "ru", "Русский"),
    ]
    russian = next(link for link in parsed.links if link["href"] == "june-2010.ru.html")
    assert russian["lang"] == "ru" and russian["title"] == "Июнь 2010 года: насилие и бегство"
    # the card is written in the first language, and says so
    english = next(link for link in parsed.links if link["switcher"] and link["text"] == "English")
    assert english.get("aria-current") == "true" and "aria-current" not in russian
    assert "<h2>June 2010: violence and flight</h2>" in gallery


def test_atlas_pages_have_a_switcher_each(gallery):
    parsed = _parse(gallery)
    assert _switcher(parsed, "enclaves/vorukh") == [
        ("enclaves/vorukh.html", "en", "English"),
        ("enclaves/vorukh.ru.html", "ru", "Русский"),
    ]


def test_downloads_of_the_other_language_are_named_and_tagged(gallery):
    parsed = _parse(gallery)
    downloads = {
        link["href"]: (link["text"], link.get("hreflang"))
        for link in parsed.links
        if link["card"] == "june-2010" and "download" in link
    }
    assert downloads["june-2010.pdf"] == ("PDF", None)
    assert downloads["june-2010.ru.pdf"] == ("PDF — Русский", "ru")
    # june-2010.ru.png is the Russian print PNG, not a small-multiples page called "ru"
    assert downloads["june-2010.ru.png"] == ("PNG (print, 300 dpi) — Русский", "ru")
    assert downloads["june-2010.ru.days.png"] == ("Small multiples (PNG) — Русский", "ru")
    assert downloads["june-2010.days.png"] == ("Small multiples (PNG)", None)


def test_embed_code_in_each_language(tmp_path):
    for stem in ("june-2010", "june-2010.ru"):
        (tmp_path / f"{stem}.embed.html").write_text(f"<iframe src='{stem}.html'>", "utf-8")
    gallery = gallery_html(_manifest(), tmp_path)
    assert '<textarea id="embed-june-2010" readonly' in gallery
    assert '<textarea id="embed-june-2010.ru" lang="ru" readonly' in gallery
    assert "Copy embed code — Русский</button>" in gallery


def test_a_language_not_built_is_not_linked(tmp_path):
    manifest = _manifest()
    del manifest["maps"]["june-2010.ru"]
    parsed = _parse(gallery_html(manifest, tmp_path))
    assert _switcher(parsed, "june-2010") == []
    assert not any(link["href"].startswith("june-2010.ru") for link in parsed.links)


def test_maps_in_one_language_look_as_before(tmp_path):
    manifest = {"maps": {"water-and-land": _entry("Water", _files("water-and-land", ".pdf"))}}
    gallery = gallery_html(manifest, tmp_path)
    assert "languages" not in gallery and "hreflang" not in gallery
    assert '<li><a href="water-and-land.pdf" download>PDF</a></li>' in gallery
    assert "article.page ul.downloads { font-size: .8rem; margin: 0; }\n</style>" in gallery
