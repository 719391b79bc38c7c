"""The gazetteer finds places by any spelling and only where the data gives coordinates."""

import dataclasses

import pandas as pd
import pytest
from pyproj import Geod

import geo
from geo.gazetteer import Place, UnknownPlace, name_key, place, places_table

GEOD = Geod(ellps="WGS84")
TOLERANCE_KM = 15.0
GEONAMES_CREDIT = "GeoNames (geonames.org), CC BY 4.0"

# Independent reference coordinates (lat, lon), not read from the repository's data:
# the coordinates printed in general reference works (Encyclopaedia Britannica and the
# Wikipedia infoboxes for each city: Osh 40°32'N 72°48'E, Jalal-Abad 40°56'N 73°00'E,
# Andijan 40°47'N 72°20'E, Khujand 40°17'N 69°37'E, Fergana 40°23'N 71°47'E), rounded.
REFERENCE = {
    "Osh": (40.53, 72.80),
    "Jalal-Abad": (40.93, 73.00),
    "Andijan": (40.78, 72.34),
    "Khujand": (40.28, 69.62),
    "Fergana": (40.38, 71.78),
}

VARIANTS = {
    "Osh": ["Osh", "OSH", "osh", "Ош", "Oš"],
    "Jalal-Abad": [
        "Jalal-Abad",
        "Jalalabad",
        "Jalal Abad",
        "Djalal-Abad",
        "Dzhalal-Abad",
        "Жалал-Абад",
        "Джалал-Абад",
    ],
    "Andijan": ["Andijan", "Andijon", "Андижан", "Андижон", "Andizhan", "ANDIJAN"],
    "Fergana": ["Fergana", "Farg'ona", "Fargʻona", "Fargʼona", "Farg`ona", "Ferghana"],
    "Khujand": ["Khujand", "Khudzhand", "Xo'jand", "Xoʻjand", "Худжанд"],
}


def distance_km(a: Place, lat: float, lon: float) -> float:
    return GEOD.inv(a.lon, a.lat, lon, lat)[2] / 1000


def country_polygon(iso3: str):
    countries = geo.load("countries")
    rows = countries[countries["adm0_a3"] == iso3]
    assert len(rows) == 1, f"no single {iso3} polygon in countries"
    return rows.geometry.iloc[0]


@pytest.mark.parametrize("canonical", list(VARIANTS))
def test_variant_spellings_resolve_to_one_place(canonical):
    first = place(VARIANTS[canonical][0])
    for spelling in VARIANTS[canonical]:
        found = place(spelling)
        assert (found.lon, found.lat) == (first.lon, first.lat), spelling
        assert found.name == canonical, spelling


@pytest.mark.parametrize("canonical", list(REFERENCE))
def test_place_is_near_independent_reference(canonical):
    lat, lon = REFERENCE[canonical]
    assert distance_km(place(canonical), lat, lon) < TOLERANCE_KM


@pytest.mark.parametrize("canonical", list(REFERENCE))
def test_facts_point_agrees_with_natural_earth_and_geonames(canonical):
    # A second, independent check: the facts coordinate against the NE/GeoNames point.
    found = place(canonical)
    table = places_table()
    rows = table[
        (table["dataset"] == "places")
        & (table["key"] == name_key(canonical))
        & (table["country_iso3"] == found.country_iso3)
    ]
    assert len(rows) == 1, f"{canonical} not once in places"
    ref = rows.geometry.iloc[0]
    assert distance_km(found, ref.y, ref.x) < TOLERANCE_KM


@pytest.mark.parametrize(
    ("city", "iso3"),
    [("Bishkek", "KGZ"), ("Tashkent", "UZB"), ("Dushanbe", "TJK"), ("Almaty", "KAZ")],
)
def test_capitals_lie_in_their_country(city, iso3):
    found = place(city)
    polygon = country_polygon(iso3)
    assert found.country_iso3 == iso3
    assert polygon.contains(found.point)
    # the Natural Earth / GeoNames entry for the same city, too
    places = geo.load("places")
    ne = places[places["name"] == city]
    assert len(ne) == 1
    assert ne["country_a3"].iloc[0] == iso3
    assert polygon.contains(ne.geometry.iloc[0])


