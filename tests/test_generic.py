"""The generic layers (points, lines, areas, flows) built from data written here.

Every table below is fictional, made for these tests: other column names, other
places (Kazakh and Tajik towns) and other ranges than the story maps use.
"""

import itertools
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import geo
import layers
from layers.classes import NO_DATA, format_number
from layers.flows import FLOW_MAX_COUNT, flow_scale
from layers.keys import data_size_scale, key_title, key_values, thinnest_label

# Fictional stall counts in Kazakh and Tajik towns (lon/lat near each town).
STALLS = """stall,lon,lat,footfall,sort
North gate,69.59,42.32,3000,covered
Old market,71.37,42.90,50,open
Night bazaar,68.25,43.30,800,open
River row,69.62,40.28,1200,covered
Hill stands,69.78,37.91,240,open
"""


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _no_path(credits):
    """No credit names a folder: no absolute path, no "dir/file" (a DOI's "10.5285/x" is fine)."""
    for credit in credits:
        assert not re.search(r"(^|[\s:(])/|[\w.-]+/[\w.-]+\.(csv|geojson|zip|gpkg)", credit.source)
        assert "\\" not in credit.source, credit


# --- size keys ------------------------------------------------------------------------------


def test_size_keys_are_round_numbers_within_the_data():
    assert key_values([50, 800, 3000, 1200]) == (100.0, 1000.0, 3000.0)
    assert key_values([0.2, 0.45, 0.9]) == (0.2, 0.5, 0.9)
    assert key_values([7.0, 7.0]) == (7.0,)
    assert key_values([]) == () and key_values([np.nan, 0]) == ()


def test_size_keys_for_small_fractions_stay_inside_the_range():
    keys = key_values([0.001, 0.02, 0.9])
    assert 2 <= len(keys) <= 3
    assert list(keys) == sorted(set(keys))
    assert keys[-1] <= 0.9 and keys[0] >= 0.001
    assert all(float(f"{k:.1g}") == k for k in keys)  # one significant digit: round


@pytest.mark.parametrize("by_area,min_size,max_size", [(False, 2.5, 18.0), (True, 4.0, 36.0)])
def test_an_outlier_leaves_an_honest_key(by_area, min_size, max_size):
    values = [50, 300, 3000, 1e9]
    scale = data_size_scale(values, column="n", units=None, max_size=max_size,
                            min_size=min_size, unknown_size=1.5, by_area=by_area)  # fmt: skip
    assert scale.max_value == 1e9 and scale.key_values[-1] <= 1e9
    sizes = [scale.size(k) for k in scale.key_values]
    assert len(sizes) > 1
    # every key row draws visibly wider than the thinnest, and each wider than the one before
    assert sizes[0] >= 1.2 * min_size
    assert all(b >= 1.2 * a for a, b in itertools.pairwise(sizes))
    # the values drawn at the minimum get their own row, up to the right threshold
    share = min_size / max_size
    threshold = 1e9 * (share**2 if by_area else share)
    assert scale.thinnest and scale.floor_value() == pytest.approx(threshold)
    assert scale.size(threshold) == pytest.approx(min_size)
    assert scale.size(threshold * 1.01) > min_size
    assert scale.label == ("Count (circle area)" if by_area else "Count (line width)")


def test_no_thinnest_row_when_no_value_draws_at_the_minimum():
    scale = data_size_scale([50, 800, 3000], column="n", units=None, max_size=36.0,
                            min_size=4.0, unknown_size=4.0, by_area=True)  # fmt: skip
    assert not scale.thinnest
    assert scale.key_values == (100.0, 1000.0, 3000.0)


def test_thinnest_labels_round_to_three_figures():
    assert thinnest_label(138_888_888.9) == "up to 139,000,000 (thinnest)"
    assert thinnest_label(416.67) == "up to 417 (thinnest)"
    assert thinnest_label(0.0123456) == "up to 0.0123 (thinnest)"


def test_key_titles_say_the_units():
    assert key_title("traders", "line width") == "Traders (line width)"
    assert key_title(None, "circle area") == "Count (circle area)"


