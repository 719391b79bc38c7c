"""Export: reproducible rc settings, figures saved to bytes, checks of formats, DPI, paths."""

from __future__ import annotations

import io
import math
import os
from collections.abc import Iterable
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

import geo
from layers.theme import FONT_FAMILY, PAPER
from maps.compose import Composition
from maps.pages import MM_PER_INCH, SizePreset, StaticExportError
from maps.scene import Scene

FORMATS = ("png", "svg", "pdf", "web.png")
WEB_WIDTH_PX = 1600  # the web PNG: 2x an 800 px column
# Agg cannot draw more than 2**16 pixels a side; beyond ~250 megapixels memory runs out.
MAX_PIXELS_SIDE = 2**16 - 1
MAX_PIXELS = 250_000_000

# rcParams that make output reproducible and keep text as text; set only inside rc_context.
RC = {
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "none",
    "svg.hashsalt": "fergana-static",
    "font.family": FONT_FAMILY,
    # Unhinted glyphs: text is as wide at 60 dpi as its outlines (which label
    # placement measures), so layout holds at every resolution.
    "text.hinting": "no_hinting",
    "lines.scale_dashes": True,
    "savefig.facecolor": PAPER,
    "savefig.edgecolor": PAPER,
    "savefig.pad_inches": 0.0,
    "figure.facecolor": PAPER,
}
METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None},
    "pdf": {"CreationDate": None, "ModDate": None},
}


def render_bytes(figure: Figure, fmt: str, dpi: float) -> bytes:
    """One figure saved as `fmt` ("png", "svg" or "pdf") with reproducible settings.

    Parameters
    ----------
    figure : Figure
        From :func:`static_figure`.
    fmt : {"png", "svg", "pdf"}
        Output format.
    dpi : float
        Resolution (raster parts of SVG and PDF too).

    Returns
    -------
    bytes
        The file's content.
    """
    buffer = io.BytesIO()
    with matplotlib.rc_context(RC):
        figure.savefig(buffer, format=fmt, dpi=dpi, metadata=METADATA[fmt], facecolor=PAPER)
    return buffer.getvalue()


def check_dpi(dpi: float, preset: SizePreset) -> None:
    """Raise :class:`StaticExportError` unless `dpi` is a usable resolution for `preset`.

    Parameters
    ----------
    dpi : float
        Dots per inch.
    preset : SizePreset
        Page size.
    """
    if isinstance(dpi, bool) or not isinstance(dpi, int | float) or not math.isfinite(dpi):
        raise StaticExportError(f"dpi must be a positive number, not {dpi!r}")
    if dpi <= 0:
        raise StaticExportError(f"dpi must be > 0, not {dpi!r}")
    width = preset.width_mm / MM_PER_INCH * dpi
    height = preset.height_mm / MM_PER_INCH * dpi
    if max(width, height) > MAX_PIXELS_SIDE or width * height > MAX_PIXELS:
        raise StaticExportError(
            f"dpi {dpi:g} gives a {width:,.0f} × {height:,.0f} px image at "
            f"{preset.width_mm:g} × {preset.height_mm:g} mm; the limit is "
            f"{MAX_PIXELS_SIDE:,} px a side and {MAX_PIXELS / 1e6:.0f} megapixels"
        )
    if width < 16 or height < 16:
        raise StaticExportError(f"dpi {dpi:g} gives an image under 16 px; use a larger dpi")


def check_formats(formats: Iterable[str], web_width_px: int | None) -> list[str]:
    """The formats asked for, checked, deduplicated, with the web PNG after the PNG."""
    if isinstance(formats, str):
        formats = [formats]
    wanted: list[str] = []
    for fmt in formats:
        if fmt not in FORMATS:
            raise StaticExportError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
        if fmt not in wanted:
            wanted.append(fmt)
    if not wanted:
        raise StaticExportError(f"no formats asked for; formats: {', '.join(FORMATS)}")
    if "png" in wanted and web_width_px is not None and "web.png" not in wanted:
        wanted.insert(wanted.index("png") + 1, "web.png")
    if "web.png" in wanted and web_width_px is None:
        raise StaticExportError("format 'web.png' needs web_width_px")
    return wanted


def check_folder(out_dir: str | os.PathLike[str]) -> Path:
    """`out_dir` as a Path if it is an existing, writable folder (else a clear error)."""
    folder = Path(out_dir)
    if not folder.exists():
        raise FileNotFoundError(f"output folder {folder} does not exist; create it first")
    if not folder.is_dir():
        raise NotADirectoryError(f"output folder {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(f"output folder {folder} is not writable")
    return folder


def target_path(folder: Path, composition: Composition | Scene, fmt: str) -> Path:
    """The file for `fmt` in `folder`, refused if its name would leave the folder."""
    stem = composition.spec.output_name
    name = f"{stem}.{fmt}"
    try:
        geo.atomic.path_inside(folder, name)
    except ValueError as err:
        raise StaticExportError(f"output {err}") from None
    return folder / name
