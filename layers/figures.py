"""Sourced figures for captions: a spec writes ``{name}`` and gets the number as reported.

Figures are computed from the facts tables, never typed into a spec. A range
joins only rival estimates of the same quantity on the same basis; figures of
other bodies, scopes or dates are written side by side, each with its caveat
("adults only", "at the peak", "remained displaced").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

import geo
from layers.series import (
    ISO_DAY,
    displacement_series,
    range_text,
    reported_numbers,
    summarise,
    toll_series,
)

# Reporting bodies that speak for the Uzbek government (its own count of refugees).
#: The place of the official tolls :func:`layers.series.toll_series` reads.
TOLL_PLACE = "southern Kyrgyzstan"
#: A figure the facts table (a user's copy) does not give.
NONE_IN_THE_DATA = "none in the data"
#: How the violence table's ``deaths_basis`` begins for the Health Ministry's official toll.
HEALTH_MINISTRY = "official (Health Ministry"
UZBEK_GOVERNMENT = r"^(?:Government of Uzbekistan|Uzbek (?:Emergencies )?Ministry)"
# A report's own words -> the caveat that travels with its figure.
CAVEATS = {
    "counting only the adults": "adults only",
    "including the refugees who returned": "including refugees who had returned",
}


@dataclass(frozen=True)
class Figure:
    """A number as text, and who reported it."""

    text: str
    sources: str


def _series_range(metric: str, since: str = "") -> Figure:
    """The range of a displacement metric, sourced by who reported the low and the high end."""
    table = geo.load("displacement_2010")
    rows = table[table["metric"] == metric].copy()
    rows["day"] = rows["as_of_date"].fillna(rows["date_reported"]).astype(str)
    rows = rows[rows["day"].str.match(ISO_DAY) & (rows["day"] >= since)]
    rows = reported_numbers(rows).sort_values("day", kind="stable")
    summary = summarise(rows, "reporting_body")
    low = rows[rows["low"] == summary["low"]].iloc[0]
    highs = rows[rows["high"] == summary["high"]]
    if summary["open_high"]:
        highs = highs[highs["lower_bound"]]
    high = highs.iloc[-1]  # the latest report of the high end
    ends = [(low, "low")] if summary["low"] == summary["high"] else [(low, "low"), (high, "high")]
    sources = "; ".join(
        f"{range_text(r[end], r[end], open_high=end == 'high' and r['lower_bound'])}: "
        f"{r['reporting_body']}, {_day(r['day'])}"
        for r, end in ends
    )
    return Figure(summary["text"], sources)


def _refugees_in_uzbekistan() -> Figure:
    """The Uzbek government's own counts, first and latest: one body, one quantity."""
    table = geo.load("displacement_2010")
    rows = table[
        (table["metric"] == "refugees_in_uzbekistan")
        & table["reporting_body"].astype(str).str.contains(UZBEK_GOVERNMENT)
    ].copy()
    rows["day"] = rows["as_of_date"].fillna(rows["date_reported"]).astype(str)
    rows = reported_numbers(rows[rows["day"].str.match(ISO_DAY)]).sort_values("day", kind="stable")
    first, last = rows.iloc[0], rows.iloc[-1]
    parts = [f"{_report_text(r)} by {_day(r['day'])}" for r in (first, last)]
    return Figure(
        " and ".join(dict.fromkeys(parts)),
        "; ".join(f"{r['reporting_body']}, {_day(r['day'])}" for r in (first, last)),
    )


def _refugees_in_uzbekistan_adults() -> Figure:
    """The UN's adults-only count, with its caveat."""
    return _caveated("refugees_in_uzbekistan_adults", "adults only")


def _refugees_other_counts() -> Figure:
    """Rival counts of the same quantity by others than the Uzbek government, in June 2010."""
    table = geo.load("displacement_2010")
    rows = table[
        (table["metric"] == "refugees_in_uzbekistan")
        & ~table["reporting_body"].astype(str).str.contains(UZBEK_GOVERNMENT)
        & table["as_of_date"].astype(str).str.match(ISO_DAY)
    ].copy()
    rows["day"] = rows["as_of_date"].astype(str)
    rows = reported_numbers(rows).sort_values("day", kind="stable")
    parts = [
        f"{_report_text(r)} ({_body(r['reporting_body'])}, {_day(r['day'])})"
        for _, r in rows.drop_duplicates(["low", "high", "lower_bound"]).iterrows()
    ]
    return Figure("; ".join(parts), "; ".join(dict.fromkeys(rows["reporting_body"].astype(str))))


