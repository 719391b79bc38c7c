"""Print maps: a scene drawn with matplotlib to PNG, SVG and PDF.

The print renderer draws the renderer-neutral scene (:func:`maps.scene.build_scene`,
built here from a :class:`~maps.compose.Composition`, or passed in) and decides
nothing thematic itself: styles, sizes, drawing order, the label plan and its
typography, legend sections, arrowhead proportions, credits, the locator window,
context-inset layers and the hillshade are the scene's. It lays out a page a
cartographer can sign off: title and subtitle, the map in a local conformal
projection (:func:`geo.crs.crs_for_extent`), a legend beside or below the map, a
scale bar true for the projection, a north arrow when true north is not straight
up, locator, magnifier and context insets, collision-free labels with halos
(placed in the plan's order), the caption and the credits line.

Modules, by concern:

- ``api`` — :func:`static_figure`, :func:`write_static`; ``export`` — rc settings,
  :func:`render_bytes`, format/DPI/path checks;
- ``figure`` — :func:`~maps.print.figure.build_figure`, the steps in order, and
  :class:`StaticInfo`; ``context`` — what the steps share (scene arrays in page units);
- ``page`` — title block, map box, legend placement, caption and credits; ``view`` —
  projection and windows;
- ``drawing`` — layers; ``flows``; ``relief`` — the scene's hillshade as an image;
  ``furniture`` — scale bar, north arrow, graticule; ``legend``; ``insets``;
- ``labelling`` — the label plan as candidates; ``placement`` — the collision solver;
  ``text`` — fonts; ``symbols`` — theme styles as matplotlib values, shapes as paths;
- ``multiples`` — one page of panels, one per time step, sharing legend, scale bar
  and caption (:func:`~maps.print.multiples.write_multiples`); ``frames`` — a page
  laid out once for a whole series whose frames show one step each (GIF/MP4 in
  :mod:`maps.motion`).

SVG ids, for tests that compare renderers from their outputs: ``fg-label-N`` (N =
index in ``scene.labels``; ``-mK`` in magnifier K), ``fg-legend-heading-N``,
``fg-legend-row-N`` (size-key rows too), ``fg-legend-key-title-N``, ``fg-credits``,
``fg-caption``, ``fg-projection``, ``fg-flow-L-N`` (scene layer L, feature N; a
dashed flow's head ``...-head``). A wrapped text's further lines add ``-line-K``.
Small multiples add ``fg-panel-N``, ``fg-panel-title-N``, ``fg-panel-total-N-K`` and
``fg-scale`` (a panel's labels and flows end ``-pN``); motion frames ``fg-frame-date``
and ``fg-frame-total-N``.

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

from maps.pages import SIZES, SizePreset, StaticExportError, resolve_size
from maps.print.api import static_figure, write_static
from maps.print.export import (
    FORMATS,
    METADATA,
    RC,
    WEB_WIDTH_PX,
    check_dpi,
    render_bytes,
)
from maps.print.figure import StaticInfo
from maps.print.flows import FlowRecord
from maps.print.insets import SCALE_NOTE_VARIATION, InsetRecord
from maps.print.page import projection_note

__all__ = [
    "FORMATS",
    "METADATA",
    "RC",
    "SCALE_NOTE_VARIATION",
    "SIZES",
    "WEB_WIDTH_PX",
    "FlowRecord",
    "InsetRecord",
    "SizePreset",
    "StaticExportError",
    "StaticInfo",
    "check_dpi",
    "projection_note",
    "render_bytes",
    "resolve_size",
    "static_figure",
    "write_static",
]
