"""Gazetteer: find a place by name, tolerant of spelling, script and transliteration.

Names are looked up first in the sourced facts (``facts_places``), then in the
Natural Earth + GeoNames populated places (``places``). Both the query and every
name in the data go through the same normalisation (:func:`name_key`), so
``Jalal-Abad``, ``Jalalabad``, ``Djalal-Abad``, ``Dzhalal-Abad`` and
``Джалал-Абад`` all find the same place.

Every place has a stable **gazetteer id** (:func:`place_id`, :attr:`Place.id`),
the key of a user's names table (:mod:`geo.names`):

- ``facts:NAME_KEY`` for a ``facts_places`` row (``facts:osh``: the
  :func:`name_key` of its name);
- ``geonames:ID`` for a ``places`` row with a GeoNames id, ``ne:ID`` (its
  Natural Earth ``ne_id``) for the others;
- ``iso:KGZ`` (ISO 3166-1 alpha-3) for a country of ``countries``;
- ``iso:KG-O`` (ISO 3166-2) for a province of ``admin1``.

:func:`gazetteer_ids` lists them all with their English names.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from geo.errors import DataError
from geo.load import load, mark_used

SOURCE = "gazetteer"
FACTS = "facts_places"
PLACES = "places"
#: Datasets of the countries and provinces that have gazetteer ids.
AREAS = ("countries", "admin1")

#: ``source_url`` of facts rows whose coordinates come from general knowledge.
APPROXIMATE_SOURCE = "common knowledge (approx.)"

#: Credits for the tokens of the ``source`` column of ``places`` ("naturalearth+geonames").
PLACES_CREDITS = {
    "naturalearth": "Natural Earth",
    "geonames": "GeoNames (geonames.org), CC BY 4.0",
}

#: Apostrophe, okina and prime characters; sources often drop them (Qoʻqon, Qoqon).
APOSTROPHES = "'ʻʼ`‘’´ʹ"

#: Letter by letter, applied after lower-casing and before Unicode decomposition:
#: apostrophe and okina variants to ``'``, Cyrillic (Russian, Kyrgyz, Kazakh, Uzbek,
#: Tajik) to Latin, and Latin letters whose decomposition would lose a sound.
LETTERS = {
    **dict.fromkeys(APOSTROPHES, "'"),  # Uzbek oʻ and gʻ are written with any of these
    # Russian
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    # Kyrgyz, Kazakh, Uzbek and Tajik Cyrillic
    "ң": "ng",
    "ө": "o",
    "ү": "u",
    "ұ": "u",
    "қ": "k",
    "ғ": "gh",
    "ҳ": "h",
    "һ": "h",
    "ә": "a",
    "і": "i",
    "ў": "u",
    "ӣ": "i",
    "ӯ": "u",
    "ҷ": "j",
    # Latin letters that stand for digraphs
    "š": "sh",
    "č": "ch",
    "ž": "zh",
    "ı": "i",
    "ə": "a",
}

#: Ordered (regex, replacement) rules applied after diacritics are stripped. Each
#: rule folds spellings of one sound, so that transliterations meet; the last rule
#: drops spaces, hyphens, apostrophes and everything else that is not a-z or 0-9.
FOLDS: tuple[tuple[str, str], ...] = (
    (r"o'", "u"),  # Uzbek oʻ is the vowel Russian writes у: Xoʻjand = Khujand
    (r"dzh", "j"),  # Dzhalal-Abad = Jalal-Abad
    (r"dj", "j"),  # Djalal-Abad = Jalal-Abad
    (r"zh", "j"),  # Андижан -> Andizhan = Andijan
    (r"kh", "h"),  # Khujand = Hujand
    (r"x", "h"),  # Uzbek x: Xonobod = Khonobod
    (r"gh", "g"),  # Ferghana = Fergana
    (r"q", "k"),  # Uzbek q: Qorasuv = Korasuv
    (r"[^a-z0-9]", ""),
)

_LETTERS_TABLE = str.maketrans(LETTERS)
_NO_APOSTROPHES = str.maketrans("", "", APOSTROPHES)
_FOLDS = tuple((re.compile(pattern), replacement) for pattern, replacement in FOLDS)
_PARENTHESES = re.compile(r"\s*\([^)]*\)")

#: Columns of :func:`places_table`.
TABLE_COLUMNS = [
    "id",
    "key",
    "label",
    "rank",
    "name",
    "dataset",
    "row",
    "country_iso3",
    "kind",
    "population",
    "source",
    "approximate",
    "geometry",
]


@dataclass(frozen=True)
class Place:
    """A named place with coordinates and the source they come from.

    Attributes
    ----------
    name : str
        Display name (the facts name, or the conventional English name in ``places``).
    lon, lat : float
        WGS84 decimal degrees.
    country_iso3 : str
        ISO 3166-1 alpha-3 code of the country the data puts it in.
    kind : str
        ``kind`` from the facts (city, town, airbase...), or ``populated_place``.
    source : str
        The facts row's ``source_url``, or the dataset credit for ``places``.
    dataset : {"facts_places", "places"}
        The catalog dataset the place comes from.
    approximate : bool
        True where the facts row's coordinates are "common knowledge (approx.)".
    id : str
        The gazetteer id (``facts:osh``, ``geonames:1527534``, ``ne:1159...``).
    """

    name: str
    lon: float
    lat: float
    country_iso3: str
    kind: str
    source: str
    dataset: str
    approximate: bool = False
    id: str = ""

    @property
    def point(self) -> Point:
        """The place as a shapely point (lon, lat)."""
        return Point(self.lon, self.lat)


class UnknownPlace(DataError):  # noqa: N818 - the name is part of the agreed API
    """No place in the gazetteer matches a name.

    Parameters
    ----------
    query : str
        The name that was looked up.
    suggestions : sequence of str
        Display names of the closest matches, best first.
    country : str, optional
        The country the search was limited to.

    Attributes
    ----------
    query : str
        The name that was looked up.
    suggestions : list of str
        Display names of the closest matches, best first (may be empty).
    """

    def __init__(
        self, query: str, suggestions: Sequence[str], *, country: str | None = None
    ) -> None:
        self.query = query
        self.suggestions = list(suggestions)
        where = f" in {country}" if country else ""
        problem = f"no place called {query!r}{where} in the gazetteer"
        if self.suggestions:
            problem += f"; closest: {', '.join(self.suggestions)}"
        super().__init__(SOURCE, problem, hint="check the spelling or pass another name")


def name_key(name: str) -> str:
    """The normalised key under which a name is indexed and looked up.

    Lower-cases, transliterates with :data:`LETTERS`, strips diacritics (NFKD) and
    applies the ordered :data:`FOLDS`.

    Parameters
    ----------
    name : str
        A place name in Latin or Cyrillic script.

    Returns
    -------
    str
        Only a-z and 0-9; empty if the name has no letters the gazetteer reads.

    Examples
    --------
    >>> name_key("Джалал-Абад") == name_key("Djalal-Abad") == "jalalabad"
    True
    """
    text = name.casefold().translate(_LETTERS_TABLE)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    for pattern, replacement in _FOLDS:
        text = pattern.sub(replacement, text)
    return text


def place(name: str, country: str | None = None, dataset: str | None = None) -> Place:
    """Find a place by name.

    The sourced facts (``facts_places``: names and ``alt_names``) come first; then
    the populated places (``places``: ``name`` and ``name_en``), largest population
    first.

    Parameters
    ----------
    name : str
        Any spelling the data knows, in Latin or Cyrillic script; case, diacritics,
        apostrophes, hyphens and spaces do not matter.
    country : str, optional
        ISO alpha-3 code: only places in that country match.
    dataset : {"facts_places", "places"}, optional
        Only places from that dataset match; e.g. ``"places"`` takes the GeoNames
        point of a town whose facts row has no coordinates.

    Returns
    -------
    Place
        The best match.

    Raises
    ------
    UnknownPlace
        No name matches (the message lists the closest names).
    geo.DataError
        The name is empty, or the facts know the place but give no coordinates.

    Examples
    --------
    >>> place("Ош").country_iso3  # doctest: +SKIP
    'KGZ'
    """
    mark_used(FACTS, PLACES)  # the index is cached: record its inputs on every lookup
    keys = _query_keys(name)
    if not keys:
        raise DataError(SOURCE, f"cannot look up {name!r}: the name has no letters or digits")
    matches = _matches(keys, dataset)
    if country is not None:
        wanted = country.strip().upper()
        in_country = matches[matches["country_iso3"] == wanted]
        if in_country.empty:
            raise UnknownPlace(name, _labelled(matches), country=wanted)
        matches = in_country
    if matches.empty:
        raise UnknownPlace(name, suggestions(name))
    return _to_place(name, _best(matches))


def suggestions(name: str, n: int = 5) -> list[str]:
    """Display names of the places whose keys are closest to `name`.

    Parameters
    ----------
    name : str
        A place name.
    n : int, default 5
        At most this many suggestions.

    Returns
    -------
    list of str
        Best first, without repeats; empty if nothing is close.
    """
    close = difflib.get_close_matches(name_key(name), list(_by_key()), n=n, cutoff=0.6)
    return list(dict.fromkeys(_display_name(key) for key in close))


def place_id(name: str) -> str:
    """The gazetteer id of the place, country or province called `name`.

    A place (as :func:`place` finds it, with coordinates or not) comes first, then
    a country (``countries``: ``name``, ``name_en``, ``admin``), then a province
    (``admin1``: ``label``, ``name``, ``name_en``); so ``"Osh"`` is the city
    (``facts:osh``) and the province is ``iso:KG-O``.

    Raises
    ------
    UnknownPlace
        No place, country or province has that name.

    Examples
    --------
    >>> place_id("Ош"), place_id("Kyrgyzstan")  # doctest: +SKIP
    ('facts:osh', 'iso:KGZ')
    """
    mark_used(FACTS, PLACES, *AREAS)
    keys = _query_keys(name)
    if not keys:
        raise DataError(SOURCE, f"cannot look up {name!r}: the name has no letters or digits")
    matches = _matches(keys)
    if not matches.empty:
        return str(_best(matches)["id"])
    by_key = _area_ids()
    for key in keys:
        if key in by_key:
            return by_key[key]
    raise UnknownPlace(name, suggestions(name))


def gazetteer_ids() -> dict[str, str]:
    """Every gazetteer id and the English name it stands for.

    Returns
    -------
    dict of str to str
        Facts places, populated places, countries, then provinces, each in its
        dataset's row order; the English name is the facts name, the place's
        ``name_en``, the country's ``name`` or the province's ``label``.
    """
    mark_used(FACTS, PLACES, *AREAS)
    return dict(_ids())


@functools.cache
def _ids() -> tuple[tuple[str, str], ...]:
    table = _table()
    points = dict(zip(table["id"], table["name"], strict=True))
    return (*points.items(), *((area.id, area.name) for area in _areas()))


@dataclass(frozen=True)
class _Area:
    """A country or province: its gazetteer id, English name and every name it goes by."""

    id: str
    name: str
    labels: tuple[str, ...]


@functools.cache
def _areas() -> tuple[_Area, ...]:
    areas = []
    for dataset, code, columns in (
        ("countries", "adm0_a3", ("name", "name_en", "admin")),
        ("admin1", "iso_3166_2", ("label", "name", "name_en")),
    ):
        frame = load(dataset)
        for record in frame[[code, *columns]].itertuples(index=False):
            labels = tuple(_text(value) for value in record[1:] if _text(value))
            areas.append(_Area(f"iso:{record[0]}", labels[0], labels))
    return tuple(areas)


@functools.cache
def _area_ids() -> dict[str, str]:
    """Name key -> id of the first country or province that goes by that name."""
    by_key: dict[str, str] = {}
    for area in _areas():
        for label in area.labels:
            by_key.setdefault(name_key(label), area.id)
    return by_key


def _places_id(geonameid: object, ne_id: object) -> str:
    """``geonames:ID`` where the row has a GeoNames id, else ``ne:ID``."""
    if _text(geonameid):
        return f"geonames:{int(float(_text(geonameid)))}"
    return f"ne:{int(float(_text(ne_id)))}"


def places_table() -> gpd.GeoDataFrame:
    """Every indexed name with its key, one row per (place, key).

    Returns
    -------
    GeoDataFrame
        Columns: ``id`` (the gazetteer id), ``key``, ``label`` (the spelling
        indexed), ``rank`` (0 for the main name, 1 for alternative names),
        ``name`` (display name), ``dataset``,
        ``row`` (0-based row in that dataset), ``country_iso3``, ``kind``,
        ``population``, ``source``, ``approximate`` and point ``geometry``
        (empty for facts rows without coordinates). A fresh copy on each call.
    """
    return _table().copy()


@functools.cache
def _table() -> gpd.GeoDataFrame:
    records = [*_facts_records(load(FACTS)), *_places_records(load(PLACES))]
    frame = pd.DataFrame.from_records(records, columns=TABLE_COLUMNS)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")


@functools.cache
def _by_key() -> dict[str, list[int]]:
    return {key: list(rows) for key, rows in _table().groupby("key").indices.items()}


def _facts_records(facts: gpd.GeoDataFrame) -> Iterator[tuple]:
    for row, record in enumerate(facts.itertuples(index=False)):
        source = _text(record.source_url)
        labels = [_text(record.name), *_split(record.alt_names)]
        common = (
            f"facts:{name_key(_text(record.name))}",
            _text(record.name),
            FACTS,
            row,
            _text(record.country_iso3),
            _text(record.kind),
            math.nan,
            source,
            source.strip().lower() == APPROXIMATE_SOURCE,
            record.geometry,
        )
        for key, label, rank in _keys(labels):
            yield (common[0], key, label, rank, *common[1:])


def _places_records(places: gpd.GeoDataFrame) -> Iterator[tuple]:
    for row, record in enumerate(places.itertuples(index=False)):
        display = _text(record.name_en) or _text(record.name)
        common = (
            _places_id(record.geonameid, record.ne_id),
            display,
            PLACES,
            row,
            _text(record.country_a3),
            "populated_place",
            record.population,
            _credit(_text(record.source)),
            False,
            record.geometry,
        )
        for key, label, rank in _keys([display, _text(record.name)]):
            yield (common[0], key, label, rank, *common[1:])


def _keys(labels: Sequence[str]) -> Iterator[tuple[str, str, int]]:
    """Unique (key, label, rank) of a row's labels, rank 0 for the first label."""
    seen = set()
    for rank, label in enumerate(labels):
        for variant in _spellings(label):
            key = name_key(variant)
            if key and key not in seen:
                seen.add(key)
                yield key, variant, min(rank, 1)


