"""The story maps' layout at four screen sizes: controls apart, inside the screen, text shown.

Every story map is built once (``fergana build --format html``) and opened in one
Chromium page per screen size. Screenshots of every map at every size are saved
in a pytest temporary folder (printed at the start, never committed).
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from webpage import Box, control_boxes

from maps.build import build, spec_paths
from maps.compose import CLIP_MARGIN
from maps.spec import SPEC_DIR, load_spec

SIZES = [(1280, 800), (1024, 768), (768, 1024), (375, 667)]
PHONE = 600  # below this width the page has its phone layout
#: The single story maps, and two pages of the enclaves atlas (a polygon and a point).
IDS = [p.stem for p in spec_paths() if load_spec(p).atlas is None] + [
    "enclaves/sokh",
    "enclaves/western-qalacha",
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def story_pages(tmp_path_factory) -> dict[str, Path]:
    """Every story map's page, built once for the module."""
    out = tmp_path_factory.mktemp("layout-maps")
    report = build(spec_paths(), out, formats=("html",), jobs=2)
    assert report.ok, [r.error for r in report.results if r.error]
    return {map_id: out / f"{map_id}.html" for map_id in IDS}


@pytest.fixture(scope="module")
def shots(tmp_path_factory, request) -> Path:
    """The folder of the screenshots (a pytest temporary folder), printed once."""
    folder = tmp_path_factory.mktemp("layout-screenshots")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\nlayout screenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def tabs(browser):
    """One page per screen size, opened on demand; network requests are refused."""
    opened = {}

    def tab(size: tuple[int, int]):
        if size not in opened:
            page = browser.new_page(viewport={"width": size[0], "height": size[1]})
            page.errors = []
            page.on("pageerror", lambda e, page=page: page.errors.append(str(e)))
            page.route("**/*", _offline)
            opened[size] = page
        return opened[size]

    yield tab
    for page in opened.values():
        page.close()


def _offline(route) -> None:
    if route.request.url.startswith(("file:", "data:")):
        route.continue_()
    else:
        route.abort()


def open_map(tab, path: Path):
    """The map's page, loaded in the tab and drawn (its view fitted)."""
    tab.errors.clear()
    tab.goto(path.resolve().as_uri(), wait_until="load")
    tab.wait_for_function("window.FG && FG.map !== null && FG.fitted")
    assert tab.errors == []
    return tab


def overlapping(boxes: dict[str, Box]) -> list[tuple[str, str]]:
    """The pairs of shown controls whose boxes intersect."""
    shown = [box for box in boxes.values() if box.shown]
    return [(a.name, b.name) for a, b in itertools.combinations(shown, 2) if a.overlaps(b)]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("map_id", IDS)
def test_controls_apart_and_extent_in_view(map_id, size, story_pages, tabs, shots):
    width, height = size
    page = open_map(tabs(size), story_pages[map_id])
    shot = shots / f"{map_id.replace('/', '--')}-{width}x{height}.png"
    page.screenshot(path=str(shot), full_page=True)
    boxes = control_boxes(page)
    assert {"title", "legend", "caption", "layers", "zoom", "fullscreen"} <= set(boxes)
    assert overlapping(boxes) == []
    page_width, page_height = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert page_width <= width, "the page scrolls sideways"
    for box in boxes.values():
        if not box.shown:
            assert box.name == "locator" and width < PHONE, f"{box.name} is hidden"
            continue
        if box.name == "caption" and width < PHONE:
            # below the map, in the page's flow: inside the page and below the map
            map_bottom = page.evaluate("FG.map.getContainer().getBoundingClientRect().bottom")
            assert box.top >= map_bottom - 0.5
            assert box.inside(width, page_height), box
        else:
            assert box.inside(width, height), box
        assert not box.clipped, f"{box.name} is cut off"
    # the caption and its sources are shown at every size
    for selector in (".fg-caption .fg-cap", ".fg-caption .fg-credits"):
        element = page.locator(selector)
        if element.count():
            assert element.is_visible(), selector
            found = element.bounding_box()
            assert found["width"] > 0 and found["height"] > 0
    assert page.locator(".fg-credits").inner_text().startswith("Sources:")
    # the spec's whole extent is in view and, on a phone, fills the screen's width
    inside, span = page.evaluate(
        "[FG.map.getBounds().pad(0.001).contains(FG.extent),"
        " (FG.map.getBounds().getEast() - FG.map.getBounds().getWest())"
        " / (FG.extent.getEast() - FG.extent.getWest())]"
    )
    assert inside, "part of the extent is out of view"
    if width < PHONE:
        assert span < 1.2, f"the view is {span:.2f} times as wide as the extent"
        assert blank_bands(page, map_id, boxes) == []


