"""Benchmark builds that scale out: the process pool against a Dask cluster, and pages.

In one run, on made-up pages (a grid of 5 km squares in the Fergana Valley named
"Cell 01", "Cell 02", …, FICTIONAL), measure:

(a) 60 atlas pages built with ``jobs=2`` (the process pool) against the same pages
    through a 2-worker ``distributed.LocalCluster`` on 127.0.0.1 (one thread per
    worker): seconds of each and their ratio;
(b) the atlas at 15, 30 and 60 pages with ``jobs=2``: seconds per page, which stays
    flat when the build scales linearly with pages.

Each build starts from an empty output folder; a warm-up build of 2 pages each way
first (not counted) loads the libraries in the driver and the cluster's workers.
The cluster's start-up is reported apart. The atlas is one spec with an ``[atlas]``
table (pages from ``pages.geojson``, ``by = "name"``); ``--plain`` builds one
ordinary spec per cell instead (the same maps without the atlas machinery: a smoke
test of the scale-out path that needs no atlas). Results go to
``bench/results/scaleout.md``::

    .venv/bin/python -m scripts.bench_scaleout            # the atlas, html and png
    .venv/bin/python -m scripts.bench_scaleout --plain --formats html
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

#: The grid: cells per row, from its south-west corner, in degrees.
COLUMNS = 10
WEST, SOUTH = 71.20, 40.50
CELL_LON, CELL_LAT = 0.059, 0.045  # about 5 km at 40.7 N
PAGE_COUNTS = (15, 30, 60)

HEADER = """\
title = "{title}"
caption = "FICTIONAL cells of a made-up grid, for fergana's scale-out benchmark."
extent = [{west:.3f}, {south:.3f}, {east:.3f}, {north:.3f}]
relief = false

[[layers]]
id = "countries"

