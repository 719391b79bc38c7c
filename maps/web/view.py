"""The map's view: Web Mercator, the extent grown by a margin, the opening zoom and the scale."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from geo import geometry as geom
from maps.spec import MapSpec

# Viewport assumed when a size must be chosen before the page exists (flow arrowheads).
REFERENCE_VIEWPORT = (1000, 650)


@dataclass(frozen=True)
class Scale:
    """Sizes that depend on the spec: tolerance, rounding and the reference zoom."""

    tolerance_m: float
    decimals: int
    reference_zoom: int


def scale_of(spec: MapSpec) -> Scale:
    """Simplification under about a pixel at the deepest zoom, rounding to half of that."""
    _, south, _, north = spec.extent
    deepest_lat = min(max(abs(south), abs(north)), 85.0)
    tolerance = geom.tolerance_for_zoom(spec.zoom[1], deepest_lat)
    return Scale(
        tolerance_m=tolerance,
        decimals=geom.decimals_for_tolerance(tolerance / 2, deepest_lat),
        reference_zoom=fit_zoom(spec),
    )


def merc(lat: float) -> float:
    """Web Mercator y of a latitude (in radians of the unit sphere), clamped at ±85°."""
    lat = max(-85.0, min(85.0, lat))
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def fit_zoom(spec: MapSpec) -> int:
    """The zoom at which the extent fits the reference viewport, within the spec's zoom range."""
    west, south, east, north = spec.extent
    width, height = REFERENCE_VIEWPORT
    zx = math.log2(width * 360 / (256 * (east - west)))
    zy = math.log2(height * 2 * math.pi / (256 * (merc(north) - merc(south))))
    return int(min(max(math.floor(min(zx, zy)), spec.zoom[0]), spec.zoom[1]))


def grown(extent: Sequence[float], share: float) -> tuple[float, float, float, float]:
    """`extent` grown by `share` of its size on each side, within the Mercator world."""
    west, south, east, north = extent
    dx, dy = (east - west) * share, (north - south) * share
    return (
        max(-180.0, west - dx),
        max(-85.0, south - dy),
        min(180.0, east + dx),
        min(85.0, north + dy),
    )


def latlng_bounds(extent: Sequence[float]) -> list[list[float]]:
    """``(west, south, east, north)`` as Leaflet's ``[[south, west], [north, east]]``."""
    west, south, east, north = extent
    return [[south, west], [north, east]]
