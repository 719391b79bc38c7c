"""Named projections, areas, distances, coverage simplification, labels and flow lines."""

import itertools
import math

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely

import geo
from geo.crs import (
    PROJECTIONS,
    area_km2,
    crs_for_extent,
    distance_km,
    named_crs,
    project,
)
from geo.geometry import (
    arrowhead,
    clip_to_extent,
    decimals_for_tolerance,
    flow_geometries,
    flow_line,
    label_points,
    parts_of_kind,
    round_coordinates,
    simplify_coverage,
    simplify_lines,
    tolerance_for_scale,
    tolerance_for_zoom,
)

GEOD = pyproj.Geod(ellps="WGS84")
OSH = (72.8, 40.53)
ANDIJAN = (72.344, 40.783)
BISHKEK = (74.59, 42.87)
FERGANA_BOX = (69.0, 39.3, 74.5, 42.0)
NEIGHBOURS = [("KGZ", "UZB"), ("KGZ", "TJK"), ("UZB", "TJK")]


@pytest.fixture(scope="module")
def three():
    countries = geo.load("countries")
    return countries[countries["adm0_a3"].isin(["KGZ", "UZB", "TJK"])].set_index("adm0_a3")


@pytest.fixture(scope="module", params=[500, 2000], ids=["500m", "2km"])
def simplified(request, three):
    return request.param, simplify_coverage(three, request.param)


def vertices(geom):
    return int(shapely.get_num_coordinates(geom))


def holes(geom):
    return int(shapely.get_num_interior_rings(shapely.get_parts(geom)).sum())


def km2(geom):
    """Geodesic area in km² on WGS 84, independent of the projections under test."""
    area, _ = GEOD.geometry_area_perimeter(shapely.orient_polygons(geom))  # holes count negative
    return area / 1e6


def haversine_km(p, q, radius_km=6371.0088):
    lon1, lat1, lon2, lat2 = map(math.radians, (*p, *q))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * radius_km * math.asin(math.sqrt(h))


def local_xy(coords, lon0, lat0):
    """Equirectangular metres around (lon0, lat0): good enough for a few hundred km."""
    coords = np.asarray(coords, dtype=float)
    x = np.radians(coords[:, 0] - lon0) * 6371008.8 * math.cos(math.radians(lat0))
    y = np.radians(coords[:, 1] - lat0) * 6371008.8
    return np.column_stack([x, y])


# --- named projections and crs_for_extent ---------------------------------------------------


def test_named_crs_registry():
    assert set(PROJECTIONS) == {"equal_area", "valley", "central_asia", "web", "lonlat"}
    assert named_crs("web") == pyproj.CRS("EPSG:3857")
    assert named_crs("lonlat") == pyproj.CRS("EPSG:4326")
    for name, entry in PROJECTIONS.items():
        assert entry.description.strip()
        if name not in ("web", "lonlat"):
            assert named_crs(name).axis_info[0].unit_name == "metre"


def test_named_crs_unknown_lists_names():
    with pytest.raises(KeyError) as err:
        named_crs("mercator-ish")
    for name in PROJECTIONS:
        assert name in str(err.value)


def test_equal_area_is_equal_area_and_centred():
    proj = pyproj.Proj(named_crs("equal_area"))
    assert proj(71.5, 40.5) == pytest.approx((0, 0), abs=1e-6)
    for lon, lat in [(71.5, 40.5), (50, 35), (88, 55)]:
        assert proj.get_factors(lon, lat).areal_scale == pytest.approx(1, abs=1e-9)


@pytest.mark.parametrize(
    ("name", "parallels"), [("valley", (39.5, 41.5)), ("central_asia", (35, 50))]
)
def test_conformal_projections_true_on_their_parallels(name, parallels):
    proj = pyproj.Proj(named_crs(name))
    lon0 = 71.5 if name == "valley" else 68
    for lat in parallels:
        factors = proj.get_factors(lon0, lat)
        assert factors.meridional_scale == pytest.approx(1, abs=1e-9)
        assert factors.angular_distortion == pytest.approx(0, abs=1e-5)  # numerical derivative


def test_project_reprojects(three):
    projected = project(three, "valley")
    assert projected.crs == named_crs("valley")
    x, y = projected.geometry["KGZ"].centroid.coords[0]
    assert abs(x) < 300_000 and abs(y) < 300_000  # Kyrgyzstan is near the valley centre


