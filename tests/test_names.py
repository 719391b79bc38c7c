"""Place names in other languages (geo.names), gazetteer ids and the `fergana names` command."""

import argparse
import csv
import io
from pathlib import Path

import pytest

import geo
from geo.gazetteer import UnknownPlace, gazetteer_ids, place, place_id
from geo.load import recording
from geo.names import (
    NamesCoverage,
    local_names,
    names_coverage,
    names_template,
    read_names_table,
    valley_names,
)
from scripts.names_cli import add_parser

KY_UZ = Path(__file__).parent / "fixtures" / "names" / "ky_uz.csv"


@pytest.fixture(scope="module")
def ru():
    return local_names("ru")


# --- gazetteer ids ---------------------------------------------------------------------


def test_place_ids_by_kind_of_place():
    assert place_id("Ош") == place("Osh").id == "facts:osh"
    assert place_id("Jalalabad") == "facts:jalalabad"
    assert place_id("Kyrgyzstan") == "iso:KGZ"
    assert place_id("Chuy") == "iso:KG-C"  # a province
    assert place("Tashkent", dataset="places").id == "geonames:1512569"
    assert place("Tall Afar").id.startswith("ne:")  # a Natural Earth place without GeoNames id


def test_every_id_names_one_english_name():
    ids = gazetteer_ids()
    assert ids["iso:KG-O"] == "Osh" and ids["iso:TJK"] == "Tajikistan"
    assert len(ids) == len(set(ids)) > 2000
    assert all(i.split(":")[0] in {"facts", "geonames", "ne", "iso"} for i in ids)


def test_unknown_place_has_no_id():
    with pytest.raises(UnknownPlace, match="Atlantis"):
        place_id("Atlantis")


# --- built-in names --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("english", "russian"),
    [
        ("Osh", "Ош"),  # facts alt_names
        ("Jalal-Abad", "Джалал-Абад"),  # the town, not NE's province "Джалал-Абадская область"
        ("Jalalabad", "Джалал-Абад"),
        ("Tajikistan", "Таджикистан"),  # CLDR
        ("China", "Китай"),  # CLDR, not NE's "Китайская Народная Республика"
        ("Lahore", "Лахор"),  # NE 50m populated places name_ru (names_ru)
        ("Naryn", "Нарын"),
        ("Syr Darya", "Сырдарья"),  # NE rivers name_ru
        ("Chuy", "Чуйская область"),  # NE admin1 name_ru
        ("Too-Ashuu pass", "Тоо-Ашуу"),  # the Russian spelling, not Kyrgyz Төө-Ашуу
        ("Uzgen", "Узген"),
    ],
)
def test_russian_names_from_the_data(ru, english, russian):
    assert ru(english) == russian


def test_ne_province_names_that_name_something_else_are_not_used(ru):
    """NE's name_ru of Sughd is its capital's, of the Districts an abbreviation: not used."""
    admin1 = geo.load("admin1").set_index("iso_3166_2")
    assert admin1.loc["TJ-SU", "name_ru"] == "Худжанд"  # as Natural Earth publishes it
    assert admin1.loc["TJ-RA", "name_ru"] == "РПП"
    assert ru("Sughd") is None and ru("Districts of Republican Subordination") is None
    assert ru("Khujand") == "Худжанд"  # the town keeps its name (facts alt_names)
    assert ru("Batken") == "Баткен"  # other provinces keep NE's names


def test_a_river_ne_does_not_name_stays_missing(ru):
    assert ru("Kara Darya") is None  # WDBII river: no NE row of that name
    assert ru("Talas") == "Талас"  # the town's name from the facts


def test_names_ru_rows_are_tied_to_embedded_rows():
    table = geo.load("names_ru")
    places = table[table["dataset"] == "places"]
    rivers = table[table["dataset"] == "rivers"]
    addendum = table[table["dataset"] == "coordinates_addendum"]
    assert len(places) + len(rivers) + len(addendum) == len(table)
    assert set(places["id"].astype("int64")) <= set(
        geo.load("places")["ne_id"].dropna().astype("int64")
    )
    assert set(rivers["id"].astype("int64")) <= set(
        geo.load("rivers")["rivernum"].dropna().astype("int64")
    )
    # the addendum's rows name their line and that line's own source
    lines = addendum["id"].str.removeprefix("addendum-")
    assert all(
        source.startswith(f"coordinates_addendum.csv line {line}: http")
        for line, source in zip(lines, addendum["source"], strict=True)
    )
    assert {"Barak": "Барак", "Vorukh": "Ворух"}.items() <= dict(
        zip(addendum["name"], addendum["name_ru"], strict=True)
    ).items()
    assert not table.duplicated(["dataset", "id", "name"]).any()


def test_kyrgyz_and_uzbek_have_only_cldr_countries_without_a_table():
    ky, uz = local_names("ky"), local_names("uz")
    assert ky("Kyrgyzstan") == "Кыргызстан" and uz("Uzbekistan") == "Oʻzbekiston"
    assert ky("Osh") is None and uz("Osh") is None


def test_lookups_record_the_names_data_read():
    lookup = local_names("ru")
    with recording() as used:
        lookup("Osh")
    assert {"names_ru", "facts_places", "countries", "admin1"} <= used.datasets


def test_english_touches_no_names_data():
    with recording() as used:
        english = local_names("en", (KY_UZ,))
        assert english("Osh") is None
        coverage = names_coverage("en", ["Osh", "Kara Darya"])
    assert used.datasets == set() and used.files == set()
    assert coverage == NamesCoverage("en", 2, 2, ())


