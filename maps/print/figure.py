"""The figure: one function that lays out the page and draws a scene on it.

:func:`build_figure` runs the steps in order — title block, main window, legend
rows, page layout, map layers, insets, labels, text — each a function in its
own module returning a record; it keeps no state between figures. Everything a
reader sees is the scene's (:func:`maps.scene.build_scene`); this module only
lays it out.

Besides the ids listed in :mod:`maps.print`, the SVG names the main map's group
``fg-map`` and the legend's ``fg-legend``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.text import Text

from geo.crs import crs_for_extent
from geo.language import speaking
from layers import Layer
from layers.theme import PAPER, SEA
from maps.pages import SizePreset
from maps.print.context import MapContext
from maps.print.drawing import draw_map, draw_notes
from maps.print.flows import FlowRecord
from maps.print.furniture import ScaleBar
from maps.print.insets import InsetRecord, place_insets
from maps.print.labelling import Panel, plan_candidates
from maps.print.legend import LegendItem, draw_legend, legend_items, line_id
from maps.print.page import (
    Page,
    PageLayout,
    TextBlock,
    TitleBlock,
    bottom_blocks,
    layout_page,
    title_block,
)
from maps.print.placement import PlacedLabel, place_labels
from maps.print.symbols import polygon_path
from maps.print.text import Box, put_text
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


@dataclass
class StaticInfo:
    """What the figure builder placed, for tests and inspection (``figure.fergana``).

    Attributes
    ----------
    view : View
        The main map panel: CRS, projected window and page box (points).
    labels : list of PlacedLabel
        Every label drawn (main map and insets), with its page box in points.
    dropped : list of str
        Labels left off because they did not fit.
    scale_bar : ScaleBar
        The main map's scale bar.
    convergence_deg : float
        Largest angle between grid north and true north at the map edges.
    scale_variation : float
        How much the scale changes across the map (max/min - 1); above
        SCALE_NOTE_VARIATION the scale bar says where it is true.
    north_arrow : bool
        Whether a north arrow was drawn.
    insets : list of InsetRecord
        Locator, magnifier and context insets.
    flows : list of FlowRecord
        Flows drawn on the main map (and magnifiers), widest first.
    label_artists : list
        The matplotlib Text artists of `labels`, in the same order.
    hidden : int
        Point symbols left off because a more important label of the same
        layer needed their place.
    legend_box : Box or None
        The legend on the page (points).
    page_layout : PageLayout
        How the page was shared between map and legend (:func:`~maps.print.page.layout_page`).
    bottom_box : Box
        The caption, credits and projection note (their lines' full extent, points).
    obstacles : list of (key, Box)
        Point symbols and furniture that labels avoided (page points).
    """

    view: View
    page_size_pt: tuple[float, float]
    type_scale: float
    labels: list[PlacedLabel] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    scale_bar: ScaleBar | None = None
    convergence_deg: float = 0.0
    scale_variation: float = 0.0
    north_arrow: bool = False
    insets: list[InsetRecord] = field(default_factory=list)
    flows: list[FlowRecord] = field(default_factory=list)
    label_artists: list = field(default_factory=list)
    hidden: int = 0
    legend_box: Box | None = None
    page_layout: PageLayout | None = None
    bottom_box: Box | None = None
    obstacles: list[tuple[object, Box]] = field(default_factory=list)


def shown_layers(scene: Scene) -> list[tuple[int, Layer]]:
    """Visible layers with their index in the scene."""
    return [(sl.index, sl.layer) for sl in scene.layers if sl.visible]


def legend_rows(scene: Scene) -> list[list[LegendItem]]:
    """Legend rows: the sections of the main map's visible layers, then context insets'."""
    visible = {sl.key for sl in scene.layers if sl.visible}
    main = [sec for sec in scene.legend if not sec.context and sec.key in visible]
    context = [sec for sec in scene.legend if sec.context]
    return legend_items([*main, *context])


def build_figure(scene: Scene, preset: SizePreset, dpi: float) -> Figure:
    """Draw `scene` on a page of `preset` (call inside ``rc_context(RC)``).

    The renderer's own words and numbers (scale bar, north arrow, projection
    note) are in the scene's language: it is made current while drawing.

    Returns
    -------
    Figure
        On an Agg canvas, with ``figure.fergana`` (:class:`StaticInfo`).
    """
    with speaking(scene.language):
        return _build_figure(scene, preset, dpi)


def _build_figure(scene: Scene, preset: SizePreset, dpi: float) -> Figure:
    spec = scene.spec
    page = Page.of(preset)
    s = page.s
    figure = Figure(figsize=(page.width / 72, page.height / 72), dpi=dpi)
    FigureCanvasAgg(figure)
    figure.set_facecolor(PAPER)
    transform = page_transform(figure)

    crs = crs_for_extent(spec.extent)
    shown = shown_layers(scene)
    projected = {i: project(layer.frame, crs) for i, layer in shown}
    titles = title_block(page, spec.title, spec.subtitle)
    bottom = bottom_blocks(page, scene, crs)
    bottom_h = sum(block.height for block in bottom)

    backdrops = [sl.layer for sl in scene.layers if sl.visible and sl.basemap]
    window = main_window(crs, spec.extent, backdrops)
    ctx = MapContext(scene, crs, shown, projected, s, transform, window.fan)
    groups = legend_rows(scene)

    top = page.height - page.margin - titles.height
    avail_h = top - page.margin - bottom_h - 8 * s
    layout = layout_page(page, groups, window.bounds, window.growth, avail_h, top)
    view = View(crs, fit_limits(window.bounds, layout.map_box), layout.map_box)
    info = StaticInfo(view=view, page_size_pt=(page.width, page.height), type_scale=s)
    info.page_layout = layout

    ax = figure.add_axes(page.fraction(layout.map_box))
    ax.set_gid("fg-map")  # SVG group of the main map; its first path is the frame
    frame_axes(ax, view, SEA)  # as on the web: no land is sea
    before = set(ax.get_children())
    drawn = draw_map(ctx, ax, view, main=True)
    region = None
    if ctx.fan is not None:
        clip_to_fan(ax, ctx.fan, [a for a in ax.get_children() if a not in before])
        region = geometry_on_page(view, ctx.fan)
    info.flows.extend(drawn.flows)

    obstacles: list[tuple[object, Box]] = list(drawn.symbols)
    obstacles += draw_notes(ctx, ax, view)
    panels = [Panel(view, drawn, main=True, region=region)]

    insets = place_insets(ctx, ax, view)
    info.convergence_deg = insets.panel.convergence_deg
    info.scale_variation = insets.panel.variation
    info.scale_bar = insets.scale_bar
    info.north_arrow = insets.panel.north
    artists = dict(drawn.artists)
    hideable = dict(drawn.hideable)
    for placed in insets.placed:
        record = placed.record
        obstacles.append((None, placed.slot))
        if record.kind != "scale":
            info.insets.append(record)
        if record.kind == "magnifier":
            obstacles.extend(record.drawn.symbols)
            panels.append(Panel(record.view, record.drawn, main=False, suffix=record.suffix))
            info.flows.extend(record.drawn.flows)
            artists.update(record.drawn.artists)
            hideable.update(record.drawn.hideable)
    candidates = plan_candidates(ctx, panels)
    placed_labels, dropped, hidden = place_labels(candidates, obstacles, hideable)
    for key in hidden:
        artists[key].remove()
    info.hidden = len(hidden)
    info.obstacles = [(k, b) for k, b in obstacles if k not in set(hidden)]
    info.label_artists = put_labels(placed_labels, info.insets, ax, transform)
    info.labels = placed_labels
    info.dropped = [c.text for c in dropped]

    # Title, legend, caption and credits.
    x0 = page.margin
    draw_titles(figure, page, titles, transform)
    if layout.legend is not None:
        lx, ltop = layout.legend_at
        legend_ax = figure.add_axes([0, 0, 1, 1], label="legend")
        legend_ax.set_axis_off()
        legend_ax.set_zorder(2)
        legend_ax.patch.set_alpha(0)
        legend_ax.set_gid("fg-legend")
        draw_legend(legend_ax, transform, layout.legend, lx, ltop)
        info.legend_box = layout.legend_box
    bottom_top = layout.content_bottom - 6 * s
    y = draw_bottom(figure, page, bottom, bottom_top, transform)
    info.bottom_box = (x0, y, page.width - page.margin, bottom_top)
    figure.fergana = info  # type: ignore[attr-defined]
    return figure


def put_labels(
    placed: list[PlacedLabel], insets: list[InsetRecord], ax: Axes, transform
) -> list[Text]:
    """Draw placed labels (each in the inset it lies in, else in `ax`); their Text artists."""
    return [
        put_text(
            axes_for(label, insets, ax),
            label.x,
            label.y,
            label.text,
            label.style,
            transform,
            ha="center",
            va="center",
            rotation=label.rotation,
            zorder=80,
            gid=label.gid or None,
        )
        for label in placed
    ]


def draw_titles(figure: Figure, page: Page, titles: TitleBlock, transform) -> None:
    """The title (SVG id ``title``) and subtitle at the top left of the page."""
    s = page.s
    x0 = page.margin
    y = page.height - page.margin
    for line in titles.title:
        y -= titles.title_style.size
        put_text(figure, x0, y, line, titles.title_style, transform, zorder=90, gid="title")
        y -= titles.title_style.size * 0.25
    y -= 2 * s
    for line in titles.subtitle:
        y -= titles.subtitle_style.size
        put_text(figure, x0, y, line, titles.subtitle_style, transform, zorder=90)
        y -= titles.subtitle_style.size * 0.3


def draw_bottom(
    figure: Figure, page: Page, bottom: list[TextBlock], top: float, transform
) -> float:
    """Caption, credits and projection note from `top` down; returns the lowest y reached."""
    s = page.s
    x0 = page.margin
    y = top
    for block in bottom:
        for k, line in enumerate(block.lines):
            y -= block.style.size
            gid = line_id(block.gid, k)
            put_text(figure, x0, y, line, block.style, transform, zorder=90, gid=gid)
            y -= block.style.size * 0.3
        y -= 3 * s
    return y


def clip_to_fan(ax: Axes, fan: shapely.Polygon, artists) -> None:
    """Clip the map's artists to the fan-shaped extent and outline it as the frame."""
    path = polygon_path(fan)
    outline = PathPatch(path, facecolor="none", edgecolor="#3d3d3d", linewidth=0.7, zorder=99)
    ax.add_patch(outline)
    clip_patch = PathPatch(path, transform=ax.transData, facecolor="none", edgecolor="none")
    for artist in artists:
        if not isinstance(artist, Text):  # graticule labels sit outside the fan
            artist.set_clip_path(clip_patch)
    for spine in ax.spines.values():
        spine.set_visible(False)


def axes_for(label: PlacedLabel, insets: list[InsetRecord], main: Axes) -> Axes:
    """The axes a label belongs to: the inset it lies in, else the main map."""
    for record in insets:
        b = record.box
        if b[0] <= label.x <= b[2] and b[1] <= label.y <= b[3]:
            return record.axes
    return main
