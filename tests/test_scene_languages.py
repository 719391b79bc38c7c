"""The scene's own texts in the current language: legends, caption figures, series, words.

For each story map a Russian scene is built (as the build does: the language current
while composing and building the scene). Every text the scene decides -- legend
titles, rows and size keys, the sourced figures the caption quotes, the text
description -- must read in Russian (Cyrillic), be bare numbers, or be listed in the
language's missing record; and the story maps' legends need no missing message at
all (the catalog covers them). English scenes keep their exact words.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest
from russian_text import english_left

from geo.language import Missing, language, speaking
from geo.names import local_names
from layers.classes import Classes
from layers.keys import thinnest_label
from maps import compose, load_spec
from maps.scene import Scene, build_scene, describe
from maps.scene.legend import format_value
from maps.scene.series import day_label, time_steps
from maps.scene.text import full_stop

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "maps" / "specs").glob("*.toml"))
NBSP = "\u00a0"  # Russian thousands: 75 000
NNBSP = "\u202f"  # between a Russian date's year and «г.»
CYRILLIC = re.compile("[\u0400-\u04ff]")


@dataclasses.dataclass
class Built:
    scene: Scene
    legend_messages: dict[str, None]  # missing messages once the scene was built
    missing: Missing  # everything missing once the description was written too
    text: str


_BUILT: dict[tuple[str, str], Built] = {}


def built(stem: str, code: str = "ru") -> Built:
    """The story map `stem` built in `code`, once per test session."""
    if (stem, code) not in _BUILT:
        lang = language(code, names=local_names(code) if code != "en" else None)
        spec = load_spec(ROOT / "maps" / "specs" / f"{stem}.toml")
        if code != "en":
            spec = dataclasses.replace(spec, languages=("en", code), language=code)
        with speaking(lang):
            scene = build_scene(compose(spec))
            legend_messages = dict(lang.missing.messages)
            text = describe(scene)
        _BUILT[stem, code] = Built(scene, legend_messages, lang.missing, text)
    return _BUILT[stem, code]


def _read_in_russian(text: str, missing: Missing) -> bool:
    """No English word but those Russian writes in Latin too and what is recorded missing."""
    return not english_left(text, missing)


def _legend_texts(scene: Scene) -> list[str]:
    texts = []
    for section in scene.legend:
        texts += [section.title, *([section.heading] if section.heading else [])]
        texts += [row.label for row in section.rows]
        if section.size_key is not None:
            texts += [section.size_key.title, *(row.label for row in section.size_key.rows)]
    return texts


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_russian_scene_texts_are_russian_or_recorded_missing(spec):
    result = built(spec.stem)
    scene = result.scene
    texts = _legend_texts(scene) + [f.text for f in scene.caption_figures]
    # the description, but for the spec's own title and caption (the spec's [text.ru])
    title_line = scene.spec.title + (f": {scene.spec.subtitle}" if scene.spec.subtitle else "")
    sources = full_stop(scene.credit_line())  # citations, as published
    texts += [
        line
        for line in result.text.splitlines()
        if line and line.rstrip(".") != title_line and line != scene.caption and line != sources
    ]
    assert texts
    english = [t for t in texts if not _read_in_russian(t, result.missing)]
    assert not english, f"{spec.stem}: English and not recorded missing: {english[:5]}"


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_story_legends_need_no_missing_message(spec):
    """The catalog covers every word of the story maps' legends and caption figures."""
    result = built(spec.stem)
    assert result.legend_messages == {}, sorted(result.legend_messages)
    legend = _legend_texts(result.scene)
    assert any(CYRILLIC.search(t) for t in legend)


def test_june_2010_figures_in_russian_numbers_and_dates():
    scene = built("june-2010").scene
    figures = [f.text for f in scene.caption_figures]
    assert figures[0] == (
        f"более 75{NBSP}000 к 13 июня 2010{NNBSP}г. и более 100{NBSP}000 к 21 июня 2010{NNBSP}г."
    )
    assert f"100{NBSP}000 (только взрослые; OCHA spokeswoman Elisabeth Byrs, " in figures[1]
    assert f"78{NBSP}675 к 28 июня 2010{NNBSP}г." in figures
    # the reporting bodies stay as published, their days in Russian
    assert scene.caption_figures[0].sources.endswith(
        f"Government of Uzbekistan (via UNHCR), 21 июня 2010{NNBSP}г."
    )


