"""The web renderer: every spec's scene drawn as a self-contained, reproducible page.

Checked outside the browser (the page's payload, legend and credits against the
scene, decoded with the test's own decoder) and in Chromium.
"""

from __future__ import annotations

import dataclasses
import html
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from webpage import Built, decimals_of, decode

import geo.geometry
from layers.theme import (
    DARK,
    FONT_FAMILY,
    HALO,
    LABEL_ROLES,
    MUTED_TEXT,
    SEA,
    TEXT,
    WEB_PX_PER_PT,
)
from maps import SpecError, compose, load_spec, spec_from_dict
from maps.scene import build_scene
from maps.spec import SPEC_DIR
from maps.web import (
    WebBuildError,
    check_self_contained,
    encode_coordinates,
    render_html,
    web_map,
    write_web,
)
from maps.web.assets import RUNTIME_SCRIPTS, STYLESHEETS

SPECS = sorted(SPEC_DIR.glob("*.toml"))
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>window.__pwned=1</script>"


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
    from geo.language import ENGLISH
    from maps.web.words import translate_js

    # the files mark their words _("..."): an English page has the plain English strings
    runtime = translate_js(_package_file("runtime.js"), ENGLISH)
    assert "FG.layer = function" in runtime
    assert '_("' not in runtime
    # runtime.js opens the page's script, and the scripts that build on it follow
    # (theme.js with its dark colours filled in: tests/test_web_dark.py)
    assert f"<script>\n{runtime}\n" in built.text
    assert RUNTIME_SCRIPTS[0] == "runtime.js"
    for name in RUNTIME_SCRIPTS[1:-1]:
        assert translate_js(_package_file(name), ENGLISH) in built.text, name
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
    # the stylesheets follow one another: fergana.css first, then the dark scheme
    assert STYLESHEETS == ("fergana.css", "theme.css")
    assert f"<style>\n{css}\n/*" in built.text
    dark_sea = (
        "[data-fg-theme=dark] body, [data-fg-theme=dark] .leaflet-container "
        f"{{ background: {DARK.sea}; }}"
    )
    assert dark_sea in built.text
    # ...then one rule per label role (test_label_typography_comes_from_the_theme)
    assert built.text.index(dark_sea) < built.text.index(".fg-l-")
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
    assert f'"scale":{10 ** decimals_of(spec)}' in built.text


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


def test_encoding_round_trips():
    coords = np.array([[71.2345, 40.1], [71.2346, 40.0999], [-179.9999, -84.5], [0, 0]])
    text = encode_coordinates(coords, 4)
    assert set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    assert np.allclose(decode(text, 4), coords, rtol=0, atol=1e-9)


def test_readers_may_zoom_the_page(built):
    # folium's template forbids it (maximum-scale=1.0, user-scalable=no): WCAG 1.4.4
    assert built.text.count('<meta name="viewport"') == 1
    assert '<meta name="viewport" content="width=device-width, initial-scale=1.0" />' in built.text
    assert "user-scalable" not in built.text and "maximum-scale" not in built.text
