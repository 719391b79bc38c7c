"""A scene at one step of its time series: what small multiples and motion frames draw.

The web map keeps every dated feature and lets its slider choose; print panels and
video frames each show one step, decided here once for both (renderer-neutral):

- :func:`time_steps` — the steps of a ``[multiples]`` or ``[motion]`` table: the
  listed ones, one every N days, or every day that has a dated feature or a dated
  report (as the web slider), each with the layers' reported totals as of that day
  (:attr:`layers.Layer.series`, the latest report on or before it);
- :func:`shown_at` — which features of a layer a step shows;
- :func:`scene_at` — the scene with the other features of its timed layers hidden.

Hidden features keep their place in the layer's frame (their geometry is set
missing), so every per-feature array of the scene (styles, sizes, drawing order)
still lines up, size scales and the legend stay those of the whole series (panels
compare like with like), and a label belongs to the same feature at every step.

A feature with no date in a timed layer is context and shows at every step.
Cumulative steps show, at each place, the latest feature reported on or before
the step (features at one place with one name are one place, as on the web);
``state = "step"`` shows only what is dated after the step before and up to this one.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import geo
from geo.language import current, tr
from layers.layer import Layer
from layers.style import Credit
from maps.scene.model import Scene, SceneLayer
from maps.scene.text import cell_text
from maps.spec_series import Steps


class SeriesError(ValueError):
    """A series that cannot be drawn: no dated layer, or a step column no layer has."""


@dataclass(frozen=True)
class StepTotal:
    """A reported total as of a step: the latest report of one series on or before it.

    Attributes
    ----------
    title : str
        The series' title (:attr:`layers.Layer.series_title`).
    text : str
        The figure as a reader sees it ("75,000–100,000"); before the first report,
        what the sources say: "none in the sources before 12 June 2010".
    day : str
        The ISO day the report refers to ("" before the first report).
    source : str
        Who reported it.
    """

    title: str
    text: str
    day: str = ""
    source: str = ""


@dataclass(frozen=True)
class TimeStep:
    """One step of a series.

    Attributes
    ----------
    key : str
        The step: an ISO day (``by = "date"``) or a value of the step column.
    label : str
        As a panel title or frame stamp shows it ("13 June 2010").
    after : str or None
        With ``state = "step"``: the step before (features after it and up to
        `key` are shown); None for the first step and for cumulative steps.
    totals : tuple of StepTotal
        The layers' reported totals as of the step (dates only).
    """

    key: str
    label: str
    after: str | None = None
    totals: tuple[StepTotal, ...] = ()


def day_label(day: str) -> str:
    """An ISO day in the current language: ``"2010-06-13"`` → ``"13 June 2010"``.

    Russian: «13 июня 2010 г.».
    """
    return current().date(dt.date.fromisoformat(day))


def step_column(layer: Layer, by: str) -> str | None:
    """The column of `layer` that steps read: its time column for dates, else `by` if present."""
    if by == "date":
        return layer.time if layer.time and layer.time in layer.frame else None
    return by if by in layer.frame else None


def series_days(scene: Scene) -> list[str]:
    """Every ISO day a timed layer's feature (in view) or a dated report refers to, sorted."""
    days: set[str] = set()
    for scene_layer in scene.layers:
        column = step_column(scene_layer.layer, "date")
        if column is None:
            continue
        values = _days(scene_layer.layer.frame[column])[scene_layer.in_view]
        days.update(v for v in values if v)
        series = scene_layer.layer.series
        if series is not None and len(series):
            days.update(d for d in series["date"].astype(str) if _iso(d))
    return sorted(days)


