"""Coverage of the base geography: the Caucasus inside the detailed window, land beyond it,
the story extents unchanged, and borrowed built-in layers checking their columns."""

import hashlib

import geopandas as gpd
import pytest
import shapely

import geo
import layers
from geo.coverage import DETAILED_WINDOW
from maps.compose import compose
from maps.scene import build_scene
from maps.spec import spec_from_dict

# The window the base geography had before it was extended west to the Caucasus.
OLD_WINDOW = (44.0, 30.0, 90.0, 56.0)
GEORGIA = (39.5, 40.8, 46.8, 43.8)

# The story maps' extents (all inside the old window).
STORY_EXTENTS = {
    "drug-route": (66.5, 36.0, 77.5, 44.0),
    "fergana-borders": (69.2, 39.4, 74.2, 41.9),
    "fergana-borders-inset": (70.4, 39.7, 71.9, 40.2),
    "june-2010": (71.9, 40.25, 73.45, 41.25),
    "kyrgyzstan-region": (57.0, 31.0, 82.0, 46.5),
    "water-and-land": (68.8, 39.6, 75.2, 42.4),
}
# (features, digest) of each dataset within each story extent, computed with
# `_digest` from the files of the lon 44-90 build (main at 61fbd72), before the
# window moved west: the rebuild must leave every story extent as it was.
# Rivers: issue 12 cut NE's "Naryn" at the Kara Darya confluence and appended WDBII
# rows, so their digests are of the Natural Earth rows other than the "Naryn" ones
# (same build, "Naryn" rows left out), compared with :func:`_ne_rivers_as_built`.
OLD_DIGESTS = {
    ("countries", "drug-route"): (8, "d98fcd37adbf15ab"),
    ("countries", "fergana-borders"): (5, "259f3203f183e95a"),
    ("countries", "fergana-borders-inset"): (3, "da77b03272f85442"),
    ("countries", "june-2010"): (2, "a7fb2aef660e52a0"),
    ("countries", "kyrgyzstan-region"): (10, "a49025d4fe88429b"),
    ("countries", "water-and-land"): (5, "2d64d8d8ffa8aec3"),
    ("boundary_lines", "drug-route"): (23, "5d2aaccc583b5599"),
    ("boundary_lines", "fergana-borders"): (11, "4d22ecd55c2af449"),
    ("boundary_lines", "fergana-borders-inset"): (7, "0e17480d50351bb5"),
    ("boundary_lines", "june-2010"): (1, "932fc22e88367f19"),
    ("boundary_lines", "kyrgyzstan-region"): (44, "187dc2d45d45dcce"),
    ("boundary_lines", "water-and-land"): (11, "343ca85c5cfe50a7"),
    ("rivers", "drug-route"): (10, "dba4ce83d9f9bf06"),
    ("rivers", "fergana-borders"): (3, "4c549e3400d86b5f"),
    ("rivers", "fergana-borders-inset"): (0, "e3b0c44298fc1c14"),
    ("rivers", "june-2010"): (0, "e3b0c44298fc1c14"),
    ("rivers", "kyrgyzstan-region"): (29, "587c6b92b5a03d09"),
    ("rivers", "water-and-land"): (2, "3457f9ba3b9a5d6d"),
    ("lakes", "drug-route"): (6, "b83cefe886fac3e8"),
    ("lakes", "fergana-borders"): (2, "a25fafbf031e4848"),
    ("lakes", "fergana-borders-inset"): (0, "e3b0c44298fc1c14"),
    ("lakes", "june-2010"): (0, "e3b0c44298fc1c14"),
    ("lakes", "kyrgyzstan-region"): (25, "d44166294b152ae0"),
    ("lakes", "water-and-land"): (2, "762a0f9714651b6f"),
    ("places", "drug-route"): (212, "27cd9f6a9984c8df"),
    ("places", "fergana-borders"): (80, "66d4077f61f62a36"),
    ("places", "fergana-borders-inset"): (2, "47a23986d0ff143d"),
    ("places", "june-2010"): (30, "bc039e6f80787f2a"),
    ("places", "kyrgyzstan-region"): (702, "38b12d7d8405eefb"),
    ("places", "water-and-land"): (93, "31aa19b3984c7856"),
}


