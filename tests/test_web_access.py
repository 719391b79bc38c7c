"""Keyboard and screen-reader access of the web maps (maps/web/access.js), in Chromium.

The keyboard walk, popups, data tables and time slider are checked on june-2010; axe-core
(from the PyPI package axe-playwright-python, injected into the test's page only) checks
every story map and a user's maps (tests/project). Expectations come from the scene and
from the page's payload read back with the test's own parser, not from access.js.
"""

from __future__ import annotations

import datetime
import html
import os
from html.parser import HTMLParser
from pathlib import Path

import pytest
from webpage import Built, finish, payloads

from maps import compose, load_spec
from maps.scene import build_scene
from maps.spec import SPEC_DIR
from maps.web import write_web

PROJECT_SPECS = sorted((Path(__file__).parent / "project" / "specs").glob("*.toml"))
BACKDROP_LAYERS = ("countries", "admin1", "rivers", "places")  # on june-2010
BLOCKING = ("serious", "critical")

# What has focus: its kind (a control, a feature in a pane, or something else), name, role.
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const labels = e.labels ? Array.from(e.labels).map(l => l.textContent).join(" ") : "";
  const name = (e.getAttribute("aria-label") || labels || e.textContent || e.title || "").trim();
  const pane = e.closest(".leaflet-map-pane") && e.closest(".leaflet-pane");
  const paneName = pane ? pane.className.match(/leaflet-(\\S+)-pane/)[1] : null;
  let kind = "other";
  if (e.matches(".leaflet-control-zoom-in")) kind = "zoom";
  else if (e.matches("input[type=range]")) kind = "slider";
  else if (e.closest(".fg-legend")) kind = "legend";
  else if (paneName && !e.closest(".leaflet-popup")) kind = "feature";
  return {kind: kind, pane: paneName, name: name, role: e.getAttribute("role") || "",
          tag: e.tagName.toLowerCase()};
}"""


def _require(module: str):
    """Import `module`; fail in CI (FERGANA_REQUIRE_BROWSER=1), skip elsewhere."""
    try:
        return __import__(module, fromlist=["_"])
    except ImportError:
        message = f"{module} is not installed (pip install -e '.[test]')"
        if os.environ.get("FERGANA_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)


def _build(spec_path: Path, out: Path) -> Built:
    composition = compose(load_spec(spec_path))
    scene = build_scene(composition)
    return Built(composition, scene, write_web(scene, out))


@pytest.fixture(scope="module")
def june(tmp_path_factory) -> Built:
    return _build(SPEC_DIR / "june-2010.toml", tmp_path_factory.mktemp("access-june"))


@pytest.fixture(scope="module", params=PROJECT_SPECS, ids=[p.stem for p in PROJECT_SPECS])
def users_map(request, tmp_path_factory) -> Built:
    return _build(request.param, tmp_path_factory.mktemp(f"access-{request.param.stem}"))


def tab_walk(page, limit: int = 300) -> list[dict]:
    """Everything Tab reaches from the top of the page, in order, until it leaves the page."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        if stop is None:
            return stops
        stops.append(stop)
    raise AssertionError(f"Tab did not leave the page after {limit} stops")