@pytest.mark.parametrize(
    ("name", "iso3", "english"),
    [
        ("Kokand", "UZB", "Kokand"),
        ("Qoʻqon", "UZB", "Kokand"),
        ("Qoqon", "UZB", "Kokand"),
        ("Marg'ilon", "UZB", "Margilan"),
        ("Margilan", "UZB", "Margilan"),
        ("Kyzyl-Kiya", "KGZ", "Kyzyl-Kiya"),
        ("Taraz", "KAZ", "Taraz"),
    ],
)
def test_places_only_in_natural_earth_or_geonames(name, iso3, english):
    found = place(name)
    assert found.dataset == "places"
    assert found.name == english
    assert found.country_iso3 == iso3
    assert country_polygon(iso3).contains(found.point)
    assert not found.approximate


def test_kant_and_manas_are_in_kyrgyzstan():
    kgz = country_polygon("KGZ")
    kant = place("Kant")
    assert kant.country_iso3 == "KGZ"
    assert kgz.contains(kant.point)
    manas = place("Manas Air Base")
    assert manas.name == "Manas International Airport"
    assert kgz.contains(manas.point)
    # Kant air base is ~20 km east of Bishkek; Manas is ~25 km north of it (facts notes)
    assert 10 < distance_km(kant, place("Bishkek").lat, place("Bishkek").lon) < 30
    assert 15 < distance_km(manas, place("Bishkek").lat, place("Bishkek").lon) < 40


def test_old_name_in_parentheses_resolves():
    assert place("Frunze") == place("Bishkek")


def test_unknown_name_suggests_closest():
    with pytest.raises(UnknownPlace) as info:
        place("Oshh")
    err = info.value
    assert isinstance(err, geo.DataError)
    assert "Osh" in err.suggestions
    assert len(err.suggestions) <= 5
    assert "Oshh" in str(err)
    assert "Osh" in str(err)
    assert err.source == "gazetteer"


def test_nonsense_has_no_suggestions_but_still_raises():
    with pytest.raises(UnknownPlace) as info:
        place("Zzqxwv Vvvq")
    assert info.value.suggestions == []


@pytest.mark.parametrize("blank", ["", "   ", "--", "'"])
def test_empty_name_raises(blank):
    with pytest.raises(geo.DataError):
        place(blank)


def facts_without_coordinates() -> list[str]:
    facts = geo.load("facts_places")
    missing = facts[facts["lat"].isna() | facts["lon"].isna()]
    return list(missing["name"])


def test_data_has_names_without_coordinates():
    assert "Nariman" in facts_without_coordinates()


@pytest.mark.parametrize("name", ["Nariman", *facts_without_coordinates()])
def test_known_name_without_coordinates_raises(name):
    with pytest.raises(geo.DataError, match="no coordinates") as info:
        place(name)
    assert not isinstance(info.value, UnknownPlace)


def test_no_coordinates_is_not_filled_from_geonames():
    # Pakhtaabad has no sourced coordinates; GeoNames has a "Paxtaobod" that the
    # facts compiler did not confirm. The gazetteer must not guess.
    with pytest.raises(geo.DataError, match="no coordinates") as info:
        place("Paxtaobod")
    assert "Paxtaobod" in str(info.value)


def name_in_two_countries() -> tuple[str, list[str]] | None:
    """A name NE/GeoNames give in two or more countries, absent from the facts."""
    places = geo.load("places")
    facts_keys = set(places_table().query("dataset == 'facts_places'")["key"])
    per_name = places.groupby("name")["country_a3"].nunique()
    for name in per_name[per_name > 1].index:
        if name_key(name) not in facts_keys:
            return name, sorted(places.loc[places["name"] == name, "country_a3"].unique())
    return None


def test_country_disambiguates_a_shared_name():
    shared = name_in_two_countries()
    if shared is not None:
        name, countries = shared
        places = geo.load("places")
        for iso3 in countries:
            assert place(name, country=iso3).country_iso3 == iso3
            assert place(name, country=iso3.lower()).country_iso3 == iso3
        rows = places[places["name"] == name]
        biggest = rows.loc[rows["population"].idxmax()]
        default = place(name)
        assert (default.lon, default.lat) == pytest.approx((biggest.geometry.x, biggest.geometry.y))
    # Jalalabad is a city in Afghanistan and the Kyrgyz Jalal-Abad; the facts win
    # unless the country says otherwise.
    assert place("Jalalabad").country_iso3 == "KGZ"
    afghan = place("Jalalabad", country="AFG")
    assert afghan.country_iso3 == "AFG"
    assert country_polygon("AFG").contains(afghan.point)


