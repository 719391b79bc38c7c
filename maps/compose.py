"""Composition: a spec turned into built layers, credits and text, shared by both renderers."""

from __future__ import annotations

import string
from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import shapely

import geo
import layers
from geo.coverage import coverage_warning
from geo.language import current
from layers import Credit, Layer
from layers.figures import figure
from layers.source import places_credits
from maps.spec import Annotation, MapSpec, SpecError, check_options, option_error

# Features are clipped to the extent grown by this share of its size on each side,
# so lines leave the frame cleanly and panning a little shows no cut edges.
CLIP_MARGIN = 0.25


@dataclass(frozen=True)
class PlacedAnnotation:
    """An annotation with its resolved position."""

    text: str
    lon: float
    lat: float


@dataclass(frozen=True)
class Composition:
    """Everything a renderer draws for one spec.

    Attributes
    ----------
    layers : list of Layer
        In drawing order, clipped around the extent, titles overridden by the spec.
    visible : list of bool
        Whether each layer shows when the web map opens.
    labelled : list of bool
        Whether each layer's labels are drawn.
    credits : list of Credit
        Compiled from the layers, each source once, in first-use order.
    warnings : tuple of str
        What the reader of the build should know, e.g. an extent beyond the
        detailed base geography (the map still builds).
    """

    spec: MapSpec
    layers: list[Layer]
    visible: list[bool]
    labelled: list[bool]
    annotations: list[PlacedAnnotation]
    credits: list[Credit]
    caption: str = ""
    caption_sources: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def credit_line(self) -> str:
        """All credits on one line."""
        return "Sources: " + "; ".join(c.text() for c in self.credits)


def compose(spec: MapSpec) -> Composition:
    """Build every layer of `spec` and compile its credits.

    Raises
    ------
    SpecError
        When a layer cannot be built with the spec's options, naming the spec and
        ``layers[N].option`` with the options the layer takes.
    geo.DataError
        Bad user data, naming the data file, line and field (passed on unchanged).
    """
    check_options(spec)
    built: list[Layer] = []
    for n, ref in enumerate(spec.layers):
        try:
            layer = layers.build(ref.id, **ref.options)
        except layers.LayerOptionError as err:
            if err.wrong_type is None:
                raise option_error(spec.source, n, ref.id, err.option, err.allowed) from None
            raise SpecError(
                spec.source, err.problem, field=f"layers[{n}].{err.option}", hint=err.hint
            ) from None
        if ref.title:
            layer = replace(layer, title=ref.title)
        layer = _without_paths(layer, ref.options.get("data"))
        built.append(layer.with_frame(clip(layer.frame, spec.extent)))
    caption, caption_sources = resolve_caption(spec)
    placed = [_place(a, spec, n) for n, a in enumerate(spec.annotations)]
    found = [place for _, place in placed if place is not None]  # GeoNames asks for credit
    warning = coverage_warning(spec.extent) if _uses_detailed_data(spec) else None
    return Composition(
        spec=spec,
        caption=caption,
        caption_sources=caption_sources,
        layers=built,
        visible=[ref.visible for ref in spec.layers],
        labelled=[ref.labels for ref in spec.layers],
        annotations=[note for note, _ in placed],
        credits=unique_credits(
            [*(c for layer in built for c in layer.credits), *places_credits(found)]
        ),
        warnings=(warning,) if warning else (),
    )


def _without_paths(layer: Layer, data) -> Layer:
    """`layer` with the folders of its data file cut from its credits and description.

    User files are credited by file name only: a builder that names the path it
    was given must not carry the user's folders into a published map.
    """
    if not isinstance(data, str | Path) or str(data).lower().startswith(("http:", "https:")):
        return layer
    path = Path(data)
    spelled = sorted({str(path), str(path.resolve()), path.resolve().as_posix()}, key=len)
    name = path.name

    def cut(text: str) -> str:
        for long in reversed(spelled):  # the longest first, so no prefix is left behind
            text = text.replace(long, name)
        return text

    return replace(
        layer,
        credits=[replace(c, source=cut(c.source)) for c in layer.credits],
        description=cut(layer.description),
    )


