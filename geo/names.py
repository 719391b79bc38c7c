"""Place names in other languages, from the data: never typed into the code.

:func:`local_names` gives a language's name for an English place name. Sources,
first found wins:

1. the user's names tables (``tables``: CSV keyed by gazetteer id, one column
   per language code; :func:`read_names_table`), the first table first;
2. countries: CLDR's short territory name (through Babel,
   ``Locale.parse(code).territories[iso_a2]``), then Natural Earth's
   ``name_<code>``. CLDR comes first because its names are the standard short
   forms used on maps and in running text ("Китай", not NE's "Китайская Народная
   Республика"), and because it gives Kyrgyz and Uzbek country names too;
3. Russian only: the facts' own Cyrillic spellings (``facts_places.alt_names``),
   the first one written in the Russian alphabet (``Узген``, not Kyrgyz ``Өзгөн``);
4. the catalog table ``names_<code>`` (``names_ru``: Natural Earth's ``name_ru`` of
   populated places and rivers, see ``data/base/SOURCES.md``);
5. Natural Earth's ``name_<code>`` of lakes, then of provinces. Provinces come last
   because most share their English name with their main town ("Jalal-Abad"): the
   town's name ("Джалал-Абад") reads right on either, the province's ("Джалал-Абадская
   область") would not on the town. Two Russian province names of NE's are not names
   of the province and are left unused (:data:`NOT_PROVINCE_NAMES`).

Kyrgyz (Cyrillic) and Uzbek (Latin) have no built-in source but the country names:
their place names come from a user's table. English is the source language: its
lookup returns None and reads no names data.

A name is looked up by its English text through the gazetteer's normalisation
(:func:`geo.gazetteer.name_key`), so "Jalal-Abad" and "Jalalabad" find the same
name. :func:`names_coverage` counts the names a language has;
:func:`names_template` writes a table for a translator to fill.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo.catalog import catalog
from geo.checks import Problems, Rows, as_text
from geo.gazetteer import gazetteer_ids, name_key, place_id
from geo.load import load, mark_file_read, mark_used, user_csv

#: The source language: English names are the keys, it has no names data.
SOURCE_LANGUAGE = "en"
#: Columns of a names table that are not language codes.
ID_COLUMN, SOURCE_COLUMN = "id", "source"
#: Lower-case letters of the Russian alphabet (a Russian spelling uses only these).
RUSSIAN = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")
#: The Fergana Valley (lon/lat): the populated places :func:`valley_names` counts.
VALLEY_WINDOW = (69.5, 40.0, 73.5, 41.6)
#: Countries whose provinces :func:`valley_names` counts.
VALLEY_COUNTRIES = ("KGZ", "UZB", "TJK")

#: Natural Earth ``name_<code>`` values of provinces that do not name the province:
#: left unused, so the province keeps its English name and is recorded missing (as
#: any name without a translation is). By (language, ISO 3166-2 code), with the reason.
NOT_PROVINCE_NAMES: dict[tuple[str, str], str] = {
    ("ru", "TJ-SU"): "«Худжанд» names the capital, not Sughd province "
    "(NE's name_en of the province is 'Khujand' too)",
    ("ru", "TJ-RA"): "«РПП» is an abbreviation, not a name (and misspelt: the districts "
    "of republican subordination abbreviate as РРП)",
}

_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*$")

NamesTable = dict[str, dict[str, str]]


@dataclass(frozen=True)
class NamesCoverage:
    """How many of a set of English names a language has.

    Attributes
    ----------
    code : str
        The language code.
    total : int
        Distinct English names asked for.
    translated : int
        Those with a name in the language (all of them for English).
    missing : tuple of str
        The others, in the order asked.
    """

    code: str
    total: int
    translated: int
    missing: tuple[str, ...]

    @property
    def share(self) -> float:
        """`translated` / `total` (1.0 for no names)."""
        return self.translated / self.total if self.total else 1.0


def local_names(code: str, tables: tuple[Path, ...] = ()) -> Callable[[str], str | None]:
    """English name -> the name in `code` (None where none).

    Parameters
    ----------
    code : str
        Language code (``ru``, ``ky``, ``uz``...).
    tables : tuple of path
        A user's names tables (a spec's ``names`` key), read now (bad rows raise
        here) and looked up before the built-in sources, the first table first.

    Raises
    ------
    geo.DataError
        A table is missing, empty or has bad rows (every bad row in one error,
        naming the file, the line and the field).
    """
    if code == SOURCE_LANGUAGE:
        return _no_name
    user: dict[str, str] = {}
    english = gazetteer_ids() if tables else {}
    for table in tables:
        for place, names in read_names_table(table).items():
            if names.get(code):
                user.setdefault(name_key(english[place]), names[code])
    built_in = _built_in(code)
    datasets = _sources(code)

    def lookup(text: str) -> str | None:
        # the sources are cached: record them as read on every lookup, as builds
        # record what each map read (geo.load.recording)
        mark_used(*datasets)
        for table in tables:
            mark_file_read(table)
        key = name_key(text)
        return user.get(key) or built_in.get(key)

    return lookup


def _no_name(_english: str) -> None:
    return None


def read_names_table(path: str | os.PathLike[str]) -> NamesTable:
    """A user's names table: gazetteer id -> language code -> name.

    The CSV (read by :func:`geo.load.user_csv`'s rules: separator and encoding
    sniffed) has a column ``id`` (a gazetteer id, :func:`geo.gazetteer.gazetteer_ids`),
    one column per language code (``ky``, ``uz``, ``ru``...; empty cells are names
    not given) and optionally ``source``.

    Raises
    ------
    geo.DataError
        The file is missing or empty; it has no ``id`` or no language column, or a
        column that is no language code; and, all in one error with their lines:
        empty, unknown or repeated ids.
    """
    table = user_csv(path)
    frame, rows = table.frame, Rows(str(path), 2, "line", table.separator)
    columns = [str(c) for c in frame.columns]
    if ID_COLUMN not in columns:
        raise rows.error(
            f"has no '{ID_COLUMN}' column ({rows.columns(frame)})",
            field=ID_COLUMN,
            hint="the first column is the gazetteer id, e.g. facts:osh or iso:KGZ",
        )
    codes = [c for c in columns if c not in (ID_COLUMN, SOURCE_COLUMN)]
    bad_codes = [c for c in codes if not _LANGUAGE_CODE.match(c)]
    if not codes or bad_codes:
        problem = (
            f"column '{bad_codes[0]}' is no language code" if bad_codes else "no language column"
        )
        raise rows.error(
            f"{problem} ({rows.columns(frame)})",
            field=bad_codes[0] if bad_codes else None,
            hint="name each column of names by its language code: ky, uz, ru...",
        )
    ids = as_text(frame[ID_COLUMN]).map(lambda v: v if pd.isna(v) else str(v).strip())
    problems = Problems(rows)
    _check_ids(ids, problems)
    problems.raise_if_any()
    cells = {c: as_text(frame[c]) for c in codes}
    return {
        place: {c: str(v).strip() for c in codes if _filled(v := cells[c].iloc[position])}
        for position, place in enumerate(ids)
    }


def _filled(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _check_ids(ids: pd.Series, problems: Problems) -> None:
    """Record each empty, unknown or repeated id."""
    known = gazetteer_ids()
    empty = [p for p, v in enumerate(ids) if pd.isna(v) or not v]
    blank = set(empty)
    problems.add(empty, ID_COLUMN, "no id", "give each row the gazetteer id of its place")
    unknown = [p for p, v in enumerate(ids) if p not in blank and v not in known]
    problems.add(
        unknown,
        ID_COLUMN,
        "not a gazetteer id",
        "take the ids from `fergana names --template` or geo.gazetteer.gazetteer_ids()",
        [repr(ids.iloc[p]) for p in unknown],
    )
    first: dict[str, int] = {}
    repeated = []
    for p, v in enumerate(ids):
        if p in blank:
            continue
        if v in first:
            repeated.append(p)
        first.setdefault(v, p)
    problems.add(
        repeated,
        ID_COLUMN,
        "id given twice",
        "keep one row per id",
        [
            f"{ids.iloc[p]!r}, first on line {problems.rows.number(first[ids.iloc[p]])}"
            for p in repeated
        ],
    )


def names_coverage(
    code: str, english_names: Iterable[str], tables: tuple[Path, ...] = ()
) -> NamesCoverage:
    """How many of `english_names` language `code` has a name for.

    Examples
    --------
    >>> names_coverage("ru", ["Osh", "Kara Darya"]).missing  # doctest: +SKIP
    ('Kara Darya',)
    """
    asked = list(dict.fromkeys(english_names))
    lookup = local_names(code, tables)
    missing = () if code == SOURCE_LANGUAGE else tuple(n for n in asked if not lookup(n))
    return NamesCoverage(code, len(asked), len(asked) - len(missing), missing)


def names_template(code: str, english_names: Iterable[str]) -> str:
    """A names table for a translator: ``id``, ``en`` (the English name), an empty `code`.

    One row per gazetteer id (the first English name given for it), in the order
    given; :func:`read_names_table` reads it back once filled.

    Raises
    ------
    geo.gazetteer.UnknownPlace
        A name has no gazetteer id (a river or a lake: those are not keyed).
    """
    rows = {}
    for english in english_names:
        rows.setdefault(place_id(english), english)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow([ID_COLUMN, SOURCE_LANGUAGE, code])
    writer.writerows([place, english, ""] for place, english in rows.items())
    return text.getvalue()


def valley_names() -> list[str]:
    """English names of the places the story maps are about.

    The facts' places, the populated places in :data:`VALLEY_WINDOW`, the
    countries of the embedded data and the provinces of :data:`VALLEY_COUNTRIES`,
    without repeats. Every one has a gazetteer id.
    """
    west, south, east, north = VALLEY_WINDOW
    places = load("places")
    inside = places.cx[west:east, south:north]
    admin1 = load("admin1")
    names = [
        *load("facts_places")["name"],
        *inside["name_en"].fillna(inside["name"]),
        *load("countries")["name"],
        *admin1.loc[admin1["adm0_a3"].isin(VALLEY_COUNTRIES), "label"],
    ]
    return list(dict.fromkeys(str(n) for n in names if isinstance(n, str) and n.strip()))


# --- built-in sources ------------------------------------------------------------------


@functools.cache
def _built_in(code: str) -> dict[str, str]:
    """Name key -> name in `code`, from the built-in sources in the module's order."""
    names: dict[str, str] = {}
    column = f"name_{code}"
    territories = _territories(code)
    for dataset in ("countries", "world_countries"):
        frame = load(dataset)
        englishes = [frame[c] for c in ("name", "name_en", "admin") if c in frame]
        for position, iso2 in enumerate(frame["iso_a2"]):
            local = territories.get(str(iso2)) or _cell(frame, column, position)
            _add(names, [e.iloc[position] for e in englishes], local)
    if code == "ru":
        facts = load("facts_places")
        for english, spellings in zip(facts["name"], facts["alt_names"], strict=True):
            _add(names, [english], _russian_spelling(spellings))
    if f"names_{code}" in catalog():
        table = load(f"names_{code}")
        for english, local in zip(table["name"], table[f"name_{code}"], strict=True):
            _add(names, [english], local)
    for dataset, englishes in (("lakes", ("name", "name_en")), ("admin1", ("label", "name_en"))):
        frame = load(dataset)
        for position in range(len(frame)):
            local = _cell(frame, column, position)
            if dataset == "admin1" and (code, frame["iso_3166_2"].iloc[position]) in (
                NOT_PROVINCE_NAMES
            ):
                continue
            _add(names, [frame[e].iloc[position] for e in englishes], local)
    return names


