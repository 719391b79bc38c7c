"""Truth tests for the enclaves and the northern route, computed from the built layers.

Lengths and areas are measured in the equal-area projection (geo.crs "equal_area").
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import geo
import layers
from geo.crs import area_km2, named_crs
from layers.borders import enclave_polygons
from layers.trafficking import named_countries, route_waypoints

EQUAL_AREA = named_crs("equal_area")
# The list: every enclave of the valley must be on the map by name.
EIGHT = {
    "Sokh",
    "Shakhimardan",
    "Vorukh",
    "Sarvak",
    "Western Qalacha",
    "Barak",
    "Chong-Kara",
    "Jani-Ayil",
}


@pytest.fixture(scope="module")
def routes():
    return layers.build("trafficking").frame


@pytest.fixture(scope="module")
def countries():
    return geo.load("countries").to_crs(EQUAL_AREA).set_index("adm0_a3").geometry


def _km_inside(line: shapely.Geometry, area: shapely.Geometry) -> float:
    projected = gpd.GeoSeries([line], crs="EPSG:4326").to_crs(EQUAL_AREA).iloc[0]
    return projected.intersection(area).length / 1000


# --- routes -------------------------------------------------------------------------------


def test_main_route_runs_less_than_a_kilometre_inside_uzbekistan(routes, countries):
    main = routes[routes["route_id"] == "NR-PAMIR"]
    assert len(main) >= 2
    inside = sum(_km_inside(line, countries["UZB"]) for line in main.geometry)
    assert inside < 1.0


def test_no_route_crosses_a_country_its_sources_do_not_name(routes, countries):
    for row in routes.itertuples():
        named = named_countries(row.route_id)
        assert named, row.route_id
        for iso, shape in countries.items():
            if iso not in named:
                assert _km_inside(row.geometry, shape) < 0.01, (row.name, iso)


def test_no_route_crosses_another_countrys_enclave(routes):
    enclaves = enclave_polygons().to_crs(EQUAL_AREA)
    for row in routes.itertuples():
        named = named_countries(row.route_id)
        for enclave in enclaves[~enclaves["belongs_to"].isin(named)].itertuples():
            assert _km_inside(row.geometry, enclave.geometry) < 0.01, (row.name, enclave.name)


def test_no_route_runs_across_a_lake(routes):
    lakes = shapely.union_all(list(geo.load("lakes").to_crs(EQUAL_AREA).geometry))
    for row in routes.itertuples():
        assert _km_inside(row.geometry, lakes) < 0.5, row.name


def test_routes_pass_the_towns_their_rows_name(routes):
    # every located row of a drawn route lies on its lines (within 10 m)
    rows = route_waypoints()
    for route_id, legs in routes.groupby("route_id"):
        lines = shapely.union_all(list(legs.geometry))
        located = rows[(rows["route_id"] == route_id) & ~rows.geometry.isna()]
        for place in located.itertuples():
            assert lines.distance(place.geometry) < 1e-4, place.place


def test_pamir_highway_names_only_the_khorog_osh_leg(routes):
    rows = route_waypoints().set_index("place")
    khorog = rows.loc["Khorog (Panj crossing into GBAO)", "geometry"]
    osh = rows.loc["Osh", "geometry"]
    pamir = routes[routes["name"].str.contains("Pamir Highway")]
    assert len(pamir) == 1
    line = pamir.geometry.iloc[0]
    assert shapely.get_point(line, 0).distance(khorog) < 1e-6
    assert shapely.get_point(line, -1).distance(osh) < 1e-6
    # and the Osh-Bishkek leg is the Bishkek-Osh road by Jalal-Abad and Toktogul
    bishkek = routes[routes["waypoints"].str.endswith("Bishkek")]
    assert len(bishkek) == 1 and "Pamir" not in bishkek["name"].iloc[0]
    assert bishkek["name"].iloc[0].startswith("Bishkek–Osh road")
    for town in ("Jalal-Abad", "Toktogul"):
        assert bishkek.geometry.iloc[0].distance(geo.place(town).point) < 0.02, town


def test_legs_bent_off_their_stops_say_they_are_schematic(routes):
    rows = route_waypoints()
    stops = {(round(p.x, 6), round(p.y, 6)) for p in rows.geometry.dropna()}
    for row in routes.itertuples():
        coords = {(round(x, 6), round(y, 6)) for x, y in shapely.get_coordinates(row.geometry)}
        bent = bool(coords - stops)
        assert bent == row.schematic, row.name
        assert ("schematic" in row.name) == bent, row.name


def test_road_rows_are_not_shown_as_trafficking_waypoints():
    stops = layers.build("route_stops").frame
    rows = route_waypoints()
    road = set(rows.loc[rows["role"] == "road", "place"])
    assert road and not road & set(stops["place"])


# --- enclaves -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def enclave_layers():
    return layers.build("enclaves"), layers.build("enclave_points")


def test_all_eight_enclaves_are_on_the_map_by_name(enclave_layers):
    polygons, points = enclave_layers
    names = list(polygons.frame["name"]) + list(points.frame["name"])
    assert sorted(names) == sorted(EIGHT)
    assert set(geo.load("enclaves")["name"]) == EIGHT


def test_enclave_polygons_are_within_twice_their_reported_area(enclave_layers):
    polygons, _ = enclave_layers
    reported = geo.load("enclaves").set_index("name")["area_km2"]
    measured = area_km2(polygons.frame)  # equal-area, not the layer's own column
    for name, area in zip(polygons.frame["name"], measured, strict=True):
        assert pd.notna(reported[name]), name
        assert 0.5 <= area / reported[name] <= 2.0, (name, area, reported[name])


def test_enclaves_drawn_as_points_say_why(enclave_layers):
    _, points = enclave_layers
    reported = geo.load("enclaves").set_index("name")["area_km2"]
    osm = enclave_polygons().set_index("name")
    measured = dict(zip(osm.index, area_km2(osm), strict=True))
    legend = " ".join(entry.label for entry in points.legend)
    for row in points.frame.itertuples():
        assert row.why_point, row.name
        assert row.name in legend and row.name in points.description, row.name
        if row.name in measured and pd.notna(reported[row.name]):
            ratio = measured[row.name] / reported[row.name]
            assert not 0.5 <= ratio <= 2.0, (row.name, ratio)
    assert any(field.column == "why_point" for field in points.fields)


def test_enclave_points_lie_in_their_polygons_where_there_is_one(enclave_layers):
    _, points = enclave_layers
    osm = enclave_polygons().set_index("name").geometry
    for row in points.frame.itertuples():
        if row.name in osm:
            assert osm[row.name].contains(row.geometry), row.name


def test_enclave_polygons_are_credited_to_openstreetmap(enclave_layers):
    polygons, points = enclave_layers
    for layer in (polygons, points):
        assert any("© OpenStreetMap contributors, ODbL 1.0" in c.source for c in layer.credits)
    assert not any("Natural Earth" in c.source for c in polygons.credits)


def test_the_embedded_enclave_file_as_users_data_gives_the_same_polygons():
    default = layers.build("enclaves").frame
    own = layers.build("enclaves", data=geo.dataset("enclaves_osm2017").embedded_path)
    assert list(own.frame["name"]) == list(default["name"])
    assert own.frame.geometry.geom_equals_exact(default.geometry, 1e-6).all()


@pytest.mark.parametrize("name", ["Sokh", "Vorukh", "Sarvak", "Shakhimardan"])
def test_boundary_lines_outline_the_osm_enclaves_not_natural_earths(name):
    lines = shapely.union_all(layers.build("boundaries").frame.geometry.to_numpy())
    ne_ring = geo.load("enclaves_geometry").set_index("name").boundary[name]
    osm_ring = geo.load("enclaves_osm2017").set_index("name").boundary[name]

    def covered(ring):
        return shapely.intersection(lines, shapely.buffer(ring, 1e-5)).length / ring.length

    assert covered(osm_ring) > 0.99
    # Natural Earth's own outline is gone, except where it happens to run along OSM's
    assert covered(ne_ring) <= covered_by(ne_ring, osm_ring) + 0.01


def covered_by(ring, other) -> float:
    return shapely.intersection(ring, shapely.buffer(other, 1e-5)).length / ring.length