def test_crs_for_extent_is_conformal_with_scale_one_near_centre():
    west, south, east, north = FERGANA_BOX
    crs = crs_for_extent(FERGANA_BOX)
    proj = pyproj.Proj(crs)
    centre = ((west + east) / 2, (south + north) / 2)
    factors = proj.get_factors(*centre)
    assert factors.meridional_scale == pytest.approx(1, abs=2e-3)
    assert factors.parallel_scale == pytest.approx(factors.meridional_scale, abs=1e-9)
    assert proj(*centre) == pytest.approx((0, 0), abs=1e-3)
    span = north - south
    for lat in (south + span / 6, south + 5 * span / 6):  # the standard parallels
        assert proj.get_factors(centre[0], lat).meridional_scale == pytest.approx(1, abs=1e-9)
    for lon, lat in itertools.product((west, east), (south, north)):  # corners: scale near 1
        assert proj.get_factors(lon, lat).meridional_scale == pytest.approx(1, abs=2e-3)


def test_crs_for_extent_across_the_equator_and_bad_bounds():
    crs = crs_for_extent((10, -20, 40, 20))
    assert pyproj.Proj(crs).get_factors(25, 0).angular_distortion == pytest.approx(0, abs=1e-9)
    with pytest.raises(ValueError):
        crs_for_extent((75, 39, 70, 42))


# --- areas and distances ------------------------------------------------------------------


def test_area_of_kyrgyzstan(three):
    areas = area_km2(three)
    assert areas.name == "area_km2" and list(areas.index) == list(three.index)
    # CIA World Factbook: 199,951 km² (total area of Kyrgyzstan).
    assert areas["KGZ"] == pytest.approx(199_951, rel=0.03)
    for code, geom in three.geometry.items():  # same as the geodesic area on the ellipsoid
        assert areas[code] == pytest.approx(km2(geom), rel=1e-4)
    assert area_km2(three.geometry)["UZB"] == pytest.approx(areas["UZB"])


def test_area_needs_crs(three):
    with pytest.raises(ValueError):
        area_km2(gpd.GeoSeries(three.geometry.to_numpy()))


def test_distance_osh_andijan():
    expected = haversine_km(OSH, ANDIJAN)
    got = distance_km(shapely.Point(OSH), ANDIJAN)
    assert 47 <= got <= 50
    assert got == pytest.approx(expected, rel=5e-3)  # ellipsoid vs sphere
    assert distance_km(OSH, OSH) == 0


# --- tolerances --------------------------------------------------------------------------


def test_tolerances():
    assert tolerance_for_zoom(0, 0) == pytest.approx(40_075_016.686 / 256, rel=1e-9)
    assert tolerance_for_zoom(10, 60) == pytest.approx(40_075_016.686 / 256 / 1024 / 2, rel=1e-9)
    assert tolerance_for_scale(1_000_000) == pytest.approx(300)  # 0.3 mm at 1:1M
    assert tolerance_for_scale(250_000, pixel_mm=0.1) == pytest.approx(25)


@pytest.mark.parametrize(("tolerance", "lat"), [(1, 40.5), (10, 40.5), (100, 0), (0.5, 70)])
def test_decimals_for_tolerance_is_the_fewest_that_fit(tolerance, lat):
    def worst_error_m(decimals):
        half = 0.5 * 10.0**-decimals
        return GEOD.inv(70, lat, 70 + half, lat + half)[2]

    decimals = decimals_for_tolerance(tolerance, lat)
    assert worst_error_m(decimals) <= tolerance * 1.001
    assert decimals == 0 or worst_error_m(decimals - 1) > tolerance


# --- coverage simplification --------------------------------------------------------------


def test_simplify_coverage_removes_vertices(three, simplified):
    _, out = simplified
    assert list(out.index) == list(three.index) and out.crs == three.crs
    for code in three.index:
        before, after = vertices(three.geometry[code]), vertices(out.geometry[code])
        assert after < before, code
    assert out.is_valid.all()
    assert (out.geom_type == three.geom_type).all()
    assert (out["name"] == three["name"]).all()  # attributes kept


def test_simplify_coverage_keeps_areas(three, simplified):
    tolerance, out = simplified
    for code in three.index:  # the border moves by about the tolerance at most
        perimeter_km = three.to_crs(named_crs("equal_area")).geometry[code].length / 1000
        allowed = perimeter_km * tolerance / 1000
        assert abs(km2(out.geometry[code]) - km2(three.geometry[code])) < allowed


