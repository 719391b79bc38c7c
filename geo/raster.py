"""A small north-up raster on a lon/lat grid, read from a GeoTIFF without GDAL."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

# GeoTIFF tags (OGC GeoTIFF 1.1): pixel size, tie point, GDAL nodata.
_PIXEL_SCALE = 33550
_TIE_POINT = 33922
_GDAL_NODATA = 42113


@dataclass(frozen=True)
class Raster:
    """Values on a regular grid.

    Attributes
    ----------
    values : numpy.ndarray
        2-D float array, row 0 at the north edge; no-data cells are NaN.
    bounds : tuple of float
        (west, south, east, north) of the grid's outer cell edges.
    crs : str
        CRS of `bounds`.
    """

    values: np.ndarray
    bounds: tuple[float, float, float, float]
    crs: str

    @property
    def cell_size(self) -> tuple[float, float]:
        """(x, y) size of one cell in CRS units."""
        west, south, east, north = self.bounds
        rows, cols = self.values.shape
        return (east - west) / cols, (north - south) / rows

    def value_at(self, x: float, y: float) -> float:
        """Value of the cell holding (x, y); NaN outside the grid."""
        west, _south, _east, north = self.bounds
        dx, dy = self.cell_size
        col, row = int((x - west) // dx), int((north - y) // dy)
        rows, cols = self.values.shape
        if 0 <= row < rows and 0 <= col < cols:
            return float(self.values[row, col])
        return float("nan")


def read_geotiff(path: str | Path, crs: str = "EPSG:4326") -> Raster:
    """Read a single-band, north-up, unrotated GeoTIFF.

    Parameters
    ----------
    path : str or Path
        The file.
    crs : str
        CRS of the file (taken from the catalog; GeoKeys are not parsed).
    """
    from PIL import Image

    with Image.open(path) as image:
        tags = image.tag_v2
        values = np.asarray(image, dtype="float64")
        scale_x, scale_y, _ = tags[_PIXEL_SCALE]
        _i, _j, _k, west, north, _z = tags[_TIE_POINT]
        nodata = tags.get(_GDAL_NODATA)
    if nodata is not None:
        values = np.where(values == float(str(nodata).strip("\x00")), np.nan, values)
    rows, cols = values.shape
    bounds = (west, north - rows * scale_y, west + cols * scale_x, north)
    return Raster(values=values, bounds=bounds, crs=crs)
