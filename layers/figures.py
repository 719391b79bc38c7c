"""Sourced figures for captions: a spec writes ``{name}`` and gets the number with its range.

Figures are computed from the facts tables, never typed into a spec. Where
sources disagree the text is a range.
"""

from __future__ import annotations

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
    return _series_range("refugees_in_uzbekistan")


def _total_displaced() -> Figure:
    # The ICRC's 80,000 of 14 June predates the first UN count; from 17 June on reports agree on
    # the order of magnitude.
    return _series_range("total_displaced", since="2010-06-17")


def _official_toll_final() -> Figure:
    facts = geo.load("violence_2010")
    official = facts[facts["deaths_basis"].astype(str).str.startswith("official (Health Ministry")]
    official = official[official["date"].astype(str).str.match(ISO_DAY)]
    last = official.sort_values("date", kind="stable").iloc[-1]
    return Figure(
        f"{float(last['deaths']):,.0f} by {_day(last['date'])}", str(last["deaths_basis"])
    )


def _official_toll_first() -> Figure:
    series = toll_series()
    first = series.iloc[0]
    return Figure(f"{first['text']} on {_day(first['date'])}", str(first["source"]))


def _later_death_counts() -> Figure:
    facts = geo.load("violence_2010")
    rows = facts[facts["event"].astype(str).str.contains("National Commission|Inquiry Commission")]
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
    figures = geo.load("route_figures")
    metrics = ["share_heroin_via_northern_route", "share_afghan_drugs_via_northern_route"]
    rows = figures[figures["metric"].isin(metrics)]
    low, high = rows["value"].min(), rows["value"].max()
    return Figure(range_text(low, high) + "%", "; ".join(rows["reporting_body"].astype(str)))


def _manas_years() -> Figure:
    bases = geo.load("bases")
    manas = bases[bases["name"].str.contains("Manas")].iloc[0]
    return Figure(
        f"{str(manas['opened'])[:4]}–{str(manas['closed'])[:4]}", str(manas["source_url"])
    )


def _day(iso: object) -> str:
    stamp = pd.Timestamp(str(iso)[:10])
    return f"{stamp.day} {stamp.strftime('%B %Y')}"


FIGURES: dict[str, Callable[[], Figure]] = {
    "refugees_in_uzbekistan": _refugees_in_uzbekistan,
    "total_displaced": _total_displaced,
    "official_toll_first": _official_toll_first,
    "official_toll_final": _official_toll_final,
    "later_death_counts": _later_death_counts,
    "returned_by_end_of_june": _returned_by_end_of_june,
    "northern_route_share": _northern_route_share,
    "manas_years": _manas_years,
}


def figure(name: str) -> Figure:
    """The sourced figure called `name`; a KeyError lists the names."""
    if name not in FIGURES:
        raise KeyError(f"no figure '{name}'; figures: {', '.join(FIGURES)}")
    return FIGURES[name]()
