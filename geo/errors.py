"""The exception type for bad data, its message format, and the warning for assumptions."""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike


@dataclass(frozen=True)
class Problem:
    """One bad value found while checking a file, as listed in a :class:`DataError`.

    Attributes
    ----------
    row : int or None
        CSV line (header = line 1) or 1-based feature number, as :attr:`DataError.row`.
    field : str or None
        Column or property name.
    problem : str
        What is wrong, e.g. ``"not a number"``; problems of one kind share this text.
    value : str or None
        The value as written (already formatted for the message), if there is one.
    """

    row: int | None
    field: str | None
    problem: str
    value: str | None = None


class DataError(ValueError):
    """Input data that fergana cannot use.

    The message always names the file (or dataset), and where known the row or
    feature, the field, what is wrong and how to fix it.

    Parameters
    ----------
    source : str or path-like
        File, URL or dataset name the data came from.
    problem : str
        What is wrong, in one sentence (or one line per kind of problem).
    row : int, optional
        For a CSV, the line number a spreadsheet shows (the header is line 1, the
        first data row line 2); for vector data, the 1-based feature number. When
        the error lists several problems, the row of the first.
    field : str, optional
        Column or property name (of the first problem, when there are several).
    hint : str, optional
        How to fix it.
    problems : tuple of Problem, optional
        Every bad value found, when the checks collected several (see
        :class:`geo.checks.Problems`); empty for an error about the file as a whole.
    """

    def __init__(
        self,
        source: str | PathLike[str],
        problem: str,
        *,
        row: int | None = None,
        field: str | None = None,
        hint: str | None = None,
        problems: tuple[Problem, ...] = (),
    ) -> None:
        self.source = str(source)
        self.problem = problem
        self.row = row
        self.field = field
        self.hint = hint
        self.problems = problems
        where = [self.source]
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field '{field}'")
        message = f"{', '.join(where)}: {problem}"
        if hint:
            message += f" (fix: {hint})"
        super().__init__(message)


class DataWarning(UserWarning):
    """Data that fergana used after an assumption or a repair.

    E.g. a missing CRS, invalid shapes, or a CSV that was not UTF-8 (the encoding
    assumed is named).
    """
