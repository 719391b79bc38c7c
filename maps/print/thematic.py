"""The thematic decisions the print renderer makes, each in one small named place.

These choose *what* a reader sees rather than how it is drawn: label typography
and priority, town tiers, which legend rows show, arrowhead proportions, the
credits this renderer adds and the locator's window. Each is a constant or a
short function so that a renderer-neutral scene can later supply it instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from layers import Credit, Layer, Style
from layers.theme import TEXT
from maps.print.legend import LegendGroup
from maps.print.symbols import feature_styles
from maps.print.text import TextStyle
from maps.spec import MapSpec

# --- labels ---------------------------------------------------------------------------------

# Label typography per layer id; layers not listed use LABEL_DEFAULTS by kind.
LABEL_STYLES: dict[str, TextStyle] = {
    "countries": TextStyle(9.0, weight="bold", colour="#8c7f71", halo=1.2, uppercase=True),
    "admin1": TextStyle(6.0, style="italic", colour="#6f665c", halo=1.0),
    "valley_provinces": TextStyle(6.0, style="italic", colour="#6f665c", halo=1.0),
    "lakes": TextStyle(6.0, style="italic", colour="#2b6a99", halo=1.0),
    "rivers": TextStyle(6.0, style="italic", colour="#2b6a99", halo=1.0),
    "enclaves": TextStyle(7.0, weight="bold", colour="#1d1d1d", halo=1.2),
    "enclave_points": TextStyle(6.5, colour="#1d1d1d", halo=1.1),
    "places": TextStyle(7.0, colour=TEXT, halo=1.1),
    "csto": TextStyle(6.5, colour="#5a2220", halo=1.0),
}
LABEL_DEFAULTS = {
    "point": TextStyle(7.0, halo=1.1),
    "flow": TextStyle(6.5, style="italic", halo=1.0),
    "area": TextStyle(6.5, style="italic", colour="#4d4540", halo=1.0),
    "line": TextStyle(6.0, style="italic", halo=1.0),
}
ANNOTATION_STYLE = TextStyle(7.0, style="italic", colour="#3a2f28", halo=1.2)
# Which layers label first (lower first): the map's thematic points (not in this table),
# then towns, enclaves, countries, water and provinces; ties go to later layers.
LABEL_RANK = {
    "places": 2,
    "enclaves": 2.5,
    "countries": 6,
    "csto": 6,
    "world": 6.5,
    "lakes": 7,
    "valley_provinces": 8,
    "admin1": 9,
    "rivers": 10,
}
KIND_RANK = {"point": 1, "flow": 1, "area": 5, "line": 10}
# Area layers whose labels also show in magnifier insets (others would clutter them).
INSET_AREA_LABELS = ("countries", "enclaves", "csto")

# Town tiers: the layer whose labels are tiered, and the population of a big town.
PLACE_TIER_LAYER = "places"
BIG_PLACE_POPULATION = 300_000
CAPITAL_LABEL = TextStyle(8.0, weight="bold", colour=TEXT, halo=1.2)
BIG_PLACE_LABEL = TextStyle(7.5, colour=TEXT, halo=1.2)
SMALL_PLACE_LABEL = TextStyle(6.6, colour=TEXT, halo=1.0)


def label_rank(position: int, layer: Layer) -> float:
    """Label priority of a layer (lower first); later layers (higher `position`) win ties."""
    rank = LABEL_RANK.get(layer.id, KIND_RANK.get(layer.kind, 9))
    return rank - position / 1000


def labelled_in_insets(layer: Layer) -> bool:
    """Whether a layer's labels also show in magnifier insets."""
    return layer.kind == "point" or layer.id in INSET_AREA_LABELS


def label_styles(layer: Layer, frame: gpd.GeoDataFrame) -> np.ndarray:
    """The (unscaled) label style of every feature of `frame`, as an object array."""
    out = np.empty(len(frame), dtype=object)
    out[:] = [LABEL_STYLES.get(layer.id, LABEL_DEFAULTS[layer.kind])] * len(frame)
    if layer.id == PLACE_TIER_LAYER:
        out[:] = place_tiers(frame)
    return out


