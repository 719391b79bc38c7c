"""Text for the print renderer: the pinned font, text styles, measuring, wrapping, drawing.

Everything works in *page points* (1/72 inch, origin at the lower left of the
page), so layout does not depend on the output DPI. Text is measured from the
font outlines (:mod:`matplotlib.textpath`), not from a hinted raster renderer.

The font is DejaVu Sans from matplotlib's own data folder (not whatever the
system has), so output is the same on every machine; it covers Cyrillic and
Uzbek Latin (oʻ, gʻ, ʼ).
"""

from __future__ import annotations

import functools
import math
import os
import re
from dataclasses import dataclass

import matplotlib
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import text_to_path
from matplotlib.transforms import Transform

from layers.theme import FONT_FAMILY, HALO, TEXT

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in page points

_FONT_DIR = os.path.join(matplotlib.get_data_path(), "fonts", "ttf")
_FONT_FILES = {
    ("normal", "normal"): "DejaVuSans.ttf",
    ("bold", "normal"): "DejaVuSans-Bold.ttf",
    ("normal", "italic"): "DejaVuSans-Oblique.ttf",
    ("bold", "italic"): "DejaVuSans-BoldOblique.ttf",
}


@dataclass(frozen=True)
class TextStyle:
    """How a label looks.

    Attributes
    ----------
    size : float
        Font size in points.
    weight, style : str
        ``"normal"`` or ``"bold"``; ``"normal"`` or ``"italic"``.
    colour : str
        Text colour.
    halo : float
        Width in points of the white halo on each side of the glyphs (0 for none).
    uppercase : bool
        Set the text in capitals (country names).
    """

    size: float = 7.0
    weight: str = "normal"
    style: str = "normal"
    colour: str = TEXT
    halo: float = 1.0
    uppercase: bool = False

    def scaled(self, factor: float) -> TextStyle:
        """The same style at `factor` times the size (and halo)."""
        return TextStyle(
            self.size * factor,
            self.weight,
            self.style,
            self.colour,
            self.halo * factor,
            self.uppercase,
        )

    def text(self, raw: str) -> str:
        """`raw` as it is set (capitals if `uppercase`)."""
        return raw.upper() if self.uppercase else raw


def font(size: float, weight: str = "normal", style: str = "normal") -> FontProperties:
    """DejaVu Sans (matplotlib's bundled copy) at `size` points.

    Parameters
    ----------
    size : float
        Font size in points.
    weight : {"normal", "bold"}
        Font weight.
    style : {"normal", "italic"}
        Upright or oblique.

    Returns
    -------
    matplotlib.font_manager.FontProperties
        Properties pinned to the font file, with family, weight and style set
        so that SVG text names the font correctly.
    """
    file = _FONT_FILES[(weight, style)]
    return FontProperties(
        family=FONT_FAMILY,
        weight=weight,
        style=style,
        size=size,
        fname=os.path.join(_FONT_DIR, file),
    )


@functools.lru_cache(maxsize=4096)
def _metrics(text: str, size: float, weight: str, style: str) -> tuple[float, float, float]:
    prop = font(size, weight, style)
    width, height, descent = text_to_path.get_text_width_height_descent(text, prop, ismath=False)
    # matplotlib lays a line out at least as tall as "lp" (ascender + descender).
    _, lp_height, lp_descent = text_to_path.get_text_width_height_descent("lp", prop, ismath=False)
    return width, max(height, lp_height), max(descent, lp_descent)


def measure(text: str, style: TextStyle) -> tuple[float, float]:
    """Width and height in points of one line of `text` set in `style` (no padding).

    Parameters
    ----------
    text : str
        The text as set (already upper-cased if the style says so).
    style : TextStyle
        Font size, weight and style.

    Returns
    -------
    tuple of float
        ``(width, height)``; the height is the line's full extent, as matplotlib
        lays it out for ``va="center"``.
    """
    width, height, _ = _metrics(text, round(style.size, 4), style.weight, style.style)
    return width, height


def overlaps(a: Box, b: Box) -> bool:
    """Whether two boxes share interior (touching edges do not count)."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(box: Box, frame: Box) -> bool:
    """Whether `box` lies entirely within `frame`."""
    return box[0] >= frame[0] and box[1] >= frame[1] and box[2] <= frame[2] and box[3] <= frame[3]


def rotated_box(cx: float, cy: float, width: float, height: float, degrees: float) -> Box:
    """Axis-aligned box around a `width` × `height` rectangle centred at (cx, cy), rotated."""
    a = math.radians(degrees)
    half_w = (abs(width * math.cos(a)) + abs(height * math.sin(a))) / 2
    half_h = (abs(width * math.sin(a)) + abs(height * math.cos(a))) / 2
    return cx - half_w, cy - half_h, cx + half_w, cy + half_h


# Wrapped lines are kept a little narrower than asked, for rounding in the renderers.
WRAP_SLACK = 0.98
# Whitespace a line may break at: any but the no-break spaces that hold "75 000" and
# "2010 г." together (str.split() would break there too).
_BREAKABLE = re.compile(r"[^\S\u00a0\u202f\u2007]+")


def words(text: str) -> list[str]:
    """`text` split at breakable whitespace (as ``str.split()``, but no-break spaces hold)."""
    return [word for word in _BREAKABLE.split(text) if word]


def wrap(text: str, style: TextStyle, width: float) -> list[str]:
    """Greedy word wrap of `text` to lines at most `width` points wide (with slack)."""
    return [
        line
        for paragraph in text.split("\n")
        for line in wrap_words(words(paragraph), style, width)
    ]


def wrap_words(words: list[str], style: TextStyle, width: float) -> list[str]:
    """Greedy wrap of `words` (each kept whole, spaces and all) to lines of `width` points."""
    lines: list[str] = []
    current = ""
    for word in words:
        trial = f"{current} {word}" if current else word
        if current and measure(trial, style)[0] > width * WRAP_SLACK:
            lines.append(current)
            current = word
        else:
            current = trial
    return [*lines, current]


def put_text(
    target,
    x: float,
    y: float,
    text: str,
    style: TextStyle,
    transform: Transform,
    *,
    ha: str = "left",
    va: str = "baseline",
    rotation: float = 0.0,
    zorder: float = 50,
    gid: str | None = None,
):
    """Draw `text` with `style` (font, colour, halo); returns the Text artist.

    The halo is a second, white copy of the text stroked with a path effect and
    drawn just below; the text itself has no path effect, so SVG keeps it as
    ``<text>`` and PDF as real (selectable, embedded-font) text.
    """
    from matplotlib import patheffects

    kwargs = {
        "fontproperties": font(style.size, style.weight, style.style),
        "ha": ha,
        "va": va,
        "rotation": rotation,
        "rotation_mode": "anchor",
        "transform": transform,
        "clip_on": False,
    }
    shown = style.text(text)
    if style.halo > 0:
        halo = target.text(x, y, shown, color=HALO, zorder=zorder - 0.01, **kwargs)
        halo.set_path_effects([patheffects.withStroke(linewidth=2 * style.halo, foreground=HALO)])
    return target.text(x, y, shown, color=style.colour, zorder=zorder, gid=gid, **kwargs)
