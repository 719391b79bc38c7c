"""The one exception type for bad data, and its message format."""

from __future__ import annotations

from os import PathLike


class DataError(ValueError):
    """Input data that fergana cannot use.

    The message always names the file (or dataset), and where known the row or
    feature, the field, what is wrong and how to fix it.

    Parameters
    ----------
    source : str or path-like
        File, URL or dataset name the data came from.
    problem : str
        What is wrong, in one sentence.
    row : int, optional
        For a CSV, the line number a spreadsheet shows (the header is line 1, the
        first data row line 2); for vector data, the 1-based feature number.
    field : str, optional
        Column or property name.
    hint : str, optional
        How to fix it.
    """

    def __init__(
        self,
        source: str | PathLike[str],
        problem: str,
        *,
        row: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.source = str(source)
        self.problem = problem
        self.row = row
        self.field = field
        self.hint = hint
        where = [self.source]
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field '{field}'")
        message = f"{', '.join(where)}: {problem}"
        if hint:
            message += f" (fix: {hint})"
        super().__init__(message)
