"""Each layer builds from embedded data; spatial sanity checks computed from the data."""

import math

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import geo
import layers
from geo.coverage import DETAILED_WINDOW
from layers.registry import NEEDS_DATA

BUILT = [i for i in layers.layer_ids() if i not in NEEDS_DATA]

# Manas International Airport (ICAO UCFM), 43°03′41″N 74°28′40″E, from the
# airport's AIP entry as quoted by general reference works.
MANAS_AIRPORT = (74.4778, 43.0614)


@pytest.fixture(scope="module")
def countries():
    frame = geo.load("countries")
    return {row.adm0_a3: row.geometry for row in frame.itertuples()}


def _haversine_km(a, b):
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _outer(geometry):
    """The polygon(s) without holes: a country's outer boundary."""
    parts = getattr(geometry, "geoms", [geometry])
    return shapely.union_all([shapely.Polygon(p.exterior) for p in parts])


@pytest.mark.parametrize("layer_id", BUILT)
def test_layer_builds_with_valid_geometry_credits_and_legend(layer_id):
    layer = layers.build(layer_id)
    assert isinstance(layer, layers.Layer)
    assert layer.frame.crs.to_epsg() == 4326
    assert len(layer.frame) > 0
    assert layer.frame.geometry.is_valid.all()
    assert not layer.frame.geometry.is_empty.any()
    assert layer.credits and all(c.source and c.license for c in layer.credits)
    assert layer.legend and all(e.label for e in layer.legend)
    assert layer.fields, "a layer needs at least a tooltip field"
    expected = {
        "area": {"Polygon", "MultiPolygon"},
        "line": {"LineString", "MultiLineString"},
        "point": {"Point"},
        "flow": {"LineString"},
    }[layer.kind]
    assert set(layer.frame.geom_type) <= expected


def test_every_style_in_use_comes_from_the_theme():
    theme_styles = set(layers.THEME.values())
    for layer_id in BUILT:
        layer = layers.build(layer_id)
        for style in layer.styles():
            # enclaves recolour the theme's enclave style by owner; everything else is verbatim
            if layer_id.startswith("enclave"):
                assert style.stroke == layers.style("enclave").stroke
            else:
                assert style in theme_styles, (layer_id, style)


def test_manas_is_near_the_airport_and_in_kyrgyzstan(countries):
    frame = layers.build("bases").frame
    manas = frame[frame["short_name"].str.contains("Manas")]
    assert len(manas) == 1
    point = manas.geometry.iloc[0]
    assert _haversine_km((point.x, point.y), MANAS_AIRPORT) < 5
    assert countries["KGZ"].contains(point)


def test_kant_is_russian_and_in_kyrgyzstan(countries):
    frame = layers.build("bases").frame
    kant = frame[frame["short_name"].str.contains("Kant")]
    assert kant["group"].tolist() == ["russia"]
    assert countries["KGZ"].contains(kant.geometry.iloc[0])


def test_enclaves_lie_inside_the_surrounding_country_and_belong_to_the_other(countries):
    # The OSM 2017 polygons do not share Natural Earth's borders (geo/data/base/SOURCES.md):
    # each lies within the outline of the country around it, and its reported point
    # lies in it and in neither the surrounding country's (NE) land nor outside it.
    frame = layers.build("enclaves").frame
    assert {"Sokh", "Vorukh", "Sarvak", "Barak"} <= set(frame["name"])
    points = geo.load("enclaves").set_index("name").geometry
    for row in frame.itertuples():
        surrounding = countries[row.surrounded_by]
        assert _outer(surrounding).buffer(0.01).contains(row.geometry), row.name
        assert row.belongs_to != row.surrounded_by, row.name
        assert row.geometry.contains(points[row.name]), row.name


def test_enclave_areas_are_computed_not_copied():
    frame = layers.build("enclaves").frame.set_index("name")
    # planar areas measured by the data's author (shared geo/SOURCES.md): Sokh 226.3 km²,
    # Vorukh 97.8 km², Sarvak 13.7 km²
    assert frame.loc["Sokh", "area_km2"] == pytest.approx(226.3, abs=1)
    assert frame.loc["Vorukh", "area_km2"] == pytest.approx(97.8, abs=1)
    assert frame.loc["Sarvak", "area_km2"] == pytest.approx(13.7, abs=0.2)
    assert frame.loc["Sokh", "reported_area_km2"] != frame.loc["Sokh", "area_km2"]


