"""A spec's languages and its text per language: ``languages``, ``names``, ``[text.CODE]``."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.language import language, speaking
from maps.languages import build_languages, missing_line, output_stem
from maps.spec import SpecError, spec_from_dict
from maps.spec_text import spec_in

BASE = {
    "id": "wells",
    "title": "Wells by town",
    "subtitle": "Southern Kazakhstan",
    "caption": "As many as {refugees_in_uzbekistan} people fled.",
    "extent": [67.6, 41.6, 75.4, 44.2],
    "layers": [{"id": "countries"}, {"id": "places", "title": "Towns we visited"}],
    "annotations": [
        {"text": "First note", "lon": 70.0, "lat": 42.5},
        {"text": "Second note", "lon": 71.0, "lat": 43.0},
    ],
}


def _spec(folder: Path | None = None, **changes):
    return spec_from_dict({**BASE, **changes}, source="wells.toml", folder=folder)


def _error(**changes) -> SpecError:
    with pytest.raises(SpecError) as caught:
        _spec(**changes)
    return caught.value


def test_a_spec_without_languages_is_english_only():
    spec = _spec()
    assert spec.languages == ()
    assert spec.text == {}
    assert output_stem(spec).as_posix() == "wells"
    assert spec.output_name.as_posix() == "wells"


def test_languages_and_text_are_read():
    spec = _spec(
        languages=["en", "ru"],
        text={"ru": {"title": "Колодцы", "layers": {"places": "Города"}}},
    )
    assert spec.languages == ("en", "ru")
    assert spec.text["ru"].title == "Колодцы"
    assert spec_in(spec, "ru").output_name.as_posix() == "wells.ru"


@pytest.mark.parametrize(
    ("changes", "key", "words"),
    [
        ({"languages": ["en", "xx"]}, "languages", "'xx'"),
        ({"languages": ["en", "ru", "en"]}, "languages", "twice"),
        ({"languages": []}, "languages", "non-empty"),
        ({"languages": "ru"}, "languages", "list"),
        ({"text": {"ru": {"title": "Колодцы"}}}, "text.ru", "not one of the spec's languages"),
        ({"languages": ["en", "ru"], "text": {"en": {"title": "x"}}}, "text.en", "English"),
        (
            {"languages": ["en", "ru"], "text": {"ru": {"caption": "{northern_route_share}"}}},
            "text.ru.caption",
            "not in the English caption",
        ),
        (
            {
                "caption": "Refugees: {refugees_in_uzbekistan}.",
                "languages": ["en", "ru"],
                "text": {"ru": {"caption": "Беженцы."}},
            },
            "text.ru.caption",
            "{refugees_in_uzbekistan} of the English caption is missing",
        ),
        (
            {"languages": ["en", "ru"], "text": {"ru": {"caption": "{x:>3}"}}},
            "text.ru.caption",
            "plain name",
        ),
        (
            {"languages": ["en", "ru"], "text": {"ru": {"annotations": ["a", "b", "c"]}}},
            "text.ru.annotations",
            "3 annotations",
        ),
        (
            {"languages": ["en", "ru"], "text": {"ru": {"layers": {"rivers": "Реки"}}}},
            "text.ru.layers.rivers",
            "no layer 'rivers'",
        ),
        (
            {"languages": ["en", "ru"], "text": {"ru": {"atlas": {"title": "{name}"}}}},
            "text.ru.atlas",
            "no [atlas]",
        ),
        ({"languages": ["en", "ru"], "text": {"ru": {"titel": "x"}}}, "text.ru.titel", "title"),
        ({"languages": ["en", "ru"], "text": {"ru": {"title": 3}}}, "text.ru.title", ""),
        ({"names": 3}, "names", "file"),
    ],
)
def test_errors_name_the_key(changes, key, words):
    err = _error(**changes)
    assert err.field == key, str(err)
    assert words in str(err)
    assert "wells.toml" in str(err)


def test_names_resolve_from_the_spec_folder(tmp_path):
    spec = _spec(tmp_path / "specs", names=["../data/names.csv"])
    assert spec.names == (str(tmp_path / "data" / "names.csv"),)
    assert _spec(tmp_path, names="names.csv").names == (str(tmp_path / "names.csv"),)


def test_spec_in_swaps_every_text_and_records_what_is_missing():
    spec = _spec(
        languages=["en", "ru"],
        text={
            "ru": {
                "title": "Колодцы",
                "caption": "Бежали {refugees_in_uzbekistan} человек.",
                "annotations": ["Первая заметка"],
            }
        },
    )
    ru = language("ru")
    with speaking(ru):
        russian = spec_in(spec, "ru")
    assert russian.language == "ru"
    assert russian.title == "Колодцы"
    assert russian.caption == "Бежали {refugees_in_uzbekistan} человек."
    assert [a.text for a in russian.annotations] == ["Первая заметка", "Second note"]
    assert russian.layers[1].title == "Towns we visited"  # no Russian one: English, recorded
    assert russian.subtitle == "Southern Kazakhstan"
    assert sorted(ru.missing.messages) == ["Second note", "Southern Kazakhstan", "Towns we visited"]
    assert spec.title == "Wells by town"  # the spec itself is unchanged


def test_spec_in_english_is_the_spec():
    spec = _spec(languages=["en", "ru"], text={"ru": {"title": "Колодцы"}})
    english = spec_in(spec, "en")
    assert english.title == spec.title
    assert english.output_name.as_posix() == "wells"


def test_spec_in_outside_speaking_records_nothing():
    spec = _spec(languages=["en", "ru"])
    english = language("en")
    with speaking(english):
        assert spec_in(spec, "ru").title == "Wells by town"
    assert not english.missing


def test_build_languages_with_and_without_lang():
    both = _spec(languages=["en", "ru"])
    assert build_languages(both) == (("en", "ru"), ("en", "ru"))
    assert build_languages(both, ["ru"]) == (("en", "ru"), ("ru",))
    plain = _spec()
    assert build_languages(plain) == (("en",), ("en",))
    # a language the spec does not list: built after its own, as ID.CODE
    assert build_languages(plain, ["ru"]) == (("en", "ru"), ("ru",))


def test_missing_line_names_counts_and_texts():
    record = {"names": ["Angren", "Asaka"], "messages": ["km"]}
    line = missing_line("june-2010.ru", "ru", record)
    assert line == (
        "june-2010 (ru): 2 names and 1 message have no Russian; drawn in English: "
        "Angren, Asaka, km — see the manifest"
    )
    assert missing_line("june-2010.ru", "ru", {"names": [], "messages": []}) == ""
    # who reported a figure is cited as published by design: no warning for it
    assert missing_line("june-2010.ru", "ru", {**record, "sources": ["OCHA"]}) == line
    assert missing_line("june-2010.ru", "ru", {"names": [], "sources": ["OCHA"]}) == ""
    names_only = missing_line("june-2010.ru", "ru", {"names": ["Angren"]})
    assert names_only.startswith("june-2010 (ru): 1 name has no Russian; drawn in English:")
    many = {"names": [f"Town {n}" for n in range(9)], "messages": []}
    assert missing_line("enclaves/sokh.ru", "ru", many).endswith(", … — see the manifest")


def test_an_atlas_page_in_russian_takes_its_templates_and_place_names():
    from maps.atlas import AtlasPage, page_spec

    spec = _spec(
        languages=["en", "ru"],
        layers=[{"id": "enclaves"}],
        annotations=[],
        atlas={"layer": "enclaves", "title": "{name}", "subtitle": "Enclave of {country}"},
        text={"ru": {"atlas": {"title": "Анклав {name}"}}},
    )
    page = AtlasPage("sokh", "Sokh", (70.8, 39.9, 71.2, 40.1), {"name": "Sokh", "country": ""})
    ru = language("ru", names={"Sokh": "Сох"}.get)
    with speaking(ru):
        russian = page_spec(spec_in(spec, "ru"), page)
    assert russian.title == "Анклав Сох"
    assert russian.subtitle == "Enclave of нет данных"  # no Russian template: English, recorded
    assert "Enclave of {country}" in ru.missing.messages
    assert russian.output_name.as_posix() == "wells/sokh.ru"
    english = page_spec(spec, page)
    assert (english.title, english.subtitle) == ("Sokh", "Enclave of not reported")
