"""The 'northern route' for Afghan opiates: legs along the roads through sourced towns, and volumes.

A route is its rows of ``trafficking_routes`` in order. Rows of role ``waypoint``
are places the trafficking sources name; rows of role ``road`` are towns and
passes that other sources (travel reports, encyclopaedias) put on the road
between two waypoints, so that the line follows that road. Each row's ``road``
names the road from the previous located row to it; consecutive rows on the same
road make one leg, drawn as one line and named by its road.

Between two located rows the line is straight. Where that straight line would
cross a country the route's sources do not name (or a lake), it is bent around
that country's border on the route's side (:data:`CLEARANCE_M` away): such a leg
is *schematic* there, and its name says so. No route line crosses a country its
sources do not name.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely
from shapely.ops import substring

import geo
from geo.crs import named_crs
from layers.borders import enclave_polygons
from layers.layer import Layer
from layers.presets import ROUTE_STOPS, TRAFFICKING, preset_layer

#: route_id -> strength of sourcing. NR-GENERIC has no point coordinates
#: (countries only) and is described in the layer text rather than drawn.
ROUTES: dict[str, str] = {"NR-PAMIR": "corroborated", "NR-FERGANA": "weak"}
#: What a leg is called when its rows name no road.
UNNAMED_ROAD: dict[str, str] = {"NR-FERGANA": "Fergana branch (weakly sourced)"}
# Waypoints named as areas but given a town's coordinates: label the town the point is.
STOP_LABELS: dict[str, str] = {
    "Sughd province, Tajikistan (e.g. Isfara)": "Isfara",
    "Batken region (e.g. Leilek district)": "Batken",
    '"Osh Knot" (area where Kyrgyzstan, Uzbekistan and Tajikistan meet)': "Osh",
}
# Volumes shown with the routes: route_figures metrics that describe the northern route.
ROUTE_METRICS: tuple[str, ...] = (
    "share_heroin_via_northern_route",
    "share_afghan_drugs_via_northern_route",
    "heroin_via_central_asia_per_year",
    "heroin_via_tajikistan",
    "narcotics_transiting_kyrgyzstan_per_year",
)
#: How far a bent line keeps from a border it must not cross (metres, equal-area CRS).
CLEARANCE_M = 1500.0
#: How far it keeps from a lake's shore.
LAKE_CLEARANCE_M = 500.0
#: How many times arcs that cross a further obstacle are bent again.
REFINEMENTS = 4
#: What a schematic leg's name adds.
SCHEMATIC_NOTE = "schematic where bent around a border or lake: no sourced town there"


@dataclass(frozen=True)
class Leg:
    """One drawn line of a route: its road, its stops in order and its course."""

    route_id: str
    road: str
    stops: list[str]
    line: shapely.LineString  # EPSG:4326
    schematic: bool


def route_waypoints() -> gpd.GeoDataFrame:
    """Every row of every route in order, located or not (areas have no point)."""
    table = geo.load("trafficking_routes")
    table["seq"] = pd.to_numeric(table["seq"])
    if "role" not in table:  # a user's table from before roads were added
        table["role"] = "waypoint"
    if "road" not in table:
        table["road"] = ""
    table["role"] = table["role"].fillna("waypoint")
    table["road"] = table["road"].fillna("")
    return table.sort_values(["route_id", "seq"], kind="stable").reset_index(drop=True)


def named_countries(route_id: str) -> set[str]:
    """ISO3 codes of the countries the route's sources name (its rows' ``country_iso3``)."""
    rows = route_waypoints()
    codes = rows.loc[rows["route_id"] == route_id, "country_iso3"].dropna().astype(str)
    return {code.strip() for cell in codes for code in cell.split(";") if code.strip()}


def route_legs() -> list[Leg]:
    """Every drawn leg of every route, in route order."""
    waypoints = route_waypoints()
    crs = named_crs("equal_area")
    lakes = geo.load("lakes").to_crs(crs).buffer(LAKE_CLEARANCE_M)
    legs = []
    for route_id in ROUTES:
        rows = waypoints[(waypoints["route_id"] == route_id) & ~waypoints.geometry.isna()]
        if len(rows) < 2:  # no line through fewer than two located rows
            continue
        obstacles = [*_foreign_parts(named_countries(route_id), crs), *_parts(lakes)]
        points = list(gpd.GeoSeries(list(rows.geometry), crs="EPSG:4326").to_crs(crs))
        labels, roads = list(_labels(rows["place"])), list(rows["road"])
        start = 0
        for end in range(1, len(points) + 1):
            if end < len(points) and roads[end] == roads[start + 1]:
                continue
            course, bent = _course(points[start:end], obstacles)
            legs.append(
                Leg(
                    route_id=route_id,
                    road=roads[start + 1] or UNNAMED_ROAD.get(route_id, route_id),
                    stops=labels[start:end],
                    line=gpd.GeoSeries([course], crs=crs).to_crs("EPSG:4326").iloc[0],
                    schematic=bent,
                )
            )
            start = end - 1
    return legs


def routes() -> Layer:
    """Northern-route legs along the roads through the located stops, with sourced volumes."""
    waypoints = route_waypoints()
    volumes = volumes_text()
    legs = route_legs()
    if not legs:
        raise _nothing_located(waypoints, "two rows of one route with coordinates")
    rows = []
    for n, leg in enumerate(legs):
        strength = ROUTES[leg.route_id]
        every = waypoints[waypoints["route_id"] == leg.route_id]
        name = f"{leg.road}: {leg.stops[0]} – {leg.stops[-1]}"
        rows.append(
            {
                "route_id": leg.route_id,
                "leg": n,
                "road": leg.road,
                "name": f"{name} ({SCHEMATIC_NOTE})" if leg.schematic else name,
                "schematic": leg.schematic,
                "strength": strength,
                "waypoints": " → ".join(leg.stops),
                "volumes": volumes
                if strength == "corroborated"
                else "none reported for this branch",
                "sources": " ".join(dict.fromkeys(every["source_url"].dropna())),
                "geometry": leg.line,
            }
        )
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    return preset_layer(TRAFFICKING, frame, volumes=volumes)


def route_stops() -> Layer:
    """Located waypoints of the northern route (the towns the trafficking sources name)."""
    waypoints = route_waypoints()
    located = waypoints[
        waypoints["route_id"].isin(ROUTES)
        & ~waypoints.geometry.isna()
        & (waypoints["role"] == "waypoint")
    ]
    if located.empty:
        raise _nothing_located(waypoints, "a row of role 'waypoint' with coordinates")
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
    frame["label"] = list(_labels(frame["place"]))
    return preset_layer(ROUTE_STOPS, frame)


def volumes_text() -> str:
    """Sourced volumes of the northern route in one sentence, with the reporting bodies."""
    figures = geo.load("route_figures")
    parts = []
    for metric in ROUTE_METRICS:
        for row in figures[figures["metric"] == metric].itertuples(index=False):
            parts.append(f"{_amount(row)} {row.scope} ({row.reporting_body}, {row.year})")
    return "Reported volumes: " + "; ".join(parts) + "."


def _nothing_located(waypoints: pd.DataFrame, needed: str) -> geo.DataError:
    """Why no route is drawn: no row of a drawn route, or none of its rows located."""
    ours = waypoints[waypoints["route_id"].isin(ROUTES)]
    if ours.empty:
        return geo.DataError(
            "trafficking_routes",
            f"no row belongs to a route the layer draws ({', '.join(ROUTES)})",
            field="route_id",
            hint=f"give route_id {' or '.join(repr(r) for r in ROUTES)}",
        )
    empty = [c for c in ("lat", "lon") if c in ours and ours[c].isna().all()]
    if not empty and "'waypoint'" in needed:
        return geo.DataError(
            "trafficking_routes",
            f"nothing to draw: the layer needs {needed}",
            field="role",
            hint="give role 'waypoint' to the places the trafficking sources name",
        )
    return geo.DataError(
        "trafficking_routes",
        f"nothing to draw: the layer needs {needed} ('lat' and 'lon', WGS84 degrees)",
        field=empty[0] if len(empty) == 1 else None,
        hint="give lat and lon for the towns of the routes " + " and ".join(ROUTES),
    )


def _amount(row) -> str:
    unit = "%" if row.unit == "percent" else f" {row.unit}"
    if pd.notna(row.value):
        return f"{row.value:g}{unit}"
    low = f"{row.value_low:g}" if pd.notna(row.value_low) else ""
    high = f"{row.value_high:g}" if pd.notna(row.value_high) else ""
    if low and high:
        return f"{low}–{high}{unit}"
    return f"up to {high}{unit}" if high else f"at least {low}{unit}"


def _labels(places: pd.Series) -> pd.Series:
    """Short labels: a town's name, without the parenthesised or comma-separated detail."""
    short = places.str.extract(r"^([^(,]+)")[0].str.strip().str.strip('"')
    return places.map(STOP_LABELS).fillna(short)


