"""The locator: the scene's locator window as a small SVG map, with the extent and the view."""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import shapely

import geo
from geo import geometry as geom
from geo.language import ENGLISH, N_, Language
from layers.theme import SEA
from maps.scene import LocatorWindow, locator_dataset
from maps.web.text import esc
from maps.web.view import merc

LOCATOR_LABEL = N_("Locator map: where the map lies in the region")


def locator(
    where: LocatorWindow, width: float = 150.0, lang: Language = ENGLISH
) -> dict[str, Any] | None:
    """A small SVG map of the scene's locator window with the map's extent in it.

    Also returns the numbers the runtime needs to move the box of the current view.
    """
    west, south, east, north = where.extent
    cy = (south + north) / 2
    box = where.window
    world = geo.load(locator_dataset(box))
    if not isinstance(world, gpd.GeoDataFrame):
        return None
    region = world[world.intersects(shapely.box(*box))]
    region = region.assign(geometry=shapely.intersection(region.geometry.values, shapely.box(*box)))
    kx = width / (box[2] - box[0])
    ky = kx * 180 / math.pi
    top = merc(box[3])
    height = (top - merc(box[1])) * ky
    tol_m = (box[2] - box[0]) / width * 111_320 * math.cos(math.radians(cy)) * 0.7
    region = geom.simplify_lines(region[["adm0_a3", "geometry"]], tol_m)
    extent_box = shapely.box(west, south, east, north)

    def xy(lon: float, lat: float) -> str:
        return f"{(lon - box[0]) * kx:.1f} {(top - merc(lat)) * ky:.1f}"

    paths = []
    for iso, g in zip(region["adm0_a3"], region.geometry.values, strict=True):
        if g is None or g.is_empty:
            continue
        polygons = [p for p in shapely.get_parts(g) if p.geom_type == "Polygon"]
        d = "".join(
            "M" + "L".join(xy(x, y) for x, y in ring.coords[:-1]) + "Z"
            for p in polygons
            for ring in (p.exterior, *p.interiors)
        )
        fill = "#d8cfc2" if g.intersects(extent_box) else "#eeeae3"
        paths.append(
            f'<path d="{d}" fill="{fill}" stroke="#8a8177" stroke-width="0.5">'
            f"<title>{esc(str(iso))}</title></path>"
        )
    x0, y0 = (west - box[0]) * kx, (top - merc(north)) * ky
    x1, y1 = (east - box[0]) * kx, (top - merc(south)) * ky
    label = lang.gettext(LOCATOR_LABEL)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{esc(label)}">'
        f'<rect width="100%" height="100%" fill="{SEA}"/>'
        + "".join(paths)
        + f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{max(x1 - x0, 2):.1f}" '
        f'height="{max(y1 - y0, 2):.1f}" fill="#b3261e" fill-opacity="0.15" stroke="#b3261e" '
        'stroke-width="1.2"/>'
        '<rect class="fg-view" fill="none" stroke="#222" stroke-width="0.8" '
        'stroke-dasharray="2 1.5"/></svg>'
    )
    return {
        "html": svg,
        "label": label,
        "west": box[0],
        "top": top,
        "kx": kx,
        "ky": ky,
        "width": width,
        "height": height,
    }