def test_the_story_flow_scale_is_unchanged():
    scale = flow_scale()
    assert scale.max_value == FLOW_MAX_COUNT == 100_000
    assert scale.key_values == (1_000.0, 10_000.0, 100_000.0)
    assert scale.label == "People (line width)"


# --- points ---------------------------------------------------------------------------------


def test_points_sized_coloured_and_labelled(tmp_path):
    path = _write(tmp_path, "stalls.csv", STALLS)
    layer = layers.build(
        "points", data=path, size="footfall", color="sort", label="stall", units="visitors a day"
    )
    assert layer.kind == "point" and len(layer.frame) == 5
    assert layer.size.by_area and layer.size.max_value == 3000
    assert layer.size.key_values == (100.0, 1000.0, 3000.0)
    assert layer.size.label == "Visitors a day (circle area)"
    assert [e.label for e in layer.legend] == ["covered", "open"]
    assert layer.label == "stall" and layer.label_priority == "footfall"
    assert layer.title == "Stalls"
    assert [c.source for c in layer.credits] == ["User data: stalls.csv"]
    _no_path(layer.credits)
    # circle area, not diameter, is proportional
    assert layer.size.size(3000) / layer.size.size(750) == pytest.approx(2.0)


def test_points_from_town_names_credit_geonames(tmp_path):
    table = "seller,town,n\nA,Shymkent,10\nB,Taraz,20\nC,Khujand,30\nD,Kulob,40\n"
    layer = layers.build("points", data=_write(tmp_path, "towns.csv", table), place="town")
    shymkent = geo.place("Shymkent")
    first = layer.frame.geometry.iloc[0]
    assert (first.x, first.y) == pytest.approx((shymkent.lon, shymkent.lat))
    assert any("GeoNames" in c.source for c in layer.credits)
    _no_path(layer.credits)


def test_every_unknown_town_is_listed_at_once(tmp_path):
    table = "seller,town\nA,Shymkent\nB,Tarazz\nC,Khujand\nD,Kulobb\n"
    with pytest.raises(geo.DataError) as err:
        layers.build("points", data=_write(tmp_path, "towns.csv", table), place="town")
    message = str(err.value)
    assert "towns.csv" in message and err.value.row == 3 and err.value.field == "town"
    assert "line 3" in message and "line 5" in message
    assert "'Tarazz'" in message and "'Kulobb'" in message
    assert "Taraz" in message.split("'Tarazz'", 1)[1]  # the closest name


def test_points_coloured_by_classes_and_no_data_only_when_needed(tmp_path):
    path = _write(tmp_path, "stalls.csv", STALLS)
    layer = layers.build("points", data=path, color="footfall", scheme="quantiles", classes=3)
    labels = [e.label for e in layer.legend]
    assert len(labels) == 3 and NO_DATA not in labels
    assert labels[0].startswith("50–") and labels[-1].endswith("–3,000")
    gappy = _write(tmp_path, "gappy.csv", STALLS.replace(",240,", ",,"))
    layer = layers.build("points", data=gappy, color="footfall", breaks=[100, 1000])
    assert [e.label for e in layer.legend] == ["50–100", "100–1,000", "1,000–3,000", NO_DATA]
    assert layer.frame["fg_class"].iloc[4] == "__no_data__"


@pytest.mark.parametrize(
    "options,field,words",
    [
        ({"size": "sort"}, "sort", ["line 2", "not a number", "size"]),
        ({"size": "visits"}, "visits", ["columns present", "footfall"]),
        ({"color": "footfall", "scheme": "quantile"}, "scheme", ["quantiles", "natural_breaks"]),
        ({"color": "sort", "palette": "Redz"}, "palette", ["Reds"]),
        ({"color": "footfall", "classes": 12, "scheme": "quantiles"}, "classes", ["2 to 9"]),
        ({"style": "camps"}, "style", ["camp"]),
    ],
)
def test_bad_point_options_name_the_option_and_the_choices(tmp_path, options, field, words):
    path = _write(tmp_path, "stalls.csv", STALLS)
    with pytest.raises(geo.DataError) as err:
        layers.build("points", data=path, **options)
    assert err.value.field == field
    message = str(err.value)
    assert "stalls.csv" in message
    for word in words:
        assert word in message


