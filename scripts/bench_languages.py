"""Benchmark: what a second language costs — one map drawn in Russian against English.

Run ``.venv/bin/python -m scripts.bench_languages``. For each story map named below,
in one process and alternating the two languages, it times compose + scene + the
print renderer's PNG and the web page (the work of one build task), in English and
in Russian (catalog lookups, place names, Babel formats and the labels placed again).
The median of ``RUNS`` runs counts; the ratio Russian / English is written to
``bench/results/languages.md`` (the obvious alternative being the English map itself:
a ratio near 1 means a language costs about one more map).
"""

from __future__ import annotations

import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from geo.language import ENGLISH, language, speaking
from geo.names import local_names
from maps import compose, load_spec
from maps.print import write_static
from maps.scene import build_scene
from maps.spec import SPEC_DIR
from maps.spec_text import spec_in
from maps.web import write_web

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "languages.md"
MAPS = ("june-2010", "fergana-borders")
RUNS = 5


def seconds_to_draw(stem: str, code: str, out: Path) -> float:
    """Wall time of one map in one language: compose, scene, print PNG and web page."""
    lang = ENGLISH if code == "en" else language(code, names=local_names(code))
    start = time.perf_counter()
    with speaking(lang):
        scene = build_scene(compose(spec_in(load_spec(SPEC_DIR / f"{stem}.toml"), code)))
        write_static(scene, out, formats=("png",))
        write_web(scene, out)
    return time.perf_counter() - start


def main() -> int:
    """Time every map in both languages; write the table; the exit code."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        for stem in MAPS:
            seconds_to_draw(stem, "ru", out)  # warm caches (data, fonts, the catalog)
            times: dict[str, list[float]] = {"en": [], "ru": []}
            for _ in range(RUNS):
                for code in ("en", "ru"):
                    times[code].append(seconds_to_draw(stem, code, out))
            en, ru = (statistics.median(times[c]) for c in ("en", "ru"))
            rows.append(f"| {stem} | {en:.2f} | {ru:.2f} | {ru / en:.2f} |")
    text = "\n".join(
        [
            "# A second language: one map in Russian against the same map in English",
            "",
            f"`python -m scripts.bench_languages`; median of {RUNS} runs each, the two "
            "languages alternating in one process; compose + scene + print PNG + web page.",
            f"Machine: {platform.machine()}, Python {platform.python_version()}.",
            "",
            "| map | English (s) | Russian (s) | ratio ru/en |",
            "|---|---:|---:|---:|",
            *rows,
            "",
        ]
    )
    RESULTS.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