def _sources(code: str) -> tuple[str, ...]:
    """The catalog datasets :func:`_built_in` reads for `code`."""
    facts = ("facts_places",) if code == "ru" else ()
    table = (f"names_{code}",) if f"names_{code}" in catalog() else ()
    return ("countries", "world_countries", *facts, *table, "lakes", "admin1")


def _territories(code: str) -> dict[str, str]:
    """CLDR's short territory names in `code` by ISO 3166-1 alpha-2 code ({} if none)."""
    from babel import Locale, UnknownLocaleError

    try:
        return dict(Locale.parse(code).territories)
    except (UnknownLocaleError, ValueError):
        return {}


def _cell(frame: pd.DataFrame, column: str, position: int) -> str | None:
    return frame[column].iloc[position] if column in frame else None


def _add(names: dict[str, str], englishes: Sequence[object], local: object) -> None:
    if not isinstance(local, str) or not local.strip():
        return
    for english in englishes:
        if isinstance(english, str) and english.strip():
            names.setdefault(name_key(english), local.strip())


def _russian_spelling(spellings: object) -> str | None:
    """The first of the ``;``-separated `spellings` written in the Russian alphabet."""
    for spelling in str(spellings if isinstance(spellings, str) else "").split(";"):
        letters = [c for c in spelling.strip().casefold() if c.isalpha()]
        if letters and all(c in RUSSIAN for c in letters):
            return spelling.strip()
    return None
