"""Benchmark the web renderer against ``GeoDataFrame.explore()`` on the same layers.

For every spec in ``maps/specs``: HTML size and build time of fergana's page and
of an explore() map with the same (composed) layers added to one map; the bytes
of geometry in each; and how long fergana's page takes to render in headless
Chromium (navigation start to the end of the load event, and to FG.map ready in
the light and the dark scheme; medians of three).
Results go to ``bench/results/web.json`` and ``bench/results/web.md``.

Run: ``.venv/bin/python scripts/bench_web.py [spec ...]``
"""

from __future__ import annotations

import json
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import folium

import geo
from maps import compose, load_spec
from maps.spec import SPEC_DIR
from maps.web import render_html, web_map
from scripts.chromium import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TARGETS = {"max_html_bytes": 1_500_000, "max_geometry_ratio": 0.2, "max_render_s": 1.0}
RENDER_RUNS = 3


def geometry_bytes(page: str) -> int:
    """Bytes of every ``"geometry":`` value in a page, and of fergana's shared ``"arcs":``."""
    decoder = json.JSONDecoder()
    total = 0
    for match in re.finditer(r'"(?:geometry|arcs)":\s*', page):
        try:
            _, end = decoder.raw_decode(page, match.end())
        except json.JSONDecodeError:
            continue
        total += end - match.end()
    return total


def explore_page(composition) -> str:
    m: folium.Map | None = None
    for layer in composition.layers:
        if layer.frame.empty:
            continue
        m = layer.frame.explore() if m is None else layer.frame.explore(m=m)
    return "" if m is None else m.get_root().render()


# Navigation start to the first frame after FG.finish (FG.map set, panels and labels laid
# out): the map is ready to look at. The page's last inline script calls FG.finish, so it
# has run when DOMContentLoaded fires.
READY_PROBE = """
document.addEventListener("DOMContentLoaded", function () {
  requestAnimationFrame(function () {
    window.__fgReady = window.FG && FG.map ? performance.now() / 1000 : -1;
  });
});
"""