def test_simplify_coverage_no_overlaps_no_gaps(three, simplified):
    _, out = simplified
    geoms = out.geometry
    union = shapely.union_all(geoms.to_numpy())
    assert km2(union) == pytest.approx(sum(km2(g) for g in geoms), abs=0.01)
    assert holes(union) == holes(shapely.union_all(three.geometry.to_numpy()))
    for a, b in NEIGHBOURS:
        assert km2(geoms[a].intersection(geoms[b])) < 0.01
        shared = geoms[a].boundary.intersection(geoms[b].boundary)
        shared_before = three.geometry[a].boundary.intersection(three.geometry[b].boundary)
        assert shared.length > 0.9 * shared_before.length, (a, b)
        assert holes(geoms[a].union(geoms[b])) == holes(three.geometry[a].union(three.geometry[b]))


def test_simplify_coverage_keeps_holes_and_parts(three, simplified):
    _, out = simplified
    for code in three.index:
        assert holes(out.geometry[code]) == holes(three.geometry[code])
        assert shapely.get_num_geometries(out.geometry[code]) == shapely.get_num_geometries(
            three.geometry[code]
        )


def sokh_in_kgz(kgz, sokh):
    """Inside KGZ's outline, yet not part of KGZ (interiors do not meet)."""
    outline = shapely.Polygon(kgz.exterior)
    return outline.contains(sokh) and kgz.relate_pattern(sokh, "F********")


def test_sokh_enclave_before_and_after_simplification(three):
    enclaves = geo.load("enclaves_geometry").set_index("name")
    sokh = enclaves.geometry["Sokh"]
    kgz, uzb = three.geometry["KGZ"], three.geometry["UZB"]
    assert kgz.geom_type == "Polygon"
    assert sokh_in_kgz(kgz, sokh)
    assert km2(uzb.intersection(sokh)) == pytest.approx(km2(sokh), rel=1e-6)

    out = simplify_coverage(three, 500).geometry
    parts = shapely.get_parts(out["UZB"])
    new_sokh = max(parts, key=lambda p: p.intersection(sokh).area)
    assert new_sokh.intersection(sokh).area > 0.9 * sokh.area
    assert sokh_in_kgz(out["KGZ"], new_sokh)
    # the KGZ hole and the UZB part are the same ring
    hole = next(
        shapely.Polygon(r) for r in out["KGZ"].interiors if shapely.Polygon(r).intersects(sokh)
    )
    assert km2(hole.symmetric_difference(new_sokh)) < 0.01


def test_simplify_coverage_repairs_an_inexact_coverage():
    admin1 = geo.load("admin1")
    out = simplify_coverage(admin1.geometry, 2000)  # a GeoSeries works too
    assert isinstance(out, gpd.GeoSeries) and out.crs == admin1.crs
    assert out.is_valid.all()
    assert (
        shapely.get_num_coordinates(out.to_numpy()).sum()
        < shapely.get_num_coordinates(admin1.geometry.to_numpy()).sum()
    )
    tree = shapely.STRtree(out.to_numpy())
    left, right = tree.query(out.to_numpy(), predicate="intersects")
    pairs = left < right
    overlap = shapely.intersection(out.to_numpy()[left[pairs]], out.to_numpy()[right[pairs]])
    assert sum(km2(g) for g in overlap) < 0.01


def test_simplify_coverage_passes_missing_geometry_and_rejects_lines(three):
    frame = three.reset_index()
    frame.loc[1, "geometry"] = None
    out = simplify_coverage(frame, 2000)
    assert out.geometry[1] is None and out.geometry[[0, 2]].is_valid.all()
    with pytest.raises(ValueError, match="polygons"):
        simplify_coverage(geo.load("rivers"), 1000)


# --- lines, clipping, precision -----------------------------------------------------------


def test_simplify_lines():
    rivers = geo.load("rivers")
    out = simplify_lines(rivers, 1000)
    assert out.is_valid.all() and len(out) == len(rivers)
    before = shapely.get_num_coordinates(rivers.geometry.to_numpy())
    after = shapely.get_num_coordinates(out.geometry.to_numpy())
    assert (after <= before).all() and after.sum() < 0.8 * before.sum()
    src = rivers.to_crs(named_crs("equal_area")).geometry.to_numpy()
    dst = out.to_crs(named_crs("equal_area")).geometry.to_numpy()
    assert shapely.hausdorff_distance(src, dst).max() < 1000 * 1.01
    for a, b in zip(rivers.geometry, out.geometry, strict=True):  # ends stay where they were
        if a.geom_type == "LineString":
            assert b.coords[0] == pytest.approx(a.coords[0], abs=1e-7)
            assert b.coords[-1] == pytest.approx(a.coords[-1], abs=1e-7)


