"""Plausibility checks: values that parse but are probably wrong, reported as warnings.

Each check warns (:class:`geo.DataWarning`, never an error: the value may be right)
naming the file, the rows (up to :data:`geo.checks.MAX_LISTED`) and the field:

* :func:`warn_counts_above_population` -- a count of people larger than the
  population of the country its place lies in (Natural Earth's ``pop_est`` and
  ``pop_year`` in the embedded ``countries`` and ``world_countries``). The embedded
  first-level divisions (``admin1``) carry no population, so no region is checked.
* :func:`warn_dates_outside` -- dates after today, before :data:`EARLIEST`, or
  outside a period the layer declares (the story presets' ``period``).
* :func:`warn_points_in_sea` -- points farther than :data:`SEA_TOLERANCE_KM` from
  any land polygon of the embedded data (``countries`` inside the detailed window,
  ``world_countries`` outside it). Lakes count as land: a town on Issyk-Kul's shore
  or a reservoir's point is not a mistake; the Caspian and Aral seas are water.
* :func:`warn_same_ends` -- flows whose origin and destination are the same place.
"""

from __future__ import annotations

import datetime as dt
import functools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from geo.checks import MAX_LISTED, Rows, in_region
from geo.errors import DataWarning

#: Dates before this are implausible for any layer (a typo such as 1010 for 2010).
EARLIEST = pd.Timestamp("1800-01-01")
#: How far (km) a point may lie off the embedded land polygons before it is "in the sea":
#: inside the detailed window (Natural Earth 1:10m) and outside it (1:110m, coarser).
SEA_TOLERANCE_KM = {"detailed": 3.0, "world": 30.0}
#: Words of a `units` text that say a count counts people.
PEOPLE_WORDS = ("people", "person", "refugee", "migrant", "displaced", "resident",
                "inhabitant", "worker", "trader", "traveller", "traveler", "visitor",
                "pilgrim", "student", "voter", "death", "victim", "casualt")  # fmt: skip
#: Where the populations come from, for messages.
POPULATION_SOURCE = "Natural Earth"


@dataclass(frozen=True)
class Finding:
    """One implausible value: the 0-based row `position` and what to say about it."""

    position: int
    text: str


def counts_people(units: str | None) -> bool:
    """True if counts in `units` are people (None: a plain count, taken to be people)."""
    if units is None:
        return True
    text = units.lower()
    return any(word in text for word in PEOPLE_WORDS)


def warn_counts_above_population(
    counts: Sequence[float],
    points: Sequence[shapely.Point | None],
    rows: Rows,
    field: str,
    *,
    where: str = "the origin",
    labels: Sequence[object] | None = None,
) -> list[Finding]:
    """Warn of each count larger than the population of the country its point lies in.

    Parameters
    ----------
    counts : sequence of float
        People per row (NaN: not given).
    points : sequence of Point or None
        Where each row's people are counted (a flow's origin, a point's place).
    rows : Rows
        How the rows are named.
    field : str
        The count's column, as the user names it.
    where : str
        What the point is, for the message ("the origin", "the place").
    """
    countries = _countries_at(points)
    findings = []
    for position, (count, country) in enumerate(zip(counts, countries, strict=True)):
        if country is None or not np.isfinite(count) or count <= country.population:
            continue
        findings.append(
            Finding(
                position,
                f"count {count:,.0f} is more than the population of {country.name} "
                f"({country.population:,.0f} in {country.year}, {POPULATION_SOURCE}), "
                f"the country of {where}",
            )
        )
    _warn(findings, rows, field, "counts larger than a whole country's population",
          "check for extra zeros or a total counted twice", labels)  # fmt: skip
    return findings


def warn_dates_outside(
    dates: pd.Series,
    rows: Rows,
    field: str,
    *,
    period: tuple[str, str] | None = None,
    today: dt.date | None = None,
    labels: Sequence[object] | None = None,
) -> list[Finding]:
    """Warn of dates after `today`, before :data:`EARLIEST` or outside `period`.

    Parameters
    ----------
    dates : Series
        Datetimes, or text that starts with an ISO date (``2010-06-11``,
        ``2010-06``, ``2010-06-10/11``); other values are not checked.
    period : (str, str), optional
        First and last ISO date of the data's known period (inclusive), e.g. the
        period a story preset declares.
    today : date, optional
        Default: the date the build runs.
    """
    first_day = _first_days(dates)
    latest = pd.Timestamp(today or dt.date.today())
    start, end = (pd.Timestamp(period[0]), pd.Timestamp(period[1])) if period else (None, None)
    findings = []
    for position, day in enumerate(first_day):
        if pd.isna(day):
            continue
        shown = f"{day:%Y-%m-%d}"
        if day > latest:
            text = f"date {shown} is in the future"
        elif day < EARLIEST:
            text = f"date {shown} is before {EARLIEST.year}"
        elif start is not None and not (start <= day <= end):
            text = f"date {shown} is outside the data's period {period[0]} to {period[1]}"
        else:
            continue
        findings.append(Finding(position, text))
    _warn(findings, rows, field, "dates outside the data's known period",
          "check the year (e.g. 2100 for 2010)", labels)  # fmt: skip
    return findings


