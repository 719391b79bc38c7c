"""Page layout: title block, map box, legend placement and the caption/credits block.

Every number is in page points (1/72 inch) from the lower left of the page,
and every layout result is a named record.

How the page is shared (deterministic; :func:`layout_page`):

1. The title block takes the top and the caption, credits and projection note
   (:func:`bottom_blocks`) the bottom, both wrapped to the content width. They
   are measured first, so map and legend only ever share what is left between
   them: no legend can push the caption or the "Sources" line off the page.
2. The legend goes right of the map (at three column widths, in as many
   columns as its height needs, up to six) or below it (as many columns as the
   width allows). An option whose legend does not fit the space left has no map.
3. Each rung of :data:`LEGEND_STEPS` is tried in order: the page's type with
   whole sections per column (today's look), then long sections split between
   their rows across columns (a heading stays with the row after it), then the
   legend's text and spacing at 90%, 80% and 70% — never below
   :data:`LEGEND_MIN_LABEL_PT` for labels. Size-key symbols keep their size:
   they must match the map's widths. Long headings and labels wrap to the column.
4. At each rung the option with the biggest map wins (ties: legend right, then
   wider columns). The first rung whose winner keeps at least
   :data:`MIN_MAP_SHARE` of the map area the page would give without a legend
   is taken; if none does, the rung with the biggest map.
5. Last resort, when no rung fits the legend at all: the map takes the top
   :data:`LAST_RESORT_MAP_SHARE` of the space, the legend goes below it at the
   smallest type, cut at the bottom, ending with a note of how many rows were
   left off (``PageLayout.legend.omitted``).

The story maps take rung 0 at every preset, so they look as before.

Small multiples (:func:`layout_grid`) share a page between a grid of equal
panels, each with its header above it, and one legend with the scale bar's block
under it (legend right of the grid) or beside it (legend below), whichever gives
bigger panels.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pyproj

from geo.language import current, tr
from layers.theme import MUTED_TEXT, TEXT
from maps.pages import PT_PER_MM, SizePreset
from maps.print.legend import LegendItem, LegendLayout, layout_legend, legend_styles
from maps.print.text import Box, TextStyle, wrap
from maps.scene import Scene

MARGIN_MM = 6.0  # page margin on every side


@dataclass(frozen=True)
class Page:
    """The page: size and margin in points, and the type scale of its preset."""

    width: float
    height: float
    margin: float
    s: float

    @classmethod
    def of(cls, preset: SizePreset) -> Page:
        """The page of a size preset."""
        return cls(
            preset.width_mm * PT_PER_MM,
            preset.height_mm * PT_PER_MM,
            MARGIN_MM * PT_PER_MM,
            preset.type_scale,
        )

    @property
    def content_width(self) -> float:
        """Width between the margins."""
        return self.width - 2 * self.margin

    def fraction(self, box: Box) -> list[float]:
        """`box` as a figure fraction ``[left, bottom, width, height]`` (for ``add_axes``)."""
        return [
            box[0] / self.width,
            box[1] / self.height,
            (box[2] - box[0]) / self.width,
            (box[3] - box[1]) / self.height,
        ]


@dataclass(frozen=True)
class TitleBlock:
    """Title and subtitle wrapped to the content width, and the height they take."""

    title: list[str]
    subtitle: list[str]
    height: float
    title_style: TextStyle
    subtitle_style: TextStyle


@dataclass(frozen=True)
class TextBlock:
    """Wrapped lines in one style (caption, credits, projection note), their height and SVG id.

    The first line's text gets the id `gid`, further lines ``gid-line-K``.
    """

    style: TextStyle
    lines: list[str]
    height: float
    gid: str = ""


@dataclass(frozen=True)
class LegendStep:
    """One rung of the ladder a legend goes down when the page is short of room.

    Attributes
    ----------
    scale : float
        Legend type (text and spacing, not symbol sizes) relative to the page's.
    split : bool
        Whether a long section may break across columns.
    """

    scale: float
    split: bool


# Tried in this order; the first whose best layout leaves the map MIN_MAP_SHARE of the
# room it would have without a legend wins (see the module docstring).
LEGEND_STEPS = (
    LegendStep(1.0, False),
    LegendStep(1.0, True),
    LegendStep(0.9, True),
    LegendStep(0.8, True),
    LegendStep(0.7, True),
)
LEGEND_MIN_LABEL_PT = 5.0  # legend labels are never set smaller than this
MIN_MAP_SHARE = 0.5
LAST_RESORT_MAP_SHARE = 0.4  # of the height, when the legend is cut to fit below the map
PANEL_GAP = 10.0  # between small-multiple panels, times the type scale


@dataclass(frozen=True)
class LayoutOption:
    """One way to share the page between map and legend."""

    where: str  # "right" or "below"
    map_area: float  # 0 if the legend does not fit
    map_width: float
    map_height: float
    legend: LegendLayout | None
    column_width: float


@dataclass(frozen=True)
class PageLayout:
    """Where the map and legend go.

    Attributes
    ----------
    map_box : Box
        The main map's frame.
    legend_at : (float, float)
        Top-left corner of the legend.
    legend : LegendLayout or None
        The measured legend (None if there is none).
    column_width : float
        Width of one legend column.
    content_bottom : float
        Lowest point of map (with graticule labels) and legend; the caption goes below.
    where : str
        "right" or "below" (the map), or "" without a legend.
    step : int
        Index in :data:`LEGEND_STEPS` of the legend's rung; ``len(LEGEND_STEPS)``
        when the legend had to be cut (``legend.omitted`` rows left off).
    """

    map_box: Box
    legend_at: tuple[float, float]
    legend: LegendLayout | None
    column_width: float
    content_bottom: float
    where: str = ""
    step: int = 0

    @property
    def legend_box(self) -> Box | None:
        """The legend's box on the page (points), None without a legend."""
        if self.legend is None:
            return None
        x, top = self.legend_at
        return (x, top - self.legend.height, x + self.legend.width, top)


