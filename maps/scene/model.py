"""The scene's records: everything a reader sees, decided once for both renderers."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from geo.language import ENGLISH, Language
from layers import Credit, Layer, Style
from layers.figures import Figure
from layers.theme import FLOW_ARROW, LABEL_ROLES, ArrowShape, LabelRole
from layers.theme import style as theme_style
from maps.spec import Inset, MapSpec


@dataclass(frozen=True, eq=False)
class SceneLayer:
    """One layer as drawn: its features' styles and sizes, vectorised.

    Attributes
    ----------
    index : int
        Position in the spec's layer list (drawing order, bottom first).
    key : str
        A name unique in the map (web panes and legend sections use it).
    styles : tuple of Style
        The layer's distinct styles; ``styles[style_codes[k]]`` is feature k's.
    sizes : ndarray or None
        Flow width or symbol diameter of each feature in pixels (points and
        flows), with "not reported" values at the size scale's `unknown_size`.
    values : ndarray or None
        The size scale's value of each feature (NaN where not reported).
    draw_order : ndarray of int
        Feature positions in the order they are drawn: bigger symbols and wider
        flows first, so small ones stay on top.
    in_view : ndarray of bool
        Whether each feature lies (at least partly) inside the spec's extent: the
        legend and the text description speak only of these (features beyond it are
        drawn as context, e.g. around the clip margin, but are not what the map shows).
    symbols_yield : bool
        A point whose label loses to a more important label of the same layer may
        be left off (layers ranked by ``label_priority``, e.g. towns by size).
    basemap : bool
        A backdrop layer (countries, water, places): it bounds where the map has data
        and needs no key in a context inset.
    """

    index: int
    key: str
    layer: Layer
    visible: bool
    labelled: bool
    styles: tuple[Style, ...]
    style_codes: np.ndarray
    sizes: np.ndarray | None
    values: np.ndarray | None
    draw_order: np.ndarray
    in_view: np.ndarray
    symbols_yield: bool = False
    basemap: bool = False

    @property
    def kind(self) -> str:
        """The layer's geometry kind."""
        return self.layer.kind

    def style(self, k: int) -> Style:
        """The style of feature `k` (a position in the frame)."""
        return self.styles[self.style_codes[k]]


@dataclass(frozen=True)
class Label:
    """One label the map would like to show; renderers place as many as fit, in order.

    Attributes
    ----------
    layer : int or None
        Index of the scene layer (None for the spec's annotations).
    feature : int
        Position of the feature in the layer's frame (or of the annotation).
    text : str
        As written in the data (a role may set it in capitals).
    role : str
        Key of :data:`layers.theme.LABEL_ROLES`: typography and rank.
    lon, lat : float
        Anchor: the point itself, a line's midpoint or a polygon's roomiest inside point.
    priority : float
        The feature's own priority within its layer (higher first); 0 if none.
    """

    layer: int | None
    feature: int
    text: str
    role: str
    lon: float
    lat: float
    kind: str
    priority: float = 0.0

    @property
    def look(self) -> LabelRole:
        """The label's typography and rank."""
        return LABEL_ROLES[self.role]


@dataclass(frozen=True)
class LegendRow:
    """A swatch drawn with `style` as a `kind` ("area", "line", "point", "flow"), and its label."""

    kind: str
    label: str
    style: Style


@dataclass(frozen=True)
class SizeKeyRow:
    """One step of a size key: the value's label and its width or diameter in pixels."""

    label: str
    size: float
    style: Style
    value: float | None = None  # None for the "not reported" row


@dataclass(frozen=True)
class SizeKey:
    """Proportional widths ("line") or symbol diameters ("point") at a few values."""

    title: str
    kind: str
    rows: tuple[SizeKeyRow, ...]


@dataclass(frozen=True)
class LegendSection:
    """The legend of one layer.

    Attributes
    ----------
    key : str
        The scene layer's key (the web ties the section to the layer's toggle).
    heading : str or None
        Shown above the rows; None where one row says it all.
    context : str
        Title of the context inset the layer is drawn in ("" for the main map).
    """

    key: str
    title: str
    heading: str | None
    rows: tuple[LegendRow, ...]
    size_key: SizeKey | None = None
    context: str = ""


@dataclass(frozen=True)
class LocatorWindow:
    """Where the map lies in its region: the window (degrees) and the map's extent in it."""

    window: tuple[float, float, float, float]
    extent: tuple[float, float, float, float]
    title: str = ""  # the locator inset's title in the scene's language


@dataclass(frozen=True, eq=False)
class SceneInset:
    """A magnifier or context inset; a context inset carries its own layers.

    `title` is the inset's title in the scene's language ("" for none), for the
    print inset's heading and the web's button alike.
    """

    inset: Inset
    layers: tuple[Layer, ...] = ()
    title: str = ""


@dataclass(frozen=True, eq=False)
class Scene:
    """Everything a reader sees on one map, for the web and print renderers alike.

    Attributes
    ----------
    layers : tuple of SceneLayer
        In drawing order (bottom first).
    labels : tuple of Label
        In placement order: earlier labels win collisions.
    legend : tuple of LegendSection
        In map order; sections from context insets last.
    credits : tuple of Credit
        Every source drawn: the layers', the relief's and the locator's.
    relief : bool
        Whether relief shading is drawn (the spec asks and the relief reaches the map).
    locator : LocatorWindow or None
        The locator inset, if the spec has one.
    arrow : ArrowShape
        Proportions of flow arrowheads.
    note_style : Style
        The marker drawn at each annotation's place, beside its label.
    caption_figures : tuple of Figure
        The sourced figures the caption quotes, in caption order, each with who
        reported it (:func:`layers.figures.figure`).
    language : Language
        The language every text of the scene is in (:mod:`geo.language`); renderers
        take their own words (scale units, "Sources", controls) from it.
    """

    spec: MapSpec
    layers: tuple[SceneLayer, ...]
    labels: tuple[Label, ...]
    legend: tuple[LegendSection, ...]
    credits: tuple[Credit, ...]
    relief: bool
    locator: LocatorWindow | None
    insets: tuple[SceneInset, ...] = ()
    caption: str = ""
    caption_sources: tuple[str, ...] = ()
    caption_figures: tuple[Figure, ...] = ()
    arrow: ArrowShape = field(default=FLOW_ARROW)
    note_style: Style = field(default_factory=lambda: theme_style("marker_event"))
    language: Language = ENGLISH

    def credit_line(self) -> str:
        """All credits on one line."""
        return self.language.gettext("Sources") + ": " + "; ".join(c.text() for c in self.credits)
