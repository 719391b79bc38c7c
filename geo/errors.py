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
        1-based data row (CSV: the header is row 0) or feature number.
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