def time_steps(scene: Scene, steps: Steps) -> list[TimeStep]:
    """The steps a ``[multiples]`` or ``[motion]`` table asks for, with their totals.

    Raises
    ------
    SeriesError
        When no layer of the map has the step column (no dated layer for dates),
        or no feature or report is dated.
    """
    timed = [sl for sl in scene.layers if step_column(sl.layer, steps.by) is not None]
    if not timed:
        what = "a time column (dated features)" if steps.by == "date" else f"a {steps.by!r} column"
        raise SeriesError(f"map '{scene.spec.id}' has no layer with {what} to draw steps of")
    if steps.by != "date":
        keys = list(steps.steps)
        labels = keys
        for scene_layer in timed:
            _warn_unknown_steps(scene_layer.layer, steps)
    else:
        if steps.steps:
            keys = list(steps.steps)
        else:
            days = series_days(scene)
            if not days:
                raise SeriesError(f"map '{scene.spec.id}' has no dated feature or report")
            keys = days if not steps.every else _every(days[0], days[-1], steps.every)
        labels = [day_label(k) for k in keys]
    out = []
    for n, (key, label) in enumerate(zip(keys, labels, strict=True)):
        after = keys[n - 1] if steps.state == "step" and n > 0 else None
        totals = _totals(scene, key) if steps.by == "date" else ()
        out.append(TimeStep(key=key, label=label, after=after, totals=totals))
    return out


def shown_at(scene_layer: SceneLayer, step: TimeStep, steps: Steps) -> np.ndarray:
    """Which features of `scene_layer` the step shows (all, for a layer without the column)."""
    layer = scene_layer.layer
    column = step_column(layer, steps.by)
    count = len(layer.frame)
    if column is None:
        return np.ones(count, dtype=bool)
    if steps.by == "date":
        values = _days(layer.frame[column])
        undated = values == ""
        upto = values <= step.key
    else:
        order = {key: n for n, key in enumerate(steps.steps)}
        values = np.array([order.get(cell_text(v), -1) for v in layer.frame[column]])
        undated = values == -1
        upto = values <= order[step.key]
    if steps.state == "step":
        if steps.by == "date":
            since = values > step.after if step.after is not None else np.ones(count, dtype=bool)
        else:
            since = values == order[step.key]
        return undated | (upto & since & ~undated)
    return undated | (upto & _latest_per_place(layer, values, upto & ~undated))


def series_scene(scene: Scene, steps: Steps, series: list[TimeStep]) -> Scene:
    """`scene` as a page of its series: what shows every day said, every totals source credited.

    Small-multiples pages and motion frames show, at each step, only what is dated up
    to it — except what has no date of its own, which shows at every step. The
    caption gains one sentence naming those layers (and how many of a dated layer's
    features are undated), so an early day never seems to show a later report
    unexplained; and the credits gain who reported the steps' totals, so a page or a
    frame shared on its own names every source of every figure on it.
    """
    undated = undated_text(scene, steps)
    caption = " ".join(part for part in (scene.caption, undated) if part)
    sources = list(
        dict.fromkeys(
            part.strip()
            for step in series
            for total in step.totals
            for part in total.source.split(";")
            if part.strip()
        )
    )
    line = scene.credit_line()
    missing = [source for source in sources if source not in line]
    credits = scene.credits
    if missing:
        text = tr("Totals by day as reported by: {sources}", sources="; ".join(missing))
        credits = (*credits, Credit(source=text, license=""))
    return replace(scene, caption=caption, credits=credits)


def undated_text(scene: Scene, steps: Steps) -> str:
    """One sentence naming what shows at every step for want of a date ("" when nothing does).

    Backdrop layers (countries, rivers, places) and undated areas and lines (borders,
    provinces) are left out: they are the map, not its news. Undated points and flows
    (camps, routes) are named, as are the undated features of a dated layer.
    """
    parts = []
    for scene_layer in scene.layers:
        layer = scene_layer.layer
        if scene_layer.basemap or not scene_layer.visible or not scene_layer.in_view.any():
            continue
        column = step_column(layer, steps.by)
        if column is None:
            if layer.kind in ("point", "flow"):
                parts.append(current().gettext(layer.title))
            continue
        if steps.by == "date":
            undated = _days(layer.frame[column]) == ""
        else:
            undated = ~layer.frame[column].map(cell_text).isin(steps.steps).to_numpy()
        count, total = int((undated & scene_layer.in_view).sum()), int(scene_layer.in_view.sum())
        if count:
            title = current().gettext(layer.title)
            parts.append(
                tr("{title} ({count} of {total})", title=title, count=count, total=total)
                if count < total
                else title
            )
    if not parts:
        return ""
    return tr("Shown on every day, having no date of their own: {layers}.", layers="; ".join(parts))


