"""Rows of ``geo/data/base/names_ru.csv`` from the Russian spellings of the coordinates addendum.

``python -m scripts.names_from_addendum ../shared/data/facts/coordinates_addendum.csv``
prints the rows (``dataset,id,name,name_ru,source``) to append. A row gives a Russian
name where its ``alt_names`` hold a spelling in the Russian alphabet that is a proper
name (every word capitalised: "Западная Калача", not "Сохский район" or
"Шахимарданский эксклав", which name a district or describe the place); of several,
the one that transliterates to the row's own name (Sarvak: "Сарвак", not "Сарван").
Nothing is typed by hand.
"""

from __future__ import annotations

import csv
import re
import sys

from geo.gazetteer import name_key

RUSSIAN = re.compile(r"^[А-Яа-яЁё\s\-]+$")


def russian_name(name: str, alt_names: str) -> str | None:
    """The row's Russian proper name, or None."""
    spellings = [s.strip() for s in alt_names.split(";") if s.strip()]
    proper = [s for s in spellings if RUSSIAN.match(s) and all(w[:1].isupper() for w in s.split())]
    same = [s for s in proper if name_key(s) == name_key(name)]
    return (same or proper or [None])[0]


def main(path: str) -> int:
    """Print the rows of the addendum at `path`; the exit code."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    seen = set()
    with open(path, encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            local = russian_name(row["name"], row["alt_names"])
            # a crossing "A / B" or a point "X - centre" is no place's name as a label reads
            plain = "/" not in row["name"] and " - " not in row["name"]
            if local and plain and row["name"] not in seen:
                seen.add(row["name"])
                source = f"coordinates_addendum.csv line {number}: {row['source_url']}"
                writer.writerow(
                    ["coordinates_addendum", f"addendum-{number}", row["name"], local, source]
                )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