def _foreign_parts(named: set[str], crs) -> list[shapely.Polygon]:
    """Polygons a route of countries `named` must keep out of, grown by the clearance.

    Those are the other countries with their enclaves (whose OpenStreetMap outlines
    differ from Natural Earth's), merged country by country: all together the
    neighbours would ring the named countries round.
    """
    countries = geo.load("countries").to_crs(crs)
    enclaves = enclave_polygons().to_crs(crs)
    shapes = [
        *zip(countries["adm0_a3"], countries.buffer(CLEARANCE_M), strict=True),
        *zip(enclaves["belongs_to"], enclaves.buffer(CLEARANCE_M), strict=True),
    ]
    owners = sorted({owner for owner, _ in shapes} - named)
    return [part for owner in owners for part in _parts([g for o, g in shapes if o == owner])]


def _parts(shapes) -> list[shapely.Polygon]:
    """The outer outlines of the union of `shapes`, one polygon per part."""
    merged = shapely.union_all(list(shapes))
    return [shapely.Polygon(p.exterior) for p in shapely.get_parts(merged)]


def _course(points: list[shapely.Point], obstacles: list[shapely.Polygon]):
    """The line through `points`, each straight stretch bent around the obstacles it crosses.

    Returns the line (in the points' CRS) and whether any stretch was bent.
    """
    coords: list[tuple[float, float]] = [(points[0].x, points[0].y)]
    bent = False
    for a, b in itertools.pairwise(points):
        stretch, was_bent = _detour(a, b, obstacles)
        coords.extend(stretch[1:])
        bent = bent or was_bent
    return shapely.LineString(coords), bent


