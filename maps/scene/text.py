"""The map in words: a plain-text description for screen readers, alt text and ``ID.txt``."""

from __future__ import annotations

from layers import Layer
from maps.scene.model import Scene

# Backdrop layers a description need not list.
BACKDROP = ("countries", "admin1", "lakes")


def describe(scene: Scene) -> str:
    """A plain-text description of the map for screen readers and alt text."""
    spec = scene.spec
    west, south, east, north = spec.extent
    lines = [spec.title + (f": {spec.subtitle}" if spec.subtitle else "") + "."]
    lines.append(
        f"A map of the area from {abs(west):.1f}°{'E' if west >= 0 else 'W'} to "
        f"{abs(east):.1f}°{'E' if east >= 0 else 'W'} and {abs(south):.1f}°"
        f"{'N' if south >= 0 else 'S'} to {abs(north):.1f}°{'N' if north >= 0 else 'S'}."
    )
    for scene_layer in scene.layers:
        layer = scene_layer.layer
        if layer.kind == "area" and layer.id in BACKDROP:
            continue
        names = _feature_names(layer)
        sentence = (
            f"{layer.title}: {len(layer.frame)} feature{'s' if len(layer.frame) != 1 else ''}"
        )
        if names:
            sentence += " — " + ", ".join(names)
        lines.append(sentence + ".")
        if layer.description:
            lines.append(layer.description)
    if scene.caption:
        lines.append(scene.caption)
    lines.append(scene.credit_line() + ".")
    return "\n".join(lines) + "\n"


def _feature_names(layer: Layer, limit: int = 12) -> list[str]:
    column = layer.label or (layer.fields[0].column if layer.fields else None)
    if column is None or column not in layer.frame:
        return []
    names = [str(v) for v in layer.frame[column].dropna().unique() if str(v).strip()]
    return names[:limit] + ([f"and {len(names) - limit} more"] if len(names) > limit else [])
