"""The web page in Russian: its language, its own words, the switcher, labels and days.

Pages are built as the build will build them: the spec with ``languages = ("en",
"ru")`` and the language of the rendering, inside ``speaking(ru)``. What the tests
read comes from the page (its HTML, or Chromium's rendering of it), checked against
Cyrillic script, the words of Russian typography typed here and ``lang.missing``,
never against the renderer's own tables.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from russian_text import english_left
from webpage import Visit, control_boxes

import maps.web
from geo.language import ENGLISH, KEYWORDS, Language, catalog_path, language, speaking
from geo.names import local_names
from maps import compose, load_spec, spec_from_dict
from maps.scene import build_scene
from maps.spec import SPEC_DIR
from maps.spec_text import spec_in
from maps.web import write_web
from maps.web.assets import RUNTIME_SCRIPTS, runtime_js

CYRILLIC = re.compile(r"[\u0400-\u04FF]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
SIZES = [(1280, 800), (375, 667)]


@dataclasses.dataclass
class Page:
    path: Path
    lang: Language

    @property
    def html(self) -> str:
        return self.path.read_text(encoding="utf-8")


def _build(spec, out: Path, code: str) -> Page:
    lang = ENGLISH if code == "en" else language(code, names=local_names(code))
    with speaking(lang):
        scene = build_scene(compose(spec_in(spec, code)))
        paths = write_web(scene, out)
    return Page(paths[0], lang)


#: A user's table (other column names than the story maps'), named and titled in Russian.
WELLS = """колодец,lon,lat,debit
Ош,72.8,40.53,120
Андижан,72.34,40.78,4500
Наманган,71.67,41.0,980
Khujand,69.62,40.28,
"""


def _user_map(out: Path) -> Page:
    """A user's own points from a CSV file, titled in Russian, on no story map's data."""
    data = out / "wells.csv"
    data.write_text(WELLS, encoding="utf-8")
    spec = spec_from_dict(
        {
            "id": "user-wells",
            "title": "Колодцы долины (тест)",
            "extent": [69.0, 39.8, 73.5, 41.5],
            "layers": [
                {
                    "id": "points",
                    "options": {
                        "data": str(data),
                        "size": "debit",
                        "label": "колодец",
                        "units": "м³ в сутки",
                        "title": "Колодцы",
                    },
                }
            ],
        },
        source="user-wells.toml",
    )
    spec = dataclasses.replace(spec, languages=("en", "ru"), language="ru")
    ru = language("ru", names=local_names("ru"))
    with speaking(ru):
        paths = write_web(build_scene(compose(spec)), out)
    return Page(paths[0], ru)


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Page]:
    """june-2010 in English and Russian (one folder), in English alone, and a user's map."""
    out = tmp_path_factory.mktemp("web-languages")
    alone_out = tmp_path_factory.mktemp("web-one-language")
    both = load_spec(SPEC_DIR / "june-2010.toml")  # languages = ["en", "ru"], [text.ru]
    assert both.languages == ("en", "ru")
    alone = dataclasses.replace(both, languages=(), text={})
    return {
        "en": _build(both, out, "en"),
        "ru": _build(both, out, "ru"),
        "alone": _build(alone, alone_out, "en"),
        "user": _user_map(out),
    }


# --- the page's HTML ------------------------------------------------------------------------------


