"""The map in words: a plain-text description for screen readers, alt text and ``ID.txt``.

Everything here is generated from the scene, never typed. Per layer, the features
inside the map's extent (:attr:`SceneLayer.in_view`, the same features the legend
speaks of) are listed under the same categories as its legend section (the rows a
reader sees in the legend, in legend order), so the words and the key can never
disagree. Each feature comes with its key value and units where the layer has one
(the size scale's value, else its first numeric popup field), largest first, at
most :data:`NAMES_SHOWN` per category and then "and N more"; a timed layer says
the dates of its features in view. The caption follows, then each figure it quotes
with who reported it, then the sources.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.language import current, tr, tr_n
from layers import Layer
from layers.figures import Figure, figure
from maps.scene.legend import format_value, row_members
from maps.scene.model import LegendSection, Scene, SceneLayer

# Backdrop layers a description need not list.
BACKDROP = ("countries", "admin1", "lakes")
#: Features named per category before "and N more".
NAMES_SHOWN = 12
# Columns that name a feature, where a layer has no label column.
NAME_COLUMNS = ("name", "title", "place", "site", "town", "city")
# Popup fields that are numbers but no measure of the feature.
POSITION_COLUMNS = ("lat", "lon", "latitude", "longitude", "x", "y")
# The key title's note on how a size is drawn, left out where the title names units.
DRAWN_AS = (" (line width)", " (circle area)")


@dataclass(frozen=True)
class Measure:
    """What a layer's features are measured by, as a reader reads it.

    Attributes
    ----------
    values : ndarray of float
        Per feature, NaN where not reported (sorted last).
    texts : list of str
        Per feature, the value with its units (``"13,000 people"``); "" where none.
    """

    values: np.ndarray
    texts: list[str]


def describe(scene: Scene) -> str:
    """A plain-text description of the map for screen readers and alt text.

    In the current language: its sentences from the catalog, numbers, dates and
    coordinates in its formats, feature names from the names sources.
    """
    spec = scene.spec
    west, south, east, north = spec.extent
    lines = [full_stop(spec.title + (f": {spec.subtitle}" if spec.subtitle else ""))]
    where = tr(
        "A map of the area from {west} to {east} and {south} to {north}",
        west=_longitude(west),
        east=_longitude(east),
        south=_latitude(south),
        north=_latitude(north),
    )
    lines.append(full_stop(where))
    sections = {s.key: s for s in scene.legend if not s.context}
    for scene_layer in scene.layers:
        layer = scene_layer.layer
        if (layer.kind == "area" and layer.id in BACKDROP) or not scene_layer.in_view.any():
            continue
        lines.append(_layer_sentence(scene_layer, sections.get(scene_layer.key)))
        if layer.description:
            # built from the data, a description may have no catalog entry: recorded missing
            lines.append(current().gettext(layer.description))
    if scene.caption:
        lines.append(scene.caption)
    lines.extend(
        full_stop(
            tr(
                "Figure in the caption: {figure}. Reported by: {sources}",
                figure=f.text,
                sources=f.sources,
            )
        )
        for f in scene.caption_figures
    )
    lines.append(full_stop(scene.credit_line()))
    return "\n".join(lines) + "\n"


def caption_figures(caption: str) -> tuple[Figure, ...]:
    """The sourced figures a caption's ``{name}`` placeholders quote, each once, in order."""
    names = [name for _, name, _, _ in string.Formatter().parse(caption) if name]
    return tuple(figure(name) for name in dict.fromkeys(names))


def legend_categories(scene_layer: SceneLayer, section: LegendSection | None) -> list[str]:
    """The category labels a description lists for a layer: legend rows with features in view."""
    if section is None or scene_layer.layer.categories is None:
        return []
    return [label for label, _, _ in _by_category(scene_layer, section, _measure(scene_layer))]


def layer_dates(scene_layer: SceneLayer) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The first and last date of a timed layer's features in view; None if untimed or undated."""
    layer = scene_layer.layer
    if layer.time is None or layer.time not in layer.frame:
        return None
    days = pd.to_datetime(
        layer.frame[layer.time][scene_layer.in_view].astype(str).str[:10],
        errors="coerce",
        format="%Y-%m-%d",
    ).dropna()
    return (days.min(), days.max()) if len(days) else None


def _layer_sentence(scene_layer: SceneLayer, section: LegendSection | None) -> str:
    layer = scene_layer.layer
    language = current()
    count = int(scene_layer.in_view.sum())
    sentence = tr_n(
        "{title}: {count} feature in view",
        "{title}: {count} features in view",
        count,
        title=language.gettext(layer.title),
        count=_count(count),
    )
    dates = layer_dates(scene_layer)
    if dates is not None:
        first, last = (language.date(d.date()) for d in dates)
        sentence += (
            tr(", dated {day}", day=first)
            if first == last
            else tr(", dated {first} to {last}", first=first, last=last)
        )
    measure = _measure(scene_layer)
    groups = (
        _by_category(scene_layer, section, measure)
        if section is not None and layer.categories is not None
        else []
    )
    if groups:
        sentence += " — " + "; ".join(
            f"{label}: {', '.join(names)}"
            if names
            else tr("{label} ({count} drawn)", label=label, count=_count(count))
            for label, names, count in groups
        )
    else:
        names = _feature_names(layer, np.flatnonzero(scene_layer.in_view), measure)
        if names:
            sentence += " — " + ", ".join(names)
    if section is not None and section.size_key is not None:
        sentence += tr(" (sized by {key})", key=section.size_key.title.lower())
    return full_stop(sentence)


