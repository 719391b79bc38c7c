"""Converting downloads into the catalog's schema, and merging them with the embedded copy.

Each converter (``convert`` in upstreams.toml) maps one downloaded part to the
catalog's columns; :func:`build` finishes the geometry, merges the parts with the
embedded copy (``merge``) and validates the result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from geo.catalog import Dataset
from geo.errors import DataError
from geo.geometry import KIND_TYPES, clip_to_extent, parts_of_kind
from geo.load import parse_csv
from geo.refresh.commit import validate
from geo.refresh.readers import Source

if TYPE_CHECKING:
    from geo.refresh.sources import Upstream

GRID_DEGREES = 1e-5  # the embedded files are snapped to this grid (geo/data/base/SOURCES.md)
GEOMETRY_TYPES = KIND_TYPES
"""Allowed geometry types of each catalog ``geometry`` kind."""


@dataclass(frozen=True)
class Job:
    """What a converter or merger needs to know besides the source.

    Attributes
    ----------
    entry : Dataset
        The catalog entry being refreshed.
    upstream : Upstream
        Its declaration.
    schema : list of str
        The catalog columns, in order, without ``geometry``.
    """

    entry: Dataset
    upstream: Upstream
    schema: list[str]


def schema(entry: Dataset) -> list[str]:
    """The columns of the embedded copy of `entry`, in order, without ``geometry``."""
    if entry.kind == "vector":
        return [str(c) for c in pyogrio.read_info(entry.embedded_path)["fields"]]
    return [str(c) for c in parse_csv(entry.embedded_path).columns]


def build(entry: Dataset, source: Upstream, parsed: Mapping[str, Source]) -> pd.DataFrame:
    """Convert every part, merge with the embedded copy, and validate the result.

    Parameters
    ----------
    entry : Dataset
        The catalog entry.
    source : Upstream
        Its upstream declaration.
    parsed : mapping of str to Source
        The downloaded parts.

    Returns
    -------
    GeoDataFrame or DataFrame
        In the catalog's schema, ready to be written.

    Raises
    ------
    DataError
        If the result is not plausible (see :func:`validate`).
    """
    job = Job(entry, source, schema(entry))
    frames = [CONVERTERS[source.convert](part, job) for part in parsed.values()]
    if entry.kind == "vector":
        frames = [_finish_geometry(f, entry) for f in frames]
    new = _conform(pd.concat(frames, ignore_index=True), job)
    result = _conform(MERGERS[source.merge](new, job), job)
    validate(result, job, label=source.display_url())
    return result


def _conform(frame: pd.DataFrame, job: Job) -> pd.DataFrame:
    """Exactly the catalog columns, in catalog order (missing ones empty)."""
    frame = frame.copy()
    for column in job.schema:
        if column not in frame.columns:
            frame[column] = None
    if job.entry.kind == "vector":
        return gpd.GeoDataFrame(frame[[*job.schema, "geometry"]], geometry="geometry")
    return pd.DataFrame(frame[job.schema]).reset_index(drop=True)


def _lower(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={c: str(c).lower() for c in frame.columns if c != "geometry"})


def _in_catalog_crs(frame: gpd.GeoDataFrame, entry: Dataset) -> gpd.GeoDataFrame:
    return frame if frame.crs == entry.crs else frame.to_crs(entry.crs)


def _clip(frame: gpd.GeoDataFrame, window: tuple[float, ...]) -> gpd.GeoDataFrame:
    """Features meeting `window`, cut to it; ``clipped`` says which were cut."""
    clipped = ~shapely.covered_by(frame.geometry.values, shapely.box(*window))
    frame = frame.assign(clipped=clipped)
    kept = clip_to_extent(frame, window)
    return kept.loc[frame.index[frame.index.isin(kept.index)]]  # in the upstream's order


def _finish_geometry(frame: gpd.GeoDataFrame, entry: Dataset) -> gpd.GeoDataFrame:
    """Valid geometry of the catalog's kind, snapped to the embedded files' grid."""
    geometry = parts_of_kind(shapely.make_valid(frame.geometry.values), entry.geometry)
    geometry = parts_of_kind(shapely.set_precision(geometry, GRID_DEGREES), entry.geometry)
    frame = frame.set_geometry(gpd.GeoSeries(geometry, index=frame.index, crs=frame.crs))
    return frame[~frame.geometry.is_empty & frame.geometry.notna()]


def _natural_earth(source: Source, job: Job) -> gpd.GeoDataFrame:
    """Natural Earth layer: lower-case columns, clipped to the window, ne_* columns set."""
    frame = _in_catalog_crs(_lower(source.data), job.entry)
    frame = _clip(frame, job.upstream.clip) if job.upstream.clip else frame.assign(clipped=False)
    for column in ("name", "name_en", "name_alt"):
        if column in frame.columns:  # "Syr  Darya" in NE 4.0.0
            frame[column] = frame[column].map(
                lambda v: " ".join(v.split()) if isinstance(v, str) else v
            )
    if "ne_version" in job.schema:
        frame["ne_version"] = source.version or None
    if "ne_layer" in job.schema:
        frame["ne_layer"] = Path(source.member).stem or None
    return frame


def _natural_earth_admin0(source: Source, job: Job) -> gpd.GeoDataFrame:
    """Natural Earth admin-0: as :func:`_natural_earth`, and every unit has an adm0_a3."""
    frame = _natural_earth(source, job)
    codes = frame["adm0_a3"].astype("string")
    bad = frame[codes.isna() | ~codes.str.fullmatch(r"[A-Z][A-Z0-9]{2}").fillna(False)]
    if len(bad):
        raise DataError(
            source.url, f"has {len(bad)} units without an ADM0_A3 code", field="ADM0_A3"
        )
    return frame


NE_PLACES = {
    "name": "name",
    "country_a3": "adm0_a3",
    "country_iso2": "iso_a2",
    "adm1_name": "adm1name",
    "population": "pop_max",
    "pop_rank": "rank_max",
    "pop_ne_max": "pop_max",
    "ne_scalerank": "scalerank",
    "ne_labelrank": "labelrank",
    "ne_rank_max": "rank_max",
    "capital": "adm0cap",
    "featurecla": "featurecla",
    "ne_id": "ne_id",
}
"""Catalog ``places`` column -> Natural Earth populated-places column."""


def _natural_earth_places(source: Source, job: Job) -> gpd.GeoDataFrame:
    """Natural Earth populated places in the ``places`` schema (``source`` = naturalearth)."""
    frame = _natural_earth(source, job)
    out = pd.DataFrame({new: frame[old] for new, old in NE_PLACES.items()})
    out["name_en"] = frame["name_en"] if "name_en" in frame.columns else frame["name"]
    out["source"] = "naturalearth"
    return gpd.GeoDataFrame(out, geometry=frame.geometry.values, crs=frame.crs)


def _geoboundaries_adm1(source: Source, job: Job) -> gpd.GeoDataFrame:
    """Map geoBoundaries ADM1 units to the ``admin1`` schema: names, ISO 3166-2 codes, areas."""
    frame = _in_catalog_crs(_lower(source.data), job.entry)
    api = source.api or {}
    iso3 = api.get("boundaryISO") or source.part
    names = frame["shapename"].astype("string").str.strip()
    area = frame.geometry.to_crs("EPSG:6933").area / 1e6
    out = pd.DataFrame(
        {
            "adm0_a3": iso3,
            "admin": api.get("boundaryName") or iso3,
            "adm1_code": frame["shapeid"],
            "iso_3166_2": frame["shapeiso"].astype("string").str.strip().replace("", None),
            "label": names,
            "name": names,
            "name_en": names,
            "area_km2": area.round().astype("int64"),
            "method": " ".join(
                [
                    "geoBoundaries gbOpen",
                    str(api.get("boundaryType", "ADM1")),
                    str(api.get("boundaryID", "")),
                    source.download_url,
                ]
            ).strip(),
        }
    )
    return gpd.GeoDataFrame(out, geometry=frame.geometry.values, crs=frame.crs)


UNHCR_FIGURES = ("refugees", "asylum_seekers", "returned_refugees", "idps", "returned_idps")
"""Population types taken from the UNHCR population API, one row each."""


def _unhcr_population(source: Source, job: Job) -> pd.DataFrame:
    """UNHCR population API items as rows of the ``displacement_2010`` table."""
    document = source.data
    items = document.get("items") if isinstance(document, dict) else document
    if not isinstance(items, list) or not items or not isinstance(items[0], dict):
        raise DataError(
            source.url,
            "has no 'items' list, or it is empty",
            hint="check the year and country codes in the URL",
        )
    missing = [c for c in job.upstream.columns if c not in items[0]]
    if missing:
        raise DataError(source.url, f"items lack the expected fields {missing}")
    rows = [row for item in items for row in _unhcr_rows(item, source.url)]
    if not rows:
        raise DataError(source.url, f"items give none of {list(UNHCR_FIGURES)} as numbers")
    return pd.DataFrame(rows)


def _unhcr_rows(item: Mapping[str, Any], url: str) -> list[dict[str, Any]]:
    year = item.get("year")
    origin = str(item.get("coo_iso") or item.get("coo") or "?")
    asylum = str(item.get("coa_iso") or item.get("coa") or "?")
    rows = []
    for figure in UNHCR_FIGURES:
        value = pd.to_numeric(item.get(figure), errors="coerce")
        if pd.isna(value):
            continue  # the API writes "-" for no figure
        rows.append(
            {
                "date_reported": str(year),
                "as_of_date": f"{year}-12-31",
                "metric": f"unhcr_{figure}_{origin}_{asylum}".lower(),
                "value": float(value),
                "reporting_body": "UNHCR Refugee Data Finder (population API)",
                "source_url": url,
                "quote": "",
                "notes": (
                    f"UNHCR year-end {year} figure: origin {item.get('coo_name', origin)} "
                    f"({origin}), asylum {item.get('coa_name', asylum)} ({asylum})."
                ),
            }
        )
    return rows


CONVERTERS: dict[str, Callable[[Source, Job], pd.DataFrame]] = {
    "natural_earth": _natural_earth,
    "natural_earth_admin0": _natural_earth_admin0,
    "natural_earth_places": _natural_earth_places,
    "geoboundaries_adm1": _geoboundaries_adm1,
    "unhcr_population": _unhcr_population,
}
"""Converter name (``convert`` in upstreams.toml) -> converter(source, job)."""


def embedded(entry: Dataset) -> pd.DataFrame:
    """The embedded copy of `entry`, read directly (never the cache)."""
    if entry.kind == "vector":
        return gpd.read_file(entry.embedded_path, engine="pyogrio")
    return parse_csv(entry.embedded_path)


def _merge_none(new: pd.DataFrame, job: Job) -> pd.DataFrame:
    return new


def _merge_replace_countries(new: pd.DataFrame, job: Job) -> pd.DataFrame:
    """The new units, plus the embedded units of countries the upstream does not cover."""
    old = _conform(embedded(job.entry), job)
    return pd.concat([new, old[~old["adm0_a3"].isin(new["adm0_a3"])]], ignore_index=True)


def _merge_append(new: pd.DataFrame, job: Job) -> pd.DataFrame:
    """The embedded (curated) rows, then the upstream's rows."""
    old = _conform(embedded(job.entry), job)
    return pd.concat([old[~old["source_url"].isin(new["source_url"])], new], ignore_index=True)


def _merge_keep_geonames(new: pd.DataFrame, job: Job) -> pd.DataFrame:
    """The new Natural Earth places, plus the embedded GeoNames-only places."""
    old = _conform(embedded(job.entry), job)
    return pd.concat([new, old[old["source"] == "geonames"]], ignore_index=True)


MERGERS: dict[str, Callable[[pd.DataFrame, Job], pd.DataFrame]] = {
    "none": _merge_none,
    "replace_countries": _merge_replace_countries,
    "append": _merge_append,
    "keep_geonames": _merge_keep_geonames,
}
"""Merger name (``merge`` in upstreams.toml) -> merger(new_rows, job)."""