def test_june_2010_series_in_russian():
    result = built("june-2010")
    spec = result.scene.spec
    with speaking(language("ru", names=local_names("ru"))):
        steps = time_steps(result.scene, spec.multiples.steps)
    assert [s.label for s in steps] == [
        f"{day} июня 2010{NNBSP}г." for day in (11, 13, 15, 17, 21, 24)
    ]
    first = {t.title: t.text for t in steps[0].totals}
    assert first["Беженцы в Узбекистане (по сообщениям)"] == (
        f"в источниках нет данных до 13 июня 2010{NNBSP}г."
    )
    second = {t.title: t.text for t in steps[1].totals}
    assert second["Беженцы в Узбекистане (по сообщениям)"] == f"75{NBSP}000–100{NBSP}000"


def test_june_2010_legend_and_description_in_russian():
    result = built("june-2010")
    flows = next(s for s in result.scene.legend if s.key == "fg-refugee-flows")
    assert flows.title == "Потоки беженцев в Узбекистан"
    assert flows.size_key.title == "Число людей (ширина линии)"
    assert [r.label for r in flows.size_key.rows] == [
        f"1{NBSP}000",
        f"10{NBSP}000",
        f"100{NBSP}000",
        "нет данных",
    ]
    lines = result.text.splitlines()
    assert lines[1] == "Карта района от 71,9° в. д. до 73,5° в. д. и от 40,2° с. ш. до 41,2° с. ш."
    assert any(line.startswith("Города: на карте 11 объектов — Город: ") for line in lines)
    assert f"(13{NBSP}000 чел.)" in result.text
    # a sentence ends once, even after a date's «г.» (the spec's caption is its own)
    assert not any(line.endswith("г..") for line in lines if line != result.scene.caption)


@pytest.mark.parametrize(
    ("count", "words"), [(1, "1 объект"), (2, "2 объекта"), (5, "5 объектов"), (21, "21 объект")]
)
def test_description_counts_in_russian_plural_forms(count, words):
    """1 объект, 2 объекта, 5 объектов: the description's counts agree in Russian."""
    scene = built("kyrgyzstan-region").scene  # 36 rivers in view
    rivers = next(sl for sl in scene.layers if sl.key == "fg-rivers")
    shown = np.flatnonzero(rivers.in_view)
    assert len(shown) >= count
    in_view = np.zeros_like(rivers.in_view)
    in_view[shown[:count]] = True
    layers = tuple(
        dataclasses.replace(sl, in_view=in_view) if sl is rivers else sl for sl in scene.layers
    )
    with speaking(language("ru", names=local_names("ru"))):
        text = describe(dataclasses.replace(scene, layers=layers))
    assert f"Реки: на карте {words}" in text


def test_numbers_of_keys_and_classes_follow_the_language():
    assert format_value(75000) == "75,000"
    assert format_value(0.5) == "0.5"
    assert thinnest_label(417.4) == "up to 417 (thinnest)"
    classes = Classes((0.0, 1000.0, 2500.0, 12.5e3))
    assert classes.labels == ("0–1,000", "1,000–2,500", "2,500–12,500")
    with speaking(language("ru")):
        assert format_value(75000) == f"75{NBSP}000"
        assert format_value(0.5) == "0,5"
        assert thinnest_label(417.4) == "до 417 (самые тонкие)"
        assert day_label("2010-06-12") == f"12 июня 2010{NNBSP}г."
        assert classes.labels == (
            f"0–1{NBSP}000",
            f"1{NBSP}000–2{NBSP}500",
            f"2{NBSP}500–12{NBSP}500",
        )


def test_english_scene_texts_unchanged():
    result = built("june-2010", "en")
    scene = result.scene
    assert result.missing.messages == {}
    assert [s.title for s in scene.legend] == [
        "Countries",
        "Provinces",
        "Rivers",
        "International boundaries",
        "Towns and cities",
        "Refugee flows into Uzbekistan",
        "Refugee camps (by district)",
        "June 2010 violence",
    ]
    flows = next(s for s in scene.legend if s.key == "fg-refugee-flows")
    assert [r.label for r in flows.rows] == [
        "Refugees, width by reported number",
        "Refugees, number not reported",
    ]
    assert flows.size_key.title == "People (line width)"
    assert [r.label for r in flows.size_key.rows] == ["1,000", "10,000", "100,000", "not reported"]
    assert [f.text for f in scene.caption_figures] == [
        "more than 75,000 by 13 June 2010 and more than 100,000 by 21 June 2010",
        "100,000 (adults only; OCHA spokeswoman Elisabeth Byrs, 17 June 2010)",
        "more than 400,000 at the peak (17 June 2010); 375,000 remained displaced on "
        "30 June 2010 (including refugees who had returned)",
        "335 by 20 July 2010",
        "426 (National Commission) and 470 (Kyrgyzstan Inquiry Commission)",
        "78,675 by 28 June 2010",
    ]
    lines = result.text.splitlines()
    assert lines[1] == "A map of the area from 71.9°E to 73.5°E and 40.2°N to 41.2°N."
    assert lines[2] == "Rivers: 2 features in view — Major river: Naryn; River: Kara Darya."
    assert (
        "Refugee flows into Uzbekistan: 5 features in view, dated 13 June 2010 to 17 June 2010 — "
        "Refugees, width by reported number: Bazar-Korgon area → Uzbekistan (Uzbek side of "
        "crossing) (13,000 people);"
    ) in result.text
    assert (
        "Figure in the caption: 335 by 20 July 2010. Reported by: official (Health Ministry)."
        in (lines)
    )
    steps = time_steps(scene, scene.spec.multiples.steps)
    assert [s.label for s in steps][:2] == ["11 June 2010", "13 June 2010"]
    assert steps[0].totals[0].text == "none in the sources before 13 June 2010"
    assert day_label("2010-06-12") == "12 June 2010"


