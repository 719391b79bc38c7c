"""Page layout: title block, map box, legend placement and the caption/credits block.

Every number is in page points (1/72 inch) from the lower left of the page,
and every layout result is a named record.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyproj

from layers.theme import MUTED_TEXT, TEXT
from maps.pages import PT_PER_MM, SizePreset
from maps.print.legend import LegendItem, LegendLayout, layout_legend
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
    """

    map_box: Box
    legend_at: tuple[float, float]
    legend: LegendLayout | None
    column_width: float
    content_bottom: float


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


def bottom_blocks(page: Page, scene: Scene, crs: pyproj.CRS) -> list[TextBlock]:
    """Caption, credits (the scene's, in its order) and projection note, wrapped."""
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
    out.append(block(scene.credit_line(), credit_style, 3 * s, "fg-credits"))
    if scene.caption_sources:
        sources = "Figures in the caption: " + "; ".join(scene.caption_sources)
        out.append(block(sources, credit_style, 3 * s, "fg-caption-sources"))
    note = projection_note(crs) + " Labels: DejaVu Sans."
    out.append(block(note, credit_style, 3 * s, "fg-projection"))
    return out


def projection_note(crs: pyproj.CRS) -> str:
    """One sentence naming the map's projection and its parameters.

    Parameters
    ----------
    crs : pyproj.CRS
        The projection from :func:`geo.crs.crs_for_extent`.

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
    if params.get("proj") == "lcc":
        return (
            "Projection: Lambert conformal conic, standard parallels "
            f"{float(params['lat_1']):.2f}° and {float(params['lat_2']):.2f}°, centred on "
            f"{float(params['lon_0']):.2f}° E, {float(params['lat_0']):.2f}° N (WGS 84); "
            "scale bar true at its position."
        )
    return f"Projection: {crs.name} (WGS 84); scale bar true at its position."


def layout_page(
    page: Page,
    groups: list[list[LegendItem]],
    bounds: tuple[float, float, float, float],
    growth: tuple[float, float],
    avail_h: float,
    top: float,
) -> PageLayout:
    """Map box and legend placement.

    The legend goes right of or below the map, whichever leaves a bigger map.
    """
    s = page.s
    content_w = page.content_width
    gl = 9 * s  # graticule labels left of and below the frame
    aspect = (bounds[2] - bounds[0]) / (bounds[3] - bounds[1])
    column_w = min(max(0.24 * content_w, 118 * s), 160 * s)
    options: list[LayoutOption] = []
    # Right: legend in as many columns as the height needs, at a few column widths.
    for cw in (column_w, 0.8 * column_w, 0.68 * column_w):
        right = layout_legend(groups, cw, avail_h - gl, s) if groups else None
        panel_w = (right.width + 12 * s) if right else 0
        mw, mh = fit(content_w - gl - panel_w, avail_h - gl, aspect, growth)
        fits = right is None or right.height <= avail_h
        options.append(LayoutOption("right", mw * mh if fits else 0.0, mw, mh, right, cw))
    # Below: legend in as many columns as the width allows.
    n_cols = max(int((content_w + 8 * s) // (column_w + 8 * s)), 1)
    below = layout_legend(groups, column_w, None, s, columns=n_cols) if groups else None
    below_h = (below.height + 10 * s) if below else 0
    mw2, mh2 = fit(content_w - gl, avail_h - gl - below_h, aspect, growth)
    options.append(LayoutOption("below", mw2 * mh2, mw2, mh2, below, column_w))
    # The biggest map wins; ties go to the right-hand legend, then to wider columns.
    best = options[max(range(len(options)), key=lambda k: (round(options[k].map_area, 3), -k))]
    legend = best.legend
    x0 = page.margin + gl
    box = (x0, top - best.map_height, x0 + best.map_width, top)
    if best.where == "right":
        legend_at = (box[2] + 12 * s, top)
        content_bottom = min(box[1] - gl, top - (legend.height if legend else 0))
    else:
        legend_at = (page.margin, box[1] - gl - 6 * s)
        content_bottom = legend_at[1] - (legend.height if legend else 0)
    return PageLayout(box, legend_at, legend, best.column_width, content_bottom)


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