def scene_at(scene: Scene, step: TimeStep, steps: Steps) -> Scene:
    """The scene at `step`: features the step does not show are hidden, labels with them.

    Hidden features keep their rows (geometry missing, ``in_view`` false), so the
    scene's per-feature arrays, size scales and legend are those of the whole series.
    """
    shown = {sl.index: shown_at(sl, step, steps) for sl in scene.layers}
    layers = tuple(
        sl if shown[sl.index].all() else _hidden(sl, shown[sl.index]) for sl in scene.layers
    )
    labels = tuple(
        label
        for label in scene.labels
        if label.layer is None or bool(shown[label.layer][label.feature])
    )
    return replace(scene, layers=layers, labels=labels)


# --- helpers ----------------------------------------------------------------------------


def _warn_unknown_steps(layer: Layer, steps: Steps) -> None:
    """Warn of values of the step column that no step names: they show at every step."""
    values = [cell_text(v) for v in layer.frame[steps.by]]
    unknown = sorted({v for v in values if v and v not in steps.steps})
    if unknown:
        shown = ", ".join(repr(v) for v in unknown[:5]) + (" …" if len(unknown) > 5 else "")
        warnings.warn(
            f"layer '{layer.title}': {steps.by} values {shown} are not among the steps "
            f"({', '.join(steps.steps)}), so those features show at every step "
            "(check the spelling, or add them to steps)",
            geo.DataWarning,
            stacklevel=3,
        )


def _hidden(scene_layer: SceneLayer, shown: np.ndarray) -> SceneLayer:
    frame = scene_layer.layer.frame.copy()
    geometry = frame.geometry.to_numpy().copy()
    geometry[~shown] = None
    frame = frame.set_geometry(gpd.GeoSeries(geometry, index=frame.index, crs=frame.crs))
    layer = scene_layer.layer.with_frame(frame)
    return replace(scene_layer, layer=layer, in_view=scene_layer.in_view & shown)


def _latest_per_place(layer: Layer, values: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Of the `candidates`, the latest at each place (same name and geometry), as on the web."""
    frame = layer.frame
    key_column = layer.label or (layer.fields[0].column if layer.fields else None)
    names = [cell_text(v) for v in frame[key_column]] if key_column else [""] * len(frame)
    places = pd.Series(
        [
            f"{name}\x00{wkb.hex() if wkb else ''}"
            for name, wkb in zip(names, shapely.to_wkb(frame.geometry.to_numpy()), strict=True)
        ]
    )
    keep = np.zeros(len(frame), dtype=bool)
    idx = np.flatnonzero(candidates)
    if not len(idx):
        return keep
    table = pd.DataFrame({"place": places.iloc[idx].to_numpy(), "value": values[idx], "n": idx})
    # the latest value at each place; ties (several features of one day) all stay
    latest = table.groupby("place")["value"].transform("max")
    keep[table.loc[table["value"] == latest, "n"].to_numpy()] = True
    return keep


def _totals(scene: Scene, day: str) -> tuple[StepTotal, ...]:
    out = []
    for scene_layer in scene.layers:
        layer = scene_layer.layer
        if not layer.time or layer.series is None or not len(layer.series):
            continue
        title = current().gettext(layer.series_title or layer.title)
        dates = layer.series["date"].astype(str)
        rows = layer.series[dates <= day]
        if rows.empty:  # say what the sources hold, not what the world did
            first = day_label(min(dates)) if _iso(min(dates)) else min(dates)
            out.append(StepTotal(title, tr("none in the sources before {day}", day=first)))
            continue
        row = rows.sort_values("date", kind="stable").iloc[-1]
        out.append(StepTotal(title, str(row["text"]), str(row["date"]), str(row["source"])))
    return tuple(out)


def _every(first: str, last: str, days: int) -> list[str]:
    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    out = []
    day = start
    while day < end:
        out.append(day.isoformat())
        day += dt.timedelta(days=days)
    out.append(end.isoformat())  # the last reported day is always a step
    return out


def _days(values: pd.Series) -> np.ndarray:
    """ISO days of a time column ("" where there is none), as a string array."""
    text = values.map(cell_text).astype(str).str.slice(0, 10)
    return np.where(text.str.fullmatch(r"\d{4}-\d{2}-\d{2}"), text, "").astype(object)


def _iso(text: str) -> bool:
    return len(text) == 10 and text[4] == "-" and text[7] == "-"
