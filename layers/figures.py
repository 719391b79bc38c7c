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
from geo.language import N_, current, tr
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
NONE_IN_THE_DATA = N_("none in the data")
#: How the violence table's ``deaths_basis`` begins for the Health Ministry's official toll.
HEALTH_MINISTRY = "official (Health Ministry"
UZBEK_GOVERNMENT = r"^(?:Government of Uzbekistan|Uzbek (?:Emergencies )?Ministry)"
# A report's own words -> the caveat that travels with its figure.
CAVEATS = {
    "counting only the adults": N_("adults only"),
    "including the refugees who returned": N_("including refugees who had returned"),
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
        f"{_reporter(r['reporting_body'])}, {_day(r['day'])}"
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
    parts = [_by(_report_text(r), r["day"]) for r in (first, last)]
    return Figure(
        _and(dict.fromkeys(parts)),
        "; ".join(f"{_reporter(r['reporting_body'])}, {_day(r['day'])}" for r in (first, last)),
    )


def _refugees_in_uzbekistan_adults() -> Figure:
    """The UN's adults-only count, with its caveat."""
    return _caveated("refugees_in_uzbekistan_adults", N_("adults only"))


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
        f"{_report_text(r)} ({_reporter(_body(r['reporting_body']))}, {_day(r['day'])})"
        for _, r in rows.drop_duplicates(["low", "high", "lower_bound"]).iterrows()
    ]
    bodies = dict.fromkeys(map(_reporter, rows["reporting_body"]))
    return Figure("; ".join(parts), "; ".join(bodies))


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
    text = "; ".join(
        [
            tr("{number} at the peak ({day})", number=_report_text(peak), day=_day(peak["day"])),
            tr(
                "{number} remained displaced on {day}",
                number=_report_text(later),
                day=_day(later["day"]),
            ),
        ]
    )
    caveat = current().gettext(_quoted_caveat(later))
    return Figure(
        text + (f" ({caveat})" if caveat else ""),
        f"{_reporter(peak['reporting_body'])}; {_reporter(later['reporting_body'])}",
    )


def _official_toll_final() -> Figure:
    facts = geo.load("violence_2010")
    official = facts[facts["deaths_basis"].astype(str).str.startswith(HEALTH_MINISTRY)]
    official = official[official["date"].astype(str).str.match(ISO_DAY)]
    official = official[pd.to_numeric(official["deaths"], errors="coerce").notna()]
    if official.empty:
        raise _no_official_toll(facts, HEALTH_MINISTRY)
    last = official.sort_values("date", kind="stable").iloc[-1]
    return Figure(_by(_whole(last["deaths"]), last["date"]), _reporter(last["deaths_basis"]))


def _official_toll_first() -> Figure:
    series = toll_series()
    if series.empty:
        raise _no_official_toll(geo.load("violence_2010"), "official", TOLL_PLACE)
    first = series.iloc[0]
    text = tr("{number} on {day}", number=first["text"], day=_day(first["date"]))
    return Figure(text, str(first["source"]))


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
        return Figure(current().gettext(NONE_IN_THE_DATA), "")
    # the commissions' names are the reporting bodies
    parts = [
        f"{_whole(r.deaths)} ({_reporter(r.event.split(':')[0].split(' (')[0])})"
        for r in rows.itertuples()
    ]
    return Figure(_and(parts), "; ".join(map(_reporter, rows["deaths_basis"])))


def _returned_by_end_of_june() -> Figure:
    series = displacement_series("returned_cumulative")
    last = series.iloc[-1]
    return Figure(_by(_whole(last["high"]), last["date"]), str(last["source"]))