def _text(value) -> str:
    """A property as text, integral floats as integers (a column with nulls reads as float)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _digest(frame: gpd.GeoDataFrame, extent) -> tuple[int, str]:
    """Count and hash of the features within `extent`: attributes (but `clipped`, which
    says how the feature met the window) and normalised geometry cut to the extent,
    in sorted order (rows of equal rank may come in any order)."""
    box = shapely.box(*extent)
    inside = frame[frame.intersects(box)]
    geoms = shapely.normalize(shapely.intersection(inside.geometry.to_numpy(), box))
    props = inside.drop(columns=["geometry", "clipped"], errors="ignore").to_numpy(dtype=object)
    rows = sorted(
        "|".join(map(_text, p)) + "|" + shapely.to_wkt(g, rounding_precision=5)
        for p, g in zip(props, geoms, strict=True)
    )
    return len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]


def _scene(extent, layer_ids):
    spec = {"id": "t", "title": "T", "extent": list(extent)}
    spec["layers"] = [{"id": i} for i in layer_ids]
    return build_scene(compose(spec_from_dict(spec)))


def _frame(scene, layer_id):
    return next(s.layer.frame for s in scene.layers if s.layer.id == layer_id)


def test_window_reaches_the_caucasus_and_the_data_fills_it():
    west, south, east, north = DETAILED_WINDOW
    assert west <= 39.9 and (south, east, north) == OLD_WINDOW[1:]
    for name in ("countries", "boundary_lines", "rivers", "lakes", "places"):
        bounds = geo.load(name).total_bounds
        assert bounds[0] >= west - 1e-9 and bounds[2] <= east + 1e-9, name
        assert bounds[0] < OLD_WINDOW[0], f"{name} does not reach west of the old window"
    assert tuple(geo.load("relief").bounds) == pytest.approx(DETAILED_WINDOW)


@pytest.mark.parametrize("key", sorted(OLD_DIGESTS), ids=lambda k: f"{k[0]}-{k[1]}")
def test_story_extents_keep_the_features_they_had(key):
    dataset, story = key
    frame = geo.load(dataset)
    if dataset == "rivers":
        frame = _ne_rivers_as_built(frame)
    assert _digest(frame, STORY_EXTENTS[story]) == OLD_DIGESTS[key]


def _ne_rivers_as_built(rivers: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The Natural Earth rivers issue 12 left as they were, in the build's columns.

    Left out: the WDBII rows (no ``ne_version``), the rows cut at the confluence
    (a ``position`` note, or named "Naryn"), and the added columns.
    """
    untouched = rivers["ne_version"].notna() & rivers["position"].fillna("").eq("")
    untouched &= rivers["name"].ne("Naryn")
    out = rivers[untouched].drop(columns=["source", "position"])
    return out.assign(rivernum=out["rivernum"].astype("int32"))


def test_georgia_map_has_the_caucasus_countries_capitals_and_breakaway_lines():
    scene = _scene(GEORGIA, ["countries", "boundaries", "places"])
    countries = _frame(scene, "countries")
    assert {"GEO", "ARM", "AZE"} <= set(countries["adm0_a3"])
    tbilisi = shapely.Point(44.79, 41.72)
    georgia = countries[countries["adm0_a3"] == "GEO"]
    assert len(georgia) == 1 and georgia.geometry.iloc[0].contains(tbilisi)
    # the whole Black Sea coast is detailed: Sukhumi (Abkhazia) and Batumi are in Georgia
    assert georgia.geometry.iloc[0].contains(shapely.Point(41.02, 43.0))
    assert georgia.geometry.iloc[0].contains(shapely.Point(41.64, 41.64))
    places = set(_frame(scene, "places")["label"])
    assert {"Tbilisi", "Yerevan", "Kutaisi", "Batumi"} <= places
    texts = [label.text for label in scene.labels]
    for name in ("Georgia", "Armenia", "Azerbaijan", "Russia", "Turkey"):
        assert texts.count(name) == 1, name


def test_abkhazia_and_south_ossetia_are_natural_earth_breakaway_lines():
    lines = geo.load("boundary_lines")
    breakaway = lines[lines["featurecla"] == "Breakaway"]
    assert sorted(breakaway["note"].str.split(" \\(").str[0]) == ["Abkhazia", "South Ossetia"]
    assert (breakaway["adm0_a3_l"] == "GEO").all()
    tskhinvali = shapely.Point(43.96, 42.23)
    south_ossetia = breakaway[breakaway["note"].str.startswith("South Ossetia")].geometry.iloc[0]
    assert south_ossetia.distance(tskhinvali) < 0.5
    # Natural Earth's German point of view keeps both inside Georgia's polygon
    countries = geo.load("countries").set_index("adm0_a3")
    assert countries.loc["GEO", "geometry"].contains(tskhinvali)


