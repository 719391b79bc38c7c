"""Checks of the values in user data, with messages that name the row (line or feature).

:class:`Rows` says how the rows of one source are named ("line 3" for CSV, "feature 2"
for vector data). The checks convert or test one column each and record every bad
value in a :class:`Problems` collector; :meth:`Problems.raise_if_any` then raises one
:class:`geo.DataError` listing them all, grouped by field and kind of problem, up to
:data:`MAX_LISTED` rows per file. Used by :mod:`geo.read` and :mod:`geo.read_files`.

Numbers as written
------------------
:func:`parsed_numbers` reads what spreadsheets write, by these rules (spaces around a
value are ignored; a sign may lead):

* Plain numbers as Python writes them: ``1250``, ``-3.5``, ``1e6``, ``nan``.
* Thousands grouped by a space, a no-break space (U+00A0), a thin space (U+2009) or a
  narrow no-break space (U+202F): ``1 200``, ``12 345 678``, ``1 200.5``.
* In a comma- or tab-separated file (and in vector data) ``.`` is the decimal mark and
  ``,`` may group thousands: ``1,200``, ``12,345,678``, ``1,200.5``. ``1,5`` is not a
  number there.
* In a ``;``-separated file either mark may be the decimal one, decided per column:
  a value whose mark can only be a decimal mark (``1,5``, ``0,25``, ``1.200,5``,
  ``1.200.300``, ``1 200,5`` -- or the same with ``.``) shows how the column is
  written, and the column's other values are read that way (``1.200`` is then 1200
  in a decimal-comma column). If the column shows neither, or both, a value with a
  single mark followed by exactly three digits (``1,200`` or ``1.200``: 1.2 or
  1200?) is ambiguous and refused; other values are read as written.
* Groups must be well formed (one to three leading digits, then groups of exactly
  three, one grouping character throughout); anything else is "not a number".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo.coverage import DETAILED_WINDOW
from geo.errors import DataError, Problem

#: (west, south, east, north) of the region fergana maps, for spotting swapped axes.
REGION = DETAILED_WINDOW
#: Rows or features listed by name in one message (per file, in all).
MAX_LISTED = 20

_SPACES = " \u00a0\u2009\u202f"
_WRITTEN = re.compile(rf"[+-]?[\d.,{_SPACES}]+")
_SPACE_GROUPED = re.compile(rf"\d{{1,3}}(?P<space>[{_SPACES}])\d{{3}}(?:(?P=space)\d{{3}})*")
_MARKS = re.compile(r"[.,]")
_AMBIGUOUS = re.compile(r"[+-]?\d{1,3}[.,]\d{3}")
_SINGLE_MARK = r"^[+-]?\d+([.,])\d+$"
# Values read at C speed once a column's decimal mark is known: the decimal mark alone,
# or well-formed groups of the other mark (with or without decimals).
_LANES = {
    ",": r"[+-]?\d{1,3}(?:\.\d{3})*(?:,\d+)?|[+-]?\d+(?:,\d+)?",
    ".": r"[+-]?\d{1,3}(?:,\d{3})*(?:\.\d+)?|[+-]?\d+(?:\.\d+)?",
}
_OTHER = {",": ".", ".": ","}


@dataclass(frozen=True)
class Rows:
    """How the rows of one source are named in messages.

    Attributes
    ----------
    source : str
        File, URL or name of the data.
    first : int
        Number of the first row: 2 for CSV lines (the header is line 1), 1 for features.
    noun : str
        ``"line"`` or ``"feature"``.
    separator : str or None
        The CSV separator the file was read with (comma, semicolon or tab); None
        for vector data and frames. Decides how numbers are read (see the module
        docstring) and is named wherever the file's columns are listed.
    """

    source: str
    first: int
    noun: str
    separator: str | None = None

    def number(self, position: int) -> int:
        """The row number of the row at 0-based `position`."""
        return self.first + int(position)

    def name(self, position: int) -> str:
        """E.g. ``"line 3"`` or ``"feature 2"``."""
        return f"{self.noun} {self.number(position)}"

    def names(self, positions: Sequence[int]) -> str:
        """E.g. ``"lines 2, 3, 5 and 4 more"`` for the first :data:`MAX_LISTED` `positions`."""
        numbers = ", ".join(str(self.number(p)) for p in positions[:MAX_LISTED])
        noun = self.noun if len(positions) == 1 else f"{self.noun}s"
        more = f" and {len(positions) - MAX_LISTED} more" if len(positions) > MAX_LISTED else ""
        return f"{noun} {numbers}{more}"

    def each(self, positions: Sequence[int], problem: str) -> str:
        """E.g. ``"lines 3, 4 have no value"`` from `positions` and ``"no value"``."""
        verb = "has" if len(positions) == 1 else "have"
        return f"{self.names(positions)} {verb} {problem}"

    def columns(self, frame: pd.DataFrame) -> str:
        """E.g. ``"columns present (read as ';'-separated): a, b"``."""
        read_as = "" if self.separator is None else f" (read as {separator_name(self.separator)})"
        return f"columns present{read_as}: {listed(frame)}"

    def error(self, problem: str, position: int | None = None, **kwargs: str | None) -> DataError:
        """A :class:`DataError` for this source at the row at `position`."""
        row = None if position is None else self.number(position)
        return DataError(self.source, problem, row=row, **kwargs)


def separator_name(separator: str) -> str:
    """E.g. ``"';'-separated"`` or ``"tab-separated"``."""
    return "tab-separated" if separator == "\t" else f"'{separator}'-separated"


@dataclass
class Problems:
    """Bad values found in one source, gathered to be raised as one :class:`DataError`.

    Examples
    --------
    >>> problems = Problems(Rows("towns.csv", 2, "line"))  # doctest: +SKIP
    >>> counts = as_numbers(table["count"], "count", problems)  # doctest: +SKIP
    >>> problems.raise_if_any()  # doctest: +SKIP
    """

    rows: Rows
    found: list[Problem] = field(default_factory=list)
    hints: dict[tuple[str | None, str], str] = field(default_factory=dict)
    #: (0-based position, field) of every problem recorded.
    reported: set[tuple[int, str | None]] = field(default_factory=set)
    #: Positions whose missing geometry a coordinate problem already explains.
    unlocated: set[int] = field(default_factory=set)

    def add(
        self,
        positions: Sequence[int],
        column: str | None,
        problem: str,
        hint: str,
        values: Sequence[str] | None = None,
    ) -> None:
        """Record `problem` in `column` at each of the 0-based `positions`.

        `values` (formatted for the message, e.g. ``"'abc'"``) go with `positions`.
        """
        for n, position in enumerate(positions):
            value = None if values is None else values[n]
            self.found.append(Problem(self.rows.number(position), column, problem, value))
            self.reported.add((int(position), column))
        if len(positions):
            self.hints.setdefault((column, problem), hint)

    def __len__(self) -> int:
        return len(self.found)

    def raise_if_any(self) -> None:
        """Raise one :class:`DataError` listing every problem recorded, if there is one.

        The message groups the problems by field (in the order the fields were checked)
        and kind; the error's ``problems`` holds them all in row order, and its ``row``
        and ``field`` are those of the first.
        """
        if not self.found:
            return
        columns = list(dict.fromkeys(p.field for p in self.found))
        found = sorted(self.found, key=lambda p: -1 if p.row is None else p.row)
        groups: dict[tuple[str | None, str], list[Problem]] = {}
        for problem in sorted(self.found, key=lambda p: columns.index(p.field)):
            groups.setdefault((problem.field, problem.problem), []).append(problem)
        room = MAX_LISTED
        lines = []
        for (column, problem), members in groups.items():
            members.sort(key=lambda p: p.row if p.row is not None else -1)
            shown, room = members[:room], max(room - len(members), 0)
            lines.append((column, problem, self._listing(members, shown)))
        first = found[0]
        if len(lines) == 1:
            column, problem, listing = lines[0]
            text = f"{problem}: {listing}"
            hint: str | None = self.hints[(column, problem)]
        else:
            rows = len({p.row for p in self.found})
            text = f"{len(self.found)} problems in {rows} {self.rows.noun}s:" + "".join(
                f"\n  {_field_text(c)}{p}: {listing} (fix: {self.hints[(c, p)]})"
                for c, p, listing in lines
            )
            hint = None
        raise DataError(
            self.rows.source,
            text,
            row=first.row,
            field=first.field,
            hint=hint,
            problems=tuple(found),
        )

    def _listing(self, members: list[Problem], shown: list[Problem]) -> str:
        """E.g. ``"line 3 ('x'), line 5 ('y') and 4 more"``."""
        if not shown:
            return f"{len(members)} {self.rows.noun}{'s' if len(members) > 1 else ''} (not listed)"
        named = ", ".join(
            f"{self.rows.noun} {p.row}" + (f" ({p.value})" if p.value is not None else "")
            for p in shown
        )
        more = len(members) - len(shown)
        return named + (f" and {more} more" if more else "")


def _field_text(column: str | None) -> str:
    return "" if column is None else f"field '{column}', "


# --- numbers --------------------------------------------------------------------------


def parsed_numbers(values: pd.Series, separator: str | None) -> tuple[pd.Series, np.ndarray]:
    """`values` read as numbers by the module's rules, and the positions that are not numbers.

    Empty cells become NaN and are not bad. `separator` is the CSV separator (or None).
    """
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("float64"), np.array([], dtype=int)
    present = values.notna().to_numpy()
    texts = values[present].astype(str).str.strip()
    # Values with no mark that could group or (in ';' files) be either decimal mark are
    # read by pandas at C speed; the rest one by one by number_from_text.
    marks = "[.,\\s\u00a0\u2009\u202f]" if separator == ";" else "[,\\s\u00a0\u2009\u202f]"
    simple = ~texts.str.contains(marks, regex=True).to_numpy()
    quick = pd.to_numeric(texts[simple], errors="coerce").to_numpy(dtype="float64")
    written_nan = texts[simple].str.lower().isin(("nan", "+nan", "-nan")).to_numpy()
    numbers = np.full(len(texts), np.nan)
    numbers[simple] = quick
    slow = ~simple
    slow[np.flatnonzero(simple)[np.isnan(quick) & ~written_nan]] = True
    decimal = "." if separator != ";" else column_decimal_mark(texts[slow])
    if decimal is not None:  # 1250,5 in a decimal-comma column, 1,250 where '.' is decimal
        lane = slow & texts.str.fullmatch(_LANES[decimal]).to_numpy()
        numbers[lane] = pd.to_numeric(
            texts[lane].str.replace(_OTHER[decimal], "", regex=False).str.replace(",", ".")
        ).to_numpy(dtype="float64")
        slow &= ~lane
    parsed = [number_from_text(text, decimal) for text in texts[slow]]
    bad = np.zeros(len(texts), dtype=bool)
    bad[slow] = [n is None for n in parsed]
    numbers[slow] = [np.nan if n is None else n for n in parsed]
    floats = np.full(len(values), np.nan)
    floats[present] = numbers
    return (
        pd.Series(floats, index=values.index, dtype="float64"),
        np.flatnonzero(present)[bad],
    )


def has_ambiguous_numbers(texts: pd.Series) -> bool:
    """True if a value of `texts` is written like ``1,200`` or ``1.200`` (1.2 or 1200?)."""
    return bool(texts.dropna().astype(str).str.strip().str.fullmatch(_AMBIGUOUS).any())


def column_decimal_mark(texts: pd.Series) -> str | None:
    """``","`` or ``"."`` if the values of a ``;``-separated column show only that decimal mark."""
    single = texts.str.extract(_SINGLE_MARK, expand=False)  # the mark of 1,5 or 1.5 (else NaN)
    shown = set(single[~texts.str.fullmatch(_AMBIGUOUS)].dropna())
    for text in texts[single.isna()]:
        if len(shown) > 1:
            break
        mark = _decimal_shown(text)
        if mark is not None:
            shown.add(mark)
    return shown.pop() if len(shown) == 1 else None


def _decimal_shown(text: str) -> str | None:
    """The decimal mark `text` can only have been written with, or None if it does not tell."""
    if not _WRITTEN.fullmatch(text):
        return None
    marks = _MARKS.findall(text)
    if not marks:
        return None
    if len(set(marks)) == 2:
        return marks[-1]
    if len(marks) > 1:
        return "," if marks[0] == "." else "."
    whole, fraction = re.split(r"[.,]", text.lstrip("+-"), maxsplit=1)
    if any(space in whole for space in _SPACES) or not _groups_like(whole, fraction):
        return marks[0]
    return None


def _groups_like(whole: str, fraction: str) -> bool:
    """True if ``whole<mark>fraction`` could be a number with one thousands group."""
    return 1 <= len(whole) <= 3 and whole.isdigit() and len(fraction) == 3 and fraction.isdigit()


def number_from_text(text: str, decimal: str | None) -> float | None:
    """The number `text` writes, or None if it is not one by the module's rules.

    Parameters
    ----------
    text : str
        A cell as written.
    decimal : {".", ","} or None
        The decimal mark of the column; None where it is undecided (``;`` files).
    """
    text = text.strip()
    if "_" in text:  # float() accepts 1_000; spreadsheets never write it
        return None
    if "," not in text and not any(s in text for s in _SPACES) and decimal != ",":
        if decimal is None and _AMBIGUOUS.fullmatch(text):
            return None  # 1.200 in an undecided ';' column: 1.2 or 1200?
        try:
            return float(text)
        except ValueError:
            pass  # e.g. 1.200.300: grouped, read below
    if re.fullmatch(r"[+-]?(?:nan|inf|\d+(?:[eE][+-]?\d+)?)", text, flags=re.IGNORECASE):
        return float(text)
    if not _WRITTEN.fullmatch(text):
        return None
    sign = -1.0 if text.startswith("-") else 1.0
    body = text.lstrip("+-")
    return None if (value := _unsigned(body, decimal)) is None else sign * value


def _unsigned(body: str, decimal: str | None) -> float | None:
    """The value of `body` (digits, marks and spaces, no sign), or None."""
    marks = _MARKS.findall(body)
    spaced = any(space in body for space in _SPACES)
    if spaced:
        whole, mark, fraction = _split_last_mark(body) if marks else (body, "", "")
        if len(marks) > 1 or (mark and decimal is not None and mark != decimal):
            return None
        if not _SPACE_GROUPED.fullmatch(whole) or (mark and not fraction.isdigit()):
            return None
        digits = re.sub(f"[{_SPACES}]", "", whole)
        return float(f"{digits}.{fraction}" if mark else digits)
    if not marks:
        return float(body) if body.isdigit() else None
    kinds = set(marks)
    if len(kinds) == 2 or len(marks) > 1:
        point = marks[-1] if len(kinds) == 2 else None
        group = (kinds - {point}).pop() if point else marks[0]
        if decimal is not None and group == decimal:
            return None
        whole, _, fraction = _split_last_mark(body) if point else (body, "", "")
        if not re.fullmatch(rf"\d{{1,3}}(?:{re.escape(group)}\d{{3}})+", whole):
            return None
        if point and not fraction.isdigit():
            return None
        digits = whole.replace(group, "")
        return float(f"{digits}.{fraction}" if point else digits)
    mark = marks[0]
    whole, fraction = body.split(mark)
    if not (whole.isdigit() or whole == "") or not fraction.isdigit():
        return None
    as_group = _groups_like(whole, fraction)
    if decimal is None and as_group:
        return None  # 1,200 or 1.200: ambiguous in an undecided ';' column
    if decimal is None or mark == decimal:
        return float(f"{whole or 0}.{fraction}")
    return float(whole + fraction) if as_group else None


def _split_last_mark(body: str) -> tuple[str, str, str]:
    """(whole, mark, fraction) of `body` split at its last ``.`` or ``,``."""
    at = max(body.rfind("."), body.rfind(","))
    return body[:at], body[at], body[at + 1 :]


def _not_a_number_hint(separator: str | None) -> str:
    if separator == ";":
        return "write digits with one decimal mark, e.g. 1250,5 or 1250.5"
    return "write digits with '.' for decimals, e.g. 1250.5 (thousands may be grouped: 1,250.5)"


# --- checks of one column -------------------------------------------------------------


def as_numbers(values: pd.Series, column: str, problems: Problems) -> pd.Series:
    """`values` as floats (NaN where empty or not a number, each recorded in `problems`)."""
    separator = problems.rows.separator
    numbers, bad = parsed_numbers(values, separator)
    if not len(bad):
        return numbers
    ambiguous = [p for p in bad if _AMBIGUOUS.fullmatch(str(values.iloc[p]).strip())]
    if separator == ";" and ambiguous:
        problems.add(
            ambiguous,
            column,
            "ambiguous number (1.2 or 1200?)",
            "in a ';'-separated file '1.200' may mean 1.2 or 1200: write 1200 (no grouping) or 1,2",
            [f"{clipped(values.iloc[p])!r}" for p in ambiguous],
        )
        bad = np.setdiff1d(bad, ambiguous)
    problems.add(
        bad,
        column,
        "not a number",
        _not_a_number_hint(separator),
        [f"{clipped(values.iloc[p])!r}" for p in bad],
    )
    return numbers


def as_whole_numbers(values: pd.Series, column: str, problems: Problems) -> pd.Series:
    """`values` as nullable integers (a fraction or non-number is recorded and left empty)."""
    numbers = as_numbers(values, column, problems)
    fraction = numbers.notna() & (numbers % 1 != 0)
    bad = np.flatnonzero(fraction.to_numpy())
    problems.add(
        bad,
        column,
        "not a whole number",
        f"write whole numbers in '{column}'",
        [f"{numbers.iloc[p]:g}" for p in bad],
    )
    return numbers.mask(fraction).astype("Int64")


def as_dates(values: pd.Series, column: str, problems: Problems) -> pd.Series:
    """`values` as datetimes (a value that is not an ISO 8601 date is recorded)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    dates = pd.to_datetime(values, errors="coerce", format="ISO8601")
    bad = np.flatnonzero((values.notna() & dates.isna()).to_numpy())
    problems.add(
        bad,
        column,
        "not a date",
        "write dates as YYYY-MM-DD, e.g. 2010-06-11",
        [f"{clipped(values.iloc[p])!r}" for p in bad],
    )
    return dates