def _by_category(
    scene_layer: SceneLayer, section: LegendSection, measure: Measure | None
) -> list[tuple[str, list[str], int]]:
    """(legend row label, names and number of the features in view in that row's style)."""
    groups = []
    for row in section.rows:
        features = np.flatnonzero(row_members(scene_layer, row) & scene_layer.in_view)
        if len(features):
            names = _feature_names(scene_layer.layer, features, measure)
            groups.append((row.label, names, len(features)))
    return groups


def _measure(scene_layer: SceneLayer) -> Measure | None:
    """The layer's key value per feature: its size scale's, else its first numeric popup field."""
    layer = scene_layer.layer
    if layer.size is not None and scene_layer.values is not None:
        units = layer.size.label
        for note in DRAWN_AS:
            units = units.removesuffix(note)
        units = current().gettext(units.lower()) if units.lower() != "count" else ""
        values = scene_layer.values
        texts = [
            "" if np.isnan(v) else f"{format_value(v)} {units}".strip() for v in values.tolist()
        ]
        return Measure(values, texts)
    frame = layer.frame
    for field in layer.fields[1:]:
        column = frame.get(field.column)
        if column is None or field.column.lower() in POSITION_COLUMNS:
            continue
        if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            continue
        name = field.label.split(" (")[0].strip()
        name = current().gettext(name[:1].lower() + name[1:])
        values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
        texts = ["" if np.isnan(v) else f"{name} {_field_value(field, v)}" for v in values.tolist()]
        return Measure(values, texts)
    return None


def _feature_names(
    layer: Layer, features: np.ndarray, measure: Measure | None, limit: int = NAMES_SHOWN
) -> list[str]:
    """Names of `features` with their key values, largest first, then "and N more"."""
    names = _names(layer)
    if names is None:
        return []
    if measure is not None:
        # largest first, unreported last, frame order among equals
        order = np.argsort(-np.nan_to_num(measure.values[features], nan=-np.inf), kind="stable")
        features = features[order]
    entries = []
    for k in features.tolist():
        name = current().label(names[k]) if layer.kind != "flow" else _flow_name(names[k])
        if not name:
            continue
        value = measure.texts[k] if measure is not None else ""
        entries.append(f"{name} ({value})" if value else name)
    entries = list(dict.fromkeys(entries))
    more = len(entries) - limit
    return entries[:limit] + ([tr("and {count} more", count=_count(more))] if more > 0 else [])


def _names(layer: Layer) -> list[str] | None:
    """Each feature's name: its tooltip, a name column, its label or its first text field.

    A flow is named "origin → destination".
    """
    frame = layer.frame
    columns = [f.column for f in layer.fields]
    if layer.kind == "flow" and {"origin", "destination"} <= set(columns) & set(frame.columns):
        return [
            " → ".join(cell_text(v) for v in pair if cell_text(v))
            for pair in zip(frame["origin"], frame["destination"], strict=True)
        ]
    texts = [c for c in columns if c in frame and not pd.api.types.is_numeric_dtype(frame[c])]
    named = [c for c in texts if c.lower() in NAME_COLUMNS]
    # a tooltip of bare numbers (an event's number) names nothing
    tooltip = [c for c in texts[:1] if c == columns[0] and not _all_numbers(frame[c])]
    label = [layer.label] if layer.label in frame else []
    column = (tooltip or named or label or texts or columns or [None])[0]
    if column is None or column not in frame:
        return None
    return [cell_text(v) for v in frame[column]]


def full_stop(text: str) -> str:
    """`text` ended with a full stop; in languages but English, none after an abbreviation's.

    Russian dates end in «г.», which a sentence does not double; English keeps the
    text exactly as it always ended.
    """
    if text.endswith(".") and not current().is_source:
        return text
    return text + "."


def _flow_name(name: str) -> str:
    """A flow's "origin → destination", each end named in the current language."""
    return " → ".join(current().label(part) for part in name.split(" → "))


def _count(n: int) -> str:
    """A count of features: as English always wrote it ("1500"); other languages' digits."""
    language = current()
    return str(n) if language.is_source else language.number(n)


def _degrees(value: float) -> str:
    """Degrees to one decimal, rounded as English rounds them (73.45 -> 73.5)."""
    return current().number(float(f"{abs(value):.1f}"), decimals=1)


def _longitude(value: float) -> str:
    degrees = _degrees(value)
    return tr("{degrees}°E", degrees=degrees) if value >= 0 else tr("{degrees}°W", degrees=degrees)


def _latitude(value: float) -> str:
    degrees = _degrees(value)
    return tr("{degrees}°N", degrees=degrees) if value >= 0 else tr("{degrees}°S", degrees=degrees)


def _field_value(field, value: float) -> str:
    """A popup field's value; in another language, its number in the language's format.

    A field's pattern (``"{:,.0f} km²"``) is Python's, so English keeps it; another
    language writes the number itself and takes the pattern's unit from the catalog.
    """
    language = current()
    found = re.fullmatch(r"\{(?::,?(?:\.(\d+)f)?)?\}(.*)", field.fmt)
    if language.is_source or found is None:
        return field.format(value)
    decimals = int(found.group(1)) if found.group(1) is not None else None
    unit = found.group(2).strip()
    number = language.number(value, decimals=decimals)
    return f"{number} {language.gettext(unit)}" if unit else number


def _all_numbers(column: pd.Series) -> bool:
    return bool(column.dropna().astype(str).str.fullmatch(r"\s*[\d.,]+\s*").all())


def cell_text(value: object) -> str:
    """A table cell as text: stripped, and "" for None or a missing value."""
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value).strip()