class Links(HTMLParser):
    """The page's language, its head's alternates and its switcher's items."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = None
        self.alternates: list[dict] = []
        self.items: list[tuple[str, dict, str]] = []
        self.navs: list[dict] = []
        self._in_nav = False
        self._item: tuple[str, dict] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "link" and attrs.get("rel") == "alternate":
            self.alternates.append(attrs)
        elif tag == "nav" and "fg-languages" in attrs.get("class", ""):
            self.navs.append(attrs)
            self._in_nav = True
        elif self._in_nav and tag in ("a", "span"):
            self._item = (tag, attrs)

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_nav = False

    def handle_data(self, data):
        if self._item is not None:
            self.items.append((*self._item, data))
            self._item = None


def links_of(page: Page) -> Links:
    parser = Links()
    parser.feed(page.html)
    # the title panel, switcher included, is written by the script (FG.finish's config)
    finish = re.search(r'"title":("(?:[^"\\]|\\.)*")', page.html)
    assert finish, "no title in FG.finish"
    parser.feed(json.loads(finish.group(1)))
    return parser


def test_russian_page_is_russian_and_links_both_languages(pages):
    found = links_of(pages["ru"])
    assert found.lang == "ru"
    assert {(a["hreflang"], a["href"]) for a in found.alternates} == {
        ("en", "june-2010.html"),
        ("ru", "june-2010.ru.html"),
    }
    assert len(found.navs) == 1 and CYRILLIC.search(found.navs[0]["aria-label"])
    by_lang = {attrs["lang"]: (tag, attrs, text) for tag, attrs, text in found.items}
    assert set(by_lang) == {"en", "ru"}
    tag, attrs, text = by_lang["ru"]
    assert tag == "span" and attrs.get("aria-current") == "page" and text == "Русский"
    tag, attrs, text = by_lang["en"]
    assert tag == "a" and text == "English" and attrs["hreflang"] == "en"
    assert attrs["href"] == "june-2010.html"  # relative: a sibling file
    assert (pages["ru"].path.parent / attrs["href"]).exists()


def test_english_page_of_two_languages_links_the_russian(pages):
    found = links_of(pages["en"])
    assert found.lang == "en"
    current = [(tag, text) for tag, attrs, text in found.items if attrs.get("aria-current")]
    assert current == [("span", "English")]
    hrefs = [attrs["href"] for tag, attrs, _ in found.items if tag == "a"]
    assert hrefs == ["june-2010.ru.html"]


def test_one_language_map_has_no_switcher(pages):
    found = links_of(pages["alone"])
    assert found.lang == "en"
    assert found.alternates == [] and found.navs == [] and found.items == []
    assert "hreflang" not in pages["alone"].html and "fg-languages" not in pages["alone"].html
    # the Russian machinery stays out of English pages
    assert "FG.day" not in pages["alone"].html and "$lang" not in pages["alone"].html
    assert runtime_js() == runtime_js(ENGLISH)


def test_russian_scripts_carry_no_english_of_their_own():
    ru = language("ru")
    script = runtime_js(ru)
    assert "/*$lang" not in script and not re.search(r"\b_\([\"']", script)
    assert ru.missing.messages == {}, sorted(ru.missing.messages)


def test_every_web_message_is_in_the_russian_catalog():
    """The web's catalog check: its Python's N_() messages and its scripts' _() messages."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    web = Path(maps.web.__file__).parent
    used = {
        (m[0] if isinstance(m, tuple) else m): f"{name}:{line}"
        for name, line, m, _, _ in extract_from_dir(
            web, method_map=[("**.py", "python")], keywords=KEYWORDS
        )
    }
    for script in RUNTIME_SCRIPTS:
        text = (web / script).read_text(encoding="utf-8")
        # a message ends where its markup begins: ', as of <output>'
        for found in re.finditer(r"""\b_\((?:"([^"\n]*)"|'([^'\n]*)')\)""", text):
            message = found.group(1) if found.group(1) is not None else found.group(2)
            used.setdefault(message.partition("<")[0], script)
    assert {"Full screen", "Zoom in", "Legend", "Whole map", ", as of "} <= set(used)
    with catalog_path("ru").open("rb") as handle:
        catalog = read_po(handle, locale="ru")
    lacking = [
        f"{where}: {msgid!r}"
        for msgid, where in sorted(used.items())
        if catalog.get(msgid) is None or not catalog.get(msgid).string
    ]
    assert lacking == []


