"""The story layers as presets: the theme as data over the generic layer step.

Each built-in story layer is a facts table turned into features by its module
(:mod:`layers.june2010`, :mod:`layers.trafficking`, :mod:`layers.context`,
:mod:`layers.borders`, :mod:`layers.valley`) plus a :class:`Preset` here: its
title, kind, style or themed categories, tooltip fields, label, time column,
credited datasets and description. :func:`preset_layer` turns features and a
preset into the Layer through :func:`layers.generic.generic_layer`, the same
step the user's ``points``, ``lines``, ``areas`` and ``flows`` end in, so the
six story maps exercise exactly what users get.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely

from geo import plausibility
from geo.checks import Rows
from geo.language import ENGLISH, speaking
from layers import generic
from layers.figures import figure
from layers.flows import flow_scale
from layers.layer import Layer
from layers.source import Source, credits_for
from layers.story_categories import ByCountry, Themed
from layers.style import Field, SizeScale, Style
from layers.theme import style


@dataclass(frozen=True)
class Preset:
    """What makes features a story layer.

    Attributes
    ----------
    id, title, kind
        The Layer's registry id, title and geometry kind.
    style : str or Style
        The base style: a role of :data:`layers.theme.THEME`, or a Style.
    fields : tuple of Field
        Tooltip fields, in order.
    credits : tuple of str
        Catalog datasets credited, in order (the user's data replaces them all).
    description : str
        Plain sentences; ``{name}`` placeholders are filled by the builder's values
        or, for the names in `figures`, by the sourced figure's text.
    categories : Themed or ByCountry, optional
        Per-feature styles and their legend rows.
    legend : str, optional
        Without categories: the one legend row's label (default the title).
    size : SizeScale, optional
        Proportional widths or symbols.
    label, label_priority, time : str, optional
        Columns of map labels, of their priority, and of ISO dates.
    figures : tuple of str
        Sourced figures (:func:`layers.figures.figure`) the description quotes.
    series_title : str
        Title of the dated totals shown with a time slider.
    period : (str, str), optional
        First and last ISO day of the data's known period: dates in `time` outside
        it are warned of (:func:`geo.plausibility.warn_dates_outside`; dates in the
        future or before 1800 are warned of for every preset with a `time`).
    """

    id: str
    title: str
    kind: str
    style: str | Style
    fields: tuple[Field, ...]
    credits: tuple[str, ...]
    description: str
    categories: Themed | ByCountry | None = None
    legend: str | None = None
    size: SizeScale | None = None
    label: str | None = None
    label_priority: str | None = None
    time: str | None = None
    figures: tuple[str, ...] = ()
    series_title: str = ""
    period: tuple[str, str] | None = None

    def describe(self, values: Mapping[str, object]) -> str:
        """The description with its placeholders filled.

        Descriptions have no catalog entries yet: they stay English in every language
        (the scene records them missing), so the figures they quote are English too --
        a Russian number in an English sentence would read as neither.
        """
        with speaking(ENGLISH):
            named = {name: figure(name).text for name in self.figures}
        named.update(values)
        wanted = {n for _, n, _, _ in string.Formatter().parse(self.description) if n}
        missing = sorted(wanted - set(named))
        if missing:
            raise KeyError(f"preset '{self.id}': no value for {', '.join(missing)}")
        return self.description.format(**named)


def preset_layer(
    preset: Preset,
    frame: gpd.GeoDataFrame,
    *,
    data: Source = None,
    series: pd.DataFrame | None = None,
    **values: object,
) -> Layer:
    """The Layer of `preset` with features `frame`, through the generic layer step.

    Parameters
    ----------
    preset : Preset
        The story layer's title, style, fields, ... (see :data:`PRESETS`).
    frame : GeoDataFrame
        Features in EPSG:4326, with every column the preset names.
    data : path, URL or GeoDataFrame, optional
        The user's own data the features came from: credited instead of the
        preset's datasets.
    series : DataFrame, optional
        Dated totals shown under the preset's `series_title`.
    **values
        Values of the description's placeholders.
    """
    warn_implausible(preset, frame, data)
    base = generic.base_style(preset.style, "", f"layer '{preset.id}'")
    categories = preset.categories.categories(frame) if preset.categories else None
    return generic.generic_layer(
        frame,
        layer_id=preset.id,
        kind=preset.kind,
        title=preset.title,
        base=base,
        categories=categories,
        size=preset.size,
        fields=list(preset.fields),
        label=preset.label,
        label_priority=preset.label_priority,
        credits=credits_for(data, *preset.credits),
        description=preset.describe(values),
        legend=preset.legend,
        time=preset.time,
        series=series,
        series_title=preset.series_title,
    )


def warn_implausible(preset: Preset, frame: gpd.GeoDataFrame, data: Source) -> None:
    """Warn of implausible features of a story layer (:mod:`geo.plausibility`).

    Dates in the preset's `time` column outside its `period` (or in the future, or
    before 1800; the user's copy of a story table is checked row by row before it is
    built, :func:`layers.registry.build`); points in the sea; flows whose ends are the
    same place, or whose count (the size column) is above the population of the
    origin's country.
    Features are named by number in the layer and by their label (or first field).
    """
    source = (
        f"layer '{preset.id}'" if data is None else f"{source_name(data)} (layer '{preset.id}')"
    )
    rows = Rows(source, 1, "feature")
    label = preset.label or (preset.fields[0].column if preset.fields else None)
    labels = list(frame[label]) if label in frame else None
    if preset.time and preset.time in frame and data is None:  # a user's table: by row
        plausibility.warn_dates_outside(
            frame[preset.time], rows, preset.time, period=preset.period, labels=labels
        )
    shapes = list(frame.geometry)
    if preset.kind == "point":
        plausibility.warn_points_in_sea(shapes, rows, "geometry", labels=labels)
    if preset.kind == "flow":
        located = [s is not None and not s.is_empty for s in shapes]
        ends = [
            shapely.get_coordinates(s) if ok else None
            for s, ok in zip(shapes, located, strict=True)
        ]
        origins = [shapely.Point(e[0]) if e is not None else None for e in ends]
        destinations = [shapely.Point(e[-1]) if e is not None else None for e in ends]
        plausibility.warn_same_ends(origins, destinations, None, rows, "geometry", labels=labels)
        if preset.size is not None and preset.size.column in frame:
            counts = pd.to_numeric(frame[preset.size.column], errors="coerce").tolist()
            plausibility.warn_counts_above_population(
                counts, origins, rows, preset.size.column, labels=labels
            )


def source_name(data: object) -> str:
    """The user's data as messages name it: the path as given, or the kind of frame."""
    kind = type(data).__name__
    return f"<{kind}>" if kind in ("DataFrame", "GeoDataFrame") else str(data)


