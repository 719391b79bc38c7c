"""Helpers for the web tests: a built page, a page opened in Chromium, the coordinate decoder.

The decoder is written from the format's description (base-64 digits of zig-zag varints of
coordinate deltas), not from the encoder, so the tests read pages independently.
"""

from __future__ import annotations

import dataclasses
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


def decimals_of(spec) -> int:
    lat = min(max(abs(spec.extent[1]), abs(spec.extent[3])), 85)
    tolerance = geo.geometry.tolerance_for_zoom(spec.zoom[1], lat)
    return geo.geometry.decimals_for_tolerance(tolerance / 2, lat)


def decode(text: str, decimals: int) -> list[list[float]]:
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


def shown(page, pane: str) -> int:
    """How many Leaflet layers the pane's group shows now."""
    return page.evaluate(f"FG.layers['{pane}'].getLayers().length")