def title_block(page: Page, title: str, subtitle: str) -> TitleBlock:
    """Title (bold) and subtitle (muted) wrapped to the content width."""
    s = page.s
    title_style = TextStyle(15 * s, weight="bold", colour=TEXT, halo=0)
    subtitle_style = TextStyle(9.5 * s, colour=MUTED_TEXT, halo=0)
    width = page.content_width
    title_lines = wrap(title, title_style, width)
    subtitle_lines = wrap(subtitle, subtitle_style, width) if subtitle else []
    height = len(title_lines) * title_style.size * 1.25 + 2 * s
    height += len(subtitle_lines) * subtitle_style.size * 1.3 + 6 * s
    return TitleBlock(title_lines, subtitle_lines, height, title_style, subtitle_style)


def bottom_blocks(
    page: Page, scene: Scene, crs: pyproj.CRS, *, credits: str | None = None
) -> list[TextBlock]:
    """Caption, credits (the scene's, in its order) and projection note, wrapped.

    `credits` replaces the scene's credit line (small multiples add who reported
    their panels' totals).
    """
    s = page.s
    width = page.content_width
    caption_style = TextStyle(7.5 * s, colour=TEXT, halo=0)
    credit_style = TextStyle(6.0 * s, colour=MUTED_TEXT, halo=0)

    def block(text: str, style: TextStyle, gap: float, gid: str) -> TextBlock:
        lines = wrap(text, style, width)
        return TextBlock(style, lines, len(lines) * style.size * 1.3 + gap, gid)

    out = []
    if scene.caption:
        out.append(block(scene.caption, caption_style, 3 * s, "fg-caption"))
    line = scene.credit_line() if credits is None else credits
    out.append(block(line, credit_style, 3 * s, "fg-credits"))
    if scene.caption_sources:
        sources = tr("Figures in the caption:") + " " + "; ".join(scene.caption_sources)
        out.append(block(sources, credit_style, 3 * s, "fg-caption-sources"))
    note = projection_note(crs) + " " + tr("Labels: DejaVu Sans.")
    out.append(block(note, credit_style, 3 * s, "fg-projection"))
    return out


