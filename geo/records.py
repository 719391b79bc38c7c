"""Typed records from TOML: the one loader for map specs, the catalog and the upstream registry.

:func:`read_toml` parses a file; :func:`record` turns one TOML table into a typed
record (a dataclass or a :class:`msgspec.Struct`), checking its keys and the type of
every value. Errors are :class:`geo.DataError` (or a subclass the caller names) and
say the file, the key as written (``layers[2].options``) and the fix: the close
match of a misspelt key ("did you mean 'title'?") or the allowed keys, and for a
value of the wrong type what was expected ("must be true or false, not 'false'";
plain ``bool("false")`` would be True).

Why msgspec (over cattrs or pydantic): ``fergana build`` must decide that nothing
changed in under 0.3 s, before importing any heavy library, and it reads every spec
to do so. msgspec is one small compiled extension with no dependencies: measured
here, ``import msgspec`` takes ~10-15 ms wall, of which ~3 ms is msgspec's own
modules and the rest standard-library modules (uuid, decimal); reading and typing all
six specs takes ~3 ms. It validates plain dataclasses and tuples strictly (no
``"false"`` → True, no ``1`` → ``"1"``), reports a path to the bad value
(``$.layers[2].visible``) that we turn into the key as written, and converts TOML's
lists into the tuples our frozen records hold. pydantic needs pydantic-core and
builds a validator per model at import, an order of magnitude slower to start;
cattrs is light but does not type-check scalars by default (it structures
``"false"`` as ``bool`` to True).
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
from collections.abc import Collection, Mapping
from os import PathLike
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from geo.errors import DataError

__all__ = ["check_keys", "field_names", "read_toml", "record", "typed"]

Record = TypeVar("Record")

#: msgspec's type names in the words our messages use.
TYPE_WORDS = {
    "str": "text",
    "bool": "true or false",
    "int": "a whole number",
    "float": "a number",
    "array": "a list",
    "object": "a table",
    "null": "nothing",
}
_EXPECTED = re.compile(r"^Expected `(?P<what>[^`]+)`(?P<rest>.*?)(?: - at `\$(?P<path>[^`]*)`)?$")
_MISSING = re.compile(
    r"^Object missing required field `(?P<key>[^`]+)`(?: - at `\$(?P<path>[^`]*)`)?$"
)
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def read_toml(path: str | PathLike[str], error: type[DataError] = DataError) -> dict[str, Any]:
    """The parsed TOML file at `path`; a missing or malformed file raises `error`."""
    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(path, "no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise error(path, f"is not valid TOML ({err})") from None


def field_names(kind: type) -> tuple[str, ...]:
    """The field names of a dataclass or :class:`msgspec.Struct` type."""
    if dataclasses.is_dataclass(kind):
        return tuple(f.name for f in dataclasses.fields(kind))
    return tuple(kind.__struct_fields__)


def check_keys(
    raw: Mapping[str, Any],
    allowed: Collection[str],
    source: str | PathLike[str],
    prefix: str = "",
    error: type[DataError] = DataError,
) -> None:
    """Raise `error` for the first key of `raw` not in `allowed`, suggesting a close match."""
    for key in raw:
        if key not in allowed:
            close = difflib.get_close_matches(key, list(allowed), n=1)
            raise error(
                source,
                "unknown key",
                field=f"{prefix}{key}",
                hint=f"did you mean '{close[0]}'?"
                if close
                else f"allowed: {', '.join(sorted(allowed))}",
            )


def typed(
    raw: Any,
    kind: Any,
    source: str | PathLike[str],
    prefix: str = "",
    error: type[DataError] = DataError,
) -> Any:
    """`raw` converted to the type `kind`, strictly; a value of the wrong type raises `error`.

    Parameters
    ----------
    raw : Any
        Parsed TOML: a table, a list or a value.
    kind : type
        A dataclass, a :class:`msgspec.Struct`, or a type such as ``bool`` or
        ``tuple[float, float]``.
    source : str or path-like
        The file, for messages.
    prefix : str
        Where `raw` sits in the file, e.g. ``"layers[2]."`` (or ``"layers[2]"`` for
        a value): prepended to the key in messages.
    error : type
        The :class:`geo.DataError` subclass to raise.
    """
    try:
        return msgspec.convert(raw, kind, strict=True)
    except msgspec.ValidationError as err:
        raise _error(str(err), raw, source, prefix, error) from None


def record(
    raw: Mapping[str, Any],
    kind: type[Record],
    source: str | PathLike[str],
    prefix: str = "",
    *,
    error: type[DataError] = DataError,
    fill: Mapping[str, Any] | None = None,
) -> Record:
    """The TOML table `raw` as a `kind` record: unknown keys and wrong types raise `error`.

    `fill` gives fields the file does not set (e.g. a record's name, taken from its
    table header); the file may not set them either.
    """
    fill = fill or {}
    if not isinstance(raw, Mapping):
        raise error(source, f"must be a table, not {raw!r}", field=prefix.rstrip(".") or None)
    check_keys(raw, [n for n in field_names(kind) if n not in fill], source, prefix, error)
    return typed({**raw, **fill}, kind, source, prefix, error)


def _error(
    message: str, raw: Any, source: str | PathLike[str], prefix: str, error: type[DataError]
) -> DataError:
    """`error` for msgspec's `message` about `raw`, naming the key as the file writes it."""
    missing = _MISSING.match(message)
    if missing:
        path = _key(prefix, missing["path"] or "")
        key = f"{path}.{missing['key']}" if path else missing["key"]
        return error(source, "is missing a required key", field=key)
    expected = _EXPECTED.match(message)
    if expected is None:
        return error(source, message, field=prefix.rstrip(".") or None)
    path = expected["path"] or ""
    what = TYPE_WORDS.get(expected["what"], f"`{expected['what']}`")
    length = re.search(r"of length (\d+)", expected["rest"])
    if length:
        what = f"a list of {length[1]} values"
    elif " | " in expected["what"]:
        what = " or ".join(TYPE_WORDS.get(w, w) for w in expected["what"].split(" | "))
    value = _value_at(raw, path)
    quoted = isinstance(value, str) and expected["what"] in ("bool", "int", "float")
    return error(
        source,
        f"must be {what}, not {value!r}",
        field=_key(prefix, path) or None,
        hint=f"write {what} without quotes" if quoted else None,
    )


def _key(prefix: str, path: str) -> str:
    """``prefix`` + msgspec's ``.a[0].b`` path, as ``prefix a[0].b`` without stray dots."""
    return (prefix + path.lstrip(".")).rstrip(".")


def _value_at(raw: Any, path: str) -> Any:
    """The value at msgspec's `path` (``.a[0].b``) inside `raw`."""
    value = raw
    for name, index in _STEP.findall(path):
        try:
            value = value[int(index)] if index else value[name]
        except (KeyError, IndexError, TypeError):
            return value
    return value
