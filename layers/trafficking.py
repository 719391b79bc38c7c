"""The 'northern route' for Afghan opiates: ordered waypoint lines and sourced volumes."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

import geo
from layers.layer import Layer
from layers.presets import ROUTE_STOPS, TRAFFICKING, preset_layer

# route_id -> (title, strength of sourcing). NR-GENERIC has no point coordinates
# (countries only) and is described in the layer text rather than drawn.
ROUTES: dict[str, tuple[str, str]] = {
    "NR-PAMIR": ("Pamir Highway: Khorog - Murghab - Osh - Bishkek", "corroborated"),
    "NR-FERGANA": ("Fergana branch: Khujand - Isfara - Batken - Osh (weakly sourced)", "weak"),
}
# Waypoints named as areas but given a town's coordinates: label the town the point is.
STOP_LABELS: dict[str, str] = {
    "Sughd province, Tajikistan (e.g. Isfara)": "Isfara",
    "Batken region (e.g. Leilek district)": "Batken",
}
# Volumes shown with the routes: route_figures metrics that describe the northern route.
ROUTE_METRICS: tuple[str, ...] = (
    "share_heroin_via_northern_route",
    "share_afghan_drugs_via_northern_route",
    "heroin_via_central_asia_per_year",
    "heroin_via_tajikistan",
    "narcotics_transiting_kyrgyzstan_per_year",
)


def route_waypoints() -> gpd.GeoDataFrame:
    """Every waypoint of every route in order, located or not (areas have no point)."""
    table = geo.load("trafficking_routes")
    table["seq"] = pd.to_numeric(table["seq"])
    return table.sort_values(["route_id", "seq"], kind="stable").reset_index(drop=True)


def routes() -> Layer:
    """Northern-route lines through the located waypoints, in order, with sourced volumes."""
    waypoints = route_waypoints()
    volumes = volumes_text()
    rows = []
    for route_id, (title, strength) in ROUTES.items():
        stops = waypoints[(waypoints["route_id"] == route_id) & ~waypoints.geometry.isna()]
        every = waypoints[waypoints["route_id"] == route_id]
        rows.append(
            {
                "route_id": route_id,
                "name": title,
                "strength": strength,
                "waypoints": " → ".join(every["place"]),
                "volumes": volumes
                if strength == "corroborated"
                else "none reported for this branch",
                "sources": " ".join(dict.fromkeys(every["source_url"].dropna())),
                "geometry": shapely.LineString(list(stops.geometry)),
            }
        )
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    return preset_layer(TRAFFICKING, frame, volumes=volumes)


def route_stops() -> Layer:
    """Located waypoints of the northern route."""
    waypoints = route_waypoints()
    located = waypoints[waypoints["route_id"].isin(ROUTES) & ~waypoints.geometry.isna()]
    order = {route_id: n for n, route_id in enumerate(ROUTES)}
    located = located.sort_values("route_id", key=lambda ids: ids.map(order), kind="stable")
    # "Osh Knot" sits on Osh's coordinates: one symbol per point.
    located = located[~located.geometry.to_wkb().duplicated()]
    frame = gpd.GeoDataFrame(
        located[["route_id", "seq", "place", "country_iso3", "notes", "source_url"]].reset_index(
            drop=True
        ),
        geometry=list(located.geometry),
        crs="EPSG:4326",
    )
    short = frame["place"].str.extract(r"^([^(,]+)")[0].str.strip().str.strip('"')
    frame["label"] = frame["place"].map(STOP_LABELS).fillna(short)
    return preset_layer(ROUTE_STOPS, frame)


def volumes_text() -> str:
    """Sourced volumes of the northern route in one sentence, with the reporting bodies."""
    figures = geo.load("route_figures")
    parts = []
    for metric in ROUTE_METRICS:
        for row in figures[figures["metric"] == metric].itertuples(index=False):
            parts.append(f"{_amount(row)} {row.scope} ({row.reporting_body}, {row.year})")
    return "Reported volumes: " + "; ".join(parts) + "."


def _amount(row) -> str:
    unit = "%" if row.unit == "percent" else f" {row.unit}"
    if pd.notna(row.value):
        return f"{row.value:g}{unit}"
    low = f"{row.value_low:g}" if pd.notna(row.value_low) else ""
    high = f"{row.value_high:g}" if pd.notna(row.value_high) else ""
    if low and high:
        return f"{low}–{high}{unit}"
    return f"up to {high}{unit}" if high else f"at least {low}{unit}"