def test_country_without_that_name_raises():
    with pytest.raises(UnknownPlace) as info:
        place("Osh", country="KAZ")
    assert any("KGZ" in s for s in info.value.suggestions)


def facts_with_coordinates() -> pd.DataFrame:
    facts = geo.load("facts_places")
    return facts[facts["lat"].notna() & facts["lon"].notna()]


def test_every_facts_name_and_alt_name_finds_its_own_row():
    for row in facts_with_coordinates().itertuples():
        names = (
            [row.name, *str(row.alt_names).split(";")] if pd.notna(row.alt_names) else [row.name]
        )
        for name in (n.strip() for n in names):
            found = place(name)
            assert (found.lat, found.lon) == pytest.approx((row.lat, row.lon)), name
            assert found.dataset == "facts_places"


def test_source_is_given_for_every_resolved_place():
    table = places_table()
    no_coordinates = set(table.loc[table.geometry.isna(), "key"])
    names = list(facts_with_coordinates()["name"])
    names += list(geo.load("places")["name"])
    for name in names:
        if name_key(name) in no_coordinates:  # e.g. GeoNames "Paxtaobod" = facts Pakhtaabad
            with pytest.raises(geo.DataError, match="no coordinates"):
                place(name)
            continue
        found = place(name)
        assert found.source.strip(), name
        if found.dataset == "places" and "geonames" in found.source.lower():
            assert GEONAMES_CREDIT in found.source


def test_geonames_places_carry_the_licence_credit():
    margilan = place("Margilan")  # GeoNames only
    assert margilan.source == GEONAMES_CREDIT


def test_approximate_flag_follows_the_facts():
    assert place("Osh").approximate is True
    assert place("Jalal-Abad").approximate is True
    assert place("Andijan").approximate is False  # cites a Wikipedia page
    assert place("Osh").source == "common knowledge (approx.)"
    assert place("Andijan").source.startswith("http")


def test_place_is_frozen_and_has_a_point():
    osh = place("Osh")
    with pytest.raises(dataclasses.FrozenInstanceError):
        osh.lat = 0.0  # type: ignore[misc]
    assert (osh.point.x, osh.point.y) == (osh.lon, osh.lat)
    assert osh.kind == "city"
    assert osh.dataset == "facts_places"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Jalal-Abad", "Джалал-Абад"),
        ("Djalal-Abad", "Dzhalal-Abad"),
        ("Xoʻjand", "Khudzhand"),
        ("Farg'ona", "Fargʻona"),
        ("Özgön", "ozgon"),
        ("Kara Suu", "kara-suu"),
    ],
)
def test_name_key_folds_spellings(a, b):
    assert name_key(a) == name_key(b)
    assert name_key(a).isalnum() and name_key(a).isascii()


@pytest.mark.parametrize(("a", "b"), [("Osh", "Oshh"), ("Karakol", "Kara-Kul"), ("Kant", "Kent")])
def test_name_key_keeps_different_names_apart(a, b):
    assert name_key(a) != name_key(b)


def test_places_table_lists_every_name_with_its_key():
    table = places_table()
    assert {"key", "label", "name", "dataset", "country_iso3", "geometry"} <= set(table.columns)
    assert (table["key"] == table["label"].map(name_key)).all()
    assert set(geo.load("places")["name"].map(name_key)) <= set(table["key"])
    table.loc[:, "key"] = "mutated"
    assert place("Osh").name == "Osh"  # the cached index is not shared


def test_no_coordinates_error_names_the_spreadsheet_line():
    import csv

    path = geo.dataset("facts_places").embedded_path
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        line = next(reader.line_num for row in reader if row["name"] == "Nariman")
    with pytest.raises(geo.DataError) as err:
        geo.place("Nariman")
    assert err.value.row == line
    assert f"row {line}" in str(err.value)
