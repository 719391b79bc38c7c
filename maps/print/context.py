"""The per-figure facts every drawing step reads: the composition, projection and shown layers.

A :class:`MapContext` is built once per figure (after the main window is known)
and passed to the drawing, inset and label functions instead of builder state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from matplotlib.transforms import Transform

from layers import Layer
from maps.compose import Composition
from maps.print.symbols import feature_styles
from maps.print.view import View


@dataclass(frozen=True)
class MapContext:
    """What one figure's drawing steps share.

    Attributes
    ----------
    composition : Composition
        The map being drawn.
    crs : pyproj.CRS
        The main map's projection.
    shown : list of (int, Layer)
        Visible layers with their position in the composition, in drawing order.
    projected : dict
        Position -> the layer's frame in `crs` (lon/lat edges densified).
    s : float
        Type scale of the page.
    page : Transform
        Page points to display coordinates.
    fan : shapely.Polygon or None
        The main map's fan shape (wide conic maps), in projected metres.
    """

    composition: Composition
    crs: pyproj.CRS
    shown: list[tuple[int, Layer]]
    projected: dict[int, gpd.GeoDataFrame]
    s: float
    page: Transform
    fan: shapely.Polygon | None = None
    styles: dict[int, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def spec(self):
        """The composition's map spec."""
        return self.composition.spec

    def styles_of(self, i: int) -> np.ndarray:
        """Per-feature styles of layer `i` (cached)."""
        if i not in self.styles:
            self.styles[i] = feature_styles(self.composition.layers[i], self.projected[i])
        return self.styles[i]


def clipped(ctx: MapContext, i: int, view: View) -> gpd.GeoSeries:
    """Layer i's projected geometries cut to the view (plus a margin).

    Areas and lines are simplified below a tenth of a point.
    """
    xmin, ymin, xmax, ymax = view.limits
    pad = 0.05 * (xmax - xmin)
    geoms = ctx.projected[i].geometry.to_numpy()
    cut = shapely.clip_by_rect(geoms, xmin - pad, ymin - pad, xmax + pad, ymax + pad)
    if ctx.composition.layers[i].kind in ("area", "line"):
        cut = shapely.simplify(cut, 0.1 * view.metres_per_point, preserve_topology=True)
    return gpd.GeoSeries(cut, index=ctx.projected[i].index, crs=ctx.crs)


def present(geoms: np.ndarray) -> np.ndarray:
    """Mask of geometries that are neither missing nor empty."""
    return ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
