"""Map specs: what one map shows, read from declarative TOML files.

Files are read and typed with :mod:`geo.records` (keys, value types, and the fix in
every message); this module adds the checks a type cannot say: registered layer ids,
extents on the globe, zoom ranges, page sizes, ids that stay inside the output folder.
It imports no heavy library, so ``fergana build`` can read every spec cheaply.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import msgspec

import layers
from geo.coverage import looks_swapped
from geo.errors import DataError
from geo.records import check_keys, field_names, read_toml, record, typed
from maps.pages import SIZES
from maps.spec_series import Atlas, Motion, Multiples, atlas_from, motion_from, multiples_from
from maps.spec_text import SpecText, languages_from, names_from, texts_from

SPEC_DIR = Path(__file__).parent / "specs"
#: The folder holding the packages geo, layers and maps: built-in specs' project.
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
#: Keys of a ``[[layers]]`` table that are not builder options; every other key is one.
LAYER_KEYS = ("id", "title", "visible", "labels", "options")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
# Extents must lie in the data's world: lon -180..180, lat -85..85 (Web Mercator's limit).
LON_RANGE = (-180.0, 180.0)
LAT_RANGE = (-85.0, 85.0)
#: The language of a spec that names none.
DEFAULT_LANGUAGES = ("en",)


class SpecError(DataError):
    """A map spec that cannot be used; the message names the spec file and key."""


@dataclass(frozen=True)
class LayerRef:
    """A layer as one map uses it.

    Attributes
    ----------
    id : str
        Registry id (``fergana layers list``).
    title : str or None
        Overrides the layer's title in this map.
    visible : bool
        Shown when the web map opens (it stays in the layer control either way).
    options : dict
        Keyword arguments for the layer builder (e.g. ``focus = "KGZ"``), written
        inline in the layer's table or in its ``options`` table. A relative ``data``
        path is already resolved from the spec file's folder.
    labels : bool
        Draw the layer's labels.
    """

    id: str
    title: str | None = None
    visible: bool = True
    options: dict[str, Any] = field(default_factory=dict)
    labels: bool = True


@dataclass(frozen=True)
class Annotation:
    """A text note at a place (gazetteer name), a country's label point (ISO3) or lon/lat."""

    text: str
    place: str | None = None
    country: str | None = None
    lon: float | None = None
    lat: float | None = None


@dataclass(frozen=True)
class Inset:
    """A small extra map.

    Attributes
    ----------
    kind : {"locator", "magnifier", "context"}
        Locator: where the map sits in Central Asia. Magnifier: a close-up of
        `extent` (for features too small at map scale). Context: a wider map
        with its own `layers` (e.g. CSTO members).
    """

    kind: str
    extent: tuple[float, float, float, float] | None = None
    layers: tuple[str, ...] = ()
    title: str = ""


INSET_KINDS = ("locator", "magnifier", "context")


@dataclass(frozen=True)
class MapSpec:
    """One map: its extent, layers in drawing order, text and insets.

    Credits are never written in a spec: they are compiled from the layers.
    `order` places the map in the gallery (then the id). `project` is the folder
    that paths in the manifest are relative to (see :func:`project_folder`).
    `multiples`, `motion` and `atlas` are the spec's series tables
    (:mod:`maps.spec_series`). An atlas page's id is ``SPEC-ID/SLUG``: its outputs
    go into the subfolder ``SPEC-ID``.
    """

    id: str
    title: str
    extent: tuple[float, float, float, float]
    layers: tuple[LayerRef, ...]
    subtitle: str = ""
    caption: str = ""
    zoom: tuple[int, int] = (4, 10)
    relief: bool = True
    annotations: tuple[Annotation, ...] = ()
    insets: tuple[Inset, ...] = ()
    print_size: str = "a4"
    order: int = 0
    multiples: Multiples | None = None
    motion: Motion | None = None
    atlas: Atlas | None = None
    languages: tuple[str, ...] = ()
    language: str = "en"
    names: tuple[str, ...] = ()
    text: dict[str, SpecText] = field(default_factory=dict)
    source: str = "<spec>"
    project: Path | None = None

    @property
    def output_name(self) -> PurePosixPath:
        """Relative file stem of this map's outputs inside the output folder."""
        return self.output_name_in(self.language)

    def output_name_in(self, code: str) -> PurePosixPath:
        """The file stem of this map in language `code`.

        ``ID`` in the spec's first language (English without ``languages``),
        ``ID.CODE`` in the others.
        """
        base = PurePosixPath(self.id)
        first = (self.languages or DEFAULT_LANGUAGES)[0]
        return base if code == first else base.with_name(f"{base.name}.{code}")


