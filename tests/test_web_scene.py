"""The web page reads back as its scene: labels, legend, credits, relief, flows, a foreign layer."""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import json
import math
import re

import geopandas as gpd
import numpy as np
import pytest
import shapely
from webpage import (
    decode_layer,
    finish,
    legend_items,
    legend_markup,
    merc_y,
    page_labels,
    payloads,
    pixels,
    shown,
)

import geo.geometry
from layers import Categories, Credit, Field, Layer, LegendEntry, SizeScale, Style
from layers.theme import (
    HALO,
    LABEL_ROLES,
    WEB_PX_PER_PT,
    style,
)
from maps import Composition, compose, load_spec, spec_from_dict
from maps.scene import Scene, build_scene
from maps.scene.relief import overlay_rgba, relief_shade
from maps.spec import SPEC_DIR
from maps.web import (
    write_web,
)

SPECS = sorted(SPEC_DIR.glob("*.toml"))
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>window.__pwned=1</script>"


# --- reading the page back: payloads, legend, caption (independent of the encoder) ------------


def _scene_legend_items(scene: Scene) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for section in scene.legend:
        if section.context:
            continue  # context insets are not drawn on the web
        items.append(("section", section.key))
        if section.heading is not None:
            items.append(("heading", section.heading))
        items += [("row", row.label) for row in section.rows]
        if section.size_key is not None:
            if section.size_key.title:
                items.append(("key-title", section.size_key.title))
            items += [("key", row.label) for row in section.size_key.rows]
    return items


def test_labels_are_the_scenes_in_its_order(built):
    want = [(rank, label.text, label.role) for rank, label in enumerate(built.scene.labels)]
    assert want, "every story map has labels"
    assert page_labels(built.text) == want


def test_legend_is_the_scenes_main_map_legend(built):
    want = _scene_legend_items(built.scene)
    assert want, "every story map has a legend"
    assert legend_items(legend_markup(built.text)) == want
    # each section follows a layer's toggle: its key is that layer's pane
    panes = {payload["pane"] for payload in payloads(built.text)}
    assert {v for k, v in want if k == "section"} <= panes


def test_credits_line_is_the_scenes_credits(built):
    caption = finish(built.text)["caption"]
    line = re.search(r'<p class="fg-credits">(.*?)</p>', caption).group(1)
    text = html.unescape(re.sub(r"<[^>]+>", "", line))
    sources = "Sources: " + "; ".join(c.text() for c in built.scene.credits) + "."
    assert text.startswith(sources + " Map drawn with Leaflet.")
    assert (finish(built.text)["locator"] is None) == (built.scene.locator is None)


def test_label_typography_comes_from_the_theme(built):
    for role, look in LABEL_ROLES.items():
        rule = re.search(rf"\.fg-l-{role} span \{{([^}}]*)\}}", built.text)
        assert rule, f"no CSS rule for label role {role!r}"
        body = rule.group(1)
        size = float(re.search(r"font-size: ([\d.]+)px", body).group(1))
        assert size == pytest.approx(look.size * WEB_PX_PER_PT, abs=0.01)
        assert f"font-weight: {look.weight}" in body
        assert f"font-style: {look.style}" in body
        assert f"color: {look.colour}" in body
        assert ("text-transform: uppercase" in body) == look.uppercase
        assert (HALO in body) == (look.halo > 0)