def as_text(values: pd.Series) -> pd.Series:
    """`values` with every value as text (a code written 1 becomes ``"1"``); empty stays empty."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        text = values.map(lambda v: v if pd.isna(v) else NUMBER_TEXT.format(v))
    else:
        text = values.map(lambda v: v if pd.isna(v) else str(v))
    return text.astype(object)


#: How :func:`as_text` writes a number: 1.0 as "1", 2.5 as "2.5".
NUMBER_TEXT = "{:.15g}"
#: A value of a dated column: a year, maybe a month and day, first (``c.`` may lead).
_DATED = re.compile(r"\s*(?:c\.\s*)?\d{4}(?:-\d{2}(?:-\d{2})?)?(?!\d)")
_ISO_DAY = re.compile(r"(?<!\d)(\d{4})-(\d{2})(?:-(\d{2}))?(?!\d)")


def as_date_text(values: pd.Series, column: str, problems: Problems) -> pd.Series:
    """`values` as text that must start with a year; each ``YYYY-MM(-DD)`` in it must exist.

    The story tables write dates so (``2010-06-11``, ``2010-06``, ``2010-06-10/11``,
    ``1999-08 (late)``, ``c.2011``); they stay text. Empty cells stay empty.
    """
    text = as_text(values)
    bad = [
        p
        for p, value in enumerate(text)
        if isinstance(value, str) and value.strip() and not _dated_text_ok(value)
    ]
    problems.add(
        bad,
        column,
        "not a date",
        "write dates as YYYY-MM-DD (or YYYY-MM, YYYY), e.g. 2010-06-11",
        [f"{clipped(text.iloc[p])!r}" for p in bad],
    )
    return text


def looks_dated(values: pd.Series) -> bool:
    """True if `values` has a value and every one is dated text (:func:`as_date_text`)."""
    present = values.dropna()
    return len(present) > 0 and all(isinstance(v, str) and _dated_text_ok(v) for v in present)


def _dated_text_ok(value: str) -> bool:
    if not _DATED.match(value):
        return False
    for year, month, day in _ISO_DAY.findall(value):
        try:
            pd.Timestamp(int(year), int(month), int(day or 1))
        except ValueError:
            return False
    return True


def require_present(
    values: pd.Series, column: str, problems: Problems, problem: str, advice: str
) -> None:
    """Record each missing value of `values` that is not already reported for its row."""
    missing = [
        p for p in np.flatnonzero(values.isna().to_numpy()) if (p, column) not in problems.reported
    ]
    problems.add(missing, column, problem, f"fill in '{column}' in every row; {advice}")


def require_nonnegative(values: pd.Series, column: str, problems: Problems) -> None:
    """Record each negative value of `values`."""
    negative = np.flatnonzero((values < 0).to_numpy(dtype=bool, na_value=False))
    problems.add(
        negative,
        column,
        "below 0",
        f"'{column}' cannot be below 0; check the sign",
        [f"{values.iloc[p]:g}" for p in negative],
    )


def require_in_range(
    values: np.ndarray, limit: float, column: str, problems: Problems, what: str
) -> None:
    """Record each of `values` beyond ±`limit` (NaN counts as missing, not out of range)."""
    bad = np.flatnonzero(np.abs(values) > limit)
    problems.add(
        bad,
        column,
        f"{what} outside -{limit}..{limit}",
        f"give {what} in decimal degrees; projected coordinates (metres) need a CRS",
        [str(float(values[p])) for p in bad],
    )


# --- whole-source checks and text ----------------------------------------------------------


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
