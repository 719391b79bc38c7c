"""Foundations: embedded data and provenance, loading and validation, CRS, geometry, gazetteer.

``geo`` knows nothing about layers or maps.
"""

from geo.atomic import atomic_write, write_bytes_atomic, write_text_atomic
from geo.cache import cache_dir, copy_in_use
from geo.catalog import Dataset, catalog, dataset
from geo.crs import (
    PROJECTIONS,
    Projection,
    area_km2,
    crs_for_extent,
    distance_km,
    named_crs,
    project,
)
from geo.errors import DataError
from geo.gazetteer import Place, UnknownPlace, place, places_table
from geo.geometry import (
    arrowhead,
    clip_to_extent,
    decimals_for_tolerance,
    flow_geometries,
    flow_line,
    label_points,
    round_coordinates,
    simplify_coverage,
    simplify_lines,
    tolerance_for_scale,
    tolerance_for_zoom,
)
from geo.load import load, recording, substituted
from geo.raster import Raster
from geo.read import Schema, read_data, read_table
from geo.refresh import RefreshResult, RefreshWarning, Upstream, refresh, upstreams

__all__ = [
    "PROJECTIONS",
    "DataError",
    "Dataset",
    "Place",
    "Projection",
    "Raster",
    "RefreshResult",
    "RefreshWarning",
    "Schema",
    "UnknownPlace",
    "Upstream",
    "area_km2",
    "arrowhead",
    "atomic_write",
    "cache_dir",
    "catalog",
    "clip_to_extent",
    "copy_in_use",
    "crs_for_extent",
    "dataset",
    "decimals_for_tolerance",
    "distance_km",
    "flow_geometries",
    "flow_line",
    "label_points",
    "load",
    "named_crs",
    "place",
    "places_table",
    "project",
    "read_data",
    "read_table",
    "recording",
    "refresh",
    "round_coordinates",
    "simplify_coverage",
    "simplify_lines",
    "substituted",
    "tolerance_for_scale",
    "tolerance_for_zoom",
    "upstreams",
    "write_bytes_atomic",
    "write_text_atomic",
]
