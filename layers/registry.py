"""The layer registry: layer ids that map specs use, as data.

Each entry names its builder as ``module:function`` and imports it on first build,
so that checking a spec's layer ids (and a no-op ``fergana build``) never imports
geopandas or the layer modules.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geo
from layers.style import Credit

if TYPE_CHECKING:
    import pandas as pd

    from layers.layer import Layer


class LayerOptionError(geo.DataError):
    """An option a layer builder does not take, or a value of the wrong type.

    Attributes
    ----------
    option : str
        The option (also in ``field``).
    allowed : tuple of str
        The options the builder takes.
    wrong_type : str or None
        For a known option given a value of the wrong type: what it must be
        (e.g. ``"text"``); None for an unknown option.
    """

    def __init__(
        self,
        layer_id: str,
        option: str,
        allowed: tuple[str, ...],
        wrong_type: str | None = None,
    ) -> None:
        import difflib

        if wrong_type is None:
            close = difflib.get_close_matches(option, allowed, n=1)
            problem = f"has no option {option!r}"
            hint = f"did you mean {close[0]!r}? " if close else ""
            hint += f"options: {', '.join(allowed) if allowed else '(none)'}"
        else:
            problem = f"option {option!r} must be {wrong_type}"
            hint = "see the layer's options in the README's spec keys"
        super().__init__(f"layer '{layer_id}'", problem, field=option, hint=hint)
        self.option = option
        self.allowed = allowed
        self.wrong_type = wrong_type


@dataclass(frozen=True)
class Entry:
    """A registered layer: its builder and what a listing shows before building it."""

    target: str  # the builder, as "module:function"
    theme: str  # "basemap", "borders", "valley", "june2010", "security", ..., "timeline"
    table: str | None = None  # facts table that `data=` replaces, for builders without `data`

    @property
    def builder(self) -> Callable[..., Layer]:
        """The builder function (its module is imported on first use)."""
        module, function = self.target.split(":")
        return getattr(import_module(module), function)


REGISTRY: dict[str, Entry] = {
    "countries": Entry("layers.basemap:countries", "basemap"),
    "world": Entry("layers.basemap:world", "basemap"),
    "admin1": Entry("layers.basemap:admin1", "basemap"),
    "lakes": Entry("layers.basemap:lakes", "basemap"),
    "rivers": Entry("layers.basemap:rivers", "basemap"),
    "places": Entry("layers.basemap:places", "basemap"),
    "boundaries": Entry("layers.borders:boundaries", "borders"),
    "enclaves": Entry("layers.borders:enclaves", "borders"),
    "enclave_points": Entry("layers.borders:enclave_points", "borders", table="enclaves"),
    "valley": Entry("layers.valley:basin", "valley"),
    "valley_provinces": Entry("layers.valley:provinces", "valley"),
    "bases": Entry("layers.context:bases", "security"),
    "csto": Entry("layers.context:csto", "security", table="csto_2010"),
    "water": Entry("layers.context:water", "water"),
    "refugee_flows": Entry("layers.june2010:refugee_flows", "june2010", table="refugee_flows_2010"),
    "camps": Entry("layers.june2010:camps", "june2010", table="refugee_flows_2010"),
    "crossings": Entry("layers.june2010:crossings", "june2010", table="facts_places"),
    "violence": Entry("layers.june2010:violence", "june2010", table="violence_2010"),
    "trafficking": Entry("layers.trafficking:routes", "trafficking", table="trafficking_routes"),
    "route_stops": Entry(
        "layers.trafficking:route_stops", "trafficking", table="trafficking_routes"
    ),
    "militancy": Entry("layers.militancy:incidents", "militancy", table="militancy"),
    "timeline": Entry("layers.timeline:events", "timeline", table="timeline_2010"),
    "timeline_national": Entry("layers.timeline:national", "timeline", table="timeline_2010"),
    # your own data (data= is required): see layers/generic.py
    "points": Entry("layers.generic:points", "generic"),
    "lines": Entry("layers.generic:lines", "generic"),
    "areas": Entry("layers.generic:areas", "generic"),
    "flows": Entry("layers.flows:flows", "generic"),
}


@dataclass(frozen=True)
class UserDataLayer:
    """What a listing shows for a layer that is built only from the user's data."""

    kind: str  # "point", "line", "area" or "flow"
    title: str  # what to give it


# Layers that need the user's data and so are not built by `fergana layers list`.
NEEDS_DATA: dict[str, UserDataLayer] = {
    "points": UserDataLayer("point", "Your own points (data = points, or place names)"),
    "lines": UserDataLayer("line", "Your own lines (data = lines)"),
    "areas": UserDataLayer("area", "Your own areas (data = polygons, or a table + join)"),
    "flows": UserDataLayer("flow", "Your own flows (data = origin,destination,count)"),
}
#: Options every builder that takes the user's data has: the real source of that data.
CREDIT_OPTIONS = ("credit", "credit_url")


def layer_ids() -> list[str]:
    """Every registered layer id, in registry order."""
    return list(REGISTRY)


def _check_option_types(
    layer_id: str, entry: Entry, options: dict[str, Any], allowed: tuple[str, ...]
) -> None:
    """Raise LayerOptionError for an option whose value does not fit the builder's type hint.

    Values from a TOML spec arrive as plain text, numbers, lists and tables; msgspec
    checks them against the builder's annotations (``palette = 5`` where text or a
    list of colours is wanted). Hints msgspec cannot check (a DataFrame) are skipped.
    """
    import typing

    import msgspec

    hints = typing.get_type_hints(entry.builder)
    for option, value in options.items():
        hint = hints.get(option, CREDIT_HINTS.get(option))
        if hint is None:
            continue
        try:
            msgspec.convert(value, hint, strict=True)
        except msgspec.ValidationError:
            raise LayerOptionError(layer_id, option, allowed, _type_words(hint, value)) from None
        except TypeError:  # a type msgspec does not know (DataFrame, Path): the builder checks
            continue


