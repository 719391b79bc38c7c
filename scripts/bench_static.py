"""Benchmark the static renderer against a naive ``GeoDataFrame.plot()`` of the same layers.

For every map spec, in fresh child processes (so memory figures do not leak from
one run into the next), measure:

* ``maps.static``: building the figure, then saving PNG, web PNG, SVG and PDF;
* naive: ``GeoDataFrame.plot(ax=ax)`` of the same layers, projected the same way,
  with their fill and stroke colours, then ``savefig`` to PNG, SVG and PDF at
  the same size and DPI (no labels, legend, insets or furniture).

Reported per spec and method: seconds per step, file sizes, the Python heap
peak (tracemalloc) and the peak resident set size above the baseline after
imports and composing (``resource.getrusage``, includes Agg's C++ buffers).
Results go to ``bench/results/static.json`` and ``bench/results/static.md``
(written atomically)::

    .venv/bin/python -m scripts.bench_static              # A4, 300 dpi, every spec
    .venv/bin/python -m scripts.bench_static --dpi 150 --specs june-2010
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import platform
import resource
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = ROOT / "maps" / "specs"
RESULTS = ROOT / "bench" / "results"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _measure(method: str, spec_path: str, size: str, dpi: float, queue) -> None:
    """Child process: one method on one spec; puts a result dict on `queue`."""
    import warnings

    warnings.simplefilter("ignore")
    import matplotlib

    matplotlib.use("Agg")
    import maps
    from maps import static

    t0 = time.perf_counter()
    composition = maps.compose(maps.load_spec(spec_path))
    compose_s = time.perf_counter() - t0
    # Warm caches and first-use imports (fonts, datasets, fontTools for PDF subsetting)
    # outside the measurement.
    warm = static.static_figure(composition, size="a4-half", dpi=20)
    for fmt in ("png", "svg", "pdf"):
        static.render_bytes(warm, fmt, 20)
    del warm
    baseline = _rss_mb()
    # Pass 1: time and resident memory. Pass 2: the Python heap peak (tracemalloc slows
    # pure-Python work such as PDF font subsetting, so it is not on while timing).
    steps, sizes = _export(method, composition, size, dpi)
    rss = max(_rss_mb() - baseline, 0.0)
    tracemalloc.start()
    _export(method, composition, size, dpi)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    queue.put(
        {
            "method": method,
            "compose_s": round(compose_s, 3),
            "steps_s": {k: round(v, 3) for k, v in steps.items()},
            "total_s": round(sum(steps.values()), 3),
            "bytes": sizes,
            "python_peak_mb": round(peak / 2**20, 1),
            "rss_peak_above_baseline_mb": round(rss, 1),
        }
    )


def _export(method: str, composition, size: str, dpi: float):
    """Build and save one map; returns seconds per step and bytes per format."""
    from maps import static

    steps: dict[str, float] = {}
    sizes: dict[str, int] = {}
    t = time.perf_counter()
    if method == "static":
        preset = static.resolve_size(size)
        figure = static.static_figure(composition, size=size, dpi=dpi)
        steps["build"] = time.perf_counter() - t
        web_dpi = static.WEB_WIDTH_PX / (preset.width_mm / 25.4)
        for fmt, fmt_dpi in (("png", dpi), ("web.png", web_dpi), ("svg", dpi), ("pdf", dpi)):
            t = time.perf_counter()
            data = static.render_bytes(figure, "png" if fmt == "web.png" else fmt, fmt_dpi)
            steps[fmt] = time.perf_counter() - t
            sizes[fmt] = len(data)
    else:
        figure = _naive_figure(composition, static.resolve_size(size), dpi)
        steps["build"] = time.perf_counter() - t
        for fmt in ("png", "svg", "pdf"):
            t = time.perf_counter()
            buffer = io.BytesIO()
            figure.savefig(buffer, format=fmt, dpi=dpi)
            steps[fmt] = time.perf_counter() - t
            sizes[fmt] = len(buffer.getvalue())
    return steps, sizes


def _naive_figure(composition, preset, dpi: float):
    """The same layers drawn with ``GeoDataFrame.plot`` on one shared axes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from geo.crs import crs_for_extent
    from maps.static_furniture import projected_bounds

    crs = crs_for_extent(composition.spec.extent)
    figure = Figure(figsize=(preset.width_mm / 25.4, preset.height_mm / 25.4), dpi=dpi)
    FigureCanvasAgg(figure)
    ax = figure.add_axes([0.05, 0.05, 0.9, 0.9])
    for layer, visible in zip(composition.layers, composition.visible, strict=True):
        if not visible or layer.frame.empty:
            continue
        frame = layer.frame.to_crs(crs)
        style = layer.style
        if layer.kind == "area":
            frame.plot(
                ax=ax,
                color=style.fill or "none",
                edgecolor=style.stroke or "none",
                linewidth=style.stroke_width * 0.75,
            )
        elif layer.kind in ("line", "flow"):
            frame.plot(ax=ax, color=style.stroke or "#333333", linewidth=style.stroke_width * 0.75)
        else:
            frame.plot(ax=ax, color=style.fill or "#333333", markersize=style.marker_size)
    xmin, ymin, xmax, ymax = projected_bounds(crs, composition.spec.extent)
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    return figure