# Layers drawn from the detailed base geography (geo/coverage.py) when given no data of
# the user's; a map of only the world layer, the user's data or facts needs no warning.
DETAILED_LAYERS = ("countries", "boundaries", "rivers", "lakes", "places")


def _uses_detailed_data(spec: MapSpec) -> bool:
    """True when the map draws relief or a layer cut to the detailed window."""
    return spec.relief or any(
        ref.id in DETAILED_LAYERS and "data" not in ref.options for ref in spec.layers
    )


def resolve_caption(spec: MapSpec) -> tuple[str, tuple[str, ...]]:
    """The caption with each ``{figure}`` replaced by its sourced text, and those sources."""
    used: dict[str, str] = {}

    class _Figures(dict):
        def __missing__(self, name: str) -> str:
            try:
                found = figure(name)
            except KeyError as err:
                raise SpecError(spec.source, str(err.args[0]), field="caption") from None
            used[name] = found.sources
            return found.text

    for _text, name, spec_, conversion in string.Formatter().parse(spec.caption):
        if name is not None and (not name.isidentifier() or spec_ or conversion):
            raise SpecError(
                spec.source,
                f"caption placeholder {{{name}}} must be a plain figure name",
                field="caption",
                hint="write {figure_name}; see layers/figures.py",
            )
    figures, parts = _Figures(), []
    try:
        for literal, name, _spec, _conversion in string.Formatter().parse(spec.caption):
            if parts and _ends_abbreviated(parts[-1]) and literal.startswith("."):
                literal = literal[1:]  # «к 21 июня 2010 г.» ends the sentence: no second stop
            parts.append(literal)
            if name is not None:
                parts.append(figures[name])
    except (ValueError, IndexError) as err:
        raise SpecError(spec.source, f"bad {{placeholder}} ({err})", field="caption") from None
    return "".join(parts), tuple(dict.fromkeys(used.values()))


def _ends_abbreviated(text: str) -> bool:
    """Whether a figure ends in an abbreviation's full stop (not in English: kept as written)."""
    return text.endswith(".") and not current().is_source


def clip(frame: gpd.GeoDataFrame, extent: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    """Features of `frame` cut to `extent` grown by :data:`CLIP_MARGIN`; empty results dropped."""
    west, south, east, north = extent
    dx, dy = (east - west) * CLIP_MARGIN, (north - south) * CLIP_MARGIN
    box = shapely.box(west - dx, south - dy, east + dx, north + dy)
    keep = frame.geometry.intersects(box)
    out = frame[keep].copy()
    out["geometry"] = shapely.intersection(out.geometry.values, box)
    out = out[~out.geometry.is_empty]
    return out.reset_index(drop=True)


def unique_credits(credits) -> list[Credit]:
    """Credits in first-seen order, each source once.

    A credit naming several sources ("A; B") is split, so that a source shared by
    several datasets (e.g. Natural Earth) is credited once.
    """
    seen: dict[str, Credit] = {}
    for credit in credits:
        parts = [p.strip() for p in credit.source.split("; ") if p.strip()]
        for part in parts:
            licence = credit.license if len(parts) == 1 else ""
            seen.setdefault(part, replace(credit, source=part, license=licence))
    return list(seen.values())


def _place(note: Annotation, spec: MapSpec, n: int) -> tuple[PlacedAnnotation, geo.Place | None]:
    """The note at its position, and the gazetteer place that gave it (for its credit)."""
    if note.country is not None:
        world = geo.load("world_countries").set_index("adm0_a3")
        if note.country not in world.index:
            raise SpecError(
                spec.source, f"unknown country {note.country!r}", field=f"annotations[{n}].country"
            )
        row = world.loc[note.country]
        return PlacedAnnotation(note.text, float(row["label_x"]), float(row["label_y"])), None
    if note.place is None:
        return PlacedAnnotation(note.text, float(note.lon), float(note.lat)), None
    try:
        found = geo.place(note.place)
    except geo.DataError as err:
        raise SpecError(spec.source, str(err), field=f"annotations[{n}].place") from None
    return PlacedAnnotation(note.text, found.lon, found.lat), found