def test_clip_to_extent(three):
    countries = geo.load("countries")
    out = clip_to_extent(countries, FERGANA_BOX)
    box = shapely.box(*FERGANA_BOX)
    meets = shapely.area(shapely.intersection(countries.geometry.to_numpy(), box)) > 0
    assert set(out["adm0_a3"]) == set(countries.loc[meets, "adm0_a3"]) >= {"KGZ", "UZB", "TJK"}
    west, south, east, north = out.total_bounds
    assert west >= FERGANA_BOX[0] and south >= FERGANA_BOX[1]
    assert east <= FERGANA_BOX[2] and north <= FERGANA_BOX[3]
    assert set(out.geom_type) <= {"Polygon", "MultiPolygon"}
    kgz = out.set_index("adm0_a3").geometry["KGZ"]
    assert km2(kgz) == pytest.approx(km2(three.geometry["KGZ"].intersection(box)), rel=1e-9)


def test_round_coordinates(three):
    decimals = 3
    out = round_coordinates(three, decimals)
    assert out.is_valid.all()
    coords = shapely.get_coordinates(out.geometry.to_numpy()) * 10**decimals
    assert np.abs(coords - np.round(coords)).max() < 1e-6
    areas, before = area_km2(out), area_km2(three)
    assert ((areas - before).abs() / before).max() < 1e-3


# --- labels ------------------------------------------------------------------------------


def test_label_points_inside_and_well_inside():
    admin1 = geo.load("admin1").set_index("iso_3166_2")
    labels = label_points(admin1)
    assert labels.crs == admin1.crs and list(labels.index) == list(admin1.index)
    assert labels.within(admin1.geometry).all()
    ea = named_crs("equal_area")
    polys = admin1.geometry.to_crs(ea)
    depth = labels.to_crs(ea).distance(polys.boundary)
    for code, poly in polys.items():  # as deep as the deepest point of a 40 x 40 grid
        west, south, east, north = poly.bounds
        xs, ys = np.meshgrid(np.linspace(west, east, 40), np.linspace(south, north, 40))
        inside = shapely.contains_xy(poly, xs.ravel(), ys.ravel())
        grid = shapely.points(xs.ravel()[inside], ys.ravel()[inside])
        deepest = shapely.distance(grid, poly.boundary).max()
        assert depth[code] >= deepest - max(east - west, north - south) / 500, code
    # Fergana region (with the Sokh and Shakhimardan exclaves) is labelled in its main part
    fergana = admin1.geometry["UZ-FA"]
    assert fergana.geom_type == "MultiPolygon"
    main = max(fergana.geoms, key=km2)
    assert labels["UZ-FA"].within(main)


def test_label_points_for_lines_and_points():
    rivers = geo.load("rivers").head(10)
    labels = label_points(rivers)
    for line, point in zip(
        rivers.to_crs(named_crs("equal_area")).geometry,
        labels.to_crs(named_crs("equal_area")),
        strict=True,
    ):
        assert line.distance(point) < 0.01  # metres
        assert line.project(point) == pytest.approx(line.length / 2, rel=1e-6)
    places = geo.load("places").head(10)
    assert label_points(places).geom_equals_exact(places.geometry, tolerance=1e-9).all()


# --- flow lines and arrowheads --------------------------------------------------------------


@pytest.mark.parametrize("bend", [0.25, 0.1, -0.3])
@pytest.mark.parametrize(("origin", "destination"), [(OSH, ANDIJAN), (BISHKEK, OSH)])
def test_flow_line_bows_left_by_bend(origin, destination, bend):
    line = flow_line(shapely.Point(origin), shapely.Point(destination), bend=bend, segments=32)
    coords = np.asarray(line.coords)
    assert len(coords) == 33
    assert GEOD.inv(*coords[0], *origin)[2] < 1
    assert GEOD.inv(*coords[-1], *destination)[2] < 1
    xy = local_xy(coords, *origin)
    chord = xy[-1] - xy[0]
    length = np.hypot(*chord)
    rel = xy[1:-1] - xy[0]
    offsets = (chord[0] * rel[:, 1] - chord[1] * rel[:, 0]) / length  # > 0: left of travel
    assert (np.sign(offsets) == np.sign(bend)).all()
    assert np.abs(offsets).max() == pytest.approx(abs(bend) * length, rel=0.2)