# --- the story layers -------------------------------------------------------------------

BOUNDARIES = Preset(
    id="boundaries",
    title="International boundaries",
    kind="line",
    style="boundary",
    categories=Themed(
        "status",
        {
            "international": ("International boundary", "boundary"),
            "disputed": ("Disputed boundary or line of control", "boundary_disputed"),
            "indefinite": ("Indefinite boundary or lease limit", "boundary_indefinite"),
        },
        present_only=True,
    ),
    fields=(Field("name", "Boundary", missing="unnamed"), Field("featurecla", "Class")),
    credits=("boundary_lines", "enclaves_osm2017"),
    description=(
        "International boundaries from Natural Earth, dashed where it marks them "
        "disputed or indefinite; the enclaves' borders as OpenStreetMap drew them in 2017. "
        "Natural Earth does not flag the undemarcated stretches inside the Fergana Valley."
    ),
)

ENCLAVES = Preset(
    id="enclaves",
    title="Enclaves",
    kind="area",
    style="enclave",
    categories=ByCountry("belongs_to", "Enclave of {country}", "enclave"),
    fields=(
        Field("name", "Enclave"),
        Field("belongs_to", "Belongs to"),
        Field("surrounded_by", "Surrounded by"),
        Field("area_km2", "Area in the map data", "{:,.1f} km²"),
        Field("reported_area_km2", "Reported area", "{:,.0f} km²"),
        Field("population_text", "Population (reported)"),
        Field("notes", "Other reported figures and history"),
        Field("source", "Source"),
    ),
    label="name",
    label_priority="area_km2",
    credits=("enclaves_osm2017", "enclaves"),
    description=(
        "Enclaves in the Fergana Valley: land of one state surrounded by another. "
        "Areas are computed from the map polygons in an equal-area projection; "
        "reported areas and populations differ between sources."
    ),
)

