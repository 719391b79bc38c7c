"""Basemap layers: land, countries, first-level divisions, lakes, rivers and place labels.

These make a map look complete with no tile server.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from geo.coverage import DETAILED_WINDOW
from geo.crs import named_crs
from layers.layer import Layer
from layers.source import Source, credits_for, frame_from
from layers.style import Categories, Category, Field, LegendEntry
from layers.theme import style, themed

# Natural Earth scalerank <= this is a "major" river (Syr Darya, Amu Darya, Naryn...).
MAJOR_RIVER_RANK = 5


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
        frame = _with_world_beyond(frame)
        credits = credits_for(None, "countries", "world_countries")
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

    Parameters
    ----------
    data : path, URL or GeoDataFrame, optional
        Your own river lines instead; required column ``name`` (text, may be
        empty). Used when present: ``name_en`` (text, preferred to ``name``) and
        ``scalerank`` (number; <= 5 is a major river, absent means minor).
    """
    frame = frame_from(data, "rivers", required={"name": "str"}, geometry="line")
    name = frame["name_en"].fillna(frame["name"]) if "name_en" in frame else frame["name"]
    rank = pd.to_numeric(frame.get("scalerank", pd.Series(10, index=frame.index)), errors="coerce")
    frame = frame.assign(
        name=name, rank=["major" if r <= MAJOR_RIVER_RANK else "minor" for r in rank.fillna(10)]
    )
    categories = themed(
        "rank", {"major": ("Major river", "river_major"), "minor": ("River", "river")}
    )
    return Layer(
        id="rivers",
        title="Rivers",
        kind="line",
        frame=frame[["name", "rank", "geometry"]],
        style=style("river"),
        categories=categories,
        fields=[Field("name", "River", missing="unnamed")],
        label="name",
        credits=credits_for(data, "rivers"),
        description="Rivers from Natural Earth.",
    )


def places(
    data: Source = None, *, min_population: int = 100_000, spacing_km: float = 10.0
) -> Layer:
    """Towns and cities with at least `min_population` people, and every national capital.

    A place closer than `spacing_km` to a more populous one is left out (GeoNames
    lists city districts, such as Tashkent's, as cities of their own).

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
    population = pd.to_numeric(frame.get("population"), errors="coerce").fillna(0)
    featurecla = frame.get("featurecla", pd.Series("", index=frame.index)).astype("string")
    is_capital = featurecla.fillna("").eq("Admin-0 capital")
    keep = (population >= min_population) | is_capital
    label = frame["name_en"].fillna(frame["name"]) if "name_en" in frame else frame["name"]
    frame = gpd.GeoDataFrame(
        {
            "label": label[keep],
            "population": population[keep],
            "kind": ["capital" if c else "place" for c in is_capital[keep]],
        },
        geometry=frame.geometry[keep],
        crs="EPSG:4326",
    ).sort_values(["population", "label"], ascending=[False, True], kind="stable")
    frame = _spaced(frame.reset_index(drop=True), spacing_km)
    categories = themed(
        "kind", {"capital": ("Capital", "capital"), "place": ("Town or city", "place")}
    )
    return Layer(
        id="places",
        title="Towns and cities",
        kind="point",
        frame=frame,
        style=style("place"),
        categories=categories,
        fields=[Field("label", "Place"), Field("population", "Population (GeoNames)", "{:,.0f}")],
        label="label",
        label_priority="population",
        credits=credits_for(data, "places"),
        description=f"Towns and cities of {min_population:,}+ people and capitals.",
    )


def _spaced(frame: gpd.GeoDataFrame, spacing_km: float) -> gpd.GeoDataFrame:
    """Rows in order, each dropped if within `spacing_km` of an earlier kept row."""
    metres = frame.geometry.to_crs(named_crs("equal_area"))
    kept: list[int] = []
    for n, point in enumerate(metres):
        if all(point.distance(metres.iloc[k]) >= spacing_km * 1000 for k in kept):
            kept.append(n)
    return frame.iloc[kept].reset_index(drop=True)
