"""Where a layer's features come from: embedded data by default, or the user's own.

The user's own rows may be placed by the gazetteer (:func:`looked_up`) or joined to
built-in regions by name or code (:func:`joined`). User data is credited by its
file name only (``User data: flows.csv``), never by its path, or by the source the
user names with ``credit``/``credit_url``.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

import geopandas as gpd
import numpy as np
import pandas as pd

import geo
from geo.checks import MAX_LISTED, Rows
from geo.errors import Problem
from geo.gazetteer import name_key
from layers.style import Credit

Source = str | Path | pd.DataFrame | None

#: Licence of a credit that names the user's data by its file name.
USER_LICENSE = "as supplied by the user"

#: Built-in geography a table can be joined to, and the columns its names and codes are in.
JOINS: dict[str, tuple[str, ...]] = {
    "admin1": ("label", "name", "name_en", "iso_3166_2", "adm1_code", "name_alt", "name_local",
               "name_ru", "code_hasc"),
    "countries": ("name", "name_long", "admin", "name_en", "adm0_a3", "iso_a3", "iso_a2",
                  "formal_en", "name_ru"),
}  # fmt: skip
#: Column of each joined geography that names a region for readers.
JOIN_LABELS = {"admin1": "label", "countries": "name"}
#: How to fix a name the gazetteer cannot place.
PLACE_FIX = "check the spelling, or give lon/lat columns instead of names"
#: Column a joined table gains: the region's name as the built-in geography spells it.
REGION_COLUMN = "region"


def frame_from(
    data: Source,
    dataset: str,
    *,
    required: dict[str, str],
    geometry: str | None,
) -> gpd.GeoDataFrame:
    """Features for a layer, in EPSG:4326.

    Parameters
    ----------
    data : path, URL, (Geo)DataFrame or None
        The user's data, validated by :func:`geo.read_data` against `required` and
        the kinds of the embedded dataset's columns (or, where `dataset` is a facts
        table, by :func:`geo.read_table` against its columns); None loads the
        embedded `dataset`.
    dataset : str
        Catalog name of the embedded default.
    required : dict
        Column -> kind ("str", "number", "int", "date") the layer needs.
    geometry : {"point", "line", "area"} or None
        Geometry kind the layer needs.
    """
    if data is None:
        frame = geo.load(dataset)
    elif geo.dataset(dataset).kind == "table":
        # a facts table: the user's copy has its columns; rows may lack coordinates
        frame = geo.read_table(data, like=dataset)
    else:
        return _user_features(data, dataset, required, geometry)
    if not isinstance(frame, gpd.GeoDataFrame):
        raise TypeError(f"dataset '{dataset}' has no geometry")
    return frame[~frame.geometry.isna()].reset_index(drop=True)


def _user_features(
    data: Source, dataset: str, required: dict[str, str], geometry: str | None
) -> gpd.GeoDataFrame:
    """The user's features for `dataset`, checked and typed like the embedded ones.

    The `required` columns must be there (text columns are read as text); any other
    column the embedded dataset has is checked against its kind where the user's
    data has it (:func:`geo.read.kinds_like`), and a column with no value in any row
    is left out, as if absent, so that a builder using it when present does not
    meet an empty one.
    """
    from geo.read import kinds_like

    kinds = kinds_like(geo.load(dataset))
    schema = geo.Schema(
        required={c: "text" if k == "str" else k for c, k in required.items()},
        optional={c: k for c, k in kinds.items() if c not in required},
        geometry=geometry,
    )
    frame = geo.read_data(data, schema)
    empty = [
        c
        for c in frame.columns
        if c != frame.geometry.name and c not in required and frame[c].isna().all()
    ]
    return frame.drop(columns=empty)


def data_name(data: object) -> str:
    """The user's data as a credit names it: a file's name (never its folder), or its kind.

    ``"flows.csv"``; ``"flows.csv (example.org)"`` for a URL; ``"(DataFrame)"`` or
    ``"(GeoDataFrame)"`` for data given in Python.
    """
    if isinstance(data, gpd.GeoDataFrame):
        return "(GeoDataFrame)"
    if isinstance(data, pd.DataFrame):
        return "(DataFrame)"
    text = os.fspath(data) if isinstance(data, str | os.PathLike) else str(data)
    if text.lower().startswith(("http://", "https://")):
        url = urlparse(text)
        return f"{PurePosixPath(url.path).name or 'data'} ({url.netloc})"
    return Path(text).name


def user_credit(data: object, credit: str | None = None, credit_url: str | None = None) -> Credit:
    """The credit of the user's data: the source they name, else the file's name.

    Parameters
    ----------
    data : path, URL, DataFrame or GeoDataFrame
        The user's data.
    credit : str, optional
        The real source, e.g. ``"Survey by X (2024)"``.
    credit_url : str, optional
        Where the source can be found.
    """
    if credit:
        return Credit(source=credit, license="", url=credit_url or "")
    name = data_name(data)
    source = f"User data {name}" if name.startswith("(") else f"User data: {name}"
    return Credit(source=source, license=USER_LICENSE, url=credit_url or "")


def credits_for(
    data: Source, *datasets: str, credit: str | None = None, credit_url: str | None = None
) -> list[Credit]:
    """Credits of the embedded datasets, or of the user's data (see :func:`user_credit`)."""
    if data is None:
        return [Credit.of(name) for name in datasets]
    return [user_credit(data, credit, credit_url)]


