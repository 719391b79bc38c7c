"""Class breaks for choropleths and coloured symbols, and their legend rows.

Numbers are split into classes with mapclassify (``quantiles``, ``natural_breaks``,
``equal_interval``, ``fisher_jenks``) or at the user's own ``breaks``; each class is
coloured from a sequential palette (ColorBrewer's, as matplotlib ships them) and
its legend row reads as a range ("10–20", "20–35.5", "1,000–2,500"). Features
without a value get a "No data" style and row, only where some lack one.

Everything is reproducible: natural breaks (k-means) runs with a fixed seed.
"""

from __future__ import annotations

import contextlib
import difflib
import math
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

import geo
from geo.language import current
from layers.style import Categories, Category, Style
from layers.theme import style as theme_style

#: Scheme option -> mapclassify classifier.
SCHEMES = {
    "quantiles": "Quantiles",
    "natural_breaks": "NaturalBreaks",
    "equal_interval": "EqualInterval",
    "fisher_jenks": "FisherJenks",
}
#: Sequential ColorBrewer palettes (matplotlib's copies of them).
SEQUENTIAL = (
    "Blues", "BuGn", "BuPu", "GnBu", "Greens", "Greys", "OrRd", "Oranges", "PuBu", "PuBuGn",
    "PuRd", "Purples", "RdPu", "Reds", "YlGn", "YlGnBu", "YlOrBr", "YlOrRd",
)  # fmt: skip
#: Qualitative ColorBrewer palettes, for categories.
QUALITATIVE = ("Dark2", "Set1", "Set2", "Set3", "Paired", "Accent", "Pastel1", "Pastel2")
#: Share of a sequential palette used: its palest end would vanish on the land colour.
SEQUENTIAL_RANGE = (0.2, 0.95)
MAX_CLASSES = 9
NO_DATA = "No data"
NO_DATA_KEY = "__no_data__"  # the class value of features without a value
RANGE_DASH = "–"
SEED = 20100610  # natural breaks: k-means from a fixed start