def load_spec(path: str | Path) -> MapSpec:
    """Read and validate one TOML spec.

    Raises
    ------
    SpecError
        Naming the file and the key: unknown keys, unknown layer ids, a bad
        extent or zoom, an id that would write outside the output folder.
    """
    path = Path(path)
    try:
        raw = read_toml(path, SpecError)
    except SpecError as err:
        if err.problem == "no such file":
            raise SpecError(path, "no such spec file") from None
        raise
    return spec_from_dict(raw, source=str(path), folder=path.resolve().parent)


def project_folder(path: str | Path) -> Path:
    """The project a spec file belongs to: paths in the manifest are relative to it.

    The parent of a ``specs/`` folder holding the spec, else the spec's own folder;
    for the built-in specs, the package root (so that their manifest paths read
    ``maps/specs/ID.toml``).
    """
    folder = Path(path).resolve().parent
    if folder == SPEC_DIR.resolve():
        return PACKAGE_ROOT
    return folder.parent if folder.name == "specs" else folder


class _Values(msgspec.Struct):
    """The spec's plain values, typed by :func:`geo.records.typed`; the rest is checked below."""

    title: str
    subtitle: str = ""
    caption: str = ""
    relief: bool = True
    print_size: str = "a4"
    order: int = 0


def spec_from_dict(
    raw: dict[str, Any], source: str = "<spec>", folder: Path | None = None
) -> MapSpec:
    """Validate a spec given as a dict (the parsed TOML).

    Parameters
    ----------
    raw : dict
        The parsed TOML.
    source : str
        The spec file, for messages.
    folder : Path, optional
        The spec file's folder: relative ``data`` paths resolve from it (without
        it, from the current folder).
    """
    allowed = [n for n in field_names(MapSpec) if n not in ("source", "project", "language")]
    check_keys(raw, allowed, source, "", SpecError)
    for key in ("id", "title", "extent", "layers"):
        if key not in raw:
            raise SpecError(source, "is missing a required key", field=key)
    spec_id = raw["id"]
    if not isinstance(spec_id, str) or not ID_PATTERN.fullmatch(spec_id):
        raise SpecError(
            source,
            f"id {spec_id!r} is not a plain file name (it must stay inside the output folder)",
            field="id",
            hint="use lower-case letters, digits, '-' and '_' only",
        )
    plain = {k: raw[k] for k in field_names(_Values) if k in raw}
    values = typed(plain, _Values, source, "", SpecError)
    refs = tuple(
        _layer_ref(item, source, n, folder) for n, item in enumerate(_list(raw, "layers", source))
    )
    insets = tuple(
        _inset(item, source, n) for n, item in enumerate(_table_list(raw, "insets", source))
    )
    notes = tuple(
        _annotation(item, source, n)
        for n, item in enumerate(_table_list(raw, "annotations", source))
    )
    zoom = raw.get("zoom", (4, 10))
    if (
        not isinstance(zoom, list | tuple)
        or len(zoom) != 2
        or not all(isinstance(z, int) and not isinstance(z, bool) and 0 <= z <= 18 for z in zoom)
        or zoom[0] > zoom[1]
    ):
        raise SpecError(
            source,
            f"zoom must be [min, max] with 0 <= min <= max <= 18, not {raw.get('zoom')!r}",
            field="zoom",
        )
    atlas = atlas_from(raw.get("atlas"), source, SpecError)
    if atlas is not None:
        for layer_id in atlas.layers:
            if layer_id not in layers.REGISTRY:
                close = difflib.get_close_matches(layer_id, layers.REGISTRY, n=3, cutoff=0.5)
                raise SpecError(
                    source,
                    f"unknown layer {layer_id!r}",
                    field="atlas.layer",
                    hint=f"did you mean {', '.join(close)}?"
                    if close
                    else "see fergana layers list",
                )
        if atlas.data and folder is not None:
            atlas = dataclasses.replace(atlas, data=resolve_data(atlas.data, folder))
    spec = MapSpec(
        id=spec_id,
        title=values.title,
        subtitle=values.subtitle,
        caption=values.caption,
        extent=check_extent(raw["extent"], source, "extent"),
        layers=refs,
        zoom=(zoom[0], zoom[1]),
        relief=values.relief,
        annotations=notes,
        insets=insets,
        print_size=_print_size(values.print_size, source),
        order=values.order,
        multiples=multiples_from(raw.get("multiples"), source, SpecError),
        motion=motion_from(raw.get("motion"), source, SpecError),
        atlas=atlas,
        languages=languages_from(raw.get("languages"), source, SpecError),
        names=tuple(
            resolve_data(t, folder) if folder is not None else t
            for t in names_from(raw.get("names"), source, SpecError)
        ),
        source=source,
        project=None if folder is None else project_folder(Path(source)),
    )
    text = texts_from(raw.get("text"), source, SpecError, spec=spec)
    return dataclasses.replace(spec, text=text) if text else spec


