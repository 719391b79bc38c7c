"""The registry of embedded datasets, read from ``data/catalog.toml``."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from geo.records import read_toml, record

DATA_DIR = Path(__file__).parent / "data"
CATALOG_FILE = DATA_DIR / "catalog.toml"


@dataclass(frozen=True)
class Dataset:
    """One embedded dataset and its provenance.

    Attributes
    ----------
    name : str
        Key used by :func:`geo.load`.
    kind : {"vector", "table", "raster"}
        How it loads: GeoDataFrame, (Geo)DataFrame, or :class:`geo.Raster`.
    geometry : {"area", "line", "point", "raster", "none"}
        What the features are.
    path : str
        File path relative to ``geo/data``.
    crs : str
        Declared CRS ("" for tables without coordinates).
    """

    name: str
    title: str
    description: str
    kind: str
    geometry: str
    path: str
    crs: str
    source: str
    version: str
    license: str
    citation: str
    url: str
    processing: str
    key: str

    @property
    def embedded_path(self) -> Path:
        """Absolute path of the copy shipped with fergana."""
        return DATA_DIR / self.path

    @property
    def credit(self) -> str:
        """One-line credit for a map: source and licence."""
        return f"{self.citation} ({self.license})"


@functools.cache
def catalog() -> dict[str, Dataset]:
    """Every embedded dataset by name, in catalog order.

    Keys and value types are checked (:func:`geo.records.record`): a bad entry
    raises :class:`geo.DataError` naming the file and ``NAME.key``.
    """
    raw = read_toml(CATALOG_FILE)
    return {
        name: record(entry, Dataset, CATALOG_FILE, f"{name}.", fill={"name": name})
        for name, entry in raw.items()
    }


def dataset(name: str) -> Dataset:
    """The catalog entry called `name`; a KeyError lists the known names."""
    entries = catalog()
    if name not in entries:
        import difflib

        close = difflib.get_close_matches(name, entries, n=3, cutoff=0.4)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise KeyError(f"no dataset '{name}' in the catalog.{hint} Known: {', '.join(entries)}")
    return entries[name]
