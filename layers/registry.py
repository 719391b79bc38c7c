"""The layer registry: layer ids that map specs use, as data."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

import geo
from layers import basemap, borders, context, flows, june2010, trafficking, valley
from layers.layer import Layer
from layers.style import Credit


@dataclass(frozen=True)
class Entry:
    """A registered layer: its builder and what a listing shows before building it."""

    builder: Callable[..., Layer]
    theme: str  # "basemap", "borders", "valley", "june2010", "security", "water", "trafficking"
    table: str | None = None  # facts table that `data=` replaces, for builders without `data`


REGISTRY: dict[str, Entry] = {
    "countries": Entry(basemap.countries, "basemap"),
    "world": Entry(basemap.world, "basemap"),
    "admin1": Entry(basemap.admin1, "basemap"),
    "lakes": Entry(basemap.lakes, "basemap"),
    "rivers": Entry(basemap.rivers, "basemap"),
    "places": Entry(basemap.places, "basemap"),
    "boundaries": Entry(borders.boundaries, "borders"),
    "enclaves": Entry(borders.enclaves, "borders"),
    "enclave_points": Entry(borders.enclave_points, "borders", table="enclaves"),
    "valley": Entry(valley.basin, "valley"),
    "valley_provinces": Entry(valley.provinces, "valley"),
    "bases": Entry(context.bases, "security"),
    "csto": Entry(context.csto, "security", table="csto_2010"),
    "water": Entry(context.water, "water"),
    "refugee_flows": Entry(june2010.refugee_flows, "june2010", table="refugee_flows_2010"),
    "camps": Entry(june2010.camps, "june2010", table="refugee_flows_2010"),
    "crossings": Entry(june2010.crossings, "june2010", table="facts_places"),
    "violence": Entry(june2010.violence, "june2010", table="violence_2010"),
    "trafficking": Entry(trafficking.routes, "trafficking", table="trafficking_routes"),
    "route_stops": Entry(trafficking.route_stops, "trafficking", table="trafficking_routes"),
    "flows": Entry(flows.flows, "generic"),  # needs data=: your own origin,destination,count CSV
}

# Layers that need the user's data and so are not built by `fergana layers list`.
NEEDS_DATA = frozenset({"flows"})


def layer_ids() -> list[str]:
    """Every registered layer id, in registry order."""
    return list(REGISTRY)


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
    """
    if layer_id not in REGISTRY:
        import difflib

        close = difflib.get_close_matches(layer_id, REGISTRY, n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise KeyError(f"no layer '{layer_id}'.{hint} Layers: {', '.join(REGISTRY)}")
    entry = REGISTRY[layer_id]
    takes_data = "data" in inspect.signature(entry.builder).parameters
    if "data" not in options or takes_data or entry.table is None:
        return entry.builder(**options)
    return _built_from_table(entry, options.pop("data"), options)


def _built_from_table(entry: Entry, data: str | Path | pd.DataFrame, options: dict) -> Layer:
    """Build with the user's own copy of the layer's facts table, credited to the user."""
    frame = geo.read_table(data, like=entry.table)
    with geo.substituted(entry.table, frame):
        layer = entry.builder(**options)
    label = "DataFrame" if isinstance(data, pd.DataFrame) else str(data)
    user = Credit(source=f"User data: {label}", license="as supplied by the user")
    embedded = Credit.of(entry.table)
    return replace(layer, credits=[user if c == embedded else c for c in layer.credits])
