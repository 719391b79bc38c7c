"""Renderer-neutral style, legend and credit records shared by every layer."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import geo


@dataclass(frozen=True)
class Style:
    """How one kind of feature is drawn, in units both renderers understand.

    Widths and marker sizes are CSS pixels on the web; the static renderer draws
    them at 0.75 pt per pixel, so a map looks the same on screen and in print.

    Attributes
    ----------
    fill, stroke : str or None
        Hex colours; None draws no fill or no outline.
    dash : tuple of float
        On/off lengths in pixels; empty for a solid line.
    marker : str
        Point symbol: "circle", "square", "triangle", "diamond", "cross" or "star".

    Layers are drawn in the order the map spec lists them; within a layer, bigger
    symbols and wider flows first (see :mod:`maps.scene`).
    """

    fill: str | None = None
    fill_opacity: float = 1.0
    stroke: str | None = "#333333"
    stroke_width: float = 1.0
    stroke_opacity: float = 1.0
    dash: tuple[float, ...] = ()
    marker: str = "circle"
    marker_size: float = 8.0

    def but(self, **changes: object) -> Style:
        """A copy with some attributes changed."""
        return replace(self, **changes)


@dataclass(frozen=True)
class SizeScale:
    """Proportional symbols or flow widths.

    Flow widths grow linearly with the value (``width = value / max_value *
    max_size``); point symbols grow by area (``diameter ∝ sqrt(value)``).

    Attributes
    ----------
    column : str
        Numeric column; NaN means "not reported" and is drawn with `unknown_size`.
    max_value : float
        The value drawn at `max_size` pixels.
    key_values : tuple of float
        Values shown in the legend's size key.
    thinnest : bool
        The key also has a row for the values drawn at `min_size` ("up to 417
        (thinnest)", up to :meth:`floor_value`), shown where such a value is in view.
        Set for keys made from the data; the story's fixed keys leave it off.
    """

    column: str
    max_value: float
    max_size: float
    min_size: float = 1.0
    unknown_size: float = 1.5
    by_area: bool = False
    key_values: tuple[float, ...] = ()
    label: str = ""
    thinnest: bool = False

    def size(self, value: float | None) -> float:
        """Pixel width (flows) or diameter (points) for `value`."""
        if value is None or value != value:  # NaN: not reported
            return self.unknown_size
        ratio = max(float(value), 0.0) / self.max_value
        size = self.max_size * (ratio**0.5 if self.by_area else ratio)
        return max(size, self.min_size)

    def floor_value(self) -> float:
        """The largest value drawn at `min_size`: every smaller value looks the same."""
        share = self.min_size / self.max_size
        return self.max_value * (share**2 if self.by_area else share)


@dataclass(frozen=True)
class Wording:
    """A legend label that lists data names, worded again in each language.

    The catalog translates the message; each name is looked up as a place name
    (:meth:`geo.language.Language.label`), so a name the data gains or loses needs
    no new catalog entry, and a name without a translation is recorded missing.

    Attributes
    ----------
    singular, plural : str
        Catalog messages with a ``{names}`` placeholder, for one name and for a list.
        Two messages, not one with plural forms: a list has a grammatical number
        (one enclave or several), where plural forms follow a number written in
        front of a noun (Russian's "21 анклав" is singular).
    names : tuple of str
        The data's names (English), listed in this order.
    """

    singular: str
    plural: str
    names: tuple[str, ...]

    def text(self, language: geo.language.Language) -> str:
        """The label in `language`: the message for one name or a list, the names in it."""
        message = language.gettext(self.singular if len(self.names) == 1 else self.plural)
        return message.format(names=", ".join(language.label(n) for n in self.names))


@dataclass(frozen=True)
class LegendEntry:
    """One line of a legend: a swatch drawn with `style` and a label.

    `wording`, where the label lists data names, words it in the current language.
    """

    label: str
    style: Style
    kind: str  # "area", "line", "point" or "flow"
    wording: Wording | None = None


@dataclass(frozen=True)
class Field:
    """A column shown in tooltips and popups.

    Attributes
    ----------
    fmt : str
        A ``str.format`` pattern for the value, e.g. ``"{:,.0f} km²"``.
    missing : str
        Shown where the value is empty.
    """

    column: str
    label: str
    fmt: str = "{}"
    missing: str = "not reported"

    def format(self, value: object) -> str:
        """The value as text for a reader."""
        if value is None or (isinstance(value, float) and value != value) or value == "":
            return self.missing
        try:
            return self.fmt.format(value)
        except (ValueError, TypeError):
            return str(value)


@dataclass(frozen=True)
class Credit:
    """Where a layer's data comes from."""

    source: str
    license: str
    version: str = ""
    url: str = ""

    @classmethod
    def of(cls, dataset_name: str) -> Credit:
        """The credit of a catalog dataset."""
        entry = geo.dataset(dataset_name)
        return cls(
            source=entry.citation, license=entry.license, version=entry.version, url=entry.url
        )

    def text(self) -> str:
        """One line for a map's credits; the licence only where it asks for more than a name."""
        quiet = ("public domain", "cited facts")
        if (
            not self.license
            or self.license.lower().startswith(quiet)
            or self.license in self.source
        ):
            return self.source
        return f"{self.source} ({self.license})"


@dataclass(frozen=True)
class Category:
    """One category of a layer: its legend label and the style its features are drawn in.

    `wording`, where the label lists data names, words it in the current language.
    """

    label: str
    style: Style
    wording: Wording | None = None


@dataclass(frozen=True)
class Categories:
    """Per-feature styles chosen by the value of one column.

    Attributes
    ----------
    column : str
        Column whose value picks the style.
    styles : dict
        Value -> :class:`Category` (legend label and Style), in legend order; a
        ``(label, Style)`` pair is accepted and made a Category. Values missing here
        use the layer's base style.
    ordered : bool
        The categories are classes of one scale (:mod:`layers.classes`): a legend
        keeps every class, even one no feature in view falls in, so the breaks read
        without a gap.
    """

    column: str
    styles: dict[str, Category] = field(default_factory=dict)
    ordered: bool = False

    def __post_init__(self) -> None:
        named = {
            value: entry if isinstance(entry, Category) else Category(*entry)
            for value, entry in self.styles.items()
        }
        object.__setattr__(self, "styles", named)

    def legend(self, kind: str) -> list[LegendEntry]:
        """One legend entry per category, in order."""
        return [LegendEntry(c.label, c.style, kind, c.wording) for c in self.styles.values()]
