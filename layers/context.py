"""Regional context: military bases, water infrastructure and CSTO membership in June 2010."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

import geo
from layers.layer import Layer
from layers.source import Source, credits_for, frame_from
from layers.style import Credit, Field
from layers.theme import style, themed

# bases.csv operator text -> who runs the base (first match wins; order matters).
BASE_OPERATORS: list[tuple[str, str]] = [
    ("proposed", "proposed"),
    ("United States", "us"),
    ("German", "other"),
    ("Russia", "russia"),
    ("Tajik", "other"),
]
BASE_STYLES = {
    "us": ("US base (in use in June 2010)", "base_us"),
    "us_closed": ("US base (closed before June 2010)", "base_closed"),
    "russia": ("Russian base", "base_russia"),
    "other": ("Other foreign or national base", "base_other"),
}
JUNE_2010 = "2010-06"

WATER_KINDS = {"dam": ("Dam", "dam"), "reservoir": ("Reservoir", "reservoir")}

CSTO_STATUS = {
    "member": ("CSTO member, June 2010", "csto_member"),
    "suspended": ("Member not in military cooperation (Uzbekistan)", "csto_suspended"),
    "former": ("Former treaty member (left 1999)", "csto_former"),
}


def bases(data: Source = None) -> Layer:
    """Foreign military bases: Manas (US, 2001-2014), Kant (Russia, CSTO) and others in the data.

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
    categories = themed("group", BASE_STYLES, present=out["group"].unique())
    out["short_name"] = out["name"].str.replace(r"\s*\(.*\)\s*$", "", regex=True)
    return Layer(
        id="bases",
        title="Military bases",
        kind="point",
        frame=gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")[
            [
                "short_name",
                "name",
                "operator",
                "group",
                "opened",
                "closed",
                "role",
                "source_url",
                "geometry",
            ]
        ],
        style=style("base_other"),
        categories=categories,
        fields=[
            Field("short_name", "Base"),
            Field("operator", "Operator"),
            Field("opened", "Opened"),
            Field("closed", "Closed", missing="open at the time of the source"),
            Field("role", "Role"),
            Field("source_url", "Source"),
        ],
        label="short_name",
        credits=credits_for(data, "bases"),
        description=(
            "Foreign military bases in Central Asia around 2010, among them the US Transit "
            "Center at Manas (2001-2014) and Russia's Kant air base (CSTO), both near Bishkek."
        ),
    )


def water(data: Source = None) -> Layer:
    """Dams and reservoirs with sourced coordinates (Toktogul, Andijan, Kayrakkum...)."""
    frame = frame_from(data, "water", required={"feature": "str", "kind": "str"}, geometry="point")
    frame = frame[frame["kind"].isin(WATER_KINDS)].reset_index(drop=True)
    categories = themed("kind", WATER_KINDS)
    return Layer(
        id="water",
        title="Dams and reservoirs",
        kind="point",
        frame=frame[
            [
                "feature",
                "kind",
                "country_iso3",
                "capacity_or_size",
                "dispute_notes",
                "source_url",
                "geometry",
            ]
        ],
        style=style("dam"),
        categories=categories,
        fields=[
            Field("feature", "Name"),
            Field("kind", "Kind"),
            Field("country_iso3", "Country"),
            Field("capacity_or_size", "Size (as reported)"),
            Field("dispute_notes", "Disputes"),
            Field("source_url", "Source"),
        ],
        label="feature",
        credits=credits_for(data, "water"),
        description=(
            "Dams and reservoirs on the Naryn and Syr Darya system. Upstream Kyrgyzstan "
            "and Tajikistan want the water for winter power; downstream Uzbekistan and "
            "Kazakhstan need it for summer irrigation."
        ),
    )


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
    out = gpd.GeoDataFrame(
        joined[
            [
                "name",
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
    categories = themed("status", CSTO_STATUS, present=out["status"].unique())
    return Layer(
        id="csto",
        title="CSTO members, June 2010",
        kind="area",
        frame=out,
        style=style("csto_member"),
        categories=categories,
        fields=[
            Field("name", "Country"),
            Field("status_in_june_2010", "Status in June 2010"),
            Field("member_since", "Treaty signed or joined"),
            Field("notes", "Notes"),
            Field("source_url", "Source"),
        ],
        label="name",
        credits=[Credit.of("csto_2010"), Credit.of("world_countries")],
        description=(
            "Members of the Russian-led Collective Security Treaty Organization in June "
            "2010, when Kyrgyzstan asked for help and Russia declined to send troops."
        ),
    )


def _operator(operator: str, name: str) -> str:
    text = f"{name} {operator}"
    for needle, group in BASE_OPERATORS:
        if needle.lower() in text.lower():
            return group
    return "other"


def _csto_status(text: str) -> str:
    if text.startswith("not a member"):
        return "former"
    if "not participating" in text:
        return "suspended"
    return "member"