def with_user_credit(
    credits: list[Credit], data: object, credit: str | None, credit_url: str | None
) -> list[Credit]:
    """`credits` with every credit of the user's data replaced by the one they name."""
    named = user_credit(data, credit, credit_url)
    out = [named if c.license == USER_LICENSE else c for c in credits]
    return list(dict.fromkeys(out))


def joined(table: pd.DataFrame, join: str, on: str | None, source: str) -> gpd.GeoDataFrame:
    """`table` with the geometry of the built-in regions its `on` column names.

    Raises
    ------
    geo.DataError
        An unknown `join`, no `on`, or names that match no region (all listed at
        once, with the closest names) or the same region twice.
    """
    if join not in JOINS:
        close = difflib.get_close_matches(str(join), list(JOINS), n=1)
        raise geo.DataError(
            source,
            f"join {join!r} is not one of {', '.join(JOINS)}",
            field="join",
            hint=f"did you mean {close[0]!r}?" if close else "or give polygons and no join",
        )
    if not on:
        raise geo.DataError(
            source,
            "join needs on = the column naming each region",
            field="on",
            hint=f"columns present: {', '.join(map(str, table.columns))}",
        )
    regions = geo.load(join)
    index = _region_index(regions, JOINS[join])
    rows = Rows(source, 2, "line")
    names = table[on]
    matched = [index.get(name_key(str(n))) if pd.notna(n) else None for n in names]
    labels = regions[JOIN_LABELS[join]].astype(str).tolist()
    found: list[Problem] = []
    lines = []
    unmatched = [k for k, m in enumerate(matched) if m is None]
    if unmatched:
        listed = "; ".join(
            f"{rows.name(k)} {names.iloc[k]!r}{_closest(names.iloc[k], labels)}"
            for k in unmatched[:MAX_LISTED]
        )
        more = f" and {len(unmatched) - MAX_LISTED} more" if len(unmatched) > MAX_LISTED else ""
        lines.append(
            f"{len(unmatched)} name(s) match no region of {join}: {listed}{more} (fix: write a "
            f"name or code as in the {join} layer (fergana data show {join}))"
        )
        found += [
            Problem(rows.number(k), on, "no such region", repr(names.iloc[k])) for k in unmatched
        ]
    keys = pd.Series([m if m is not None else -1 - k for k, m in enumerate(matched)])
    twice = np.flatnonzero(keys.duplicated(keep=False).to_numpy())
    if len(twice):
        lines.append(f"{rows.names(twice)} name the same region more than once (fix: give each "
                     "region one row)")  # fmt: skip
        found += [
            Problem(rows.number(k), on, "region named twice", repr(names.iloc[k])) for k in twice
        ]
    if found:
        found.sort(key=lambda p: p.row or 0)
        text = (
            lines[0]
            if len(lines) == 1
            else f"{len(found)} problems:" + "".join(f"\n  {line}" for line in lines)
        )
        raise geo.DataError(source, text, row=found[0].row, field=on, problems=tuple(found))
    names = regions[JOIN_LABELS[join]].iloc[matched].to_numpy()
    out = table.assign(**{REGION_COLUMN: names})
    return gpd.GeoDataFrame(out, geometry=regions.geometry.iloc[matched].to_numpy(), crs=4326)


