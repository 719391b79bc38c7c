"""Map panes: one per layer (named by the scene layer's key), stacked in layer order.

The relief goes above the opaque base layers at the bottom, under everything else.
"""

from __future__ import annotations

from collections.abc import Sequence

from maps.scene import SceneLayer

NOTES_PANE = "fg-notes"
RELIEF_PANE = "fg-relief"
TILES_PANE = "fg-tiles"


def layer_z(n: int) -> int:
    """z-index of the n-th layer's pane (above Leaflet's overlay pane, 400)."""
    return 402 + 2 * n


def relief_z(layers: Sequence[SceneLayer]) -> int:
    """Relief goes right above the opaque area layers at the bottom (country fills)."""
    n = 0
    while n < len(layers) and layers[n].kind == "area" and _opaque(layers[n]):
        n += 1
    return layer_z(n) - 1


def _opaque(scene_layer: SceneLayer) -> bool:
    return bool(scene_layer.styles) and all(
        s.fill is not None and s.fill_opacity >= 1 for s in scene_layer.styles
    )
