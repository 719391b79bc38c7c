"""Benchmark reading a user's CSV: fergana's checked reader against plain pandas.

Run ``.venv/bin/python scripts/bench_read.py``. For each file shape (a plain comma CSV,
counts written "1,200", a ';'-separated export with decimal commas, a Windows-1251
file) and size, it times :func:`geo.read_rows` with a schema (separator and encoding
detected, numbers parsed and every row checked) against ``pandas.read_csv`` told the
separator, decimal mark, thousands mark and encoding in advance — the obvious
alternative for someone who already knows the file. Median of five runs each, in one
process; results go to ``bench/results/read.json`` and ``bench/results/read.md``.
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

import geo  # noqa: E402

RESULTS = ROOT / "bench" / "results"
ROWS = (10_000, 100_000)
RUNS = 5
TOWNS = ("Taraz", "Shymkent", "Turkistan", "Kentau", "Karatau", "Shu", "Saryagash")


def _rows(n: int, shape: str) -> list[str]:
    lines = []
    for k in range(n):
        town = TOWNS[k % len(TOWNS)]
        count = 50 + (k * 37) % 9000
        share = (k % 1000) / 1000
        if shape == "grouped":
            lines.append(f'{town},{TOWNS[(k + 1) % 7]},"{count:,}",{share}')
        elif shape == "semicolon":
            lines.append(f"{town};{TOWNS[(k + 1) % 7]};{count};{str(share).replace('.', ',')}")
        elif shape == "cp1251":
            lines.append(f"Город {k % 50},{town},{count},{share}")
        else:
            lines.append(f"{town},{TOWNS[(k + 1) % 7]},{count},{share}")
    return lines


SHAPES: dict[str, dict] = {
    "plain": {"pandas": {}, "encoding": "utf-8"},
    "grouped": {"pandas": {"thousands": ","}, "encoding": "utf-8"},
    "semicolon": {"pandas": {"sep": ";", "decimal": ","}, "encoding": "utf-8"},
    "cp1251": {"pandas": {"encoding": "cp1251"}, "encoding": "cp1251"},
}


def _write(folder: Path, shape: str, n: int) -> Path:
    separator = ";" if shape == "semicolon" else ","
    header = separator.join(("origin", "destination", "count", "share"))
    path = folder / f"{shape}-{n}.csv"
    text = "\n".join([header, *_rows(n, shape)]) + "\n"
    path.write_bytes(text.encode(SHAPES[shape]["encoding"]))
    return path


def _median(run: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    """Time every shape and size; write the results."""
    import warnings

    schema = geo.Schema(
        required={"origin": "str", "destination": "str", "count": "number", "share": "number"},
        nonnegative=("count",),
    )
    records = []
    with tempfile.TemporaryDirectory() as folder:
        for shape, how in SHAPES.items():
            for n in ROWS:
                path = _write(Path(folder), shape, n)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", geo.DataWarning)  # cp1251 says so
                    ours = geo.read_rows(path, schema)
                    fergana = _median(lambda p=path: geo.read_rows(p, schema))
                theirs = pd.read_csv(path, **how["pandas"])
                assert ours["count"].sum() == theirs["count"].sum(), shape  # same numbers
                plain = _median(lambda p=path, h=how: pd.read_csv(p, **h["pandas"]))
                records.append(
                    {
                        "shape": shape,
                        "rows": n,
                        "fergana_s": round(fergana, 4),
                        "pandas_s": round(plain, 4),
                        "ratio": round(fergana / plain, 2),
                    }
                )
                print(f"{shape:10} {n:>7} rows: {fergana:.3f} s vs {plain:.3f} s", flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {"python": platform.python_version(), "machine": platform.machine(), "runs": RUNS}
    (RESULTS / "read.json").write_text(
        json.dumps({"meta": meta, "results": records}, indent=1) + "\n", encoding="utf-8"
    )
    lines = [
        "# Reading a user's CSV",
        "",
        "`geo.read_rows` with a schema (separator and encoding detected, grouped numbers "
        "parsed, every row checked) against `pandas.read_csv` given the format in advance; "
        f"median of {RUNS} runs. Written by `scripts/bench_read.py`.",
        "",
        "| file | rows | fergana (s) | pandas (s) | ratio |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {r['shape']} | {r['rows']:,} | {r['fergana_s']:.3f} | {r['pandas_s']:.3f} "
            f"| {r['ratio']:.2f} |"
            for r in records
        ),
        "",
    ]
    (RESULTS / "read.md").write_text("\n".join(lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