def test_refugee_flows_start_in_kyrgyzstan_and_end_in_uzbekistan(countries):
    frame = layers.build("refugee_flows").frame
    assert len(frame) >= 3
    for row in frame.itertuples():
        start, end = shapely.get_point(row.geometry, 0), shapely.get_point(row.geometry, -1)
        assert countries["KGZ"].contains(start), row.origin
        assert countries["UZB"].contains(end), row.destination


def test_refugee_flow_counts_are_never_guessed():
    layer = layers.build("refugee_flows")
    facts = geo.load("refugee_flows_2010")
    for row in layer.frame.itertuples():
        fact = facts[(facts["origin"] == row.origin) & (facts["destination"] == row.destination)]
        assert len(fact) == 1, (row.origin, row.destination)
        fact = fact.iloc[0]
        if pd.isna(row.count):
            assert row.status == "unknown"
            # not reported for the route, or a camp population (drawn at the camp instead)
            stock = "camp population" in row.count_basis
            assert stock or (pd.isna(fact["people"]) and pd.isna(fact["people_low"]))
            assert layer.size.size(row.count) == layer.size.unknown_size
        else:
            assert row.count in (fact["people"], fact["people_low"])
            assert layer.size.size(row.count) > layer.size.unknown_size


def test_national_total_is_not_drawn_from_an_origin():
    frame = layers.build("refugee_flows").frame
    assert not frame["origin"].str.startswith("Osh city").any()
    assert not frame["count_text"].str.contains("100,000").any()


def test_trafficking_waypoints_run_afghanistan_tajikistan_kyrgyzstan():
    from layers.trafficking import route_waypoints

    waypoints = route_waypoints()
    pamir = waypoints[waypoints["route_id"] == "NR-PAMIR"]
    order = list(dict.fromkeys(pamir["country_iso3"]))
    assert order[:3] == ["AFG", "TJK", "KGZ"]
    # and the drawn line visits located stops in that order: Tajik ones before Kyrgyz ones
    line = layers.build("trafficking").frame.set_index("route_id").loc["NR-PAMIR", "geometry"]
    tjk, kgz = (
        shapely.union_all(geo.load("countries").query("adm0_a3 == @c").geometry)
        for c in ("TJK", "KGZ")
    )
    coords = [shapely.Point(c) for c in shapely.get_coordinates(line)]
    in_country = ["TJK" if tjk.contains(p) else "KGZ" if kgz.contains(p) else "?" for p in coords]
    assert in_country == sorted(in_country, key=["TJK", "KGZ"].index)


@pytest.mark.parametrize(
    "name,inside",
    [
        ("Andijan", True),
        ("Namangan", True),
        ("Fergana", True),
        ("Tashkent", False),
        ("Bishkek", False),
    ],
)
def test_valley_floor_contains_the_valley_cities_only(name, inside):
    frame = layers.build("valley").frame
    floor = frame[frame["role"] == "floor"].geometry.iloc[0]
    assert floor.contains(geo.place(name).point) is inside


def test_violence_places_are_in_southern_kyrgyzstan(countries):
    frame = layers.build("violence").frame
    assert {"Osh", "Jalal-Abad"} <= set(frame["place"])
    for point in frame.geometry:
        assert countries["KGZ"].contains(point) and point.y < 41.5


def test_csto_members_in_june_2010():
    frame = layers.build("csto").frame.set_index("adm0_a3")
    assert set(frame.index[frame["status"] == "member"]) == {
        "RUS",
        "ARM",
        "BLR",
        "KAZ",
        "KGZ",
        "TJK",
    }
    assert frame.loc["UZB", "status"] == "rejoined"


# --- user data ------------------------------------------------------------------------