def test_an_unknown_option_lists_the_allowed_ones(tmp_path):
    with pytest.raises(layers.LayerOptionError) as err:
        layers.build("points", data=_write(tmp_path, "s.csv", STALLS), sise="footfall")
    assert "size" in err.value.allowed and "did you mean 'size'" in str(err.value)


def test_negative_sizes_are_refused_with_their_line(tmp_path):
    path = _write(tmp_path, "stalls.csv", STALLS.replace(",800,", ",-8,"))
    with pytest.raises(geo.DataError) as err:
        layers.build("points", data=path, size="footfall")
    assert err.value.row == 4 and err.value.field == "footfall" and "stalls.csv" in str(err.value)


def test_points_from_a_dataframe_are_credited_without_a_path():
    frame = pd.read_csv(pd.io.common.StringIO(STALLS))
    layer = layers.build("points", data=frame, size="footfall", credit_url="https://example.org")
    assert [c.source for c in layer.credits] == ["User data (DataFrame)"]
    assert layer.title == "Points"


# --- lines ----------------------------------------------------------------------------------


def test_lines_in_another_crs_coloured_by_status(tmp_path):
    roads = gpd.GeoDataFrame(
        {"road": ["A2", "M39", "R12"], "state": ["paved", "gravel", "paved"]},
        geometry=[
            shapely.LineString([(69.6, 42.3), (71.4, 42.9)]),
            shapely.LineString([(69.6, 40.3), (69.8, 37.9)]),
            shapely.LineString([(68.2, 43.3), (69.6, 42.3)]),
        ],
        crs=4326,
    ).to_crs(3857)
    path = tmp_path / "roads.geojson"
    roads.to_file(path, driver="GeoJSON")
    layer = layers.build(
        "lines", data=path, color="state", label="road", credit="Roads office", credit_url="u"
    )
    assert layer.frame.crs.to_epsg() == 4326
    assert [e.label for e in layer.legend] == ["gravel", "paved"]
    strokes = {s.stroke for s in layer.styles()}
    assert len(strokes) == 2
    assert layer.credits[0].source == "Roads office" and layer.credits[0].url == "u"


# --- areas ----------------------------------------------------------------------------------


def test_choropleth_joined_to_provinces_by_folded_names_and_codes(tmp_path):
    table = "oblast,score\nAndijon,12.5\nFerghana,20\nKG-GB,35.5\nSogd,1200\nBatken,\nAkmola,3000\n"
    layer = layers.build(
        "areas",
        data=_write(tmp_path, "score.csv", table),
        join="admin1",
        on="oblast",
        value="score",
        scheme="quantiles",
        classes=4,
        palette="Reds",
        title="Score",
    )
    assert layer.frame["region"].tolist() == [
        "Andijan",
        "Fergana",
        "Bishkek",
        "Sughd",
        "Batken",
        "Akmola",
    ]
    admin = geo.load("admin1").set_index("label")
    assert layer.frame.geometry.iloc[0].equals(admin.loc["Andijan", "geometry"])
    labels = [e.label for e in layer.legend]
    assert labels[-1] == NO_DATA and len(labels) == 5
    assert labels[0].startswith("12.5–") and labels[-2].endswith("–3,000")
    fills = [e.style.fill for e in layer.legend[:-1]]
    assert len(set(fills)) == 4
    assert any("score.csv" in c.source for c in layer.credits)
    _no_path(layer.credits)


def test_choropleth_joined_to_countries_by_code():
    frame = pd.DataFrame({"country": ["UZB", "kaz", "Tajikistan"], "rate": [0.001, 0.4, 0.9]})
    layer = layers.build(
        "areas", data=frame, join="countries", on="country", value="rate", breaks=[0.1, 0.5]
    )
    assert layer.frame["region"].tolist() == ["Uzbekistan", "Kazakhstan", "Tajikistan"]
    labelled = layers.build(
        "areas", data=frame, join="countries", on="country", label="region", style="user_line"
    )
    assert labelled.label == "region" and labelled.style == layers.style("user_line")
    assert [e.label for e in labelled.legend] == ["Areas"]  # no value: one row, the title
    assert [e.label for e in layer.legend] == ["0.001–0.1", "0.1–0.5", "0.5–0.9"]


