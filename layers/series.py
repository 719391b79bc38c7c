"""Dated series of reported totals (displacement, death tolls) and one way to write numbers.

A report of "more than N" is a lower bound: the facts put N in ``value_low`` and
leave ``value_high`` empty. Where reports for a day disagree, the day's text is
a range.
"""

from __future__ import annotations

import re

import pandas as pd

import geo
from geo.language import current, tr

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
COLUMNS = ["date", "low", "high", "open_high", "text", "source"]


def range_text(low: float, high: float, *, open_high: bool = False) -> str:
    """Numbers as a reader sees them: "335", "75,000–100,000", "more than 100,000", "1–2+".

    In the current language: Russian «более 100 000», «75 000–100 000».
    """
    number = current().number
    if low == high:
        text = number(low, decimals=0)
        return tr("more than {number}", number=text) if open_high else text
    return f"{number(low, decimals=0)}–{number(high, decimals=0)}{'+' if open_high else ''}"


def reported_numbers(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows of a figures table with the low and high end of each report.

    A report's ``low`` is its value, else its lower bound, else its upper bound;
    its ``high`` is its upper bound, else its value, else its lower bound; it is a
    ``lower_bound`` when only ``value_low`` bounds it from above ("more than").
    """
    out = rows.copy()
    out["low"] = out["value"].fillna(out["value_low"]).fillna(out["value_high"])
    out["high"] = out["value_high"].fillna(out["value"]).fillna(out["value_low"])
    out["lower_bound"] = out["value_low"].notna() & out["value_high"].isna()
    return out.dropna(subset=["low"])


def summarise(rows: pd.DataFrame, source_column: str) -> dict:
    """low, high, text and sources of reports (columns from :func:`reported_numbers`)."""
    low, high = rows["low"].min(), rows["high"].max()
    open_high = bool(rows.loc[rows["high"] == high, "lower_bound"].any())
    return {
        "low": low,
        "high": high,
        "open_high": open_high,
        "text": range_text(low, high, open_high=open_high),
        # who reported, cited as published (and recorded so in another language)
        "source": "; ".join(dict.fromkeys(map(current().source, rows[source_column].astype(str)))),
    }


def displacement_series(metric: str) -> pd.DataFrame:
    """Reported totals of one displacement metric by the day they refer to.

    Parameters
    ----------
    metric : str
        A ``metric`` value of the displacement table, e.g. ``"refugees_in_uzbekistan"``.

    Returns
    -------
    DataFrame
        One row per day: ``date``, ``low``, ``high``, ``open_high`` (the high end is a
        lower bound), ``text`` and ``source`` (reporting bodies). Undated reports are
        left out.
    """
    table = geo.load("displacement_2010")
    rows = table[table["metric"] == metric].copy()
    if rows.empty:
        known = sorted(table["metric"].unique())
        raise KeyError(f"no displacement metric '{metric}'; metrics: {', '.join(known)}")
    rows["date"] = rows["as_of_date"].fillna(rows["date_reported"]).astype(str)
    rows = reported_numbers(rows[rows["date"].str.match(ISO_DAY)])
    out = [
        {"date": date, **summarise(group, "reporting_body")}
        for date, group in rows.groupby("date", sort=True)
    ]
    return pd.DataFrame(out, columns=COLUMNS)


def toll_series() -> pd.DataFrame:
    """Official death tolls for southern Kyrgyzstan by day, June-July 2010 (same columns)."""
    facts = geo.load("violence_2010")
    rows = facts[
        (facts["place"] == "southern Kyrgyzstan")
        & facts["deaths_basis"].astype(str).str.startswith("official")
        & facts["date"].astype(str).str.match(ISO_DAY)
    ].copy()
    rows["value"] = pd.to_numeric(rows["deaths"], errors="coerce")
    rows["value_low"] = float("nan")
    rows["value_high"] = float("nan")
    rows = reported_numbers(rows)
    out = [
        {"date": date, **summarise(group, "deaths_basis")}
        for date, group in rows.groupby("date", sort=True)
    ]
    return pd.DataFrame(out, columns=COLUMNS)
