"""Helpers for the web tests: a built page, a page opened in Chromium, the coordinate decoder.

The decoder is written from the format's description (base-64 digits of zig-zag varints of
coordinate deltas), not from the encoder, so the tests read pages independently.
"""

from __future__ import annotations

import dataclasses
import html
import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np

import geo.geometry
from maps import Composition
from maps.scene import Scene


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
        # The opening fit sets the view a few frames after the map exists: a click
        # aimed before it lands where the element was (a CI run clicked the map, not
        # the marker). Tests start from the fitted view.
        self.page.wait_for_function("window.FG && FG.map !== null && FG.fitted")

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


def decimals_of(spec) -> int:
    lat = min(max(abs(spec.extent[1]), abs(spec.extent[3])), 85)
    tolerance = geo.geometry.tolerance_for_zoom(spec.zoom[1], lat)
    return geo.geometry.decimals_for_tolerance(tolerance / 2, lat)


ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def varints(text: str) -> list[int]:
    """Signed integers of an encoded string: 5-bit digits, low first, zig-zag signs."""
    values, result, factor = [], 0, 1
    for char in text:
        digit = ALPHABET.index(char)
        result += (digit & 31) * factor
        factor *= 32
        if not digit & 32:
            values.append(-(result + 1) // 2 if result % 2 else result // 2)
            result, factor = 0, 1
    return values


def decode(text: str, decimals: int) -> list[list[float]]:
    """Coordinates of one encoded string (deltas from the origin)."""
    ints = np.cumsum(np.array(varints(text)).reshape(-1, 2), axis=0)
    return (ints / 10**decimals).tolist()


def shown(page, pane: str) -> int:
    """How many Leaflet layers the pane's group shows now."""
    return page.evaluate(f"FG.layers['{pane}'].getLayers().length")


# --- reading a page back: payloads, legend, labels, geometry -------------------------------

_JSON = json.JSONDecoder()


def payloads(page: str) -> list[dict]:
    """The argument of every ``FG.layer`` call, in page order."""
    return [_JSON.raw_decode(page, m.end())[0] for m in re.finditer(r"FG\.layer\(\w+, \w+, ", page)]


def finish(page: str) -> dict:
    match = re.search(r"FG\.finish\(\w+, ", page)
    assert match, "no FG.finish call in the page"
    return _JSON.raw_decode(page, match.end())[0]


def legend_markup(page: str) -> str:
    match = re.search(r'div\.innerHTML = (?=")', page)
    assert match, "no legend control in the page"
    return _JSON.raw_decode(page, match.end())[0]


def legend_items(markup: str) -> list[tuple[str, str]]:
    """Sections (by layer key), headings, row labels, key titles and key labels, in order."""
    parser = LegendParser()
    parser.feed(markup)
    return parser.items


class LegendParser(HTMLParser):
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
        elif tag == "h2":
            self.capture, self.text = "heading", ""
        elif tag == "p" and attrs.get("class") == "fg-key-title":
            self.capture, self.text = "key-title", ""
        elif tag == "span" and self.lists:
            self.capture, self.text = self.lists[-1], ""

    def handle_endtag(self, tag):
        if tag == "ul":
            self.lists.pop()
        if self.capture and tag in ("h2", "p", "span"):
            self.items.append((self.capture, self.text))
            self.capture = None

    def handle_data(self, data):
        if self.capture:
            self.text += data


def page_labels(page: str) -> list[tuple[int, str, str]]:
    """(rank, text, role) of every label in the page's payloads, by rank."""
    found = [
        (f["properties"]["r"], html.unescape(f["properties"]["n"]), f["properties"]["l"])
        for payload in payloads(page)
        for f in payload["data"]["features"]
        if "n" in f["properties"]
    ]
    return sorted(found)


def merc_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


# --- flows and time -------------------------------------------------------------------------------


def decode_layer(payload: dict) -> list[tuple[str, list]]:
    """Every feature's geometry type and lon/lat vertices, decoded with the test's own reader.

    A layer's encoded strings run on from one to the next (the position carries over);
    plain point coordinates do not move it.
    """
    scale = payload["scale"]
    at = [0, 0]

    def line(text: str) -> list[tuple[float, float]]:
        numbers = varints(text)
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


def pixels(lon: float, lat: float, zoom: int) -> np.ndarray:
    """Web Mercator pixel position of a lon/lat at a zoom (256 px tiles)."""
    world = 256 * 2**zoom
    return np.array([(lon + 180) / 360 * world, (1 - merc_y(lat) / math.pi) / 2 * world])


# --- layout: the boxes of a page's controls -----------------------------------------------------

#: The page's controls, by name: what the layout tests measure (the legend is its button
#: while its sheet is closed on a phone; the caption is below the map on a phone).
CONTROLS = {
    "title": ".fg-title",
    "legend": ".fg-legend",
    "time": ".fg-time",
    "caption": ".fg-caption",
    "locator": ".fg-locator",
    "layers": ".leaflet-control-layers",
    "zoom": ".leaflet-control-zoom",
    "fullscreen": ".fg-fullscreen",
    "scale": ".leaflet-control-scale",
}

_BOXES = """controls => {
  const out = {};
  for (const [name, selector] of Object.entries(controls)) {
    const el = document.querySelector(selector);
    if (!el) continue;
    const style = getComputedStyle(el), r = el.getBoundingClientRect();
    out[name] = {
      left: r.left + scrollX, top: r.top + scrollY, right: r.right + scrollX,
      bottom: r.bottom + scrollY, shown: style.display !== "none" &&
        style.visibility !== "hidden" && r.width > 0 && r.height > 0,
      clipped: el.scrollHeight > el.clientHeight + 1 && style.overflowY === "visible"
    };
  }
  return out;
}"""


@dataclasses.dataclass(frozen=True)
class Box:
    """A control's box in page pixels (top-left of the document), and whether it shows."""

    name: str
    left: float
    top: float
    right: float
    bottom: float
    shown: bool
    clipped: bool

    def overlaps(self, other: Box) -> bool:
        """Whether the two boxes share any area (touching edges do not count)."""
        return (
            self.left < other.right
            and other.left < self.right
            and self.top < other.bottom
            and other.top < self.bottom
        )

    def inside(self, width: float, height: float) -> bool:
        """Whether the box lies within ``(0, 0, width, height)`` (half a pixel of rounding)."""
        return (
            self.left >= -0.5
            and self.top >= -0.5
            and self.right <= width + 0.5
            and self.bottom <= height + 0.5
        )


def control_boxes(page) -> dict[str, Box]:
    """Every control of :data:`CONTROLS` that the page has, measured in Chromium."""
    raw = page.evaluate(_BOXES, CONTROLS)
    return {name: Box(name, **values) for name, values in raw.items()}