def _csv(tmp_path, text, name="flows.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_user_flow_csv_builds_curved_flows(tmp_path):
    path = _csv(
        tmp_path,
        "origin,destination,count,date\nOsh,Andijan,1200,2010-06-12\nJalalabad,Namangan,300,\n",
    )
    layer = layers.build("flows", data=path)
    assert layer.kind == "flow" and len(layer.frame) == 2
    first = layer.frame.geometry.iloc[0]
    assert (
        _haversine_km(
            shapely.get_coordinates(first)[0], (geo.place("Osh").lon, geo.place("Osh").lat)
        )
        < 0.01
    )
    assert layer.size.size(1200) > layer.size.size(300)


def test_user_flow_unknown_place_names_row_and_suggests(tmp_path):
    path = _csv(tmp_path, "origin,destination,count\nOsh,Andijan,10\nOshh,Andijan,5\n")
    with pytest.raises(geo.DataError) as err:
        layers.build("flows", data=path)
    message = str(err.value)
    assert "flows.csv" in message and "row 3" in message and "origin" in message
    assert "Osh" in message.split("closest", 1)[1]


@pytest.mark.parametrize(
    "count,what", [("-5", "below 0"), ("many", "not a number"), ("", "no value")]
)
def test_user_flow_bad_counts_are_rejected_with_line_numbers(tmp_path, count, what):
    path = _csv(tmp_path, f"origin,destination,count\nOsh,Andijan,10\nOsh,Namangan,{count}\n")
    with pytest.raises(geo.DataError) as err:
        layers.build("flows", data=path)
    message = str(err.value)
    assert what in message and "line 3" in message and "flows.csv" in message
    assert err.value.row == 3 and err.value.field == "count"


def test_user_flow_with_coordinates_needs_no_gazetteer(tmp_path):
    path = _csv(
        tmp_path,
        "destination_lon,destination_lat,origin_lon,origin_lat,count\n72.3,40.8,72.8,40.5,7\n",
    )
    layer = layers.build("flows", data=path)
    assert shapely.get_coordinates(layer.frame.geometry.iloc[0])[-1] == pytest.approx([72.3, 40.8])


def test_user_geojson_in_another_crs_is_reprojected(tmp_path):
    enclaves = geo.load("enclaves_geometry").to_crs(3857)
    path = tmp_path / "mine.geojson"
    enclaves.to_file(path, driver="GeoJSON")
    layer = layers.build("enclaves", data=path)
    assert layer.frame.crs.to_epsg() == 4326
    sokh = layer.frame.set_index("name").loc["Sokh", "geometry"]
    assert (
        sokh.centroid.distance(
            geo.load("enclaves_geometry").set_index("name").loc["Sokh", "geometry"].centroid
        )
        < 1e-4
    )
    assert layer.credits[0].source.startswith("User data")


def test_user_data_with_a_missing_column_names_it(tmp_path):
    frame = gpd.GeoDataFrame({"title": ["x"]}, geometry=[shapely.box(72, 40, 72.1, 40.1)], crs=4326)
    path = tmp_path / "bad.geojson"
    frame.to_file(path, driver="GeoJSON")
    with pytest.raises(geo.DataError) as err:
        layers.build("countries", data=path)
    assert "bad.geojson" in str(err.value) and "adm0_a3" in str(err.value)


def test_user_flow_with_swapped_coordinates_is_rejected(tmp_path):
    path = _csv(
        tmp_path,
        "origin_lon,origin_lat,destination_lon,destination_lat,count\n40.5,72.8,40.8,72.3,7\n",
    )
    with pytest.raises(geo.DataError) as err:
        layers.build("flows", data=path)
    assert "swapped" in str(err.value) and "flows.csv" in str(err.value)


# Every layer takes the user's own data: giving it the embedded file itself must
# give the same features as the default.
EMBEDDED_SOURCE = {
    "countries": "countries",
    "world": "world_countries",
    "admin1": "admin1",
    "lakes": "lakes",
    "rivers": "rivers",
    "places": "places",
    "boundaries": "boundary_lines",
    "enclaves": "enclaves_osm2017",
    "valley": "fergana_valley",
    "valley_provinces": "admin1",
    "bases": "bases",
    "water": "water",
}


@pytest.mark.parametrize("layer_id", BUILT)
def test_every_layer_accepts_the_users_own_data(layer_id):
    from layers.registry import REGISTRY

    name = EMBEDDED_SOURCE.get(layer_id) or REGISTRY[layer_id].table
    assert name, f"{layer_id} has no way to take the user's data"
    default = layers.build(layer_id)
    path = geo.dataset(name).embedded_path
    own = layers.build(layer_id, data=path)
    expected = default.frame.geometry
    if layer_id == "countries":
        # the default adds the 1:110m world beyond the detailed window, and redraws the
        # enclaves from OpenStreetMap; elsewhere it is the file as is
        expected = expected.iloc[: len(own.frame)].intersection(shapely.box(*DETAILED_WINDOW))
        enclaves = shapely.union_all(
            [*geo.load("enclaves_geometry").geometry, *geo.load("enclaves_osm2017").geometry]
        ).buffer(1e-6)
        change = own.frame.geometry.symmetric_difference(expected).difference(enclaves)
        assert (shapely.area(change.values) < 1e-12).all()
    elif layer_id == "boundaries":
        # the default swaps Natural Earth's enclave outlines for OpenStreetMap's
        ne_rings = shapely.union_all(geo.load("enclaves_geometry").boundary.to_numpy())
        mine = shapely.difference(
            shapely.union_all(own.frame.geometry.to_numpy()), shapely.buffer(ne_rings, 1e-4)
        )
        ours = default.frame[~default.frame["name"].astype(str).str.contains("OpenStreetMap")]
        theirs = shapely.union_all(ours.geometry.to_numpy())
        assert shapely.symmetric_difference(mine, theirs).length < 1e-6
    else:
        assert len(own.frame) == len(default.frame)
        assert own.frame.geometry.geom_equals_exact(expected, 1e-6).all()
    assert any(c.source.startswith("User data") for c in own.credits)


def test_users_violence_table_replaces_the_facts(tmp_path):
    table = geo.load("violence_2010").copy()
    table.loc[table["place"] == "Bazar-Korgon", "deaths"] = 9
    path = tmp_path / "violence.csv"
    table.to_csv(path, index=False)
    layer = layers.build("violence", data=path)
    row = layer.frame.set_index("place").loc["Bazar-Korgon"]
    assert row["deaths_high"] == 9
    # the default is untouched afterwards
    assert layers.build("violence").frame.set_index("place").loc["Bazar-Korgon", "deaths_high"] == 1


def test_users_table_missing_a_column_is_named(tmp_path):
    table = geo.load("trafficking_routes").drop(columns=["geometry", "seq"])
    path = tmp_path / "routes.csv"
    table.to_csv(path, index=False)
    with pytest.raises(geo.DataError) as err:
        layers.build("trafficking", data=path)
    assert "routes.csv" in str(err.value) and "'seq'" in str(err.value)


def test_users_table_with_swapped_coordinates_is_rejected(tmp_path):
    table = geo.load("bases").drop(columns="geometry")
    table["lat"], table["lon"] = table["lon"].copy(), table["lat"].copy()
    path = tmp_path / "bases.csv"
    table.to_csv(path, index=False)
    with pytest.raises(geo.DataError, match="swapped"):
        layers.build("bases", data=path)


# --- the story layers are presets over the generic layer step -------------------------------

STORY = [i for i in BUILT if layers.REGISTRY[i].theme not in ("basemap", "generic")]


def story_presets() -> dict:
    """Every story layer's preset: layers/presets.py and the modules that keep their own."""
    from layers import militancy, presets, timeline

    return {**presets.PRESETS, **militancy.PRESETS, **timeline.PRESETS}


def test_every_story_layer_has_a_preset():
    PRESETS = story_presets()  # noqa: N806 - the table's name in layers/presets.py

    assert len(STORY) >= 14
    assert set(PRESETS) == set(STORY)


@pytest.mark.parametrize("layer_id", STORY)
def test_story_layers_are_their_preset_through_the_generic_step(layer_id, monkeypatch):
    import layers.generic

    PRESETS = story_presets()  # noqa: N806
    made = []
    step = layers.generic.generic_layer

    def counted(frame, **options):
        made.append(options["layer_id"])
        return step(frame, **options)

    monkeypatch.setattr(layers.generic, "generic_layer", counted)
    layer = layers.build(layer_id)
    preset = PRESETS[layer_id]
    assert made == [layer_id], "the story layer must be made by layers.generic.generic_layer"
    credits = [layers.Credit.of(name) for name in preset.credits]
    assert (layer.id, layer.title, layer.kind) == (preset.id, preset.title, preset.kind)
    assert layer.fields == list(preset.fields)
    assert (layer.label, layer.label_priority, layer.time) == (
        preset.label,
        preset.label_priority,
        preset.time,
    )
    assert layer.credits == credits
    assert layer.size == preset.size and layer.series_title == preset.series_title
    if preset.categories is None:
        assert [e.label for e in layer.legend] == [preset.legend or preset.title]
    else:
        assert layer.categories.column == preset.categories.column
        assert [e.label for e in layer.legend] == [
            c.label for c in layer.categories.styles.values()
        ]
    assert "{" not in layer.description and layer.description


def test_a_description_placeholder_without_a_value_names_the_preset():
    import geopandas as gpd

    from layers.presets import VALLEY_PROVINCES, preset_layer

    frame = layers.build("valley_provinces").frame
    with pytest.raises(KeyError, match=r"valley_provinces.*total_km2"):
        preset_layer(VALLEY_PROVINCES, gpd.GeoDataFrame(frame))
