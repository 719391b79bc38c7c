"""The web renderer: every spec's scene drawn as a self-contained, reproducible page.

Checked outside the browser (the page's payload, legend and credits against the
scene, decoded with the test's own decoder) and in Chromium.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import json
import math
import re
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

import geo.geometry
from layers import Categories, Credit, Field, Layer, LegendEntry, SizeScale, Style
from layers.theme import (
    FONT_FAMILY,
    HALO,
    LABEL_ROLES,
    MUTED_TEXT,
    SEA,
    TEXT,
    WEB_PX_PER_PT,
    style,
)
from maps import Composition, SpecError, compose, load_spec, spec_from_dict
from maps.scene import Scene, build_scene
from maps.scene.relief import overlay_rgba, relief_shade
from maps.spec import SPEC_DIR
from maps.web import (
    WebBuildError,
    check_self_contained,
    encode_coordinates,
    render_html,
    web_map,
    write_web,
)

SPECS = sorted(SPEC_DIR.glob("*.toml"))
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>window.__pwned=1</script>"


# --- fixtures ---------------------------------------------------------------------------------


@dataclasses.dataclass
class Built:
    composition: Composition
    scene: Scene
    paths: list[Path]

    @property
    def page(self) -> Path:
        return self.paths[0]

    @property
    def text(self) -> str:
        return self.page.read_bytes().decode("utf-8")


@pytest.fixture(scope="module", params=SPECS, ids=[p.stem for p in SPECS])
def built(request, tmp_path_factory) -> Built:
    composition = compose(load_spec(request.param))
    scene = build_scene(composition)
    out = tmp_path_factory.mktemp(request.param.stem)
    return Built(composition, scene, write_web(scene, out))


class Visit:
    """A page opened from disk with every request, console error and dialog recorded."""

    def __init__(self, browser, path: Path, viewport=(1280, 800)) -> None:
        self.network: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.resolve().as_uri(), wait_until="load")
        self.page.wait_for_function("window.FG && FG.map !== null")

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.network.append(url)
            route.abort()

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def visit(browser):
    opened: list[Visit] = []

    def open_page(path: Path, **kwargs) -> Visit:
        opened.append(Visit(browser, path, **kwargs))
        return opened[-1]

    yield open_page
    for page in opened:
        page.close()


# --- outside the browser ----------------------------------------------------------------------


def test_specs_exist():
    assert SPECS, f"no map specs in {SPEC_DIR}"


def test_outputs(built):
    spec = built.composition.spec
    assert [p.name for p in built.paths] == [
        f"{spec.id}.html",
        f"{spec.id}.embed.html",
        f"{spec.id}.txt",
    ]
    assert built.text.startswith("<!DOCTYPE html>")
    assert f"<title>{html.escape(spec.title)}</title>" in built.text
    embed = built.paths[1].read_text(encoding="utf-8")
    assert f'src="{spec.id}.html"' in embed
    assert f'title="{html.escape(spec.title)}' in embed
    text = built.paths[2].read_text(encoding="utf-8")
    assert text.startswith(spec.title)
    assert text.endswith(built.scene.credit_line() + ".\n")  # the same credits as the page
    size = built.page.stat().st_size
    assert size <= 1_500_000, f"{spec.id}.html is {size:,} bytes"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if (tag, name) in (("script", "src"), ("link", "href"), ("img", "src")):
                self.refs.append((tag, name, value or ""))


def test_no_network_references(built):
    parser = _Tags()
    parser.feed(built.text)
    remote = [r for r in parser.refs if "//" in r[2] and not r[2].startswith("data:")]
    assert remote == []
    lowered = built.text.lower()
    for library in ("jquery", "bootstrap", "font-awesome", "awesome-markers", "glyphicon"):
        assert library not in lowered
    check_self_contained(built.text)


def _package_file(name: str) -> str:
    return resources.files("maps.web").joinpath(name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["runtime.js", "fergana.css", "legend.js", "figure.html"])
def test_package_ships_its_assets(name):
    text = _package_file(name)
    assert text.strip(), f"maps/web/{name} is empty"
    assert "\r" not in text


def test_page_inlines_the_runtime_and_stylesheet(built):
    runtime = _package_file("runtime.js")
    assert "FG.layer = function" in runtime
    assert f"<script>\n{runtime}</script>" in built.text
    # the stylesheet's $names are the theme's colours and font, filled in
    css = _package_file("fergana.css")
    values = {
        "$sea": SEA,
        "$text": TEXT,
        "$muted_text": MUTED_TEXT,
        "$halo": HALO,
        "$font_family": FONT_FAMILY,
    }
    for name in sorted(values, key=len, reverse=True):
        css = css.replace(name, values[name])
    assert "$" not in css
    # ...followed by one rule per label role (test_label_typography_comes_from_the_theme)
    assert f"<style>\n{css}.fg-l-" in built.text
    assert f".leaflet-container {{ background: {SEA};" in built.text
    # the legend's template ran: its control, not its Jinja source, is in the page
    assert 'div.setAttribute("aria-label", "Legend");' in built.text
    assert "{% macro" not in built.text


def test_two_builds_are_identical(built):
    again = render_html(web_map(built.composition))
    assert again == built.text
    assert "Math.random" not in built.text
    # no random 32-hex element ids (branca's default) survive
    assert not __import__("re").search(r"_[0-9a-f]{32}\b", built.text)


def test_geometry_is_rounded_and_simplified(built):
    spec = built.composition.spec
    assert f'"scale":{10 ** _decimals(spec)}' in built.text


def _decimals(spec) -> int:
    lat = min(max(abs(spec.extent[1]), abs(spec.extent[3])), 85)
    tolerance = geo.geometry.tolerance_for_zoom(spec.zoom[1], lat)
    return geo.geometry.decimals_for_tolerance(tolerance / 2, lat)


def test_encoding_round_trips():
    coords = np.array([[71.2345, 40.1], [71.2346, 40.0999], [-179.9999, -84.5], [0, 0]])
    text = encode_coordinates(coords, 4)
    assert set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    assert np.allclose(_decode(text, 4), coords, rtol=0, atol=1e-9)


def _decode(text: str, decimals: int) -> list[list[float]]:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    values, result, factor = [], 0, 1
    for char in text:
        digit = alphabet.index(char)
        result += (digit & 31) * factor
        factor *= 32
        if not digit & 32:
            values.append(-(result + 1) // 2 if result % 2 else result // 2)
            result, factor = 0, 1
    ints = np.cumsum(np.array(values).reshape(-1, 2), axis=0)
    return (ints / 10**decimals).tolist()


# --- reading the page back: payloads, legend, caption (independent of the encoder) ------------

_JSON = json.JSONDecoder()


def _payloads(page: str) -> list[dict]:
    """The argument of every ``FG.layer`` call, in page order."""
    return [_JSON.raw_decode(page, m.end())[0] for m in re.finditer(r"FG\.layer\(\w+, \w+, ", page)]


def _finish(page: str) -> dict:
    match = re.search(r"FG\.finish\(\w+, ", page)
    assert match, "no FG.finish call in the page"
    return _JSON.raw_decode(page, match.end())[0]


def _legend_markup(page: str) -> str:
    match = re.search(r'div\.innerHTML = (?=")', page)
    assert match, "no legend control in the page"
    return _JSON.raw_decode(page, match.end())[0]


def _legend_items(markup: str) -> list[tuple[str, str]]:
    """Sections (by layer key), headings, row labels, key titles and key labels, in order."""
    parser = _LegendParser()
    parser.feed(markup)
    return parser.items


class _LegendParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple[str, str]] = []
        self.lists: list[str] = []
        self.capture: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.items.append(("section", attrs["data-fg-layer"]))
        elif tag == "ul":
            self.lists.append("key" if attrs.get("class") == "fg-key" else "row")
        elif tag == "h3":
            self.capture, self.text = "heading", ""
        elif tag == "p" and attrs.get("class") == "fg-key-title":
            self.capture, self.text = "key-title", ""
        elif tag == "span" and self.lists:
            self.capture, self.text = self.lists[-1], ""

    def handle_endtag(self, tag):
        if tag == "ul":
            self.lists.pop()
        if self.capture and tag in ("h3", "p", "span"):
            self.items.append((self.capture, self.text))
            self.capture = None

    def handle_data(self, data):
        if self.capture:
            self.text += data


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


def _page_labels(page: str) -> list[tuple[int, str, str]]:
    """(rank, text, role) of every label in the page's payloads, by rank."""
    found = [
        (f["properties"]["r"], html.unescape(f["properties"]["n"]), f["properties"]["l"])
        for payload in _payloads(page)
        for f in payload["data"]["features"]
        if "n" in f["properties"]
    ]
    return sorted(found)