def check_extent(value: Any, source: str, key: str) -> tuple[float, float, float, float]:
    """A valid (west, south, east, north) extent, or a SpecError naming `key`."""
    try:
        west, south, east, north = (float(v) for v in value)
    except (TypeError, ValueError):
        raise SpecError(
            source, f"must be four numbers [west, south, east, north], not {value!r}", field=key
        ) from None
    if looks_swapped((west, south, east, north)):
        raise SpecError(
            source,
            f"{[west, south, east, north]} looks like latitude and longitude swapped "
            "(it misses Central Asia, but would cover it read the other way round)",
            field=key,
            hint=f"write [west, south, east, north]: extent = {_numbers(south, west, north, east)}",
        )
    problems = []
    if not (LON_RANGE[0] <= west < east <= LON_RANGE[1]):
        problems.append(f"longitudes must satisfy -180 <= west < east <= 180 (got {west}, {east})")
    if not (LAT_RANGE[0] <= south < north <= LAT_RANGE[1]):
        problems.append(f"latitudes must satisfy -85 <= south < north <= 85 (got {south}, {north})")
    if problems:
        raise SpecError(
            source,
            "; ".join(problems),
            field=key,
            hint="give [west, south, east, north] in degrees",
        )
    return west, south, east, north


def _numbers(*values: float) -> str:
    return "[" + ", ".join(f"{v:g}" for v in values) + "]"


def _print_size(value: Any, source: str) -> str:
    if value not in SIZES:
        raise SpecError(
            source, f"unknown size {value!r}", field="print_size", hint=f"sizes: {', '.join(SIZES)}"
        )
    return value


def _layer_ref(item: Any, source: str, n: int, folder: Path | None = None) -> LayerRef:
    key = f"layers[{n}]"
    if isinstance(item, str):
        item = {"id": item}
    if not isinstance(item, dict):
        raise SpecError(source, "must be a layer id or a table", field=key)
    # every key but the LayerRef's own is a builder option, checked in check_options
    inline = {k: v for k, v in item.items() if k not in LAYER_KEYS}
    ref = record(
        {k: v for k, v in item.items() if k in LAYER_KEYS},
        LayerRef,
        source,
        key + ".",
        error=SpecError,
    )
    twice = sorted(inline.keys() & ref.options.keys())
    if twice:
        raise SpecError(
            source,
            "is given twice, inline and in the options table",
            field=f"{key}.{twice[0]}",
            hint="keep one of them",
        )
    if ref.id not in layers.REGISTRY:
        close = difflib.get_close_matches(ref.id, layers.REGISTRY, n=3, cutoff=0.5)
        raise SpecError(
            source,
            f"unknown layer {ref.id!r}",
            field=f"{key}.id",
            hint=f"did you mean {', '.join(close)}?"
            if close
            else f"known layers: {', '.join(layers.REGISTRY)}",
        )
    options = {**ref.options, **inline}
    if folder is not None and isinstance(options.get("data"), str):
        options["data"] = resolve_data(options["data"], folder)
    return dataclasses.replace(ref, options=options)


