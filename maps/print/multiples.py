"""Small multiples: one print page of panels, one per time step of the map's series.

A spec's ``[multiples]`` table (:class:`maps.spec_series.Multiples`) asks for the
page; :func:`maps.scene.series.time_steps` gives its steps and
:func:`~maps.scene.series.scene_at` the scene of each. Every panel is the map at
its step: the map's projection, extent, layers, relief and graticule (without
its labels), with the scene's labels placed per panel by the collision solver
(most drop at panel size, the most important stay). Above each panel, its step
("13 June 2010") and the reported totals as of that step ("Refugees reported in
Uzbekistan: 75,000–100,000 (as of 13 June)"). The page has one legend (the whole
series' legend: hidden features keep their rows, so the legend and size scales
are the same in every panel), one scale bar (every panel has the same scale),
one caption and one credits line, which also names who reported the panels'
totals.

Layout (page points; :func:`maps.print.page.layout_grid`):

1. The page is ``[multiples] size``, else the spec's ``print_size`` — turned
   landscape (``a4`` → ``a4-landscape``, a custom size with its sides swapped)
   when the grid of panels is wider than tall, since a wide grid on a portrait
   page leaves half of it empty (:func:`multiples_preset`).
2. Title block at the top, caption and credits at the bottom, as on a single map.
3. The legend (with the scale bar under it) goes right of the grid, or below it
   (the scale bar at its right), whichever gives bigger panels. Panels are all
   the same size, `columns` to a row; each panel's header (title and totals,
   wrapped to the panel's width) takes as much room as the tallest header.

SVG ids: ``fg-panel-N`` (the panel's map group, N = 1, 2, ... in step order),
``fg-panel-title-N``, ``fg-panel-total-N-K`` (K = 1, 2, ... the step's totals),
``fg-legend``, ``fg-scale``, ``fg-caption``, ``fg-credits``, ``fg-projection``;
a panel's flows ``fg-flow-L-F-pN`` and labels ``fg-label-P-pN`` (P indexes the
panel scene's label plan). Files: ``ID.NAME.png``, ``.svg`` and ``.pdf``.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import matplotlib
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import geo
from geo.crs import crs_for_extent
from geo.language import current, speaking, tr
from layers.theme import PAPER, SEA
from maps.pages import PT_PER_MM, SIZES, SizePreset, StaticExportError, resolve_size
from maps.print.context import MapContext
from maps.print.drawing import draw_map, draw_notes
from maps.print.export import RC, check_dpi, check_folder, render_bytes, target_path
from maps.print.figure import (
    clip_to_fan,
    draw_bottom,
    draw_titles,
    legend_rows,
    put_labels,
    shown_layers,
)
from maps.print.flows import FlowRecord
from maps.print.furniture import (
    NORTH_ARROW_THRESHOLD,
    ScaleBar,
    convergence,
    draw_north_arrow,
    draw_scale_bar,
    max_convergence,
    scale_bar_geometry,
    scale_note,
    scale_variation,
)
from maps.print.insets import SCALE_NOTE_VARIATION
from maps.print.labelling import Panel, plan_candidates
from maps.print.legend import draw_legend, line_id
from maps.print.page import (
    GridLayout,
    Page,
    TextBlock,
    bottom_blocks,
    layout_grid,
    projection_note,
    title_block,
)
from maps.print.placement import PlacedLabel, place_labels
from maps.print.text import Box, TextStyle, put_text, words, wrap, wrap_words
from maps.print.view import (
    View,
    fit_limits,
    frame_axes,
    geometry_on_page,
    main_window,
    page_transform,
    project,
)
from maps.scene import Scene
from maps.scene.series import (
    SeriesError,
    StepTotal,
    TimeStep,
    scene_at,
    series_scene,
    time_steps,
)
from maps.spec_series import Multiples

FORMATS = ("png", "svg", "pdf")
DPI = 300.0  # of the PNG, as a single map's
TITLE_PT = 8.5  # panel title size at type scale 1
TOTAL_PT = 6.4  # panel totals size at type scale 1
MIN_PANEL_MM = 30.0  # narrower panels are postage stamps: the page says it cannot hold them


@dataclass
class PanelRecord:
    """One panel as drawn, for tests and inspection.

    Attributes
    ----------
    step : TimeStep
        The step it shows.
    view : View
        Its map window and page box.
    flows : list of FlowRecord
        Flows drawn in it.
    features : int
        Features of the timed layers drawn in it (in view at the step).
    labels : list of PlacedLabel
        Labels placed in it.
    dropped : list of str
        Labels that did not fit.
    """

    step: TimeStep
    view: View
    flows: list[FlowRecord] = field(default_factory=list)
    features: int = 0
    labels: list[PlacedLabel] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


@dataclass
class MultiplesInfo:
    """What the page holds (``figure.fergana``)."""

    page_size_pt: tuple[float, float]
    type_scale: float
    grid: GridLayout
    panels: list[PanelRecord] = field(default_factory=list)
    scale_bar: ScaleBar | None = None
    credit_line: str = ""


@dataclass(frozen=True)
class PanelHeader:
    """A panel's title and totals, wrapped to the panel's width (one list of lines each)."""

    title: list[str]
    totals: list[list[str]]


# --- page and layout -------------------------------------------------------------------------


def multiples_preset(scene: Scene, multiples: Multiples, aspect: float, count: int) -> SizePreset:
    """The page: ``[multiples] size``, else the spec's ``print_size`` turned to fit the grid.

    A portrait page becomes landscape (``a4`` → ``a4-landscape``; a custom size has
    its sides swapped) when the grid (`count` panels of `aspect`, width / height,
    `columns` to a row) is wider than tall.
    """
    if multiples.size:
        return resolve_size(multiples.size)
    size = scene.spec.print_size
    preset = resolve_size(size)
    rows = math.ceil(count / multiples.columns)
    wide = min(multiples.columns, count) * aspect > rows
    if not wide or preset.width_mm >= preset.height_mm:
        return preset
    if isinstance(size, str) and f"{size}-landscape" in SIZES:
        return resolve_size(f"{size}-landscape")
    return resolve_size((preset.height_mm, preset.width_mm))


def panel_styles(s: float) -> tuple[TextStyle, TextStyle]:
    """Panel title (bold) and totals text styles at type scale `s`."""
    return TextStyle(TITLE_PT * s, weight="bold", halo=0), TextStyle(TOTAL_PT * s, halo=0)


def total_text(total: StepTotal, step: TimeStep) -> str:
    """One total as a panel shows it: "Refugees in Uzbekistan: 75,000 (as of 13 June)"."""
    return f"{total.title}: {total.text}{as_of(total, step)}"


def as_of(total: StepTotal, step: TimeStep) -> str:
    """The day of the report, " (as of 13 June)" (its year too if not the step's); "" if none.

    In the current language: Russian " (на 13 июня)", " (на 30 мая 2010 г.)".
    """
    if not total.day:
        return ""
    lang = current()
    same_year = step.key[:4] == total.day[:4]
    day = lang.day_month(total.day) if same_year else lang.date(total.day)
    return " (" + tr("as of {day}", day=day) + ")"


def wrap_total(total: StepTotal, step: TimeStep, style: TextStyle, width: float) -> list[str]:
    """A total wrapped to `width`, its "(as of ...)" kept on one line."""
    parts = words(f"{total.title}: {total.text}")
    tail = as_of(total, step).strip()
    return wrap_words([*parts, tail] if tail else parts, style, width)


def panel_headers(steps: Sequence[TimeStep], width: float, s: float) -> list[PanelHeader]:
    """Every panel's title and totals wrapped to `width` points."""
    title_style, total_style = panel_styles(s)
    return [
        PanelHeader(
            wrap(step.label, title_style, width),
            [wrap_total(t, step, total_style, width) for t in step.totals],
        )
        for step in steps
    ]


def header_height(headers: Sequence[PanelHeader], s: float) -> float:
    """Room the tallest header takes above its panel."""
    title_style, total_style = panel_styles(s)

    def height(header: PanelHeader) -> float:
        lines = sum(len(t) for t in header.totals)
        return len(header.title) * title_style.size * 1.2 + lines * total_style.size * 1.3

    return max((height(h) for h in headers), default=0.0) + 4 * s


# --- drawing ---------------------------------------------------------------------------------


def multiples_figure(scene: Scene, dpi: float = DPI) -> Figure:
    """Draw the ``[multiples]`` page of `scene` (its spec must have the table).

    Returns
    -------
    Figure
        On an Agg canvas, with ``figure.fergana`` (:class:`MultiplesInfo`).

    Raises
    ------
    SeriesError
        When the map has no ``[multiples]`` table or no dated layer (the message names the map).
    """
    spec = scene.spec
    multiples = spec.multiples
    if multiples is None:
        raise SeriesError(f"map '{spec.id}' has no [multiples] table")
    with speaking(scene.language):  # the series' words (totals, days) in the scene's language
        steps = time_steps(scene, multiples.steps)
        scene = series_scene(scene, multiples.steps, steps)  # undated said, sources credited
    crs = crs_for_extent(spec.extent)
    backdrops = [sl.layer for sl in scene.layers if sl.visible and sl.basemap]
    window = main_window(crs, spec.extent, backdrops)
    b = window.bounds
    aspect = (b[2] - b[0]) / (b[3] - b[1])
    preset = multiples_preset(scene, multiples, aspect, len(steps))
    check_dpi(dpi, preset)
    with matplotlib.rc_context(RC), speaking(scene.language):
        return draw_page(scene, steps, preset, dpi, crs, window)


def draw_page(scene: Scene, steps: list[TimeStep], preset: SizePreset, dpi: float, crs, window):
    """The page's steps in order: titles, layout, panels, legend, scale bar, caption, credits."""
    spec = scene.spec
    multiples = spec.multiples
    page = Page.of(preset)
    s = page.s
    figure = Figure(figsize=(page.width / 72, page.height / 72), dpi=dpi)
    FigureCanvasAgg(figure)
    figure.set_facecolor(PAPER)
    transform = page_transform(figure)

    titles = title_block(page, multiples.title or spec.title, spec.subtitle)
    credits = scene.credit_line()  # series_scene added who reported the totals
    bottom = [
        projection_block(block, crs, page) if block.gid == "fg-projection" else block
        for block in bottom_blocks(page, scene, crs, credits=credits)
    ]
    bottom_h = sum(block.height for block in bottom)
    groups = legend_rows(scene)
    top = page.height - page.margin - titles.height
    avail_h = top - page.margin - bottom_h - 8 * s
    b = window.bounds
    aspect = (b[2] - b[0]) / (b[3] - b[1])
    grid = layout_grid(
        page,
        groups,
        len(steps),
        multiples.columns,
        aspect,
        window.growth,
        lambda w: header_height(panel_headers(steps, w, s), s),
        avail_h,
        top,
        scale_block_height(s),
    )
    if grid.panel_w < MIN_PANEL_MM * PT_PER_MM:
        raise StaticExportError(
            f"map '{spec.id}': {len(steps)} panels, {grid.columns} to a row, do not fit on "
            f"a {preset.width_mm:g} × {preset.height_mm:g} mm page with its legend, caption "
            f"and credits (panels under {MIN_PANEL_MM:g} mm wide); give [multiples] fewer "
            "steps, more columns or a bigger size"
        )
    info = MultiplesInfo((page.width, page.height), s, grid, credit_line=credits)
    draw_titles(figure, page, titles, transform)

    shown = shown_layers(scene)
    projected = {i: project(layer.frame, crs) for i, layer in shown}
    headers = panel_headers(steps, grid.panel_w, s)
    for n, step in enumerate(steps):
        box = grid.panel_box(n)
        view = View(crs, fit_limits(window.bounds, box), box)
        at_step = scene_at(scene, step, spec.multiples.steps)
        record = draw_panel(figure, page, at_step, n + 1, view, projected, transform, window.fan)
        record.step = step
        info.panels.append(record)
        draw_header(figure, headers[n], n + 1, box, grid.header_h, s, transform)

    if grid.legend is not None:
        legend_ax = page_axes(figure, "legend", "fg-legend")
        draw_legend(legend_ax, transform, grid.legend, *grid.legend_at)
    first = info.panels[0].view
    info.scale_bar = draw_page_scale(figure, first, grid, window.fan, s, transform)
    draw_bottom(figure, page, bottom, grid.content_bottom - 6 * s, transform)
    figure.fergana = info  # type: ignore[attr-defined]
    return figure


def projection_block(block: TextBlock, crs, page: Page) -> TextBlock:
    """The projection note saying where the page's one scale bar is true (the panels' centre)."""
    note = projection_note(crs, panels=True) + " " + tr("Labels: DejaVu Sans.")
    lines = wrap(note, block.style, page.content_width)
    return replace(block, lines=lines, height=block.height / len(block.lines) * len(lines))


def page_axes(figure: Figure, label: str, gid: str) -> Axes:
    """An invisible axes over the whole page for text and furniture (its SVG group `gid`)."""
    ax = figure.add_axes([0, 0, 1, 1], label=label)
    ax.set_axis_off()
    ax.set_zorder(2)
    ax.patch.set_alpha(0)
    ax.set_gid(gid)
    return ax


def draw_panel(
    figure: Figure,
    page: Page,
    scene: Scene,
    number: int,
    view: View,
    projected: dict[int, gpd.GeoDataFrame],
    transform,
    fan: shapely.Polygon | None,
) -> PanelRecord:
    """The map at one step in `view`'s box, its labels placed by the solver; what it drew."""
    shown = shown_layers(scene)
    ctx = MapContext(
        scene, view.crs, shown, panel_projected(scene, projected), page.s, transform, fan
    )
    ax = figure.add_axes(page.fraction(view.box))
    ax.set_gid(f"fg-panel-{number}")
    frame_axes(ax, view, SEA)
    before = set(ax.get_children())
    suffix = f"-p{number}"
    drawn = draw_map(ctx, ax, view, main=False, suffix=suffix)
    region = None
    if fan is not None:
        clip_to_fan(ax, fan, [a for a in ax.get_children() if a not in before])
        region = geometry_on_page(view, fan)
    obstacles = list(drawn.symbols) + draw_notes(ctx, ax, view)
    candidates = plan_candidates(ctx, [Panel(view, drawn, main=True, suffix=suffix, region=region)])
    placed, dropped, hidden = place_labels(candidates, obstacles, dict(drawn.hideable))
    for key in hidden:
        drawn.artists[key].remove()
    put_labels(placed, [], ax, transform)
    features = sum(
        int(scene.layers[i].in_view.sum()) for i, layer in shown if layer.time is not None
    )
    return PanelRecord(
        TimeStep("", ""), view, drawn.flows, features, placed, [c.text for c in dropped]
    )


def panel_projected(
    scene: Scene, projected: dict[int, gpd.GeoDataFrame]
) -> dict[int, gpd.GeoDataFrame]:
    """The whole series' projected frames with the features the step hides set missing."""
    out = {}
    for i, layer in shown_layers(scene):
        frame = projected[i]
        hidden = shapely.is_missing(layer.frame.geometry.to_numpy())
        if hidden.any():
            geoms = frame.geometry.to_numpy().copy()
            geoms[hidden] = None
            frame = frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs))
        out[i] = frame
    return out


