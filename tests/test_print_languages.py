"""The print renderer in Russian: its own words, numbers and dates, labels re-placed, fonts.

Russian maps are built as a language build does (the scene composed while Russian
is current) and then drawn *outside* ``speaking``: the renderer must take its
language from the scene. What the page shows is read back from the SVG and PDF
bytes; the expected Russian is written here by hand (CLDR's conventions: a
no-break space between thousands, a decimal comma, «12 июня 2010 г.»), never
produced by the code under test. English outputs staying byte-identical is checked
by tests/test_static.py's references; English words by the test at the end.
"""

from __future__ import annotations

import dataclasses
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import pytest
from matplotlib.figure import Figure
from russian_text import english_left

from geo.language import Language, language, speaking
from geo.names import local_names
from maps import compose, load_spec
from maps.pages import resolve_size
from maps.print import render_bytes, static_figure
from maps.print.export import RC
from maps.print.frames import frame_page
from maps.print.furniture import format_km
from maps.print.multiples import multiples_figure
from maps.print.text import inside, overlaps
from maps.scene import Scene, build_scene
from maps.scene.series import series_scene, time_steps
from maps.spec import SPEC_DIR

LOW_DPI = 60
SVG = "{http://www.w3.org/2000/svg}"
PROJECT_SPECS = Path(__file__).parent / "project" / "specs"
MAPS = {
    "june-2010": SPEC_DIR / "june-2010.toml",
    "fergana-borders": SPEC_DIR / "fergana-borders.toml",
    "steppe-markets": PROJECT_SPECS / "steppe-markets.toml",  # a user's data, other columns
}
# Each map's title, subtitle and caption in Russian, as a spec's [text.ru] gives them
# (spec text is resolved before the scene; the renderer only sets it).
RUSSIAN_TEXT = {
    "june-2010": (
        "Июнь 2010 года: насилие и бегство",
        "Нападения в Оше, Джалал-Абаде и Базар-Коргоне",
        "Беженцы в Узбекистане, по подсчётам его правительства: {refugees_in_uzbekistan}.",
    ),
    "fergana-borders": (
        "Границы в Ферганской долине",
        "Три государства, их области и анклавы между ними",
        "Границы сталинской эпохи разделили долину между тремя государствами.",
    ),
    "steppe-markets": (
        "Рынки, торговцы и индекс по областям",
        "Юг Казахстана и север Киргизии",
        "ВЫМЫШЛЕННЫЕ цифры для тестов fergana.",
    ),
}
CYRILLIC = re.compile(r"[а-яА-ЯёЁ]")
NBSP, NNBSP = "\u00a0", "\u202f"
# English number formats: "75,000" (a Russian "0,395" has no thousands) and "12.5".
ENGLISH_NUMBER = re.compile(r"(?<![\d,])[1-9]\d{0,2}(?:,\d{3})+(?![\d,])|\d\.\d")


@dataclasses.dataclass
class Drawn:
    """One Russian page: its scene and language, the figure and its SVG and PDF bytes."""

    scene: Scene
    lang: Language
    figure: Figure
    svg: bytes
    pdf: bytes


def russian_scene(path: Path) -> tuple[Scene, Language]:
    """The map of `path` in Russian, its scene built while Russian is current."""
    lang = language("ru", names=local_names("ru"))
    spec = dataclasses.replace(load_spec(path), languages=("en", "ru"), language="ru")
    if path.stem in RUSSIAN_TEXT:
        title, subtitle, caption = RUSSIAN_TEXT[path.stem]
        spec = dataclasses.replace(spec, title=title, subtitle=subtitle, caption=caption)
    with speaking(lang):
        scene = build_scene(compose(spec))
    return scene, lang


def drawn(scene: Scene, lang: Language, figure: Figure) -> Drawn:
    svg, pdf = (render_bytes(figure, fmt, LOW_DPI) for fmt in ("svg", "pdf"))
    return Drawn(scene, lang, figure, svg, pdf)


@pytest.fixture(scope="module")
def russian() -> dict[str, Drawn]:
    """Each map's a4 page in Russian (drawn outside ``speaking``: from the scene's language)."""
    out = {}
    for name, path in MAPS.items():
        scene, lang = russian_scene(path)
        out[name] = drawn(scene, lang, static_figure(scene, size="a4", dpi=LOW_DPI))
    return out