def place_tiers(frame: gpd.GeoDataFrame) -> list[TextStyle]:
    """Town label styles: capitals, towns of BIG_PLACE_POPULATION or more, other towns."""
    n = len(frame)
    kinds = frame["kind"].astype(str).to_numpy() if "kind" in frame else np.full(n, "")
    population = (
        pd.to_numeric(frame["population"], errors="coerce").to_numpy(dtype=float)
        if "population" in frame
        else np.full(n, np.nan)
    )
    big = ~np.isnan(population) & (population >= BIG_PLACE_POPULATION)
    return [
        CAPITAL_LABEL if kind == "capital" else BIG_PLACE_LABEL if b else SMALL_PLACE_LABEL
        for kind, b in zip(kinds, big, strict=True)
    ]


# --- legend ---------------------------------------------------------------------------------

NOT_REPORTED = "not reported"  # the size key's row for features without a value


def legend_group(
    layer: Layer, present: set[Style], frame: gpd.GeoDataFrame, title: str | None = None
) -> LegendGroup | None:
    """A layer's legend group: only styles drawn, plus a "not reported" row if values lack.

    Parameters
    ----------
    layer : Layer
        The layer.
    present : set of Style
        Styles of the features drawn; category entries not among them are left out.
    frame : GeoDataFrame
        The layer's features, to find missing size values.
    title : str, optional
        Heading (default: the layer's title).

    Returns
    -------
    LegendGroup or None
        None if nothing of the layer is drawn.
    """
    if not present:
        return None
    category_styles = (
        {s for _, s in layer.categories.styles.values()} if layer.categories else set()
    )
    entries = [e for e in layer.legend if e.style not in category_styles or e.style in present]
    size = layer.size
    unknown = None
    if size is not None and size.column in frame:
        values = pd.to_numeric(frame[size.column], errors="coerce")
        missing = np.flatnonzero(values.isna().to_numpy())
        if len(missing):
            unknown = feature_styles(layer, frame)[missing[0]]
    return LegendGroup(title or layer.title, entries, size, layer.style, unknown)


# --- flows ----------------------------------------------------------------------------------

ARROWHEAD_LENGTH = 2.2  # × the flow's width
ARROWHEAD_WIDTH = 2.0  # × the flow's width
ARROWHEAD_MIN = (5.0, 4.2)  # smallest head (length, width) in points at type scale 1


def arrowhead_size(width_pt: float, s: float) -> tuple[float, float]:
    """Arrowhead length and width (points) for a flow `width_pt` wide at type scale `s`."""
    return (
        max(ARROWHEAD_LENGTH * width_pt, ARROWHEAD_MIN[0] * s),
        max(ARROWHEAD_WIDTH * width_pt, ARROWHEAD_MIN[1] * s),
    )


# --- credits and locator --------------------------------------------------------------------


def extra_credits(spec: MapSpec) -> list[Credit]:
    """Credits the print renderer adds to the composition's.

    The relief (if shaded), and world countries when a locator or context inset draws them.
    """
    extra = [Credit.of("relief")] if spec.relief else []
    if any(inset.kind in ("locator", "context") for inset in spec.insets):
        extra.append(Credit.of("world_countries"))
    return extra


LOCATOR_HALF_SPAN = (20.0, 12.0)  # at least this many degrees (lon, lat) around the map
LOCATOR_MAX_HALF_SPAN = (100.0, 40.0)


def locator_window(extent: Sequence[float]) -> tuple[float, float, float, float]:
    """The lon/lat window of the locator inset around a map's `extent`."""
    west, south, east, north = extent
    cx, cy = (west + east) / 2, (south + north) / 2
    hx = min(max(LOCATOR_HALF_SPAN[0], 4 * (east - west)), LOCATOR_MAX_HALF_SPAN[0])
    hy = min(max(LOCATOR_HALF_SPAN[1], 4 * (north - south)), LOCATOR_MAX_HALF_SPAN[1])
    return (max(cx - hx, -180), max(cy - hy, -85), min(cx + hx, 180), min(cy + hy, 85))
