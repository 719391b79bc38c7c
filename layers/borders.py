"""Borders: international boundary lines typed by status, and the Fergana Valley enclaves."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

import geo
from geo.crs import area_km2
from layers.layer import Layer
from layers.source import Source, credits_for, frame_from
from layers.style import Categories, Category, Credit, Field
from layers.theme import COUNTRY_COLOURS, style, themed

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
}
STATUS_STYLES = {
    "international": ("International boundary", "boundary"),
    "disputed": ("Disputed boundary or line of control", "boundary_disputed"),
    "indefinite": ("Indefinite boundary or lease limit", "boundary_indefinite"),
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
    frame = gpd.GeoDataFrame(
        {"name": names, "status": status, "featurecla": frame["featurecla"]},
        geometry=frame.geometry,
        crs="EPSG:4326",
    )
    categories = themed("status", STATUS_STYLES, present=frame["status"].unique())
    return Layer(
        id="boundaries",
        title="International boundaries",
        kind="line",
        frame=frame,
        style=style("boundary"),
        categories=categories,
        fields=[Field("name", "Boundary", missing="unnamed"), Field("featurecla", "Class")],
        credits=credits_for(data, "boundary_lines"),
        description=(
            "International boundaries from Natural Earth, dashed where it marks them "
            "disputed or indefinite. Natural Earth does not flag the undemarcated "
            "stretches inside the Fergana Valley."
        ),
    )


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
    owners = sorted(out["belongs_to"].unique())
    categories = Categories(
        "belongs_to",
        {
            iso: Category(
                f"Enclave of {_country_name(iso)}",
                style("enclave").but(fill=COUNTRY_COLOURS.get(iso, "#999999")),
            )
            for iso in owners
        },
    )
    credits = [*credits_for(data, "enclaves_geometry")]
    if data is None:
        credits.append(Credit.of("enclaves"))
    return Layer(
        id="enclaves",
        title="Enclaves",
        kind="area",
        frame=out,
        style=style("enclave"),
        categories=categories,
        fields=[
            Field("name", "Enclave"),
            Field("belongs_to", "Belongs to"),
            Field("surrounded_by", "Surrounded by"),
            Field("area_km2", "Area in the map data", "{:,.1f} km²"),
            Field("reported_area_km2", "Reported area", "{:,.0f} km²"),
            Field("population_text", "Population (reported)"),
            Field("notes", "Other reported figures and history"),
            Field("source", "Source"),
        ],
        label="name",
        label_priority="area_km2",
        credits=credits,
        description=(
            "Enclaves in the Fergana Valley: land of one state surrounded by another. "
            "Areas are computed from the map polygons in an equal-area projection; "
            "reported areas and populations differ between sources."
        ),
    )


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
    enclave = style("enclave")
    categories = Categories(
        "belongs_to_iso3",
        {
            iso: Category(
                f"Small enclave of {_country_name(iso)} (position only)",
                enclave.but(
                    fill=COUNTRY_COLOURS.get(iso, "#999999"), marker="circle", marker_size=7
                ),
            )
            for iso in sorted(frame["belongs_to_iso3"].unique())
        },
    )
    return Layer(
        id="enclave_points",
        title="Small enclaves",
        kind="point",
        frame=frame,
        style=enclave.but(marker_size=7),
        categories=categories,
        fields=[
            Field("name", "Enclave"),
            Field("belongs_to_iso3", "Belongs to"),
            Field("surrounded_by_iso3", "Surrounded by"),
            Field("area_km2", "Reported area", "{:,.0f} km²"),
            Field("population_text", "Population (reported)"),
            Field("source_url", "Source"),
        ],
        label="name",
        credits=[Credit.of("enclaves")],
        description="Enclaves too small for the polygon data, at their reported coordinates.",
    )


def _population_text(population: object, year: object) -> str:
    if population is None or population != population:
        return "not reported"
    text = f"{float(population):,.0f}"
    if year is not None and year == year:
        text += f" ({int(float(year))})"
    return text


def _country_name(iso3: str) -> str:
    names = geo.load("countries").set_index("adm0_a3")["name"]
    return str(names.get(iso3, iso3))
