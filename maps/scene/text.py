"""The map in words: a plain-text description for screen readers, alt text and ``ID.txt``.

A layer's features are listed under the same categories as its legend section
(the rows a reader sees in the legend, in legend order), so the words and the
key can never disagree.
"""

from __future__ import annotations

import numpy as np

from layers import Layer
from maps.scene.model import LegendSection, Scene, SceneLayer

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
    sections = {s.key: s for s in scene.legend if not s.context}
    for scene_layer in scene.layers:
        layer = scene_layer.layer
        if layer.kind == "area" and layer.id in BACKDROP:
            continue
        lines.append(_layer_sentence(scene_layer, sections.get(scene_layer.key)))
        if layer.description:
            lines.append(layer.description)
    if scene.caption:
        lines.append(scene.caption)
    lines.append(scene.credit_line() + ".")
    return "\n".join(lines) + "\n"


def legend_categories(scene_layer: SceneLayer, section: LegendSection | None) -> list[str]:
    """The category labels a description lists for a layer: its legend rows with features."""
    if section is None or scene_layer.layer.categories is None:
        return []
    return [label for label, _, _ in _by_category(scene_layer, section)]


def _layer_sentence(scene_layer: SceneLayer, section: LegendSection | None) -> str:
    layer = scene_layer.layer
    count = len(layer.frame)
    sentence = f"{layer.title}: {count} feature{'s' if count != 1 else ''}"
    groups = (
        _by_category(scene_layer, section)
        if section is not None and layer.categories is not None
        else []
    )
    if groups:
        sentence += " — " + "; ".join(
            f"{label}: {', '.join(names)}" if names else f"{label} ({count} drawn)"
            for label, names, count in groups
        )
    else:
        names = _feature_names(layer, np.arange(count))
        if names:
            sentence += " — " + ", ".join(names)
    if section is not None and section.size_key is not None:
        sentence += f" (sized by {section.size_key.title.lower()})"
    return sentence + "."


def _by_category(
    scene_layer: SceneLayer, section: LegendSection
) -> list[tuple[str, list[str], int]]:
    """(legend row label, names and number of the features in that row's style), in order."""
    codes = scene_layer.style_codes
    groups = []
    for row in section.rows:
        matching = [c for c, s in enumerate(scene_layer.styles) if s == row.style]
        features = np.flatnonzero(np.isin(codes, matching))
        if len(features):
            groups.append((row.label, _feature_names(scene_layer.layer, features), len(features)))
    return groups


def _feature_names(layer: Layer, features: np.ndarray, limit: int = 12) -> list[str]:
    column = layer.fields[0].column if layer.fields else layer.label
    if column is None or column not in layer.frame:
        return []
    values = layer.frame[column].iloc[features].dropna().unique()
    names = [str(v) for v in values if str(v).strip()]
    return names[:limit] + ([f"and {len(names) - limit} more"] if len(names) > limit else [])