ENCLAVE_POINTS = Preset(
    id="enclave_points",
    title="Enclaves drawn as points",
    kind="point",
    style=style("enclave").but(marker_size=7),
    categories=ByCountry(
        "belongs_to_iso3",
        "Enclave of {country} drawn as a point: {names}",
        "enclave",
        {"marker": "circle", "marker_size": 7},
        plural="Enclaves of {country} drawn as points: {names}",
    ),
    fields=(
        Field("name", "Enclave"),
        Field("belongs_to_iso3", "Belongs to"),
        Field("surrounded_by_iso3", "Surrounded by"),
        Field("area_km2", "Reported area", "{:,.0f} km²"),
        Field("population_text", "Population (reported)"),
        Field("why_point", "Why a point"),
        Field("source_url", "Source"),
    ),
    label="name",
    credits=("enclaves", "enclaves_osm2017"),
    description=(
        "Enclaves drawn as points at their reported coordinates, not as polygons: {points}."
    ),
)

VALLEY = Preset(
    id="valley",
    title="Fergana Valley",
    kind="area",
    style="valley_floor",
    categories=Themed(
        "role",
        {
            # valley.py fills in the threshold and area read from the embedded floor
            "floor": ('Valley floor (from GEBCO 15" relief)', "valley_floor"),
            "region": ("Fergana Valley (Natural Earth region)", "valley_region"),
        },
    ),
    fields=(
        Field("name", "Outline"),
        Field("area_km2", "Area", "{:,.0f} km²"),
        Field("method", "How it was drawn"),
        Field("source", "Source"),
    ),
    credits=("fergana_valley",),
    description=(
        "The Fergana Valley floor, derived from relief cells below a threshold, and "
        "Natural Earth's generalised region polygon."
    ),
)
#: The valley preset for the user's own outlines: one legend row, their title.
OWN_VALLEY_DESCRIPTION = "{title}: {count} outline(s) from your data."

VALLEY_PROVINCES = Preset(
    id="valley_provinces",
    title="Fergana Valley provinces",
    kind="area",
    style="valley_provinces",
    legend="Province of the valley",
    fields=(
        Field("name", "Province"),
        Field("country", "Country"),
        Field("area_km2", "Area", "{:,.0f} km²"),
    ),
    label="name",
    label_priority="area_km2",
    credits=("admin1",),
    description=(
        "The valley's seven provinces in three states ({total_km2:,.0f} km² in all, "
        "mountains included): Andijan, Namangan and Fergana (Uzbekistan), Osh, "
        "Jalal-Abad and Batken (Kyrgyzstan), and Sughd (Tajikistan)."
    ),
)

BASES = Preset(
    id="bases",
    title="Military bases",
    kind="point",
    style="base_other",
    categories=Themed(
        "group",
        {
            "us": ("US base (in use in June 2010)", "base_us"),
            "us_closed": ("US base (closed before June 2010)", "base_closed"),
            "russia": ("Russian base", "base_russia"),
            "other": ("Other foreign or national base", "base_other"),
        },
        present_only=True,
    ),
    fields=(
        Field("short_name", "Base"),
        Field("operator", "Operator"),
        Field("opened", "Opened"),
        Field("closed", "Closed", missing="open at the time of the source"),
        Field("role", "Role"),
        Field("source_url", "Source"),
    ),
    label="short_name",
    credits=("bases",),
    figures=("manas_names",),
    description=(
        "Foreign military bases in Central Asia around 2010, among them the US base at "
        "Manas ({manas_names}) and Russia's Kant air base (CSTO), both near Bishkek."
    ),
)