def draw_header(
    figure: Figure,
    header: PanelHeader,
    number: int,
    box: Box,
    header_h: float,
    s: float,
    transform,
) -> None:
    """A panel's title and totals above its map box."""
    title_style, total_style = panel_styles(s)
    x = box[0]
    y = box[3] + header_h
    for k, line in enumerate(header.title):
        y -= title_style.size
        gid = line_id(f"fg-panel-title-{number}", k)
        put_text(figure, x, y, line, title_style, transform, zorder=90, gid=gid)
        y -= title_style.size * 0.2
    for t, lines in enumerate(header.totals):
        for k, line in enumerate(lines):
            y -= total_style.size * 1.3
            gid = line_id(f"fg-panel-total-{number}-{t + 1}", k)
            put_text(figure, x, y, line, total_style, transform, zorder=90, gid=gid)


def scale_block_height(s: float) -> float:
    """Height of the scale bar's block: its heading, the bar and its labels, and a note."""
    return 40 * s


def draw_page_scale(
    figure: Figure,
    view: View,
    grid: GridLayout,
    fan: shapely.Polygon | None,
    s: float,
    transform,
) -> ScaleBar:
    """The one scale bar, true at the panels' centre (every panel has the same scale)."""
    ax = page_axes(figure, "scale", "fg-scale")
    x, top = grid.scale_at[0], grid.scale_at[1]
    heading = TextStyle(7.0 * s, weight="bold", halo=0)
    put_text(ax, x, top - heading.size * 0.95, tr("Scale of every panel"), heading, transform)
    centre = (fan if fan is not None else shapely.box(*view.limits)).centroid
    variation = scale_variation(view, fan)
    north = max_convergence(view) > NORTH_ARROW_THRESHOLD
    target = min(0.5 * grid.panel_w, grid.scale_w - (52 if north else 30) * s)
    bar_y = top - 24 * s
    bar = scale_bar_geometry(view, x, bar_y, target, at=(centre.x, centre.y))
    note = scale_note(bar.lat) if variation > SCALE_NOTE_VARIATION else ""
    draw_scale_bar(ax, transform, bar, x, bar_y, s, note=note)
    if north:
        cx = x + grid.scale_w - 8 * s  # right of the block, clear of its heading
        lon, lat = view.inverse.transform(centre.x, centre.y)
        draw_north_arrow(ax, transform, cx, bar_y + 4 * s, convergence(view, lon, lat), s)
    return bar


