"""The upstream registry: where each refreshable dataset comes from (``data/upstreams.toml``)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from geo.catalog import DATA_DIR, catalog, dataset
from geo.records import read_toml, record
from geo.refresh.convert import CONVERTERS, MERGERS
from geo.refresh.fetch import RefreshError
from geo.refresh.readers import READERS

UPSTREAMS_FILE = DATA_DIR / "upstreams.toml"


@dataclass(frozen=True)
class Upstream:
    """Where a catalog dataset comes from, and how to turn it into the catalog's schema.

    Read from ``data/upstreams.toml``; the keys are documented at the top of that file.

    Attributes
    ----------
    name : str
        The catalog dataset this upstream refreshes.
    url : str
        Download URL; ``{part}`` is replaced by each entry of `parts`.
    format : str
        A key of :data:`READERS`.
    convert : str
        A key of :data:`CONVERTERS`.
    merge : str
        A key of :data:`MERGERS`.
    """

    name: str
    title: str
    url: str
    format: str
    convert: str
    merge: str = "none"
    parts: tuple[str, ...] = ("",)
    member: str = ""
    follow: str = ""
    follow_format: str = "geojson"
    sha256: str = ""
    columns: tuple[str, ...] = ()
    clip: tuple[float, ...] = ()
    bounds: tuple[float, ...] = (-180.0, -90.0, 180.0, 90.0)
    min_features: int = 1
    unique: str = ""
    encoding: str = "UTF-8"
    license: str = ""
    notes: str = ""

    def urls(self, override: str | None = None) -> dict[str, str]:
        """The URL of each part, from the declaration or from `override`."""
        template = override or self.url
        if len(self.parts) > 1 and "{part}" not in template:
            raise RefreshError(
                f"{self.name} is downloaded in {len(self.parts)} parts "
                f"({', '.join(self.parts)}); give a URL containing {{part}}"
            )
        return {part: template.replace("{part}", part) for part in self.parts}

    def display_url(self, override: str | None = None) -> str:
        """One URL for messages and ``meta.json``; several parts as ``{A,B,C}``."""
        template = override or self.url
        if len(self.parts) == 1:
            return template.replace("{part}", self.parts[0])
        return template.replace("{part}", "{" + ",".join(self.parts) + "}")


@functools.cache
def upstreams() -> dict[str, Upstream]:
    """Every declared upstream by dataset name, from ``data/upstreams.toml``.

    Keys and value types are checked (:func:`geo.records.record`); a bad entry
    raises :class:`geo.DataError` naming the file and ``NAME.key``.
    """
    raw = read_toml(UPSTREAMS_FILE)
    return {
        name: _checked(record(entry, Upstream, UPSTREAMS_FILE, f"{name}.", fill={"name": name}))
        for name, entry in raw.items()
    }


def _checked(upstream: Upstream) -> Upstream:
    problems = []
    if upstream.name not in catalog():
        problems.append("is not a catalog dataset")
    for key, registry in (("format", READERS), ("convert", CONVERTERS), ("merge", MERGERS)):
        if getattr(upstream, key) not in registry:
            problems.append(f"{key} must be one of {sorted(registry)}")
    if upstream.follow and upstream.follow_format not in READERS:
        problems.append(f"follow_format must be one of {sorted(READERS)}")
    if problems:
        raise ValueError(f"{UPSTREAMS_FILE}: [{upstream.name}] {'; '.join(problems)}")
    return upstream


def upstream(name: str) -> Upstream:
    """The upstream of dataset `name`; a :class:`RefreshError` lists the refreshable ones."""
    dataset(name)
    declared = upstreams()
    if name not in declared:
        raise RefreshError(
            f"no upstream is declared for '{name}' (it is derived or curated); "
            f"refreshable: {', '.join(declared)}"
        )
    return declared[name]
