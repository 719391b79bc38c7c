"""Checks of the values in user data, with messages that name the row (line or feature).

:class:`Rows` says how the rows of one source are named ("line 3" for CSV, "feature 2"
for vector data); the checks here convert or test one column at a time and raise a
:class:`geo.DataError` at the first bad row, listing a few more. Used by :mod:`geo.read`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.errors import DataError

#: (west, south, east, north) of the region fergana maps, for spotting swapped axes.
REGION = (44.0, 30.0, 90.0, 56.0)
#: Rows or features listed by name in one message.
MAX_LISTED = 5


@dataclass(frozen=True)
class Rows:
    """How the rows of one source are named in messages."""

    source: str
    first: int  # number of the first row: 2 for CSV lines, 1 for features
    noun: str  # "line" or "feature"

    def number(self, position: int) -> int:
        """The row number of the row at 0-based `position`."""
        return self.first + int(position)

    def name(self, position: int) -> str:
        """E.g. ``"line 3"`` or ``"feature 2"``."""
        return f"{self.noun} {self.number(position)}"

    def names(self, positions: Sequence[int]) -> str:
        """E.g. ``"lines 2, 3, 5 (and 4 more)"`` for the first few `positions`."""
        numbers = ", ".join(str(self.number(p)) for p in positions[:MAX_LISTED])
        noun = self.noun if len(positions) == 1 else f"{self.noun}s"
        more = f" (and {len(positions) - MAX_LISTED} more)" if len(positions) > MAX_LISTED else ""
        return f"{noun} {numbers}{more}"

    def each(self, positions: Sequence[int], problem: str) -> str:
        """E.g. ``"lines 3, 4 have no value"`` from `positions` and ``"no value"``."""
        verb = "has" if len(positions) == 1 else "have"
        return f"{self.names(positions)} {verb} {problem}"

    def others(self, positions: Sequence[int]) -> str:
        """E.g. ``" (3 lines in all: lines 2, 5, 9)"``; empty for a single row."""
        if len(positions) == 1:
            return ""
        return f" ({len(positions)} {self.noun}s in all: {self.names(positions)})"

    def error(self, problem: str, position: int | None = None, **kwargs: str | None) -> DataError:
        """A :class:`DataError` for this source at the row at `position`."""
        row = None if position is None else self.number(position)
        return DataError(self.source, problem, row=row, **kwargs)


def as_numbers(values: pd.Series, column: str, rows: Rows) -> pd.Series:
    """`values` as floats (NaN where empty); a value that is not a number raises."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    written_nan = values.astype(str).str.strip().str.lower() == "nan"
    bad = np.flatnonzero(values.notna() & numbers.isna() & ~written_nan)
    if len(bad):
        raise rows.error(
            f"{rows.name(bad[0])} has {clipped(values.iloc[bad[0]])!r}, which is not a number",
            bad[0],
            field=column,
            hint="write digits with '.' for decimals and no thousands separators, e.g. 1250.5",
        )
    return numbers


def as_whole_numbers(values: pd.Series, column: str, rows: Rows) -> pd.Series:
    """`values` as nullable integers; a fraction or non-number raises."""
    numbers = as_numbers(values, column, rows)
    bad = np.flatnonzero(numbers.notna() & (numbers % 1 != 0))
    if len(bad):
        raise rows.error(
            f"{rows.name(bad[0])} has {numbers.iloc[bad[0]]}, which is not a whole number",
            bad[0],
            field=column,
            hint=f"write whole numbers in '{column}'",
        )
    return numbers.astype("Int64")


def as_dates(values: pd.Series, column: str, rows: Rows) -> pd.Series:
    """`values` as datetimes; a value that is not an ISO 8601 date raises."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    dates = pd.to_datetime(values, errors="coerce", format="ISO8601")
    bad = np.flatnonzero(values.notna() & dates.isna())
    if len(bad):
        raise rows.error(
            f"{rows.name(bad[0])} has {clipped(values.iloc[bad[0]])!r}, which is not a date",
            bad[0],
            field=column,
            hint="write dates as YYYY-MM-DD, e.g. 2010-06-11",
        )
    return dates


def require_present(values: pd.Series, column: str, rows: Rows, problem: str, advice: str) -> None:
    """Raise if any of `values` is missing, naming the first few rows."""
    missing = np.flatnonzero(values.isna())
    if len(missing):
        raise rows.error(
            rows.each(missing, problem),
            missing[0],
            field=column,
            hint=f"fill in '{column}' in every row; {advice}",
        )


def require_nonnegative(values: pd.Series, column: str, rows: Rows) -> None:
    """Raise if any of `values` is negative, naming the first few rows."""
    negative = np.flatnonzero((values < 0).to_numpy(dtype=bool, na_value=False))
    if len(negative):
        raise rows.error(
            rows.each(negative, f"a value below 0 (first: {values.iloc[negative[0]]})"),
            negative[0],
            field=column,
            hint=f"'{column}' cannot be below 0; check the sign",
        )


def require_in_range(values: np.ndarray, limit: float, column: str, rows: Rows, what: str) -> None:
    """Raise if any of `values` is beyond ±`limit` (or not finite)."""
    bad = np.flatnonzero(~(np.abs(values) <= limit))
    if len(bad):
        raise rows.error(
            f"{rows.name(bad[0])} has {what} {values[bad[0]]}, outside -{limit}..{limit}"
            f"{rows.others(bad)}",
            bad[0],
            field=column,
            hint=f"give {what} in decimal degrees; projected coordinates (metres) need a CRS",
        )


def looks_swapped(x: np.ndarray, y: np.ndarray) -> bool:
    """True if no (x, y) lies in :data:`REGION` but every (y, x) does.

    Parameters
    ----------
    x, y : numpy.ndarray
        Longitudes and latitudes as given.
    """
    return len(x) > 0 and not in_region(x, y).any() and bool(in_region(y, x).all())


def in_region(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Which points lie in :data:`REGION`."""
    west, south, east, north = REGION
    return (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)


def listed(frame: pd.DataFrame) -> str:
    """The non-geometry column names of `frame`, comma-separated."""
    geometry = getattr(frame, "active_geometry_name", None)
    names = [str(c) for c in frame.columns if c != geometry]
    return ", ".join(names) or "none"


def region_text() -> str:
    """:data:`REGION` in words."""
    west, south, east, north = REGION
    return f"lon {west:g}–{east:g} E, lat {south:g}–{north:g} N"


def clipped(value: object, width: int = 40) -> str:
    """`value` as text, shortened to `width` characters."""
    text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"
