"""Where fergana's detailed base geography reaches, and what a map outside it gets.

The detailed layers (Natural Earth 10 m countries, boundary lines, rivers, lakes,
places) are cut to :data:`DETAILED_WINDOW`; beyond it only the 1:110 m world
countries exist. A map whose extent leaves the window still builds, on the world
layer there, with a warning naming the window.
"""

from __future__ import annotations

from collections.abc import Sequence

#: (west, south, east, north) of the detailed base geography, degrees.
DETAILED_WINDOW: tuple[float, float, float, float] = (38.0, 30.0, 90.0, 56.0)


def window_text(window: Sequence[float] = DETAILED_WINDOW) -> str:
    """The window in words, e.g. ``"lon 38-90 E, lat 30-56 N"``."""
    west, south, east, north = window
    return f"lon {west:g}-{east:g} E, lat {south:g}-{north:g} N"


def overlaps(a: Sequence[float], b: Sequence[float]) -> bool:
    """True when two (west, south, east, north) boxes share some area."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(extent: Sequence[float], window: Sequence[float] = DETAILED_WINDOW) -> bool:
    """True when `extent` lies wholly inside `window`."""
    return (
        window[0] <= extent[0]
        and window[1] <= extent[1]
        and extent[2] <= window[2]
        and extent[3] <= window[3]
    )


def coverage_warning(extent: Sequence[float]) -> str | None:
    """A warning for an extent that leaves the detailed window, or None when inside."""
    if inside(extent):
        return None
    return (
        f"the extent {list(extent)} reaches beyond fergana's detailed base geography "
        f"({window_text()}); there the map shows the 1:110 m world countries only"
    )


def looks_swapped(extent: Sequence[float]) -> bool:
    """True when `extent` misses the detailed window but would lie inside it with lon/lat exchanged.

    "Inside", not "overlapping": a map of Turkey ([27, 37, 36, 41.5]) misses the window and
    its exchange ([37, 27, 41.5, 36]) touches it, yet it is a proper extent.
    """
    west, south, east, north = extent
    return not overlaps(extent, DETAILED_WINDOW) and inside((south, west, north, east))