def _northern_route_share() -> Figure:
    """UNODC's share of heroin, then the other estimate with its own scope and year."""
    figures = geo.load("route_figures")
    heroin = figures[figures["metric"] == "share_heroin_via_northern_route"].iloc[0]
    drugs = figures[figures["metric"] == "share_afghan_drugs_via_northern_route"]
    body = _reporter(str(heroin["reporting_body"]).replace(" (", ", ").replace(")", ""))
    percent = current().percent
    text = f"{percent(heroin['value'])} ({body}, {_year(heroin['year'])})"
    for row in drugs.itertuples():
        text += "; " + tr(
            "a separate estimate ({body}) puts {percent} of all Afghan drugs on it ({year})",
            body=_reporter(row.reporting_body),
            percent=percent(row.value),
            year=_year(row.year),
        )
    bodies = [heroin["reporting_body"], *drugs["reporting_body"]]
    return Figure(text, "; ".join(map(_reporter, bodies)))


def _manas_names() -> Figure:
    """Manas by period: its name before and after the renaming, from the facts."""
    bases = geo.load("bases")
    manas = bases[bases["name"].str.contains("Manas")].iloc[0]
    label = current().label
    text = tr(
        "{earlier} from {opened}, the {later} from {renamed} until the US left in {closed}",
        earlier=label(str(manas["earlier_name"])),
        later=label(str(manas["name"]).split(" (")[0]),
        opened=_month(manas["opened"]),
        renamed=_month(manas["renamed"]),
        closed=_month(manas["closed"]),
    )
    return Figure(text, str(manas["source_url"]))


def _caveated(metric: str, caveat: str) -> Figure:
    table = geo.load("displacement_2010")
    rows = reported_numbers(table[table["metric"] == metric].copy())
    row = rows.iloc[0]
    day = row["as_of_date"] if pd.notna(row["as_of_date"]) else row["date_reported"]
    caveat = current().gettext(caveat)
    return Figure(
        f"{_report_text(row)} ({caveat}; {_reporter(_body(row['reporting_body']))}, {_day(day)})",
        _reporter(row["reporting_body"]),
    )


def _report_text(row: pd.Series) -> str:
    """One report as written: "more than 75,000", "83,000", "as many as 80,000"."""
    if row["lower_bound"]:
        return range_text(row["low"], row["low"], open_high=True)
    if pd.isna(row["value"]) and pd.notna(row["value_high"]):
        return tr("as many as {number}", number=_whole(row["high"]))
    return range_text(row["low"], row["low"])


def _quoted_caveat(row: pd.Series) -> str:
    """A qualifier the report's own words attach to its figure."""
    quote = str(row.get("quote", ""))
    for words, caveat in CAVEATS.items():
        if words in quote:
            return caveat
    return ""


def _reporter(body: object) -> str:
    """Who reported a figure, cited as published (:meth:`geo.language.Language.source`)."""
    return current().source(str(body))


def _body(body: object) -> str:
    """A reporting body without its relay ("X (via Y)" -> "X")."""
    return str(body).split(" (")[0]


def _year(year: object) -> str:
    text = str(year)
    if re.match(r"^(c\.)?\d{4}$", text):
        if text.startswith("c."):  # circa
            return tr("for c.{year}", year=text[2:])
        return tr("for {year}", year=text)
    return current().gettext("year not given")


def _month(iso: object) -> str:
    """A day in full where the facts give one, else its month: "June 2014", «июнь 2014 г.»."""
    text = str(iso)[:10]
    if re.match(r"^\d{4}-\d{2}-\d{2}$", text):
        return _day(text)
    return current().month(pd.Timestamp(text[:7] + "-01").date())


def _day(iso: object) -> str:
    """A day as the current language writes it: "13 June 2010", «13 июня 2010 г.»."""
    return current().date(pd.Timestamp(str(iso)[:10]).date())


def _whole(value: object) -> str:
    """A count in the current language: "78,675", «78 675»."""
    return current().number(float(value), decimals=0)


def _by(number: str, iso: object) -> str:
    """A count reached by a day: "78,675 by 28 June 2010", «78 675 к 28 июня 2010 г.»."""
    return tr("{number} by {day}", number=number, day=_day(iso))


def _and(parts) -> str:
    """Parts joined by "and" in the current language ("a and b and c", as English had it)."""
    parts = list(parts)
    text = parts[0] if parts else ""
    for part in parts[1:]:
        text = tr("{first} and {second}", first=text, second=part)
    return text


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