[[layers]]
id = "areas"
data = "grid.geojson"
label = "name"
title = "Cells (fictional)"
credit = "Made up for the benchmark"
"""
ATLAS = """
[atlas]
data = "pages.geojson"
by = "name"
title = "{name}"
caption = "FICTIONAL: {name} of a made-up grid of 5 km squares."
"""


def cells(count: int) -> list[tuple[str, tuple[float, float, float, float]]]:
    """The first `count` cells of the grid: (name, (west, south, east, north))."""
    found = []
    for n in range(count):
        row, column = divmod(n, COLUMNS)
        west, south = WEST + column * CELL_LON, SOUTH + row * CELL_LAT
        found.append((f"Cell {n + 1:02d}", (west, south, west + CELL_LON, south + CELL_LAT)))
    return found


def write_cells(path: Path, count: int) -> None:
    """The first `count` cells as a GeoJSON file of polygons named by ``name``."""
    features = [
        {
            "type": "Feature",
            "properties": {"name": name},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[(w, s), (e, s), (e, n), (w, n), (w, s)]],
            },
        }
        for name, (w, s, e, n) in cells(count)
    ]
    geojson = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(geojson), encoding="utf-8")


def write_project(folder: Path, count: int, plain: bool) -> list[Path]:
    """Specs for `count` pages in `folder`: one atlas spec, or one spec per cell.

    Every page draws the same layer, the whole grid (``grid.geojson``, the largest
    page count), so that a page costs the same however many pages there are; the
    pages are the first `count` cells (``pages.geojson``).
    """
    folder.mkdir(parents=True)
    pages = cells(count)
    write_cells(folder / "pages.geojson", count)
    write_cells(folder / "grid.geojson", max(count, *PAGE_COUNTS))
    if not plain:
        west, south = pages[0][1][:2]
        east = max(b[2] for _, b in pages)
        north = max(b[3] for _, b in pages)
        text = HEADER.format(title="Cells", west=west, south=south, east=east, north=north)
        spec = folder / "cells.toml"
        spec.write_text(f'id = "cells"\n{text}{ATLAS}', encoding="utf-8")
        return [spec]
    specs = []
    for name, (w, s, e, n) in pages:
        map_id = name.lower().replace(" ", "-")
        margin_lon, margin_lat = CELL_LON, CELL_LAT  # one cell of room on each side
        text = HEADER.format(
            title=name, west=w - margin_lon, south=s - margin_lat, east=e + margin_lon,
            north=n + margin_lat,
        )  # fmt: skip
        spec = folder / f"{map_id}.toml"
        spec.write_text(f'id = "{map_id}"\n{text}', encoding="utf-8")
        specs.append(spec)
    return specs


def timed_build(specs: list[Path], out: Path, formats, **how) -> float:
    """Seconds of one build of `specs` into the empty folder `out`; every page must build."""
    from maps.build import build

    start = time.perf_counter()
    report = build(specs, out, formats=formats, force=True, **how)
    seconds = time.perf_counter() - start
    failed = [f"{r.id}: {r.error}" for r in report.failed]
    if failed:
        raise SystemExit("benchmark build failed:\n" + "\n".join(failed))
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plain", action="store_true", help="one ordinary spec per cell")
    parser.add_argument("--formats", default="html,png", help="formats (default: html,png)")
    parser.add_argument("--pages", type=int, default=60, help="pages of part (a) (default 60)")
    parser.add_argument(
        "--counts", default=",".join(map(str, PAGE_COUNTS)), help="pages of part (b)"
    )
    args = parser.parse_args()
    args.counts = [int(n) for n in args.counts.split(",")]
    formats = tuple(args.formats.split(","))
    from distributed import LocalCluster

    work = Path(tempfile.mkdtemp(prefix="fergana-bench-scaleout-"))
    load_before = os.getloadavg()[0]
    rows: dict[str, float] = {}
    try:
        start = time.perf_counter()
        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",  # its HTTP port: any free one (two clusters may be up)
        )
        cluster_start = time.perf_counter() - start
        with cluster:
            dask = {"scheduler": cluster.scheduler_address}
            pool = {"jobs": 2}
            warm = write_project(work / "warm", 2, args.plain)
            timed_build(warm, work / "warm-pool", formats, **pool)
            timed_build(warm, work / "warm-dask", formats, **dask)
            specs = write_project(work / "a", args.pages, args.plain)
            rows["pool"] = timed_build(specs, work / "a-pool", formats, **pool)
            rows["dask"] = timed_build(specs, work / "a-dask", formats, **dask)
        for count in args.counts:
            specs = write_project(work / f"b{count}", count, args.plain)
            rows[f"pages-{count}"] = timed_build(specs, work / f"b{count}-out", formats, **pool)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load = (load_before, os.getloadavg()[0])
    write_results(rows, args, formats, cluster_start, load)


def line_fit(xs: list[int], ys: list[float]) -> tuple[float, float]:
    """Intercept and slope of the least-squares line through (xs, ys)."""
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )
    return mean_y - slope * mean_x, slope


def write_results(
    rows: dict[str, float], args, formats, cluster_start: float, load: tuple[float, float]
) -> None:
    kind = "ordinary specs, one per cell (--plain)" if args.plain else "one atlas spec"
    pool, dask = rows["pool"], rows["dask"]
    lines = [
        "# Scale-out: the process pool and a Dask cluster",
        "",
        "`python -m scripts.bench_scaleout"
        + (" --plain" if args.plain else "")
        + (f" --pages {args.pages}" if args.pages != 60 else "")
        + (f" --counts {','.join(map(str, args.counts))}" if args.counts != [*PAGE_COUNTS] else "")
        + f" --formats {','.join(formats)}`: made-up pages (5 km squares in the Fergana "
        f"Valley, FICTIONAL) as {kind}; formats {', '.join(formats)}; each build from an "
        f"empty folder after a warm-up. Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load average before and after the run "
        f"{load[0]:.1f} and {load[1]:.1f} (other jobs shared the machine when above the "
        "cores).",
        "",
        f"## (a) {args.pages} pages: `--jobs 2` against a 2-worker LocalCluster",
        "",
        "| how | seconds | per page |",
        "| --- | ---: | ---: |",
        f"| process pool, `--jobs 2` | {pool:.1f} | {pool / args.pages:.2f} |",
        f"| Dask LocalCluster, 2 workers x 1 thread | {dask:.1f} | {dask / args.pages:.2f} |",
        "",
        f"Ratio Dask / pool: **{dask / pool:.2f}**. The cluster's start-up "
        f"({cluster_start:.1f} s) is not counted.",
        "",
        "## (b) pages against time, `--jobs 2`",
        "",
        "| pages | seconds | per page |",
        "| ---: | ---: | ---: |",
    ]
    for count in args.counts:
        seconds = rows[f"pages-{count}"]
        lines.append(f"| {count} | {seconds:.1f} | {seconds / count:.2f} |")
    counts = args.counts
    if len(counts) >= 2:
        fixed, per_page = line_fit(counts, [rows[f"pages-{n}"] for n in counts])
        lines += [
            "",
            f"Least-squares line: seconds = {fixed:.1f} + {per_page:.3f} x pages. Linear "
            "scaling is a flat time per page; the fixed part is mostly the pool's start (its "
            "worker processes are new in each build and import the libraries, where a "
            "cluster's workers stay warm between builds).",
        ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / "scaleout.md"
    partial = target.with_suffix(".md.partial")
    partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
    partial.replace(target)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
