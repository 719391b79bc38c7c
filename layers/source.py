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
        The user's data, validated by :func:`geo.read_data` against `required`
        (or, where `dataset` is a facts table, by :func:`geo.read_table` against
        its columns); None loads the embedded `dataset`.
    dataset : str
        Catalog name of the embedded default.
    required : dict
        Column -> kind ("str", "number", "int", "date") the layer needs.
    geometry : {"point", "line", "area"} or None
        Geometry kind the layer needs.
    """
    if data is None:
        frame = geo.load(dataset)
    elif geo.dataset(dataset).kind == "table":
        # a facts table: the user's copy has its columns; rows may lack coordinates
        frame = geo.read_table(data, like=dataset)
    else:
        return geo.read_data(data, geo.Schema(required=required, geometry=geometry))
    if not isinstance(frame, gpd.GeoDataFrame):
        raise TypeError(f"dataset '{dataset}' has no geometry")
    return frame[~frame.geometry.isna()].reset_index(drop=True)


def credits_for(data: Source, *datasets: str) -> list[Credit]:
    """Credits of the embedded datasets, or a credit naming the user's data."""
    if data is None:
        return [Credit.of(name) for name in datasets]
    name = data if not isinstance(data, gpd.GeoDataFrame) else "user GeoDataFrame"
    return [Credit(source=f"User data: {name}", license="as supplied by the user")]