def _detour(a: shapely.Point, b: shapely.Point, obstacles: list[shapely.Polygon]):
    """From `a` to `b`: straight, except around each obstacle the straight line crosses.

    An obstacle that holds `a` or `b` (a town on a lake shore, or by a border) is
    opened by a notch from that point to its outline. The way round is the shorter
    arc of the obstacle's outline between where the straight line enters it and
    where it last leaves it; arcs that cross another obstacle are bent in turn.
    """
    usable = [part for o in obstacles for part in _opened(o, a, b)]
    for part in usable:
        shapely.prepare(part)
    path = _around((a.x, a.y), (b.x, b.y), usable)
    for _ in range(REFINEMENTS):
        fixed = [path[0]]
        for p, q in itertools.pairwise(path):
            fixed.extend(_around(p, q, usable)[1:])
        if len(fixed) == len(path):
            break
        path = fixed
    return path, len(path) > 2


def _around(a: tuple, b: tuple, obstacles: list[shapely.Polygon]) -> list[tuple]:
    """From `a` to `b`, bent once around each obstacle the straight line crosses."""
    path, current, end = [a], shapely.Point(a), shapely.Point(b)
    for _ in range(len(obstacles) + 1):
        straight = shapely.LineString([current, end])
        crossed = [(o, straight.intersection(o)) for o in obstacles if _crosses(straight, o)]
        if not crossed:
            break
        obstacle, inside = min(crossed, key=lambda c: straight.project(_first(c[1], current)))
        entry = _first(inside, current)
        leave = max(
            (shapely.Point(xy) for xy in shapely.get_coordinates(inside)),
            key=straight.project,
        )
        path.extend([(entry.x, entry.y), *_shorter_arc(obstacle.exterior, entry, leave)])
        current = leave
    path.append(b)
    return path


def _crosses(line: shapely.LineString, obstacle: shapely.Polygon) -> bool:
    """Whether `line` runs through `obstacle`'s interior (not merely along its outline)."""
    return (
        shapely.intersects(line, obstacle)
        and line.relate_pattern(obstacle, "T********")
        and line.intersection(obstacle).length > 1.0
    )


def _opened(obstacle: shapely.Polygon, *points: shapely.Point) -> list[shapely.Polygon]:
    """`obstacle` less a disc around each of `points` inside it that reaches its outline."""
    for point in points:
        if obstacle.contains(point):
            reach = point.distance(obstacle.exterior) + 50.0
            obstacle = obstacle.difference(point.buffer(reach))
    return [shapely.Polygon(p.exterior) for p in shapely.get_parts(obstacle) if not p.is_empty]


def _first(inside, origin: shapely.Point) -> shapely.Point:
    return min((shapely.Point(xy) for xy in shapely.get_coordinates(inside)), key=origin.distance)


def _shorter_arc(ring, entry: shapely.Point, leave: shapely.Point) -> list[tuple[float, float]]:
    """Coordinates along `ring` from `entry` to `leave`, whichever way round is shorter."""
    ring = shapely.LineString(ring.coords)
    length, d0, d1 = ring.length, ring.project(entry), ring.project(leave)
    forward = (d1 - d0) % length
    if forward <= length / 2:
        pieces = [(d0, d1)] if d1 >= d0 else [(d0, length), (0.0, d1)]
    else:
        pieces = [(d0, d1)] if d1 <= d0 else [(d0, 0.0), (length, d1)]
    coords: list[tuple[float, float]] = []
    for start, end in pieces:
        coords.extend(shapely.get_coordinates(substring(ring, start, end)).tolist())
    return [tuple(c) for c in coords] + [(leave.x, leave.y)]