def _spellings(label: str) -> list[str]:
    """The label, without a "(...)" qualifier, and both of those without apostrophes."""
    bare = _PARENTHESES.sub("", label).strip()
    forms = (label, bare, label.translate(_NO_APOSTROPHES), bare.translate(_NO_APOSTROPHES))
    return list(dict.fromkeys(forms))


def _query_keys(name: str) -> list[str]:
    """Keys to try for a query, best first: as written, then without apostrophes."""
    keys = (name_key(name), name_key(name.translate(_NO_APOSTROPHES)))
    return [key for key in dict.fromkeys(keys) if key]


def _split(alt_names: object) -> list[str]:
    return [part.strip() for part in _text(alt_names).split(";") if part.strip()]


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _credit(source: str) -> str:
    tokens = [token.strip() for token in source.split("+") if token.strip()]
    return "; ".join(PLACES_CREDITS.get(token, token) for token in tokens) or PLACES


def _matches(keys: Sequence[str], dataset: str | None = None) -> gpd.GeoDataFrame:
    """Rows of the first key that has any (in `dataset`, if given; an empty frame if none has)."""
    by_key, table = _by_key(), _table()
    for key in keys:
        rows = table.iloc[by_key.get(key, [])]
        if dataset is not None:
            rows = rows[rows["dataset"] == dataset]
        if not rows.empty:
            return rows
    return table.iloc[[]]


