"""June 2010: refugee flows into Uzbekistan, camps, crossings, violence, and dated totals.

Counts come only from the facts tables; a flow whose count was not reported is
drawn as unknown (thin, dashed), never guessed. Where the sources place a flow
only by district or country, ``layers/data/refugee_flow_places.csv`` says how it
is drawn, and each feature's ``drawn_as`` note says so on the map. Its
``reported_number`` column says what a row's number counts: people on that
``route``; a ``national_total`` with no reported origin split (not drawn as an
arrow: the caption and the dated series carry it); or a ``camp_population`` (a
stock: shown on the camp's symbol, the arrow to it drawn as number not reported).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import geo
from geo.crs import named_crs
from geo.geometry import flow_line
from layers.layer import Layer
from layers.presets import CAMPS, CROSSINGS, REFUGEE_FLOWS, VIOLENCE, preset_layer
from layers.series import displacement_series, range_text, toll_series

DATA_DIR = Path(__file__).parent / "data"
#: The curated drawing of the flows, as messages name it (relative to the package).
FLOW_PLACES = "layers/data/refugee_flow_places.csv"
# A schematic arrow into a country ends this far inside its border.
INSIDE_BORDER_M = 4_000.0
# An arrow into a group of provinces ends this far inside the nearest of them.
PROVINCES_INSET_M = 12_000.0

# Violence rows whose place names one located place -> the gazetteer name.
VIOLENCE_PLACES: dict[str, str] = {
    "Osh": "Osh",
    "Osh (city centre)": "Osh",
    "Osh (Uzbek mahallas, e.g. Cheremushki)": "Osh",
    "Osh (Aravanskoe district)": "Osh",
    "Osh and suburbs": "Osh",
    "Jalal-Abad": "Jalal-Abad",
    "Jalal-Abad city": "Jalal-Abad",
    "Bazar-Korgon": "Bazar-Korgon",
}
JUNE_2010_DAYS = ("2010-06-01", "2010-06-30")
# refugee_flow_places.csv ``reported_number`` values that are not counts of a route.
NATIONAL_TOTAL = "national_total"
CAMP_POPULATION = "camp_population"


def refugee_flows() -> Layer:
    """Reported June 2010 flows from southern Kyrgyzstan into Uzbekistan.

    Line width is proportional to the reported number of people on the route; a
    lower bound ("more than 1,000") is drawn at that bound and labelled as such;
    flows with no reported number are drawn thin and dashed. National totals and
    camp populations are not route counts and draw no width (see the module notes).
    """
    facts = geo.load("refugee_flows_2010")
    drawn = _flow_places()
    rows = []
    for item in drawn[drawn["reported_number"] != NATIONAL_TOTAL].itertuples(index=False):
        fact = _fact_for(item, facts)
        origin_place = geo.place(item.origin, dataset=item.origin_dataset)
        origin = origin_place.point
        destination = _destination_point(item, origin)
        count, count_text, basis = _reported_count(fact)
        if item.reported_number == CAMP_POPULATION:
            count, count_text, basis = (
                float("nan"),
                "not reported for the route",
                f"the camp held {count_text} ({fact['dates']}): a camp population, "
                "shown at the camp, not a count of this route",
            )
        rows.append(
            {
                "origin": fact["origin"],
                "destination": fact["destination"],
                "crossing": fact["crossing"],
                "count": count,
                "count_text": count_text,
                "count_basis": basis,
                "status": "reported" if count == count else "unknown",
                "dates": fact["dates"],
                "start": _start_date(str(fact["dates"])),
                "drawn_as": f"{item.note} Origin position: {_location_note(origin_place)}.",
                "source_url": fact["source_url"],
                "geometry": flow_line(origin, destination, bend=0.18),
            }
        )
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    return preset_layer(REFUGEE_FLOWS, frame, series=displacement_series("refugees_in_uzbekistan"))


def camps() -> Layer:
    """Districts of Andijan region where refugee camps were reported.

    Camp sites have no sourced coordinates, so each is drawn at its district centre;
    a reported camp population (a stock, not a flow) is written in the camp's label.
    """
    drawn = _flow_places()
    facts = geo.load("refugee_flows_2010")
    rows = []
    for item in drawn[drawn["destination_kind"] == "district"].itertuples(index=False):
        fact = _fact_for(item, facts)
        found = geo.place(item.destination, dataset=item.destination_dataset)
        name = str(fact["destination"]).split(",")[0]
        people = _reported_count(fact)[1]
        reported = people != "not reported"
        rows.append(
            {
                "name": name,
                "label": f"{name}: {people} ({fact['dates']})" if reported else name,
                "district": found.name,
                "people_text": people,
                "drawn_as": "camp's district centre (camp site has no sourced coordinates)",
                "source_url": fact["source_url"],
                "geometry": found.point,
            }
        )
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    return preset_layer(CAMPS, frame)


def crossings() -> Layer:
    """Kyrgyz-Uzbek border crossings with sourced coordinates (none of June 2010's have any)."""
    places = geo.load("facts_places")
    rows = places[(places["kind"] == "border_crossing") & ~places.geometry.isna()]
    rows = rows[rows["country_iso3"].isin(["KGZ", "UZB"])]
    rows = rows[
        ~rows["name"].str.contains("Irkeshtam")
    ]  # the Chinese border, not part of June 2010
    frame = gpd.GeoDataFrame(
        rows[["name", "notes", "source_url"]].reset_index(drop=True),
        geometry=list(rows.geometry),
        crs="EPSG:4326",
    )
    return preset_layer(CROSSINGS, frame)


def violence() -> Layer:
    """June 2010 violence by place: events, dates and each reported local toll."""
    facts = geo.load("violence_2010")
    dated = facts["date"].astype(str).str.slice(0, 10)
    in_june = (dated >= JUNE_2010_DAYS[0]) & (dated <= JUNE_2010_DAYS[1])
    june = facts[in_june & facts["place"].isin(VIOLENCE_PLACES)]
    if june.empty:
        raise _nothing_to_draw(in_june.any())
    rows = []
    for name, group in june.groupby(june["place"].map(VIOLENCE_PLACES), sort=True):
        found = geo.place(name)
        deaths = pd.to_numeric(group["deaths"], errors="coerce").dropna()
        rows.append(
            {
                "place": found.name,
                "first_date": str(group["date"].astype(str).min())[:10],
                "events": " | ".join(
                    f"{d}: {e}" for d, e in zip(group["date"], group["event"], strict=True)
                ),
                "deaths_low": float(deaths.min()) if len(deaths) else np.nan,
                "deaths_high": float(deaths.max()) if len(deaths) else np.nan,
                "deaths_text": _reports_text(group),
                "sources": " ".join(sorted(set(group["source_url"].dropna()))),
                "location": _location_note(found),
                "geometry": found.point,
            }
        )
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    frame["status"] = np.where(frame["deaths_high"].notna(), "reported", "unquantified")
    return preset_layer(VIOLENCE, frame, series=toll_series())


def _nothing_to_draw(any_in_june: bool) -> geo.DataError:
    """Why no row of the violence table is drawn: no June 2010 date, or no place drawn."""
    if not any_in_june:
        return geo.DataError(
            "violence_2010",
            f"no row is dated in June 2010 ({JUNE_2010_DAYS[0]} to {JUNE_2010_DAYS[1]})",
            field="date",
            hint="the layer draws the violence of June 2010: give ISO dates (YYYY-MM-DD)",
        )
    return geo.DataError(
        "violence_2010",
        "no row of June 2010 names a place the layer draws",
        field="place",
        hint=f"name one of {', '.join(repr(p) for p in VIOLENCE_PLACES)}",
    )


def _fact_for(item, facts: pd.DataFrame) -> pd.Series:
    """The facts row a curated flow draws, checked to be the row the curation means.

    The curation (:data:`FLOW_PLACES`) picks rows of ``refugee_flows_2010`` by number;
    a copy of the table must keep those rows where they are, with their origins.
    """
    line = item.facts_row + 1  # the header is line 1
    where = f"the curated flow from {item.origin} ({FLOW_PLACES}) draws line {line} of the table"
    keep = (
        "keep the rows of the embedded refugee_flows_2010.csv in their order, adding "
        "new rows after them, or draw your own flows with the 'flows' layer"
    )
    if item.facts_row > len(facts):
        raise geo.DataError(
            "refugee_flows_2010",
            f"{where}, but the table ends at line {len(facts) + 1}",
            hint=keep,
        )
    fact = facts.iloc[item.facts_row - 1]
    if geo.gazetteer.name_key(item.origin) not in geo.gazetteer.name_key(str(fact["origin"])):
        raise geo.DataError(
            "refugee_flows_2010",
            f"{where}, whose origin {fact['origin']!r} does not name {item.origin!r}",
            row=line,
            field="origin",
            hint=keep,
        )
    return fact


@cache
def _flow_places() -> pd.DataFrame:
    return pd.read_csv(
        DATA_DIR / "refugee_flow_places.csv", encoding="utf-8", keep_default_na=False
    )


def _destination_point(item, origin: shapely.Point) -> shapely.Point:
    if item.destination_kind == "provinces":
        admin = geo.load("admin1")
        union = shapely.union_all(
            admin[admin["iso_3166_2"].isin(item.destination.split(";"))].geometry
        )
        return _just_inside(union, origin, PROVINCES_INSET_M)
    if item.destination_kind == "country":
        countries = geo.load("countries")
        country = shapely.union_all(countries[countries["adm0_a3"] == item.destination].geometry)
        return _just_inside(country, origin)
    return geo.place(item.destination, dataset=item.destination_dataset).point


def _just_inside(
    country: shapely.Geometry, origin: shapely.Point, inset_m: float = INSIDE_BORDER_M
) -> shapely.Point:
    """The point `inset_m` inside `country`, nearest to `origin` (in an equal-area CRS)."""
    to_metres = gpd.GeoSeries([country, origin], crs="EPSG:4326").to_crs(named_crs("equal_area"))
    shape, start = to_metres.iloc[0], to_metres.iloc[1]
    inner = shape.buffer(-inset_m)
    nearest = shapely.ops.nearest_points(inner, start)[0]
    return gpd.GeoSeries([nearest], crs=to_metres.crs).to_crs("EPSG:4326").iloc[0]


def _reported_count(fact: pd.Series) -> tuple[float, str, str]:
    """(number to draw, text for readers, basis): never a guess."""
    people, low, high = fact.get("people"), fact.get("people_low"), fact.get("people_high")
    reported = fact.get("people_reported")
    if pd.notna(people):
        return float(people), range_text(people, people), "reported"
    if pd.notna(low):
        if pd.notna(high):
            return float(low), range_text(low, high), "range (drawn at the lower figure)"
        return float(low), range_text(low, low, open_high=True), "lower bound (drawn at it)"
    text = str(reported) if pd.notna(reported) and reported else "not reported"
    return float("nan"), text, "not reported"


def _location_note(found: geo.Place) -> str:
    if found.approximate:
        return (
            f"approximate: {found.name}'s coordinates are common knowledge, not from a cited page"
        )
    return f"{found.name}: coordinates from {found.source}"


def _start_date(dates: str) -> str:
    match = re.search(r"\d{4}-\d{2}-\d{2}", dates)
    return match.group(0) if match else ""


def _reports_text(group: pd.DataFrame) -> str:
    """Each local toll with its date and basis: they count different events, so no range."""
    reports = [
        f"{float(d):,.0f} ({date}; {basis})"
        for d, date, basis in zip(
            group["deaths"], group["date"], group["deaths_basis"], strict=True
        )
        if pd.notna(pd.to_numeric(d, errors="coerce"))
    ]
    return "; ".join(reports) if reports else "no toll reported for this place"
