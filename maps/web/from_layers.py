"""A map made in code from layers: the composition of ``web_map(layer)`` and ``Layer.explore()``.

The spec is made here instead of read from TOML: the layers in the order given, the
extent they cover (or the one given), a title from their titles; credits compiled from
the layers and features clipped as :func:`maps.compose.compose` does for a spec.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from layers import Layer
from maps.compose import Composition, clip, unique_credits
from maps.spec import LAT_RANGE, LON_RANGE, LayerRef, MapSpec, check_extent
from maps.web.view import fit_zoom

# The extent around layers grows by this share of their size on each side ...
EXTENT_MARGIN = 0.08
# ... and spans at least this many degrees (one point, or features close together).
MIN_SPAN = 0.2
SOURCE = "<layers>"


def layers_composition(
    layers: Layer | Sequence[Layer],
    extent: Sequence[float] | None = None,
    *,
    title: str | None = None,
) -> Composition:
    """A composition of layers made in code, as a spec of those layers would compose.

    Parameters
    ----------
    layers : Layer or sequence of Layer
        Drawn in this order (the first at the bottom).
    extent : (west, south, east, north), optional
        In degrees; by default the layers' total bounds and a margin.
    title : str, optional
        The map's title; by default the layers' titles.

    Returns
    -------
    Composition
        With a :class:`~maps.spec.MapSpec` whose id is made from the first layer's id.

    Raises
    ------
    SpecError
        For a bad `extent`, naming it.
    TypeError
        If an item is not a Layer.
    ValueError
        If there are no layers, or no features to take an extent from.
    """
    items = [layers] if isinstance(layers, Layer) else list(layers)
    if not items:
        raise ValueError("web_map needs at least one Layer")
    for n, item in enumerate(items):
        if not isinstance(item, Layer):
            raise TypeError(f"item {n} is a {type(item).__name__}, not a Layer")
    box = check_extent(extent if extent is not None else layers_extent(items), SOURCE, "extent")
    spec = MapSpec(
        id=_spec_id(items[0].id),
        title=title if title is not None else ", ".join(dict.fromkeys(i.title for i in items)),
        extent=box,
        layers=tuple(LayerRef(id=i.id, title=i.title) for i in items),
        source=SOURCE,
    )
    spec = replace(spec, zoom=_zoom_range(spec))
    built = [i.with_frame(clip(i.frame, box)) for i in items]
    return Composition(
        spec=spec,
        layers=built,
        visible=[True] * len(built),
        labelled=[True] * len(built),
        annotations=[],
        credits=unique_credits(c for layer in built for c in layer.credits),
    )


def layers_extent(items: Sequence[Layer]) -> tuple[float, float, float, float]:
    """The layers' total bounds grown by :data:`EXTENT_MARGIN`, at least :data:`MIN_SPAN` wide."""
    bounds = np.array(
        [
            i.frame.total_bounds
            for i in items
            if len(i.frame) and not i.frame.geometry.is_empty.all()
        ]
    )
    if not len(bounds) or not np.isfinite(bounds).all():
        raise ValueError("the layers have no features to take an extent from: give extent=")
    west, south = bounds[:, 0].min(), bounds[:, 1].min()
    east, north = bounds[:, 2].max(), bounds[:, 3].max()
    dx = max((east - west) * EXTENT_MARGIN, (MIN_SPAN - (east - west)) / 2, 0.0)
    dy = max((north - south) * EXTENT_MARGIN, (MIN_SPAN - (north - south)) / 2, 0.0)
    return (
        float(max(west - dx, LON_RANGE[0])),
        float(max(south - dy, LAT_RANGE[0])),
        float(min(east + dx, LON_RANGE[1])),
        float(min(north + dy, LAT_RANGE[1])),
    )


def _zoom_range(spec: MapSpec) -> tuple[int, int]:
    """Two zooms out and four in from the zoom that fits the extent (the spec default at least)."""
    fit = fit_zoom(replace(spec, zoom=(0, 18)))
    return max(0, min(spec.zoom[0], fit - 2)), min(18, max(spec.zoom[1], fit + 4))


def _spec_id(layer_id: str) -> str:
    """A file-name-safe map id from a layer id."""
    cleaned = re.sub(r"[^a-z0-9_-]+", "-", layer_id.lower()).strip("-_")[:64]
    return cleaned or "layers"