@pytest.fixture(scope="module")
def multiples(russian) -> Drawn:
    """The June 2010 small multiples in Russian."""
    scene, lang = russian_scene(MAPS["june-2010"])
    return drawn(scene, lang, multiples_figure(scene, dpi=LOW_DPI))


# --- what the SVG shows ----------------------------------------------------------------------


def svg_blocks(svg: bytes) -> dict[str, str]:
    """Every visible text of an SVG, the wrapped lines of one block joined with spaces.

    A block is a text the renderer gave an id (``fg-credits``, ``fg-legend-row-3``, a
    label ``fg-label-7``); its further lines are ``ID-line-K``. Texts without an id
    (scale bar, north arrow, graticule, inset titles) are blocks of their own.
    """
    root = ET.fromstring(svg)
    parent = {child: node for node in root.iter() for child in node}
    blocks: dict[str, list[str]] = {}
    for n, element in enumerate(root.iter(f"{SVG}text")):
        text = "".join(element.itertext()).strip()
        if not text:
            continue
        gid = parent[element].get("id", "")
        if gid.startswith("fg-") or gid == "title":
            key = re.sub(r"-line-\d+$", "", gid)
        else:
            key = f"text-{n}"
        blocks.setdefault(key, []).append(text)
    return {key: " ".join(lines) for key, lines in blocks.items()}


def untranslated(text: str, lang: Language) -> bool:
    """Whether `text` shows English that is neither Russian, a number or symbol, nor missing."""
    return bool(english_left(text, lang.missing))


def silently_english(scene: Scene, lang: Language) -> list[str]:
    """The scene's own texts (spec title and caption, legend) in English and not recorded.

    These come from the spec, the scene and the layers, not from the print renderer.
    """
    spec = scene.spec
    texts = [spec.title, spec.subtitle, scene.caption]
    for section in scene.legend:
        texts += [section.heading, *(row.label for row in section.rows)]
        if section.size_key is not None:
            texts += [section.size_key.title, *(row.label for row in section.size_key.rows)]
    return [t for t in texts if t and untranslated(t, lang)]


@pytest.mark.parametrize("name", list(MAPS))
def test_every_visible_text_is_russian_a_number_or_listed_missing(russian, name):
    page = russian[name]
    assert silently_english(page.scene, page.lang) == []
    blocks = svg_blocks(page.svg)
    wrong = {
        key: text
        for key, text in blocks.items()
        # the credits are citations, kept as published
        if key not in ("fg-credits", "fg-caption-sources") and untranslated(text, page.lang)
    }
    assert not wrong, wrong
    # Numbers in the Russian format (credits are citations, kept as published: "2.0.1").
    shown = [t for key, t in blocks.items() if key not in ("fg-credits", "fg-caption-sources")]
    assert not [t for t in shown if ENGLISH_NUMBER.search(t)]


@pytest.mark.parametrize("name", list(MAPS))
def test_the_renderers_own_words_are_russian(russian, name):
    """Scale bar unit, credits' heading and projection note: never English on a Russian page."""
    blocks = svg_blocks(russian[name].svg)
    texts = list(blocks.values())
    assert "км" in texts and "km" not in texts
    assert blocks["fg-credits"].startswith("Источники: ")
    note = blocks["fg-projection"]
    assert note.startswith("Проекция: ") and "Projection" not in note
    assert note.endswith("Шрифт подписей: DejaVu Sans.")
    assert not russian[name].lang.missing.messages.keys() & {"km", "N", "Sources"}


def test_graticule_and_projection_note_write_russian_degrees(russian):
    blocks = svg_blocks(russian["fergana-borders"].svg)
    note = blocks["fg-projection"]
    # "39.82°" is written "39,82°"; east and north as a Russian atlas writes them.
    assert re.search(
        r"параллели \d+,\d\d° и \d+,\d\d°, центр \d+,\d\d° в\. д\., \d+,\d\d° с\. ш\.", note
    )
    degrees = [t for t in blocks.values() if re.fullmatch(r"\d+(,\d+)?° (в\. д\.|с\. ш\.)", t)]
    assert degrees, "no graticule label in Russian"
    assert not [t for t in blocks.values() if re.fullmatch(r"[\d.]+°[NSEW]", t)]


def test_scale_bar_numbers_have_a_decimal_comma(russian):
    numbers = [
        t
        for t in svg_blocks(russian["fergana-borders"].svg).values()
        if re.fullmatch(r"[\d.,\s]+", t)
    ]
    assert "12,5" in numbers, numbers  # the 25 km bar's middle
    assert not [t for t in numbers if re.search(r"\d\.\d", t)]