def test_russian_outputs_have_russian_file_names(pages):
    folder = pages["ru"].path.parent
    assert {"june-2010.ru.html", "june-2010.ru.embed.html", "june-2010.ru.txt"} <= {
        p.name for p in folder.iterdir()
    }
    embed = (folder / "june-2010.ru.embed.html").read_text(encoding="utf-8")
    assert 'src="june-2010.ru.html"' in embed and 'href="june-2010.ru.txt"' in embed
    assert "Text description" not in embed


# --- in Chromium ----------------------------------------------------------------------------------

#: Visible text nodes and the names of controls, with where each is (for messages).
_TEXTS = """() => {
  const out = [];
  const skip = el => el.closest('.fg-sr');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement, text = n.textContent.trim();
    if (!text || !el || skip(el) || el.closest('script, style')) continue;
    const css = getComputedStyle(el);
    if (css.visibility === 'hidden' || !el.getClientRects().length) continue;
    const credits = !!el.closest('.fg-credits'), switcher = !!el.closest('.fg-languages');
    out.push({text, credits, switcher, where: el.className || el.tagName});
  }
  document.querySelectorAll('.leaflet-control-container [aria-label], '
      + '.leaflet-control-container [title], .fg-legend-toggle, [aria-valuetext], '
      + 'section[aria-label], nav[aria-label]').forEach(el => {
    for (const name of ['aria-label', 'title', 'aria-valuetext']) {
      const text = (el.getAttribute(name) || '').trim();
      if (text) out.push({text, credits: false, switcher: false, where: name});
    }
  });
  return out;
}"""


def untranslated(visit: Visit, lang: Language) -> list[str]:
    """Texts of the page with English words that are not recorded missing."""
    bad = []
    for item in visit.page.evaluate(_TEXTS):
        if item["credits"] or item["switcher"]:  # citations as published; "English" itself
            continue
        if item["where"] == "TD":  # the sources' own cells (notes, quotes) as published
            continue
        english = english_left(item["text"], lang.missing)
        if english:
            bad.append(f"{item['where']}: {item['text'][:60]} [English: {' '.join(english)}]")
    return bad


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("which", ["ru", "user"])
def test_controls_speak_russian(pages, browser, which, size):
    """The renderer's own words: control names, legend button, scale, keyboard help."""
    visit = Visit(browser, pages[which].path, viewport=size)
    page = visit.page
    try:
        names = page.evaluate(
            "Array.from(document.querySelectorAll('.leaflet-control-container [aria-label], "
            ".leaflet-control-container [title], section[aria-label], nav[aria-label]'))"
            ".filter(el => !el.closest('.fg-legend-body'))"
            ".flatMap(el => [el.getAttribute('aria-label'), el.getAttribute('title')])"
            ".filter(Boolean)"
        )
        assert names and all(CYRILLIC.search(n) for n in names), names
        assert CYRILLIC.search(page.locator(".fg-legend-toggle").inner_text())
        scale = page.locator(".leaflet-control-scale-line").inner_text()
        assert re.fullmatch(r"\d+ (км|м)", scale), scale
        keys = page.locator("#fg-map-keys").text_content()
        # only the keys' own names stay Latin
        assert CYRILLIC.search(keys) and not LATIN_WORD.search(
            re.sub(r"Tab|Enter|Escape", "", keys)
        )
        assert visit.errors == [] and visit.network == []
    finally:
        visit.close()


@pytest.mark.browser
def test_slider_days_are_russian(pages, browser):
    visit = Visit(browser, pages["ru"].path, viewport=(1280, 800))
    page = visit.page
    try:
        day = " ".join(page.locator(".fg-time output").inner_text().split())
        assert day == "29 июня 2010 г."
        label = page.locator(".fg-time label").inner_text()
        assert "по состоянию на" in label and not re.search(r"\d{4}-\d\d-\d\d", label)
        page.locator(".fg-time input").fill("0")
        page.locator(".fg-time input").dispatch_event("input")
        first = " ".join(page.locator(".fg-time output").inner_text().split())
        assert re.fullmatch(r"\d{1,2} июня 2010 г\.", first), first
        lines = page.locator(".fg-time .fg-series").all_inner_texts()
        assert lines and not any(re.search(r"\d{4}-\d\d-\d\d", t) for t in lines), lines
        spoken = page.locator(".fg-time input").get_attribute("aria-valuetext")
        assert " ".join(spoken.split()).startswith(first + " "), spoken
        assert "г.." not in spoken and not re.search(r"\d{4}-\d\d-\d\d", spoken), spoken
        assert visit.errors == [] and visit.network == []
    finally:
        visit.close()


