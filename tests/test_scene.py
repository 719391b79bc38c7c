"""The scene: one renderer-neutral plan per map (maps/scene)."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

import geo
import layers
import maps
from layers import Categories, Layer, LegendEntry, SizeScale, Style
from layers.theme import FLOW_ARROW, LABEL_ROLES, label_roles
from maps.compose import Composition
from maps.scene import build_scene, locator_window
from maps.scene.legend import NOT_REPORTED
from maps.scene.relief import ALTITUDE, EXAGGERATION, overlay_rgba, shade_of

SPECS = sorted((Path(maps.__file__).parent / "specs").glob("*.toml"))


@pytest.fixture(scope="module")
def scenes():
    return {p.stem: build_scene(maps.compose(maps.load_spec(p))) for p in SPECS}


def test_every_story_map_has_a_scene(scenes):
    assert set(scenes) == {p.stem for p in SPECS}
    for scene in scenes.values():
        assert scene.layers and scene.credits
        assert [sl.index for sl in scene.layers] == list(range(len(scene.layers)))
        assert len({sl.key for sl in scene.layers}) == len(scene.layers)


def test_labels_come_in_rank_order_with_notes_first(scenes):
    for scene in scenes.values():
        ranks = [
            (LABEL_ROLES[label.role].rank - label.layer / 1000) if label.layer is not None else -1
            for label in scene.labels
        ]
        assert ranks == sorted(ranks), scene.spec.id
        notes = [label for label in scene.labels if label.role == "note"]
        assert scene.labels[: len(notes)] == tuple(notes)


def test_credits_name_relief_and_locator_data_once(scenes):
    from maps.scene.relief import relief_datasets

    world = layers.Credit.of("world_countries").source.split("; ")
    for scene in scenes.values():
        sources = [c.source for c in scene.credits]
        assert len(sources) == len(set(sources))
        # every relief grid the hillshade draws from, and none without relief
        grids = {layers.Credit.of(g).source for g in relief_datasets(scene.spec.extent)}
        if scene.relief:
            assert grids and grids <= set(sources)
        has_locator = any(i.kind == "locator" for i in scene.spec.insets)
        assert (scene.locator is not None) == has_locator
        if has_locator:
            assert all(part in sources for part in world)


def test_locator_window_holds_the_extent_with_room():
    window = locator_window((71.9, 40.25, 73.45, 41.25)).window
    assert window[0] < 71.9 and window[2] > 73.45 and window[1] < 40.25 and window[3] > 41.25
    assert window[2] - window[0] == pytest.approx(40.0)  # at least 20 degrees each side
    wide = locator_window((-170.0, -80.0, 170.0, 80.0)).window
    assert wide == (-100.0, -40.0, 100.0, 40.0)  # at most 100 and 40 degrees each side


def _layer(frame: gpd.GeoDataFrame, kind: str = "point", **kwargs) -> Layer:
    return Layer(
        id=kwargs.pop("id", "mine"),
        title="Mine",
        kind=kind,
        frame=frame,
        style=Style(fill="#000000"),
        credits=[],
        **kwargs,
    )


def _compose(layer: Layer, extent=(10.0, 10.0, 20.0, 20.0)) -> Composition:
    spec = maps.spec_from_dict(
        {
            "id": "test",
            "title": "Test",
            "extent": list(extent),
            "layers": ["countries"],
            "relief": False,
        }
    )
    return Composition(spec, [layer], [True], [True], [], [])


def test_style_codes_follow_categories_and_fall_back_to_the_base_style():
    red, blue = Style(fill="#ff0000"), Style(fill="#0000ff")
    frame = gpd.GeoDataFrame(
        {"kind": ["b", "zzz", "a", None, "b"]},
        geometry=[shapely.Point(x, x) for x in range(11, 16)],
        crs="EPSG:4326",
    )
    layer = _layer(frame, categories=Categories("kind", {"a": ("A", red), "b": ("B", blue)}))
    styles, codes = layer.style_codes()
    assert [styles[c] for c in codes] == [blue, layer.style, red, layer.style, blue]


def test_legend_keeps_categories_in_view_and_reports_missing_sizes():
    red, blue = Style(fill="#ff0000"), Style(fill="#0000ff")
    frame = gpd.GeoDataFrame(
        {"kind": ["a", "b", "a"], "people": [50.0, np.nan, 3000.0]},
        # the "b" feature lies outside the extent (but inside the clip margin)
        geometry=[shapely.Point(12, 12), shapely.Point(21, 12), shapely.Point(13, 13)],
        crs="EPSG:4326",
    )
    size = SizeScale("people", max_value=3000, max_size=30, key_values=(100, 1000), label="People")
    layer = _layer(
        frame, categories=Categories("kind", {"a": ("A", red), "b": ("B", blue)}), size=size
    )
    scene = build_scene(_compose(layer))
    (section,) = scene.legend
    assert [row.label for row in section.rows] == ["A"]
    assert section.heading == "Mine"
    assert [row.label for row in section.size_key.rows] == ["100", "1,000"]
    # a missing value in view adds the row
    frame.loc[1, "geometry"] = shapely.Point(14, 14)
    scene = build_scene(_compose(_layer(frame, categories=layer.categories, size=size)))
    rows = scene.legend[0].size_key.rows
    assert rows[-1].label == NOT_REPORTED and rows[-1].size == size.unknown_size


def test_a_class_legend_keeps_every_class_and_no_data_only_in_view():
    frame = gpd.GeoDataFrame(
        {"value": [12.5, 30.0, 81.0, np.nan, np.nan]},
        # the last feature (no value) lies outside the extent
        geometry=[shapely.Point(x, x) for x in (11, 12, 13, 14)] + [shapely.Point(30, 30)],
        crs="EPSG:4326",
    )
    layer = layers.build("points", data=frame, color="value", breaks=[25, 50, 75])
    labels = ["12.5–25", "25–50", "50–75", "75–81", "No data"]
    assert layer.categories.ordered and [e.label for e in layer.legend] == labels
    (section,) = build_scene(_compose(layer)).legend
    assert [row.label for row in section.rows] == labels  # 50–75 is used by no feature
    outside = layer.frame.geometry.copy()
    outside.iloc[3] = shapely.Point(31, 31)
    hidden = build_scene(_compose(_layer(layer.frame.set_geometry(outside), **_like(layer))))
    assert [row.label for row in hidden.legend[0].rows] == labels[:-1]


def _like(layer: Layer) -> dict:
    return {"categories": layer.categories, "legend": layer.legend}


def test_a_data_size_key_says_which_values_draw_thinnest():
    frame = gpd.GeoDataFrame(
        {"n": [50.0, 300.0, 3000.0, 1e9]},
        geometry=[shapely.Point(x, x) for x in (11, 12, 13, 14)],
        crs="EPSG:4326",
    )
    layer = layers.build("points", data=frame, size="n")
    rows = build_scene(_compose(layer)).legend[0].size_key.rows
    scale = layer.size
    assert rows[0].label == "up to 12,300,000 (thinnest)" and rows[0].size == scale.min_size
    assert rows[0].value == pytest.approx(1e9 * (scale.min_size / scale.max_size) ** 2)
    sizes = [row.size for row in rows]
    assert sizes == sorted(set(sizes)) and sizes[1] >= 1.2 * scale.min_size
    # only the outlier in view: nothing draws at the minimum, no such row
    inside = frame.geometry.copy()
    inside.iloc[:3] = [shapely.Point(30, 30)] * 3
    only = build_scene(_compose(_layer(frame.set_geometry(inside), size=scale)))
    assert "thinnest" not in only.legend[0].size_key.rows[0].label


def test_one_entry_needs_no_heading_and_an_empty_layer_no_section():
    frame = gpd.GeoDataFrame(geometry=[shapely.Point(12, 12)], crs="EPSG:4326")
    one = _layer(frame, legend=[LegendEntry("Wells", Style(fill="#000000"), "point")])
    (section,) = build_scene(_compose(one)).legend
    assert section.heading is None and [r.label for r in section.rows] == ["Wells"]
    assert build_scene(_compose(_layer(frame))).legend == ()


def test_sizes_and_draw_order_put_big_symbols_first():
    frame = gpd.GeoDataFrame(
        {"n": [10.0, 1000.0, np.nan, 100.0]},
        geometry=[shapely.Point(12, 12)] * 4,
        crs="EPSG:4326",
    )
    size = SizeScale("n", max_value=1000, max_size=20, by_area=True, unknown_size=3)
    (sl,) = build_scene(_compose(_layer(frame, size=size))).layers
    assert sl.sizes[1] == pytest.approx(20) and sl.sizes[2] == 3
    assert sl.sizes[3] == pytest.approx(20 * math.sqrt(0.1))
    assert list(sl.draw_order) == [1, 3, 2, 0]  # the unknown (3 px) above 10 (2 px)


def test_place_tiers_come_from_the_theme_with_other_data():
    frame = gpd.GeoDataFrame(
        {"kind": ["capital", "town", "town", "village"], "population": [5e4, 2e6, 1e3, np.nan]},
        geometry=[shapely.Point(0, 0)] * 4,
        crs="EPSG:4326",
    )
    assert list(label_roles("places", "point", frame)) == ["capital", "city", "town", "town"]
    bare = frame[["geometry"]]
    assert list(label_roles("places", "point", bare)) == ["town"] * 4
    assert list(label_roles("wells", "point", frame)) == ["point"] * 4
    assert list(label_roles("rivers", "line", frame)) == ["river"] * 4


def test_labels_use_label_priority_within_a_layer():
    frame = gpd.GeoDataFrame(
        {"name": ["small", "big", " ", None], "rank": [1, 5, 9, 9]},
        geometry=[shapely.Point(12, 12), shapely.Point(13, 13)] * 2,
        crs="EPSG:4326",
    )
    layer = _layer(frame, label="name", label_priority="rank")
    labels = build_scene(_compose(layer)).labels
    assert [(lb.text, lb.lon, lb.lat) for lb in labels] == [("big", 13, 13), ("small", 12, 12)]


def test_arrowheads_grow_with_the_shaft_above_a_minimum():
    assert FLOW_ARROW.head(10) == pytest.approx((22.0, 20.0))
    small = FLOW_ARROW.head(0.5)
    assert small == pytest.approx((FLOW_ARROW.min_length, FLOW_ARROW.min_width))
    assert FLOW_ARROW.head(0.5, scale=2)[0] == pytest.approx(2 * FLOW_ARROW.min_length)


def test_hillshade_of_a_plane_matches_lambert():
    # A plane rising 100 m per cell to the east, at 40 N, on a 0.1 degree grid.
    rows, cols, cell = 20, 30, 0.1
    values = np.tile(np.arange(cols, dtype=float) * 100.0, (rows, 1))
    raster = geo.Raster(values=values, bounds=(70.0, 39.0, 73.0, 41.0), crs="EPSG:4326")
    shade = shade_of(raster, (70.5, 39.5, 72.5, 40.5))
    row = shade.values.shape[0] // 2
    lat = math.radians(shade.north - (row + 0.5) * cell)
    a, e2 = 6_378_137.0, 6.69437999014e-3
    dx = math.radians(cell) * a * math.cos(lat) / math.sqrt(1 - e2 * math.sin(lat) ** 2)
    slope = 100.0 * EXAGGERATION / dx  # rising to the east: faces west, away from a NW sun
    az, alt = math.radians(315), math.radians(ALTITUDE)
    expected = (-slope * math.sin(az) * math.cos(alt) + math.sin(alt)) / math.sqrt(1 + slope**2)
    assert shade.values[row, 5] == pytest.approx(expected, rel=1e-9)
    # sampled at a cell centre, it is the cell's value; off the grid nothing is covered
    lon = shade.west + 5.5 * cell
    lat_deg = shade.north - (row + 0.5) * cell
    value, cover = shade.sample(np.array([lon, 10.0]), np.array([lat_deg, 10.0]))
    assert value[0] == pytest.approx(expected) and cover.tolist() == [1.0, 0.0]


def test_overlay_is_clear_on_flat_ground_dark_in_shadow_and_empty_off_the_data():
    flat = math.sin(math.radians(ALTITUDE))
    rgba = overlay_rgba(np.array([flat, flat - 0.2, flat + 0.2, 0.0]), np.array([1, 1, 1, 0]))
    assert rgba[0, 3] == 0 and rgba[3, 3] == 0
    assert rgba[1, 3] > 0 and rgba[1, 0] < 128  # a shadow: dark and visible
    assert rgba[2, 3] > 0 and tuple(rgba[2, :3]) == (255, 255, 255)  # sunlit: white


def test_the_scene_decides_backdrops_yielding_symbols_and_note_markers(scenes):
    scene = scenes["fergana-borders"]
    by_id = {sl.layer.id: sl for sl in scene.layers}
    assert by_id["countries"].basemap and not by_id["enclaves"].basemap
    assert by_id["places"].symbols_yield  # towns ranked by size give way to bigger towns' labels
    assert not by_id["enclaves"].symbols_yield
    assert scene.note_style == layers.style("marker_event")