WATER = Preset(
    id="water",
    title="Dams and reservoirs",
    kind="point",
    style="dam",
    categories=Themed("kind", {"dam": ("Dam", "dam"), "reservoir": ("Reservoir", "reservoir")}),
    fields=(
        Field("feature", "Name"),
        Field("kind", "Kind"),
        Field("country_iso3", "Country"),
        Field("capacity_or_size", "Size (as reported)"),
        Field("dispute_notes", "Disputes"),
        Field("source_url", "Source"),
    ),
    label="feature",
    credits=("water",),
    description=(
        "Dams and reservoirs on the Naryn and Syr Darya system. Upstream Kyrgyzstan "
        "and Tajikistan want the water for winter power; downstream Uzbekistan and "
        "Kazakhstan need it for summer irrigation."
    ),
)

CSTO = Preset(
    id="csto",
    title="CSTO members, June 2010",
    kind="area",
    style="csto_member",
    categories=Themed(
        "status",
        {
            "member": ("CSTO member, June 2010", "csto_member"),
            "rejoined": (
                "Member again since rejoining; did not sign the rapid-reaction force "
                "documents (Uzbekistan)",
                "csto_suspended",
            ),
            "former": ("Former treaty member (refused to extend the treaty)", "csto_former"),
        },
        present_only=True,
    ),
    fields=(
        Field("name", "Country"),
        Field("status_in_june_2010", "Status in June 2010"),
        Field("member_since", "Treaty signed or joined"),
        Field("notes", "Notes"),
        Field("source_url", "Source"),
    ),
    label="label",
    credits=("csto_2010", "world_countries"),
    description=(
        "Members of the Russian-led Collective Security Treaty Organization in June "
        "2010, when Kyrgyzstan asked for help and Russia declined to send troops. "
        "Small countries are labelled by code: {small_countries}."
    ),
)

REFUGEE_FLOWS = Preset(
    id="refugee_flows",
    title="Refugee flows into Uzbekistan",
    kind="flow",
    style="flow",
    categories=Themed(
        "status",
        {
            "reported": ("Refugees, width by reported number", "flow"),
            "unknown": ("Refugees, number not reported", "flow_unknown"),
        },
    ),
    size=flow_scale(),
    fields=(
        Field("origin", "From"),
        Field("destination", "To"),
        Field("count_text", "People (as reported)"),
        Field("count_basis", "Basis"),
        Field("dates", "When"),
        Field("drawn_as", "How it is drawn"),
        Field("source_url", "Source"),
    ),
    time="start",
    period=("2010-06-01", "2010-12-31"),  # the flight of June 2010 and the returns after it
    credits=("refugee_flows_2010", "admin1"),
    series_title="Refugees reported in Uzbekistan",
    figures=("refugees_in_uzbekistan", "refugees_in_uzbekistan_adults", "refugees_other_counts"),
    description=(
        "Reported movements of refugees from Osh, Jalal-Abad and Bazar-Korgon into "
        "Uzbekistan's Andijan region in June 2010. Most reports give no numbers for "
        "single routes, so most arrows are thin and dashed; a camp's population is shown "
        "at the camp, not on an arrow. The national totals have no reported split by "
        "origin and are not drawn as arrows: Uzbekistan's government counted "
        "{refugees_in_uzbekistan}; a UN count was {refugees_in_uzbekistan_adults}; "
        "other counts: {refugees_other_counts}."
    ),
)

CAMPS = Preset(
    id="camps",
    title="Refugee camps (by district)",
    kind="point",
    style="camp",
    legend="Refugee camp reported in this district",
    fields=(
        Field("label", "Camp (people as reported)"),
        Field("district", "District centre"),
        Field("people_text", "People (as reported)"),
        Field("drawn_as", "Drawn at"),
        Field("source_url", "Source"),
    ),
    label="label",
    credits=("refugee_flows_2010", "places"),
    description=(
        "Refugee camps in Andijan region named in UN and news reports, at their districts; "
        "a camp's reported population (people there on a day, not a flow) is in its label."
    ),
)

