"""Basemap layers: land, countries, first-level divisions, lakes, rivers and place labels.

These make a map look complete with no tile server.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import geo
from geo.coverage import DETAILED_WINDOW
from geo.crs import named_crs
from layers.layer import Layer
from layers.source import Source, credits_for, frame_from
from layers.style import Categories, Category, Field, LegendEntry
from layers.theme import style, themed

# Natural Earth scalerank <= this is a "major" river (Syr Darya, Amu Darya, Naryn...).
MAJOR_RIVER_RANK = 5
# A GeoNames figure above this multiple of Natural Earth's urban-area figure for the
# same place is taken to count more than the town (a district): not shown.
DISTRICT_RATIO = 1.25
# People per km² of a city's built-up disc, for telling a city's districts from towns.
URBAN_DENSITY = 3000.0
NO_TOWN_FIGURE = "not shown (GeoNames' figure may be the district's)"


def countries(data: Source = None, *, focus: str = "KGZ") -> Layer:
    """Countries, with the focus country emphasised.

    The embedded countries are Natural Earth 1:10m inside
    :data:`geo.coverage.DETAILED_WINDOW`; beyond it, the 1:110m world countries
    (the parts outside the window), so that a map reaching past the window shows
    land there rather than a blank.

    Parameters
    ----------
    data : path, URL or GeoDataFrame, optional
        Your own country polygons instead; required columns ``adm0_a3`` (text, the
        code `focus` is matched against) and ``name`` (text, label and popup).
    focus : str
        ISO 3166-1 alpha-3 code of the country to emphasise ("" for none).
    """
    frame = frame_from(
        data, "countries", required={"adm0_a3": "str", "name": "str"}, geometry="area"
    )
    if data is None:
        frame = _with_world_beyond(_with_osm_enclaves(frame))
        credits = credits_for(None, "countries", "world_countries", "enclaves_osm2017")
    else:
        credits = credits_for(data, "countries")
    frame = frame.assign(role=["focus" if a == focus else "other" for a in frame["adm0_a3"]])
    focus_names = frame.loc[frame["role"] == "focus", "name"].tolist()
    categories = Categories(
        "role",
        {
            "focus": Category(
                focus_names[0] if focus_names else "Focus country", style("country_focus")
            ),
            "other": Category("Other countries", style("country")),
        },
    )
    return Layer(
        id="countries",
        title="Countries",
        kind="area",
        frame=frame[["name", "adm0_a3", "role", "geometry"]],
        style=style("country"),
        categories=categories,
        fields=[Field("name", "Country"), Field("adm0_a3", "ISO code")],
        label="name",
        credits=credits,
        description="Country outlines from Natural Earth (German point of view).",
    )


def _with_osm_enclaves(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Countries whose enclaves are OpenStreetMap's (2017), not Natural Earth's parts.

    Natural Earth's enclave parts disagree with the reported areas (Sarvak 30.5 km²
    against ~8); the enclaves layer draws the OSM polygons, so the country fill takes
    the same shapes: each NE part goes back to the state around it, each OSM
    polygon to its owner (see geo/data/base/SOURCES.md).
    """
    shapes = dict(zip(frame["adm0_a3"], frame.geometry, strict=True))
    moves = [(row.geometry, row.belongs_to, row.surrounded_by)
             for row in geo.load("enclaves_geometry").itertuples()]  # fmt: skip
    moves += [(row.geometry, row.surrounded_by, row.belongs_to)
              for row in geo.load("enclaves_osm2017").itertuples()]  # fmt: skip
    for part, loser, gainer in moves:  # a handful of shapes: a loop reads best
        if loser in shapes and gainer in shapes:
            shapes[loser] = shapely.difference(shapes[loser], part)
            shapes[gainer] = shapely.union(shapes[gainer], part)
    frame = frame.copy()
    frame["geometry"] = gpd.GeoSeries(
        [shapely.make_valid(shapes[a]) for a in frame["adm0_a3"]], index=frame.index, crs=frame.crs
    )
    return frame


