"""Regenerate the static renderer's reference images in ``tests/reference/``.

``tests/test_static.py`` renders every map spec in ``maps/specs/*.toml`` at a
low resolution and compares it with ``tests/reference/<spec id>.png``. After an
intended change to the look of the maps (theme, layout, data), regenerate the
references, open them to check that they look right, and commit them with the
change::

    .venv/bin/python -m scripts.update_references            # every spec
    .venv/bin/python -m scripts.update_references fergana-borders  # some specs
    .venv/bin/python -m scripts.update_references --project        # tests/project's specs

``tests/test_project.py`` compares the test project's maps (a user's own specs and
data, ``tests/project``) the same way, against references with the same names.

The references are ``a4-half`` pages at 60 dpi, stored as 256-colour PNGs (a
few tens of KB each); the palette costs about 0.5 grey levels of mean error,
well inside the test's tolerance.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = ROOT / "maps" / "specs"
PROJECT_SPEC_DIR = ROOT / "tests" / "project" / "specs"
REFERENCE_DIR = ROOT / "tests" / "reference"
REFERENCE_SIZE = "a4-half"
REFERENCE_DPI = 60


def render_reference(composition) -> Image.Image:
    """The composition as the RGB image the reference test compares.

    Parameters
    ----------
    composition : maps.Composition
        A composed map spec.

    Returns
    -------
    PIL.Image.Image
        An RGB image, ``REFERENCE_SIZE`` at ``REFERENCE_DPI``.
    """
    from maps.print import render_bytes, static_figure

    figure = static_figure(composition, size=REFERENCE_SIZE, dpi=REFERENCE_DPI)
    data = render_bytes(figure, "png", REFERENCE_DPI)
    return Image.open(io.BytesIO(data)).convert("RGB")


def to_reference_png(image: Image.Image) -> bytes:
    """`image` as a small, reproducible 256-colour PNG.

    Parameters
    ----------
    image : PIL.Image.Image
        An RGB image.

    Returns
    -------
    bytes
        PNG data (median-cut palette, no dithering, no metadata).
    """
    palette = image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    palette.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def difference(a: Image.Image, b: Image.Image) -> tuple[float, float]:
    """Mean absolute and root-mean-square difference of two RGB images (0-255 scale).

    Parameters
    ----------
    a, b : PIL.Image.Image
        Images of the same size.

    Returns
    -------
    tuple of float
        ``(mean_abs, rms)`` over every pixel and channel.

    Raises
    ------
    ValueError
        If the sizes differ.
    """
    if a.size != b.size:
        raise ValueError(f"image sizes differ: {a.size} vs {b.size}")
    x = np.asarray(a.convert("RGB"), dtype=np.float64)
    y = np.asarray(b.convert("RGB"), dtype=np.float64)
    d = np.abs(x - y)
    return float(d.mean()), float(np.sqrt((d**2).mean()))


def main(argv: list[str] | None = None) -> int:
    """Write ``tests/reference/<id>.png`` for the chosen specs (all by default).

    Parameters
    ----------
    argv : list of str, optional
        Spec ids; none means every spec in ``maps/specs``.

    Returns
    -------
    int
        Exit status.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", help="spec ids (default: all)")
    parser.add_argument(
        "--project", action="store_true", help="the test project's specs (tests/project/specs)"
    )
    args = parser.parse_args(argv)

    import geo
    from maps import compose, load_spec

    spec_dir = PROJECT_SPEC_DIR if args.project else SPEC_DIR
    specs = sorted(spec_dir.glob("*.toml"))
    chosen = [p for p in specs if not args.ids or p.stem in args.ids]
    unknown = sorted(set(args.ids) - {p.stem for p in specs})
    if unknown:
        print(f"no spec named {', '.join(unknown)} in {spec_dir}", file=sys.stderr)
        return 2
    REFERENCE_DIR.mkdir(parents=True, exist_ok=True)
    for path in chosen:
        spec = load_spec(path)
        image = render_reference(compose(spec))
        target = REFERENCE_DIR / f"{spec.id}.png"
        data = to_reference_png(image)
        geo.write_bytes_atomic(target, data)
        width, height = image.size
        print(f"{target.relative_to(ROOT)}: {width}x{height} px, {len(data):,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