# --- files -----------------------------------------------------------------------------------


def multiples_path(folder: Path, scene: Scene, fmt: str) -> Path:
    """``folder/ID.NAME.fmt``, refused if the name would leave the folder."""
    return target_path(folder, scene, f"{scene.spec.multiples.name}.{fmt}")


def write_multiples(scene: Scene, folder: Path, formats: tuple[str, ...]) -> list[Path]:
    """Write ``ID.NAME.png/.svg/.pdf`` for the spec's ``[multiples]``.

    Parameters
    ----------
    scene : Scene
        The whole map (:func:`maps.scene.build_scene`); its spec has ``[multiples]``.
    folder : Path
        Existing, writable folder.
    formats : tuple of str
        A subset of png, svg and pdf (others are left to their writers).

    Returns
    -------
    list of Path
        The files written, in format order; all are rendered before any is written,
        and each is written atomically.

    Raises
    ------
    SeriesError
        No ``[multiples]`` table, no dated layer, or no dated feature (names the map).
    """
    wanted = [fmt for fmt in dict.fromkeys(formats) if fmt in FORMATS]
    if not wanted:
        return []
    folder = check_folder(folder)
    figure = multiples_figure(scene)
    targets = {fmt: multiples_path(folder, scene, fmt) for fmt in wanted}
    payloads = {fmt: render_bytes(figure, fmt, DPI) for fmt in wanted}
    with contextlib.ExitStack() as stack:
        handles = {fmt: stack.enter_context(geo.atomic_write(targets[fmt], "wb")) for fmt in wanted}
        for fmt in wanted:
            handles[fmt].write(payloads[fmt])
    return [targets[fmt] for fmt in wanted]


__all__ = [
    "GridLayout",
    "MultiplesInfo",
    "PanelRecord",
    "multiples_figure",
    "total_text",
    "write_multiples",
]
