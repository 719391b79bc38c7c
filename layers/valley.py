"""The Fergana Valley as a physical basin and as an administrative region."""

from __future__ import annotations

import geopandas as gpd
import shapely

from geo.crs import area_km2
from layers.layer import Layer
from layers.source import Source, credits_for, frame_from
from layers.style import Field, LegendEntry
from layers.theme import style, themed

# The valley's provinces in the three states (ISO 3166-2 codes as in the admin1 data).
VALLEY_PROVINCES: dict[str, str] = {
    "UZ-AN": "Andijan",
    "UZ-NG": "Namangan",
    "UZ-FA": "Fergana",
    "KG-O": "Osh",
    "KG-J": "Jalal-Abad",
    "KG-B": "Batken",
    "TJ-SU": "Sughd",
}
OUTLINE_ROLES = {
    "Fergana Valley (floor, DEM-derived)": ("floor", "Valley floor (below 1,100 m, from relief)"),
    "Fergana Valley": ("region", "Fergana Valley (Natural Earth region)"),
}


def basin(data: Source = None, *, title: str | None = None, legend: str | None = None) -> Layer:
    """The valley as a physical basin: the relief-derived floor and Natural Earth's region polygon.

    Parameters
    ----------
    data : path, URL or GeoDataFrame, optional
        Your own valley outline(s) with a ``name`` column. Their legend row is
        `legend`, else the layer's title: not our floor's "below 1,100 m".
    title : str, optional
        Layer title (default "Fergana Valley").
    legend : str, optional
        With `data`: the legend row of your outlines.
    """
    frame = frame_from(data, "fergana_valley", required={"name": "str"}, geometry="area")
    role = [OUTLINE_ROLES.get(n, ("floor", n))[0] for n in frame["name"]]
    out = gpd.GeoDataFrame(
        {
            "name": frame["name"],
            "role": role,
            "method": frame.get("method", ""),
            "source": frame.get("source", ""),
        },
        geometry=frame.geometry,
        crs="EPSG:4326",
    )
    out["area_km2"] = area_km2(out).round(0)
    labels = {r: lab for r, lab in OUTLINE_ROLES.values()}
    categories = themed(
        "role",
        {"floor": (labels["floor"], "valley_floor"), "region": (labels["region"], "valley_region")},
    )
    title = title or "Fergana Valley"
    own = None if data is None else [LegendEntry(legend or title, style("valley_floor"), "area")]
    return Layer(
        id="valley",
        title=title,
        kind="area",
        frame=out,
        style=style("valley_floor"),
        categories=categories if data is None else None,
        legend=own,
        fields=[
            Field("name", "Outline"),
            Field("area_km2", "Area", "{:,.0f} km²"),
            Field("method", "How it was drawn"),
            Field("source", "Source"),
        ],
        credits=credits_for(data, "fergana_valley"),
        description=(
            "The Fergana Valley floor, derived from a 5 arc-minute relief grid (cells at or "
            "below 1,100 m; the coarse grid takes in foothills and gorge mouths, so the "
            "outline is generous), and Natural Earth's generalised region polygon."
            if data is None
            else f"{title}: {len(out)} outline(s) from your data."
        ),
    )


def provinces(data: Source = None) -> Layer:
    """The valley as an administrative region: its provinces in the three states.

    Parameters
    ----------
    data : path, URL or GeoDataFrame, optional
        Your own first-level divisions with ``iso_3166_2``, ``label`` and ``admin``
        columns; the valley's provinces are picked by ISO 3166-2 code.
    """
    admin = frame_from(
        data,
        "admin1",
        required={"iso_3166_2": "str", "label": "str", "admin": "str"},
        geometry="area",
    )
    frame = admin[admin["iso_3166_2"].isin(VALLEY_PROVINCES)].reset_index(drop=True)
    out = gpd.GeoDataFrame(
        {
            "name": frame["label"],
            "country": frame["admin"],
            "iso_3166_2": frame["iso_3166_2"],
        },
        geometry=frame.geometry,
        crs="EPSG:4326",
    )
    out["area_km2"] = area_km2(out).round(0)
    total = float(area_km2(gpd.GeoSeries([shapely.union_all(out.geometry)], crs=4326)).iloc[0])
    return Layer(
        id="valley_provinces",
        title="Fergana Valley provinces",
        kind="area",
        frame=out,
        style=style("valley_provinces"),
        legend=[LegendEntry("Province of the valley", style("valley_provinces"), "area")],
        fields=[
            Field("name", "Province"),
            Field("country", "Country"),
            Field("area_km2", "Area", "{:,.0f} km²"),
        ],
        label="name",
        label_priority="area_km2",
        credits=credits_for(data, "admin1"),
        description=(
            f"The valley's seven provinces in three states ({total:,.0f} km² in all, "
            "mountains included): Andijan, Namangan and Fergana (Uzbekistan), Osh, "
            "Jalal-Abad and Batken (Kyrgyzstan), and Sughd (Tajikistan)."
        ),
    )
