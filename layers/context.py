"""Regional context: military bases, water infrastructure and CSTO membership in June 2010."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

import geo
from geo.crs import named_crs
from layers.layer import Layer
from layers.presets import BASES, CSTO, WATER, preset_layer
from layers.source import Source, frame_from

# bases.csv operator text -> who runs the base (first match wins; order matters).
BASE_OPERATORS: list[tuple[str, str]] = [
    ("proposed", "proposed"),
    ("United States", "us"),
    ("German", "other"),
    ("Russia", "russia"),
    ("Tajik", "other"),
]
JUNE_2010 = "2010-06"
# Countries smaller than this are labelled by their ISO code: a name would spill onto
# a neighbour at the regional map's scale (Armenia's did onto Azerbaijan).
SMALL_COUNTRY_KM2 = 100_000.0


def bases(data: Source = None) -> Layer:
    """Foreign military bases: Manas (US), Kant (Russia, CSTO) and others in the data.

    Bases without sourced coordinates (the proposed southern base) are left off the map.
    """
    frame = frame_from(data, "bases", required={"name": "str", "operator": "str"}, geometry="point")
    operator = [
        _operator(str(o), str(n)) for o, n in zip(frame["operator"], frame["name"], strict=True)
    ]
    closed = frame.get("closed", pd.Series("", index=frame.index)).fillna("").astype(str)
    group = [
        "us_closed" if op == "us" and c and c < JUNE_2010 else op
        for op, c in zip(operator, closed, strict=True)
    ]
    out = frame.assign(group=group, opened=frame.get("opened", ""), closed=closed)
    out = out[out["group"] != "proposed"].reset_index(drop=True)
    out["short_name"] = out["name"].str.replace(r"\s*\(.*\)\s*$", "", regex=True)
    columns = ["short_name", "name", "operator", "group", "opened", "closed", "role", "source_url"]
    frame = gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")[[*columns, "geometry"]]
    return preset_layer(BASES, frame, data=data)


def water(data: Source = None) -> Layer:
    """Dams and reservoirs with sourced coordinates (Toktogul, Andijan, Kayrakkum...)."""
    frame = frame_from(data, "water", required={"feature": "str", "kind": "str"}, geometry="point")
    frame = frame[frame["kind"].isin(WATER.categories.roles)].reset_index(
        drop=True
    )  # dams, reservoirs
    columns = ["feature", "kind", "country_iso3", "capacity_or_size", "dispute_notes", "source_url"]
    return preset_layer(WATER, frame[[*columns, "geometry"]], data=data)


def csto() -> Layer:
    """CSTO member states as of June 2010, on world country polygons."""
    members = geo.load("csto_2010")
    status = {row.iso3: _csto_status(str(row.status_in_june_2010)) for row in members.itertuples()}
    world = geo.load("world_countries")
    frame = world[world["adm0_a3"].isin(status)].copy()
    frame["status"] = frame["adm0_a3"].map(status)
    joined = frame.merge(
        members[["iso3", "member_since", "status_in_june_2010", "notes", "source_url"]],
        left_on="adm0_a3",
        right_on="iso3",
    )
    area_km2 = joined.geometry.to_crs(named_crs("equal_area")).area / 1e6
    joined["label"] = joined["name"].where(area_km2 >= SMALL_COUNTRY_KM2, joined["adm0_a3"])
    small = joined[area_km2 < SMALL_COUNTRY_KM2].sort_values("adm0_a3")
    out = gpd.GeoDataFrame(
        joined[
            [
                "name",
                "label",
                "adm0_a3",
                "status",
                "member_since",
                "status_in_june_2010",
                "notes",
                "source_url",
            ]
        ],
        geometry=joined.geometry,
        crs="EPSG:4326",
    )
    codes = ", ".join(f"{c} {n}" for c, n in zip(small["adm0_a3"], small["name"], strict=True))
    return preset_layer(CSTO, out, small_countries=codes or "none")


def _operator(operator: str, name: str) -> str:
    text = f"{name} {operator}"
    for needle, group in BASE_OPERATORS:
        if needle.lower() in text.lower():
            return group
    return "other"


def _csto_status(text: str) -> str:
    if text.startswith("not a member"):
        return "former"
    if "not participating" in text:  # rejoined, outside the rapid-reaction force (notes)
        return "rejoined"
    return "member"