# --- a user's names table --------------------------------------------------------------


def test_a_users_table_adds_and_overrides():
    ky = local_names("ky", (KY_UZ,))
    assert ky("Osh") == "Ош" and ky("Ош") == "Ош"
    assert ky("Kyrgyzstan") == "Кыргыз Республикасы"  # over CLDR's Кыргызстан
    assert ky("Chuy") == "Чүй облусу"
    assert ky("Tajikistan") == "Тажикстан"  # CLDR still fills the rest
    uz = local_names("uz", (KY_UZ,))
    assert uz("Osh") == "O‘sh" and uz("Jalal-Abad") is None  # an empty cell is no name


def test_the_first_table_wins(tmp_path):
    first = tmp_path / "first.csv"
    first.write_text("id,ru\nfacts:osh,Ош-1\n", encoding="utf-8")
    second = tmp_path / "second.csv"
    second.write_text("id,ru\nfacts:osh,Ош-2\n", encoding="utf-8")
    assert local_names("ru", (first, second))("Osh") == "Ош-1"


def test_read_names_table():
    table = read_names_table(KY_UZ)
    assert table["facts:osh"] == {"ky": "Ош", "uz": "O‘sh"}
    assert table["iso:KG-C"] == {"ky": "Чүй облусу"}


def test_bad_rows_are_listed_at_once_with_line_and_field(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "id,ky\nfacts:osh,Ош\nnowhere:1,X\nfacts:osh,Ош\n,Y\niso:KGZ,Кыргызстан\n",
        encoding="utf-8",
    )
    with pytest.raises(geo.DataError) as caught:
        local_names("ky", (path,))
    err = caught.value
    assert "bad.csv" in str(err)
    assert [(p.row, p.field, p.problem) for p in err.problems] == [
        (3, "id", "not a gazetteer id"),
        (4, "id", "id given twice"),
        (5, "id", "no id"),
    ]
    assert "'nowhere:1'" in str(err) and "first on line 2" in str(err)


@pytest.mark.parametrize(
    ("text", "message", "field"),
    [
        ("", "is empty", None),
        ("id,ky\n", "no data rows", None),
        ("place,ky\nfacts:osh,Ош\n", "no 'id' column", "id"),
        ("id,source\nfacts:osh,x\n", "no language", None),
        ("id,Kyrgyz name\nfacts:osh,Ош\n", "'Kyrgyz name' is no language code", "Kyrgyz name"),
    ],
)
def test_bad_tables_name_the_file(tmp_path, text, message, field):
    path = tmp_path / "names.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(geo.DataError, match=message) as caught:
        read_names_table(path)
    assert caught.value.source == str(path) and caught.value.field == field


# --- coverage and template -------------------------------------------------------------


def test_coverage_counts_distinct_names():
    coverage = names_coverage("ru", ["Osh", "Kara Darya", "Osh", "Tajikistan"])
    assert coverage == NamesCoverage("ru", 3, 2, ("Kara Darya",))
    assert coverage.share == pytest.approx(2 / 3)
    ky = names_coverage("ky", ["Osh", "Jalal-Abad", "Kyrgyzstan", "Chuy"])
    assert (ky.translated, ky.missing) == (1, ("Osh", "Jalal-Abad", "Chuy"))
    ky = names_coverage("ky", ["Osh", "Jalal-Abad", "Kyrgyzstan", "Chuy"], (KY_UZ,))
    assert (ky.translated, ky.missing) == (4, ())


def test_template_round_trip(tmp_path):
    text = names_template("ky", ["Osh", "Ош", "Kyrgyzstan", "Chuy"])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["id", "en", "ky"],
        ["facts:osh", "Osh", ""],
        ["iso:KGZ", "Kyrgyzstan", ""],
        ["iso:KG-C", "Chuy", ""],
    ]
    filled = [rows[0], *([i, en, f"{en}-ky"] for i, en, _ in rows[1:])]
    path = tmp_path / "filled.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(filled)
    ky = local_names("ky", (path,))
    assert [ky(n) for n in ("Osh", "Kyrgyzstan", "Chuy")] == ["Osh-ky", "Kyrgyzstan-ky", "Chuy-ky"]


def test_template_refuses_a_name_without_id():
    with pytest.raises(UnknownPlace):
        names_template("ky", ["Atlantis"])


def test_valley_names_all_have_ids():
    names = valley_names()
    assert {"Osh", "Jalal-Abad", "Andijan", "Kyrgyzstan", "Batken"} <= set(names)
    assert len(names) == len(set(names)) > 100
    names_template("ru", names)  # raises if one has no id


# --- fergana names ---------------------------------------------------------------------


def _run(*argv):
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers())
    args = parser.parse_args(["names", *argv])
    return args.handler(args)


def test_cli_prints_coverage_and_writes_a_template(tmp_path, capsys):
    out = tmp_path / "ky.csv"
    assert _run("--lang", "ky", "--table", str(KY_UZ), "--template", str(out)) == 0
    printed = capsys.readouterr().out
    total = len(valley_names())
    missing = names_coverage("ky", valley_names(), (KY_UZ,)).missing
    assert printed.startswith(f"ky: {total - len(missing)} of {total} place names")
    assert str(tmp_path) not in printed
    template = read_names_table(out)
    assert "facts:osh" not in template and "facts:bazarkorgon" in template


def test_cli_reports_a_bad_table(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,ky\nnowhere:1,X\n", encoding="utf-8")
    assert _run("--lang", "ky", "--table", str(bad)) == 2
    assert "not a gazetteer id" in capsys.readouterr().err
