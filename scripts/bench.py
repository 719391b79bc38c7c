"""Benchmark the build: cold full build, no-op rebuild, one-map rebuild; then the renderers.

Run ``.venv/bin/python scripts/bench.py`` (``--build-only`` skips the renderers).
Each build runs as a fresh ``fergana build`` process; wall time is measured
around it and peak memory is the largest resident set of that process or any of
its workers (``getrusage(RUSAGE_CHILDREN)``, measured in a wrapper process per
step). The no-op rebuild is short and noisy, so it runs several times and the
median counts; one more no-op run under ``python -X importtime`` shows what it
imports. Then the web and static benchmarks (``scripts/bench_web.py``,
``scripts/bench_static.py``) run and everything is written to
``bench/results/bench.json`` and ``bench/results/bench.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geo  # noqa: E402

RESULTS = ROOT / "bench" / "results"
TARGETS = {"cold": 60.0, "noop": 0.3, "peak_mb": 1024.0}
NOOP_RUNS = 7
# What a no-op build must not import (tests/test_build.py checks it too).
HEAVY = ("geopandas", "shapely", "pandas", "pyproj", "matplotlib", "folium")

# Runs one command and prints its wall time and the peak RSS of it and its children.
MEASURE = """
import resource, subprocess, sys, time, json
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
wall = time.perf_counter() - start
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": code, "seconds": wall, "peak_mb": peak_kb / 1024}))
"""


def measured(*args: str) -> dict:
    """Wall time and peak memory of ``fergana ARGS``."""
    command = [sys.executable, "-c", MEASURE, sys.executable, "-m", "scripts.cli", *args]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    record = json.loads(result.stdout)
    if record["code"] != 0:
        raise SystemExit(f"fergana {' '.join(args)} failed with exit code {record['code']}")
    return record


def median_of(runs: int, *args: str) -> dict:
    """The run of ``fergana ARGS`` with the median wall time, with every run's time."""
    records = sorted((measured(*args) for _ in range(runs)), key=lambda r: r["seconds"])
    return {**records[len(records) // 2], "runs": [r["seconds"] for r in records]}


def import_profile(*args: str) -> dict:
    """What ``fergana ARGS`` imports: total import time and the heavy libraries among them.

    The total is the sum of the cumulative times of the top-level imports that
    ``python -X importtime`` reports (nested imports are inside those).
    """
    command = [sys.executable, "-X", "importtime", "-m", "scripts.cli", *args]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    top: dict[str, float] = {}
    imported = set()
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|")
        if not cumulative.strip().isdigit():
            continue  # the header line
        imported.add(name.strip().split(".")[0])
        if not name.startswith("  "):  # a top-level import: its time includes what it imports
            top[name.strip()] = int(cumulative) / 1e6
    slowest = sorted(top.items(), key=lambda item: -item[1])[:5]
    return {
        "seconds": sum(top.values()),
        "heavy": sorted(imported.intersection(HEAVY)),
        "slowest": {name: seconds for name, seconds in slowest},
    }


def build_steps(out: Path) -> dict[str, dict]:
    """The three build timings, in order: cold, no-op (median of several), one map."""
    noop = ("build", "--out", str(out))
    return {
        "cold full build (6 maps, all formats)": measured("build", "--force", "--out", str(out)),
        f"no-op rebuild (median of {NOOP_RUNS})": median_of(NOOP_RUNS, *noop),
        "one-map rebuild (june-2010, all formats)": measured(
            "build", "--only", "june-2010", "--force", "--out", str(out)
        ),
    }


def markdown(results: dict) -> str:
    """The results as a Markdown report."""
    lines = [
        "# fergana benchmarks",
        "",
        f"Machine: {results['machine']}. Targets: cold build < {TARGETS['cold']:g} s, "
        f"no-op < {TARGETS['noop']:g} s, peak memory < {TARGETS['peak_mb']:g} MB.",
        "",
        "## Build",
        "",
        "| step | wall time (s) | peak memory (MB) |",
        "|---|---:|---:|",
    ]
    for step, record in results["build"].items():
        lines.append(f"| {step} | {record['seconds']:.2f} | {record['peak_mb']:.0f} |")
    noop = next((r for r in results["build"].values() if "runs" in r), None)
    imports = results.get("noop_imports")
    if noop and imports:
        slowest = ", ".join(
            f"{name} {seconds * 1000:.0f}" for name, seconds in imports["slowest"].items()
        )
        lines += [
            "",
            "No-op runs (s): " + ", ".join(f"{s:.2f}" for s in noop["runs"]) + ".",
            "",
            "## No-op build imports",
            "",
            f"`python -X importtime -m scripts.cli build` with every map up to date: "
            f"{imports['seconds']:.3f} s of imports in all; slowest top-level imports (ms): "
            f"{slowest}. Heavy libraries imported: {', '.join(imports['heavy']) or 'none'}.",
        ]
    for name in ("web", "static"):
        report = RESULTS / f"{name}.md"
        if report.is_file():
            lines += ["", f"## {name.title()} renderer", "", f"See [{name}.md]({name}.md)."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run every benchmark and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--build-only", action="store_true", help="skip the web and static renderer benchmarks"
    )
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]  # other work on the machine slows every step: say how much
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        build = build_steps(out)
        noop_imports = import_profile("build", "--out", str(out))
    if not args.build_only:
        for script in ("bench_web.py", "bench_static.py"):
            subprocess.run([sys.executable, str(ROOT / "scripts" / script)], cwd=ROOT, check=True)
    results = {
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"load average {load:.1f} at the start"
        ),
        "build": build,
        "noop_imports": noop_imports,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    geo.write_text_atomic(RESULTS / "bench.json", json.dumps(results, indent=2) + "\n")
    geo.write_text_atomic(RESULTS / "bench.md", markdown(results))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