_LABEL_BOXES = (
    "Array.from(document.querySelectorAll('.fg-label span'))"
    ".filter(s => s.getClientRects().length && getComputedStyle(s).visibility !== 'hidden')"
    ".map(s => { const r = s.getBoundingClientRect();"
    " return [s.textContent, r.left, r.top, r.right, r.bottom]; })"
)


def label_clashes(boxes: list) -> list[tuple[str, str]]:
    return [
        (a[0], b[0])
        for a, b in itertools.combinations(boxes, 2)
        if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]
    ]


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("which", ["ru", "user"])
def test_russian_labels_do_not_overlap(pages, browser, which, size):
    visit = Visit(browser, pages[which].path, viewport=size)
    page = visit.page
    try:
        # The page's own declutter once more, on the view at rest: on opening it may run
        # while the opening zoom's CSS transition still moves the labels (English pages
        # too; see test_labels_apart_as_the_page_opens).
        page.evaluate("FG.declutter()")
        boxes = page.evaluate(_LABEL_BOXES)
        assert boxes, "no label shown"
        assert any(CYRILLIC.search(b[0]) for b in boxes)
        assert label_clashes(boxes) == []
        # the longer Russian words leave the controls apart and inside the screen
        shown = [box for box in control_boxes(page).values() if box.shown]
        assert shown
        together = [(a.name, b.name) for a, b in itertools.combinations(shown, 2) if a.overlaps(b)]
        assert together == []
        page_height = page.evaluate("document.documentElement.scrollHeight")
        assert all(box.inside(size[0], max(size[1], page_height)) for box in shown)
        # the switcher sits in the title panel: inside the screen, clear of the controls
        if which == "ru":
            nav = page.locator(".fg-languages").bounding_box()
            title = page.locator(".fg-title").bounding_box()
            assert (
                nav["x"] >= title["x"]
                and nav["y"] + nav["height"] <= title["y"] + title["height"] + 0.5
            )
            assert nav["x"] + nav["width"] <= size[0]
        assert visit.errors == [] and visit.network == []
    finally:
        visit.close()


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("which", ["ru", "user"])
def test_whole_page_reads_russian(pages, browser, which, size):
    visit = Visit(browser, pages[which].path, viewport=size)
    try:
        bad = untranslated(visit, pages[which].lang)
        assert not bad, "\n".join(bad)
        assert visit.errors == [] and visit.network == []
    finally:
        visit.close()


@pytest.mark.browser
def test_slider_totals_are_russian_numbers(pages, browser):
    visit = Visit(browser, pages["ru"].path, viewport=(1280, 800))
    try:
        totals = visit.page.locator(".fg-time .fg-series").all_inner_texts()
        assert any("75\u00a0000" in t for t in totals), totals
        assert not any(re.search(r"\d,\d{3}", t) for t in totals), totals
    finally:
        visit.close()


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_labels_apart_as_the_page_opens(pages, browser, size):
    visit = Visit(browser, pages["ru"].path, viewport=size)
    try:
        # the page's own declutter runs on the frame after the fit's moveend: wait for it
        visit.page.evaluate(
            "() => document.fonts.ready.then(() => new Promise(done =>"
            " requestAnimationFrame(() => requestAnimationFrame(done))))"
        )
        assert label_clashes(visit.page.evaluate(_LABEL_BOXES)) == []
    finally:
        visit.close()