def _best(matches: gpd.GeoDataFrame) -> pd.Series:
    """Facts before places; in facts the main name first, in places the largest population."""
    facts = matches[matches["dataset"] == FACTS]
    if not facts.empty:
        return facts.sort_values(["rank", "row"], kind="stable").iloc[0]
    ordered = matches.sort_values(
        ["population", "rank", "row"], ascending=[False, True, True], na_position="last"
    )
    return ordered.iloc[0]


def _to_place(query: str, match: pd.Series) -> Place:
    point = match["geometry"]
    if point is None or point.is_empty:
        _no_coordinates(query, match)
    return Place(
        name=match["name"],
        lon=float(point.x),
        lat=float(point.y),
        country_iso3=match["country_iso3"],
        kind=match["kind"],
        source=match["source"],
        dataset=match["dataset"],
        approximate=bool(match["approximate"]),
        id=match["id"],
    )


def _no_coordinates(query: str, match: pd.Series) -> None:
    """Raise for a place the facts know but give no coordinates for."""
    found = "" if name_key(query) == name_key(match["name"]) else f" (found as {query!r})"
    hint = "add lat/lon with a citing source_url, or do not place it on a map"
    others = _same_name_in_places(match)
    if others:
        hint += f"; '{PLACES}' has {', '.join(others)}: check it is the same place"
    raise DataError(
        match["dataset"],
        f"the source gives no coordinates for {match['name']!r}{found}",
        row=int(match["row"]) + 2,  # a spreadsheet line: the header is line 1
        field="lat/lon",
        hint=hint,
    )


def _same_name_in_places(match: pd.Series) -> list[str]:
    """'Name (ISO3)' of populated places sharing a key with a facts row."""
    table = _table()
    keys = table.loc[(table["dataset"] == match["dataset"]) & (table["row"] == match["row"]), "key"]
    others = table[(table["dataset"] == PLACES) & table["key"].isin(keys)]
    return _labelled(others)


def _display_name(key: str) -> str:
    return str(_best(_table().iloc[_by_key()[key]])["name"])


def _labelled(matches: gpd.GeoDataFrame) -> list[str]:
    """'Name (ISO3)' of each match, without repeats."""
    pairs = zip(matches["name"], matches["country_iso3"], strict=True)
    return list(dict.fromkeys(f"{name} ({iso3})" for name, iso3 in pairs))
