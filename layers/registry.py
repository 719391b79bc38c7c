"""The layer registry: layer ids that map specs use, as data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from layers import basemap, borders, context, flows, june2010, trafficking, valley
from layers.layer import Layer


@dataclass(frozen=True)
class Entry:
    """A registered layer: its builder and what a listing shows before building it."""

    builder: Callable[..., Layer]
    theme: str  # "basemap", "borders", "valley", "june2010", "security", "water", "trafficking"


REGISTRY: dict[str, Entry] = {
    "countries": Entry(basemap.countries, "basemap"),
    "world": Entry(basemap.world, "basemap"),
    "admin1": Entry(basemap.admin1, "basemap"),
    "lakes": Entry(basemap.lakes, "basemap"),
    "rivers": Entry(basemap.rivers, "basemap"),
    "places": Entry(basemap.places, "basemap"),
    "boundaries": Entry(borders.boundaries, "borders"),
    "enclaves": Entry(borders.enclaves, "borders"),
    "enclave_points": Entry(borders.enclave_points, "borders"),
    "valley": Entry(valley.basin, "valley"),
    "valley_provinces": Entry(valley.provinces, "valley"),
    "bases": Entry(context.bases, "security"),
    "csto": Entry(context.csto, "security"),
    "water": Entry(context.water, "water"),
    "refugee_flows": Entry(june2010.refugee_flows, "june2010"),
    "camps": Entry(june2010.camps, "june2010"),
    "crossings": Entry(june2010.crossings, "june2010"),
    "violence": Entry(june2010.violence, "june2010"),
    "trafficking": Entry(trafficking.routes, "trafficking"),
    "route_stops": Entry(trafficking.route_stops, "trafficking"),
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
    return REGISTRY[layer_id].builder(**options)