@dataclass(frozen=True)
class Classes:
    """Classes of a numeric column.

    Attributes
    ----------
    bounds : tuple of float
        The lowest value, then each class's upper bound (``len(bounds) - 1`` classes).
    """

    bounds: tuple[float, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        """Each class's range as a reader sees it, lowest first."""
        lows, highs = self.bounds[:-1], self.bounds[1:]
        pairs = zip(lows, highs, strict=True)
        return tuple(f"{format_number(a)}{RANGE_DASH}{format_number(b)}" for a, b in pairs)

    def of(self, values: pd.Series) -> pd.Series:
        """Each value's class label; :data:`NO_DATA_KEY` where there is no value."""
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        # class k holds (bounds[k], bounds[k+1]]; the first class also holds its lowest value
        index = np.searchsorted(np.asarray(self.bounds[1:-1]), numbers, side="left")
        labels = np.asarray(self.labels, dtype=object)[np.clip(index, 0, len(self.labels) - 1)]
        labels[np.isnan(numbers)] = NO_DATA_KEY
        return pd.Series(labels, index=values.index, dtype=object)


def format_number(value: float) -> str:
    """A class bound for readers: thousands separated, three significant digits below 1,000.

    In the current language (``1,000`` in English, ``1 000`` in Russian): layers are
    built while their map's language is current, so class labels (which are also the
    class values of the features) are the language's from the start.
    """
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    digits = 0 if abs(value) >= 1000 else min(6, max(0, 2 - math.floor(math.log10(abs(value)))))
    language = current()
    if language.is_source:
        text, point = f"{value:,.{digits}f}", "."
    else:
        from babel.numbers import get_decimal_symbol

        text = language.number(value, decimals=digits)
        point = get_decimal_symbol(language.locale)
    return text.rstrip("0").rstrip(point) if point in text else text


def classify(
    values: pd.Series,
    *,
    scheme: str | None,
    classes: int,
    breaks: Sequence[float] | None,
    source: str,
    column: str,
) -> Classes:
    """Classes of `values` by a mapclassify `scheme`, or at the user's `breaks`.

    Raises
    ------
    geo.DataError
        An unknown scheme, a number of classes outside 2..9, breaks that do not rise,
        or a column without any number; naming the option and the choices.
    """
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    present = numbers[np.isfinite(numbers)]
    if not len(present):
        raise geo.DataError(source, f"column {column!r} has no numbers to classify", field=column)
    low, high = float(present.min()), float(present.max())
    if breaks is not None:
        return Classes(_user_bounds(breaks, low, high, source))
    scheme = check_scheme(scheme or "quantiles", source)
    if not isinstance(classes, int) or isinstance(classes, bool) or not 2 <= classes <= MAX_CLASSES:
        raise geo.DataError(
            source,
            f"classes must be a whole number from 2 to {MAX_CLASSES}, not {classes!r}",
            field="classes",
        )
    k = min(classes, len(np.unique(present)))
    if k < 2:
        return Classes((low, high))
    import mapclassify

    with _seeded(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "not enough unique values": k is capped above
        found = getattr(mapclassify, SCHEMES[scheme])(present, k=k)
    uppers = sorted({float(b) for b in found.bins if b > low})
    return Classes((low, *uppers))


def check_scheme(scheme: str, source: str) -> str:
    """`scheme` if mapclassify has it here; else an error naming the choices."""
    if scheme in SCHEMES:
        return scheme
    close = difflib.get_close_matches(str(scheme), list(SCHEMES), n=1)
    raise geo.DataError(
        source,
        f"scheme {scheme!r} is not one of {', '.join(SCHEMES)}",
        field="scheme",
        hint=f"did you mean {close[0]!r}?" if close else "or give breaks = [..]",
    )


def sequential_colours(palette: str | Sequence[str], n: int, source: str) -> list[str]:
    """`n` colours from light to dark: a ColorBrewer palette by name, or the user's own list."""
    if not isinstance(palette, str):
        return _own_colours(palette, n, source)
    colormap = _colormap(palette, SEQUENTIAL, source)
    positions = np.linspace(*SEQUENTIAL_RANGE, n) if n > 1 else [SEQUENTIAL_RANGE[1]]
    return [_hex(colormap(float(p))) for p in positions]


def qualitative_colours(palette: str | Sequence[str] | None, n: int, source: str) -> list[str]:
    """`n` distinct colours for categories: ``Dark2`` (``tab20`` beyond 8) or the user's palette.

    A qualitative palette gives its colours in order; a sequential one is sampled.
    """
    if palette is None:
        return _listed("Dark2", n) if n <= 8 else _listed("tab20", n)
    if not isinstance(palette, str):
        return _own_colours(palette, n, source)
    colormap = _colormap(palette, SEQUENTIAL + QUALITATIVE, source)
    listed = getattr(colormap, "colors", None)
    if palette not in SEQUENTIAL and listed is not None and len(listed) >= n:
        return _listed(palette, n)
    return sequential_colours(palette, n, source)


def class_categories(
    column: str, labels: Sequence[str], colours: Sequence[str], base: Style, kind: str,
    *, no_data: bool,
) -> Categories:  # fmt: skip
    """Categories over a class column: one per class label, and "No data" if `no_data`."""
    styles = {
        label: Category(label, recoloured(base, colour, kind))
        for label, colour in zip(labels, colours, strict=True)
    }
    if no_data:
        styles[NO_DATA_KEY] = Category(NO_DATA, no_data_style(base, kind))
    return Categories(column, styles, ordered=True)


def recoloured(base: Style, colour: str, kind: str) -> Style:
    """`base` in `colour`: the fill of areas and points, the stroke of lines."""
    if kind in ("line", "flow"):
        return base.but(stroke=colour)
    return base.but(fill=colour)


def no_data_style(base: Style, kind: str) -> Style:
    """How features without a value are drawn: the theme's ``no_data`` grey."""
    grey = theme_style("no_data")
    if kind in ("line", "flow"):
        return base.but(stroke=grey.stroke, dash=grey.dash)
    if kind == "point":
        return base.but(fill=grey.fill)
    return grey


def _user_bounds(breaks: Sequence[float], low: float, high: float, source: str) -> tuple:
    try:
        cuts = [float(b) for b in breaks]
    except (TypeError, ValueError):
        cuts = []
    if not cuts or any(b >= a for a, b in zip(cuts[1:], cuts, strict=False)):
        raise geo.DataError(
            source,
            f"breaks must be a rising list of numbers, not {breaks!r}",
            field="breaks",
            hint="e.g. breaks = [10, 20, 50]: classes up to 10, 10–20, 20–50 and above 50",
        )
    inner = [b for b in cuts if low < b < high]
    return (min(low, cuts[0]), *inner, max(high, cuts[-1]))


def _colormap(name: str, known: Sequence[str], source: str):
    from matplotlib import colormaps

    if name in colormaps:
        return colormaps[name]
    close = difflib.get_close_matches(name, list(known), n=3)
    raise geo.DataError(
        source,
        f"palette {name!r} is not a ColorBrewer palette",
        field="palette",
        hint=(f"did you mean {', '.join(map(repr, close))}? " if close else "")
        + f"sequential: {', '.join(SEQUENTIAL)}; or a list of colours like ['#fee5d9', '#a50f15']",
    )


def _own_colours(colours: Sequence[str], n: int, source: str) -> list[str]:
    from matplotlib.colors import is_color_like, to_hex

    bad = [c for c in colours if not isinstance(c, str) or not is_color_like(c)]
    if bad or len(colours) < n:
        problem = f"{bad[0]!r} is not a colour" if bad else f"has {len(colours)} colours"
        raise geo.DataError(
            source,
            f"palette {problem}; {n} are needed",
            field="palette",
            hint="give a palette name such as 'Reds', or one '#rrggbb' colour per class",
        )
    return [to_hex(c) for c in colours[:n]]


def _listed(name: str, n: int) -> list[str]:
    """The first `n` colours of a listed colormap, cycling if it has fewer."""
    from matplotlib import colormaps

    listed = colormaps[name].colors
    return [_hex(listed[k % len(listed)]) for k in range(n)]


def _hex(rgba: Sequence[float]) -> str:
    from matplotlib.colors import to_hex

    return to_hex(rgba)


@contextlib.contextmanager
def _seeded() -> Iterator[None]:
    """NumPy's global random state at :data:`SEED`, restored afterwards."""
    state = np.random.get_state()
    np.random.seed(SEED)
    try:
        yield
    finally:
        np.random.set_state(state)
