"""Borders: international boundary lines typed by status, and the Fergana Valley enclaves."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

import geo
from geo.crs import area_km2
from layers.layer import Layer
from layers.presets import BOUNDARIES, ENCLAVE_POINTS, ENCLAVES, preset_layer
from layers.source import Source, frame_from

# Natural Earth `featurecla` -> how the line is drawn. NE classes every Kyrgyz,
# Uzbek and Tajik segment as an international boundary; it does not flag the
# undemarcated stretches in the Fergana Valley (see geo/data/base/SOURCES.md).
BOUNDARY_STATUS: dict[str, str] = {
    "International boundary (verify)": "international",
    "Disputed (please verify)": "disputed",
    "Line of control (please verify)": "disputed",
    "Indefinite (please verify)": "indefinite",
    "Indeterminant frontier": "indefinite",
    "Lease limit": "indefinite",
    # Abkhazia and South Ossetia, from NE's disputed-areas lines (geo/data/base/SOURCES.md)
    "Breakaway": "disputed",
}


def boundaries(data: Source = None) -> Layer:
    """International boundary lines, dashed where Natural Earth marks them disputed or indefinite.

    Parameters
    ----------
    data : path, URL or GeoDataFrame, optional
        Lines with a ``featurecla`` column using Natural Earth's classes.
    """
    frame = frame_from(data, "boundary_lines", required={"featurecla": "str"}, geometry="line")
    status = frame["featurecla"].map(BOUNDARY_STATUS).fillna("international")
    names = frame["name"] if "name" in frame else frame["featurecla"]
    if "note" in frame:  # the breakaway lines carry their name in `note`
        names = names.fillna(frame["note"])
    frame = gpd.GeoDataFrame(
        {"name": names, "status": status, "featurecla": frame["featurecla"]},
        geometry=frame.geometry,
        crs="EPSG:4326",
    )
    return preset_layer(BOUNDARIES, frame, data=data)


def enclaves(data: Source = None) -> Layer:
    """Enclaves: polygons with owner, surrounding state, computed area and reported population.

    The polygons are the enclave parts of the Natural Earth country polygons
    (Sokh, Shakhimardan, Vorukh, Sarvak). Reported area and population come from
    the facts table; enclaves without a polygon in the data (Chong-Kara,
    Jani-Ayil, Western Qalacha, Barak) are listed by :func:`enclave_points`.

    Parameters
    ----------
    data : path, URL or GeoDataFrame, optional
        Your own enclave polygons with ``name``, ``belongs_to`` and
        ``surrounded_by`` (ISO3) columns.
    """
    frame = frame_from(
        data,
        "enclaves_geometry",
        required={"name": "str", "belongs_to": "str", "surrounded_by": "str"},
        geometry="area",
    )
    facts = geo.load("enclaves").drop(columns="geometry").set_index("name")
    rows = []
    for _, feature in frame.iterrows():
        fact = facts.loc[feature["name"]] if feature["name"] in facts.index else None
        rows.append(
            {
                "name": feature["name"],
                "belongs_to": feature["belongs_to"],
                "surrounded_by": feature["surrounded_by"],
                "reported_area_km2": None if fact is None else fact["area_km2"],
                "population": None if fact is None else fact["population"],
                "population_year": None if fact is None else fact["population_year"],
                "source": "" if fact is None else fact["source_url"],
                "notes": "" if fact is None else fact["notes"],
            }
        )
    out = gpd.GeoDataFrame(rows, geometry=list(frame.geometry), crs="EPSG:4326")
    out["area_km2"] = area_km2(out).round(1)
    out["population_year"] = pd.to_numeric(out["population_year"], errors="coerce")
    out["population_text"] = [
        _population_text(p, y)
        for p, y in zip(out["population"], out["population_year"], strict=True)
    ]
    return preset_layer(ENCLAVES, out, data=data)


def enclave_points() -> Layer:
    """Enclaves that the polygon data lacks, at their reported coordinates where known."""
    facts = geo.load("enclaves")
    drawn = set(geo.load("enclaves_geometry")["name"])
    rows = facts[~facts["name"].isin(drawn) & ~facts.geometry.isna()].copy()
    rows["population_text"] = [
        _population_text(p, y)
        for p, y in zip(rows["population"], rows["population_year"], strict=True)
    ]
    frame = gpd.GeoDataFrame(
        rows[
            [
                "name",
                "belongs_to_iso3",
                "surrounded_by_iso3",
                "area_km2",
                "population_text",
                "source_url",
            ]
        ],
        geometry=rows.geometry,
        crs="EPSG:4326",
    ).reset_index(drop=True)
    return preset_layer(ENCLAVE_POINTS, frame)


def _population_text(population: object, year: object) -> str:
    if population is None or population != population:
        return "not reported"
    text = f"{float(population):,.0f}"
    if year is not None and year == year:
        text += f" ({int(float(year))})"
    return text