CROSSINGS = Preset(
    id="crossings",
    title="Border crossings",
    kind="point",
    style="crossing",
    legend="Border crossing",
    fields=(Field("name", "Crossing"), Field("notes", "Notes"), Field("source_url", "Source")),
    label="name",
    credits=("facts_places",),
    description=(
        "Kyrgyz-Uzbek border crossings that the sources locate: only Kara-Suu, whose "
        "refugee use the sources report for 2005. Dostuk, Jalal-Kuduk and Seydikum, named "
        "in June 2010 reports, have no sourced coordinates and are not drawn."
    ),
)

VIOLENCE = Preset(
    id="violence",
    title="June 2010 violence",
    kind="point",
    style="violence",
    categories=Themed(
        "status",
        {
            "reported": ("Violence; local tolls reported (unsized: not comparable)", "violence"),
            "unquantified": ("Violence; no local toll reported", "violence_unquantified"),
        },
    ),
    # Unsized: the local tolls count different days, areas and events (Osh's 37 is a
    # first-day AP figure for the city, Jalal-Abad's 47 an official figure for the city
    # three days later), and no source gives comparable totals by place.
    fields=(
        Field("place", "Place"),
        Field("deaths_text", "Deaths reported here (each report; not comparable)"),
        Field("first_date", "First report"),
        Field("events", "Events"),
        Field("location", "Position"),
        Field("sources", "Sources"),
    ),
    label="place",
    time="first_date",
    period=("2010-01-01", "2011-12-31"),  # 2010's unrest and the inquiries' counts of 2011
    credits=("violence_2010",),
    series_title="Official death toll, southern Kyrgyzstan",
    figures=("official_toll_first", "official_toll_final", "later_death_counts"),
    description=(
        "Places of the June 2010 violence in Osh, Jalal-Abad and Bazar-Korgon. Symbols are "
        "not sized: the local tolls count different days, areas and events, and no source "
        "gives comparable totals by place, so each place lists its reports. The official "
        "toll for the south was {official_toll_first} and rose to {official_toll_final} "
        "(Health Ministry: deaths recorded at medical facilities); later counts: "
        "{later_death_counts}."
    ),
)

TRAFFICKING = Preset(
    id="trafficking",
    title="Opiate 'northern route'",
    kind="line",
    style="route",
    categories=Themed(
        "strength",
        {
            "corroborated": ("Route (UN and press reports)", "route"),
            "weak": ("Branch (weakly sourced)", "route_weak"),
        },
    ),
    fields=(
        Field("name", "Route"),
        Field("waypoints", "Waypoints in order"),
        Field("volumes", "Reported volumes"),
        Field("sources", "Sources"),
    ),
    credits=("trafficking_routes", "route_figures"),
    description=(
        "The 'northern route' carries Afghan opiates from Badakhshan through "
        "Tajikistan's Pamirs to Osh and Bishkek, then on to Kazakhstan and Russia "
        "(the crossing points beyond Bishkek are not named in the sources). {volumes}"
    ),
)

ROUTE_STOPS = Preset(
    id="route_stops",
    title="Route waypoints",
    kind="point",
    style="route_stop",
    legend="Waypoint named in the sources",
    fields=(
        Field("place", "Waypoint"),
        Field("country_iso3", "Country"),
        Field("notes", "Who says so"),
        Field("source_url", "Source"),
    ),
    label="label",
    credits=("trafficking_routes",),
    description="Towns and passes on the route named by UNODC, RFE/RL, AP and journalists.",
)

#: Every story layer's preset, by layer id.
PRESETS: dict[str, Preset] = {
    p.id: p
    for p in (
        BOUNDARIES,
        ENCLAVES,
        ENCLAVE_POINTS,
        VALLEY,
        VALLEY_PROVINCES,
        BASES,
        CSTO,
        WATER,
        REFUGEE_FLOWS,
        CAMPS,
        CROSSINGS,
        VIOLENCE,
        TRAFFICKING,
        ROUTE_STOPS,
    )
}