def test_kilometres_are_written_in_the_scene_language():
    ru = language("ru")
    with speaking(ru):
        assert [format_km(v) for v in (1.25, 2.5, 10_000, 250)] == [
            "1,25",
            "2,5",
            f"10{NBSP}000",
            "250",
        ]
    assert [format_km(v) for v in (1.25, 2.5, 10_000, 250)] == ["1.25", "2.5", "10,000", "250"]


def test_north_arrow_letter_is_russian():
    """The arrow is drawn where grid and true north differ: on a continental map's page."""
    scene, _ = russian_scene(SPEC_DIR / "regional-security.toml")
    figure = static_figure(scene, size="a4", dpi=LOW_DPI)
    assert figure.fergana.north_arrow  # else this test would check nothing
    texts = list(svg_blocks(render_bytes(figure, "svg", LOW_DPI)).values())
    assert "С" in texts and "N" not in texts


# --- labels re-placed ------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(MAPS))
def test_russian_labels_do_not_overlap(russian, name):
    info = russian[name].figure.fergana
    labels = info.labels
    assert labels
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            assert not overlaps(a.box, b.box), f"{a.text!r} overlaps {b.text!r}"
    for label in labels:
        for key, box in info.obstacles:
            if (key is not None and key == label.own) or inside(label.box, box):
                continue
            assert not overlaps(label.box, box), f"{label.text!r} covers {key}"


@pytest.mark.parametrize("name", ["june-2010", "fergana-borders"])
def test_label_boxes_are_measured_on_the_russian_text(russian, name):
    """Each placed box holds the drawn Russian text (no English extents kept from elsewhere)."""
    figure = russian[name].figure
    info = figure.fergana
    russian_names = [label for label in info.labels if CYRILLIC.search(label.text)]
    assert len(russian_names) >= 5
    with matplotlib.rc_context(RC):
        renderer = figure.canvas.get_renderer()
        scale = 72 / figure.dpi
        for label, artist in zip(info.labels, info.label_artists, strict=True):
            assert artist.get_text() == label.text
            ext = artist.get_window_extent(renderer)
            x0, y0, x1, y1 = (v * scale for v in (ext.x0, ext.y0, ext.x1, ext.y1))
            bx0, by0, bx1, by1 = label.box
            assert bx0 - 0.1 <= x0 and x1 <= bx1 + 0.1, label.text
            assert by0 - 0.1 <= y0 and y1 <= by1 + 0.1, label.text


def test_multiples_panels_labels_do_not_overlap(multiples):
    for panel in multiples.figure.fergana.panels:
        for i, a in enumerate(panel.labels):
            for b in panel.labels[i + 1 :]:
                assert not overlaps(a.box, b.box), f"{a.text!r} overlaps {b.text!r}"


# --- dates and numbers on the series pages ---------------------------------------------------


def test_multiples_write_russian_days_and_headings(multiples):
    blocks = svg_blocks(multiples.svg)
    texts = list(blocks.values())
    assert "Масштаб всех карт" in texts and "Scale of every panel" not in texts
    credits = ("fg-credits", "fg-caption-sources")  # citations, kept as published
    wrong = [t for k, t in blocks.items() if k not in credits and untranslated(t, multiples.lang)]
    assert not wrong, wrong
    totals = [text for key, text in blocks.items() if key.startswith("fg-panel-total-")]
    assert totals
    for text in totals:
        if "нет данных до" in text:  # before a series' first report: "... до 13 июня 2010 г."
            assert re.search(rf"нет данных до \d{{1,2}} (мая|июня|июля) 2010{NNBSP}г\.$", text), (
                text
            )
        elif "(" in text:
            # "(на 13 июня)", or with its year when not the panel's: "(на 30 мая 2010 г.)"
            assert re.search(rf"\(на \d{{1,2}} (мая|июня|июля)( 2010{NNBSP}г\.)?\)$", text), text
        assert "as of" not in text
    assert "(на 13 июня)" in " ".join(totals)
    note = blocks["fg-projection"]
    assert "масштабная линейка верна для центра карт." in note