@pytest.mark.parametrize(
    ("extent", "city", "country"),
    [
        ((27.0, 37.0, 36.0, 41.5), (32.85, 39.93), "TUR"),  # Ankara, beyond the window
        ((92.0, 42.0, 110.0, 52.0), (106.92, 47.92), "MNG"),  # Ulaanbaatar
    ],
)
def test_beyond_the_window_countries_show_world_land(extent, city, country):
    assert not geo.coverage.overlaps(extent, DETAILED_WINDOW)
    scene = _scene(extent, ["countries"])
    frame = _frame(scene, "countries")
    assert len(frame) > 0
    here = frame[frame.contains(shapely.Point(city))]
    assert list(here["adm0_a3"]) == [country]
    credits = [c.source for c in scene.credits]
    assert credits[0] == "Made with Natural Earth"  # (and OSM for the enclaves the layer holds)
    assert not any("Mapzen" in c or "GEBCO" in c for c in credits)


def test_countries_layer_is_detailed_inside_the_window_and_world_beyond():
    frame = layers.build("countries").frame
    window = shapely.box(*DETAILED_WINDOW)
    detailed = geo.load("countries")
    # the detailed countries first, each still one feature, unchanged inside the window
    head = frame.iloc[: len(detailed)]
    assert head["adm0_a3"].tolist() == detailed["adm0_a3"].tolist()
    inside = shapely.intersection(head.geometry.to_numpy(), window)
    change = shapely.symmetric_difference(inside, detailed.geometry.to_numpy())
    # only where the enclaves are redrawn from OpenStreetMap (layers.basemap._with_osm_enclaves)
    enclaves = shapely.union_all(
        [*geo.load("enclaves_geometry").geometry, *geo.load("enclaves_osm2017").geometry]
    ).buffer(1e-6)
    assert (shapely.area(shapely.difference(change, enclaves)) < 1e-12).all()
    assert not frame["adm0_a3"].duplicated().any()
    # then the countries wholly beyond the window, at 1:110m
    beyond = frame.iloc[len(detailed) :]
    assert len(beyond) > 100 and {"FRA", "USA", "BRA"} <= set(beyond["adm0_a3"])
    assert (shapely.area(shapely.intersection(beyond.geometry.to_numpy(), window)) == 0).all()
    # a country cut by the window reaches past it: Russia to the Pacific
    russia = frame.loc[frame["adm0_a3"] == "RUS", "geometry"].iloc[0]
    assert russia.contains(shapely.Point(131.9, 43.1))  # Vladivostok
    assert frame.geometry.is_valid.all()


def test_places_from_a_file_without_population_names_the_file_and_column(tmp_path):
    path = tmp_path / "towns.geojson"
    towns = gpd.GeoDataFrame(
        {"name": ["Osh", "Uzgen"]},
        geometry=[shapely.Point(72.8, 40.53), shapely.Point(73.3, 40.77)],
        crs="EPSG:4326",
    )
    towns.to_file(path, driver="GeoJSON")
    with pytest.raises(geo.DataError) as error:
        layers.build("places", data=path)
    assert error.value.field == "population"
    assert "towns.geojson" in str(error.value)
    towns["population"] = [322_000, 55_000]
    towns.to_file(path, driver="GeoJSON")
    built = layers.build("places", data=path, min_population=0)
    assert sorted(built.frame["label"]) == ["Osh", "Uzgen"]


@pytest.mark.parametrize(
    ("layer_id", "columns", "missing"),
    [
        ("countries", {"name": ["A"]}, "adm0_a3"),
        ("world", {"adm0_a3": ["AAA"]}, "name"),
        ("admin1", {"adm0_a3": ["KGZ"]}, "label"),
        ("lakes", {"name_en": ["A"]}, "name"),
    ],
)
def test_borrowed_area_layers_name_the_missing_column(tmp_path, layer_id, columns, missing):
    path = tmp_path / "shapes.geojson"
    shapes = gpd.GeoDataFrame(columns, geometry=[shapely.box(70, 40, 71, 41)], crs="EPSG:4326")
    shapes.to_file(path, driver="GeoJSON")
    with pytest.raises(geo.DataError) as error:
        layers.build(layer_id, data=path)
    assert error.value.field == missing and "shapes.geojson" in str(error.value)


def test_rivers_from_a_file_without_name_names_the_column(tmp_path):
    path = tmp_path / "streams.geojson"
    line = shapely.LineString([(70, 40), (71, 41)])
    gpd.GeoDataFrame({"scalerank": [3]}, geometry=[line], crs="EPSG:4326").to_file(path)
    with pytest.raises(geo.DataError) as error:
        layers.build("rivers", data=path)
    assert error.value.field == "name" and "streams.geojson" in str(error.value)