def test_flow_line_straight_and_invalid():
    line = flow_line(OSH, ANDIJAN, bend=0, segments=4)
    assert line.length == pytest.approx(shapely.LineString([OSH, ANDIJAN]).length, rel=1e-3)
    with pytest.raises(ValueError):
        flow_line(OSH, OSH)


def test_arrowhead_at_line_end():
    line = flow_line(OSH, ANDIJAN)
    head = arrowhead(line, 3000, 2000)
    assert head.is_valid and head.geom_type == "Polygon"
    end = line.coords[-1]
    assert end in list(head.exterior.coords)  # the tip is the line's end
    assert head.contains(line.interpolate(0.99, normalized=True))
    assert not head.contains(line.interpolate(0.5, normalized=True))
    corners = [c for c in head.exterior.coords[:-1] if c != end]
    assert len(corners) == 2
    side = math.hypot(3000, 1000)
    for corner in corners:
        assert GEOD.inv(*end, *corner)[2] == pytest.approx(side, rel=1e-3)
    assert GEOD.inv(*corners[0], *corners[1])[2] == pytest.approx(2000, rel=1e-3)
    # the head points along the last segment
    base = np.mean(corners, axis=0)
    head_azimuth = GEOD.inv(*base, *end)[0]
    segment_azimuth = GEOD.inv(*line.coords[-2], *end)[0]
    assert head_azimuth == pytest.approx(segment_azimuth, abs=1)


def test_flow_geometries():
    lines, heads = flow_geometries(
        [shapely.Point(OSH), shapely.Point(BISHKEK)],
        [shapely.Point(ANDIJAN), shapely.Point(OSH)],
        [500, 1000],
    )
    assert len(lines) == len(heads) == 2 and lines.crs == "EPSG:4326"
    assert heads.is_valid.all()
    for line, head in zip(lines, heads, strict=True):
        assert shapely.Point(line.coords[-1]).intersects(head)
    assert heads.to_crs(named_crs("equal_area")).area.iloc[1] == pytest.approx(
        3000 * 2500 / 2, rel=1e-2
    )


# --- parts_of_kind -----------------------------------------------------------------------------

MIXED = shapely.from_wkt(
    "GEOMETRYCOLLECTION (POLYGON ((0 0, 2 0, 2 2, 0 2, 0 0)), POLYGON ((2 0, 4 0, 4 2, 2 2, 2 0)), "
    "LINESTRING (5 5, 6 6), MULTIPOINT ((7 7), (8 8)))"
)


def test_parts_of_kind_keeps_only_that_kind():
    area = parts_of_kind(MIXED, "area")
    assert area.geom_type == "Polygon"  # touching parts are unioned into one valid polygon
    assert area.area == pytest.approx(8.0) and area.is_valid
    line = parts_of_kind(MIXED, "line")
    assert line.equals(shapely.LineString([(5, 5), (6, 6)]))
    points = parts_of_kind(MIXED, "point")
    assert points.geom_type == "MultiPoint" and len(points.geoms) == 2


def test_parts_of_kind_without_parts_of_the_kind_is_empty_and_none_stays_none():
    empty = parts_of_kind(shapely.LineString([(0, 0), (1, 1)]), "area")
    assert empty.is_empty and empty.geom_type == "MultiPolygon"
    assert parts_of_kind(None, "line") is None


def test_parts_of_kind_returns_geometries_of_the_kind_unchanged():
    square = shapely.box(0, 0, 1, 1)
    assert parts_of_kind(square, "area") is square


def test_parts_of_kind_on_an_array_matches_one_by_one():
    values = [MIXED, None, shapely.Point(1, 1), shapely.box(0, 0, 1, 1)]
    out = parts_of_kind(gpd.GeoSeries(values), "point")
    assert isinstance(out, np.ndarray) and out.dtype == object and len(out) == 4
    for got, value in zip(out, values, strict=True):
        expected = parts_of_kind(value, "point")
        assert (got is None and expected is None) or got.equals(expected)
    assert out[3].is_empty


def test_parts_of_kind_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="kind must be one of"):
        parts_of_kind(MIXED, "flow")