CREDIT_HINTS: dict[str, Any] = {"credit": str | None, "credit_url": str | None}


def _type_words(hint: Any, value: Any) -> str:
    """E.g. ``"text (not 5)"`` for a hint and the value given."""
    import typing

    words = {str: "text", int: "a whole number", float: "a number", bool: "true or false"}
    args = [a for a in typing.get_args(hint) or (hint,) if a is not type(None)]
    named = []
    for arg in args:
        origin = typing.get_origin(arg)
        if arg in words:
            named.append(words[arg])
        elif origin in (list, tuple) or (origin and issubclass(origin, typing.Sequence)):
            named.append("a list")
        elif origin and issubclass(origin, typing.Mapping):
            named.append("a table")
    kinds = " or ".join(dict.fromkeys(named)) or "another kind of value"
    return f"{kinds} (not {value!r})"


def builder_options(layer_id: str) -> tuple[str, ...]:
    """The options the layer `layer_id` takes.

    ``data`` too where a facts table stands in, and ``credit``/``credit_url`` for
    every builder that takes data.
    """
    entry = REGISTRY[layer_id]
    names = tuple(
        name
        for name, parameter in inspect.signature(entry.builder).parameters.items()
        if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY)
    )
    if entry.table is not None and "data" not in names:
        names = ("data", *names)
    if "data" in names:
        names = (*names, *(o for o in CREDIT_OPTIONS if o not in names))
    return names


def build(layer_id: str, **options: Any) -> Layer:
    """Build the layer registered as `layer_id`.

    Parameters
    ----------
    layer_id : str
        A registry id (``fergana layers list``).
    **options
        Passed to the builder, e.g. ``data=`` for your own data or ``focus=``.

    Raises
    ------
    KeyError
        For an unknown id; the message lists close matches and every id.
    LayerOptionError
        For an option the builder does not take, listing the ones it does.
    """
    if layer_id not in REGISTRY:
        import difflib

        close = difflib.get_close_matches(layer_id, REGISTRY, n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise KeyError(f"no layer '{layer_id}'.{hint} Layers: {', '.join(REGISTRY)}")
    entry = REGISTRY[layer_id]
    allowed = builder_options(layer_id)
    for option in options:
        if option not in allowed:
            raise LayerOptionError(layer_id, option, allowed)
    _check_option_types(layer_id, entry, options, allowed)
    parameters = inspect.signature(entry.builder).parameters
    named = {o: options.pop(o) for o in CREDIT_OPTIONS if o in options and o not in parameters}
    data = options.get("data")
    if named and data is None:
        raise geo.DataError(
            f"layer '{layer_id}'",
            "credit names the source of your data, but no data is given",
            field=next(iter(named)),
            hint="give data = your file, or leave credit out (the embedded data is credited)",
        )
    from layers.layer import MissingColumnsError

    try:
        if "data" not in options or "data" in parameters or entry.table is None:
            layer = entry.builder(**options)
        else:
            layer = _built_from_table(layer_id, entry, options.pop("data"), options)
    except MissingColumnsError as err:
        if data is None:
            raise  # the embedded data lacks a column: a bug, not the user's
        raise geo.DataError(
            _data_label(data), err.problem, field=err.field, hint=err.hint
        ) from None
    if not named:
        return layer
    from layers.source import with_user_credit

    credits = with_user_credit(layer.credits, data, named.get("credit"), named.get("credit_url"))
    return replace(layer, credits=credits)


def _data_label(data: object) -> str:
    """The user's data as messages name it: the path as given, or the kind of frame."""
    kind = type(data).__name__
    return f"<{kind}>" if kind in ("DataFrame", "GeoDataFrame") else str(data)


def _built_from_table(
    layer_id: str, entry: Entry, data: str | Path | pd.DataFrame, options: dict
) -> Layer:
    """Build with the user's own copy of the layer's facts table, credited to the user.

    Its dates are checked against the layer preset's period (or, without one, for
    dates in the future or before 1800) row by row, before the builder keeps some.
    """
    from geo import plausibility
    from geo.checks import Rows
    from geo.read import kinds_like
    from layers.presets import PRESETS
    from layers.source import user_credit

    frame = geo.read_table(data, like=entry.table)
    preset = PRESETS.get(layer_id)
    period = preset.period if preset is not None else None
    for column, kind in kinds_like(geo.load(entry.table)).items():
        if kind in ("date", "date_text"):
            rows = Rows(_data_label(data), 2, "line")
            plausibility.warn_dates_outside(frame[column], rows, column, period=period)
    try:
        with geo.substituted(entry.table, frame):
            layer = entry.builder(**options)
    except geo.DataError as err:
        if err.source != entry.table:
            raise
        # the builder names the table it reads: here that is the user's copy
        raise geo.DataError(
            _data_label(data),
            err.problem,
            row=err.row,
            field=err.field,
            hint=err.hint,
            problems=err.problems,
        ) from None
    embedded = Credit.of(entry.table)
    user = user_credit(data)
    return replace(layer, credits=[user if c == embedded else c for c in layer.credits])