def _total_displaced() -> Figure:
    """The highest June count and the later count of those who remained: not one range.

    The ICRC's 80,000 of 14 June predates the first UN count and is left out.
    """
    table = geo.load("displacement_2010")
    rows = table[table["metric"] == "total_displaced"].copy()
    rows["day"] = rows["as_of_date"].fillna(rows["date_reported"]).astype(str)
    june = rows["day"].str.match(ISO_DAY) & (rows["day"] >= "2010-06-17")
    rows = reported_numbers(rows[june & (rows["day"] <= "2010-06-30")])
    remained = rows["quote"].astype(str).str.contains(r"\bremained\b")
    peak = rows[~remained].sort_values(["high", "day"], ascending=[False, True]).iloc[0]
    later = rows[remained].sort_values("day", kind="stable").iloc[-1]
    text = (
        f"{_report_text(peak)} at the peak ({_day(peak['day'])}); "
        f"{_report_text(later)} remained displaced on {_day(later['day'])}"
    )
    caveat = _quoted_caveat(later)
    return Figure(
        text + (f" ({caveat})" if caveat else ""),
        f"{peak['reporting_body']}; {later['reporting_body']}",
    )


def _official_toll_final() -> Figure:
    facts = geo.load("violence_2010")
    official = facts[facts["deaths_basis"].astype(str).str.startswith(HEALTH_MINISTRY)]
    official = official[official["date"].astype(str).str.match(ISO_DAY)]
    official = official[pd.to_numeric(official["deaths"], errors="coerce").notna()]
    if official.empty:
        raise _no_official_toll(facts, HEALTH_MINISTRY)
    last = official.sort_values("date", kind="stable").iloc[-1]
    return Figure(
        f"{float(last['deaths']):,.0f} by {_day(last['date'])}", str(last["deaths_basis"])
    )


def _official_toll_first() -> Figure:
    series = toll_series()
    if series.empty:
        raise _no_official_toll(geo.load("violence_2010"), "official", TOLL_PLACE)
    first = series.iloc[0]
    return Figure(f"{first['text']} on {_day(first['date'])}", str(first["source"]))


def _no_official_toll(facts: pd.DataFrame, basis: str, place: str = "") -> geo.DataError:
    """Why the violence table gives no official toll: its basis, place, or numbers."""
    hint = "the layer's description quotes the official toll: keep its rows"
    official = facts["deaths_basis"].astype(str).str.startswith(basis)
    if not official.any():
        problem = f"no row's deaths_basis begins with {basis!r}: no official toll to quote"
        return geo.DataError("violence_2010", problem, field="deaths_basis", hint=hint)
    if place and not (official & (facts["place"] == place)).any():
        problem = f"no row with an official toll (deaths_basis {basis!r}...) is for {place!r}"
        return geo.DataError("violence_2010", problem, field="place", hint=hint)
    problem = (
        f"no row whose deaths_basis begins with {basis!r} has a number of deaths "
        "on an ISO date (YYYY-MM-DD)"
    )
    hint = "the layer's description quotes the official toll: give its numbers of deaths"
    return geo.DataError("violence_2010", problem, field="deaths", hint=hint)


def _later_death_counts() -> Figure:
    facts = geo.load("violence_2010")
    rows = facts[facts["event"].astype(str).str.contains("National Commission|Inquiry Commission")]
    rows = rows[pd.to_numeric(rows["deaths"], errors="coerce").notna()]
    if rows.empty:  # a user's own table may well have no commission's count
        return Figure(NONE_IN_THE_DATA, "")
    parts = [
        f"{float(r.deaths):,.0f} ({r.event.split(':')[0].split(' (')[0]})"
        for r in rows.itertuples()
    ]
    return Figure(" and ".join(parts), "; ".join(rows["deaths_basis"].astype(str)))