def test_a_map_says_when_its_labels_keep_english_names():
    """Names drawn in English for want of a Russian form: one sentence on the map says so."""
    note = "Названия латиницей: в источниках названий нет их русской формы."
    ru = built("june-2010").scene
    english_labels = [
        label.text
        for label in ru.labels
        if label.layer is not None and not CYRILLIC.search(label.text)
    ]
    assert english_labels and "Asaka" in english_labels  # a GeoNames-only town
    assert ru.caption.endswith(note)
    assert note not in built("june-2010", "en").scene.caption


def test_no_names_note_where_every_label_has_its_russian_name():
    spec = dataclasses.replace(
        load_spec(ROOT / "maps" / "specs" / "regional-security.toml"), languages=("en", "ru")
    )
    lang = language("ru", names=lambda english: "Имя")  # every name found
    with speaking(lang):
        scene = build_scene(compose(dataclasses.replace(spec, language="ru")))
    assert scene.labels and not lang.missing.names
    assert "латиницей" not in scene.caption


def test_a_legend_row_that_lists_names_looks_each_name_up():
    """Enclaves drawn as points: the catalog words the row, each enclave is a place name.

    The enclave table of a user (or of a later facts release) names other enclaves:
    the row needs no new catalog entry, and a name without a Russian form stays
    English and is recorded missing, as on the map's labels.
    """
    spec = load_spec(ROOT / "maps" / "specs" / "fergana-borders.toml")
    points = next(la for la in compose(spec).layers if la.id == "enclave_points")
    uzbek = points.categories.styles["UZB"]
    assert uzbek.wording is not None and len(uzbek.wording.names) > 1
    one = dataclasses.replace(uzbek.wording, names=("Sokh",))
    two = dataclasses.replace(uzbek.wording, names=("Chong-Kara", "Nowhere-Abad"))
    assert one.text(language("en")) == "Enclave of Uzbekistan drawn as a point: Sokh"
    assert two.text(language("en")) == (
        "Enclaves of Uzbekistan drawn as points: Chong-Kara, Nowhere-Abad"
    )
    ru = language("ru", names={"Chong-Kara": "Чон-Гара", "Sokh": "Сох"}.get)
    assert one.text(ru) == "Анклав Узбекистана, показан точкой: Сох"
    assert two.text(ru) == "Анклавы Узбекистана, показаны точками: Чон-Гара, Nowhere-Abad"
    assert ru.missing.messages == {}
    assert list(ru.missing.names) == ["Nowhere-Abad"]
    # in the story map, the legend row says what the labels say
    scene = built("fergana-borders").scene
    row = next(
        r.label
        for s in scene.legend
        if s.key == "fg-enclave-points"
        for r in s.rows
        if "Узбекистана" in r.label
    )
    # each enclave as the names sources give it, else in English and recorded missing
    russian = local_names("ru")
    names = [russian(n) or n for n in uzbek.wording.names]
    assert row == "Анклавы Узбекистана, показаны точками: " + ", ".join(names)
    assert "Чон-Гара" in names  # the coordinates addendum's spelling
    missing = built("fergana-borders").missing.names
    assert all(n in missing for n in uzbek.wording.names if not russian(n))


def test_inset_titles_are_worded_once_for_both_renderers():
    """The scene words an inset's title; the web's button and the print heading read it."""
    from maps.web.furniture import title_html

    ru = built("fergana-borders").scene
    assert [si.title for si in ru.insets if si.inset.title] == ["Сох, Шахимардан и Ворух"]
    html = title_html(ru, language("ru"))
    assert ">Сох, Шахимардан и Ворух</button>" in html and "Sokh" not in html
    en = built("fergana-borders", "en").scene
    assert [si.title for si in en.insets if si.inset.title] == ["Sokh, Shakhimardan and Vorukh"]
    assert ">Sokh, Shakhimardan and Vorukh</button>" in title_html(en)
