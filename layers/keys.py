"""Size keys from the data: a few round numbers within the values' range, titled by units.

A legend's size key shows two or three values a reader can compare with the map:
round numbers (powers of ten first, then 1-2-5 steps) inside the data's range, the
largest no bigger than the largest value, each drawn visibly bigger than the next
smaller one and than the scale's minimum size. Where some values are so small that
they draw at the minimum size (every one of them looks the same), the key says so
in a row of its own: "up to 417 (thinnest)" (see :attr:`SizeScale.thinnest`).

Examples
--------
>>> key_values([50, 800, 3000])
(100.0, 1000.0, 3000.0)
>>> key_values([0.2, 0.9])
(0.2, 0.5, 0.9)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace

import numpy as np

from geo.language import current, tr
from layers.style import SizeScale

#: Leading digits a largest key may have (3,000; 2,500; 1,500 ...).
LARGEST_MANTISSAS = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0)
#: Leading digits of the smaller keys when no power of ten fits.
STEP_MANTISSAS = (1.0, 2.0, 5.0)
#: Each smaller key is at most this share of the next larger one: widths differ by
#: 1.5 times, circle diameters by sqrt(1.5) = 1.22 times, both above VISIBLE_STEP.
KEY_GAP = 1 / 1.5
#: A key's drawn size is at least this many times the scale's minimum size.
VISIBLE_STEP = 1.2
#: Significant figures of the "up to ... (thinnest)" value.
THINNEST_FIGURES = 3
DEFAULT_UNITS = "Count"


def key_values(values: Iterable[float], smallest: float = 0.0) -> tuple[float, ...]:
    """Two or three round values for a size key, ascending.

    Parameters
    ----------
    values : iterable of float
        The data; NaN, infinite and non-positive values are ignored.
    smallest : float
        No key but the largest lies below it: the least value drawn visibly bigger
        than the scale's minimum size.

    Returns
    -------
    tuple of float
        Empty if no value is positive; the value itself if there is one distinct value.
    """
    data = np.asarray(list(values), dtype=float)
    data = data[np.isfinite(data) & (data > 0)]
    if not len(data):
        return ()
    low, high = float(data.min()), float(data.max())
    if low == high:
        return (high,)
    largest = _round_down(high, LARGEST_MANTISSAS)
    keys = [largest]
    for _ in range(2):
        below = _next_key(keys[0] * KEY_GAP, max(low, smallest))
        if below is None:
            break
        keys.insert(0, below)
    return tuple(keys)


def key_title(units: str | None, how: str) -> str:
    """The key's title, e.g. ``"Traders (line width)"`` from ``"traders"`` and ``"line width"``."""
    text = (units or DEFAULT_UNITS).strip() or DEFAULT_UNITS
    return f"{text[0].upper()}{text[1:]} ({how})"


def data_size_scale(
    values: Iterable[float],
    *,
    column: str,
    units: str | None,
    max_size: float,
    min_size: float,
    unknown_size: float,
    by_area: bool,
) -> SizeScale:
    """A size scale whose largest value is the data's and whose key comes from the data.

    Flow widths are linear in the value (``by_area=False``, titled "line width"),
    symbols by area ("circle area"). The key's values draw visibly bigger than
    `min_size`; where some values draw at `min_size`, the scale's `thinnest` is set
    and the legend adds a row for them.
    """
    data = np.asarray(list(values), dtype=float)
    finite = data[np.isfinite(data)]
    top = float(finite.max()) if len(finite) and finite.max() > 0 else 1.0
    scale = SizeScale(
        column=column,
        max_value=top,
        max_size=max_size,
        min_size=min_size,
        unknown_size=unknown_size,
        by_area=by_area,
        label=key_title(units, "circle area" if by_area else "line width"),
    )
    floor = scale.floor_value()
    smallest = floor * (VISIBLE_STEP**2 if by_area else VISIBLE_STEP)
    keys = key_values(finite, smallest)
    return replace(scale, key_values=keys, thinnest=bool((finite <= floor).any()))


def thinnest_label(floor: float) -> str:
    """The key row of the values drawn thinnest, e.g. ``"up to 417 (thinnest)"``.

    `floor` (:meth:`SizeScale.floor_value`) is shown to three significant figures,
    in the current language (Russian: «до 417 (самые тонкие)»).
    """
    value = float(f"{floor:.{THINNEST_FIGURES}g}")
    return tr("up to {number} (thinnest)", number=current().number(value))


def _round_down(value: float, mantissas: tuple[float, ...]) -> float:
    """The largest number m × 10^k (m in `mantissas`) not above `value`."""
    exponent = math.floor(math.log10(value))
    for power in (exponent, exponent - 1):
        for mantissa in reversed(mantissas):
            candidate = _number(mantissa, power)
            if candidate <= value:
                return candidate
    return value


def _next_key(at_most: float, at_least: float) -> float | None:
    """The round key below `at_most` and not below `at_least`: a power of ten, else 1-2-5."""
    if at_most < at_least:
        return None
    power = _number(1.0, math.floor(math.log10(at_most)))
    if power >= at_least:
        return power
    step = _round_down(at_most, STEP_MANTISSAS)
    return step if step >= at_least else None


def _number(mantissa: float, exponent: int) -> float:
    """The number mantissa × 10^exponent, without binary noise (0.3, not 0.30000000000000004)."""
    return float(f"{mantissa:g}e{exponent}")