def test_multiples_totals_have_russian_numbers(multiples):
    """Totals as the panels show them: "75 000–100 000" (the numbers are the scene's)."""
    blocks = svg_blocks(multiples.svg)
    totals = [text for key, text in blocks.items() if key.startswith("fg-panel-total-")]
    assert not any(re.search(r"\d,\d{3}", total.text) for total in _totals(multiples.scene))
    assert not [t for t in totals if ENGLISH_NUMBER.search(t)], totals
    assert any(re.search(rf"\d{NBSP}000", t) for t in totals), totals


def _totals(scene: Scene):
    steps = scene.spec.multiples.steps
    with speaking(scene.language):
        return [total for step in time_steps(scene, steps) for total in step.totals]


def test_motion_stamp_writes_days_in_full(russian):
    page = russian["june-2010"]
    scene, steps = page.scene, page.scene.spec.motion.steps
    series = time_steps(scene, steps)
    with speaking(page.lang):
        scene = series_scene(scene, steps, series)
    preset = resolve_size(scene.spec.motion.size or scene.spec.print_size)
    stamp = frame_page(scene, steps, series, preset, LOW_DPI)  # its language: the scene's
    said = [text for texts in stamp.said.values() for text in texts]
    assert said
    days = [text for text in said if "(" in text]
    assert days
    for text in days:
        assert not re.search(r"\d{4}-\d\d-\d\d", text), text  # no ISO day in Russian
    assert any(re.search(rf"\(\d{{1,2}} июня\s2010{NNBSP}г\.", t) for t in days), days
    assert not any(" and others" in t for t in said)


# --- fonts -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["june-2010", "fergana-borders"])
def test_pdf_embeds_dejavu_and_its_russian_text_is_extractable(russian, name):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(russian[name].pdf))
    page = reader.pages[0]
    text = page.extract_text()
    for word in ("Источники", "Проекция", "км"):
        assert word in text, word
    fonts = page["/Resources"]["/Font"]
    assert fonts
    for ref in fonts.values():
        font = ref.get_object()
        assert "DejaVu" in str(font["/BaseFont"])
        descriptor = (
            font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            if "/DescendantFonts" in font
            else font["/FontDescriptor"]
        ).get_object()
        data = descriptor["/FontFile2"].get_object().get_data()
        assert 0 < len(data) < 400_000  # embedded, and a subset (the whole DejaVu Sans is ~740 kB)


@pytest.mark.parametrize("name", ["june-2010", "fergana-borders"])
def test_svg_keeps_russian_text_as_text(russian, name):
    """As in English (``svg.fonttype`` none): every label a ``<text>``, no glyph outlines."""
    svg = russian[name].svg
    assert b"DejaVuSans-" not in svg  # glyph definitions, were text set as paths
    blocks = svg_blocks(svg)
    for label in russian[name].figure.fergana.labels:
        assert blocks.get(label.gid) == label.text, label.gid


def test_english_pages_keep_their_words(russian):
    """The same map in English, after the Russian ones: its own words, nothing recorded."""
    scene = build_scene(compose(load_spec(MAPS["fergana-borders"])))
    blocks = svg_blocks(render_bytes(static_figure(scene, size="a4", dpi=LOW_DPI), "svg", LOW_DPI))
    texts = list(blocks.values())
    assert "km" in texts and "км" not in texts and "12.5" in texts
    assert blocks["fg-projection"].startswith("Projection: Lambert conformal conic")
    assert blocks["fg-credits"].startswith("Sources: ")
    assert not scene.language.missing


def test_inset_headings_are_the_scenes_words_for_every_kind_of_inset():
    """Magnifier, context and a titled locator: each heading as the scene words it.

    A user's spec may title its locator (none of the story maps does): the print
    reads that title from the scene too.
    """
    spec = load_spec(MAPS["fergana-borders"])
    insets = tuple(
        dataclasses.replace(i, title="Sokh") if i.kind == "locator" else i for i in spec.insets
    )
    spec = dataclasses.replace(spec, insets=insets, languages=("en", "ru"), language="ru")
    lang = language("ru", names={"Sokh": "Сох"}.get)
    with speaking(lang):
        scene = build_scene(compose(spec))
    assert scene.locator is not None and scene.locator.title == "Сох"
    texts = list(
        svg_blocks(render_bytes(static_figure(scene, dpi=LOW_DPI), "svg", LOW_DPI)).values()
    )
    assert "Сох" in texts and "Сох, Шахимардан и Ворух" in texts
    assert not [t for t in texts if t.startswith(("Sokh", "CSTO"))]
