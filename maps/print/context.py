"""The per-figure facts every drawing step reads: the scene, projection and shown layers.

A :class:`MapContext` is built once per figure (after the main window is known)
and passed to the drawing, inset and label functions instead of builder state.
Per-feature styles, sizes and drawing order come from the scene's layers
(:class:`maps.scene.SceneLayer`); this module only converts them to page units.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from matplotlib.transforms import Transform

from layers import Layer
from maps.print.symbols import PX_TO_PT
from maps.print.view import View
from maps.scene import Scene, SceneLayer


@dataclass(frozen=True)
class MapContext:
    """What one figure's drawing steps share.

    Attributes
    ----------
    scene : Scene
        The map being drawn, decided by :func:`maps.scene.build_scene`.
    crs : pyproj.CRS
        The main map's projection.
    shown : list of (int, Layer)
        Visible layers with their index in the scene, in drawing order.
    projected : dict
        Index -> the layer's frame in `crs` (lon/lat edges densified; same row order).
    s : float
        Type scale of the page.
    page : Transform
        Page points to display coordinates.
    fan : shapely.Polygon or None
        The main map's fan shape (wide conic maps), in projected metres.
    """

    scene: Scene
    crs: pyproj.CRS
    shown: list[tuple[int, Layer]]
    projected: dict[int, gpd.GeoDataFrame]
    s: float
    page: Transform
    fan: shapely.Polygon | None = None
    styles: dict[int, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def spec(self):
        """The scene's map spec."""
        return self.scene.spec

    def layer(self, i: int) -> SceneLayer:
        """Scene layer `i`."""
        return self.scene.layers[i]

    def styles_of(self, i: int) -> np.ndarray:
        """Per-feature styles of layer `i`, an object array in frame order (cached)."""
        if i not in self.styles:
            scene_layer = self.scene.layers[i]
            table = np.empty(len(scene_layer.styles), dtype=object)
            table[:] = list(scene_layer.styles)
            self.styles[i] = table[np.asarray(scene_layer.style_codes, dtype=int)]
        return self.styles[i]

    def sizes_pt(self, i: int) -> np.ndarray:
        """Flow widths or symbol diameters of layer `i` in points (points and flows only)."""
        sizes = self.scene.layers[i].sizes
        if sizes is None:
            raise ValueError(f"scene layer {self.scene.layers[i].key} has no sizes")
        return np.asarray(sizes, dtype=float) * PX_TO_PT


def clipped(ctx: MapContext, i: int, view: View) -> gpd.GeoSeries:
    """Layer i's projected geometries cut to the view (plus a margin).

    Areas and lines are simplified below a tenth of a point.
    """
    xmin, ymin, xmax, ymax = view.limits
    pad = 0.05 * (xmax - xmin)
    geoms = ctx.projected[i].geometry.to_numpy()
    cut = shapely.clip_by_rect(geoms, xmin - pad, ymin - pad, xmax + pad, ymax + pad)
    if ctx.scene.layers[i].kind in ("area", "line"):
        cut = shapely.simplify(cut, 0.1 * view.metres_per_point, preserve_topology=True)
    return gpd.GeoSeries(cut, index=ctx.projected[i].index, crs=ctx.crs)


def present(geoms: np.ndarray) -> np.ndarray:
    """Mask of geometries that are neither missing nor empty."""
    return ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
