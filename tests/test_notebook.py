"""Notebook use: web_map of layers made in code, Layer.explore/repr, folium elements offline.

The data are made here (Kazakh towns, a road, a region: coordinates rounded, numbers
fictional) so that nothing depends on fergana's own places or columns.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import ClassVar

import folium
import folium.plugins
import geopandas as gpd
import pandas as pd
import pytest
import shapely
from branca.element import JavascriptLink
from folium.elements import JSCSSMixin
from PIL import Image
from webpage import Visit, payloads

import layers
from layers import Categories, Credit, Field, Layer, Style
from maps import compose, spec_from_dict
from maps.print import write_static
from maps.web import WebBuildError, render_html, web_map

# One grey pixel: a tile source that needs no network, for the minimap.
GREY_TILE = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQ"
    "DwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
TOWNS = {  # name: (lon, lat, people - fictional round numbers)
    "Astana": (71.43, 51.13, 1_300_000),
    "Almaty": (76.89, 43.24, 2_100_000),
    "Shymkent": (69.59, 42.32, 1_100_000),
    "Aktobe": (57.21, 50.28, 500_000),
    "Oskemen": (82.61, 49.95, 300_000),
}


def towns_layer(extra: dict | None = None) -> Layer:
    frame = gpd.GeoDataFrame(
        {
            "town": list(TOWNS),
            "people": [p for _, _, p in TOWNS.values()],
            "kind": ["capital", "city", "city", "city", "city"],
            **(extra or {}),
        },
        geometry=gpd.points_from_xy(
            [x for x, _, _ in TOWNS.values()], [y for _, y, _ in TOWNS.values()]
        ),
        crs=4326,
    )
    return Layer(
        id="kz-towns",
        title="Towns of Kazakhstan",
        kind="point",
        frame=frame,
        style=Style(fill="#1b9e77", stroke="#ffffff"),
        categories=Categories("kind", {"capital": ("Capital", Style(fill="#d95f02"))}),
        credits=[Credit("Test towns (fictional numbers)", "CC0")],
        fields=[Field("town", "Town"), Field("people", "People", "{:,}")],
        label="town",
    )


def road_and_region() -> tuple[Layer, Layer]:
    road = gpd.GeoDataFrame(
        {"road": ["A-2"]},
        geometry=[shapely.LineString([(69.59, 42.32), (71.4, 42.9), (76.89, 43.24)])],
        crs=4326,
    )
    region = gpd.GeoDataFrame(
        {"region": ["South"]},
        geometry=[shapely.box(68.0, 41.5, 80.0, 45.0)],
        crs=4326,
    )
    credit = [Credit("Test shapes", "CC0")]
    return (
        Layer("kz-road", "Road", "line", road, Style(stroke="#7570b3", stroke_width=2), credit),
        Layer(
            "kz-region", "Region", "area", region, Style(fill="#e6ab02", stroke="#666666"), credit
        ),
    )


def test_web_map_of_one_layer_builds_and_renders():
    m = web_map(towns_layer())
    assert isinstance(m, folium.Map)
    page = render_html(m)
    assert "<title>Towns of Kazakhstan</title>" in page
    assert "Test towns (fictional numbers)" in page
    features = [f for p in payloads(page) for f in p["data"]["features"]]
    assert len(features) == len(TOWNS)
    # the map's bounds hold every town
    bounds = m.options["maxBounds"]
    lats = [b[0] for b in bounds]
    lons = [b[1] for b in bounds]
    for lon, lat, _ in TOWNS.values():
        assert min(lons) < lon < max(lons) and min(lats) < lat < max(lats)


def test_web_map_of_layers_with_an_extent_clips_and_credits_each_source_once():
    road, region = road_and_region()
    extent = (68.0, 41.0, 78.0, 46.0)  # the south only: Aktobe, Astana, Oskemen are outside
    page = render_html(web_map([region, road, towns_layer()], extent=extent, title="South"))
    assert "<title>South</title>" in page
    layers_drawn = payloads(page)
    assert [len(p["data"]["features"]) for p in layers_drawn] == [1, 1, 2]
    assert page.count("Test shapes") == page.count("Test towns (fictional numbers)")


def test_web_map_rejects_what_is_not_a_layer_and_extent_for_a_spec():
    with pytest.raises(TypeError, match="item 1 is a str"):
        web_map([towns_layer(), "countries"])
    with pytest.raises(TypeError, match="extent= and title= are for layers"):
        web_map("fergana-borders", extent=(70, 39, 74, 42))
    with pytest.raises(ValueError, match="at least one Layer"):
        web_map([])


def test_explore_draws_with_fergana_offline():
    m = towns_layer().explore(extent=(50.0, 38.0, 90.0, 56.0))
    page = render_html(m)  # raises if the page refers to the network
    assert 'content="fergana"' in page
    assert "openstreetmap" not in page.lower()


def test_repr_is_one_short_line():
    text = repr(towns_layer())
    assert text == (
        "<Layer 'kz-towns' point: 5 features, credits: Test towns (fictional numbers) (CC0)>"
    )
    assert "\n" not in text and len(text) < 200


def test_repr_html_draws_an_svg_and_escapes_data():
    evil = "<script>alert(1)</script>"
    layer = towns_layer({"note": [evil, "a & b", "", "x", "y"]})
    page = layer._repr_html_()
    assert "<script" not in page
    assert html.escape(evil) in page and "a &amp; b" in page
    svg = re.search(r"<svg\b.*?</svg>", page, re.S)
    assert svg is not None
    assert svg.group(0).count("<circle") == len(TOWNS)
    assert 'fill="#d95f02"' in svg.group(0)  # the capital's category colour
    assert "Towns of Kazakhstan" in page and "5 features" in page
    assert page == layer._repr_html_()  # deterministic


def test_repr_html_hides_fergana_internal_columns():
    frame = pd.DataFrame({"town": ["Shymkent", "Taraz", "Turkistan"], "n": [1.0, 5.0, 9.0]})
    layer = layers.build("points", data=frame, place="town", color="n", breaks=[4])
    assert "fg_class" in layer.frame.columns
    page = layer._repr_html_()
    assert "fg_" not in page
    assert "<th>town</th>" in page and "<th>n</th>" in page


def test_repr_html_draws_lines_and_areas():
    road, region = road_and_region()
    assert '<path d="M' in road._repr_html_()
    assert 'fill-rule="evenodd"' in region._repr_html_()
    assert 'fill="#e6ab02"' in region._repr_html_()


def with_user_elements(path: Path) -> Path:
    m = web_map(towns_layer())
    folium.Marker([47.0, 70.0], popup=folium.Popup("Karaganda <b>test</b>")).add_to(m)
    folium.CircleMarker([45.0, 75.0], radius=6, popup="Balkhash").add_to(m)
    tiles = folium.TileLayer(tiles=GREY_TILE, attr="grey")
    folium.plugins.MiniMap(tile_layer=tiles).add_to(m)
    folium.plugins.Fullscreen().add_to(m)
    m.save(path)
    return path


def test_user_elements_are_inlined(tmp_path):
    page = with_user_elements(tmp_path / "map.html").read_text(encoding="utf-8")
    assert "<script src" not in page and '<link rel="stylesheet"' not in page
    assert "jQuery v3.7.1" in page and "Control.MiniMap" in page
    assert "L.Icon.Default.imagePath" in page


@pytest.mark.browser
def test_user_elements_work_offline_in_chromium(tmp_path, browser):
    visit = Visit(browser, with_user_elements(tmp_path / "map.html"))
    try:
        page = visit.page
        widths = page.evaluate(
            "Array.from(document.querySelectorAll('img.leaflet-marker-icon'), i => i.naturalWidth)"
        )
        assert widths and all(w > 0 for w in widths)
        assert page.locator(".leaflet-control-minimap").count() == 1
        assert page.locator(".leaflet-control-zoom-fullscreen").count() == 1
        page.click("img.leaflet-marker-icon")
        assert "Karaganda" in page.inner_text(".leaflet-popup-content")
        assert visit.errors == []
        assert visit.network == []
    finally:
        visit.close()


class NetworkOnlyPlugin(JSCSSMixin):
    default_js: ClassVar = [("some_plugin_js", "https://cdn.example.invalid/some-plugin.min.js")]


def test_an_asset_that_cannot_be_inlined_fails_naming_it(tmp_path):
    m = web_map(towns_layer())
    m.add_child(NetworkOnlyPlugin())
    with pytest.raises(WebBuildError, match=r"some_plugin_js \(https://cdn\.example\.invalid/"):
        render_html(m)
    m = web_map(towns_layer())
    folium.Marker([47.0, 70.0], icon=folium.Icon(color="red")).add_to(m)
    with pytest.raises(WebBuildError, match=r"awesome_markers \(https://.*\) needed by Icon"):
        m.save(tmp_path / "icon.html")


def test_cdn_mode_links_what_user_elements_need():
    m = web_map(towns_layer(), mode="cdn")
    folium.Marker([47.0, 70.0], popup="Karaganda").add_to(m)
    page = render_html(m)
    links = [c.url for c in m.get_root().header._children.values() if isinstance(c, JavascriptLink)]
    assert any("jquery" in url for url in links)
    assert "jquery" in page


def test_pages_without_user_elements_link_nothing_more():
    page = render_html(web_map(towns_layer()))
    assert "jQuery v3.7.1" not in page and "L.Icon.Default.imagePath" not in page
    assert "Control.MiniMap" not in page


def test_write_static_takes_the_spec_print_size(tmp_path):
    spec = spec_from_dict(
        {
            "id": "kz-landscape",
            "title": "A landscape page",
            "extent": [68.0, 40.0, 80.0, 46.0],
            "print_size": "a4-landscape",
            "layers": [{"id": "countries"}],
        }
    )
    (png,) = write_static(compose(spec), tmp_path, formats=["png"], dpi=40, web_width_px=None)
    with Image.open(png) as image:
        width, height = image.size
    assert abs(width / height - 297 / 210) < 0.01
