"""Shared fixtures: one build of every story map and one headless Chromium per test session."""

from __future__ import annotations

import json
import os
import signal
from dataclasses import dataclass
from pathlib import Path

import pytest
from webpage import Built, Visit

from maps import compose, load_spec
from maps.build import MANIFEST, build, spec_paths
from maps.scene import build_scene
from maps.spec import SPEC_DIR
from maps.web import write_web
from scripts.chromium import CHROMIUM, CHROMIUM_ARGS

# A shell's background job starts with SIGINT ignored, and the processes it starts inherit
# that: the tests that interrupt a build (Ctrl-C) need SIGINT's usual action in them.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

SPECS = sorted(SPEC_DIR.glob("*.toml"))


@dataclass(frozen=True)
class BuiltMaps:
    """Every story map built once, in every format: the folder and its manifest.

    Shared by the whole session: read it, or copy the folder before changing anything.
    """

    out: Path
    manifest: dict


@pytest.fixture(scope="session")
def built_maps(tmp_path_factory) -> BuiltMaps:
    """``fergana build`` of every story map, all formats, into a session tmp folder."""
    out = tmp_path_factory.mktemp("built-maps")
    report = build(spec_paths(), out, jobs=2)
    assert report.ok, [r.error for r in report.results if r.error]
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    return BuiltMaps(out, manifest)


def _unavailable(message: str) -> None:
    """Fail in CI (FERGANA_REQUIRE_BROWSER=1), skip elsewhere."""
    if os.environ.get("FERGANA_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium from Debian's package, driven by Playwright (never downloaded)."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing: sudo apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session", params=SPECS, ids=[p.stem for p in SPECS])
def built(request, tmp_path_factory) -> Built:
    """One story map's web outputs, built once per session."""
    composition = compose(load_spec(request.param))
    scene = build_scene(composition)
    out = tmp_path_factory.mktemp(request.param.stem)
    return Built(composition, scene, write_web(scene, out))


@pytest.fixture
def visit(browser):
    opened: list[Visit] = []

    def open_page(path: Path, **kwargs) -> Visit:
        opened.append(Visit(browser, path, **kwargs))
        return opened[-1]

    yield open_page
    for page in opened:
        page.close()