def resolve_data(data: str, folder: Path) -> str:
    """A spec's ``data`` value: an http(s) URL or absolute path as is, else from `folder`."""
    if re.match(r"^https?://", data, re.IGNORECASE) or Path(data).is_absolute():
        return data
    return os.path.normpath(folder / data)  # "specs/../data/x.csv" reads badly in messages


def check_options(spec: MapSpec) -> None:
    """Raise SpecError for a layer option its builder does not take, listing the allowed ones.

    Separate from :func:`load_spec` because it imports the layers' builders (and so
    geopandas): :func:`maps.compose.compose` and ``fergana check`` call it.
    """
    errors = [
        option_error(spec.source, n, ref.id, option, allowed)
        for n, ref in enumerate(spec.layers)
        for allowed in [layers.builder_options(ref.id)]
        for option in ref.options
        if option not in allowed
    ]
    if len(errors) == 1:
        raise errors[0]
    if errors:  # every unknown option at once, each with its own fix
        raise SpecError(
            spec.source,
            f"{len(errors)} unknown layer options:"
            + "".join(f"\n  {e.field}: {e.problem} (fix: {e.hint})" for e in errors),
            field=errors[0].field,
        )


def option_error(
    source: str, n: int, layer_id: str, option: str, allowed: Sequence[str]
) -> SpecError:
    """The SpecError for `option`, which layer `layer_id` (``layers[n]``) does not take."""
    keys = list(dict.fromkeys([*(k for k in LAYER_KEYS if k != "options"), *allowed]))
    close = difflib.get_close_matches(option, keys, n=1)
    return SpecError(
        source,
        f"layer {layer_id!r} has no option {option!r}",
        field=f"layers[{n}].{option}",
        hint=(f"did you mean {close[0]!r}? " if close else "") + f"allowed keys: {', '.join(keys)}",
    )


def _inset(item: Any, source: str, n: int) -> Inset:
    key = f"insets[{n}]"
    if not isinstance(item, dict):
        raise SpecError(source, "must be a table", field=key)
    check_keys(item, field_names(Inset), source, key + ".", SpecError)
    # The extent is checked by check_extent, whose message says what an extent is.
    inset = record(
        {k: v for k, v in item.items() if k != "extent"}, Inset, source, key + ".", error=SpecError
    )
    if inset.kind not in INSET_KINDS:
        raise SpecError(
            source, f"kind must be one of {INSET_KINDS}, not {inset.kind!r}", field=f"{key}.kind"
        )
    extent = item.get("extent")
    if inset.kind != "locator" and extent is None:
        raise SpecError(source, f"a {inset.kind} inset needs an extent", field=f"{key}.extent")
    for layer_id in inset.layers:
        if layer_id not in layers.REGISTRY:
            raise SpecError(source, f"unknown layer {layer_id!r}", field=f"{key}.layers")
    if extent is None:
        return inset
    return dataclasses.replace(inset, extent=check_extent(extent, source, f"{key}.extent"))


def _annotation(item: Any, source: str, n: int) -> Annotation:
    key = f"annotations[{n}]"
    if not isinstance(item, dict) or "text" not in item:
        raise SpecError(source, "must be a table with text and place or lon/lat", field=key)
    note = record(item, Annotation, source, key + ".", error=SpecError)
    has_point = note.lon is not None and note.lat is not None
    if note.place is None and note.country is None and not has_point:
        raise SpecError(source, "needs a place, a country or both lon and lat", field=key)
    return note


def _list(raw: dict[str, Any], key: str, source: str) -> list[Any]:
    value = raw[key]
    if not isinstance(value, list) or not value:
        raise SpecError(source, "must be a non-empty list", field=key)
    return value


def _table_list(raw: dict[str, Any], key: str, source: str) -> list[Any]:
    return typed(raw.get(key, []), list, source, key, SpecError)