def test_labels_are_the_scenes_in_its_order(built):
    want = [(rank, label.text, label.role) for rank, label in enumerate(built.scene.labels)]
    assert want, "every story map has labels"
    assert _page_labels(built.text) == want


def test_legend_is_the_scenes_main_map_legend(built):
    want = _scene_legend_items(built.scene)
    assert want, "every story map has a legend"
    assert _legend_items(_legend_markup(built.text)) == want
    # each section follows a layer's toggle: its key is that layer's pane
    panes = {payload["pane"] for payload in _payloads(built.text)}
    assert {v for k, v in want if k == "section"} <= panes


def test_credits_line_is_the_scenes_credits(built):
    caption = _finish(built.text)["caption"]
    line = re.search(r'<p class="fg-credits">(.*?)</p>', caption).group(1)
    text = html.unescape(re.sub(r"<[^>]+>", "", line))
    sources = "Sources: " + "; ".join(c.text() for c in built.scene.credits) + "."
    assert text.startswith(sources + " Map drawn with Leaflet.")
    assert (_finish(built.text)["locator"] is None) == (built.scene.locator is None)


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
    image = _JSON.raw_decode(built.text, found.end())[0]
    from PIL import Image

    png = base64.b64decode(image["url"].split(",", 1)[1])
    picture = Image.open(io.BytesIO(png))
    assert picture.mode == "RGBA"
    pixels = np.asarray(picture)
    rows, cols = pixels.shape[:2]
    (south, west), (north, east) = image["bounds"]
    # pixel centres: columns evenly in longitude, rows evenly in Web Mercator y
    top, bottom = _merc_y(north), _merc_y(south)
    shade = relief_shade((west, south, east, north))
    for i, j in ((rows // 3, cols // 3), (rows // 2, cols // 2), (2 * rows // 3, cols // 4)):
        lon = west + (j + 0.5) / cols * (east - west)
        y = top + (i + 0.5) / rows * (bottom - top)
        lat = math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)
        value, cover = shade.sample(np.array([lon]), np.array([lat]))
        expected = overlay_rgba(value, cover)[0]
        assert np.abs(pixels[i, j].astype(int) - expected.astype(int)).max() <= 1
    assert pixels[..., 3].max() > 0, "the relief shows somewhere"


def _merc_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def test_unknown_layer_is_a_spec_error():
    raw = {"id": "bad", "title": "Bad", "extent": [69, 39, 74, 42], "layers": ["contries"]}
    with pytest.raises(SpecError) as err:
        spec_from_dict(raw, source="bad.toml")
    assert "bad.toml" in str(err.value)
    assert "layers[0].id" in str(err.value)
    assert "countries" in str(err.value)  # the close match


@pytest.mark.parametrize(
    "extent", [[74, 39, 69, 42], [69, 39, 74], [69, -90, 74, 42], "everywhere", [69, 39, 200, 42]]
)
def test_invalid_extent_is_a_spec_error(extent):
    raw = {"id": "bad", "title": "Bad", "extent": extent, "layers": ["countries"]}
    with pytest.raises(SpecError) as err:
        spec_from_dict(raw, source="bad.toml")
    assert "bad.toml" in str(err.value)
    assert "'extent'" in str(err.value)


@pytest.mark.parametrize("bad_id", ["../x", "../../etc/x", "/tmp/fergana-escape"])
def test_write_web_refuses_to_leave_out_dir(tmp_path, bad_id):
    composition = compose(load_spec(SPECS[0]))
    sneaky = dataclasses.replace(composition, spec=dataclasses.replace(composition.spec, id=bad_id))
    out = tmp_path / "out"
    with pytest.raises(SpecError) as err:
        write_web(sneaky, out)
    assert "'id'" in str(err.value)
    assert not any(tmp_path.rglob("*.html"))
    assert not Path("/tmp/fergana-escape.html").exists()


def test_self_contained_check_catches_cdn_links():
    with pytest.raises(WebBuildError):
        check_self_contained('<script src="https://cdn.example/x.js"></script>')
    with pytest.raises(WebBuildError):
        check_self_contained('<link rel="stylesheet" href="//cdn.example/x.css"/>')
    check_self_contained('<script>var u = "https://example.org";</script>')


def test_cdn_mode_links_leaflet():
    page = render_html(web_map(SPECS[0], mode="cdn"))
    assert 'src="https://unpkg.com/leaflet@1.9.4/dist/leaflet.js"' in page
    assert "jquery" not in page.lower()


def test_web_map_accepts_id_path_spec_and_composition():
    spec = load_spec(SPECS[0])
    for source in (spec.id, SPECS[0], str(SPECS[0]), spec):
        assert web_map(source).get_name().startswith("map_")
    with pytest.raises(SpecError):
        web_map("no-such-map")


# --- in Chromium --------------------------------------------------------------------------------


@pytest.mark.browser
def test_page_loads_offline_with_controls(built, visit):
    composition = built.composition
    seen = visit(built.page)
    page = seen.page
    assert seen.network == []
    assert seen.errors == []
    names = page.eval_on_selector_all(
        ".leaflet-control-layers-overlays label", "els => els.map(e => e.textContent.trim())"
    )
    for layer in composition.layers:
        assert layer.title in names
    legend = page.locator(".fg-legend")
    assert legend.is_visible()
    assert legend.bounding_box()["width"] > 0 and legend.bounding_box()["height"] > 0
    shown = {sl.key for sl in built.scene.layers if sl.visible}
    for section in built.scene.legend:
        if section.key in shown and not section.context:
            first = section.heading or section.rows[0].label
            assert " ".join(first.split()) in " ".join(legend.inner_text().split())
    credits = page.locator(".fg-credits")
    assert credits.is_visible() and credits.bounding_box()["height"] > 0
    text = " ".join(credits.inner_text().split())
    assert text.startswith(" ".join(built.scene.credit_line().split()) + ".")
    # label typography: the theme's size for the role, in CSS pixels
    for role, size in page.evaluate(
        "Array.from(document.querySelectorAll('.fg-label span')).slice(0, 40).map(s =>"
        " [Array.from(s.parentNode.classList).find(c => c.startsWith('fg-l-')).slice(5),"
        " parseFloat(getComputedStyle(s).fontSize)])"
    ):
        assert size == pytest.approx(LABEL_ROLES[role].size * WEB_PX_PER_PT, abs=0.05), role
    title = page.locator(".fg-title h1")
    assert title.inner_text() == composition.spec.title
    assert page.locator(".leaflet-control-scale-line").is_visible()
    assert page.locator(".fg-fullscreen").is_visible()
    if page.locator(".fg-locator").count():
        assert page.locator(".fg-locator svg").is_visible()
    low, high, now = page.evaluate("[FG.map.getMinZoom(), FG.map.getMaxZoom(), FG.map.getZoom()]")
    assert composition.spec.zoom[0] <= low <= now <= high == composition.spec.zoom[1]


@pytest.mark.browser
def test_toggling_a_layer_hides_it(built, visit):
    page = visit(built.page).page
    counts = page.evaluate(
        "Object.keys(FG.layers).map(k => [k, document.querySelectorAll("
        "'.leaflet-' + k + '-pane path, .leaflet-' + k + '-pane .fg-sym').length])"
    )
    keyed = {section.key for section in built.scene.legend if not section.context}
    pane, count = next((k, n) for k, n in counts if n > 0 and k in keyed)
    title = next(sl.layer.title for sl in built.scene.layers if sl.key == pane)
    section = page.locator(f'.fg-legend [data-fg-layer="{pane}"]')
    assert section.is_visible()
    page.hover(".leaflet-control-layers")
    box = page.get_by_role("checkbox", name=title, exact=True)
    box.uncheck()
    hidden = page.evaluate(
        f"document.querySelectorAll('.leaflet-{pane}-pane path, .leaflet-{pane}-pane .fg-sym')"
        ".length"
    )
    assert hidden == 0
    assert section.is_hidden()
    box.check()
    assert (
        page.evaluate(
            f"document.querySelectorAll('.leaflet-{pane}-pane path, .leaflet-{pane}-pane .fg-sym')"
            ".length"
        )
        == count
    )
    assert section.is_visible()


@pytest.fixture(scope="module")
def malicious(tmp_path_factory) -> Built:
    spec = load_spec(SPEC_DIR / "fergana-borders.toml")
    composition = compose(spec)
    ids = [layer.id for layer in composition.layers]
    n = ids.index("enclaves")
    enclaves = composition.layers[n]
    frame = enclaves.frame.copy()
    biggest = frame.geometry.to_crs("EPSG:6933").area.sort_values(ascending=False).index
    frame.loc[biggest[0], "name"] = IMG
    frame.loc[biggest[1], "name"] = SCRIPT
    changed = list(composition.layers)
    changed[n] = enclaves.with_frame(frame)
    composition = dataclasses.replace(composition, layers=changed)
    scene = build_scene(composition)
    out = tmp_path_factory.mktemp("malicious")
    return Built(composition, scene, write_web(scene, out))


@pytest.mark.browser
def test_malicious_names_show_as_text(malicious, visit):
    text = malicious.text
    assert IMG not in text and SCRIPT not in text
    assert "<img" not in text and text.count("<script") == text.count("</script>")
    seen = visit(malicious.page)
    page = seen.page
    frame = next(la for la in malicious.composition.layers if la.id == "enclaves").frame
    for name in (IMG, SCRIPT):
        row = frame[frame["name"] == name]
        anchor = geo.geometry.label_points(row).iloc[0]
        page.evaluate(f"FG.map.setView([{anchor.y}, {anchor.x}], 10, {{animate: false}})")
        page.mouse.move(10, 790)
        x, y = page.evaluate(
            "(ll => { const p = FG.map.latLngToContainerPoint(ll);"
            " const r = FG.map.getContainer().getBoundingClientRect();"
            f" return [p.x + r.left, p.y + r.top]; }})([{anchor.y}, {anchor.x}])"
        )
        page.mouse.move(x, y)
        tooltip = page.locator(".leaflet-tooltip.fg-tip").last
        tooltip.wait_for(state="visible")
        assert tooltip.text_content().strip() == name
        assert page.locator(".leaflet-tooltip img, .leaflet-tooltip script").count() == 0
        page.mouse.click(x, y)
        popup = page.locator(".leaflet-popup-content").last
        popup.wait_for(state="visible")
        assert name in popup.text_content()
        assert popup.locator("img, script").count() == 0
        labels = page.eval_on_selector_all(".fg-label span", "els => els.map(e => e.textContent)")
        assert name in labels
    page.wait_for_timeout(200)
    assert seen.dialogs == []
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("img[src='x']").count() == 0
    assert seen.errors == [] and seen.network == []


# --- flows and time -------------------------------------------------------------------------------


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
    assert _shown(page, "fg-test-camps") == 2  # Camp A (latest) and Camp B
    assert _shown(page, "fg-test-flows") == 6
    slider.fill("0")
    assert page.locator(".fg-time output").text_content() == "2010-06-12"
    assert _shown(page, "fg-test-camps") == 1
    assert _shown(page, "fg-test-flows") == 2
    legend = page.locator(".fg-legend").inner_text()
    assert "People" in legend and "100,000" in legend
    assert seen.errors == []


def _decode_layer(payload: dict) -> list[tuple[str, list]]:
    """Every feature's geometry type and lon/lat vertices, decoded with the test's own reader.

    A layer's encoded strings run on from one to the next (the position carries over);
    plain point coordinates do not move it.
    """
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    scale = payload["scale"]
    at = [0, 0]

    def line(text: str) -> list[tuple[float, float]]:
        numbers, result, factor = [], 0, 1
        for char in text:
            digit = alphabet.index(char)
            result += (digit & 31) * factor
            factor *= 32
            if not digit & 32:
                numbers.append(-(result + 1) // 2 if result % 2 else result // 2)
                result, factor = 0, 1
        out = []
        for dx, dy in zip(numbers[::2], numbers[1::2], strict=True):
            at[0] += dx
            at[1] += dy
            out.append((at[0] / scale, at[1] / scale))
        return out

    def walk(value):
        return line(value) if isinstance(value, str) else [walk(v) for v in value]

    decoded = []
    for feature in payload["data"]["features"]:
        g = feature["geometry"]
        if g is None:
            continue
        decoded.append((g["type"], walk(g["e"]) if "e" in g else g.get("coordinates")))
    return decoded


def _pixels(lon: float, lat: float, zoom: int) -> np.ndarray:
    """Web Mercator pixel position of a lon/lat at a zoom (256 px tiles)."""
    world = 256 * 2**zoom
    return np.array([(lon + 180) / 360 * world, (1 - _merc_y(lat) / math.pi) / 2 * world])


def test_arrowheads_have_the_scenes_proportions(tmp_path):
    scene = build_scene(_flow_and_time_composition())
    page = write_web(scene, tmp_path)[0].read_text(encoding="utf-8")
    zoom = int(re.search(r'"zoom": (\d+)', page).group(1))  # the map's opening (reference) zoom
    flows = next(sl for sl in scene.layers if sl.layer.id == "test_flows")
    payload = next(p for p in _payloads(page) if p["pane"] == flows.key)
    features = _decode_layer(payload)
    shafts = [coords for kind, coords in features if kind == "LineString"]
    heads = [coords[0] for kind, coords in features if kind == "Polygon"]
    assert len(shafts) == len(heads) == 3
    for k, shaft, head in zip(flows.draw_order.tolist(), shafts, heads, strict=True):
        corners = [_pixels(*vertex, zoom) for vertex in head]
        end = _pixels(*shaft[-1], zoom)
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


def _shown(page, pane: str) -> int:
    return page.evaluate(f"FG.layers['{pane}'].getLayers().length")


@pytest.mark.browser
def test_optional_tiles_are_off_and_silent(tmp_path, visit):
    page_path = tmp_path / "tiles.html"
    page_path.write_text(render_html(web_map(SPECS[0], tiles="OpenStreetMap.Mapnik")), "utf-8")
    seen = visit(page_path)
    assert seen.network == [] and seen.errors == []
    names = seen.page.eval_on_selector_all(
        ".leaflet-control-layers-overlays label", "els => els.map(e => e.textContent.trim())"
    )
    assert "OpenStreetMap.Mapnik" in names
    assert seen.page.locator(".leaflet-tile").count() == 0


def test_ids_are_random_again_outside_a_build():
    from branca.element import Element

    web_map(SPECS[0])
    assert len(Element()._id) == 32


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
    assert [t for _, t, _ in _page_labels(text)] == [label.text for label in scene.labels]
    assert _legend_items(_legend_markup(text)) == _scene_legend_items(scene)
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
    page.locator(".fg-legend summary").click()
    key = page.locator(f'.fg-legend [data-fg-layer="{stations.key}"]')
    assert key.is_visible()
    assert "Rainfall (mm a year)" in key.inner_text()
    assert "not reported" in key.inner_text()
    box = legend.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert box["y"] >= 0 and box["y"] + box["height"] <= 667
    credits = " ".join(page.locator(".fg-credits").inner_text().split())
    assert "Test stations" in credits
