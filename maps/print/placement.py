"""Label placement: a greedy, deterministic collision solver in page points.

Candidates are tried in priority order, each at a fixed list of positions; every
box is padded by the halo width plus a small safety margin; a label that fits
nowhere is dropped rather than overlapped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import shapely

from maps.print.text import Box, TextStyle, inside, measure, overlaps, rotated_box

# Extra space around every measured label box, on top of the halo (points).
SAFETY_PAD = 0.6
# A label repeating the text of a label placed for a place closer than this (points) is dropped:
# two layers naming the same place (a town and an event there, a country twice).
DUPLICATE_DISTANCE = 40.0
# Gap between a point symbol and its label (points).
SYMBOL_GAP = 1.6


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
    plan : int
        Index of the label in the scene's label plan (-1 if none).
    gid : str
        SVG id of the drawn text.
    """

    text: str
    style: TextStyle
    positions: list[Position]
    frame: Box
    own: object = None
    layer: str = ""
    force: bool = False
    region: object = None
    plan: int = -1
    gid: str = ""


@dataclass(frozen=True)
class PlacedLabel:
    """A label that was placed.

    Attributes
    ----------
    box : Box
        Its padded bounding box in page points (the text plus halo fits inside).
    own : hashable or None
        Key of the symbol it names.
    plan : int
        Index of the label in the scene's label plan.
    gid : str
        SVG id of the drawn text (``fg-label-PLAN``, with a suffix in magnifiers).
    """

    text: str
    layer: str
    x: float
    y: float
    rotation: float
    box: Box
    style: TextStyle = field(compare=False)
    own: object = field(default=None, compare=False)
    plan: int = field(default=-1, compare=False)
    gid: str = field(default="", compare=False)


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
                cand.text,
                cand.layer,
                pos.x,
                pos.y,
                pos.rotation,
                box,
                cand.style,
                cand.own,
                cand.plan,
                cand.gid,
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
