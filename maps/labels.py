"""Map labels for the static renderer: fonts, text measurement and collision avoidance.

Everything here works in *page points* (1/72 inch, origin at the lower left of
the page), so where a label goes does not depend on the output DPI: the 60 dpi
test render, the 300 dpi print PNG, the web PNG, the SVG and the PDF all carry
the same labels in the same places.

Text is measured from the font outlines (:mod:`matplotlib.textpath`), not from a
hinted raster renderer, and every box is padded by the halo width plus a small
safety margin. Placement is greedy and deterministic: candidates are tried in
priority order, each at a fixed list of positions, and a label that fits nowhere
is dropped rather than overlapped.

The font is DejaVu Sans from matplotlib's own data folder (not whatever the
system has), so output is the same on every machine; it covers Cyrillic and
Uzbek Latin (oʻ, gʻ, ʼ).
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import matplotlib
import shapely
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import text_to_path

from layers.theme import FONT_FAMILY, TEXT

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in page points

_FONT_DIR = os.path.join(matplotlib.get_data_path(), "fonts", "ttf")
_FONT_FILES = {
    ("normal", "normal"): "DejaVuSans.ttf",
    ("bold", "normal"): "DejaVuSans-Bold.ttf",
    ("normal", "italic"): "DejaVuSans-Oblique.ttf",
    ("bold", "italic"): "DejaVuSans-BoldOblique.ttf",
}
# Extra space around every measured label box, on top of the halo (points).
SAFETY_PAD = 0.6
# A label repeating the text of a label placed for a place closer than this (points) is dropped:
# two layers naming the same place (a town and an event there, a country twice).
DUPLICATE_DISTANCE = 40.0
# Gap between a point symbol and its label (points).
SYMBOL_GAP = 1.6


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


@dataclass(frozen=True)
class Position:
    """One place a label may go: its centre and rotation, in page points and degrees."""

    x: float
    y: float
    rotation: float = 0.0


@dataclass(frozen=True)
class Candidate:
    """A label to place.

    Attributes
    ----------
    text : str
        The text as set.
    style : TextStyle
        Its look.
    positions : list of Position
        Where it may go, best first.
    frame : Box
        The label must lie inside this box (the map or inset it belongs to).
    own : hashable or None
        Key of the obstacle (point symbol) the label names; it may touch that one.
    layer : str
        Layer id, for records and tests.
    force : bool
        Placed at its first position inside the frame even if it overlaps
        (author annotations).
    region : shapely geometry or None
        If given, the label must also lie inside this area (page points), e.g.
        a fan-shaped conic map.
    """

    text: str
    style: TextStyle
    positions: list[Position]
    frame: Box
    own: object = None
    layer: str = ""
    force: bool = False
    region: object = None


@dataclass(frozen=True)
class PlacedLabel:
    """A label that was placed.

    Attributes
    ----------
    box : Box
        Its padded bounding box in page points (the text plus halo fits inside).
    own : hashable or None
        Key of the symbol it names.
    """

    text: str
    layer: str
    x: float
    y: float
    rotation: float
    box: Box
    style: TextStyle = field(compare=False)
    own: object = field(default=None, compare=False)


def label_box(text: str, style: TextStyle, position: Position) -> Box:
    """The padded box of `text` centred at `position`."""
    width, height = measure(text, style)
    pad = style.halo + SAFETY_PAD
    return rotated_box(position.x, position.y, width + 2 * pad, height + 2 * pad, position.rotation)


def place_labels(
    candidates: Iterable[Candidate],
    obstacles: Sequence[tuple[object, Box]] = (),
    hideable: Mapping[object, str] | None = None,
) -> tuple[list[PlacedLabel], list[Candidate], list[object]]:
    """Greedy, deterministic label placement.

    Each candidate, in the given order, takes the first of its positions whose
    box lies inside its frame, overlaps no label placed before it and no
    obstacle other than its own symbol. If no position is free, a second pass
    lets it cover *hideable* symbols of its own layer whose labels come later
    (lower priority): those features are then left off the map entirely, as a
    cartographer generalises a crowded settlement layer. Candidates that fit
    nowhere, or that repeat the text of a label placed within
    :data:`DUPLICATE_DISTANCE`, are dropped.

    Parameters
    ----------
    candidates : iterable of Candidate
        In priority order (most important first).
    obstacles : sequence of (key, Box)
        Point symbols (keyed, so a label can sit next to its own symbol) and
        furniture such as insets and the scale bar (key None). An obstacle
        that contains a candidate's whole frame (the inset the label is in)
        does not count for that candidate.
    hideable : mapping, optional
        Symbol key -> layer id, for symbols that a higher-priority label of
        the same layer may cover (and so hide).

    Returns
    -------
    placed : list of PlacedLabel
        The labels that were placed, in placement order.
    dropped : list of Candidate
        The candidates that did not fit (or whose symbol was hidden).
    hidden : list
        Keys of the symbols to leave off the map.
    """
    hideable = hideable or {}
    placed: list[PlacedLabel] = []
    dropped: list[Candidate] = []
    hidden: list[object] = []
    done: set[object] = set()
    anchors: list[tuple[str, tuple[float, float]]] = []
    for cand in candidates:
        if cand.own is not None and cand.own in hidden:
            dropped.append(cand)
            continue
        if _duplicate(cand, anchors):
            dropped.append(cand)
            continue
        chosen, first_inside, covers = None, None, []
        for may_hide in (False, True):
            for pos in cand.positions:
                box = label_box(cand.text, cand.style, pos)
                if not inside(box, cand.frame):
                    continue
                if cand.region is not None and not shapely.contains(cand.region, shapely.box(*box)):
                    continue
                if first_inside is None:
                    first_inside = (pos, box)
                if any(overlaps(box, p.box) for p in placed):
                    continue
                blocking = [
                    key
                    for key, ob in obstacles
                    if (key is None or key != cand.own)
                    and key not in hidden
                    and not inside(cand.frame, ob)
                    and overlaps(box, ob)
                ]
                if may_hide and all(
                    key is not None and hideable.get(key) == cand.layer and key not in done
                    for key in blocking
                ):
                    covers = blocking
                elif blocking:
                    continue
                chosen = (pos, box)
                break
            if chosen is not None or not hideable:
                break
        if chosen is None and cand.force:
            chosen, covers = first_inside, []
        if chosen is None:
            dropped.append(cand)
            continue
        hidden.extend(k for k in covers if k not in hidden)
        pos, box = chosen
        done.add(cand.own)
        anchors.append((cand.text.casefold(), _anchor(cand)))
        placed.append(
            PlacedLabel(
                cand.text, cand.layer, pos.x, pos.y, pos.rotation, box, cand.style, cand.own
            )
        )
    return placed, dropped, hidden


def _anchor(cand: Candidate) -> tuple[float, float]:
    """Where a candidate's positions are centred: the symbol or place it names."""
    xs = [p.x for p in cand.positions]
    ys = [p.y for p in cand.positions]
    return sum(xs) / len(xs), sum(ys) / len(ys)