def extent_of(map_id: str) -> tuple[float, float, float, float]:
    """The extent of a story map, or of an atlas page (``SPEC-ID/SLUG``)."""
    spec_id, _, slug = map_id.partition("/")
    spec = load_spec(SPEC_DIR / f"{spec_id}.toml")
    if not slug:
        return spec.extent
    from maps.atlas import atlas_pages

    return next(page.extent for page in atlas_pages(spec) if page.slug == slug)


def blank_bands(page, map_id: str, boxes: dict[str, Box]) -> list[str]:
    """Bands of blank sea above or below the data around the extent that no panel covers.

    The data reach :data:`CLIP_MARGIN` of the extent's size beyond it; above them only
    the title may take room, below them only the panels along the map's bottom.
    """
    west, south, _east, north = extent_of(map_id)
    margin = (north - south) * CLIP_MARGIN
    top, bottom, (map_top, map_bottom) = page.evaluate(
        "([north, south, west]) => [FG.map.latLngToContainerPoint([north, west]).y,"
        " FG.map.latLngToContainerPoint([south, west]).y,"
        " (r => [r.top + scrollY, r.bottom + scrollY])("
        "FG.map.getContainer().getBoundingClientRect())]",
        [min(85, north + margin), max(-85, south - margin), west],
    )
    height = map_bottom - map_top
    lowest = [b.top for b in boxes.values() if b.shown and b.bottom > map_bottom - 20]
    room_above = boxes["title"].bottom - map_top + 10
    room_below = map_bottom - min(lowest, default=map_bottom) + 10
    bands = []
    if top > room_above:
        bands.append(f"{top:.0f} px of blank sea above the map's data")
    if height - bottom > room_below:
        bands.append(f"{height - bottom:.0f} px of blank sea below the map's data")
    return bands


@pytest.mark.parametrize("map_id", IDS)
def test_phone_legend_is_a_sheet(map_id, story_pages, tabs):
    width, height = 375, 667
    page = open_map(tabs((width, height)), story_pages[map_id])
    button = page.locator(".fg-legend button.fg-legend-toggle")
    assert button.count() == 1
    assert button.get_attribute("aria-expanded") == "false"
    sheet = page.locator(".fg-legend .fg-legend-body")
    assert not sheet.is_visible()
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    assert sheet.is_visible()
    box = page.locator(".fg-legend").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert box["y"] >= 0 and box["y"] + box["height"] <= height
    assert re.search(r"\S", sheet.inner_text())
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false"
    assert not sheet.is_visible()
    button.click()
    button.click()
    assert not sheet.is_visible()


#: Whether the map shows its extent, to within half a pixel on every side.
EXTENT_IN_VIEW = """(() => {
  const map = FG.map, size = map.getSize();
  const nw = map.latLngToContainerPoint(FG.extent.getNorthWest());
  const se = map.latLngToContainerPoint(FG.extent.getSouthEast());
  return nw.x >= -0.5 && nw.y >= -0.5 && se.x <= size.x + 0.5 && se.y <= size.y + 0.5;
})()"""


def test_turning_into_a_phone_and_back(story_pages, browser):
    """Crossing the breakpoint moves the caption and time slider and folds the legend."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.route("**/*", _offline)
    try:
        page.goto(story_pages["june-2010"].resolve().as_uri(), wait_until="load")
        page.wait_for_function("window.FG && FG.fitted")
        in_map = "!!document.querySelector('.leaflet-container .fg-caption')"
        toggle = page.locator(".fg-legend-toggle")
        assert page.evaluate(in_map) and toggle.get_attribute("aria-expanded") == "true"
        page.set_viewport_size({"width": 375, "height": 667})
        page.wait_for_function("document.querySelector('.fg-caption.fg-below')")
        assert not page.evaluate(in_map)
        assert toggle.get_attribute("aria-expanded") == "false"
        assert page.evaluate("!!document.querySelector('.leaflet-bottom.leaflet-left .fg-time')")
        assert overlapping(control_boxes(page)) == []
        page.set_viewport_size({"width": 1280, "height": 800})
        page.wait_for_function("!document.querySelector('.fg-caption.fg-below')")
        assert page.evaluate(in_map) and toggle.get_attribute("aria-expanded") == "true"
        assert page.evaluate("!!document.querySelector('.leaflet-top.leaflet-right .fg-time')")
        boxes = control_boxes(page)
        assert overlapping(boxes) == []
        assert all(box.inside(1280, 800) for box in boxes.values() if box.shown)
        # the whole extent is in view again, to the pixel (a fractional zoom's fit may
        # leave a tenth of a pixel of it outside)
        assert page.evaluate(EXTENT_IN_VIEW)
    finally:
        page.close()