def test_every_unmatched_region_is_listed_with_the_closest_names(tmp_path):
    table = "oblast,score\nAndijon,1\nNamangann,2\nOsh,3\nJalalabad Oblasty,4\n"
    with pytest.raises(geo.DataError) as err:
        layers.build(
            "areas",
            data=_write(tmp_path, "s.csv", table),
            join="admin1",
            on="oblast",
            value="score",
        )
    message = str(err.value)
    assert err.value.row == 3 and err.value.field == "oblast" and "s.csv" in message
    assert "line 3 'Namangann' (closest: Namangan" in message and "line 5" in message


@pytest.mark.parametrize(
    "options,field", [({"join": "provinces", "on": "oblast"}, "join"), ({"join": "admin1"}, "on")]
)
def test_bad_join_options_are_named(tmp_path, options, field):
    with pytest.raises(geo.DataError) as err:
        layers.build("areas", data=_write(tmp_path, "s.csv", "oblast,v\nOsh,1\n"), **options)
    assert err.value.field == field and "s.csv" in str(err.value)


def test_areas_from_a_polygon_file_with_natural_breaks_are_reproducible(tmp_path):
    boxes = [shapely.box(67 + k, 40, 67.8 + k, 40.8) for k in range(8)]
    values = [50, 75, 90, 400, 420, 2500, 2800, 3000]
    frame = gpd.GeoDataFrame({"zone": list("ABCDEFGH"), "v": values}, geometry=boxes, crs=4326)
    path = tmp_path / "zones.gpkg"
    frame.to_file(path, driver="GPKG")
    first = layers.build("areas", data=path, value="v", scheme="natural_breaks", classes=3)
    again = layers.build("areas", data=path, value="v", scheme="natural_breaks", classes=3)
    assert [e.label for e in first.legend] == [e.label for e in again.legend]
    assert [e.label for e in first.legend] == ["50–90", "90–420", "420–3,000"]
    assert first.legend == again.legend


def test_class_bounds_read_well():
    assert format_number(1234567.0) == "1,234,567"
    assert format_number(35.5) == "35.5" and format_number(20.0) == "20"
    assert format_number(0.00123) == "0.00123"


# --- flows ----------------------------------------------------------------------------------


def test_flows_with_own_column_names_and_units(tmp_path):
    table = "from,to,n\nShymkent,Taraz,3000\nKhujand,Kulob,50\nTaraz,Khujand,700\n"
    layer = layers.build(
        "flows",
        data=_write(tmp_path, "traders.csv", table),
        columns={"origin": "from", "destination": "to", "count": "n"},
        units="traders",
    )
    # 50 and 700 draw at the thinnest width (up to 417): the key starts above it
    assert layer.size.key_values == (500.0, 1000.0, 3000.0) and layer.size.thinnest
    assert layer.size.label == "Traders (line width)" and layer.size.max_value == 3000
    assert layer.frame["count_text"].tolist() == ["3,000", "50", "700"]
    assert [f.label for f in layer.fields][2] == "Traders"
    sources = [c.source for c in layer.credits]
    assert sources[0] == "User data: traders.csv" and any("GeoNames" in s for s in sources)
    _no_path(layer.credits)


def test_flow_rows_are_checked_under_the_users_column_names(tmp_path):
    table = "from,to,n\nShymkent,Taraz,30\nKhujand,Kulob,lots\n"
    with pytest.raises(geo.DataError) as err:
        layers.build(
            "flows",
            data=_write(tmp_path, "traders.csv", table),
            columns={"origin": "from", "destination": "to", "count": "n"},
        )
    assert err.value.row == 3 and err.value.field == "n" and "traders.csv" in str(err.value)


