"""Static (print) maps: a composition drawn with matplotlib to PNG, SVG and PDF.

The static renderer takes the same :class:`~maps.compose.Composition` (and so
the same theme, legend entries and credits) as the web renderer and lays out a
page a cartographer can sign off: title and subtitle, the map in a local
conformal projection (:func:`geo.crs.crs_for_extent`), a legend beside or below
the map (never over it), a scale bar true for the projection, a north arrow
when true north is not straight up, a locator inset, magnifier and context
insets, collision-free labels with halos, the caption and the credits line.

Fonts: DejaVu Sans, matplotlib's bundled copy (not the system's), which has
Cyrillic and Uzbek Latin (oʻ, gʻ) glyphs. PDFs embed it as TrueType subsets
(``pdf.fonttype`` 42); SVGs keep text as ``<text>`` (``svg.fonttype`` "none")
so it stays editable in Inkscape or Illustrator.

Reproducible: the figure is built with matplotlib's object API on the Agg
canvas (no pyplot state); label placement happens in page points, so it is the
same at every DPI; files carry no dates or random ids, and exporting twice
gives byte-identical PNG, SVG and PDF.

Examples
--------
>>> from maps import compose, load_spec  # doctest: +SKIP
>>> comp = compose(load_spec("maps/specs/fergana-borders.toml"))  # doctest: +SKIP
>>> write_static(comp, "out")  # doctest: +SKIP
[PosixPath('out/fergana-borders.png'), PosixPath('out/fergana-borders.svg'), ...]
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import pyproj
import shapely
import shapely.affinity
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.patches import Polygon as PolygonPatch
from matplotlib.path import Path as MplPath
from matplotlib.text import Text

import geo
import layers
from geo.crs import crs_for_extent
from geo.geometry import arrowhead
from layers import Credit, Layer, Style
from layers.theme import FONT_FAMILY, MUTED_TEXT, PAPER, SEA, TEXT
from maps.compose import CLIP_MARGIN, Composition, clip, unique_credits
from maps.labels import (
    Box,
    Candidate,
    PlacedLabel,
    Position,
    TextStyle,
    measure,
    place_labels,
    point_positions,
)
from maps.pages import MM_PER_INCH, PT_PER_MM, SizePreset, StaticExportError, resolve_size
from maps.pages import SIZES as SIZES  # re-exported for callers of maps.static
from maps.spec import Inset
from maps.static_furniture import (
    NORTH_ARROW_THRESHOLD,
    PX_TO_PT,
    ScaleBar,
    View,
    convergence,
    dash_pattern,
    draw_graticule,
    draw_legend,
    draw_north_arrow,
    draw_scale_bar,
    furniture_box,
    hillshade_rgba,
    layout_legend,
    legend_items,
    line_pt,
    marker_of,
    max_convergence,
    page_transform,
    projected_bounds,
    put_text,
    rgba,
    scale_bar_geometry,
    scale_variation,
    wrap,
)

FORMATS = ("png", "svg", "pdf", "web.png")
WEB_WIDTH_PX = 1600  # the web PNG: 2x an 800 px column
# Agg cannot draw more than 2**16 pixels a side; beyond ~250 megapixels memory runs out.
MAX_PIXELS_SIDE = 2**16 - 1
MAX_PIXELS = 250_000_000

# rcParams that make output reproducible and keep text as text; set only inside rc_context.
RC = {
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "none",
    "svg.hashsalt": "fergana-static",
    "font.family": FONT_FAMILY,
    # Unhinted glyphs: text is as wide at 60 dpi as its outlines (which label
    # placement measures), so layout holds at every resolution.
    "text.hinting": "no_hinting",
    "lines.scale_dashes": True,
    "savefig.facecolor": PAPER,
    "savefig.edgecolor": PAPER,
    "savefig.pad_inches": 0.0,
    "figure.facecolor": PAPER,
}
METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None},
    "pdf": {"CreationDate": None, "ModDate": None},
}

# Label typography per layer id; layers not listed use LABEL_DEFAULTS by kind.
LABEL_STYLES: dict[str, TextStyle] = {
    "countries": TextStyle(9.0, weight="bold", colour="#8c7f71", halo=1.2, uppercase=True),
    "admin1": TextStyle(6.0, style="italic", colour="#6f665c", halo=1.0),
    "valley_provinces": TextStyle(6.0, style="italic", colour="#6f665c", halo=1.0),
    "lakes": TextStyle(6.0, style="italic", colour="#2b6a99", halo=1.0),
    "rivers": TextStyle(6.0, style="italic", colour="#2b6a99", halo=1.0),
    "enclaves": TextStyle(7.0, weight="bold", colour="#1d1d1d", halo=1.2),
    "enclave_points": TextStyle(6.5, colour="#1d1d1d", halo=1.1),
    "places": TextStyle(7.0, colour=TEXT, halo=1.1),
    "csto": TextStyle(6.5, colour="#5a2220", halo=1.0),
}
LABEL_DEFAULTS = {
    "point": TextStyle(7.0, halo=1.1),
    "flow": TextStyle(6.5, style="italic", halo=1.0),
    "area": TextStyle(6.5, style="italic", colour="#4d4540", halo=1.0),
    "line": TextStyle(6.0, style="italic", halo=1.0),
}
ANNOTATION_STYLE = TextStyle(7.0, style="italic", colour="#3a2f28", halo=1.2)
# Which layers label first (lower first): the map's thematic points (not in this table),
# then towns, enclaves, countries, water and provinces; ties go to later layers.
LABEL_RANK = {
    "places": 2,
    "enclaves": 2.5,
    "countries": 6,
    "csto": 6,
    "world": 6.5,
    "lakes": 7,
    "valley_provinces": 8,
    "admin1": 9,
    "rivers": 10,
}
# Area layers whose labels also show in magnifier insets (others would clutter them).
INSET_AREA_LABELS = ("countries", "enclaves", "csto")
KIND_RANK = {"point": 1, "flow": 1, "area": 5, "line": 10}
# Inset and locator window sizes.
LOCATOR_HALF_SPAN = (20.0, 12.0)  # at least this many degrees (lon, lat) around the map
# Lon/lat segments longer than this (degrees) get extra vertices before projecting.
DENSIFY_DEG = 0.05
# Above this scale variation across the map (max/min - 1) the scale bar says where it is true.
SCALE_NOTE_VARIATION = 0.02
# Maps whose projected extent fills less than this share of its bounding box (wide conic
# maps) are drawn fan-shaped, clipped to the extent's meridians and parallels.
FAN_THRESHOLD = 0.8
FAN_GROWTH = 1.1
VIEW_GROWTH = 1.5  # the map window may grow by 50% in one direction to fill the page


# --- records ------------------------------------------------------------------------------


@dataclass
class InsetRecord:
    """An inset as drawn: its kind, page box (points) and projected window.

    Attributes
    ----------
    axes : matplotlib.axes.Axes or None
        The inset's axes (None for the scale-bar panel).
    drawn : object or None
        Symbols drawn in a magnifier, for label placement.
    """

    kind: str
    title: str
    box: Box
    view: View
    axes: Axes | None = field(default=None, repr=False)
    drawn: _Drawn | None = field(default=None, repr=False)


@dataclass
class FlowRecord:
    """A drawn flow: its value (NaN if not reported), width in points and shape.

    Attributes
    ----------
    artist : matplotlib artist or None
        A filled patch (shaft and head) for reported amounts, a dashed line for
        unknown ones.
    line : shapely.LineString
        The flow line in projected metres.
    view : View
        The panel it is drawn in (the main map or a magnifier).
    """

    layer: str
    value: float
    width_pt: float
    dashed: bool
    artist: object
    line: object
    view: View


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
    obstacles: list[tuple[object, Box]] = field(default_factory=list)


# --- public API -----------------------------------------------------------------------------


def static_figure(
    composition: Composition, *, size: str | Sequence[float] = "a4", dpi: float = 300
) -> Figure:
    """Draw a composition as a print-ready matplotlib figure.

    Parameters
    ----------
    composition : Composition
        From :func:`maps.compose`.
    size : str or (float, float), default "a4"
        A preset of :data:`SIZES` or ``(width_mm, height_mm)``.
    dpi : float, default 300
        Raster resolution of the figure (PNG output); layout does not depend on it.

    Returns
    -------
    matplotlib.figure.Figure
        On an Agg canvas, with a ``fergana`` attribute (:class:`StaticInfo`)
        recording the placed labels, scale bar and insets. Save it with
        :func:`write_static` (or inside ``matplotlib.rc_context(RC)`` with
        :data:`METADATA`) for reproducible files.

    Raises
    ------
    StaticExportError
        For a bad size or DPI.
    """
    preset = resolve_size(size)
    check_dpi(dpi, preset)
    with matplotlib.rc_context(RC):
        return _Builder(composition, preset, float(dpi)).build()


def write_static(
    composition: Composition,
    out_dir: str | os.PathLike[str],
    formats: Iterable[str] = ("png", "svg", "pdf"),
    *,
    size: str | Sequence[float] = "a4",
    dpi: float = 300,
    web_width_px: int | None = WEB_WIDTH_PX,
) -> list[Path]:
    """Write a composition as ``ID.png``, ``ID.svg``, ``ID.pdf`` and ``ID.web.png``.

    Every request is checked before anything is drawn or written. All files are
    rendered in memory first and then written atomically (temporary file in the
    folder, renamed into place), so an error leaves no partial files.

    Parameters
    ----------
    composition : Composition
        From :func:`maps.compose`.
    out_dir : path
        Existing, writable folder.
    formats : iterable of str, default ("png", "svg", "pdf")
        Any of :data:`FORMATS`. ``"png"`` also writes the web PNG
        (``ID.web.png``, `web_width_px` wide) unless `web_width_px` is None;
        ``"web.png"`` asks for the web PNG alone.
    size : str or (float, float), default "a4"
        A preset of :data:`SIZES` or ``(width_mm, height_mm)``.
    dpi : float, default 300
        Resolution of ``ID.png``.
    web_width_px : int or None, default 1600
        Width of ``ID.web.png`` in pixels (2x a 800 px column).

    Returns
    -------
    list of Path
        The files written, in format order.

    Raises
    ------
    StaticExportError
        Unknown format (the message lists them), DPI <= 0, bad size, or an
        output path that would leave `out_dir`.
    FileNotFoundError, NotADirectoryError, PermissionError
        If `out_dir` is missing, not a folder or not writable (the message names it).
    """
    wanted = _check_formats(formats, web_width_px)
    preset = resolve_size(size)
    check_dpi(dpi, preset)
    if web_width_px is not None:
        if not isinstance(web_width_px, int) or web_width_px <= 0:
            raise StaticExportError(
                f"web_width_px must be a positive integer, not {web_width_px!r}"
            )
        check_dpi(web_width_px / (preset.width_mm / MM_PER_INCH), preset)
    folder = _check_folder(out_dir)
    targets = {fmt: _target(folder, composition, fmt) for fmt in wanted}

    with matplotlib.rc_context(RC):
        figure = _Builder(composition, preset, float(dpi)).build()
        payloads = {}
        for fmt in wanted:
            if fmt == "web.png":
                fmt_dpi = web_width_px / (preset.width_mm / MM_PER_INCH)
            else:
                fmt_dpi = float(dpi)
            payloads[fmt] = render_bytes(figure, "png" if fmt == "web.png" else fmt, fmt_dpi)

    with contextlib.ExitStack() as stack:
        handles = {fmt: stack.enter_context(geo.atomic_write(targets[fmt], "wb")) for fmt in wanted}
        for fmt in wanted:
            handles[fmt].write(payloads[fmt])
    return [targets[fmt] for fmt in wanted]


def render_bytes(figure: Figure, fmt: str, dpi: float) -> bytes:
    """One figure saved as `fmt` ("png", "svg" or "pdf") with reproducible settings.

    Parameters
    ----------
    figure : Figure
        From :func:`static_figure`.
    fmt : {"png", "svg", "pdf"}
        Output format.
    dpi : float
        Resolution (raster parts of SVG and PDF too).

    Returns
    -------
    bytes
        The file's content.
    """
    buffer = io.BytesIO()
    with matplotlib.rc_context(RC):
        figure.savefig(buffer, format=fmt, dpi=dpi, metadata=METADATA[fmt], facecolor=PAPER)
    return buffer.getvalue()


def check_dpi(dpi: float, preset: SizePreset) -> None:
    """Raise :class:`StaticExportError` unless `dpi` is a usable resolution for `preset`.

    Parameters
    ----------
    dpi : float
        Dots per inch.
    preset : SizePreset
        Page size.
    """
    if isinstance(dpi, bool) or not isinstance(dpi, int | float) or not math.isfinite(dpi):
        raise StaticExportError(f"dpi must be a positive number, not {dpi!r}")
    if dpi <= 0:
        raise StaticExportError(f"dpi must be > 0, not {dpi!r}")
    width = preset.width_mm / MM_PER_INCH * dpi
    height = preset.height_mm / MM_PER_INCH * dpi
    if max(width, height) > MAX_PIXELS_SIDE or width * height > MAX_PIXELS:
        raise StaticExportError(
            f"dpi {dpi:g} gives a {width:,.0f} × {height:,.0f} px image at "
            f"{preset.width_mm:g} × {preset.height_mm:g} mm; the limit is "
            f"{MAX_PIXELS_SIDE:,} px a side and {MAX_PIXELS / 1e6:.0f} megapixels"
        )
    if width < 16 or height < 16:
        raise StaticExportError(f"dpi {dpi:g} gives an image under 16 px; use a larger dpi")


def _check_formats(formats: Iterable[str], web_width_px: int | None) -> list[str]:
    if isinstance(formats, str):
        formats = [formats]
    wanted: list[str] = []
    for fmt in formats:
        if fmt not in FORMATS:
            raise StaticExportError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
        if fmt not in wanted:
            wanted.append(fmt)
    if not wanted:
        raise StaticExportError(f"no formats asked for; formats: {', '.join(FORMATS)}")
    if "png" in wanted and web_width_px is not None and "web.png" not in wanted:
        wanted.insert(wanted.index("png") + 1, "web.png")
    if "web.png" in wanted and web_width_px is None:
        raise StaticExportError("format 'web.png' needs web_width_px")
    return wanted


def _check_folder(out_dir: str | os.PathLike[str]) -> Path:
    folder = Path(out_dir)
    if not folder.exists():
        raise FileNotFoundError(f"output folder {folder} does not exist; create it first")
    if not folder.is_dir():
        raise NotADirectoryError(f"output folder {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(f"output folder {folder} is not writable")
    return folder


def _target(folder: Path, composition: Composition, fmt: str) -> Path:
    stem = composition.spec.output_name
    name = f"{stem}.{fmt}"
    try:
        geo.atomic.path_inside(folder, name)
    except ValueError as err:
        raise StaticExportError(f"output {err}") from None
    return folder / name


# --- the builder ---------------------------------------------------------------------------


@dataclass
class _Drawn:
    """Per-view drawing results used for labels and legend filtering."""

    symbols: list[tuple[object, Box]] = field(default_factory=list)
    artists: dict[object, object] = field(default_factory=dict)
    hideable: dict[object, str] = field(default_factory=dict)


class _Builder:
    """Builds one figure; all positions are in page points."""

    def __init__(self, composition: Composition, preset: SizePreset, dpi: float) -> None:
        self.comp = composition
        self.spec = composition.spec
        self.preset = preset
        self.s = preset.type_scale
        self.dpi = dpi
        self.width = preset.width_mm * PT_PER_MM
        self.height = preset.height_mm * PT_PER_MM
        self.margin = 6.0 * PT_PER_MM
        self.crs = crs_for_extent(self.spec.extent)
        self.layers = [
            (i, layer)
            for i, (layer, visible) in enumerate(
                zip(composition.layers, composition.visible, strict=True)
            )
            if visible
        ]
        self.projected = {i: _project(layer.frame, self.crs) for i, layer in self.layers}
        self.relief_credit = Credit.of("relief") if self.spec.relief else None

    # -- top level ----------------------------------------------------------------------------

    def build(self) -> Figure:
        s = self.s
        figure = Figure(figsize=(self.width / 72, self.height / 72), dpi=self.dpi)
        FigureCanvasAgg(figure)
        figure.set_facecolor(PAPER)
        self.figure = figure
        self.page = page_transform(figure)

        content_w = self.width - 2 * self.margin
        title_lines, subtitle_lines, title_h = self._title_block(content_w)
        bottom = self._bottom_block(content_w)
        bottom_h = sum(h for _, _, h in bottom)

        context_insets = [inset for inset in self.spec.insets if inset.kind == "context"]
        context_layers = {
            inset: [clip_layer(layers.build(lid), inset.extent) for lid in inset.layers]
            for inset in context_insets
        }
        bounds, growth = self._window()
        main_styles = self._styles_in(bounds)
        groups = self._legend_groups(main_styles, context_layers)

        top = self.height - self.margin - title_h
        avail_h = top - self.margin - bottom_h - 8 * s
        map_box, legend_at, legend_layout, column_w = self._layout(
            groups, bounds, growth, content_w, avail_h, top
        )
        limits = self._limits(bounds, map_box)
        view = View(self.crs, limits, map_box)
        self.view = view
        info = StaticInfo(view=view, page_size_pt=(self.width, self.height), type_scale=s)
        self.info = info

        ax = figure.add_axes(self._fraction(map_box))
        self._frame_axes(ax, view, SEA)  # as on the web: no land is sea
        self.ax = ax
        before = set(ax.get_children())
        drawn = self._draw_map(ax, view, main=True)
        self.region = None
        if self.fan is not None:
            self._clip_to_fan(ax, [a for a in ax.get_children() if a not in before])
            self.region = _to_page(view, self.fan)

        obstacles: list[tuple[object, Box]] = list(drawn.symbols)
        candidates: list[tuple[tuple, Candidate]] = []
        candidates += self._annotation_candidates(view)
        candidates += self._label_candidates(view, drawn, inset=False)

        slots = self._place_insets(ax, view, context_layers)
        for record, slot in slots:
            obstacles.append((None, slot))
            if record.kind == "magnifier":
                inset_drawn = record.drawn
                obstacles.extend(inset_drawn.symbols)
                candidates += self._label_candidates(record.view, inset_drawn, inset=True)

        artists = dict(drawn.artists)
        hideable = dict(drawn.hideable)
        for record, _ in slots:
            if record.kind == "magnifier":
                artists.update(record.drawn.artists)
                hideable.update(record.drawn.hideable)
        placed, dropped, hidden = place_labels(
            [c for _, c in sorted(candidates, key=lambda item: item[0])], obstacles, hideable
        )
        for key in hidden:
            artists[key].remove()
        info.hidden = len(hidden)
        info.obstacles = [(k, b) for k, b in obstacles if k not in set(hidden)]
        for label in placed:
            target = self._axes_for(label)
            artist = put_text(
                target,
                label.x,
                label.y,
                label.text,
                label.style,
                self.page,
                ha="center",
                va="center",
                rotation=label.rotation,
                zorder=80,
            )
            info.label_artists.append(artist)
        info.labels = placed
        info.dropped = [c.text for c in dropped]

        # Title, legend, caption and credits.
        x0 = self.margin
        y = self.height - self.margin
        title_style, subtitle_style = self._title_styles()
        for line in title_lines:
            y -= title_style.size
            put_text(figure, x0, y, line, title_style, self.page, zorder=90, gid="title")
            y -= title_style.size * 0.25
        y -= 2 * s
        for line in subtitle_lines:
            y -= subtitle_style.size
            put_text(figure, x0, y, line, subtitle_style, self.page, zorder=90)
            y -= subtitle_style.size * 0.3
        if legend_layout is not None:
            lx, ltop = legend_at
            legend_ax = figure.add_axes([0, 0, 1, 1], label="legend")
            legend_ax.set_axis_off()
            legend_ax.set_zorder(2)
            legend_ax.patch.set_alpha(0)
            draw_legend(legend_ax, self.page, legend_layout, lx, ltop, column_w, s)
            info.legend_box = (lx, ltop - legend_layout.height, lx + legend_layout.width, ltop)
        y = self._content_bottom - 6 * s
        for style, lines, _h in bottom:
            for line in lines:
                y -= style.size
                put_text(figure, x0, y, line, style, self.page, zorder=90)
                y -= style.size * 0.3
            y -= 3 * s
        figure.fergana = info  # type: ignore[attr-defined]
        return figure

    # -- layout -------------------------------------------------------------------------------

    def _title_styles(self) -> tuple[TextStyle, TextStyle]:
        s = self.s
        return (
            TextStyle(15 * s, weight="bold", colour=TEXT, halo=0),
            TextStyle(9.5 * s, colour=MUTED_TEXT, halo=0),
        )

    def _title_block(self, width: float) -> tuple[list[str], list[str], float]:
        title_style, subtitle_style = self._title_styles()
        title = wrap(self.spec.title, title_style, width)
        subtitle = wrap(self.spec.subtitle, subtitle_style, width) if self.spec.subtitle else []
        height = len(title) * title_style.size * 1.25 + 2 * self.s
        height += len(subtitle) * subtitle_style.size * 1.3 + 6 * self.s
        return title, subtitle, height

    def _bottom_block(self, width: float) -> list[tuple[TextStyle, list[str], float]]:
        s = self.s
        caption_style = TextStyle(7.5 * s, colour=TEXT, halo=0)
        credit_style = TextStyle(6.0 * s, colour=MUTED_TEXT, halo=0)
        out = []
        caption = self.comp.caption
        if caption:
            lines = wrap(caption, caption_style, width)
            out.append((caption_style, lines, len(lines) * caption_style.size * 1.3 + 3 * s))
        credits = self.credit_line()
        sources = self.comp.caption_sources
        if sources:
            credits += ". Figures in the caption: " + "; ".join(sources)
        lines = wrap(credits, credit_style, width)
        out.append((credit_style, lines, len(lines) * credit_style.size * 1.3 + 3 * s))
        note = projection_note(self.crs) + " Labels: DejaVu Sans."
        lines = wrap(note, credit_style, width)
        out.append((credit_style, lines, len(lines) * credit_style.size * 1.3 + 3 * s))
        return out

    def credit_line(self) -> str:
        """The composition's credits, plus the relief and locator data this renderer adds."""
        extra = [self.relief_credit] if self.relief_credit else []
        if any(inset.kind in ("locator", "context") for inset in self.spec.insets):
            extra.append(Credit.of("world_countries"))
        credits = unique_credits([*self.comp.credits, *extra])
        return "Sources: " + "; ".join(c.text() for c in credits)

    def _window(self) -> tuple[tuple[float, float, float, float], tuple[float, float]]:
        """The projected window to show, and how far it may grow (x, y) to fill the page.

        The window is the projected extent's bounding box, shrunk about its centre
        where the basemap has no data (a dataset's own window, or the
        composition's clip margin), so the map never shows cut-off edges; it may
        grow by up to VIEW_GROWTH in each direction as far as the data reach.
        """
        coverage = self._coverage()
        extent_shape = _projected_box(self.crs, self.spec.extent).intersection(coverage)
        fx0, fy0, fx1, fy1 = extent_shape.bounds
        if extent_shape.area < FAN_THRESHOLD * (fx1 - fx0) * (fy1 - fy0):
            # A wide conic map: show the graticule-bounded extent itself.
            self.fan = extent_shape
            return extent_shape.bounds, (FAN_GROWTH, FAN_GROWTH)
        self.fan = None
        xmin, ymin, xmax, ymax = projected_bounds(self.crs, self.spec.extent)
        cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
        hw, hh = (xmax - xmin) / 2, (ymax - ymin) / 2

        def covered(half_w: float, half_h: float) -> bool:
            rect = shapely.box(cx - half_w, cy - half_h, cx + half_w, cy + half_h)
            return shapely.contains(coverage, rect)

        f0 = _largest(lambda f: covered(f * hw, f * hh), 0.2, 1.0)
        hw, hh = f0 * hw, f0 * hh
        gx = _largest(lambda g: covered(g * hw, hh), 1.0, VIEW_GROWTH)
        gy = _largest(lambda g: covered(hw, g * hh), 1.0, VIEW_GROWTH)
        return (cx - hw, cy - hh, cx + hw, cy + hh), (gx, gy)

    def _coverage(self):
        """Projected area where the basemap has data.

        The composition's clip box, cut to the bounds of its basemap area layers.
        """
        west, south, east, north = self.spec.extent
        dx, dy = (east - west) * CLIP_MARGIN, (north - south) * CLIP_MARGIN
        box = shapely.box(
            max(west - dx, -180), max(south - dy, -89), min(east + dx, 180), min(north + dy, 89)
        )
        bases = [
            layer.frame.total_bounds
            for _, layer in self.layers
            if layer.kind == "area"
            and len(layer.frame)
            and getattr(layers.REGISTRY.get(layer.id), "theme", "") == "basemap"
        ]
        if bases:
            box = box.intersection(shapely.union_all([shapely.box(*b) for b in bases]))
        # A hair of slack so the extent's own edges count as covered.
        return _projected_box(self.crs, box.bounds).buffer(1.0)

    def _layout(self, groups, bounds, growth, content_w, avail_h, top):
        """Map box and legend placement.

        The legend goes right of or below the map, whichever leaves a bigger map.
        """
        s = self.s
        gl = 9 * s  # graticule labels left of and below the frame
        aspect = (bounds[2] - bounds[0]) / (bounds[3] - bounds[1])
        column_w = min(max(0.24 * content_w, 118 * s), 160 * s)
        options = []
        # Right: legend in as many columns as the height needs, at a few column widths.
        for cw in (column_w, 0.8 * column_w, 0.68 * column_w):
            right = layout_legend(groups, cw, avail_h - gl, s) if groups else None
            panel_w = (right.width + 12 * s) if right else 0
            mw, mh = _fit(content_w - gl - panel_w, avail_h - gl, aspect, growth)
            fits = right is None or right.height <= avail_h
            options.append(("right", mw * mh if fits else 0.0, mw, mh, right, cw))
        # Below: legend in as many columns as the width allows.
        n_cols = max(int((content_w + 8 * s) // (column_w + 8 * s)), 1)
        below = layout_legend(groups, column_w, None, s, columns=n_cols) if groups else None
        below_h = (below.height + 10 * s) if below else 0
        mw2, mh2 = _fit(content_w - gl, avail_h - gl - below_h, aspect, growth)
        options.append(("below", mw2 * mh2, mw2, mh2, below, column_w))
        # The biggest map wins; ties go to the right-hand legend, then to wider columns.
        best = max(range(len(options)), key=lambda k: (round(options[k][1], 3), -k))
        where, _, mw, mh, legend, column_w = options[best]
        x0 = self.margin + gl
        box = (x0, top - mh, x0 + mw, top)
        if where == "right":
            legend_at = (box[2] + 12 * s, top)
            self._content_bottom = min(box[1] - gl, top - (legend.height if legend else 0))
        else:
            legend_at = (self.margin, box[1] - gl - 6 * s)
            self._content_bottom = legend_at[1] - (legend.height if legend else 0)
        return box, legend_at, legend, column_w

    def _limits(self, bounds, box) -> tuple[float, float, float, float]:
        xmin, ymin, xmax, ymax = bounds
        mw, mh = box[2] - box[0], box[3] - box[1]
        mpp = max((xmax - xmin) / mw, (ymax - ymin) / mh)
        cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
        return (cx - mw * mpp / 2, cy - mh * mpp / 2, cx + mw * mpp / 2, cy + mh * mpp / 2)

    def _fraction(self, box: Box) -> list[float]:
        return [
            box[0] / self.width,
            box[1] / self.height,
            (box[2] - box[0]) / self.width,
            (box[3] - box[1]) / self.height,
        ]

    @staticmethod
    def _frame_axes(ax: Axes, view: View, face: str) -> None:
        xmin, ymin, xmax, ymax = view.limits
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(ymin, ymax)
        ax.set_aspect("auto")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_facecolor(face)
        for spine in ax.spines.values():
            spine.set_linewidth(0.7)
            spine.set_edgecolor("#3d3d3d")
            spine.set_zorder(100)

    def _clip_to_fan(self, ax: Axes, artists) -> None:
        """Clip the map's artists to the fan-shaped extent and outline it as the frame."""
        path = _polygon_path(self.fan)
        outline = PathPatch(path, facecolor="none", edgecolor="#3d3d3d", linewidth=0.7, zorder=99)
        ax.add_patch(outline)
        clip_patch = PathPatch(path, transform=ax.transData, facecolor="none", edgecolor="none")
        for artist in artists:
            if not isinstance(artist, Text):  # graticule labels sit outside the fan
                artist.set_clip_path(clip_patch)
        for spine in ax.spines.values():
            spine.set_visible(False)

    def _axes_for(self, label: PlacedLabel) -> Axes:
        for record in self.info.insets:
            b = record.box
            if b[0] <= label.x <= b[2] and b[1] <= label.y <= b[3]:
                return record.axes
        return self.ax

    # -- legend ---------------------------------------------------------------------------

    def _styles_in(self, bounds) -> dict[int, set[Style]]:
        box = shapely.box(*bounds)
        out: dict[int, set[Style]] = {}
        for i, layer in self.layers:
            frame = self.projected[i]
            hit = frame.geometry.intersects(box).to_numpy()
            out[i] = {
                layer.style_of(row) for (_, row), h in zip(frame.iterrows(), hit, strict=True) if h
            }
        return out

    def _legend_groups(self, styles: dict[int, set[Style]], context_layers) -> list:
        groups = []
        for i, layer in self.layers:
            groups.append(self._legend_group(layer, styles[i], self.projected[i]))
        for inset, built in context_layers.items():
            for layer in built:
                if getattr(layers.REGISTRY.get(layer.id), "theme", "") == "basemap":
                    continue  # the inset's backdrop needs no key
                present = {layer.style_of(row) for _, row in layer.frame.iterrows()}
                title = layer.title
                if inset.title and inset.title != layer.title:
                    title = f"{layer.title} ({inset.title})"
                groups.append(self._legend_group(layer, present, layer.frame, title=title))
        return legend_items([g for g in groups if g is not None])

    @staticmethod
    def _legend_group(layer: Layer, present: set[Style], frame, title: str | None = None):
        if not present:
            return None
        category_styles = (
            {s for _, s in layer.categories.styles.values()} if layer.categories else set()
        )
        entries = [e for e in layer.legend if e.style not in category_styles or e.style in present]
        size = layer.size
        unknown = None
        if size is not None and size.column in frame:
            values = pd.to_numeric(frame[size.column], errors="coerce")
            missing = frame[values.isna().to_numpy()]
            if len(missing):
                unknown = layer.style_of(missing.iloc[0])
        return (title or layer.title, entries, size, layer.style, unknown)

    # -- drawing layers -------------------------------------------------------------------

    def _draw_map(self, ax: Axes, view: View, *, main: bool) -> _Drawn:
        drawn = _Drawn()
        base_z = 10
        for n, (i, layer) in enumerate(self.layers):
            z = base_z + 2 * n
            self._draw_layer(ax, view, i, layer, z, drawn, main)
            if n == 0:
                if self.spec.relief:
                    self._draw_relief(ax, view, z + 1)
                draw_graticule(
                    ax,
                    view,
                    self.page,
                    z + 1.5,
                    self.s,
                    labels=main,
                    edges=self.spec.extent if (main and self.fan is not None) else None,
                )
        return drawn

    def _draw_relief(self, ax: Axes, view: View, z: float) -> None:
        width_in = (view.box[2] - view.box[0]) / 72
        result = hillshade_rgba(view, columns=max(int(width_in * 150), 64))
        if result is None:
            return
        image, extent = result
        ax.imshow(
            image,
            extent=extent,
            origin="upper",
            interpolation="none",
            zorder=z,
            aspect="auto",
            resample=False,
        )

    def _clipped(self, i: int, view: View) -> gpd.GeoSeries:
        """Layer i's projected geometries cut to the view (plus a margin).

        Areas and lines are simplified below a tenth of a point.
        """
        xmin, ymin, xmax, ymax = view.limits
        pad = 0.05 * (xmax - xmin)
        geoms = self.projected[i].geometry.to_numpy()
        cut = shapely.clip_by_rect(geoms, xmin - pad, ymin - pad, xmax + pad, ymax + pad)
        kind = self._layer_kind(i)
        if kind in ("area", "line"):
            cut = shapely.simplify(cut, 0.1 * view.metres_per_point, preserve_topology=True)
        return gpd.GeoSeries(cut, index=self.projected[i].index, crs=self.crs)

    def _layer_kind(self, i: int) -> str:
        return self.comp.layers[i].kind

    def _draw_layer(self, ax, view, i, layer, z, drawn, main) -> None:
        frame = self.projected[i]
        if layer.kind == "flow":
            self._draw_flows(ax, view, i, layer, z, drawn)
            return
        if layer.kind == "point":
            self._draw_points(ax, view, i, layer, z, drawn)
            return
        geoms = self._clipped(i, view)
        groups: dict[Style, list] = {}
        for (_, row), geom in zip(frame.iterrows(), geoms, strict=True):
            if geom is None or geom.is_empty:
                continue
            groups.setdefault(layer.style_of(row), []).append(geom)
        for style, items in groups.items():
            if layer.kind == "area":
                paths = [p for p in (_polygon_path(g) for g in items) if p is not None]
                if not paths:
                    continue
                ax.add_collection(
                    PathCollection(
                        paths,
                        facecolors=[rgba(style.fill, style.fill_opacity)],
                        edgecolors=[rgba(style.stroke, style.stroke_opacity)],
                        linewidths=[line_pt(style) if style.stroke else 0.0],
                        linestyles=[dash_pattern(style)],
                        joinstyle="round",
                        zorder=z,
                    ),
                    autolim=False,
                )
            else:
                segments = [seg for g in items for seg in _line_coords(g)]
                if not segments:
                    continue
                ax.add_collection(
                    LineCollection(
                        segments,
                        colors=[rgba(style.stroke, style.stroke_opacity)],
                        linewidths=[line_pt(style)],
                        linestyles=[dash_pattern(style)],
                        capstyle="round",
                        joinstyle="round",
                        zorder=z,
                    ),
                    autolim=False,
                )

    def _point_size_pt(self, layer: Layer, row, style: Style) -> float:
        if layer.size is not None and layer.size.column in row:
            value = pd.to_numeric(pd.Series([row[layer.size.column]]), errors="coerce").iloc[0]
            return layer.size.size(None if pd.isna(value) else float(value)) * PX_TO_PT
        return style.marker_size * PX_TO_PT

    def _draw_points(self, ax, view, i, layer, z, drawn) -> None:
        frame = self.projected[i]
        xmin, ymin, xmax, ymax = view.limits
        items = []
        for n, (_, row) in enumerate(frame.iterrows()):
            geom = row.geometry
            if geom is None or geom.is_empty:
                continue
            style = layer.style_of(row)
            size = self._point_size_pt(layer, row, style)
            for x, y in shapely.get_coordinates(geom):
                if xmin <= x <= xmax and ymin <= y <= ymax:
                    items.append((size, n, x, y, style))
        # Bigger symbols first so small ones stay visible on top.
        items.sort(key=lambda t: (-t[0], t[1]))
        for size, n, x, y, style in items:
            artist = ax.add_line(
                Line2D(
                    [x],
                    [y],
                    linestyle="none",
                    marker=marker_of(style),
                    markersize=size,
                    markerfacecolor=rgba(style.fill, style.fill_opacity),
                    markeredgecolor=rgba(style.stroke, style.stroke_opacity),
                    markeredgewidth=line_pt(style),
                    zorder=z,
                )
            )
            px, py = view.to_page(x, y)
            r = size / 2 + line_pt(style) / 2
            key = (id(view), i, n)
            drawn.artists[key] = artist
            if layer.label_priority:
                drawn.hideable[key] = layer.id
            drawn.symbols.append(
                (key, (float(px) - r, float(py) - r, float(px) + r, float(py) + r))
            )

    def _draw_flows(self, ax, view, i, layer, z, drawn) -> None:
        frame = self.projected[i]
        lonlat = layer.frame
        mpp = view.metres_per_point
        items = []
        for n, ((_, row), (_, raw)) in enumerate(
            zip(frame.iterrows(), lonlat.iterrows(), strict=True)
        ):
            geom = row.geometry
            if geom is None or geom.is_empty or geom.geom_type != "LineString":
                continue
            style = layer.style_of(raw)
            if layer.size is not None:
                value = pd.to_numeric(pd.Series([raw[layer.size.column]]), errors="coerce").iloc[0]
                width_px = layer.size.size(None if pd.isna(value) else float(value))
            else:
                width_px = style.stroke_width
            items.append((width_px * PX_TO_PT, n, geom, raw.geometry, style))
        items.sort(key=lambda t: (-t[0], t[1]))
        for width, n, geom, geom_ll, style in items:
            head_len = max(2.2 * width, 5.0 * self.s) * mpp
            head_w = max(2.0 * width, 4.2 * self.s) * mpp
            length = geom.length
            tip_ll = tuple(shapely.get_coordinates(geom_ll)[-1])
            if length > head_len * 1.2:
                # The head points from the shaft's end to the tip (not along the last
                # segment), so a curved flow meets its head without a notch.
                base = geom.interpolate(length - head_len)
                base_ll = view.inverse.transform(base.x, base.y)
                head_ll = arrowhead(shapely.LineString([base_ll, tip_ll]), head_len, head_w)
                shaft = _substring(geom, length - (0.75 if not style.dash else 1.0) * head_len)
            else:
                head_ll = arrowhead(geom_ll, head_len, head_w)
                shaft = None
            head = shapely.transform(
                head_ll, lambda c: np.column_stack(view.forward.transform(c[:, 0], c[:, 1]))
            )
            colour = rgba(style.stroke or style.fill, style.stroke_opacity)
            value = np.nan
            if layer.size is not None:
                value = pd.to_numeric(
                    pd.Series([layer.frame.iloc[n][layer.size.column]]), errors="coerce"
                ).iloc[0]
            if style.dash:
                # Unknown amounts: a thin dashed line and a small head, never a width.
                artist = None
                if shaft is not None:
                    artist = ax.add_line(
                        Line2D(
                            *np.asarray(shaft.coords).T,
                            color=colour,
                            linewidth=width,
                            linestyle=dash_pattern(style, width),
                            dash_capstyle="butt",
                            zorder=z,
                        )
                    )
                ax.add_patch(
                    PolygonPatch(
                        np.asarray(head.exterior.coords),
                        closed=True,
                        facecolor=rgba(style.fill or style.stroke, style.fill_opacity),
                        edgecolor="none",
                        zorder=z + 0.5,
                    )
                )
            else:
                # One polygon for shaft and head: no darker overlap where they meet.
                body = head
                if shaft is not None:
                    body = shapely.union(
                        shaft.buffer(width * mpp / 2, cap_style="flat", join_style="round"), head
                    )
                artist = ax.add_patch(
                    PathPatch(_polygon_path(body), facecolor=colour, edgecolor="none", zorder=z)
                )
            self.info.flows.append(
                FlowRecord(layer.id, float(value), width, bool(style.dash), artist, geom, view)
            )

    # -- insets ---------------------------------------------------------------------------

    def _place_insets(self, ax: Axes, view: View, context_layers) -> list[tuple[InsetRecord, Box]]:
        s = self.s
        box = view.box
        mw, mh = box[2] - box[0], box[3] - box[1]
        requests: list[tuple[str, Inset | None, float, float, float]] = []
        for inset in self.spec.insets:
            if inset.kind == "magnifier":
                b = projected_bounds(self.crs, inset.extent)
                aspect = (b[2] - b[0]) / (b[3] - b[1])
                w = math.sqrt(0.15 * mw * mh * aspect)
                w = min(w, 0.5 * mw, 0.42 * mh * aspect)
                requests.append(("magnifier", inset, w, w / aspect, 10 * s if inset.title else 0))
            elif inset.kind == "context":
                crs = crs_for_extent(inset.extent)
                b = projected_bounds(crs, inset.extent)
                aspect = (b[2] - b[0]) / (b[3] - b[1])
                w = min(math.sqrt(0.09 * mw * mh * aspect), 0.36 * mw, 0.36 * mh * aspect)
                requests.append(("context", inset, w, w / aspect, 10 * s if inset.title else 0))
        for inset in self.spec.insets:
            if inset.kind == "locator":
                w = min(max(0.2 * mw, 70 * s), 125 * s)
                requests.append(("locator", inset, w, w / 1.45, 0))
                break
        # Scale bar and north arrow share one panel.
        self.info.convergence_deg = max_convergence(view)
        north = self.info.convergence_deg > NORTH_ARROW_THRESHOLD
        bar_target = min(0.2 * mw, 150 * s)
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        bar_pt = scale_bar_geometry(view, cx - bar_target / 2, cy, bar_target).points
        self._bar_target = bar_pt * 1.02
        variation = scale_variation(view, self.fan)
        self.info.scale_variation = variation
        self._bar_note = variation > SCALE_NOTE_VARIATION
        panel_h = (31 if self._bar_note else 25) * s
        panel_w = bar_pt + 30 * s + (22 * s if north else 0)
        if self._bar_note:
            panel_w = max(panel_w, 78 * s + (22 * s if north else 0))
        requests.append(("scale", None, panel_w, panel_h, 0))

        density = _Density(self, view)
        taken: list[Box] = []
        avoid: list[Box] = []
        for kind, inset, _, _, _ in requests:
            if kind == "magnifier":
                b = projected_bounds(self.crs, inset.extent)
                px0, py0 = view.to_page(b[0], b[1])
                px1, py1 = view.to_page(b[2], b[3])
                avoid.append((float(px0), float(py0), float(px1), float(py1)))
        out: list[tuple[InsetRecord, Box]] = []
        pad = 5 * s
        for kind, inset, w, h, title_h in requests:
            slot_w, slot_h = w, h + title_h
            spots = _slots(box, slot_w, slot_h, pad, bottom_first=(kind == "scale"))
            best = None
            for order, spot in enumerate(spots):
                if any(_overlap_area(spot, t) > 0 for t in taken):
                    continue
                edge = 0.0 if order < 4 or kind == "scale" else 2.0  # corners before edges
                score = (
                    edge
                    + density.score(spot)
                    + sum(1e4 * _overlap_area(spot, a) / (slot_w * slot_h) for a in avoid)
                )
                if best is None or (score, order) < best[0]:
                    best = ((score, order), spot)
            if best is None:  # no room: shrink into the last corner
                best = ((0, 0), spots[0])
            spot = best[1]
            taken.append(spot)
            inner = (spot[0], spot[1], spot[2], spot[3] - title_h)
            if kind == "scale":
                self._draw_scale_panel(ax, view, spot, north)
                out.append((InsetRecord("scale", "", spot, view), spot))
                continue
            record = self._draw_inset(ax, view, kind, inset, inner, context_layers)
            if inset is not None and inset.title:
                put_text(
                    ax,
                    spot[0] + 1,
                    inner[3] + 3 * s,
                    inset.title,
                    TextStyle(6.8 * s, weight="bold", halo=1.2 * s),
                    self.page,
                    zorder=95,
                )
            self.info.insets.append(record)
            out.append((record, spot))
        return out

    def _draw_scale_panel(self, ax: Axes, view: View, spot: Box, north: bool) -> None:
        s = self.s
        furniture_box(ax, self.page, spot)
        arrow_w = 22 * s if north else 0
        bar_x = spot[0] + 7 * s
        bar_y = spot[1] + (13 if self._bar_note else 7) * s
        at = None
        if self._bar_note:  # the scale varies: make the bar true at the map's centre
            c = (self.fan if self.fan is not None else shapely.box(*view.limits)).centroid
            at = (c.x, c.y)
        bar = scale_bar_geometry(view, bar_x, bar_y, self._bar_target, at=at)
        note = ""
        if self._bar_note:
            note = f"true at {abs(bar.lat):.0f}° {'N' if bar.lat >= 0 else 'S'}; scale varies"
        draw_scale_bar(ax, self.page, bar, bar_x, bar_y, s, note=note)
        self.info.scale_bar = bar
        if north:
            cx = spot[2] - arrow_w / 2 - 2 * s
            cy = (spot[1] + spot[3]) / 2 - 2 * s
            lon, lat = view.inverse.transform(*view.to_map(cx, cy))
            draw_north_arrow(ax, self.page, cx, cy, convergence(view, lon, lat), s)
            self.info.north_arrow = True

    def _draw_inset(self, ax, view, kind, inset, inner: Box, context_layers) -> InsetRecord:
        s = self.s
        box = view.box
        bounds = [
            (inner[0] - box[0]) / (box[2] - box[0]),
            (inner[1] - box[1]) / (box[3] - box[1]),
            (inner[2] - inner[0]) / (box[2] - box[0]),
            (inner[3] - inner[1]) / (box[3] - box[1]),
        ]
        iax = ax.inset_axes(bounds, zorder=90)
        title = inset.title if inset is not None else ""
        if kind == "magnifier":
            ib = projected_bounds(self.crs, inset.extent)
            limits = self._limits(ib, inner)
            iview = View(self.crs, limits, inner)
            self._frame_axes(iax, iview, PAPER)
            drawn = self._draw_map(iax, iview, main=False)
            bar_target = 0.3 * (inner[2] - inner[0])
            bar = scale_bar_geometry(iview, inner[0] + 6 * s, inner[1] + 5 * s, bar_target)
            panel_w, panel_h = bar.points + 26 * s, 17 * s
            density = _Density(self, iview)
            spots = _slots(inner, panel_w, panel_h, 2 * s, bottom_first=True)
            panel = min(spots, key=lambda b: (density.score(b), spots.index(b)))
            furniture_box(iax, self.page, panel)
            bar = scale_bar_geometry(iview, panel[0] + 4 * s, panel[1] + 3 * s, bar_target)
            draw_scale_bar(iax, self.page, bar, panel[0] + 4 * s, panel[1] + 3 * s, s * 0.9)
            drawn.symbols.append((None, panel))
            # The magnified window, outlined on the main map.
            x0, y0, x1, y1 = limits
            ax.add_patch(
                Rectangle(
                    (x0, y0),
                    x1 - x0,
                    y1 - y0,
                    facecolor="none",
                    edgecolor="#1d1d1d",
                    linewidth=0.9,
                    zorder=85,
                )
            )
            record = InsetRecord("magnifier", title, inner, iview)
            record.drawn = drawn
        else:
            if kind == "locator":
                west, south, east, north = self.spec.extent
                cx, cy = (west + east) / 2, (south + north) / 2
                hx = min(max(LOCATOR_HALF_SPAN[0], 4 * (east - west)), 100.0)
                hy = min(max(LOCATOR_HALF_SPAN[1], 4 * (north - south)), 40.0)
                window = (
                    max(cx - hx, -180),
                    max(cy - hy, -85),
                    min(cx + hx, 180),
                    min(cy + hy, 85),
                )
                extra: list[Layer] = []
            else:
                window = inset.extent
                extra = context_layers[inset]
            crs = crs_for_extent(window)
            wb = projected_bounds(crs, window)
            limits = _fill_limits(wb, inner)
            iview = View(crs, limits, inner)
            self._frame_axes(iax, iview, SEA)
            self._draw_world(iax, iview, window)
            for n, layer in enumerate(extra):
                self._draw_simple_layer(iax, iview, layer, 20 + n)
            # Where the main map sits.
            xs, ys = _view_outline(view)
            lon, lat = view.inverse.transform(xs, ys)
            px, py = iview.forward.transform(lon, lat)
            iax.add_patch(
                PolygonPatch(
                    np.column_stack([px, py]),
                    closed=True,
                    facecolor=(0.75, 0.16, 0.11, 0.15),
                    edgecolor="#b3261e",
                    linewidth=1.1,
                    zorder=50,
                )
            )
            record = InsetRecord(kind, title, inner, iview)
        record.axes = iax
        return record

    def _draw_world(self, ax: Axes, view: View, window) -> None:
        world = geo.load("world_countries")
        west, south, east, north = window
        dx, dy = (east - west) * CLIP_MARGIN, (north - south) * CLIP_MARGIN
        grown = (
            max(west - dx, -180),
            max(south - dy, -85),
            min(east + dx, 180),
            min(north + dy, 85),
        )
        world = world[world.intersects(shapely.box(*grown))]
        world = world.assign(geometry=shapely.clip_by_rect(world.geometry.to_numpy(), *grown))
        world = world[~world.geometry.is_empty]
        projected = world.to_crs(view.crs)
        projected = projected[np.isfinite(projected.geometry.bounds.to_numpy()).all(axis=1)]
        paths = [p for p in (_polygon_path(g) for g in projected.geometry) if p is not None]
        ax.add_collection(
            PathCollection(
                paths,
                facecolors=["#ece7df"],
                edgecolors=["#a59d92"],
                linewidths=[0.3],
                zorder=5,
            ),
            autolim=False,
        )

    def _draw_simple_layer(self, ax: Axes, view: View, layer: Layer, z: float) -> None:
        projected = layer.frame.to_crs(view.crs)
        groups: dict[Style, list] = {}
        for (_, row), geom in zip(layer.frame.iterrows(), projected.geometry, strict=True):
            if geom is not None and not geom.is_empty:
                groups.setdefault(layer.style_of(row), []).append(geom)
        for style, items in groups.items():
            if layer.kind == "area":
                paths = [p for p in (_polygon_path(g) for g in items) if p is not None]
                ax.add_collection(
                    PathCollection(
                        paths,
                        facecolors=[rgba(style.fill, style.fill_opacity)],
                        edgecolors=[rgba(style.stroke, style.stroke_opacity)],
                        linewidths=[line_pt(style) * 0.8],
                        linestyles=[dash_pattern(style)],
                        zorder=z,
                    ),
                    autolim=False,
                )
            elif layer.kind in ("line", "flow"):
                segs = [seg for g in items for seg in _line_coords(g)]
                ax.add_collection(
                    LineCollection(
                        segs,
                        colors=[rgba(style.stroke, style.stroke_opacity)],
                        linewidths=[line_pt(style)],
                        linestyles=[dash_pattern(style)],
                        zorder=z,
                    ),
                    autolim=False,
                )
            else:
                xy = np.concatenate([shapely.get_coordinates(g) for g in items])
                ax.add_line(
                    Line2D(
                        xy[:, 0],
                        xy[:, 1],
                        linestyle="none",
                        marker=marker_of(style),
                        markersize=style.marker_size * PX_TO_PT * 0.8,
                        markerfacecolor=rgba(style.fill, style.fill_opacity),
                        markeredgecolor=rgba(style.stroke, style.stroke_opacity),
                        markeredgewidth=line_pt(style),
                        zorder=z,
                    )
                )

    # -- labels ---------------------------------------------------------------------------

    def _label_style(self, layer: Layer, row, inset: bool) -> TextStyle:
        style = LABEL_STYLES.get(layer.id, LABEL_DEFAULTS[layer.kind])
        if layer.id == "places":
            kind = str(row.get("kind", ""))
            population = pd.to_numeric(pd.Series([row.get("population")]), errors="coerce").iloc[0]
            if kind == "capital":
                style = TextStyle(8.0, weight="bold", colour=TEXT, halo=1.2)
            elif not pd.isna(population) and population >= 300_000:
                style = TextStyle(7.5, colour=TEXT, halo=1.2)
            else:
                style = TextStyle(6.6, colour=TEXT, halo=1.0)
        factor = self.s * (0.9 if inset else 1.0)
        return style.scaled(factor)

    def _rank(self, i: int, layer: Layer) -> float:
        rank = LABEL_RANK.get(layer.id, KIND_RANK.get(layer.kind, 9))
        return rank - i / 1000  # later layers first within a rank

    def _annotation_candidates(self, view: View) -> list:
        out = []
        style = ANNOTATION_STYLE.scaled(self.s)
        for n, note in enumerate(self.comp.annotations):
            x, y = view.forward.transform(note.lon, note.lat)
            px, py = view.to_page(x, y)
            if not _inside_point(px, py, view.box):
                continue
            positions = point_positions(float(px), float(py), 3.5 * self.s, note.text, style)
            cand = Candidate(
                note.text,
                style,
                positions,
                _shrink(view.box, 2),
                None,
                "annotation",
                force=True,
                region=self.region,
            )
            out.append(((0.0, 0, n), cand))
        return out

    def _label_candidates(self, view: View, drawn: _Drawn, *, inset: bool) -> list:
        out = []
        frame_box = _shrink(view.box, 2.5 * self.s)
        for i, layer in self.layers:
            if not layer.label or not self.comp.labelled[i]:
                continue
            if inset and not (layer.kind == "point" or layer.id in INSET_AREA_LABELS):
                continue
            frame = self.projected[i]
            priority = (
                pd.to_numeric(frame[layer.label_priority], errors="coerce")
                .fillna(-np.inf)
                .to_numpy()
                if layer.label_priority
                else np.zeros(len(frame))
            )
            rank = self._rank(i, layer)
            geoms = self._clipped(i, view) if layer.kind != "point" else frame.geometry
            if not inset and self.fan is not None:
                geoms = gpd.GeoSeries(shapely.intersection(geoms.to_numpy(), self.fan))
            for n, ((_, row), geom) in enumerate(zip(frame.iterrows(), geoms, strict=True)):
                text = row.get(layer.label)
                if text is None or (isinstance(text, float) and math.isnan(text)):
                    continue
                text = str(text).strip()
                if not text or geom is None or geom.is_empty:
                    continue
                style = self._label_style(layer, row, inset)
                shown = style.text(text)
                cand = self._candidate(view, i, n, layer, geom, shown, style, frame_box, drawn, row)
                if cand is not None and not inset and self.region is not None:
                    cand = dataclasses.replace(cand, region=self.region)
                if cand is not None:
                    out.append(((rank, -float(priority[n]), n), cand))
        return out

    def _candidate(self, view, i, n, layer, geom, text, style, frame_box, drawn, row):
        key = (id(view), i, n)
        xmin, ymin, xmax, ymax = view.limits
        if layer.kind == "point":
            x, y = shapely.get_coordinates(geom)[0]
            if not (xmin <= x <= xmax and ymin <= y <= ymax):
                return None
            px, py = view.to_page(x, y)
            size = self._point_size_pt(layer, row, layer.style_of(row))
            positions = point_positions(float(px), float(py), size / 2, text, style)
            return Candidate(text, style, positions, frame_box, key, layer.id)
        visible = shapely.clip_by_rect(geom, xmin, ymin, xmax, ymax)
        if visible.is_empty:
            return None
        if layer.kind in ("line", "flow"):
            return self._line_candidate(view, layer, visible, text, style, frame_box)
        polygons = shapely.get_parts(visible)
        polygons = [p for p in polygons if p.geom_type == "Polygon" and p.area > 0]
        if not polygons:
            return None
        part = max(polygons, key=lambda p: p.area)
        w, h = measure(text, style)
        mpp = view.metres_per_point
        bx0, by0, bx1, by1 = part.bounds
        if (bx1 - bx0) / mpp >= w * 1.15 and (by1 - by0) / mpp >= h * 1.8:
            positions = _area_positions(view, part, w, h)
            if positions:
                return Candidate(text, style, positions, frame_box, key, layer.id)
        whole = self.projected[i].geometry.iloc[n].bounds
        if max(whole[2] - whole[0], whole[3] - whole[1]) / mpp > 3 * w:
            return None  # a big area mostly out of view: a name beside it would mislead
        # Too small to hold its name: label it from outside, and keep other labels off it.
        vx0, vy0, vx1, vy1 = visible.bounds
        px0, py0 = view.to_page(vx0, vy0)
        px1, py1 = view.to_page(vx1, vy1)
        drawn.symbols.append((key, (float(px0), float(py0), float(px1), float(py1))))
        positions = point_positions(
            float(px0 + px1) / 2,
            float(py0 + py1) / 2,
            max(float(px1 - px0) / 2, 1.5),
            text,
            style,
            radius_y=max(float(py1 - py0) / 2, 1.5),
        )
        return Candidate(text, style, positions, frame_box, key, layer.id)

    def _line_candidate(self, view, layer, visible, text, style, frame_box):
        parts = [
            p for p in shapely.get_parts(shapely.line_merge(visible)) if p.geom_type == "LineString"
        ]
        if not parts:
            return None
        w, h = measure(text, style)
        mpp = view.metres_per_point
        positions = []
        for part in sorted(parts, key=lambda p: -p.length)[:3]:
            length_pt = part.length / mpp
            if length_pt < w * 1.4:
                continue
            for f in (0.5, 0.35, 0.65, 0.2, 0.8):
                d = part.length * f
                a = part.interpolate(max(d - w * mpp / 2, 0))
                b = part.interpolate(min(d + w * mpp / 2, part.length))
                mid = part.interpolate(d)
                angle = math.degrees(math.atan2(b.y - a.y, b.x - a.x))
                if angle > 90:
                    angle -= 180
                elif angle <= -90:
                    angle += 180
                if abs(angle) > 60:
                    continue
                nx, ny = -math.sin(math.radians(angle)), math.cos(math.radians(angle))
                px, py = view.to_page(mid.x, mid.y)
                off = h / 2 + 1.5 * self.s + style.halo
                positions.append(Position(float(px) + nx * off, float(py) + ny * off, angle))
        if not positions:
            return None
        return Candidate(text, style, positions, frame_box, None, layer.id)


# --- helpers --------------------------------------------------------------------------------


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


def clip_layer(layer: Layer, extent) -> Layer:
    """`layer` with its features cut to `extent` (as the composition does)."""
    return layer.with_frame(clip(layer.frame, extent))


def _fit(
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


def _largest(ok, low: float, high: float, steps: int = 24) -> float:
    """Largest value in [low, high] for which the monotone test `ok` holds (low if none)."""
    if ok(high):
        return high
    if not ok(low):
        return low
    for _ in range(steps):
        mid = (low + high) / 2
        low, high = (mid, high) if ok(mid) else (low, mid)
    return low


def _project(frame: gpd.GeoDataFrame, crs: pyproj.CRS) -> gpd.GeoDataFrame:
    """`frame` in `crs`.

    Long straight lon/lat edges (clip edges, borders along parallels) are
    densified first, so they curve as they should once projected.
    """
    dense = frame.assign(geometry=shapely.segmentize(frame.geometry.to_numpy(), DENSIFY_DEG))
    return gpd.GeoDataFrame(dense, geometry="geometry", crs=frame.crs).to_crs(crs)


def _projected_box(crs: pyproj.CRS, bounds) -> shapely.Polygon:
    """A lon/lat box, its edges densified, as a polygon in `crs`."""
    ring = shapely.segmentize(shapely.box(*bounds).exterior, 0.05)
    xy = shapely.get_coordinates(ring)
    x, y = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(
        xy[:, 0], xy[:, 1]
    )
    return shapely.Polygon(np.column_stack([x, y]))


def _fill_limits(bounds, box: Box) -> tuple[float, float, float, float]:
    """Limits centred on `bounds` with the box's aspect, cropping the longer side."""
    xmin, ymin, xmax, ymax = bounds
    bw, bh = box[2] - box[0], box[3] - box[1]
    mpp = min((xmax - xmin) / bw, (ymax - ymin) / bh)
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    return (cx - bw * mpp / 2, cy - bh * mpp / 2, cx + bw * mpp / 2, cy + bh * mpp / 2)


def _view_outline(view: View, n: int = 32) -> tuple[np.ndarray, np.ndarray]:
    xmin, ymin, xmax, ymax = view.limits
    t = np.linspace(0, 1, n)
    xs = np.concatenate(
        [xmin + t * (xmax - xmin), np.full(n, xmax), xmax - t * (xmax - xmin), np.full(n, xmin)]
    )
    ys = np.concatenate(
        [np.full(n, ymin), ymin + t * (ymax - ymin), np.full(n, ymax), ymax - t * (ymax - ymin)]
    )
    return xs, ys


def _polygon_path(geom) -> MplPath | None:
    verts, codes = [], []
    for part in shapely.get_parts(geom):
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        part = shapely.orient_polygons(part)
        for ring in (part.exterior, *part.interiors):
            coords = np.asarray(ring.coords)[:, :2]
            if len(coords) < 4:
                continue
            verts.append(coords)
            c = np.full(len(coords), MplPath.LINETO, dtype=MplPath.code_type)
            c[0] = MplPath.MOVETO
            c[-1] = MplPath.CLOSEPOLY
            codes.append(c)
    if not verts:
        return None
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def _line_coords(geom) -> list[np.ndarray]:
    out = []
    for part in shapely.get_parts(geom):
        if part.geom_type in ("LineString", "LinearRing") and not part.is_empty:
            out.append(np.asarray(part.coords)[:, :2])
        elif part.geom_type == "Polygon":
            out.extend(np.asarray(r.coords)[:, :2] for r in (part.exterior, *part.interiors))
    return out


def _substring(line, end: float):
    """The part of `line` from its start to distance `end`."""
    coords = np.asarray(line.coords)
    seg = np.hypot(*np.diff(coords, axis=0).T)
    cum = np.concatenate([[0], np.cumsum(seg)])
    k = int(np.searchsorted(cum, end))
    if k <= 0:
        return line
    point = line.interpolate(end)
    return shapely.LineString([*coords[:k], (point.x, point.y)])


def _inside_point(px, py, box: Box) -> bool:
    return box[0] <= px <= box[2] and box[1] <= py <= box[3]


def _shrink(box: Box, d: float) -> Box:
    return (box[0] + d, box[1] + d, box[2] - d, box[3] - d)


def _overlap_area(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(w, 0) * max(h, 0)


def _slots(box: Box, w: float, h: float, pad: float, *, bottom_first: bool) -> list[Box]:
    x0, y0, x1, y1 = box
    left, right, centre_x = x0 + pad, x1 - pad - w, (x0 + x1 - w) / 2
    bottom, top, middle_y = y0 + pad, y1 - pad - h, (y0 + y1 - h) / 2
    corners = [(left, top), (right, top), (left, bottom), (right, bottom)]
    edges = [(centre_x, bottom), (centre_x, top), (left, middle_y), (right, middle_y)]
    spots = corners + edges
    if bottom_first:
        spots = [(left, bottom), (right, bottom), (centre_x, bottom), (left, top), (right, top)]
    return [(x, y, x + w, y + h) for x, y in spots]


def _area_positions(view: View, part, w: float, h: float) -> list[Position]:
    """Label centres inside a polygon part.

    Its pole of inaccessibility first, then a grid of nearby alternatives
    whose box lies (almost) inside the polygon.
    """
    mpp = view.metres_per_point
    tolerance = max(mpp, 1.0)
    circle = shapely.maximum_inscribed_circle(part, tolerance)
    centre = shapely.get_coordinates(circle)[0]
    px, py = view.to_page(centre[0], centre[1])
    bx0, by0, bx1, by1 = part.bounds
    qx0, qy0 = view.to_page(bx0, by0)
    qx1, qy1 = view.to_page(bx1, by1)
    step_x, step_y = w / 2, 1.6 * h
    nx = int((float(qx1) - float(qx0)) / step_x) + 1
    ny = int((float(qy1) - float(qy0)) / step_y) + 1
    offsets = [(0.0, 0.0)]
    for ix in range(-nx, nx + 1):
        for iy in range(-ny, ny + 1):
            if ix or iy:
                offsets.append((ix * step_x, iy * step_y))
    offsets.sort(key=lambda o: ((o[0] / w) ** 2 + (o[1] / (2 * h)) ** 2, o))
    shapely.prepare(part)
    out = []
    for dx, dy in offsets:
        cx, cy = float(px) + dx, float(py) + dy
        x, y = view.to_map(cx, cy)
        half_w, half_h = w / 2 * mpp, h / 2 * mpp
        rect = shapely.box(x - half_w, y - half_h, x + half_w, y + half_h)
        if shapely.contains(part, rect) or shapely.intersection(part, rect).area >= 0.9 * rect.area:
            out.append(Position(cx, cy))
        if len(out) >= 40:
            break
    return out


class _Density:
    """How much map content lies under a page box, for choosing inset corners."""

    def __init__(self, builder: _Builder, view: View) -> None:
        self.view = view
        self.points: list[tuple[float, float]] = []
        self.lines: list = []
        self.areas: list = []
        total = shapely.box(*view.limits).area
        for i, layer in builder.layers:
            geoms = builder._clipped(i, view).to_numpy()
            if builder.fan is not None and view is builder.view:
                geoms = shapely.intersection(geoms, builder.fan)
            geoms = geoms[~shapely.is_empty(geoms) & ~shapely.is_missing(geoms)]
            if layer.kind == "point":
                xy = shapely.get_coordinates(geoms)
                px, py = view.to_page(xy[:, 0], xy[:, 1]) if len(xy) else ([], [])
                self.points.extend(
                    zip(np.asarray(px).tolist(), np.asarray(py).tolist(), strict=True)
                )
            elif layer.kind in ("line", "flow"):
                self.lines.extend(_to_page(view, g) for g in geoms)
            else:
                for g in geoms:
                    # Basemap-like areas covering much of the map say nothing about focus.
                    if g.area < 0.5 * total:
                        self.areas.append(_to_page(view, g))

    def score(self, box: Box) -> float:
        rect = shapely.box(*box)
        area = rect.area
        score = sum(1.0 for x, y in self.points if box[0] <= x <= box[2] and box[1] <= y <= box[3])
        diag = (box[2] - box[0]) + (box[3] - box[1])
        score += sum(shapely.intersection(g, rect).length for g in self.lines) / diag
        score += 3 * sum(shapely.intersection(g, rect).area for g in self.areas) / area
        return score


def _to_page(view: View, geom):
    k = 1 / view.metres_per_point
    xmin, ymin = view.limits[0], view.limits[1]
    return shapely.affinity.affine_transform(
        geom, [k, 0, 0, k, view.box[0] - xmin * k, view.box[1] - ymin * k]
    )
