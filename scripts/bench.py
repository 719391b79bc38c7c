"""Benchmark the build: cold full build, no-op rebuild, one-map rebuild; then the renderers.

Run ``.venv/bin/python scripts/bench.py``. Each build runs as a fresh
``fergana build`` process; wall time is measured around it and peak memory is
the largest resident set of that process or any of its workers
(``getrusage(RUSAGE_CHILDREN)``, measured in a wrapper process per step).
Then the web and static benchmarks (``scripts/bench_web.py``,
``scripts/bench_static.py``) run and everything is written to
``bench/results/bench.json`` and ``bench/results/bench.md``.
"""

from __future__ import annotations

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
TARGETS = {"cold": 60.0, "noop": 1.0, "peak_mb": 1024.0}

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


def build_steps(out: Path) -> dict[str, dict]:
    """The three build timings, in order: cold, no-op, one map."""
    return {
        "cold full build (6 maps, all formats)": measured("build", "--force", "--out", str(out)),
        "no-op rebuild": measured("build", "--out", str(out)),
        "one-map rebuild (june-2010, all formats)": measured(
            "build", "--only", "june-2010", "--force", "--out", str(out)
        ),
    }


def markdown(results: dict) -> str:
    """The results as a Markdown report."""
    lines = [
        "# fergana benchmarks",
        "",
        f"Machine: {results['machine']}. Targets: cold build < {TARGETS['cold']:.0f} s, "
        f"no-op < {TARGETS['noop']:.0f} s, peak memory < {TARGETS['peak_mb']:.0f} MB.",
        "",
        "## Build",
        "",
        "| step | wall time (s) | peak memory (MB) |",
        "|---|---:|---:|",
    ]
    for step, record in results["build"].items():
        lines.append(f"| {step} | {record['seconds']:.2f} | {record['peak_mb']:.0f} |")
    for name in ("web", "static"):
        report = RESULTS / f"{name}.md"
        if report.is_file():
            lines += ["", f"## {name.title()} renderer", "", f"See [{name}.md]({name}.md)."]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Run every benchmark and write the results."""
    with tempfile.TemporaryDirectory() as tmp:
        build = build_steps(Path(tmp) / "out")
    for script in ("bench_web.py", "bench_static.py"):
        subprocess.run([sys.executable, str(ROOT / "scripts" / script)], cwd=ROOT, check=True)
    results = {
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
        "build": build,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    geo.write_text_atomic(RESULTS / "bench.json", json.dumps(results, indent=2) + "\n")
    geo.write_text_atomic(RESULTS / "bench.md", markdown(results))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
