"""Place names in other languages, from the data: never typed into the code.

Sources, first found wins:
- Natural Earth's ``name_ru`` (countries, provinces, lakes);
- the facts tables' own Cyrillic spellings (``facts_places.alt_names``).

A name is looked up by its English text through the gazetteer's normalisation
(:func:`geo.gazetteer.name_key`), so "Jalal-Abad" and "Jalalabad" find the same
Russian name.

LEAD'S FIRST CUT: the names helper extends this (more sources, gazetteer ids, a
user's names table, coverage).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path

from geo.gazetteer import name_key
from geo.load import load

CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def local_names(code: str, tables: tuple[Path, ...] = ()) -> Callable[[str], str | None]:
    """English name -> the name in `code` (None where none).

    `tables` are a user's names tables (a spec's ``names`` key), read first;
    then the built-in sources. (First cut: `tables` not read yet.)
    """
    table = _table(code)

    def lookup(english: str) -> str | None:
        return table.get(name_key(english))

    return lookup


@functools.cache
def _table(code: str) -> dict[str, str]:
    names: dict[str, str] = {}
    if code != "ru":
        return names
    for dataset, english_columns in (
        ("countries", ("name", "name_en", "admin")),
        ("admin1", ("label", "name_en", "name")),
        ("lakes", ("name", "name_en")),
    ):
        frame = load(dataset)
        for column in english_columns:
            for english, local in zip(frame[column], frame["name_ru"], strict=True):
                if isinstance(english, str) and isinstance(local, str) and local:
                    names.setdefault(name_key(english), local)
    facts = load("facts_places")
    for english, alternatives in zip(facts["name"], facts["alt_names"], strict=True):
        spellings = [s.strip() for s in str(alternatives or "").split(";")]
        cyrillic = [s for s in spellings if CYRILLIC.search(s)]
        if isinstance(english, str) and cyrillic:
            names.setdefault(name_key(english), cyrillic[0])
    return names