def _returned_by_end_of_june() -> Figure:
    series = displacement_series("returned_cumulative")
    last = series.iloc[-1]
    return Figure(f"{last['high']:,.0f} by {_day(last['date'])}", str(last["source"]))


def _northern_route_share() -> Figure:
    """UNODC's share of heroin, then the other estimate with its own scope and year."""
    figures = geo.load("route_figures")
    heroin = figures[figures["metric"] == "share_heroin_via_northern_route"].iloc[0]
    drugs = figures[figures["metric"] == "share_afghan_drugs_via_northern_route"]
    body = str(heroin["reporting_body"]).replace(" (", ", ").replace(")", "")
    text = f"{heroin['value']:g}% ({body}, {_year(heroin['year'])})"
    for row in drugs.itertuples():
        text += (
            f"; a separate estimate ({row.reporting_body}) puts {row.value:g}% of all Afghan "
            f"drugs on it ({_year(row.year)})"
        )
    return Figure(text, "; ".join([heroin["reporting_body"], *drugs["reporting_body"]]))


def _manas_names() -> Figure:
    """Manas by period: its name before and after the renaming, from the facts."""
    bases = geo.load("bases")
    manas = bases[bases["name"].str.contains("Manas")].iloc[0]
    current = str(manas["name"]).split(" (")[0]
    return Figure(
        f"{manas['earlier_name']} from {_month(manas['opened'])}, the {current} from "
        f"{_month(manas['renamed'])} until the US left in {_month(manas['closed'])}",
        str(manas["source_url"]),
    )


def _caveated(metric: str, caveat: str) -> Figure:
    table = geo.load("displacement_2010")
    rows = reported_numbers(table[table["metric"] == metric].copy())
    row = rows.iloc[0]
    day = row["as_of_date"] if pd.notna(row["as_of_date"]) else row["date_reported"]
    return Figure(
        f"{_report_text(row)} ({caveat}; {_body(row['reporting_body'])}, {_day(day)})",
        str(row["reporting_body"]),
    )


def _report_text(row: pd.Series) -> str:
    """One report as written: "more than 75,000", "83,000", "as many as 80,000"."""
    if row["lower_bound"]:
        return range_text(row["low"], row["low"], open_high=True)
    if pd.isna(row["value"]) and pd.notna(row["value_high"]):
        return f"as many as {row['high']:,.0f}"
    return range_text(row["low"], row["low"])


def _quoted_caveat(row: pd.Series) -> str:
    """A qualifier the report's own words attach to its figure."""
    quote = str(row.get("quote", ""))
    for words, caveat in CAVEATS.items():
        if words in quote:
            return caveat
    return ""


def _body(body: object) -> str:
    """A reporting body without its relay ("X (via Y)" -> "X")."""
    return str(body).split(" (")[0]


def _year(year: object) -> str:
    text = str(year)
    return f"for {text}" if re.match(r"^(c\.)?\d{4}$", text) else "year not given"


def _month(iso: object) -> str:
    text = str(iso)[:10]
    if re.match(r"^\d{4}-\d{2}-\d{2}$", text):
        return _day(text)
    stamp = pd.Timestamp(text[:7] + "-01")
    return stamp.strftime("%B %Y")


def _day(iso: object) -> str:
    stamp = pd.Timestamp(str(iso)[:10])
    return f"{stamp.day} {stamp.strftime('%B %Y')}"


FIGURES: dict[str, Callable[[], Figure]] = {
    "refugees_in_uzbekistan": _refugees_in_uzbekistan,
    "refugees_in_uzbekistan_adults": _refugees_in_uzbekistan_adults,
    "refugees_other_counts": _refugees_other_counts,
    "total_displaced": _total_displaced,
    "official_toll_first": _official_toll_first,
    "official_toll_final": _official_toll_final,
    "later_death_counts": _later_death_counts,
    "returned_by_end_of_june": _returned_by_end_of_june,
    "northern_route_share": _northern_route_share,
    "manas_names": _manas_names,
}


def figure(name: str) -> Figure:
    """The sourced figure called `name`; a KeyError lists the names."""
    if name not in FIGURES:
        raise KeyError(f"no figure '{name}'; figures: {', '.join(FIGURES)}")
    return FIGURES[name]()