def _duplicate(cand: Candidate, placed: Sequence[tuple[str, tuple[float, float]]]) -> bool:
    """Whether a label with the same text was placed for a place near this one."""
    if not cand.positions:
        return False
    x, y = _anchor(cand)
    name = cand.text.casefold()
    return any(
        text == name and math.hypot(ax - x, ay - y) <= DUPLICATE_DISTANCE
        for text, (ax, ay) in placed
    )


def point_positions(
    x: float,
    y: float,
    radius: float,
    text: str,
    style: TextStyle,
    radius_y: float | None = None,
) -> list[Position]:
    """Eight positions around a point symbol, in cartographic preference order.

    Right, upper right, lower right, left, upper left, lower left, above, below.

    Parameters
    ----------
    x, y : float
        Centre of the symbol in page points.
    radius : float
        Half the symbol's width in points (0 for a bare point).
    text : str
        The text as set.
    style : TextStyle
        Its look.
    radius_y : float, optional
        Half the symbol's height, if it differs from its width (small areas
        labelled from outside their bounding box).

    Returns
    -------
    list of Position
        Label centres.
    """
    width, height = measure(text, style)
    rx = radius
    ry = radius if radius_y is None else radius_y
    round_symbol = radius_y is None
    gap = SYMBOL_GAP + style.halo
    half_w, half_h = width / 2, height / 2
    dx = (rx * 0.7 if round_symbol else rx) + gap * 0.7
    dy = (ry * 0.7 if round_symbol else ry) + gap * 0.7
    return [
        Position(x + rx + gap + half_w, y),
        Position(x + dx + half_w, y + dy + half_h * 0.8),
        Position(x + dx + half_w, y - dy - half_h * 0.8),
        Position(x - rx - gap - half_w, y),
        Position(x - dx - half_w, y + dy + half_h * 0.8),
        Position(x - dx - half_w, y - dy - half_h * 0.8),
        Position(x, y + ry + gap + half_h),
        Position(x, y - ry - gap - half_h),
    ]