def test_every_unknown_flow_end_is_listed_at_once(tmp_path):
    table = "origin,destination,count\nShymkentt,Taraz,30\nKhujand,Kulobb,5\n"
    with pytest.raises(geo.DataError) as err:
        layers.build("flows", data=_write(tmp_path, "f.csv", table))
    message = str(err.value)
    assert err.value.row == 2 and err.value.field == "origin"
    assert "line 2 origin" in message and "line 3 destination" in message


def test_bad_counts_and_unknown_places_are_reported_together(tmp_path):
    table = "from,to,n\nShymkentt,Taraz,lots\nKhujand,Kulobb,5\nTaraz,Khujand,-3\n"
    with pytest.raises(geo.DataError) as err:
        layers.build(
            "flows",
            data=_write(tmp_path, "traders.csv", table),
            columns={"origin": "from", "destination": "to", "count": "n"},
        )
    found = {(p.row, p.field) for p in err.value.problems}
    assert found == {(2, "n"), (2, "from"), (3, "to"), (4, "n")}
    assert all(isinstance(p, geo.errors.Problem) for p in err.value.problems)
    assert err.value.row == 2 and err.value.field in ("n", "from")
    message = str(err.value)
    assert "traders.csv" in message and "not a number" in message
    assert "'Shymkentt'" in message and "'Kulobb'" in message and "line 4" in message


def test_unknown_flow_ends_are_named_by_the_users_columns(tmp_path):
    table = "from,to,n\nShymkent,Taraz,30\nKhujand,Kulobb,5\n"
    with pytest.raises(geo.DataError) as err:
        layers.build(
            "flows",
            data=_write(tmp_path, "traders.csv", table),
            columns={"origin": "from", "destination": "to", "count": "n"},
        )
    message = str(err.value)
    assert err.value.row == 3 and err.value.field == "to"
    assert "line 3 to:" in message and "destination" not in message
    assert [p.field for p in err.value.problems] == ["to"]


def test_flow_ends_credit_every_gazetteer_source_once(tmp_path):
    # Andijan and Osh come from fergana's facts places, Kokand from GeoNames
    table = "origin,destination,count\nAndijan,Osh,30\nOsh,Andijan,5\nAndijan,Kokand,7\n"
    assert [geo.place(n).dataset for n in ("Andijan", "Osh", "Kokand")] == [
        "facts_places", "facts_places", "places",
    ]  # fmt: skip
    layer = layers.build("flows", data=_write(tmp_path, "f.csv", table))
    sources = [c.source for c in layer.credits]
    assert sources == [
        "User data: f.csv",
        layers.Credit.of("facts_places").source,
        layers.Credit.of("places").source,
    ]
    facts_only = layers.build("flows", data=_write(tmp_path, "g.csv", table.rsplit("\n", 2)[0]))
    assert [c.source for c in facts_only.credits] == [
        "User data: g.csv",
        layers.Credit.of("facts_places").source,
    ]


def test_points_from_facts_places_are_credited():
    frame = pd.DataFrame({"town": ["Andijan", "Namangan"], "n": [1, 2]})
    layer = layers.build("points", data=frame, place="town")
    assert layers.Credit.of("facts_places") in layer.credits
    assert layers.Credit.of("places") not in layer.credits


@pytest.mark.parametrize("as_frame", [False, True])
def test_points_without_coordinates_suggest_the_place_option(tmp_path, as_frame):
    path = _write(tmp_path, "towns.csv", "town,n\nShymkent,1\nTaraz,2\n")
    data = pd.read_csv(path) if as_frame else path
    with pytest.raises(geo.DataError) as err:
        layers.build("points", data=data)
    message = str(err.value)
    assert "lat" in message and "place = " in message and "town" in message


def test_an_unknown_flow_column_key_lists_the_keys(tmp_path):
    with pytest.raises(geo.DataError) as err:
        layers.build(
            "flows", data=_write(tmp_path, "f.csv", "a,b,c\nOsh,Osh,1\n"), columns={"source": "a"}
        )
    assert err.value.field == "columns.source" and "origin" in str(err.value)


# --- credits and the borrowed built-in layers ------------------------------------------------


