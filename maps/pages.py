"""Page sizes for print maps: named presets and custom sizes in millimetres.

They live here, beside the spec that names them (``print_size``), so that reading a
spec never imports a renderer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


class StaticExportError(ValueError):
    """A static export that cannot be done as asked; nothing was written."""


MM_PER_INCH = 25.4
PT_PER_MM = 72 / MM_PER_INCH


@dataclass(frozen=True)
class SizePreset:
    """A page size for static maps.

    Attributes
    ----------
    width_mm, height_mm : float
        Figure size in millimetres.
    type_scale : float
        Multiplies every font size and furniture dimension.
    description : str
        What the size is for.
    """

    width_mm: float
    height_mm: float
    type_scale: float
    description: str


SIZES: dict[str, SizePreset] = {
    "a4": SizePreset(210.0, 297.0, 1.0, "A4 full page, portrait"),
    "a4-landscape": SizePreset(297.0, 210.0, 1.0, "A4 full page, landscape"),
    "a4-half": SizePreset(210.0, 148.5, 0.9, "half an A4 page (the top or bottom half)"),
    "slide": SizePreset(338.667, 190.5, 1.35, "16:9 slide (13.33 × 7.5 in, PowerPoint default)"),
    "web": SizePreset(190.5, 142.875, 1.1, "web column (7.5 × 5.625 in: 720 × 540 CSS px)"),
}
MAX_SIZE_MM = 2000.0


def resolve_size(size: str | Sequence[float]) -> SizePreset:
    """A size preset by name, or a custom ``(width_mm, height_mm)``.

    Parameters
    ----------
    size : str or (float, float)
        A key of :data:`SIZES` or a width and height in millimetres.

    Returns
    -------
    SizePreset
        The page size; custom sizes get a type scale from their width.

    Raises
    ------
    StaticExportError
        For an unknown preset or a non-positive or absurd custom size.
    """
    if isinstance(size, str):
        if size not in SIZES:
            raise StaticExportError(f"unknown size {size!r}; presets: {', '.join(SIZES)}")
        return SIZES[size]
    try:
        width, height = (float(v) for v in size)
    except (TypeError, ValueError):
        raise StaticExportError(
            f"size must be a preset ({', '.join(SIZES)}) or (width_mm, height_mm), not {size!r}"
        ) from None
    if not (0 < width <= MAX_SIZE_MM and 0 < height <= MAX_SIZE_MM):
        raise StaticExportError(
            f"custom size must be 0 < width, height <= {MAX_SIZE_MM:g} mm, not {size!r}"
        )
    if width < 60 or height < 50:
        raise StaticExportError(f"custom size {width:g} × {height:g} mm is too small for a map")
    scale = min(max(math.sqrt(width * height / (210 * 148.5)) * 0.9, 0.75), 1.6)
    return SizePreset(width, height, round(scale, 3), f"custom {width:g} × {height:g} mm")
