"""The spec's series tables: ``[multiples]`` (print panels by date), ``[motion]`` and ``[atlas]``.

Each table is read into a frozen record and checked here, with the fix in every
message, so that :mod:`maps.spec` stays a reader of single maps. Like it, this
module imports no heavy library: the steps themselves (the dates in the data) are
found when a map is drawn (:mod:`maps.scene.series`), the atlas's pages when it is
built (:mod:`maps.atlas`).

Examples
--------
A spec with small multiples every two days, a GIF/MP4 at slide size, and an atlas::

    [multiples]
    every = "2 days"
    columns = 3

    [motion]
    size = "slide"

    [atlas]
    layer = ["enclaves", "enclave_points"]
    by = "name"
    title = "{name}"
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import msgspec

from geo.records import check_keys, typed
from maps.pages import SIZES

#: How the state of a step is drawn: everything reported up to it, or only since the step before.
STATES = ("cumulative", "step")
#: ``every = "N days"`` / ``"N weeks"``.
EVERY_PATTERN = re.compile(r"^\s*(\d+)\s*(day|days|week|weeks)\s*$")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Panels a page can hold at most (a 6 × 6 grid is already postage stamps on A4).
MAX_PANELS = 36
#: Frames a motion may have at most.
MAX_FRAMES = 400


@dataclass(frozen=True)
class Steps:
    """Which steps of a time series are drawn.

    Attributes
    ----------
    by : str
        ``"date"``: the layers' own time column (:attr:`layers.Layer.time`); any other
        name: a column of the layers whose values are the steps.
    steps : tuple of str
        The steps, in order (ISO days for ``by = "date"``); empty: see `every`.
    every : int
        Days between steps, from the first dated feature or report to the last
        (0: every day that has a dated feature or report, as the web slider).
    state : {"cumulative", "step"}
        Cumulative: each step shows everything up to it (the latest report at each
        place, as the web slider does). Step: only what is dated after the step
        before it and up to it.
    """

    by: str = "date"
    steps: tuple[str, ...] = ()
    every: int = 0
    state: str = "cumulative"


@dataclass(frozen=True)
class Multiples:
    """``[multiples]``: one print page of panels, one per step, sharing legend, scale and caption.

    Attributes
    ----------
    name : str
        Written as ``ID.NAME.png``, ``.svg`` and ``.pdf`` (``june-2010.days.png``).
    columns : int
        Panels per row.
    title : str
        The page's title ("" : the map's title).
    size : str
        Page size preset ("" : the spec's ``print_size``).
    """

    steps: Steps
    name: str = "days"
    columns: int = 3
    title: str = ""
    size: str = ""


@dataclass(frozen=True)
class Motion:
    """``[motion]``: the steps as frames of a GIF or MP4 (``--format gif,mp4``).

    Attributes
    ----------
    size : str
        Frame size: a page preset drawn at 144 dpi (``"slide"`` is 1920 × 1080
        pixels); "" : the spec's ``print_size``.
    seconds : float
        How long each frame shows; the last one shows three times as long.
    """

    steps: Steps
    size: str = ""
    seconds: float = 1.0


@dataclass(frozen=True)
class Atlas:
    """``[atlas]``: one map per feature of a coverage layer, id ``SPEC-ID/SLUG``.

    Attributes
    ----------
    layers : tuple of str
        Registered layer ids whose features are the pages (built with the options
        the spec's ``[[layers]]`` give them), in order; or empty with `data`.
    data : str
        A file or URL of the user's features instead (resolved from the spec's folder).
    by : str
        The column naming each page (its values give the page ids, slugged).
    title, subtitle, caption : str
        Templates: ``{column}`` is the feature's value of that column ("not
        reported" when empty); ``{figure}`` names in the caption are still sourced
        figures (:mod:`layers.figures`) when no column has that name.
    margin : float
        Room around the feature, as a share of its size, on each side.
    min_span_km : float
        The smallest width and height of a page's extent (a point or a tiny
        polygon still gets a readable map around it).
    """

    layers: tuple[str, ...] = ()
    data: str = ""
    by: str = "name"
    title: str = "{name}"
    subtitle: str = ""
    caption: str = ""
    margin: float = 0.3
    min_span_km: float = 12.0


class _Steps(msgspec.Struct, forbid_unknown_fields=True):
    by: str = "date"
    steps: list[str] = []
    every: str = ""
    state: str = "cumulative"


class _Multiples(_Steps):
    name: str = "days"
    columns: int = 3
    title: str = ""
    size: str = ""


class _Motion(_Steps):
    size: str = ""
    seconds: float = 1.0


class _Atlas(msgspec.Struct, forbid_unknown_fields=True):
    layer: str | list[str] = []
    data: str = ""
    by: str = "name"
    title: str = "{name}"
    subtitle: str = ""
    caption: str = ""
    margin: float = 0.3
    min_span_km: float = 12.0


def multiples_from(raw: Any, source: str, error: type[Exception]) -> Multiples | None:
    """The ``[multiples]`` table as a record (None when absent); `error` names the key."""
    if raw is None:
        return None
    values = _table(raw, _Multiples, "multiples", source, error)
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,31}", values.name) or values.name in (
        "web",
        "embed",
    ):
        raise error(
            source,
            f"name {values.name!r} must be a short plain word other than 'web' and 'embed'",
            field="multiples.name",
            hint='it names the files ID.NAME.png; e.g. name = "days"',
        )
    if not 1 <= values.columns <= 6:
        raise error(
            source, f"columns must be 1 to 6, not {values.columns}", field="multiples.columns"
        )
    steps = _steps(values, "multiples", source, error)
    if len(steps.steps) > MAX_PANELS:
        raise error(
            source,
            f"{len(steps.steps)} steps is more than a page holds ({MAX_PANELS})",
            field="multiples.steps",
            hint="give fewer steps, or a longer every",
        )
    return Multiples(
        steps=steps,
        name=values.name,
        columns=values.columns,
        title=values.title,
        size=_size(values.size, "multiples.size", source, error),
    )


def motion_from(raw: Any, source: str, error: type[Exception]) -> Motion | None:
    """The ``[motion]`` table as a record (None when absent)."""
    if raw is None:
        return None
    values = _table(raw, _Motion, "motion", source, error)
    if not 0.1 <= values.seconds <= 60:
        raise error(
            source,
            f"seconds must be 0.1 to 60, not {values.seconds:g}",
            field="motion.seconds",
        )
    return Motion(
        steps=_steps(values, "motion", source, error),
        size=_size(values.size, "motion.size", source, error),
        seconds=float(values.seconds),
    )


def atlas_from(raw: Any, source: str, error: type[Exception]) -> Atlas | None:
    """The ``[atlas]`` table as a record (None when absent); layer ids are checked by the caller."""
    if raw is None:
        return None
    values = _table(raw, _Atlas, "atlas", source, error)
    ids = (values.layer,) if isinstance(values.layer, str) else tuple(values.layer)
    if bool(ids) == bool(values.data):
        raise error(
            source,
            "needs either layer (a layer id or a list of them) or data (a file), not "
            + ("both" if ids else "neither"),
            field="atlas.layer",
            hint='e.g. layer = "enclaves", by = "name"',
        )
    if not 0 <= values.margin <= 5:
        raise error(source, f"margin must be 0 to 5, not {values.margin:g}", field="atlas.margin")
    if not 0.1 <= values.min_span_km <= 5000:
        raise error(
            source,
            f"min_span_km must be 0.1 to 5000, not {values.min_span_km:g}",
            field="atlas.min_span_km",
        )
    return Atlas(
        layers=ids,
        data=values.data,
        by=values.by,
        title=values.title,
        subtitle=values.subtitle,
        caption=values.caption,
        margin=float(values.margin),
        min_span_km=float(values.min_span_km),
    )


def _table(raw: Any, kind: type, key: str, source: str, error: type[Exception]) -> Any:
    if not isinstance(raw, dict):
        raise error(source, "must be a table", field=key, hint=f"write it as [{key}]")
    check_keys(raw, kind.__struct_fields__, source, key + ".", error)
    return typed(raw, kind, source, key + ".", error)


def _size(value: str, key: str, source: str, error: type[Exception]) -> str:
    if value and value not in SIZES:
        raise error(source, f"unknown size {value!r}", field=key, hint=f"sizes: {', '.join(SIZES)}")
    return value


def _steps(values: _Steps, key: str, source: str, error: type[Exception]) -> Steps:
    if values.state not in STATES:
        raise error(
            source,
            f"state must be {' or '.join(map(repr, STATES))}, not {values.state!r}",
            field=f"{key}.state",
        )
    if values.steps and values.every:
        raise error(
            source, "give steps or every, not both", field=f"{key}.every", hint="keep one of them"
        )
    every = 0
    if values.every:
        match = EVERY_PATTERN.match(values.every)
        if not match or int(match.group(1)) < 1:
            raise error(
                source,
                f"every {values.every!r} is not a number of days or weeks",
                field=f"{key}.every",
                hint='write e.g. every = "2 days" or "1 week"',
            )
        every = int(match.group(1)) * (7 if match.group(2).startswith("week") else 1)
        if values.by != "date":
            raise error(
                source,
                f"every counts days, but by = {values.by!r} is not a date",
                field=f"{key}.every",
                hint="list the steps instead: steps = [...]",
            )
    steps = tuple(values.steps)
    if values.by == "date":
        bad = [s for s in steps if not _is_day(s)]
        if bad:
            raise error(
                source,
                f"steps {', '.join(map(repr, bad))} are not dates (YYYY-MM-DD)",
                field=f"{key}.steps",
                hint='write e.g. steps = ["2010-06-11", "2010-06-13"]',
            )
        if list(steps) != sorted(set(steps)):
            raise error(
                source,
                "steps must be in date order, each once",
                field=f"{key}.steps",
            )
    elif not steps:
        raise error(
            source,
            f"by = {values.by!r} needs its steps listed (the column's values, in order)",
            field=f"{key}.steps",
        )
    elif len(set(steps)) != len(steps):
        raise error(source, "each step may appear once", field=f"{key}.steps")
    return Steps(by=values.by, steps=steps, every=every, state=values.state)


def _is_day(text: str) -> bool:
    if not ISO_DAY.fullmatch(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True
