"""Benchmark motion frames: one GIF frame against one web PNG of the same map (issue 15).

Run ``.venv/bin/python scripts/bench_motion.py``. On ``june-2010`` (its ``[motion]``:
every reported day at slide size, 1920 × 1080 px) it times, in one process:

- the web PNG: :func:`maps.print.write_static` with ``formats=("web.png",)``, the
  whole call (page layout, labels, drawing, PNG encoding), 1600 px wide;
- the GIF: :func:`maps.motion.write_motion` with ``("gif",)``, the whole call
  (the one-off page build, the palette page, every frame drawn and quantised, the
  GIF encoded), divided by the number of frames: one frame's amortised cost;
- the MP4 likewise (``("mp4",)``, ffmpeg encoding included).

The scene is built once beforehand (both renderers start from it). Each is the
median of :data:`RUNS` runs. The issue's target: GIF frame / web PNG <= 1. Results
go to ``bench/results/motion.md``.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import matplotlib  # noqa: E402
import PIL  # noqa: E402

from maps import compose, load_spec  # noqa: E402
from maps.motion import write_motion  # noqa: E402
from maps.print import write_static  # noqa: E402
from maps.scene import build_scene  # noqa: E402
from maps.scene.series import time_steps  # noqa: E402
from maps.spec import SPEC_DIR  # noqa: E402

RESULTS = ROOT / "bench" / "results"
SPEC = "june-2010"
RUNS = 3


def timed(run: Callable[[Path], object]) -> float:
    """Median seconds of `run` over RUNS runs, each in a fresh temporary folder."""
    times = []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            run(Path(tmp))
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def cpu_model() -> str:
    """The processor's name (Linux), else the platform's."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> None:
    scene = build_scene(compose(load_spec(SPEC_DIR / f"{SPEC}.toml")))
    frames = len(time_steps(scene, scene.spec.motion.steps))
    web = timed(lambda out: write_static(scene, out, formats=("web.png",)))
    gif = timed(lambda out: write_motion(scene, out, ("gif",)))
    mp4 = timed(lambda out: write_motion(scene, out, ("mp4",)))
    ratio = gif / frames / web
    print(f"web PNG {web:.2f} s; GIF {gif:.2f} s / {frames} frames = {gif / frames:.3f} s a frame")
    print(f"GIF frame / web PNG = {ratio:.2f}x (target <= 1); MP4 {mp4 / frames:.3f} s a frame")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "# Motion benchmark",
        "",
        f"`{SPEC}`, `[motion]` every reported day ({frames} frames) at `slide` size "
        f"(1920 × 1080 px, 144 dpi). Median of {RUNS} runs in one process, written by "
        "`scripts/bench_motion.py`.",
        f"Machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"matplotlib {matplotlib.__version__}, Pillow {PIL.__version__}; load average at the end "
        f"{load:.1f} (other work was running).",
        "",
        'Web PNG = `maps.print.write_static(scene, formats=("web.png",))`, the whole call (1600 px '
        "wide, the spec's a4 page). GIF / MP4 = `maps.motion.write_motion`, the whole call (the "
        "one-off page build and palette page included) divided by the frames.",
        "",
        "| what | seconds | per frame s |",
        "|---|---|---|",
        f"| web PNG (one) | {web:.2f} | |",
        f"| GIF ({frames} frames) | {gif:.2f} | {gif / frames:.3f} |",
        f"| MP4 ({frames} frames, last held 3×) | {mp4:.2f} | {mp4 / frames:.3f} |",
        "",
        f"**One GIF frame / one web PNG = {ratio:.2f}x** (issue target: at most 1).",
        "",
    ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "motion.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