def render_times(pages: dict[str, Path]) -> dict[str, dict[str, float | None]]:
    """Seconds from navigation start, per page: medians of fresh pages.

    ``load_s`` to the end of the load event, ``ready_s`` to FG.map ready (light
    scheme) and ``ready_dark_s`` the same with ``?theme=dark``.
    """
    empty = {"load_s": None, "ready_s": None, "ready_dark_s": None}
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} missing: render times not measured", file=sys.stderr)
        return {spec_id: dict(empty) for spec_id in pages}
    from playwright.sync_api import sync_playwright

    out: dict[str, dict[str, float | None]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for spec_id, path in pages.items():
            runs: dict[str, list[float]] = {"load_s": [], "ready_s": [], "ready_dark_s": []}
            for _ in range(RENDER_RUNS):
                for query, key in (("", "ready_s"), ("?theme=dark", "ready_dark_s")):
                    load, ready = _render_once(browser, path.as_uri() + query)
                    runs[key].append(ready)
                    if not query:
                        runs["load_s"].append(load)
            out[spec_id] = {k: round(statistics.median(v), 3) for k, v in runs.items()}
        browser.close()
    return out


def _render_once(browser, url: str) -> tuple[float, float]:
    """(load, ready) seconds from navigation start of one fresh page."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(("file:", "data:")) else route.abort()
        ),
    )
    page.add_init_script(READY_PROBE)
    page.goto(url, wait_until="load")
    page.wait_for_function("window.__fgReady !== undefined")
    load, ready = page.evaluate(
        "[(() => { const n = performance.getEntriesByType('navigation')[0];"
        " return (n.loadEventEnd - n.startTime) / 1000; })(), window.__fgReady]"
    )
    page.close()
    if ready < 0:
        raise RuntimeError(f"{url}: FG.map was not ready after FG.finish")
    return load, ready


def bench(spec_paths: list[Path]) -> dict:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        pages: dict[str, Path] = {}
        for path in spec_paths:
            spec = load_spec(path)
            start = time.perf_counter()
            composition = compose(spec)
            compose_s = time.perf_counter() - start

            start = time.perf_counter()
            ours = render_html(web_map(composition))
            ours_s = time.perf_counter() - start

            start = time.perf_counter()
            theirs = explore_page(composition)
            explore_s = time.perf_counter() - start

            page_path = Path(tmp) / f"{spec.id}.html"
            page_path.write_text(ours, encoding="utf-8")
            pages[spec.id] = page_path
            ours_bytes, theirs_bytes = len(ours.encode()), len(theirs.encode())
            ours_geo, theirs_geo = geometry_bytes(ours), geometry_bytes(theirs)
            rows.append(
                {
                    "spec": spec.id,
                    "layers": [layer.id for layer in composition.layers],
                    "compose_s": round(compose_s, 3),
                    "build_s": round(ours_s, 3),
                    "explore_build_s": round(explore_s, 3),
                    "html_bytes": ours_bytes,
                    "explore_html_bytes": theirs_bytes,
                    "html_ratio": round(ours_bytes / theirs_bytes, 3) if theirs_bytes else None,
                    "geometry_bytes": ours_geo,
                    "explore_geometry_bytes": theirs_geo,
                    "geometry_ratio": round(ours_geo / theirs_geo, 3) if theirs_geo else None,
                }
            )
            print(f"{spec.id}: built", file=sys.stderr)
        times = render_times(pages)
    for row in rows:
        measured = times.get(row["spec"], {})
        row["render_s"] = measured.get("load_s")
        row["ready_s"] = measured.get("ready_s")
        row["ready_dark_s"] = measured.get("ready_dark_s")
        slowest = [t for t in (row["render_s"], row["ready_dark_s"]) if t is not None]
        row["meets_targets"] = (
            row["html_bytes"] <= TARGETS["max_html_bytes"]
            and (row["geometry_ratio"] or 0) <= TARGETS["max_geometry_ratio"]
            and all(t < TARGETS["max_render_s"] for t in slowest)
        )
    return {
        "targets": TARGETS,
        "machine": {"python": platform.python_version(), "cpus": _cpus()},
        "notes": (
            "Geometry bytes: every '\"geometry\":' value in the page, plus fergana's shared "
            "polygon arcs ('\"arcs\":'). explore() writes the "
            "composed layers' full-resolution GeoJSON; fergana writes geometry simplified to "
            "under a pixel at the spec's deepest zoom, rounded to match, delta-encoded, with "
            "each border between two polygons once. "
            "Render: navigation start to the end of the load event (render s) and to the "
            "first frame after FG.finish, FG.map ready (ready s; ready dark s with "
            "?theme=dark, the dark scheme restyling every layer) in headless Chromium "
            f"1280x800, median of {RENDER_RUNS} fresh pages each; explore() pages load "
            "from CDNs and are not rendered."
        ),
        "maps": rows,
    }


def _cpus() -> int | None:
    import os

    return os.cpu_count()


def markdown(results: dict) -> str:
    lines = [
        "# Web maps: fergana vs GeoDataFrame.explore()",
        "",
        results["notes"],
        "",
        "Targets: HTML ≤ 1.5 MB, geometry ≤ 1/5 of explore()'s, render < 1 s.",
        "",
        "| map | HTML | explore() HTML | geometry | explore() geometry | ratio | build s "
        "| explore() s | render s | ready s | ready dark s | targets |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:-:|",
    ]
    for row in results["maps"]:
        render, ready, dark = (
            "n/a" if row[k] is None else f"{row[k]:.2f}"
            for k in ("render_s", "ready_s", "ready_dark_s")
        )
        lines.append(
            f"| {row['spec']} | {row['html_bytes'] / 1000:,.0f} kB "
            f"| {row['explore_html_bytes'] / 1000:,.0f} kB "
            f"| {row['geometry_bytes'] / 1000:,.1f} kB "
            f"| {row['explore_geometry_bytes'] / 1000:,.1f} kB "
            f"| {row['geometry_ratio']} | {row['build_s']:.2f} | {row['explore_build_s']:.2f} "
            f"| {render} | {ready} | {dark} | {'yes' if row['meets_targets'] else 'NO'} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    names = sys.argv[1:] if argv is None else argv
    paths = (
        [SPEC_DIR / f"{name}.toml" for name in names] if names else sorted(SPEC_DIR.glob("*.toml"))
    )
    results = bench(paths)
    RESULTS.mkdir(parents=True, exist_ok=True)
    geo.write_text_atomic(RESULTS / "web.json", json.dumps(results, indent=2) + "\n")
    geo.write_text_atomic(RESULTS / "web.md", markdown(results))
    print(markdown(results))
    return 0 if all(row["meets_targets"] for row in results["maps"]) else 1


if __name__ == "__main__":
    sys.exit(main())