def run(specs: list[Path], size: str, dpi: float) -> dict:
    """Measure every spec with both methods, each in a fresh process.

    Parameters
    ----------
    specs : list of Path
        Spec files.
    size : str
        Size preset.
    dpi : float
        Resolution for PNG (and raster parts of SVG/PDF).

    Returns
    -------
    dict
        Settings, environment and one entry per spec and method.
    """
    context = multiprocessing.get_context("spawn")
    results = []
    for path in specs:
        for method in ("static", "naive"):
            queue = context.Queue()
            process = context.Process(target=_measure, args=(method, str(path), size, dpi, queue))
            process.start()
            result = queue.get(timeout=600)
            process.join()
            result["spec"] = path.stem
            results.append(result)
            print(
                f"{path.stem:20s} {method:6s} total {result['total_s']:6.2f} s  "
                f"steps {result['steps_s']}  peak RSS +{result['rss_peak_above_baseline_mb']} MB"
            )
    import matplotlib

    return {
        "settings": {"size": size, "dpi": dpi},
        "environment": {
            "python": platform.python_version(),
            "matplotlib": matplotlib.__version__,
            "machine": platform.machine(),
        },
        "results": results,
    }


def to_markdown(report: dict) -> str:
    """A Markdown table of `report` (from :func:`run`).

    Parameters
    ----------
    report : dict
        Benchmark results.

    Returns
    -------
    str
        Markdown text.
    """
    settings = report["settings"]
    lines = [
        "# Static renderer benchmark",
        "",
        f"Size `{settings['size']}` at {settings['dpi']:g} dpi; "
        f"matplotlib {report['environment']['matplotlib']}, "
        f"Python {report['environment']['python']}. Naive = `GeoDataFrame.plot()` of the "
        "same layers on one axes + `savefig` (no labels, legend, insets or furniture).",
        "",
        "| spec | method | build s | PNG s | web PNG s | SVG s | PDF s | PNG KB | SVG KB "
        "| PDF KB | Python peak MB | RSS peak MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report["results"]:
        s, b = r["steps_s"], r["bytes"]

        def kb(key: str, b=b) -> str:
            return f"{b[key] / 1024:,.0f}" if key in b else "–"

        lines.append(
            f"| {r['spec']} | {r['method']} | {s['build']:.2f} | {s['png']:.2f} | "
            f"{s.get('web.png', float('nan')):.2f} | {s['svg']:.2f} | {s['pdf']:.2f} | "
            f"{kb('png')} | {kb('svg')} | {kb('pdf')} | {r['python_peak_mb']} | "
            f"{r['rss_peak_above_baseline_mb']} |"
        )
    return "\n".join(lines).replace("| nan |", "| – |") + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write ``bench/results/static.json`` and ``.md``.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments.

    Returns
    -------
    int
        Exit status.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="a4")
    parser.add_argument("--dpi", type=float, default=300)
    parser.add_argument("--specs", nargs="*", help="spec ids (default: all)")
    args = parser.parse_args(argv)

    import geo

    specs = sorted(SPEC_DIR.glob("*.toml"))
    if args.specs:
        specs = [p for p in specs if p.stem in args.specs]
    report = run(specs, args.size, args.dpi)
    RESULTS.mkdir(parents=True, exist_ok=True)
    geo.write_text_atomic(RESULTS / "static.json", json.dumps(report, indent=2) + "\n")
    geo.write_text_atomic(RESULTS / "static.md", to_markdown(report))
    print(f"wrote {RESULTS / 'static.json'} and {RESULTS / 'static.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