def projection_note(crs: pyproj.CRS, *, panels: bool = False) -> str:
    """One sentence naming the map's projection and its parameters, in the current language.

    Parameters
    ----------
    crs : pyproj.CRS
        The projection from :func:`geo.crs.crs_for_extent`.
    panels : bool
        The page's one scale bar is true at the panels' centre (small multiples),
        not at its own position.

    Returns
    -------
    str
        E.g. "Projection: Lambert conformal conic, standard parallels 39.82° and 41.48° N ...".
    """
    params = {}
    for item in crs.srs.split():
        if "=" in item:
            k, v = item.lstrip("+").split("=", 1)
            params[k] = v
    if panels:
        scale = tr("scale bar true at the panels' centre.")
    else:
        scale = tr("scale bar true at its position.")
    if params.get("proj") == "lcc":
        lang = current()
        degrees = {
            k: lang.number(float(params[k]), decimals=2)
            for k in ("lat_1", "lat_2", "lon_0", "lat_0")
        }
        projection = tr(
            "Projection: Lambert conformal conic, standard parallels {lat_1}° and {lat_2}°, "
            "centred on {lon_0}° E, {lat_0}° N (WGS 84);",
            **degrees,
        )
    else:
        projection = tr("Projection: {name} (WGS 84);", name=crs.name)
    return f"{projection} {scale}"


def layout_page(
    page: Page,
    groups: list[list[LegendItem]],
    bounds: tuple[float, float, float, float],
    growth: tuple[float, float],
    avail_h: float,
    top: float,
) -> PageLayout:
    """Map box and legend placement within `avail_h` points below `top`.

    The legend goes right of or below the map, whichever leaves a bigger map,
    going down :data:`LEGEND_STEPS` until the map keeps :data:`MIN_MAP_SHARE`
    of its room; the legend never reaches below ``top - avail_h`` (module docstring).
    """
    s = page.s
    gl = 9 * s  # graticule labels left of and below the frame
    aspect = (bounds[2] - bounds[0]) / (bounds[3] - bounds[1])
    if not groups:
        mw, mh = fit(page.content_width - gl, avail_h - gl, aspect, growth)
        return place(page, LayoutOption("", mw * mh, mw, mh, None, 0.0), top, 0)
    free_w, free_h = fit(page.content_width - gl, avail_h - gl, aspect, growth)
    floor = LEGEND_MIN_LABEL_PT / legend_styles(1.0)[0].size
    fallback: tuple[LayoutOption, int] | None = None
    tried: set[LegendStep] = set()
    for k, step in enumerate(LEGEND_STEPS):
        step = LegendStep(max(step.scale, min(floor / s, 1.0)), step.split)
        if step in tried:
            continue
        tried.add(step)
        options = [
            o for o in layout_options(page, groups, aspect, growth, avail_h, step) if o.map_area > 0
        ]
        if not options:
            continue
        # The biggest map wins; ties go to the right-hand legend, then to wider columns.
        best = options[max(range(len(options)), key=lambda i: (round(options[i].map_area, 3), -i))]
        if best.map_area >= MIN_MAP_SHARE * free_w * free_h:
            return place(page, best, top, k)
        if fallback is None or round(best.map_area, 3) > round(fallback[0].map_area, 3):
            fallback = (best, k)
    if fallback is not None:
        return place(page, fallback[0], top, fallback[1])
    return place(
        page, cut_legend(page, groups, aspect, growth, avail_h, floor), top, len(LEGEND_STEPS)
    )