def test_relief_is_the_scenes_hillshade(built):
    found = re.search(r"FG\.image\(\w+, \w+, (?=\{)", built.text)
    assert (found is not None) == built.scene.relief
    if found is None:
        return
    image = json.JSONDecoder().raw_decode(built.text, found.end())[0]
    from PIL import Image

    png = base64.b64decode(image["url"].split(",", 1)[1])
    picture = Image.open(io.BytesIO(png))
    assert picture.mode == "RGBA"
    pixels = np.asarray(picture)
    rows, cols = pixels.shape[:2]
    (south, west), (north, east) = image["bounds"]
    # pixel centres: columns evenly in longitude, rows evenly in Web Mercator y
    top, bottom = merc_y(north), merc_y(south)
    shade = relief_shade((west, south, east, north))
    for i, j in ((rows // 3, cols // 3), (rows // 2, cols // 2), (2 * rows // 3, cols // 4)):
        lon = west + (j + 0.5) / cols * (east - west)
        y = top + (i + 0.5) / rows * (bottom - top)
        lat = math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)
        value, cover = shade.sample(np.array([lon]), np.array([lat]))
        expected = overlay_rgba(value, cover)[0]
        assert np.abs(pixels[i, j].astype(int) - expected.astype(int)).max() <= 1
    assert pixels[..., 3].max() > 0, "the relief shows somewhere"


def _flow_and_time_composition() -> Composition:
    base = compose(load_spec(SPEC_DIR / "fergana-borders.toml"))
    osh, jalal_abad, andijan, khujand = (
        (72.80, 40.53),
        (73.00, 40.93),
        (72.34, 40.78),
        (69.6, 40.28),
    )
    lines = [
        geo.geometry.flow_line(osh, andijan),
        geo.geometry.flow_line(jalal_abad, andijan),
        geo.geometry.flow_line(andijan, khujand, bend=-0.2),
    ]
    flows = gpd.GeoDataFrame(
        {
            "route": ["Osh → Andijan", "Jalal-Abad → Andijan", "Andijan → Khujand"],
            "people": [75_000.0, 25_000.0, math.nan],
            "status": ["reported", "reported", "unknown"],
            "date": ["2010-06-12", "2010-06-13", "2010-06-14"],
        },
        geometry=lines,
        crs="EPSG:4326",
    )
    flow_layer = Layer(
        id="test_flows",
        title="Refugee flows (test)",
        kind="flow",
        frame=flows,
        style=style("flow"),
        categories=Categories("status", {"unknown": ("Count not reported", style("flow_unknown"))}),
        size=SizeScale(
            column="people",
            max_value=100_000,
            max_size=16,
            key_values=(10_000, 50_000, 100_000),
            label="People",
        ),
        legend=[
            LegendEntry("Refugees crossing", style("flow"), "flow"),
            LegendEntry("Count not reported", style("flow_unknown"), "flow"),
        ],
        fields=[Field("route", "Route"), Field("people", "People", "{:,.0f}")],
        time="date",
        credits=[Credit("Test flows", "none")],
    )
    # the same camp reported on two days: the slider shows the latest report
    camps = gpd.GeoDataFrame(
        {
            "camp": ["Camp A", "Camp A", "Camp B"],
            "people": [1000.0, 5000.0, 2000.0],
            "date": ["2010-06-12", "2010-06-14", "2010-06-13"],
        },
        geometry=[
            shapely.Point(72.2, 40.85),
            shapely.Point(72.2, 40.85),
            shapely.Point(72.5, 40.9),
        ],
        crs="EPSG:4326",
    )
    camp_layer = Layer(
        id="test_camps",
        title="Camps (test)",
        kind="point",
        frame=camps,
        style=style("camp"),
        size=SizeScale(
            column="people", max_value=5000, max_size=24, by_area=True, key_values=(1000, 5000)
        ),
        fields=[Field("camp", "Camp"), Field("people", "People", "{:,.0f}")],
        label="camp",
        time="date",
        credits=[Credit("Test camps", "none")],
    )
    return dataclasses.replace(
        base,
        layers=[*base.layers, flow_layer, camp_layer],
        visible=[*base.visible, True, True],
        labelled=[*base.labelled, True, True],
    )


@pytest.mark.browser
def test_flows_and_time_slider(tmp_path, visit):
    composition = _flow_and_time_composition()
    page_path = write_web(composition, tmp_path)[0]
    text = page_path.read_text(encoding="utf-8")
    assert '"dashArray":"4 3"' in text  # the unknown flow is dashed
    seen = visit(page_path)
    page = seen.page
    assert seen.errors == [] and seen.network == []
    # 3 flow lines + 3 arrowheads, thick to thin
    flows = page.evaluate(
        "FG.layers['fg-test-flows'].getLayers().map(l => [l.feature.geometry.type,"
        " l.options.weight, l.options.dashArray || ''])"
    )
    assert [f[0] for f in flows].count("LineString") == 3
    assert [f[0] for f in flows].count("Polygon") == 3
    widths = [f[1] for f in flows if f[0] == "LineString"]
    assert widths == sorted(widths, reverse=True)
    assert widths[0] == pytest.approx(12.0)
    assert any(f[2] for f in flows if f[0] == "LineString")
    slider = page.locator(".fg-time input[type=range]")
    assert slider.is_visible()
    assert page.locator(".fg-time output").text_content() == "2010-06-14"
    assert shown(page, "fg-test-camps") == 2  # Camp A (latest) and Camp B
    assert shown(page, "fg-test-flows") == 6
    slider.fill("0")
    assert page.locator(".fg-time output").text_content() == "2010-06-12"
    assert shown(page, "fg-test-camps") == 1
    assert shown(page, "fg-test-flows") == 2
    legend = page.locator(".fg-legend").inner_text()
    assert "People" in legend and "100,000" in legend
    assert seen.errors == []


def test_arrowheads_have_the_scenes_proportions(tmp_path):
    scene = build_scene(_flow_and_time_composition())
    page = write_web(scene, tmp_path)[0].read_text(encoding="utf-8")
    zoom = int(re.search(r'"zoom": (\d+)', page).group(1))  # the map's opening (reference) zoom
    flows = next(sl for sl in scene.layers if sl.layer.id == "test_flows")
    payload = next(p for p in payloads(page) if p["pane"] == flows.key)
    features = decode_layer(payload)
    shafts = [coords for kind, coords in features if kind == "LineString"]
    heads = [coords[0] for kind, coords in features if kind == "Polygon"]
    assert len(shafts) == len(heads) == 3
    for k, shaft, head in zip(flows.draw_order.tolist(), shafts, heads, strict=True):
        corners = [pixels(*vertex, zoom) for vertex in head]
        end = pixels(*shaft[-1], zoom)
        # the tip is the corner farthest from where the shaft stops (under the head)
        tip = max(corners, key=lambda c: np.linalg.norm(c - end))
        left, right = (c for c in corners if c is not tip)
        length = np.linalg.norm(tip - (left + right) / 2)
        width = np.linalg.norm(left - right)
        want_length, want_width = scene.arrow.head(float(flows.sizes[k]))
        assert length == pytest.approx(want_length, rel=0.03, abs=0.3)
        assert width == pytest.approx(want_width, rel=0.03, abs=0.3)
        # the shaft stops under the head: a dashed one at its base
        dashed = bool(flows.style(k).dash)
        stop = np.linalg.norm(tip - end)
        overlap = 0.0 if dashed else scene.arrow.shaft_overlap
        assert stop == pytest.approx((1 - overlap) * want_length, rel=0.03, abs=0.3)


# --- a layer that is not ours ---------------------------------------------------------------------


def _south_american_scene() -> Scene:
    """Someone else's points (other columns, other continent) on a world basemap."""
    spec = spec_from_dict(
        {
            "id": "south-america-test",
            "title": "Rainfall stations (test)",
            "extent": [-82, -40, -34, 8],
            "layers": ["world"],
        },
        source="south-america-test.toml",
    )
    stations = gpd.GeoDataFrame(
        {
            "name": ["Manaus", "Lima", "Santiago", "São Paulo", "Bogotá", "La Paz"],
            "value": [2300.0, 15.0, 330.0, 1450.0, 1000.0, math.nan],
        },
        geometry=shapely.points(
            [
                (-60.02, -3.1),
                (-77.04, -12.05),
                (-70.67, -33.45),
                (-46.63, -23.55),
                (-74.07, 4.71),
                (-68.15, -16.5),
            ]
        ),
        crs="EPSG:4326",
    )
    theirs = Layer(
        id="stations",
        title="Annual rainfall",
        kind="point",
        frame=stations,
        style=Style(fill="#1f78b4", stroke="#ffffff", stroke_width=1.0, marker_size=8),
        size=SizeScale(
            column="value",
            max_value=2500,
            max_size=30,
            by_area=True,
            key_values=(100, 1000, 2500),
            label="Rainfall (mm a year)",
        ),
        fields=[Field("name", "Station"), Field("value", "Rainfall (mm)", "{:,.0f}")],
        label="name",
        credits=[Credit("Test stations", "none")],
    )
    base = compose(spec)
    return build_scene(
        dataclasses.replace(
            base,
            layers=[*base.layers, theirs],
            visible=[*base.visible, True],
            labelled=[*base.labelled, True],
            credits=[*base.credits, *theirs.credits],
        )
    )


@pytest.mark.browser
def test_a_foreign_layer_on_a_phone(tmp_path, visit):
    scene = _south_american_scene()
    page_path = write_web(scene, tmp_path)[0]
    text = page_path.read_text(encoding="utf-8")
    assert [t for _, t, _ in page_labels(text)] == [label.text for label in scene.labels]
    assert legend_items(legend_markup(text)) == _scene_legend_items(scene)
    seen = visit(page_path, viewport=(375, 667))
    page = seen.page
    assert seen.errors == [] and seen.network == []
    stations = next(sl for sl in scene.layers if sl.layer.id == "stations")
    # every station drawn, at the scene's size (the unreported one at the unknown size)
    sizes = page.evaluate(
        f"FG.layers[{json.dumps(stations.key)}].getLayers().map(l => l.getRadius() * 2)"
    )
    assert sorted(sizes) == pytest.approx(sorted(stations.sizes.tolist()), abs=0.06)
    # their names are labels, ranked as the scene says
    labels = page.eval_on_selector_all(
        ".fg-label.fg-l-point span", "els => els.map(e => e.textContent)"
    )
    assert set(labels) == set(stations.layer.frame["name"])
    # the legend starts folded on a phone, opens, and shows the key inside the screen
    legend = page.locator(".fg-legend")
    assert legend.is_visible()
    page.locator(".fg-legend .fg-legend-toggle").click()
    key = page.locator(f'.fg-legend [data-fg-layer="{stations.key}"]')
    assert key.is_visible()
    assert "Rainfall (mm a year)" in key.inner_text()
    assert "not reported" in key.inner_text()
    box = legend.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert box["y"] >= 0 and box["y"] + box["height"] <= 667
    credits = " ".join(page.locator(".fg-credits").inner_text().split())
    assert "Test stations" in credits