def warn_points_in_sea(
    points: Sequence[shapely.Point | None],
    rows: Rows,
    field: str,
    *,
    labels: Sequence[object] | None = None,
) -> list[Finding]:
    """Warn of each point off the embedded land polygons by more than the tolerance."""
    findings = []
    land = _land()
    for position, point in enumerate(points):
        if point is None or shapely.is_empty(point) or not np.isfinite(point.x):
            continue
        window = "detailed" if in_region(np.array([point.x]), np.array([point.y]))[0] else "world"
        shapes = land[window]
        if shapes.contains(point):
            continue
        off_km = _distance_km(point, shapes)
        if off_km <= SEA_TOLERANCE_KM[window]:
            continue
        findings.append(
            Finding(
                position,
                f"point (lon {point.x:g}, lat {point.y:g}) is in the sea, "
                f"{off_km:,.0f} km from the nearest land",
            )
        )
    _warn(findings, rows, field, "points in the sea",
          "check the signs and the order of longitude and latitude", labels)  # fmt: skip
    return findings


def warn_same_ends(
    origins: Sequence[shapely.Point | None],
    destinations: Sequence[shapely.Point | None],
    names: Sequence[tuple[str, str]] | None,
    rows: Rows,
    field: str,
    *,
    labels: Sequence[object] | None = None,
) -> list[Finding]:
    """Warn of each flow whose origin and destination are the same place.

    Same place: the same point (to about 1 m), or the same name (case and spaces
    ignored) where `names` gives (origin, destination) names.
    """
    findings = []
    for position, (a, b) in enumerate(zip(origins, destinations, strict=True)):
        named = names[position] if names is not None else ("", "")
        same_name = bool(named[0].strip()) and named[0].strip().casefold() == (
            named[1].strip().casefold()
        )
        same_point = a is not None and b is not None and a.distance(b) < 1e-5
        if not (same_name or same_point):
            continue
        label = f"{named[0].strip()!r}" if named[0].strip() else f"(lon {a.x:g}, lat {a.y:g})"
        findings.append(Finding(position, f"origin and destination are the same place, {label}"))
    advice = "such a flow has no line and is left out of the map; give the place it goes to"
    _warn(findings, rows, field, "flows that start and end at the same place", advice, labels)
    return findings


# --- helpers --------------------------------------------------------------------------------


def _warn(
    findings: list[Finding],
    rows: Rows,
    field: str,
    what: str,
    advice: str,
    labels: Sequence[object] | None = None,
) -> None:
    """One warning for `findings`: the sentence for one, a list for several.

    Rows are named by `rows`, followed by their `labels` (e.g. a feature's name) if given.
    """
    if not findings:
        return

    def name(position: int) -> str:
        label = "" if labels is None else f" ({str(labels[position])!r})"
        return rows.name(position) + label

    if len(findings) == 1:
        only = findings[0]
        message = f"{rows.source}, {name(only.position)}, field '{field}': {only.text}"
    else:
        listed = "; ".join(f"{name(f.position)}: {f.text}" for f in findings[:MAX_LISTED])
        more = f"; and {len(findings) - MAX_LISTED} more" if len(findings) > MAX_LISTED else ""
        message = f"{rows.source}, field '{field}': {len(findings)} {what}: {listed}{more}"
    warnings.warn(f"{message} ({advice})", DataWarning, stacklevel=3)


@dataclass(frozen=True)
class _Country:
    name: str
    population: float
    year: int


def _countries_at(points: Sequence[shapely.Point | None]) -> list[_Country | None]:
    """The country each point lies in (detailed countries first, then the world's)."""
    from geo.load import load

    found: list[_Country | None] = [None] * len(points)
    for name in ("countries", "world_countries"):
        frame = load(name)
        tree = shapely.STRtree(frame.geometry.to_numpy())
        for position, point in enumerate(points):
            if found[position] is not None or point is None or shapely.is_empty(point):
                continue
            hits = tree.query(point, predicate="within")
            if not len(hits):
                continue
            row = frame.iloc[int(hits[0])]
            population, year = row.get("pop_est"), row.get("pop_year")
            if pd.notna(population) and population > 0:
                year_text = int(year) if pd.notna(year) else "year not given"
                found[position] = _Country(str(row["name"]), float(population), year_text)
    return found


@functools.cache
def _land() -> dict[str, shapely.Geometry]:
    """The land polygons: the detailed countries, and the world's countries, each prepared."""
    from geo.load import load

    land = {}
    for window, name in (("detailed", "countries"), ("world", "world_countries")):
        shape = shapely.union_all(shapely.make_valid(load(name).geometry.to_numpy()))
        shapely.prepare(shape)
        land[window] = shape
    return land


def _distance_km(point: shapely.Point, shape: shapely.Geometry) -> float:
    """Great-circle km from `point` to the nearest point of `shape`."""
    from geo.crs import distance_km

    nearest = shapely.shortest_line(point, shape)
    (x0, y0), (x1, y1) = shapely.get_coordinates(nearest)
    return float(distance_km((x0, y0), (x1, y1)))


def _first_days(dates: pd.Series) -> pd.Series:
    """The first ISO day of each value (the first of the month for ``YYYY-MM``), else NaT."""
    if pd.api.types.is_datetime64_any_dtype(dates):
        return dates.reset_index(drop=True)
    text = dates.astype("string").str.extract(r"^\s*(\d{4}-\d{2}(?:-\d{2})?)", expand=False)
    return pd.to_datetime(text, errors="coerce", format="ISO8601").reset_index(drop=True)