def layout_options(
    page: Page,
    groups: list[list[LegendItem]],
    aspect: float,
    growth: tuple[float, float],
    avail_h: float,
    step: LegendStep,
) -> list[LayoutOption]:
    """Ways to share the page at one step: legend right (three column widths) or below.

    An option whose legend does not fit has ``map_area`` 0.
    """
    s = page.s
    ls = s * step.scale
    content_w = page.content_width
    gl = 9 * s
    column_w = min(max(0.24 * content_w, 118 * s), 160 * s) * step.scale
    options: list[LayoutOption] = []
    # Right: legend in as many columns as the height needs, at a few column widths.
    for cw in (column_w, 0.8 * column_w, 0.68 * column_w):
        right = layout_legend(groups, cw, avail_h - gl, ls, split=step.split)
        mw, mh = fit(content_w - gl - right.width - 12 * s, avail_h - gl, aspect, growth)
        fits = right.height <= avail_h
        options.append(LayoutOption("right", mw * mh if fits else 0.0, mw, mh, right, cw))
    # Below: legend in as many columns as the width allows.
    n_cols = max(int((content_w + 8 * ls) // (column_w + 8 * ls)), 1)
    below = layout_legend(groups, column_w, None, ls, columns=n_cols, split=step.split)
    mw2, mh2 = fit(content_w - gl, avail_h - gl - below.height - 10 * s, aspect, growth)
    options.append(LayoutOption("below", mw2 * mh2, mw2, mh2, below, column_w))
    return options


def cut_legend(
    page: Page,
    groups: list[list[LegendItem]],
    aspect: float,
    growth: tuple[float, float],
    avail_h: float,
    floor: float,
) -> LayoutOption:
    """Last resort: the map in the top LAST_RESORT_MAP_SHARE, the smallest legend cut below it."""
    s = page.s
    ls = s * min(floor / s, 1.0)
    content_w = page.content_width
    gl = 9 * s
    mw, mh = fit(content_w - gl, LAST_RESORT_MAP_SHARE * avail_h - gl, aspect, growth)
    column_w = min(max(0.24 * content_w, 118 * s), 160 * s) * ls / s
    n_cols = max(int((content_w + 8 * ls) // (column_w + 8 * ls)), 1)
    room = avail_h - gl - mh - 10 * s
    legend = layout_legend(
        groups, column_w, None, ls, columns=n_cols, split=True, limit=max(room, 0.0)
    )
    return LayoutOption("below", mw * mh, mw, mh, legend, column_w)


def place(page: Page, option: LayoutOption, top: float, step: int) -> PageLayout:
    """The page layout of a chosen option, with its map frame `top` points up the page."""
    s = page.s
    gl = 9 * s
    legend = option.legend
    x0 = page.margin + gl
    box = (x0, top - option.map_height, x0 + option.map_width, top)
    if option.where == "right":
        legend_at = (box[2] + 12 * s, top)
        content_bottom = min(box[1] - gl, top - (legend.height if legend else 0))
    elif option.where == "below":
        legend_at = (page.margin, box[1] - gl - 6 * s)
        content_bottom = legend_at[1] - (legend.height if legend else 0)
    else:
        legend_at = (page.margin, box[1] - gl)
        content_bottom = box[1] - gl
    return PageLayout(
        box, legend_at, legend, option.column_width, content_bottom, option.where, step
    )


def fit(
    avail_w: float, avail_h: float, aspect: float, growth: tuple[float, float] = (1.0, 1.0)
) -> tuple[float, float]:
    """Largest map box in avail_w × avail_h for a window of `aspect` (width / height).

    The window may grow by ``growth[0]`` in width or ``growth[1]`` in height to
    fill the space, so the box's aspect may lie anywhere between
    ``aspect / growth[1]`` and ``aspect * growth[0]``.
    """
    if avail_w <= 0 or avail_h <= 0:
        return 0.0, 0.0
    low, high = aspect / growth[1], aspect * growth[0]
    ratio = avail_w / avail_h
    if low <= ratio <= high:
        return avail_w, avail_h
    if ratio > high:
        return avail_h * high, avail_h
    return avail_w, avail_w / low


# --- small multiples: a grid of equal panels with one legend and scale bar -----------------


@dataclass(frozen=True)
class GridLayout:
    """Where the panels, legend and scale bar go (page points).

    Attributes
    ----------
    where : str
        The legend "right" of the grid or "below" it ("" without a legend).
    panel_w, panel_h : float
        Each panel's map box.
    header_h : float
        Room above each panel for its title and totals.
    columns, rows : int
        The grid.
    top : float
        Top of the grid.
    legend : LegendLayout or None
        The measured legend.
    legend_at, scale_at : (float, float)
        Top-left corners of the legend and of the scale bar's block.
    scale_w : float
        Width of the scale bar's block.
    content_bottom : float
        Lowest point of grid, legend and scale bar; the caption goes below.
    gap : float
        Between panels.
    left : float
        Left edge of the grid.
    """

    where: str
    panel_w: float
    panel_h: float
    header_h: float
    columns: int
    rows: int
    top: float
    legend: LegendLayout | None
    legend_at: tuple[float, float]
    scale_at: tuple[float, float]
    scale_w: float
    content_bottom: float
    gap: float
    left: float

    def panel_box(self, n: int) -> Box:
        """Map box of panel `n` (0-based, row by row)."""
        row, col = divmod(n, self.columns)
        x0 = self.left + col * (self.panel_w + self.gap)
        top = self.top - row * (self.header_h + self.panel_h + self.gap) - self.header_h
        return (x0, top - self.panel_h, x0 + self.panel_w, top)

    @property
    def bottom(self) -> float:
        """Bottom of the grid's last row."""
        return self.top - self.rows * (self.header_h + self.panel_h) - (self.rows - 1) * self.gap


def fit_grid(
    avail_w: float,
    avail_h: float,
    count: int,
    columns: int,
    aspect: float,
    growth: tuple[float, float],
    header_h: Callable[[float], float],
    gap: float,
) -> tuple[float, float, float]:
    """The biggest panels (width, height, header height) `columns` to a row in the space."""
    columns = min(columns, count)
    rows = math.ceil(count / columns)
    cell_w = (avail_w - (columns - 1) * gap) / columns
    cell_h = (avail_h - (rows - 1) * gap) / rows
    w = cell_w
    for _ in range(4):  # narrower panels wrap their headers onto more lines
        head = header_h(w)
        w2, h = fit(cell_w, cell_h - head, aspect, growth)
        if w2 >= w - 0.01:
            break
        w = w2
    head = header_h(w)
    w, h = fit(cell_w, cell_h - head, aspect, growth)
    return w, h, head


def layout_grid(
    page: Page,
    groups: list[list[LegendItem]],
    count: int,
    columns: int,
    aspect: float,
    growth: tuple[float, float],
    header_h: Callable[[float], float],
    avail_h: float,
    top: float,
    scale_h: float,
) -> GridLayout:
    """Panels, legend and scale bar: the legend right of or below the grid, for bigger panels.

    `header_h` gives the room a panel's header takes above a panel of a given
    width (headers wrap to the panel); `scale_h` the scale bar's block's height.
    Without room, the panels come out 0 wide (the caller says so).
    """
    s = page.s
    gap = PANEL_GAP * s
    content_w = page.content_width
    column_w = min(max(0.2 * content_w, 110 * s), 150 * s)
    columns = min(columns, count)
    rows = math.ceil(count / columns)
    options = []
    # Right: legend columns as its height needs, the scale bar's block under them.
    right = (
        layout_legend(groups, column_w, avail_h - scale_h - 8 * s, s)
        if groups
        else LegendLayout([], column_w, 0.0, column_w, s)
    )
    side_w = max(right.width, column_w)
    w, h, head = fit_grid(
        content_w - side_w - 14 * s, avail_h, count, columns, aspect, growth, header_h, gap
    )
    if right.height + scale_h + 8 * s <= avail_h:
        options.append(("right", w * h, w, h, head, right))
    # Below: legend across the page but for the scale bar's block at its right.
    n_cols = max(int((content_w - column_w - 14 * s + 8 * s) // (column_w + 8 * s)), 1)
    below = layout_legend(groups, column_w, None, s, columns=n_cols) if groups else None
    below_h = max(below.height if below else 0.0, scale_h)
    w2, h2, head2 = fit_grid(
        content_w, avail_h - below_h - 10 * s, count, columns, aspect, growth, header_h, gap
    )
    options.append(("below", w2 * h2, w2, h2, head2, below))
    where, _, w, h, head, legend = max(options, key=lambda o: round(o[1], 3))
    x0 = page.margin
    grid_w = columns * w + (columns - 1) * gap
    grid_h = rows * (head + h) + (rows - 1) * gap
    if where == "right":
        lx = x0 + grid_w + 14 * s
        legend_at = (lx, top)
        scale_top = top - (legend.height + 8 * s if legend and legend.height else 0.0)
        scale_at = (lx, scale_top)
        bottom = min(top - grid_h, scale_top - scale_h)
    else:
        legend_at = (x0, top - grid_h - 10 * s)
        scale_at = (x0 + content_w - column_w, legend_at[1])
        bottom = legend_at[1] - below_h
    if legend is not None and not groups:
        legend = None
    return GridLayout(
        where=where,
        panel_w=w,
        panel_h=h,
        header_h=head,
        columns=columns,
        rows=rows,
        top=top,
        legend=legend,
        legend_at=legend_at,
        scale_at=scale_at,
        scale_w=column_w,
        content_bottom=bottom,
        gap=gap,
        left=x0,
    )
