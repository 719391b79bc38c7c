"""Legend layout and drawing: the scene's legend sections as rows, measured, in columns, drawn.

What the legend says (sections, rows, size keys, "not reported" rows) is the
scene's (:mod:`maps.scene.legend`); this module turns it into :class:`LegendItem`
rows, splits them into columns and draws them. Every text gets a stable SVG id:
``fg-legend-heading-N``, ``fg-legend-row-N`` (size-key rows included, in order)
and ``fg-legend-key-title-N``; a wrapped text's further lines add ``-line-K``.

Labels start after the widest swatch (:func:`swatch_width`): 20 × the type scale,
or the widest size-key circle or point marker. How much room the legend gets,
and at which type size, is the page's decision (:mod:`maps.print.page`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon, Rectangle
from matplotlib.transforms import Transform

from geo.language import tr_n
from layers.style import Style
from maps.print.symbols import PX_TO_PT, dash_pattern, line_pt, marker_line, rgba
from maps.print.text import TextStyle, put_text, wrap
from maps.scene import LegendSection


@dataclass(frozen=True)
class LegendItem:
    """One legend row: a heading (``kind="heading"``) or a swatch with a label.

    For size keys `width` is the drawn line width or symbol diameter in points;
    `gid` is the SVG id of the row's text.
    """

    kind: str  # "heading", "subheading", "area", "line", "point", "flow", "size_line", ...
    label: str
    style: Style | None = None
    width: float = 0.0
    gid: str = ""


Measured = tuple[LegendItem, list[str], float]  # a row, its wrapped lines, its height


@dataclass(frozen=True)
class LegendLayout:
    """Legend rows split into columns, with their sizes (points).

    Attributes
    ----------
    columns : list of list of (LegendItem, lines, height)
        The rows of each column, top to bottom; a section ends with a ``"gap"`` row.
    width, height : float
        The whole legend.
    column_width : float
        Width of one column (columns are 8 × `s` apart).
    s : float
        The legend's type scale (the page's, or smaller where the page is short of room).
    swatch_width : float
        Room for the swatches: 20 × `s`, or the widest symbol's width; labels start after it.
    omitted : int
        Rows left off because even the smallest legend did not fit (a last-resort note says so).
    """

    columns: list[list[Measured]]
    width: float
    height: float
    column_width: float = 0.0
    s: float = 1.0
    swatch_width: float = 0.0
    omitted: int = 0


def legend_items(sections: Sequence[LegendSection]) -> list[list[LegendItem]]:
    """Legend rows grouped by section, in the scene's order.

    A section's heading (if any), its rows, then its size key's title and rows.
    """
    out: list[list[LegendItem]] = []
    count = {"heading": 0, "row": 0, "key-title": 0}

    def gid(kind: str) -> str:
        count[kind] += 1
        return f"fg-legend-{kind}-{count[kind] - 1}"

    for section in sections:
        group: list[LegendItem] = []
        if section.heading:
            group.append(LegendItem("heading", section.heading, gid=gid("heading")))
        for row in section.rows:
            group.append(LegendItem(row.kind, row.label, row.style, gid=gid("row")))
        key = section.size_key
        if key is not None:
            if key.title:
                group.append(LegendItem("subheading", key.title, gid=gid("key-title")))
            kind = "size_point" if key.kind == "point" else "size_line"
            for key_row in key.rows:
                width = key_row.size * PX_TO_PT
                group.append(LegendItem(kind, key_row.label, key_row.style, width, gid("row")))
        if group:
            out.append(group)
    return out


def swatch_width(groups: list[list[LegendItem]], s: float) -> float:
    """Room for the swatches: 20 × `s`, or the widest symbol plus a little air.

    Size-key circles and large point markers can be wider than the usual swatch;
    every label of the legend then starts after the widest of them.
    """
    widest = 0.0
    for group in groups:
        for item in group:
            if item.kind == "size_point":
                widest = max(widest, item.width)
            elif item.kind == "point" and item.style is not None:
                widest = max(widest, item.style.marker_size * PX_TO_PT)
    return max(20 * s, widest + 2 * s)


def measure_rows(
    groups: list[list[LegendItem]], column_width: float, s: float, swatch_w: float
) -> list[list[Measured]]:
    """Every row wrapped to the column and measured (points), grouped by section."""
    label_style, head_style = legend_styles(s)
    text_w = column_width - swatch_w - 5 * s
    measured: list[list[Measured]] = []
    for group in groups:
        rows = []
        for item in group:
            if item.kind in ("heading", "subheading", "note"):
                style = head_style if item.kind == "heading" else label_style
                lines = wrap(item.label, style, column_width)
                height = len(lines) * style.size * 1.2 + 3 * s
            else:
                lines = wrap(item.label, label_style, text_w)
                swatch_h = max(10 * s, item.width + 2 * s)
                height = max(swatch_h, len(lines) * label_style.size * 1.2) + 2.5 * s
            rows.append((item, lines, height))
        measured.append(rows)
    return measured


def layout_legend(
    groups: list[list[LegendItem]],
    column_width: float,
    max_height: float | None,
    s: float,
    *,
    columns: int | None = None,
    max_columns: int = 6,
    split: bool = False,
    limit: float | None = None,
) -> LegendLayout:
    """Measure legend rows and split them into columns.

    Parameters
    ----------
    groups : list of list of LegendItem
        From :func:`legend_items`.
    column_width : float
        Width of one column in points.
    max_height : float or None
        Use the fewest columns whose height fits this (points).
    s : float
        Type scale of the legend.
    columns : int, optional
        Use exactly this many columns instead (without `split`, at most one per section).
    max_columns : int
        Upper limit when fitting `max_height`.
    split : bool
        Let a long section break between its rows into the next column (a heading
        stays with the row after it); otherwise a column break falls between sections.
    limit : float, optional
        Last resort: cut every column at this height and end the legend with a
        note saying how many rows were left off.

    Returns
    -------
    LegendLayout
        Rows per column, total width and height in points.
    """
    swatch_w = swatch_width(groups, s)
    measured = measure_rows(groups, column_width, s, swatch_w)
    gap = 4 * s
    units = _units(measured, gap, split)
    total = sum(h for rows in measured for _, _, h in rows)  # gaps left out
    n_units = len(units)
    tries = range(1, max_columns + 1)
    if columns is not None:
        n_fixed = max(min(columns, n_units), 1)
        tries = range(n_fixed, n_fixed + 1)
    for n in tries:
        split_rows = _columns(units, n, total) if split else _columns_by_section(units, n, total)
        height = max(sum(h for _, _, h in column) for column in split_rows)
        last = n == tries[-1]
        if columns is not None or max_height is None or height <= max_height or last:
            omitted = 0
            if limit is not None and height > limit:
                split_rows, omitted = _cut(split_rows, limit, column_width, s)
                height = max(sum(h for _, _, h in column) for column in split_rows)
            width = len(split_rows) * column_width + (len(split_rows) - 1) * 8 * s
            return LegendLayout(split_rows, width, height, column_width, s, swatch_w, omitted)
    raise AssertionError("unreachable")


def _units(measured: list[list[Measured]], gap: float, split: bool) -> list[list[Measured]]:
    """The pieces columns are made of: whole sections, or (`split`) rows with their headings.

    A size key is one piece: its title and rows are never split across columns.
    """
    gap_row: Measured = (LegendItem("gap", ""), [], gap)
    if not split:
        return [[*rows, gap_row] for rows in measured]
    units: list[list[Measured]] = []
    for rows in measured:
        pending: list[Measured] = []
        for row in rows:
            pending.append(row)
            # a heading stays with the row after it; a size key (title and rows) stays whole,
            # since its rows are read against each other
            if row[0].kind not in ("heading", "subheading") and not row[0].kind.startswith("size_"):
                units.append(pending)
                pending = []
        if pending:
            units.append(pending)
        units[-1] = [*units[-1], gap_row]
    return units


def _height(unit: list[Measured]) -> float:
    return sum(h for _, _, h in unit)


def _columns_by_section(units: list[list[Measured]], n: int, total: float) -> list[list[Measured]]:
    """Whole sections in at most `n` columns, a new column once one passes its share (+15%)."""
    target = total / n
    out: list[list[Measured]] = [[]]
    heights = [0.0]
    for unit in units:
        unit_h = _height(unit)
        if out[-1] and heights[-1] + unit_h > target * 1.15 and len(out) < n:
            out.append([])
            heights.append(0.0)
        out[-1].extend(unit)
        heights[-1] += unit_h
    return out


def _columns(units: list[list[Measured]], n: int, total: float) -> list[list[Measured]]:
    """Units in at most `n` columns of the least height greedy filling reaches.

    The column height starts at an even share and grows by the smallest
    overflow until the units fit in `n` columns.
    """
    cap = max(total / n, max(_height(unit) for unit in units))
    while True:
        out: list[list[Measured]] = [[]]
        height = 0.0
        overflow = math.inf
        for unit in units:
            unit_h = _height(unit)
            if out[-1] and height + unit_h > cap + 1e-9:
                overflow = min(overflow, height + unit_h - cap)
                out.append([])
                height = 0.0
            out[-1].extend(unit)
            height += unit_h
        if len(out) <= n:
            return out
        cap += overflow


def _cut(
    columns: list[list[Measured]], limit: float, column_width: float, s: float
) -> tuple[list[list[Measured]], int]:
    """The rows refilled, in order, into as many columns of at most `limit` points.

    The rows that do not fit are left off at the end, where a note says how many.
    """
    label_style, _ = legend_styles(s)

    def note(count: int) -> Measured:
        # English keeps its one form (outputs byte-identical); Russian has three.
        text = tr_n(
            "… and {n} more legend rows, too many for this page size",
            "… and {n} more legend rows, too many for this page size",
            count,
        )
        lines = wrap(text, label_style, column_width)
        return LegendItem("note", text), lines, len(lines) * label_style.size * 1.2 + 3 * s

    rows = [row for column in columns for row in column]
    n = len(columns)
    worst = note(len(rows))[2]  # room kept for the note in the last column
    kept: list[list[Measured]] = [[]]
    height = 0.0
    used = 0
    for row in rows:
        if height + row[2] > limit - (worst if len(kept) == n else 0.0):
            if len(kept) == n or row[2] > limit - (worst if len(kept) + 1 == n else 0.0):
                break
            kept.append([])
            height = 0.0
        kept[-1].append(row)
        height += row[2]
        used += 1
    omitted = sum(1 for row in rows[used:] if row[0].kind != "gap")
    if omitted:
        kept[-1].append(note(omitted))
    return kept, omitted


def legend_styles(s: float) -> tuple[TextStyle, TextStyle]:
    """Label and heading text styles of the legend at type scale `s`."""
    return TextStyle(6.6 * s, halo=0), TextStyle(7.0 * s, weight="bold", halo=0)


def draw_legend(ax: Axes, transform: Transform, layout: LegendLayout, x: float, top: float) -> None:
    """Draw a measured legend with its top-left corner at (x, top) page points.

    Labels start after the widest swatch (:func:`swatch_width`), so a big
    size-key symbol never runs into its label.
    """
    s = layout.s
    label_style, head_style = legend_styles(s)
    swatch_w = layout.swatch_width
    for c, column in enumerate(layout.columns):
        cx = x + c * (layout.column_width + 8 * s)
        y = top
        for item, lines, height in column:
            if item.kind in ("heading", "subheading", "note"):
                style = head_style if item.kind == "heading" else label_style
                for i, line in enumerate(lines):
                    put_text(
                        ax,
                        cx,
                        y - style.size * (0.95 + 1.2 * i),
                        line,
                        style,
                        transform,
                        zorder=70,
                        gid=line_id(item.gid, i),
                    )
            elif item.kind != "gap":
                mid = y - height / 2 + 1.2 * s
                _swatch(ax, transform, item, cx, mid, swatch_w, s)
                n = len(lines)
                for i, line in enumerate(lines):
                    offset = (n - 1) / 2 - i
                    put_text(
                        ax,
                        cx + swatch_w + 5 * s,
                        mid + offset * label_style.size * 1.2,
                        line,
                        label_style,
                        transform,
                        va="center_baseline",
                        zorder=70,
                        gid=line_id(item.gid, i),
                    )
            y -= height


def line_id(gid: str, line: int) -> str | None:
    """SVG id of line `line` of a wrapped text whose id is `gid`."""
    if not gid:
        return None
    return gid if line == 0 else f"{gid}-line-{line}"


def _swatch(
    ax: Axes, transform: Transform, item: LegendItem, x: float, y: float, w: float, s: float
) -> None:
    style = item.style or Style()
    common = {"transform": transform, "clip_on": False, "zorder": 70}
    if item.kind == "area":
        h = 8 * s
        ax.add_patch(
            Rectangle(
                (x + 1, y - h / 2),
                w - 2,
                h,
                facecolor=rgba(style.fill, style.fill_opacity),
                edgecolor=rgba(style.stroke, style.stroke_opacity),
                linewidth=line_pt(style) if style.stroke else 0,
                linestyle=dash_pattern(style),
                **common,
            )
        )
    elif item.kind == "line":
        ax.add_line(
            Line2D(
                [x, x + w],
                [y, y],
                color=rgba(style.stroke, style.stroke_opacity),
                linewidth=line_pt(style),
                linestyle=dash_pattern(style),
                solid_capstyle="butt",
                dash_capstyle="butt",
                **common,
            )
        )
    elif item.kind == "point":
        ax.add_line(
            marker_line(
                [x + w / 2],
                [y],
                style,
                style.marker_size * PX_TO_PT,
                **common,
            )
        )
    elif item.kind in ("flow", "size_line"):
        width = item.width if item.kind == "size_line" else line_pt(style)
        colour = rgba(style.stroke or style.fill, style.stroke_opacity)
        head = min(max(width * 1.6, 4.0 * s), w * 0.45)
        half = width / 2 + 2.0 * s
        ax.add_line(
            Line2D(
                [x, x + w - head],
                [y, y],
                color=colour,
                linewidth=width,
                linestyle=dash_pattern(style, width),
                solid_capstyle="butt",
                dash_capstyle="butt",
                **common,
            )
        )
        ax.add_patch(
            Polygon(
                [(x + w, y), (x + w - head, y + half), (x + w - head, y - half)],
                closed=True,
                facecolor=rgba(style.fill or style.stroke, style.fill_opacity),
                edgecolor="none",
                **common,
            )
        )
    elif item.kind == "size_point":
        ax.add_line(
            marker_line(
                [x + w / 2],
                [y],
                style,
                item.width,
                marker="o",
                **common,
            )
        )
