"""Atlases: one map per feature of a coverage layer (a spec's ``[atlas]`` table).

:func:`atlas_pages` reads the coverage — the spec's ``atlas.layer`` ids built with
the options its ``[[layers]]`` give the same ids, or the user's ``atlas.data`` file —
and makes one small, picklable :class:`AtlasPage` per feature: its slug, its
``by`` value, an extent fitted around it and its values as display text. The
build hands each page to a worker, which turns it into a map with
:func:`page_spec` (id ``SPEC-ID/SLUG``, outputs in the subfolder ``SPEC-ID/``).

This module imports no heavy library at import time: the build's no-op check
decides from the manifest alone (see :mod:`maps.build`).

Examples
--------
>>> spec = load_spec("maps/specs/enclaves.toml")  # doctest: +SKIP
>>> [page.slug for page in atlas_pages(spec)][:2]  # doctest: +SKIP
['barak', 'sarvak']
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re
import string
import unicodedata
from dataclasses import dataclass
from typing import Any

from geo.errors import DataError
from geo.language import N_, current
from maps.spec import LAT_RANGE, LON_RANGE, Inset, MapSpec, SpecError

#: What a template says for a field the feature has no value for (in the map's language).
NOT_REPORTED = N_("not reported")
#: A page's extent is at least as wide as high, and at most this many times as wide.
MAX_ASPECT = 1.6
#: Kilometres per degree of latitude (and of longitude at the equator).
KM_PER_DEGREE = 111.32
#: Letters that Unicode decomposition does not reduce to ASCII: Cyrillic (the
#: region's place names), and Latin letters of Azerbaijani, Turkish, Nordic … spelling.
TRANSLITERATION = {
    **dict(zip("абвгдеёзийклмнопрстуфыэўқғҳ", "abvgdeeziyklmnoprstufyeuqgh", strict=True)),
    **{"ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ю": "yu", "я": "ya"},
    **{"ъ": "", "ь": "", "ə": "a", "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d"},
    **{"ß": "ss", "æ": "ae", "œ": "oe", "þ": "th"},
}


@dataclass(frozen=True)
class AtlasPage:
    """One page of an atlas: small and picklable, sent to the worker that draws it.

    Attributes
    ----------
    slug : str
        Lower-case ASCII name of the page, unique in the atlas; the page's id is
        ``SPEC-ID/SLUG``.
    key : str
        The feature's ``by`` value, as given.
    extent : tuple of float
        (west, south, east, north) in degrees, around the feature.
    fields : dict of str to str
        The feature's values as display text ("" where it has none).
    number : int
        The page's place in the atlas (0-based, coverage order).
    """

    slug: str
    key: str
    extent: tuple[float, float, float, float]
    fields: dict[str, str]
    number: int = 0


def page_id(spec_id: str, page: AtlasPage) -> str:
    """The id of `page` of the atlas `spec_id`: ``SPEC-ID/SLUG``."""
    return f"{spec_id}/{page.slug}"


def page_digest(page: AtlasPage) -> str:
    """sha256 of what a page shows (a page whose record changed is redrawn).

    Its place in the atlas (``number``) is left out: removing one feature must not
    redraw every page after it (the gallery's order is refreshed without redrawing).
    """
    shown = {k: v for k, v in dataclasses.asdict(page).items() if k != "number"}
    text = json.dumps(shown, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


# --- pages -------------------------------------------------------------------------------


def atlas_pages(spec: MapSpec) -> list[AtlasPage]:
    """One page per feature of the spec's atlas coverage, in coverage order.

    Raises
    ------
    SpecError
        If the ``by`` column is missing (naming ``atlas.by`` and the columns), or a
        template names neither a column nor a sourced figure.
    geo.DataError
        If a feature has no ``by`` value or no geometry (naming the file or layer,
        the row and the field), or the coverage has no features.
    """
    atlas = spec.atlas
    if atlas is None:
        raise SpecError(spec.source, "has no [atlas] table", field="atlas")
    frame, rows = _coverage(spec)
    where = atlas.data or ", ".join(f"layer '{i}'" for i in atlas.layers)
    columns = [c for c in frame.columns if c != frame.geometry.name]
    if atlas.by not in columns:
        raise SpecError(
            spec.source,
            f"the atlas's features ({_shown(where, spec)}) have no column {atlas.by!r}",
            field="atlas.by",
            hint=f"columns: {', '.join(columns)}",
        )
    for key in ("title", "subtitle", "caption"):
        _check_template(spec, key, columns)
    for code, text in spec.text.items():  # [text.CODE.atlas]: the same columns and figures
        for key, template in text.atlas.items():
            names = _placeholders(spec, key, template)
            _check_names(spec, key, names, columns, where=f"text.{code}.atlas.{key}")
    if frame.empty:
        raise DataError(_shown(where, spec), "has no features: an atlas needs at least one page")
    pages: list[AtlasPage] = []
    slugs: set[str] = set()
    bounds = frame.geometry.bounds.to_numpy()
    records = frame[columns].to_dict("records")
    for n, (row_name, values) in enumerate(zip(rows, records, strict=True)):
        fields = {c: display_text(values[c]) for c in columns}
        key = fields[atlas.by]
        if not key:
            raise DataError(
                row_name[0],
                f"no {atlas.by!r} value: every feature of an atlas names its page",
                row=row_name[1],
                field=atlas.by,
                hint="give the feature a value, or leave it out of the data",
            )
        if not all(math.isfinite(b) for b in bounds[n]):
            raise DataError(row_name[0], "has no geometry", row=row_name[1], field="geometry")
        slug = unique_slug(slugify(key) or f"page-{n + 1}", slugs)
        extent = page_extent(tuple(bounds[n]), atlas.margin, atlas.min_span_km)
        pages.append(AtlasPage(slug, key, extent, fields, n))
    return pages


def _coverage(spec: MapSpec):
    """The coverage features and, per feature, (source name, row number) for messages."""
    import geopandas as gpd
    import pandas as pd

    import geo
    import layers

    atlas = spec.atlas
    if atlas.data:
        frame = geo.read_data(atlas.data, geo.Schema())
        first = 2 if str(atlas.data).lower().endswith(".csv") else 1  # header = line 1
        return frame.reset_index(drop=True), [(atlas.data, first + n) for n in range(len(frame))]
    options = {}
    for ref in spec.layers:
        options.setdefault(ref.id, ref.options)
    frames, rows = [], []
    for layer_id in atlas.layers:
        layer = layers.build(layer_id, **options.get(layer_id, {}))
        frames.append(layer.frame)
        rows += [(f"layer '{layer_id}'", n + 1) for n in range(len(layer.frame))]
    frame = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(frame, geometry=frames[0].geometry.name, crs="EPSG:4326"), rows


def _shown(where: str, spec: MapSpec) -> str:
    """A data path as messages show it: from the spec's project, never absolute."""
    from pathlib import Path

    if spec.project is not None and Path(where).is_absolute():
        try:
            return Path(where).relative_to(spec.project).as_posix()
        except ValueError:
            return Path(where).name
    return where


def display_text(value: Any) -> str:
    """A feature's value as a reader sees it: "" when missing, whole numbers without ".0".

    Numbers are not grouped (a year or a code must stay as it is): a layer that
    wants "42,800" gives a text column, as the enclave layers' ``population_text``.
    """
    if value is None:
        return ""
    try:
        if value != value:  # NaN, NaT, pd.NA raise or compare unequal
            return ""
    except (TypeError, ValueError):
        return ""
    if isinstance(value, float):  # as written: a year stays 2009 (templates add no commas)
        return str(int(value)) if value.is_integer() else f"{value:.6g}"
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat()[:10]
    return str(value).strip()


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by '-': "Western Qalacha" → "western-qalacha"."""
    text = "".join(TRANSLITERATION.get(c, c) for c in text.lower())
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:60].strip("-")


def unique_slug(slug: str, taken: set[str]) -> str:
    """`slug`, or `slug`-2, -3 … when an earlier page has it; added to `taken`."""
    candidate, n = slug, 1
    while candidate in taken:
        n += 1
        candidate = f"{slug}-{n}"
    taken.add(candidate)
    return candidate


def page_extent(
    bounds: tuple[float, float, float, float], margin: float, min_span_km: float
) -> tuple[float, float, float, float]:
    """The feature's `bounds` grown by `margin` of its size each side, at least `min_span_km`.

    Sizes are measured in km at the feature's latitude (a point or a sliver still
    gets a readable map), the page is at least as wide as high and at most
    :data:`MAX_ASPECT` times as wide, and the extent stays inside the world's longitudes and
    latitudes (moved, not cut, where it can).
    """
    west, south, east, north = (float(b) for b in bounds)
    cx, cy = (west + east) / 2, (south + north) / 2
    ky = KM_PER_DEGREE
    kx = KM_PER_DEGREE * max(math.cos(math.radians(cy)), 0.05)
    width = max((east - west) * kx * (1 + 2 * margin), min_span_km)
    height = max((north - south) * ky * (1 + 2 * margin), min_span_km)
    # landscape, at most MAX_ASPECT: a tall feature gets a square page, so that a
    # landscape screen still shows land (not the blank beyond the clipped layers) around it
    width, height = max(width, height), max(height, width / MAX_ASPECT)
    half_x = min(width / kx / 2, (LON_RANGE[1] - LON_RANGE[0]) / 2)
    half_y = min(height / ky / 2, (LAT_RANGE[1] - LAT_RANGE[0]) / 2)
    cx = min(max(cx, LON_RANGE[0] + half_x), LON_RANGE[1] - half_x)
    cy = min(max(cy, LAT_RANGE[0] + half_y), LAT_RANGE[1] - half_y)
    return (
        round(cx - half_x, 6),
        round(cy - half_y, 6),
        round(cx + half_x, 6),
        round(cy + half_y, 6),
    )


# --- the page's map ----------------------------------------------------------------------


def page_spec(spec: MapSpec, page: AtlasPage) -> MapSpec:
    """The map of one atlas page: id ``SPEC-ID/SLUG``, the page's extent and text.

    Title, subtitle and caption are the atlas's templates filled with the
    feature's fields (:data:`NOT_REPORTED` for an empty one). A ``{figure}`` that
    is no column stays in the caption for :func:`maps.compose.resolve_caption`, which
    credits its sources; in the title and subtitle it becomes the figure's text.
    The page has the spec's layers and one locator inset whose window is the
    spec's own extent (where the page lies in the whole region).

    Raises
    ------
    SpecError
        For a placeholder that is neither a field nor a sourced figure, naming
        ``atlas.title``, ``atlas.subtitle`` or ``atlas.caption``.
    """
    atlas = spec.atlas
    if atlas is None:
        raise SpecError(spec.source, "has no [atlas] table", field="atlas")
    caption = atlas.caption or spec.caption.replace("{", "{{").replace("}", "}}")
    return dataclasses.replace(
        spec,
        id=page_id(spec.id, page),
        title=_filled(spec, "title", atlas.title, page.fields, keep_figures=False),
        subtitle=_filled(spec, "subtitle", atlas.subtitle, page.fields, keep_figures=False),
        caption=_filled(spec, "caption", caption, page.fields, keep_figures=True),
        extent=page.extent,
        zoom=(spec.zoom[0], max(spec.zoom[1], _zoom_for(page.extent))),
        insets=(Inset("locator", extent=spec.extent),),
        annotations=tuple(a for a in spec.annotations if _within(a, page.extent)),
        atlas=None,
    )


def _filled(
    spec: MapSpec, key: str, template: str, fields: dict[str, str], *, keep_figures: bool
) -> str:
    names = _placeholders(spec, key, template)
    _check_names(spec, key, names, list(fields))
    values: dict[str, str] = {}
    for name in names:
        if name in fields:
            text = _field_text(fields[name], is_name=name == spec.atlas.by)
            text = text or current().gettext(NOT_REPORTED)
            values[name] = text.replace("{", "{{").replace("}", "}}") if keep_figures else text
        elif keep_figures:
            values[name] = "{" + name + "}"
        else:
            from layers.figures import figure

            values[name] = figure(name).text
    return template.format_map(values)


def _field_text(value: str, *, is_name: bool) -> str | None:
    """A page field as shown, in the map's language.

    The feature's name through the names (else English, recorded missing); another
    field as the layer wrote it (already in the language, or the data's own text such
    as a source's site), a place name in it translated where known.
    """
    if not value:
        return None
    lang = current()
    if is_name:
        return lang.label(value)
    local = lang.names(value) if lang.names is not None and not lang.is_source else None
    return local or value


def _check_template(spec: MapSpec, key: str, columns: list[str]) -> None:
    template = getattr(spec.atlas, key) or (spec.caption if key == "caption" else "")
    if key == "caption" and not spec.atlas.caption:
        return  # the spec's own caption: figures only, checked when it is composed
    _check_names(spec, key, _placeholders(spec, key, template), columns)


def _placeholders(spec: MapSpec, key: str, template: str) -> list[str]:
    names = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as err:
        raise SpecError(spec.source, f"bad {{placeholder}} ({err})", field=f"atlas.{key}") from None
    for _text, name, format_spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or format_spec or conversion:
            raise SpecError(
                spec.source,
                f"placeholder {{{name}}} must be a plain column or figure name",
                field=f"atlas.{key}",
                hint="write {column}, e.g. {name}",
            )
        names.append(name)
    return names


def _check_names(
    spec: MapSpec, key: str, names: list[str], columns: list[str], where: str = ""
) -> None:
    from layers.figures import FIGURES

    for name in names:
        if name not in columns and name not in FIGURES:
            raise SpecError(
                spec.source,
                f"placeholder {{{name}}} is neither a column of the atlas's features "
                "nor a sourced figure",
                field=where or f"atlas.{key}",
                hint=f"columns: {', '.join(columns)}",
            )


def _zoom_for(extent: tuple[float, float, float, float]) -> int:
    """The web zoom at which `extent` fills about 800 pixels."""
    span = max(extent[2] - extent[0], 1e-6)
    return int(min(18, max(0, math.ceil(math.log2(360 * 800 / 256 / span)))))


def _within(annotation, extent: tuple[float, float, float, float]) -> bool:
    """True for an annotation given by lon/lat that falls on the page."""
    if annotation.lon is None or annotation.lat is None:
        return False  # a named place may lie anywhere: the page's own layers label it
    west, south, east, north = extent
    return west <= annotation.lon <= east and south <= annotation.lat <= north
