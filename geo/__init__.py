"""Foundations: embedded data and provenance, loading and validation, CRS, geometry, gazetteer.

``geo`` knows nothing about layers or maps.
"""

from geo.atomic import atomic_write, write_bytes_atomic, write_text_atomic
from geo.cache import cache_dir, copy_in_use
from geo.catalog import Dataset, catalog, dataset
from geo.errors import DataError
from geo.load import load
from geo.raster import Raster

__all__ = [
    "DataError",
    "Dataset",
    "Raster",
    "atomic_write",
    "cache_dir",
    "catalog",
    "copy_in_use",
    "dataset",
    "load",
    "write_bytes_atomic",
    "write_text_atomic",
]