def test_credit_options_on_built_in_layers(tmp_path):
    outline = gpd.GeoDataFrame(
        {"name": ["My basin"]}, geometry=[shapely.box(70.5, 40.2, 72.5, 41.2)], crs=4326
    )
    path = tmp_path / "basin.geojson"
    outline.to_file(path, driver="GeoJSON")
    layer = layers.build("valley", data=path, credit="Basin study (2021)", title="Study basin")
    assert [c.source for c in layer.credits] == ["Basin study (2021)"]
    assert [e.label for e in layer.legend] == ["Study basin"]
    plain = layers.build("valley", data=path, legend="Basin outline")
    assert [e.label for e in plain.legend] == ["Basin outline"]
    assert [c.source for c in plain.credits] == ["User data: basin.geojson"]
    assert "credit" in layers.builder_options("valley")
    with pytest.raises(geo.DataError) as err:
        layers.build("valley", credit="Mine")
    assert err.value.field == "credit"


def test_a_users_facts_table_is_credited_by_file_name(tmp_path):
    path = tmp_path / "violence.csv"
    path.write_bytes(geo.dataset("violence_2010").embedded_path.read_bytes())
    layer = layers.build("violence", data=path)
    assert "User data: violence.csv" in [c.source for c in layer.credits]
    _no_path(layer.credits)


# --- through a map --------------------------------------------------------------------------


def test_legend_rows_come_through_the_scene(tmp_path):
    from maps.compose import compose
    from maps.scene import build_scene
    from maps.spec import spec_from_dict

    stalls = _write(tmp_path, "stalls.csv", STALLS)
    score = _write(tmp_path, "score.csv", "oblast,score\nTurkistan,1\nJambyl,5\nSughd,9\n")
    spec = spec_from_dict(
        {
            "id": "generic-test",
            "title": "Fictional stalls",
            "extent": [66.0, 37.0, 74.0, 44.5],
            "layers": [
                {"id": "countries"},
                {
                    "id": "areas",
                    "options": {
                        "data": str(score),
                        "join": "admin1",
                        "on": "oblast",
                        "value": "score",
                        "breaks": [2, 6],
                        "title": "Score",
                    },
                },
                {
                    "id": "points",
                    "options": {
                        "data": str(stalls),
                        "size": "footfall",
                        "units": "visitors a day",
                        "title": "Stalls",
                    },
                },
            ],
        }
    )
    scene = build_scene(compose(spec))
    sections = {s.title: s for s in scene.legend}
    assert [r.label for r in sections["Score"].rows] == ["1–2", "2–6", "6–9"]
    key = sections["Stalls"].size_key
    assert key.title == "Visitors a day (circle area)"
    assert [r.label for r in key.rows] == ["100", "1,000", "3,000"]
    credits = [c.source for c in scene.credits]
    assert "User data: stalls.csv" in credits and "User data: score.csv" in credits
    _no_path(scene.credits)


def test_the_generic_step_takes_one_legend_row_time_and_series():
    from layers.generic import generic_layer

    frame = gpd.GeoDataFrame(
        {"n": [5.0, 50.0], "when": ["2024-01-02", "2024-03-04"]},
        geometry=[shapely.Point(69.6, 42.3), shapely.Point(71.4, 42.9)],
        crs=4326,
    )
    base = layers.style("user_symbol")
    scale = data_size_scale(frame["n"], column="n", units="stalls", max_size=20, min_size=4,
                            unknown_size=4, by_area=True)  # fmt: skip
    key_only = generic_layer(frame, layer_id="x", kind="point", title="Stalls", base=base,
                             credits=[], size=scale)  # fmt: skip
    assert key_only.legend == []
    series = pd.DataFrame({"date": ["2024-01-02"], "text": ["5"], "source": ["test"]})
    layer = generic_layer(
        frame, layer_id="x", kind="point", title="Stalls", base=base, credits=[], size=scale,
        legend="A stall", time="when", series=series, series_title="Stalls counted",
    )  # fmt: skip
    assert [(e.label, e.style) for e in layer.legend] == [("A stall", base)]
    assert (layer.time, layer.series_title) == ("when", "Stalls counted")
    assert layer.series is series