class PopupTable(HTMLParser):
    """A popup's caption, field labels and values (``<th>``/``<td>`` text)."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.caption, self.labels, self.values = "", [], []
        self._into: list[str] | None = None
        self._text = ""
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        if tag in ("caption", "th", "td"):
            self._into, self._text = tag, ""

    def handle_endtag(self, tag):
        if tag == self._into:
            text = " ".join(self._text.split())
            if tag == "caption":
                self.caption = text
            else:
                (self.labels if tag == "th" else self.values).append(text)
            self._into = None

    def handle_data(self, data):
        if self._into:
            self._text += data


def long_date(iso: str) -> str:
    day = datetime.date.fromisoformat(iso)
    return f"{day.day} {day.strftime('%B')} {day.year}"


# --- keyboard ------------------------------------------------------------------------------


@pytest.mark.browser
def test_tab_reaches_controls_before_features_and_no_country(june, visit):
    seen = visit(june.page)
    stops = tab_walk(seen.page)
    assert seen.errors == []
    kinds = [s["kind"] for s in stops]
    features = [i for i, k in enumerate(kinds) if k == "feature"]
    assert features, "Tab reaches no feature of the map"
    for control in ("zoom", "slider", "legend"):
        assert control in kinds, f"Tab never reaches the {control}"
        assert kinds.index(control) < features[0], (control, stops[: features[0] + 1])
    # the map itself (named with the title) and the title's buttons come first, then zoom
    assert kinds.index("zoom") <= 1 + len(june.composition.spec.insets), stops[:5]
    keys = {sl.layer.id: sl.key for sl in june.scene.layers}
    backdrop = {keys[i] for i in BACKDROP_LAYERS}
    assert not [s for s in stops if s["pane"] in backdrop], "a backdrop feature is a Tab stop"
    # features come layer by layer, in map order
    panes = [stops[i]["pane"] for i in features]
    runs = [p for n, p in enumerate(panes) if n == 0 or panes[n - 1] != p]
    assert len(runs) == len(set(runs)), runs
    order = [sl.key for sl in june.scene.layers]
    assert runs == sorted(runs, key=order.index)
    for layer_id in ("refugee_flows", "camps", "violence"):
        assert keys[layer_id] in runs, f"no {layer_id} feature is a Tab stop"
    for stop in stops:
        assert stop["name"], f"a Tab stop has no name: {stop}"
    for i in features:
        assert stops[i]["role"] == "button", stops[i]


@pytest.mark.browser
@pytest.mark.parametrize("key", ["Enter", " "])
def test_a_key_opens_a_popup_and_escape_returns_focus(june, visit, key):
    page = visit(june.page).page
    stops = tab_walk(page)
    first = next(i for i, s in enumerate(stops) if s["kind"] == "feature")
    page.keyboard.press("Escape")  # nothing open: nothing happens
    page.locator("body").focus()
    for _ in range(first + 1):
        page.keyboard.press("Tab")
    feature = page.evaluate(FOCUSED)
    assert feature == stops[first]
    page.keyboard.press(key)
    page.wait_for_selector(".leaflet-popup", state="visible")
    popup = page.locator(".leaflet-popup")
    assert popup.count() == 1
    assert page.evaluate("!!document.activeElement.closest('.leaflet-popup')"), "focus stays out"
    assert popup.get_attribute("role") == "dialog"
    assert popup.get_attribute("aria-label") == feature["name"]
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-popup", state="detached")
    assert page.evaluate(FOCUSED) == feature


# Whether the feature named `name` in `pane` has its centre in the map's view.
IN_VIEW = """([pane, name]) => {
  const el = document.querySelector(`.leaflet-${pane}-pane [aria-label="${CSS.escape(name)}"]`);
  const sub = FG.layers[pane].getLayers().find(s => s.getElement && s.getElement() === el);
  return FG.map.getBounds().contains(sub.getLatLng ? sub.getLatLng() : sub.getCenter());
}"""


@pytest.mark.browser
def test_the_map_pans_to_a_focused_feature_out_of_view(june, visit):
    page = visit(june.page).page
    west, south = june.composition.spec.extent[:2]
    zoom = june.composition.spec.zoom[1]
    corner = f"FG.map.setView([{south + 0.05}, {west + 0.05}], {zoom}, {{animate: false}})"
    page.evaluate(corner)
    stops = tab_walk(page)
    last = max(i for i, s in enumerate(stops) if s["kind"] == "feature")
    target = [stops[last]["pane"], stops[last]["name"]]
    page.evaluate(corner)  # the walk has panned to each feature in turn
    assert not page.evaluate(IN_VIEW, target)
    page.locator("body").focus()
    for _ in range(last + 1):
        page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == stops[last]
    page.wait_for_function(IN_VIEW, arg=target)


@pytest.mark.browser
def test_map_is_a_named_region(june, visit):
    page = visit(june.page).page
    box = page.locator(".leaflet-container")
    assert box.get_attribute("role") == "region"
    assert box.get_attribute("aria-label") == june.composition.spec.title


# --- what a screen reader reads -------------------------------------------------------------


@pytest.mark.browser
def test_each_layer_has_a_table_with_the_popups_fields(june, visit):
    page = visit(june.page).page
    tables = page.eval_on_selector_all(
        ".fg-data table",
        """ts => ts.map(t => ({
          caption: t.caption.textContent,
          head: Array.from(t.tHead.rows[0].cells).map(c => c.textContent),
          rows: Array.from(t.tBodies[0].rows).map(r =>
            Array.from(r.cells).map(c => c.textContent.replace(/\\s+/g, " ").trim()))
        }))""",
    )
    assert page.eval_on_selector(".fg-data", "e => getComputedStyle(e).position") == "absolute"
    data_layers = {sl.key for sl in june.scene.layers if not sl.basemap and sl.layer.fields}
    expected = []
    for payload in payloads(june.text):
        if payload["pane"] not in data_layers:
            continue
        popups = [PopupTable(f["properties"]["p"]) for f in payload["data"]["features"]]
        rows = []
        for popup in popups:
            if not rows or rows[-1] != popup.values:  # a flow's head repeats its line
                rows.append(popup.values)
        expected.append({"caption": popups[0].caption, "head": popups[0].labels, "rows": rows})
    assert [t["caption"] for t in tables] == [e["caption"] for e in expected]
    assert tables == expected
    captions = {t["caption"] for t in tables}
    for sl in june.scene.layers:
        if sl.layer.id in BACKDROP_LAYERS:
            assert sl.layer.title not in captions


@pytest.mark.browser
def test_slider_value_text_gives_date_and_totals(june, visit):
    page = visit(june.page).page
    cfg = finish(june.text)
    dates = sorted(
        {
            f["properties"]["d"]
            for p in payloads(june.text)
            for f in p["data"]["features"]
            if "d" in f["properties"]
        }
        | {point["d"] for s in cfg["series"] for point in s["points"]}
    )
    slider = page.locator(".fg-time input[type=range]")
    texts = {}
    for key, day in (("End", dates[-1]), ("Home", dates[0])):
        slider.focus()
        page.keyboard.press(key)
        text = slider.get_attribute("aria-valuetext")
        assert text.startswith(long_date(day)), (key, text)
        for series in cfg["series"]:
            points = [p for p in series["points"] if p["d"] <= day]
            total = html.unescape(points[-1]["t"]) if points else "none in the sources yet"
            assert f"{html.unescape(series['title'])}: {total}" in text, (day, text)
        texts[key] = text
    assert texts["Home"] != texts["End"]


# --- axe-core -----------------------------------------------------------------------------------


def axe_blocking(page) -> list[str]:
    """axe-core's serious and critical violations on the open page, one line per rule."""
    axe = _require("axe_playwright_python.sync_playwright").Axe()
    results = axe.run(page)
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.mark.browser
def test_axe_finds_no_serious_violations_on_story_maps(built, visit):
    seen = visit(built.page)
    assert axe_blocking(seen.page) == []
    assert "axe.run" not in built.text and "axe-core" not in built.text


@pytest.mark.browser
def test_axe_finds_no_serious_violations_on_a_users_map(users_map, visit):
    seen = visit(users_map.page)
    assert seen.errors == []
    kinds = [stop["kind"] for stop in tab_walk(seen.page)]
    assert "feature" in kinds and kinds.index("zoom") < kinds.index("feature"), kinds
    assert axe_blocking(seen.page) == []


@pytest.mark.browser
def test_axe_check_can_fail(june, visit):
    page = visit(june.page).page
    page.evaluate(
        "const path = document.querySelector('path.leaflet-interactive');"
        "path.setAttribute('role', 'button'); path.setAttribute('aria-label', '');"
        "document.querySelector('.fg-data table').insertAdjacentHTML('afterend',"
        " '<img src=\"data:,\">')"
    )
    found = axe_blocking(page)
    assert any("aria-command-name" in line for line in found), found
    assert any("image-alt" in line for line in found), found
