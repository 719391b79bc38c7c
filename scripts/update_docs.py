"""Refresh the gallery images in ``docs/`` from a build.

Run ``.venv/bin/python -m scripts.update_docs`` after ``./run maps``: each
``out/ID.web.png`` becomes an 800 px wide, 256-colour ``docs/ID.png``.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image

import geo

ROOT = Path(__file__).resolve().parent.parent
WIDTH = 800


def thumbnail(path: Path) -> bytes:
    """The PNG bytes of a small, palette version of `path`."""
    with Image.open(path) as image:
        image = image.convert("RGB")
        image = image.resize((WIDTH, round(image.height * WIDTH / image.width)), Image.LANCZOS)
    small = image.quantize(colors=256, method=Image.Quantize.MAXCOVERAGE, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    small.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def main(out: Path = ROOT / "out") -> int:
    """Write ``docs/ID.png`` for every ``out/ID.web.png``."""
    sources = sorted(out.glob("*.web.png"))
    if not sources:
        print(f"no {out}/*.web.png: run ./run maps first", file=sys.stderr)
        return 1
    (ROOT / "docs").mkdir(exist_ok=True)
    for source in sources:
        target = ROOT / "docs" / source.name.replace(".web.png", ".png")
        geo.write_bytes_atomic(target, thumbnail(source))
        print(f"{target.relative_to(ROOT)}: {target.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
