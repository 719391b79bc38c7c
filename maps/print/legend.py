"""Legend layout and drawing: the scene's legend sections as rows, measured, in columns, drawn.

What the legend says (sections, rows, size keys, "not reported" rows) is the
scene's (:mod:`maps.scene.legend`); this module turns it into :class:`LegendItem`
rows, splits them into columns and draws them. Every text gets a stable SVG id:
``fg-legend-heading-N``, ``fg-legend-row-N`` (size-key rows included, in order)
and ``fg-legend-key-title-N``; a wrapped text's further lines add ``-line-K``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon, Rectangle
from matplotlib.transforms import Transform

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


@dataclass(frozen=True)
class LegendLayout:
    """Legend rows split into columns, with their heights (points)."""

    columns: list[list[tuple[LegendItem, list[str], float]]]
    width: float
    height: float


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


def layout_legend(
    groups: list[list[LegendItem]],
    column_width: float,
    max_height: float | None,
    s: float,
    *,
    columns: int | None = None,
    max_columns: int = 6,
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
        Type scale.
    columns : int, optional
        Use exactly this many columns (at most one per group) instead.
    max_columns : int
        Upper limit when fitting `max_height`.

    Returns
    -------
    LegendLayout
        Rows per column, total width and height in points.
    """
    label_style, head_style = legend_styles(s)
    swatch_w = 20 * s
    text_w = column_width - swatch_w - 5 * s
    measured: list[list[tuple[LegendItem, list[str], float]]] = []
    for group in groups:
        rows = []
        for item in group:
            if item.kind in ("heading", "subheading"):
                style = head_style if item.kind == "heading" else label_style
                lines = wrap(item.label, style, column_width)
                height = len(lines) * style.size * 1.2 + 3 * s
            else:
                lines = wrap(item.label, label_style, text_w)
                swatch_h = max(10 * s, item.width + 2 * s)
                height = max(swatch_h, len(lines) * label_style.size * 1.2) + 2.5 * s
            rows.append((item, lines, height))
        measured.append(rows)
    total = sum(h for rows in measured for _, _, h in rows)
    gap = 4 * s
    fixed = columns is not None
    tries = range(1, max_columns + 1)
    if columns is not None:
        n_fixed = max(min(columns, len(measured)), 1)
        tries = range(n_fixed, n_fixed + 1)
    for n in tries:
        target = total / n
        split: list[list] = [[]]
        heights = [0.0]
        for rows in measured:
            group_h = sum(h for _, _, h in rows) + gap
            if split[-1] and heights[-1] + group_h > target * 1.15 and len(split) < n:
                split.append([])
                heights.append(0.0)
            split[-1].extend(rows)
            split[-1].append((LegendItem("gap", ""), [], gap))
            heights[-1] += group_h
        height = max(heights)
        if fixed or max_height is None or height <= max_height or n == max_columns:
            width = len(split) * column_width + (len(split) - 1) * 8 * s
            return LegendLayout(columns=split, width=width, height=height)
    raise AssertionError("unreachable")


def legend_styles(s: float) -> tuple[TextStyle, TextStyle]:
    """Label and heading text styles of the legend at type scale `s`."""
    return TextStyle(6.6 * s, halo=0), TextStyle(7.0 * s, weight="bold", halo=0)


def draw_legend(
    ax: Axes,
    transform: Transform,
    layout: LegendLayout,
    x: float,
    top: float,
    column_width: float,
    s: float,
) -> None:
    """Draw a measured legend with its top-left corner at (x, top) page points."""
    label_style, head_style = legend_styles(s)
    swatch_w = 20 * s
    for c, column in enumerate(layout.columns):
        cx = x + c * (column_width + 8 * s)
        y = top
        for item, lines, height in column:
            if item.kind in ("heading", "subheading"):
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
