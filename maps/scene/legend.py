"""One legend model: what each layer's legend says, laid out by each renderer its own way.

The legend speaks only of what the map shows: the features inside the spec's extent
(:attr:`SceneLayer.in_view`). A layer with none there has no section. A section lists
the layer's legend entries, leaving out category styles that no feature in view
uses -- except the classes of an ordered scale, which are all kept so that the
breaks read without a gap (its "No data" row still only where a feature in view has
no value); a size key at the scale's key values up to the first that reaches the
largest value in view (a key of 100,000 for a map whose largest is 900 says nothing
of it), below them a "thinnest" row where a data key's scale draws a value in view
at its minimum size; and a "not reported" row where a feature in view has no value.
A section of one row and no key needs no heading.
"""

from __future__ import annotations

import numpy as np

import layers
from geo.language import N_, current
from layers import Category, Layer, LegendEntry, Style
from layers.classes import NO_DATA_KEY
from layers.keys import thinnest_label
from maps.scene.model import LegendRow, LegendSection, SceneLayer, SizeKey, SizeKeyRow

NOT_REPORTED = N_("not reported")
#: Themes (:data:`layers.REGISTRY`) whose legend rows are the data's own words (a
#: timeline's events): shown as labels from the data, not as catalog messages.
DATA_ROW_THEMES = ("timeline",)


def format_value(value: float) -> str:
    """A size-key value as a reader sees it, in the current language ("75,000"; "75 000")."""
    return current().number(value)


def row_text(layer: Layer, row: LegendEntry | Category) -> str:
    """A legend row's label in the current language.

    The layer's own words come from the catalog; a row that lists data names is worded
    with them (:class:`layers.Wording`); a timeline's rows (its events as the facts
    table words them) are data, and a data text without a translation is recorded as
    a missing name, as labels are.
    """
    if row.wording is not None:
        return row.wording.text(current())
    entry = layers.REGISTRY.get(layer.id)
    if entry is not None and entry.theme in DATA_ROW_THEMES:
        return current().label(row.label)
    return current().gettext(row.label)


def legend_section(scene_layer: SceneLayer, context: str = "") -> LegendSection | None:
    """The legend section of a layer, from its features in view (``scene_layer.in_view``).

    `context` is the title of the context inset the layer is drawn in, already in the
    scene's language (:attr:`maps.scene.SceneInset.title`). None where the layer has
    nothing to show (no entries in view and no size key).
    """
    layer = scene_layer.layer
    in_view = scene_layer.in_view
    if not in_view.any():
        return None
    categories = layer.categories
    classes = (
        {c.style for value, c in categories.styles.items() if value != NO_DATA_KEY}
        if categories is not None and categories.ordered
        else set()
    )
    rows = tuple(
        LegendRow(e.kind, row_text(layer, e), e.style)
        for e in layer.legend or []
        # every class of a scale; any other entry where a feature in view stands for it
        if e.style in classes or (row_members(scene_layer, e) & in_view).any()
    )
    size_key = _size_key(scene_layer, in_view)
    if not rows and size_key is None:
        return None
    own = current().gettext(layer.title)
    title = own if not context or context == own else f"{own} ({context})"
    heading = title if len(rows) > 1 or size_key is not None else None
    return LegendSection(scene_layer.key, title, heading, rows, size_key, context)


def row_members(scene_layer: SceneLayer, row: LegendRow | LegendEntry) -> np.ndarray:
    """Which features a legend row stands for (a boolean mask over the frame).

    A category's row: the features of that category (categories may share a style,
    e.g. numbered events). Another row drawn in a category's style: the features
    drawn in it. A row in no category's style (the layer's own key): every feature.
    """
    categories = scene_layer.layer.categories
    frame = scene_layer.layer.frame
    if categories is None:
        return np.ones(len(frame), dtype=bool)
    layer = scene_layer.layer
    # a row's label is the category's, or (a scene's legend row) its translation
    values = [
        v
        for v, c in categories.styles.items()
        # (translated only where the label differs: wording a row records its names)
        if c.style == row.style and (row.label == c.label or row.label == row_text(layer, c))
    ]
    if values and categories.column in frame:
        return frame[categories.column].isin(values).to_numpy(dtype=bool, na_value=False)
    if row.style in {c.style for c in categories.styles.values()}:
        return np.isin(
            scene_layer.style_codes,
            [k for k, style in enumerate(scene_layer.styles) if style == row.style],
        )
    return np.ones(len(frame), dtype=bool)


def _size_key(scene_layer: SceneLayer, in_view: np.ndarray) -> SizeKey | None:
    layer: Layer = scene_layer.layer
    size = layer.size
    if size is None or not size.key_values:
        return None
    key_style: Style = layer.style
    values = scene_layer.values
    rows = [
        SizeKeyRow(format_value(v), size.size(v), key_style, float(v))
        for v in keys_in_view(size.key_values, values, in_view)
    ]
    floor = size.floor_value()
    if size.thinnest and values is not None and (in_view & (values <= floor)).any():
        rows.insert(0, SizeKeyRow(thinnest_label(floor), size.min_size, key_style, floor))
    if values is not None:
        missing = np.flatnonzero(np.isnan(values) & in_view)
        if len(missing):
            rows.append(
                SizeKeyRow(
                    current().gettext(NOT_REPORTED),
                    size.unknown_size,
                    scene_layer.style(int(missing[0])),
                )
            )
    if not rows:
        return None
    return SizeKey(current().gettext(size.label), "point" if size.by_area else "line", tuple(rows))


def keys_in_view(
    keys: tuple[float, ...], values: np.ndarray | None, in_view: np.ndarray
) -> tuple[float, ...]:
    """The key values that speak of the values in view: up to the first reaching the largest.

    All of `keys` where the layer has no values (a fixed key); none where no value
    in view is reported.
    """
    if values is None:
        return tuple(keys)
    shown = values[in_view & np.isfinite(values)]
    if not len(shown):
        return ()
    largest = float(shown.max())
    reaching = [k for k in sorted(keys) if k >= largest][:1]
    return tuple(k for k in sorted(keys) if k < largest) + tuple(reaching)
