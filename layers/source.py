"""Where a layer's features come from: embedded data by default, or the user's own."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

import geo
from layers.style import Credit

Source = str | Path | gpd.GeoDataFrame | None


def frame_from(
    data: Source,
    dataset: str,
    *,
    required: dict[str, str],
    geometry: str | None,
) -> gpd.GeoDataFrame:
    """Features for a layer, in EPSG:4326.

    Parameters
    ----------
    data : path, URL, GeoDataFrame or None
        The user's data, validated by :func:`geo.read_data` against `required`;
        None loads the embedded `dataset`.
    dataset : str
        Catalog name of the embedded default.
    required : dict
        Column -> kind ("str", "number", "int", "date") the layer needs.
    geometry : {"point", "line", "area"} or None
        Geometry kind the layer needs.
    """
    if data is None:
        frame = geo.load(dataset)
        if not isinstance(frame, gpd.GeoDataFrame):
            raise TypeError(f"dataset '{dataset}' has no geometry")
        return frame[~frame.geometry.isna()].reset_index(drop=True)
    schema = geo.Schema(required=required, geometry=geometry)
    return geo.read_data(data, schema)


def credits_for(data: Source, *datasets: str) -> list[Credit]:
    """Credits of the embedded datasets, or a credit naming the user's data."""
    if data is None:
        return [Credit.of(name) for name in datasets]
    name = data if not isinstance(data, gpd.GeoDataFrame) else "user GeoDataFrame"
    return [Credit(source=f"User data: {name}", license="as supplied by the user")]
