"""geo.read_data: a catalogue of bad inputs, and one good input per format.

Every bad case asserts a geo.DataError whose message names the file and the field,
row (CSV: spreadsheet line, header = line 1) or feature where relevant.
"""

import json
import math
import warnings
import zipfile

import geopandas as gpd
import pytest
import shapely

import geo
from geo.read import DataWarning, Schema, read_data

OSH = (72.8, 40.53)  # lon, lat
JALAL_ABAD = (73.0, 40.93)
POINTS = Schema(required={"name": "str", "count": "int"}, geometry="point", nonnegative=("count",))
AREAS = Schema(required={"name": "str"}, geometry="area")


def feature(geometry, **properties):
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def point(lon, lat):
    return {"type": "Point", "coordinates": [lon, lat]}


def write_geojson(path, *features, crs=None):
    collection = {"type": "FeatureCollection", "features": list(features)}
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(collection), encoding="utf-8")
    return path


def write_csv(path, *lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def two_towns():
    return gpd.GeoDataFrame(
        {"name": ["Osh", "Jalal-Abad"], "count": [120, 45]},
        geometry=[shapely.Point(*OSH), shapely.Point(*JALAL_ABAD)],
        crs="EPSG:4326",
    )


def zip_folder(folder, target):
    with zipfile.ZipFile(target, "w") as archive:
        for part in sorted(folder.iterdir()):
            archive.write(part, part.name)
    return target


def error_message(source, schema=None, **kwargs):
    with pytest.raises(geo.DataError) as info:
        read_data(source, schema, **kwargs)
    return str(info.value)


def assert_mentions(message, *parts):
    for part in parts:
        assert part in message, f"{part!r} not in {message!r}"


def read_without_warnings(source, schema=None):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        return read_data(source, schema)


def assert_two_towns(frame):
    assert frame.crs == "EPSG:4326"
    assert list(frame["name"]) == ["Osh", "Jalal-Abad"]
    assert list(frame["count"]) == [120, 45]
    coordinates = [c for p in frame.geometry for c in (p.x, p.y)]
    assert coordinates == pytest.approx([*OSH, *JALAL_ABAD])


# --- files that cannot be read -----------------------------------------------------


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.geojson"
    assert_mentions(error_message(path), str(path), "does not exist")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.geojson"
    path.write_bytes(b"")
    assert_mentions(error_message(path), str(path), "empty", "0 bytes")


def test_broken_json(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    assert_mentions(error_message(path), str(path), "cannot be read as GeoJSON")


def test_feature_collection_without_features(tmp_path):
    path = write_geojson(tmp_path / "none.geojson")
    assert_mentions(error_message(path), str(path), "no features")


def test_csv_latin1_bytes_are_read_with_a_warning(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("name,lat,lon\nNamangán,41.0,71.67\n".encode("latin-1"))
    with pytest.warns(DataWarning, match=r"latin1\.csv: is not UTF-8; read as Latin-1.*line 2"):
        frame = read_data(path)
    assert list(frame["name"]) == ["Namangán"]


def test_corrupted_zip(tmp_path):
    path = tmp_path / "towns.zip"
    path.write_bytes(b"PK\x03\x04 this zip was cut off in transfer")
    assert_mentions(error_message(path), str(path), "not a readable zip")


def test_zip_without_shp(tmp_path):
    path = tmp_path / "towns.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("towns.dbf", b"not much")
        archive.writestr("README.txt", "the .shp was forgotten")
    assert_mentions(error_message(path), str(path), "no .shp", "towns.dbf")


def test_unsupported_suffix(tmp_path):
    path = tmp_path / "towns.kml"
    path.write_text("<kml/>", encoding="utf-8")
    assert_mentions(error_message(path), str(path), "unsupported format", ".kml")


def test_geopackage_with_two_layers(tmp_path):
    path = tmp_path / "two.gpkg"
    two_towns().to_file(path, layer="towns", engine="pyogrio")
    two_towns().to_file(path, layer="more_towns", engine="pyogrio")
    assert_mentions(error_message(path, POINTS), str(path), "2 layers", "towns", "more_towns")


def test_url_404(httpserver):
    httpserver.expect_request("/data/clashes.geojson").respond_with_data("gone", status=404)
    url = httpserver.url_for("/data/clashes.geojson")
    assert_mentions(error_message(url), url, "404")


# --- columns -----------------------------------------------------------------------


def test_csv_missing_column(tmp_path):
    path = write_csv(tmp_path / "towns.csv", "name,lat,lon", "Osh,40.53,72.8")
    message = error_message(path, POINTS)
    assert_mentions(
        message,
        str(path),
        "field 'count'",
        "columns present (read as ','-separated): name, lat, lon",
    )


def test_geodataframe_missing_column():
    frame = two_towns().drop(columns="count")
    message = error_message(frame, POINTS, name="towns survey")
    assert_mentions(message, "towns survey", "field 'count'", "columns present: name")


def test_geodataframe_default_name():
    frame = two_towns().drop(columns="name")
    assert_mentions(error_message(frame, POINTS), "<GeoDataFrame>", "field 'name'")


def test_non_numeric_count(tmp_path):
    path = write_csv(
        tmp_path / "towns.csv",
        "name,count,lat,lon",
        "Osh,120,40.53,72.8",
        'Uzgen,"1,25",40.77,73.3',
    )
    message = error_message(path, POINTS)
    assert_mentions(message, str(path), "row 3", "line 3 ('1,25')", "field 'count'", "not a number")


def test_fractional_int(tmp_path):
    path = write_csv(tmp_path / "towns.csv", "name,count,lat,lon", "Osh,12.5,40.53,72.8")
    message = error_message(path, POINTS)
    assert_mentions(message, str(path), "line 2", "field 'count'", "12.5", "whole number")


def test_nan_count_csv(tmp_path):
    path = write_csv(
        tmp_path / "towns.csv", "name,count,lat,lon", "Osh,120,40.53,72.8", "Uzgen,,40.77,73.3"
    )
    message = error_message(path, POINTS)
    assert_mentions(message, str(path), "row 3", "line 3", "field 'count'", "no value")


def test_nan_count_geojson(tmp_path):
    path = write_geojson(
        tmp_path / "towns.geojson",
        feature(point(*OSH), name="Osh", count=120),
        feature(point(*JALAL_ABAD), name="Jalal-Abad", count=None),
    )
    message = error_message(path, POINTS)
    assert_mentions(message, str(path), "feature 2", "field 'count'", "no value")


def test_negative_count(tmp_path):
    path = write_csv(
        tmp_path / "towns.csv",
        "name,count,lat,lon",
        "Osh,120,40.53,72.8",
        "Uzgen,4,40.77,73.3",
        "Jalal-Abad,-5,40.93,73.0",
    )
    message = error_message(path, POINTS)
    assert_mentions(message, str(path), "row 4", "line 4", "field 'count'", "below 0", "-5")


def test_many_bad_rows_are_capped_at_twenty(tmp_path):
    rows = [f"Town {i},-1,40.5,72.8" for i in range(23)]
    path = write_csv(tmp_path / "towns.csv", "name,count,lat,lon", *rows)
    message = error_message(path, POINTS)
    assert_mentions(message, str(path), "line 21 (-1) and 3 more", "field 'count'", "below 0")
    assert "line 22" not in message


def test_bad_date(tmp_path):
    schema = Schema(required={"date": "date"})
    path = write_csv(
        tmp_path / "events.csv", "date,lat,lon", "2010-06-10,40.53,72.8", "11/06/2010,40.53,72.8"
    )
    message = error_message(path, schema)
    assert_mentions(message, str(path), "line 3", "field 'date'", "11/06/2010", "YYYY-MM-DD")


# --- coordinates -------------------------------------------------------------------


def test_csv_swapped_lat_lon(tmp_path):
    path = write_csv(
        tmp_path / "towns.csv",
        "name,count,lat,lon",
        "Osh,120,72.8,40.53",
        "Jalal-Abad,45,73.0,40.93",
    )
    message = error_message(path, POINTS)
    assert_mentions(message, str(path), "swapped", "field 'lat/lon'", "'lat'", "'lon'")


def test_geojson_swapped_coordinates(tmp_path):
    path = write_geojson(
        tmp_path / "towns.geojson",
        feature(point(OSH[1], OSH[0]), name="Osh", count=120),
        feature(point(JALAL_ABAD[1], JALAL_ABAD[0]), name="Jalal-Abad", count=45),
    )
    message = error_message(path, POINTS)
    assert_mentions(message, str(path), "swapped", "feature 1", "field 'geometry'")


def test_csv_lat_out_of_range(tmp_path):
    path = write_csv(
        tmp_path / "towns.csv", "name,count,lat,lon", "Osh,120,40.53,72.8", "Far,1,95.0,72.8"
    )
    message = error_message(path, POINTS)
    assert_mentions(
        message,
        str(path),
        "row 3",
        "line 3",
        "field 'lat'",
        "latitude outside -90..90",
        "line 3 (95.0)",
    )


def test_csv_lon_out_of_range(tmp_path):
    path = write_csv(tmp_path / "towns.csv", "name,count,latitude,longitude", "Far,1,40.53,-190")
    message = error_message(path, POINTS)
    assert_mentions(message, str(path), "row 2", "line 2", "field 'longitude'", "-190")


def test_geojson_lon_out_of_range(tmp_path):
    path = write_geojson(
        tmp_path / "towns.geojson",
        feature(point(*OSH), name="Osh", count=120),
        feature(point(200.0, 40.0), name="Nowhere", count=1),
    )
    message = error_message(path, POINTS)
    assert_mentions(
        message, str(path), "feature 2 (200.0)", "field 'geometry'", "longitude outside -180..180"
    )


def test_csv_missing_coordinate(tmp_path):
    path = write_csv(
        tmp_path / "towns.csv", "name,count,lat,lon", "Osh,120,40.53,72.8", "Uzgen,4,,73.3"
    )
    message = error_message(path, POINTS)
    assert_mentions(message, str(path), "line 3", "field 'lat'", "no coordinate")


def test_csv_non_numeric_coordinate(tmp_path):
    path = write_csv(tmp_path / "towns.csv", "name,count,lat,lon", "Osh,120,40°32′N,72.8")
    message = error_message(path, POINTS)
    assert_mentions(message, str(path), "line 2", "field 'lat'", "40°32′N", "not a number")


def test_csv_without_coordinates(tmp_path):
    path = write_csv(tmp_path / "towns.csv", "name,count,place", "Osh,120,Osh city")
    message = error_message(path, POINTS)
    assert_mentions(
        message, str(path), "no coordinates", "'lat'", "'lon'", "'wkt'", "name, count, place"
    )


def test_csv_bad_wkt(tmp_path):
    path = write_csv(
        tmp_path / "areas.csv", "name,wkt", '"Osh","POINT (72.8 40.53)"', '"Uzgen","POINT (72.8"'
    )
    message = error_message(path)
    assert_mentions(message, str(path), "row 3", "line 3", "field 'wkt'", "POINT (72.8", "not WKT")


# --- geometry ----------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:'crs' was not provided:UserWarning")
def test_no_crs_warns_and_assumes_wgs84(tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    two_towns().set_crs(None, allow_override=True).to_file(folder / "towns.shp", engine="pyogrio")
    assert not (folder / "towns.prj").exists()
    path = zip_folder(folder, tmp_path / "towns.zip")
    with pytest.warns(DataWarning, match="towns.zip.*no CRS.*EPSG:4326"):
        frame = read_data(path, POINTS)
    assert_two_towns(frame)


def test_geodataframe_without_crs_warns_with_its_name():
    frame = two_towns().set_crs(None, allow_override=True)
    with pytest.warns(DataWarning, match="survey 2010: has no CRS"):
        result = read_data(frame, POINTS, name="survey 2010")
    assert result.crs == "EPSG:4326"


def test_self_intersecting_polygon_is_repaired(tmp_path):
    x, y, side = 72.7, 40.4, 0.2
    bow_tie = [[x, y], [x + side, y + side], [x + side, y], [x, y + side], [x, y]]
    square = [[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]
    path = write_geojson(
        tmp_path / "areas.geojson",
        feature({"type": "Polygon", "coordinates": [square]}, name="fine"),
        feature({"type": "Polygon", "coordinates": [bow_tie]}, name="bow tie"),
    )
    with pytest.warns(DataWarning, match=r"areas\.geojson.*feature 2.*Self-intersection"):
        frame = read_data(path, AREAS)
    assert frame.geometry.is_valid.all()
    assert list(frame.geom_type) == ["Polygon", "MultiPolygon"]
    # two triangles, each a quarter of the square
    assert frame.geometry.iloc[1].area == pytest.approx(side * side / 2)


def test_wrong_geometry_type(tmp_path):
    path = write_geojson(tmp_path / "areas.geojson", feature(point(*OSH), name="Osh"))
    message = error_message(path, AREAS)
    assert_mentions(message, str(path), "feature 1", "field 'geometry'", "Point", "Polygon")


def test_empty_geometry(tmp_path):
    path = write_geojson(
        tmp_path / "areas.geojson",
        feature(
            {"type": "Polygon", "coordinates": [[[72, 40], [73, 40], [73, 41], [72, 40]]]}, name="a"
        ),
        feature({"type": "Polygon", "coordinates": []}, name="b"),
    )
    message = error_message(path, AREAS)
    assert_mentions(message, str(path), "feature 2", "field 'geometry'", "empty geometry")


def test_missing_geometry(tmp_path):
    path = write_geojson(tmp_path / "towns.geojson", feature(None, name="Osh", count=1))
    message = error_message(path, POINTS)
    assert_mentions(message, str(path), "feature 1", "field 'geometry'", "no geometry")


def test_csv_empty_wkt_geometry(tmp_path):
    path = write_csv(tmp_path / "areas.csv", "name,geometry", '"Osh","POINT EMPTY"')
    message = error_message(path)
    assert_mentions(message, str(path), "line 2", "empty geometry")


# --- good input, one per format ----------------------------------------------------


def test_good_geojson(tmp_path):
    path = write_geojson(
        tmp_path / "towns.geojson",
        feature(point(*OSH), name="Osh", count=120),
        feature(point(*JALAL_ABAD), name="Jalal-Abad", count=45),
    )
    assert_two_towns(read_without_warnings(path, POINTS))


def test_good_geopackage(tmp_path):
    path = tmp_path / "towns.gpkg"
    two_towns().to_file(path, driver="GPKG", engine="pyogrio")
    assert_two_towns(read_without_warnings(path, POINTS))


def test_good_zipped_shapefile(tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    two_towns().to_file(folder / "towns.shp", engine="pyogrio")
    path = zip_folder(folder, tmp_path / "towns.zip")
    assert_two_towns(read_without_warnings(path, POINTS))


@pytest.mark.parametrize(("lat", "lon"), [("lat", "lon"), ("Latitude", "Longitude"), ("y", "x")])
def test_good_csv_lat_lon(tmp_path, lat, lon):
    path = write_csv(
        tmp_path / "towns.csv",
        f"name,count,{lat},{lon}",
        f"Osh,120,{OSH[1]},{OSH[0]}",
        f"Jalal-Abad,45,{JALAL_ABAD[1]},{JALAL_ABAD[0]}",
    )
    assert_two_towns(read_without_warnings(path, POINTS))


def test_good_csv_wkt(tmp_path):
    path = write_csv(
        tmp_path / "areas.csv",
        "name,wkt",
        '"Osh oblast","POLYGON ((72 40, 74 40, 74 41, 72 41, 72 40))"',
    )
    frame = read_without_warnings(path, AREAS)
    assert list(frame.columns) == ["name", "geometry"]
    assert frame.geometry.iloc[0].area == pytest.approx(2.0)
    assert frame.geometry.iloc[0].bounds == pytest.approx((72, 40, 74, 41))


def test_good_url(httpserver, tmp_path):
    path = write_geojson(
        tmp_path / "towns.geojson",
        feature(point(*OSH), name="Osh", count=120),
        feature(point(*JALAL_ABAD), name="Jalal-Abad", count=45),
    )
    httpserver.expect_request("/data/towns.geojson").respond_with_data(
        path.read_bytes(), content_type="application/geo+json"
    )
    assert_two_towns(read_without_warnings(httpserver.url_for("/data/towns.geojson"), POINTS))


def test_url_error_names_url_not_temporary_file(httpserver):
    httpserver.expect_request("/broken.geojson").respond_with_data(
        "{", content_type="application/geo+json"
    )
    url = httpserver.url_for("/broken.geojson")
    message = error_message(url)
    assert_mentions(message, url, "cannot be read as GeoJSON")
    assert "fergana-" not in message


def test_web_mercator_geojson_is_reprojected(tmp_path):
    radius = 6378137.0  # spherical Mercator (EPSG:3857), computed here without pyproj
    lon, lat = OSH
    x = radius * math.radians(lon)
    y = radius * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    path = write_geojson(
        tmp_path / "osh_3857.geojson",
        feature(point(x, y), name="Osh", count=120),
        crs="urn:ogc:def:crs:EPSG::3857",
    )
    frame = read_without_warnings(path, POINTS)
    assert frame.crs == "EPSG:4326"
    assert (frame.geometry.iloc[0].x, frame.geometry.iloc[0].y) == pytest.approx(OSH, abs=1e-6)


def test_geodataframe_input_is_not_modified():
    frame = two_towns()
    frame["count"] = frame["count"].astype("float64")
    read_without_warnings(frame, POINTS)
    assert str(frame["count"].dtype) == "float64"


def test_schema_rejects_unknown_kinds():
    with pytest.raises(ValueError, match="kind 'float'"):
        Schema(required={"count": "float"})
    with pytest.raises(ValueError, match="nonnegative column 'name'"):
        Schema(required={"name": "str"}, nonnegative=("name",))


def test_url_larger_than_the_cap_is_refused(httpserver, monkeypatch):
    monkeypatch.setattr("geo.read_files.MAX_DOWNLOAD_BYTES", 100)
    httpserver.expect_request("/big.geojson").respond_with_data(
        " " * 1000, content_type="application/geo+json"
    )
    url = httpserver.url_for("/big.geojson")
    assert_mentions(error_message(url), url, "could not be downloaded", "100 bytes limit")


def test_url_answering_5xx_is_retried(httpserver, tmp_path):
    path = write_geojson(tmp_path / "towns.geojson", feature(point(*OSH), name="Osh", count=1))
    httpserver.expect_ordered_request("/flaky.geojson").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/flaky.geojson").respond_with_data(
        path.read_bytes(), content_type="application/geo+json"
    )
    frame = read_without_warnings(httpserver.url_for("/flaky.geojson"))
    assert list(frame["name"]) == ["Osh"]