def _with_world_beyond(detailed: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """`detailed` countries joined by the 1:110m world countries' parts outside the window.

    A country cut by the window stays one feature (its detailed part and its part
    beyond merged, so no seam is drawn along the window's edge and it is labelled
    once); countries wholly beyond the window follow, in the world layer's order.
    """
    world = frame_from(
        None, "world_countries", required={"adm0_a3": "str", "name": "str"}, geometry="area"
    )
    beyond = shapely.difference(world.geometry.to_numpy(), shapely.box(*DETAILED_WINDOW))
    world = world.assign(geometry=beyond)[shapely.area(beyond) > 0]
    parts = dict(zip(world["adm0_a3"], world.geometry, strict=True))
    geometry = [
        shapely.union(g, parts[a3]) if a3 in parts else g
        for a3, g in zip(detailed["adm0_a3"], detailed.geometry, strict=True)
    ]
    detailed = detailed.assign(geometry=geometry)
    world = world[~world["adm0_a3"].isin(detailed["adm0_a3"])]
    columns = ["name", "adm0_a3", "geometry"]
    combined = pd.concat([detailed[columns], world[columns]], ignore_index=True)
    return gpd.GeoDataFrame(combined, geometry="geometry", crs="EPSG:4326")


def world(data: Source = None) -> Layer:
    """All countries of the world at small scale (Natural Earth 1:110m), for context maps.

    Parameters
    ----------
    data : path, URL or GeoDataFrame, optional
        Your own country polygons instead; required columns ``adm0_a3`` and
        ``name`` (text).
    """
    frame = frame_from(
        data, "world_countries", required={"adm0_a3": "str", "name": "str"}, geometry="area"
    )
    return Layer(
        id="world",
        title="World",
        kind="area",
        frame=frame[["name", "adm0_a3", "geometry"]],
        style=style("country"),
        legend=[LegendEntry("Country", style("country"), "area")],
        fields=[Field("name", "Country")],
        label="name",
        credits=credits_for(data, "world_countries"),
        description="Countries of the world from Natural Earth at 1:110m.",
    )


def admin1(data: Source = None, *, countries: tuple[str, ...] = ("KGZ", "UZB", "TJK")) -> Layer:
    """First-level divisions (oblasts, viloyats, regions) of the given countries.

    Parameters
    ----------
    data : path, URL or GeoDataFrame, optional
        Your own division polygons instead; required columns ``adm0_a3`` (text,
        matched against `countries`) and ``label`` (text, the name shown). Used
        when present: ``type_en`` (e.g. "Region"), ``admin`` (the country's name)
        and ``iso_3166_2`` (the division's code).
    countries : tuple of str
        ISO 3166-1 alpha-3 codes of the countries whose divisions are kept (empty
        for every row).
    """
    frame = frame_from(data, "admin1", required={"adm0_a3": "str", "label": "str"}, geometry="area")
    if countries:
        frame = frame[frame["adm0_a3"].isin(countries)]
    columns = [c for c in ("label", "type_en", "admin", "iso_3166_2", "adm0_a3") if c in frame]
    return Layer(
        id="admin1",
        title="Provinces",
        kind="area",
        frame=frame[[*columns, "geometry"]].reset_index(drop=True),
        style=style("admin1"),
        legend=[LegendEntry("Province boundary", style("admin1"), "line")],
        fields=[Field("label", "Province"), Field("type_en", "Type"), Field("admin", "Country")],
        label="label",
        credits=credits_for(data, "admin1"),
        description="First-level divisions rebuilt from Natural Earth boundary lines.",
    )


def lakes(data: Source = None) -> Layer:
    """Lakes and reservoirs.

    Parameters
    ----------
    data : path, URL or GeoDataFrame, optional
        Your own lake polygons instead; required column ``name`` (text, may be
        empty); ``name_en`` (text) is preferred where present.
    """
    frame = frame_from(data, "lakes", required={"name": "str"}, geometry="area")
    frame = frame.assign(name=frame.get("name_en", frame.get("name")).fillna(frame.get("name")))
    return Layer(
        id="lakes",
        title="Lakes and reservoirs",
        kind="area",
        frame=frame[["name", "geometry"]],
        style=style("lake"),
        legend=[LegendEntry("Lake or reservoir", style("lake"), "area")],
        fields=[Field("name", "Lake", missing="unnamed")],
        label="name",
        credits=credits_for(data, "lakes"),
        description="Lakes and reservoirs from Natural Earth.",
    )


def rivers(data: Source = None) -> Layer:
    """Rivers; major ones (Natural Earth scalerank <= 5) drawn wider.

    The embedded rivers are Natural Earth's, with its "Naryn" named Syr Darya
    below the Naryn–Kara Darya confluence, and the rivers Natural Earth lacks
    (Kara Darya, Chu, Talas) from WDBII, whose lines are good to about 3–6 km
    only: each line's popup says where it comes from and how exact it is
    (``source`` and ``position`` columns; see ``scripts/build_base_geo.py``).

    Parameters
    ----------
    data : path, URL or GeoDataFrame, optional
        Your own river lines instead; required column ``name`` (text, may be
        empty). Used when present: ``name_en`` (text, preferred to ``name``),
        ``scalerank`` (number; <= 5 is a major river, absent means minor),
        ``source`` and ``position`` (text, shown in the popup).
    """
    frame = frame_from(data, "rivers", required={"name": "str"}, geometry="line")
    name = frame["name_en"].fillna(frame["name"]) if "name_en" in frame else frame["name"]
    rank = pd.to_numeric(frame.get("scalerank", pd.Series(10, index=frame.index)), errors="coerce")
    frame = frame.assign(
        name=name,
        rank=["major" if r <= MAJOR_RIVER_RANK else "minor" for r in rank.fillna(10)],
        source=frame.get("source", pd.Series("", index=frame.index)),
        position=frame.get("position", pd.Series("", index=frame.index)),
    )
    categories = themed(
        "rank", {"major": ("Major river", "river_major"), "minor": ("River", "river")}
    )
    description = "Rivers from your data."
    if data is None:
        description = (
            "Rivers from Natural Earth; Natural Earth's 'Naryn' is named Syr Darya below "
            "the Naryn–Kara Darya confluence. The Kara Darya, Chu and Talas, which Natural "
            "Earth lacks, are WDBII lines (GSHHG), approximate: they may be off by about 3–6 km."
        )
    return Layer(
        id="rivers",
        title="Rivers",
        kind="line",
        frame=frame[["name", "rank", "source", "position", "geometry"]],
        style=style("river"),
        categories=categories,
        fields=[
            Field("name", "River", missing="unnamed"),
            Field("source", "Source", missing=""),
            Field("position", "Position", missing=""),
        ],
        label="name",
        credits=credits_for(data, "rivers"),
        description=description,
    )


def places(
    data: Source = None, *, min_population: int = 100_000, spacing_km: float = 10.0
) -> Layer:
    """Towns and cities with at least `min_population` people, and every national capital.

    A place closer than `spacing_km` to a more populous one is left out. In the
    embedded data, a GeoNames-only place inside a larger Natural Earth city
    (:func:`city_districts`) is a city district and is dropped, and a GeoNames
    figure is shown only where it is a town's (:func:`town_figures`). Your data gets
    the same checks when it has the columns they read (``source``, ``pop_ne_max``,
    ``pop_geonames``).

    Parameters
    ----------
    data : path, URL or GeoDataFrame, optional
        Your own points instead; required columns ``name`` (text) and
        ``population`` (number; empty counts as 0). Used when present:
        ``name_en`` (text, preferred to ``name``) and ``featurecla`` (text;
        "Admin-0 capital" marks a national capital, always kept).
    min_population : int
        Places with fewer people are left out (capitals are always kept).
    spacing_km : float
        Minimum distance between two kept places.
    """
    frame = frame_from(
        data, "places", required={"name": "str", "population": "number"}, geometry="point"
    )
    # the checks need both sources' columns (the embedded places have them)
    checked = {"source", "pop_ne_max", "pop_geonames"} <= set(frame.columns)
    if checked:
        frame = frame[~city_districts(frame)]
    population = pd.to_numeric(frame.get("population"), errors="coerce").fillna(0)
    shown = town_figures(frame) if checked else population.where(population > 0)
    featurecla = frame.get("featurecla", pd.Series("", index=frame.index)).astype("string")
    is_capital = featurecla.fillna("").eq("Admin-0 capital")
    keep = (population >= min_population) | is_capital
    label = frame["name_en"].fillna(frame["name"]) if "name_en" in frame else frame["name"]
    frame = gpd.GeoDataFrame(
        {
            "label": label[keep],
            "population": shown[keep],
            "rank": population[keep],
            "kind": ["capital" if c else "place" for c in is_capital[keep]],
        },
        geometry=frame.geometry[keep],
        crs="EPSG:4326",
    ).sort_values(["rank", "label"], ascending=[False, True], kind="stable")
    frame = _spaced(frame.reset_index(drop=True), spacing_km)
    # labels by size, as an order only: the figure itself may be a district's
    frame = frame.assign(size_order=np.arange(len(frame), 0, -1)).drop(columns="rank")
    categories = themed(
        "kind", {"capital": ("Capital", "capital"), "place": ("Town or city", "place")}
    )
    description = f"Towns and cities of {min_population:,}+ people and capitals."
    if checked:
        description = (
            f"Towns and cities GeoNames lists with {min_population:,}+ people, and capitals. "
            "A population is shown only where Natural Earth lists the same town with a "
            f"figure at least 1/{DISTRICT_RATIO:g} of GeoNames'; elsewhere GeoNames' figure "
            "may be a district's, so none is shown. City districts are left out."
        )
    return Layer(
        id="places",
        title="Towns and cities",
        kind="point",
        frame=frame[["label", "population", "size_order", "kind", "geometry"]],
        style=style("place"),
        categories=categories,
        fields=[
            Field("label", "Place"),
            Field("population", "Population (GeoNames)", "{:,.0f}", missing=NO_TOWN_FIGURE),
        ],
        label="label",
        label_priority="size_order",
        credits=credits_for(data, "places"),
        description=description,
    )


def town_figures(frame: pd.DataFrame) -> pd.Series:
    """GeoNames populations that are a town's, else NaN.

    GeoNames (cities15000) gives some towns their district's count (Isfara:
    274,000) and the data carry no feature code to tell. A figure counts as the
    town's where Natural Earth also lists the place (``source`` names both) and
    GeoNames' figure is at most :data:`DISTRICT_RATIO` times NE's largest figure
    for it (``pop_ne_max``, its urban area, an upper bound for the town).
    """
    gn = pd.to_numeric(frame["pop_geonames"], errors="coerce")
    ne = pd.to_numeric(frame["pop_ne_max"], errors="coerce")
    both = frame["source"].fillna("").str.contains("naturalearth") & gn.notna() & ne.gt(0)
    return gn.where(both & (gn <= DISTRICT_RATIO * ne))


def city_districts(frame: gpd.GeoDataFrame) -> pd.Series:
    """True for GeoNames-only places inside a more populous Natural Earth city.

    "Inside" is within the radius of a disc holding the city's urban population
    (``pop_ne_max``) at :data:`URBAN_DENSITY` people per km²: about 15 km for
    Tashkent (Chilanzar lies 10 km from its centre). GeoNames lists districts
    such as Chilanzar, Yunusobod and Sergeli as cities of their own.
    """
    metres = frame.geometry.to_crs(named_crs("equal_area"))
    ne_pop = pd.to_numeric(frame["pop_ne_max"], errors="coerce")
    is_ne = frame["source"].fillna("").str.contains("naturalearth") & ne_pop.gt(0)
    cities = metres[is_ne].to_numpy()
    radius_m = np.sqrt(ne_pop[is_ne].to_numpy() / (np.pi * URBAN_DENSITY)) * 1000
    city_pop = ne_pop[is_ne].to_numpy()
    population = pd.to_numeric(frame["population"], errors="coerce").fillna(0).to_numpy()
    only_gn = (frame["source"] == "geonames").to_numpy()
    tree = shapely.STRtree(cities)
    inside = np.zeros(len(frame), dtype=bool)
    for n in np.flatnonzero(only_gn):
        point = metres.iloc[n]
        for k in tree.query(point, predicate="dwithin", distance=float(radius_m.max())):
            if city_pop[k] > population[n] and point.distance(cities[k]) < radius_m[k]:
                inside[n] = True
                break
    return pd.Series(inside, index=frame.index)


def _spaced(frame: gpd.GeoDataFrame, spacing_km: float) -> gpd.GeoDataFrame:
    """Rows in order, each dropped if within `spacing_km` of an earlier kept row."""
    metres = frame.geometry.to_crs(named_crs("equal_area"))
    kept: list[int] = []
    for n, point in enumerate(metres):
        if all(point.distance(metres.iloc[k]) >= spacing_km * 1000 for k in kept):
            kept.append(n)
    return frame.iloc[kept].reset_index(drop=True)
