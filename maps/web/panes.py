"""Map panes: one per layer, stacked in layer order, with the relief above the opaque base."""

from __future__ import annotations

from collections.abc import Sequence

from layers import Layer

NOTES_PANE = "fg-notes"
RELIEF_PANE = "fg-relief"
TILES_PANE = "fg-tiles"


def pane_names(layers: Sequence[Layer]) -> list[str]:
    """A pane name per layer (``fg-`` + id), made unique with the layer's position."""
    names: list[str] = []
    for n, layer in enumerate(layers):
        name = f"fg-{layer.id}".replace("_", "-")
        names.append(name if name not in names else f"{name}-{n}")
    return names


def layer_z(n: int) -> int:
    """z-index of the n-th layer's pane (above Leaflet's overlay pane, 400)."""
    return 402 + 2 * n


def relief_z(layers: Sequence[Layer]) -> int:
    """Relief goes right above the opaque base layers at the bottom (country fills)."""
    n = 0
    while (
        n < len(layers)
        and layers[n].kind == "area"
        and layers[n].style.fill is not None
        and layers[n].style.fill_opacity >= 1
    ):
        n += 1
    return layer_z(n) - 1