def looked_up(columns: dict[str, pd.Series], rows: Rows) -> dict[str, list[geo.Place]]:
    """The gazetteer's place for every name in `columns` (column -> names, in row order).

    Raises
    ------
    geo.DataError
        One error listing every name the gazetteer does not know (line, column,
        closest names) or cannot place, across all `columns`; its ``problems`` hold
        them all (see :func:`merged_error` to report them with other problems).
    """
    found: dict[str, list[geo.Place]] = {}
    problems: list[tuple[int, str, str]] = []  # (position, column, what is wrong)
    cache: dict[str, geo.Place | str] = {}
    for column, names in columns.items():
        found[column] = []
        for position, name in enumerate(names):
            text = "" if pd.isna(name) else str(name).strip()
            if text not in cache:
                cache[text] = _place_or_problem(text)
            result = cache[text]
            if isinstance(result, str):
                problems.append((position, column, result))
            else:
                found[column].append(result)
    if problems:
        problems.sort()
        listed = "; ".join(f"{rows.name(k)} {column}: {what}" for k, column, what in problems)
        first, column, _ = problems[0]
        raise geo.DataError(
            rows.source,
            f"{len(problems)} place name(s) the gazetteer cannot place: {listed}",
            row=rows.number(first),
            field=column,
            hint=PLACE_FIX,
            problems=tuple(Problem(rows.number(k), c, what) for k, c, what in problems),
        )
    return found


def merged_error(first: geo.DataError, second: geo.DataError) -> geo.DataError:
    """One error reporting the problems of both, e.g. bad counts and unknown places.

    The message lists each error's problems (with its fix) in turn; ``problems`` holds
    all of them in row order (a problem `first` already reports at the same row and
    field is left out of `second`'s), and ``row`` and ``field`` are those of the first.
    """
    seen = {(p.row, p.field) for p in first.problems}
    extra = tuple(p for p in second.problems if (p.row, p.field) not in seen)
    if not extra:
        return first
    problems = tuple(sorted((*first.problems, *extra), key=lambda p: p.row or 0))
    lines = []
    for error in (first, second):
        if "\n" in error.problem:  # already one line per kind, each with its fix
            lines += [line.strip() for line in error.problem.splitlines()[1:]]
        else:
            lines.append(error.problem + (f" (fix: {error.hint})" if error.hint else ""))
    return geo.DataError(
        first.source,
        f"{len(problems)} problems:" + "".join(f"\n  {line}" for line in lines),
        row=problems[0].row,
        field=problems[0].field,
        problems=problems,
    )


def places_credits(found: Sequence[geo.Place] | dict[str, list[geo.Place]]) -> list[Credit]:
    """The credit of every gazetteer dataset a place came from, once each, in order.

    ``facts_places`` (fergana's cited facts) and ``places`` (GeoNames, with Natural Earth).
    """
    everything = [p for ps in found.values() for p in ps] if isinstance(found, dict) else found
    return [Credit.of(name) for name in dict.fromkeys(p.dataset for p in everything)]


def _place_or_problem(name: str) -> geo.Place | str:
    if not name:
        return "no place name (an empty cell)"
    try:
        return geo.place(name)
    except geo.UnknownPlace as err:
        closest = f" (closest: {', '.join(err.suggestions)})" if err.suggestions else ""
        return f"{name!r} is unknown{closest}"
    except geo.DataError as err:
        return f"{name!r}: {err.problem}"


def _region_index(regions: pd.DataFrame, columns: Sequence[str]) -> dict[str, int]:
    """Folded name or code -> row position; earlier columns (and rows) win a shared key."""
    index: dict[str, int] = {}
    for column in columns:
        if column not in regions:
            continue
        for position, text in enumerate(regions[column]):
            if not isinstance(text, str):
                continue
            for part in text.replace(",", "|").split("|"):
                key = name_key(part.strip())
                if key:
                    index.setdefault(key, position)
    return index


def _closest(name: object, labels: list[str]) -> str:
    keys = {name_key(label): label for label in labels}
    close = difflib.get_close_matches(name_key(str(name)), list(keys), n=3, cutoff=0.6)
    return f" (closest: {', '.join(keys[k] for k in close)})" if close else ""
