"""The Fergana Valley as a physical basin and as an administrative region."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import shapely

from geo.crs import area_km2
from layers.layer import Layer
from layers.presets import (
    OWN_VALLEY_DESCRIPTION,
    VALLEY,
    VALLEY_PROVINCES,
    Themed,
    preset_layer,
)
from layers.source import Source, frame_from

# The valley's provinces in the three states (ISO 3166-2 codes as in the admin1 data).
PROVINCE_CODES: dict[str, str] = {
    "UZ-AN": "Andijan",
    "UZ-NG": "Namangan",
    "UZ-FA": "Fergana",
    "KG-O": "Osh",
    "KG-J": "Jalal-Abad",
    "KG-B": "Batken",
    "TJ-SU": "Sughd",
}
# Outline name in the valley data -> its role (any other outline is a floor).
OUTLINE_ROLES = {"Fergana Valley (floor, DEM-derived)": "floor", "Fergana Valley": "region"}
# The embedded floor's legend row and description; the threshold and area are read
# from the data (its ``threshold_m`` and geometry), so they follow a rebuild.
FLOOR_LEGEND = 'Valley floor (below {threshold:,.0f} m, from GEBCO 15" relief)'
FLOOR_DESCRIPTION = (
    "The Fergana Valley floor, {floor_km2:,.0f} km² (the often cited figure is about "
    "22,000 km²): GEBCO 2023 relief cells (15 arc-seconds, ~450 m) below {threshold:,.0f} m, "
    "connected to Andijan, closed just west of Khujand, with threads narrower than ~2 km "
    "cut off and holes filled; and Natural Earth's generalised region polygon "
    "({region_km2:,.0f} km²)."
)


def basin(data: Source = None, *, title: str | None = None, legend: str | None = None) -> Layer:
    """The valley as a physical basin: the relief-derived floor and Natural Earth's region polygon.

    Parameters
    ----------
    data : path, URL or GeoDataFrame, optional
        Your own valley outline(s) with a ``name`` column. Their legend row is
        `legend`, else the layer's title: not our floor's legend.
    title : str, optional
        Layer title (default "Fergana Valley").
    legend : str, optional
        With `data`: the legend row of your outlines.
    """
    frame = frame_from(data, "fergana_valley", required={"name": "str"}, geometry="area")
    role = [OUTLINE_ROLES.get(n, "floor") for n in frame["name"]]
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
    preset = replace(VALLEY, title=title or VALLEY.title)
    if data is None:
        return preset_layer(_with_floor_text(preset, frame, out), out)
    # your own outlines: one legend row, not our floor's
    own = replace(preset, legend=legend or preset.title, categories=None,
                  description=OWN_VALLEY_DESCRIPTION)  # fmt: skip
    return preset_layer(own, out, data=data, title=own.title, count=len(out))


def _with_floor_text(preset, frame: gpd.GeoDataFrame, out: gpd.GeoDataFrame):
    """`preset` with the legend row and description of the embedded floor's own method."""
    floor = out["role"] == "floor"
    threshold = float(frame.loc[floor, "threshold_m"].iloc[0])
    roles = dict(preset.categories.roles)
    roles["floor"] = (FLOOR_LEGEND.format(threshold=threshold), roles["floor"][1])
    description = FLOOR_DESCRIPTION.format(
        threshold=threshold,
        floor_km2=out.loc[floor, "area_km2"].sum(),
        region_km2=out.loc[out["role"] == "region", "area_km2"].sum(),
    )
    return replace(preset, categories=Themed("role", roles), description=description)


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
    frame = admin[admin["iso_3166_2"].isin(PROVINCE_CODES)].reset_index(drop=True)
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
    return preset_layer(VALLEY_PROVINCES, out, data=data, total_km2=total)
