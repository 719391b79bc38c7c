"""The web renderer: a map spec as a self-contained, reproducible Leaflet (folium) page.

One line in a notebook::

    from maps.web import web_map
    web_map("fergana-borders")  # a spec id, a spec path, a MapSpec or a Composition

and one call for files::

    write_web(composition, "out/")  # ID.html, ID.embed.html, ID.txt

The page needs no tile server and makes no network request: Leaflet, its CSS
and fergana's small runtime (:mod:`maps.web_assets`) are inlined, the basemap
is drawn from the spec's own layers and relief is an embedded PNG. Element ids
come from a counter (:func:`deterministic_ids`), so the same spec always gives
the same bytes. Every text that reaches the page is HTML-escaped.
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import itertools
import json
import math
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.template import Template
from shapely.ops import substring

import geo
from geo import geometry as geom
from geo.crs import named_crs
from layers import Credit, Field, Layer, LegendEntry, Style
from layers.theme import SEA
from layers.theme import style as theme_style
from maps import web_assets
from maps.compose import CLIP_MARGIN, Composition, compose, describe, unique_credits
from maps.spec import SPEC_DIR, MapSpec, SpecError, load_spec

MODES = ("inline", "cdn")
# Viewport assumed when a size must be chosen before the page exists (flow arrowheads).
REFERENCE_VIEWPORT = (1000, 650)
# Flow arrowheads, as multiples of the line width (as in geo.geometry.flow_geometries).
HEAD_LENGTH = 3.0
HEAD_WIDTH = 2.5
MIN_HEAD_BASIS_PX = 2.5
# Relief shading: light from the north-west, 45° up; heights exaggerated for 5' cells.
RELIEF_AZIMUTH = 315.0
RELIEF_ALTITUDE = 45.0
RELIEF_EXAGGERATION = 2.5
RELIEF_UPSAMPLE = 3
RELIEF_MAX_PX = 600  # longest side of the relief image
LABEL_PANE = "fg-labels"
LABEL_PANE_Z = 620
# Label styles by layer id (the rest follow the layer kind).
COUNTRY_LAYERS = ("countries", "csto")
REGION_LAYERS = ("admin1", "valley_provinces")
WATER_LAYERS = ("lakes", "rivers")

_ID_LOCK = threading.RLock()
_EXTERNAL = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?\s*(?:https?:)?//"
    r"|<link\b[^>]*\bhref\s*=\s*[\"']?\s*(?:https?:)?//"
    r"|@import\b"
    r"|url\(\s*[\"']?\s*(?:https?:)?//",
    re.IGNORECASE,
)


class WebBuildError(RuntimeError):
    """A web map that would not be self-contained or could not be built."""


# --- public API -----------------------------------------------------------------------------


def web_map(
    spec_or_composition: Composition | MapSpec | str | Path,
    *,
    mode: str = "inline",
    tiles: Any = None,
) -> folium.Map:
    """A folium map of one spec, ready to show in a notebook or to save.

    Parameters
    ----------
    spec_or_composition : Composition, MapSpec, str or Path
        A composed map, a spec, a spec file, or the id of a spec in ``maps/specs``.
    mode : {"inline", "cdn"}
        ``"inline"`` (default) embeds every script and stylesheet; ``"cdn"``
        links Leaflet from unpkg for a smaller file that needs the network.
    tiles : str or xyzservices.TileProvider, optional
        An extra tile layer (an xyzservices name such as ``"CartoDB.Positron"``),
        listed in the layer control and off when the map opens.

    Returns
    -------
    folium.Map
        The map. Render it once: ``render_html(m)`` (``m.save`` works too).

    Raises
    ------
    SpecError
        If the spec cannot be read or composed; the message names the spec and key.

    Examples
    --------
    >>> from maps.web import web_map
    >>> web_map("fergana-borders")  # doctest: +SKIP
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    composition = as_composition(spec_or_composition)
    with deterministic_ids():
        return _build(composition, mode=mode, tiles=tiles)


def render_html(m: folium.Map) -> str:
    """The page of a map built by :func:`web_map`, rendered exactly once.

    folium appends duplicate lines when a map is rendered twice (folium issue
    2237), so the page is rendered on the first call and kept.

    Parameters
    ----------
    m : folium.Map
        A map from :func:`web_map`.

    Returns
    -------
    str
        The HTML page.

    Raises
    ------
    WebBuildError
        If a self-contained map still refers to a script or stylesheet on the network.
    """
    figure = m.get_root()
    cached = getattr(figure, "_fergana_html", None)
    if cached is not None:
        return cached
    with deterministic_ids(prefix="r"):
        page = figure.render()
    if getattr(m, "_fergana_mode", "inline") == "inline":
        check_self_contained(page)
    figure._fergana_html = page
    return page


def write_web(
    composition: Composition | MapSpec | str | Path,
    out_dir: str | Path,
    *,
    mode: str = "inline",
    tiles: Any = None,
) -> list[Path]:
    """Write a map's page, its embed snippet and its text description.

    Parameters
    ----------
    composition : Composition, MapSpec, str or Path
        What to draw (see :func:`web_map`).
    out_dir : str or Path
        Output folder, created if missing.
    mode : {"inline", "cdn"}
        See :func:`web_map`.
    tiles : str or xyzservices.TileProvider, optional
        See :func:`web_map`.

    Returns
    -------
    list of Path
        ``ID.html``, ``ID.embed.html`` (a responsive iframe) and ``ID.txt``.

    Raises
    ------
    SpecError
        If the spec's id would write outside `out_dir`.
    WebBuildError
        If the page would not be self-contained.
    """
    composition = as_composition(composition)
    spec = composition.spec
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    root = folder.resolve()
    targets = [
        _inside(root, f"{spec.output_name}{suffix}", spec)
        for suffix in (".html", ".embed.html", ".txt")
    ]
    page = render_html(web_map(composition, mode=mode, tiles=tiles))
    texts = [page, embed_snippet(spec), describe(composition)]
    for target, text in zip(targets, texts, strict=True):
        geo.write_text_atomic(target, text)
    return targets


def embed_snippet(spec: MapSpec, src: str | None = None) -> str:
    """A responsive iframe that embeds the map's page in another page.

    Parameters
    ----------
    spec : MapSpec
        The map.
    src : str, optional
        Address of the page; ``ID.html`` beside the snippet by default.

    Returns
    -------
    str
        HTML: a 16:10 box that scales with its container, holding the iframe.
    """
    src = src or f"{spec.output_name}.html"
    title = spec.title + (f": {spec.subtitle}" if spec.subtitle else "")
    return (
        '<div style="position:relative;width:100%;height:0;padding-bottom:62.5%;'
        'overflow:hidden">\n'
        f'  <iframe src="{_esc(src)}" title="{_esc(title)}" loading="lazy" allowfullscreen\n'
        '    style="position:absolute;top:0;left:0;width:100%;height:100%;border:0">'
        "</iframe>\n"
        "</div>\n"
        f'<p><a href="{_esc(f"{spec.output_name}.txt")}">Text description of the map</a></p>\n'
    )


def as_composition(obj: Composition | MapSpec | str | Path) -> Composition:
    """A composition from a composition, a spec, a spec file or a spec id.

    Parameters
    ----------
    obj : Composition, MapSpec, str or Path
        A path to a TOML spec, or the id of a spec in ``maps/specs``.

    Returns
    -------
    Composition
        The built layers of the spec.

    Raises
    ------
    SpecError
        If no such spec exists or it is invalid.
    """
    if isinstance(obj, Composition):
        return obj
    if isinstance(obj, MapSpec):
        return compose(obj)
    if isinstance(obj, str | Path):
        path = Path(obj)
        if not path.exists() and isinstance(obj, str) and "/" not in obj and "\\" not in obj:
            named = SPEC_DIR / f"{obj}.toml"
            if named.exists():
                path = named
            else:
                known = ", ".join(sorted(p.stem for p in SPEC_DIR.glob("*.toml")))
                raise SpecError(obj, "is neither a spec file nor a spec id", hint=f"ids: {known}")
        return compose(load_spec(path))
    raise TypeError(f"expected a Composition, MapSpec or spec path, not {type(obj).__name__}")


def check_self_contained(page: str) -> None:
    """Raise if a page still loads a script or stylesheet from the network.

    Parameters
    ----------
    page : str
        An HTML page.

    Raises
    ------
    WebBuildError
        Quoting the offending reference.
    """
    found = _EXTERNAL.search(page)
    if found:
        start = max(0, found.start() - 40)
        raise WebBuildError(
            "the map is not self-contained: it refers to a network resource near "
            f"{page[start : found.end() + 80]!r}"
        )


@contextlib.contextmanager
def deterministic_ids(prefix: str = "") -> Iterator[None]:
    """Give folium/branca elements counter ids instead of random ones, inside the block.

    branca 0.8.2 draws every element id from ``Element._generate_id``; inside the
    block it returns ``prefix`` + a hexadecimal counter, so building the same
    map twice gives the same ids. Builds in other threads wait for the block.

    Parameters
    ----------
    prefix : str
        Put before every id (e.g. to tell render-time elements apart).

    Yields
    ------
    None
        The counter is active until the block ends.
    """
    counter = itertools.count(1)

    def generate(cls: type) -> str:
        return f"{prefix}{next(counter):04x}"

    with _ID_LOCK:
        saved = Element.__dict__["_generate_id"]
        Element._generate_id = classmethod(generate)
        try:
            yield
        finally:
            Element._generate_id = saved


# --- building -------------------------------------------------------------------------------


class _Raw(Element):
    """Text put into the page as it is (already escaped or trusted)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Raw"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class _Script(MacroElement):
    """One line of script that runs after the map and its parent exist."""

    _template = Template(
        "{% macro script(this, kwargs) %}{{ this.code }}\n{% endmacro %}",
    )

    def __init__(self, code: str) -> None:
        super().__init__()
        self._name = "Script"
        self.code = code


class _Legend(MacroElement):
    """The legend control; a layer's sections hide while its layer is off."""

    _template = Template(web_assets.LEGEND_TEMPLATE)

    def __init__(self, html_text: str, groups: list[tuple[str, str]], position: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.html = html_text
        self.groups = groups
        self.position = position


@dataclass(frozen=True)
class _Scale:
    """Sizes that depend on the spec: tolerance, rounding and the reference zoom."""

    tolerance_m: float
    decimals: int
    reference_zoom: int


def _build(composition: Composition, *, mode: str, tiles: Any) -> folium.Map:
    spec = composition.spec
    # features are addressed by index label below: make labels unique
    composition = replace(
        composition,
        layers=[
            layer
            if layer.frame.index.is_unique
            else layer.with_frame(layer.frame.reset_index(drop=True))
            for layer in composition.layers
        ],
    )
    west, south, east, north = spec.extent
    deepest_lat = min(max(abs(south), abs(north)), 85.0)
    tolerance = geom.tolerance_for_zoom(spec.zoom[1], deepest_lat)
    scale = _Scale(
        tolerance_m=tolerance,
        decimals=geom.decimals_for_tolerance(tolerance / 2, deepest_lat),
        reference_zoom=_fit_zoom(spec),
    )
    m = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=scale.reference_zoom,
        tiles=None,
        zoom_control=False,
        attribution_control=False,
    )
    m._fergana_mode = mode
    grown = _grown(spec.extent, CLIP_MARGIN)
    m.options.update(
        minZoom=spec.zoom[0],
        maxZoom=spec.zoom[1],
        maxBounds=[[grown[1], grown[0]], [grown[3], grown[2]]],
        maxBoundsViscosity=1.0,
        zoomSnap=0.1,
    )
    # folium's defaults load jQuery, Bootstrap, Font Awesome... from CDNs: none are used.
    m.default_js = []
    m.default_css = []
    _page(m, composition, mode)
    name = m.get_name()
    m.add_child(_Script(f'FG.pane({name}, "{LABEL_PANE}", {LABEL_PANE_Z});'))

    groups: list[tuple[str, str]] = []
    legend_sections: list[str] = []
    panes = _pane_names(composition.layers)
    relief_z = _relief_z(composition.layers)
    prepared = {
        n: _prepare(
            layer.frame,
            layer.kind,
            layer.kind == "area" and _is_coverage(layer.frame),
            scale,
        )
        for n, layer in enumerate(composition.layers)
        if layer.kind != "flow"
    }
    # Polygons of every layer as rings of arcs from one table: each border once per map.
    areas = [
        (n, i)
        for n, layer in enumerate(composition.layers)
        if layer.kind == "area"
        for i in prepared[n].index
    ]
    arcs = _Arcs([prepared[n].geometry.loc[i] for n, i in areas], scale.decimals)
    polygons = {key: arcs.geometry(k) for k, key in enumerate(areas)}
    table = {"scale": 10**scale.decimals, "arcs": arcs.encoded()}
    m.add_child(_Script(f"FG.setArcs({_js_json(table)});"))
    for n, layer in enumerate(composition.layers):
        label_class = _label_class(layer)
        group = folium.FeatureGroup(name=_esc(layer.title), show=composition.visible[n])
        payload = _layer_payload(
            layer,
            prepared.get(n),
            {i: polygons[(n, i)] for i in prepared[n].index} if layer.kind == "area" else {},
            pane=panes[n],
            z=_layer_z(n),
            labelled=composition.labelled[n],
            label_class=label_class,
            label_rank=_label_rank(layer, label_class, n),
            scale=scale,
        )
        group.add_child(_Script(f"FG.layer({name}, {group.get_name()}, {payload});"))
        m.add_child(group)
        groups.append((panes[n], group.get_name()))
        legend_sections.append(_legend_section(layer, panes[n]))

    if composition.annotations:
        notes = _notes_layer(composition)
        group = folium.FeatureGroup(name="Notes", show=True)
        payload = _layer_payload(
            notes,
            _prepare(notes.frame, notes.kind, False, scale),
            {},
            pane="fg-notes",
            z=_layer_z(len(composition.layers)),
            labelled=True,
            label_class="fg-l-note",
            label_rank=0,
            scale=scale,
        )
        group.add_child(_Script(f"FG.layer({name}, {group.get_name()}, {payload});"))
        m.add_child(group)

    credits = list(composition.credits)
    if spec.relief:
        relief = hillshade(spec.extent)
        if relief is not None:
            group = folium.FeatureGroup(name="Relief shading", show=True)
            image = {"pane": "fg-relief", "z": relief_z, "url": relief[0], "bounds": relief[1]}
            group.add_child(_Script(f"FG.image({name}, {group.get_name()}, {_js_json(image)});"))
            m.add_child(group)
            credits = unique_credits([*credits, _relief_credit()])
    if tiles is not None:
        m.add_child(_Script(f'FG.pane({name}, "fg-tiles", {relief_z});'))
        m.add_child(_tile_layer(tiles))

    m.fit_bounds([[south, west], [north, east]])
    folium.LayerControl(position="topright", collapsed=True).add_to(m)
    legend_html = (
        "<details open><summary>Legend</summary>" + "".join(legend_sections) + "</details>"
    )
    m.add_child(_Legend(legend_html, groups, "bottomright"))
    timed = [layer.title for layer in composition.layers if layer.time]
    finish = {
        "extent": _latlng_bounds(spec.extent),
        "grown": _latlng_bounds(grown),
        "minZoom": spec.zoom[0],
        "title": _title_html(spec),
        "caption": _caption_html(composition, credits),
        "locator": _locator(spec),
        "time": _esc(", ".join(timed)),
        "series": [
            {
                "title": layer.series_title or layer.title,
                "points": [
                    {"d": row.date, "t": row.text, "s": row.source}
                    for row in layer.series.itertuples(index=False)
                ],
            }
            for layer in composition.layers
            if layer.time and layer.series is not None and len(layer.series)
        ],
    }
    m.add_child(_Script(f"FG.finish({name}, {_js_json(finish)});"))
    return m


def _page(m: folium.Map, composition: Composition, mode: str) -> None:
    """The page around the map: language, title, assets and a text description."""
    spec = composition.spec
    figure = m.get_root()
    figure._template = Template(web_assets.FIGURE_TEMPLATE)
    figure.lang = "en"
    figure.title = _esc(spec.title)
    head = figure.header
    head.add_child(_Raw('<meta name="generator" content="fergana" />'), name="fg_generator")
    head.add_child(
        _Raw(f'<meta name="description" content="{_esc(_one_line(spec))}" />'), name="fg_desc"
    )
    head.add_child(_Raw('<link rel="icon" href="data:," />'), name="fg_icon")
    if mode == "cdn":
        base = web_assets.LEAFLET_CDN
        head.add_child(_Raw(f'<link rel="stylesheet" href="{base}/leaflet.css" />'), name="fg_lcss")
        head.add_child(_Raw(f'<script src="{base}/leaflet.js"></script>'), name="fg_ljs")
    else:
        head.add_child(_Raw(f"<style>{web_assets.leaflet_css()}</style>"), name="fg_lcss")
        head.add_child(_Raw(f"<script>{web_assets.leaflet_js()}</script>"), name="fg_ljs")
    head.add_child(_Raw(f"<style>{web_assets.CSS}</style>"), name="fg_css")
    head.add_child(_Raw(f"<script>{web_assets.RUNTIME_JS}</script>"), name="fg_js")
    lines = describe(composition).strip().splitlines()
    text = "".join(f"<p>{_esc(line)}</p>" for line in lines)
    figure.html.add_child(
        _Raw(f'<section class="fg-sr" aria-label="Text description of the map">{text}</section>'),
        name="fg_description",
    )


def _one_line(spec: MapSpec) -> str:
    return spec.title + (f": {spec.subtitle}" if spec.subtitle else "")


def _tile_layer(tiles: Any) -> folium.TileLayer:
    import xyzservices

    provider = tiles
    if isinstance(tiles, str):
        provider = xyzservices.providers.query_name(tiles)
    return folium.TileLayer(
        tiles=provider,
        name=_esc(getattr(provider, "name", str(tiles))),
        overlay=True,
        show=False,
        control=True,
        pane="fg-tiles",
    )


# --- layers ---------------------------------------------------------------------------------


def _pane_names(layers: Sequence[Layer]) -> list[str]:
    names: list[str] = []
    for n, layer in enumerate(layers):
        name = f"fg-{layer.id}".replace("_", "-")
        names.append(name if name not in names else f"{name}-{n}")
    return names


def _layer_z(n: int) -> int:
    return 402 + 2 * n


def _relief_z(layers: Sequence[Layer]) -> int:
    """Relief goes right above the opaque base layers at the bottom (country fills)."""
    n = 0
    while (
        n < len(layers)
        and layers[n].kind == "area"
        and layers[n].style.fill is not None
        and layers[n].style.fill_opacity >= 1
    ):
        n += 1
    return _layer_z(n) - 1


def _is_coverage(frame: gpd.GeoDataFrame) -> bool:
    values = np.array([_polygonal(g) for g in frame.geometry.values], dtype=object)
    values = values[~shapely.is_missing(values)]
    if len(values) == 0 or not shapely.is_valid(values).all():
        return False
    try:
        return bool(shapely.coverage_is_valid(values))
    except shapely.errors.GEOSException:
        return False


def _label_class(layer: Layer) -> str:
    """CSS class of a layer's labels: countries, provinces, water, points, other areas, lines."""
    if layer.id in COUNTRY_LAYERS:
        return "fg-l-country"
    if layer.id in REGION_LAYERS:
        return "fg-l-region"
    if layer.id in WATER_LAYERS:
        return "fg-l-water"
    return {"point": "fg-l-point", "area": "fg-l-area"}.get(layer.kind, "fg-l-line")


_LABEL_CLASS_RANK = {
    "fg-l-note": 0,
    "fg-l-country": 1,
    "fg-l-point": 2,
    "fg-l-area": 3,
    "fg-l-water": 4,
    "fg-l-region": 5,
    "fg-l-line": 6,
}


def _label_rank(layer: Layer, label_class: str, n: int) -> int:
    """Base rank of a layer's labels: lower ranks win collisions; top layers first."""
    return _LABEL_CLASS_RANK.get(label_class, 9) * 10_000_000 + (999 - n) * 10_000


def _layer_payload(
    layer: Layer,
    prepared: gpd.GeoDataFrame | None,
    polygons: dict[Any, dict[str, Any]],
    *,
    pane: str,
    z: int,
    labelled: bool,
    label_class: str,
    label_rank: int,
    scale: _Scale,
) -> str:
    """The JSON argument of ``FG.layer``: styles, features and labels of one layer.

    `prepared` is the layer's simplified, rounded geometry (None for flows);
    `polygons` the encoded polygons by feature index (area layers).
    """
    frame = layer.frame
    if layer.kind == "flow" or prepared is None:
        features, styles = _flow_features(layer, scale)
    else:
        styles = _Styles(layer.kind)
        sizes = _point_sizes(layer, prepared.index)
        labels = (
            _label_anchors(layer, frame.loc[prepared.index], scale)
            if labelled and layer.label
            else {}
        )
        groups = _time_groups(layer, prepared)
        ranks = _priority_ranks(layer)
        order = list(prepared.index)
        if sizes:
            order.sort(key=lambda i: -sizes[i])  # big symbols below small ones
        if layer.kind == "area":
            encoded = [polygons[i] for i in order]
        else:
            encoder = _Encoder(scale.decimals)
            encoded = [encoder.geometry(prepared.geometry.loc[i]) for i in order]
        features = []
        for i, geometry in zip(order, encoded, strict=True):
            row = frame.loc[i]
            props = _common_props(layer, row, groups.get(i))
            props["s"] = styles.index(layer.style_of(row))
            if i in sizes:
                props["z"] = round(sizes[i], 1)
            if i in labels:
                props.update(labels[i])
                props["r"] = label_rank + ranks[i]
            features.append(_feature(geometry, props))
    data = '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"
    head = {
        "pane": pane,
        "z": z,
        "label": label_class,
        "scale": 10**scale.decimals,
        "styles": styles.options,
    }
    return _js_json(head)[:-1] + ',"data":' + data + "}"


def _prepare(frame: gpd.GeoDataFrame, kind: str, coverage: bool, scale: _Scale) -> gpd.GeoDataFrame:
    """Geometry simplified to under about a pixel at the deepest zoom, and rounded."""
    frame = frame[["geometry"]]
    frame = frame.assign(geometry=[_of_kind(g, kind) for g in frame.geometry.values])
    frame = frame[~(frame.geometry.isna() | frame.geometry.is_empty)]
    if frame.empty:
        return frame
    simplified = None
    if kind == "area" and coverage:
        with contextlib.suppress(ValueError, shapely.errors.GEOSException):
            simplified = geom.simplify_coverage(frame, scale.tolerance_m)
    if simplified is None and kind in ("area", "line", "flow"):
        simplified = geom.simplify_lines(frame, scale.tolerance_m)
    frame = frame if simplified is None else simplified
    frame = geom.round_coordinates(frame, scale.decimals)
    return frame[~(frame.geometry.isna() | frame.geometry.is_empty)]


_KIND_TYPES = {
    "area": ("Polygon", "MultiPolygon"),
    "line": ("LineString", "MultiLineString"),
    "flow": ("LineString", "MultiLineString"),
    "point": ("Point", "MultiPoint"),
}


def _of_kind(g: shapely.Geometry | None, kind: str) -> shapely.Geometry | None:
    """The parts of a geometry that fit a layer kind (clipping can leave stray points/lines)."""
    if g is None or g.is_empty:
        return None
    wanted = _KIND_TYPES.get(kind, ())
    if g.geom_type in wanted:
        return g
    parts = [p for p in shapely.get_parts(g) if p.geom_type in wanted]
    if not parts and g.geom_type == "GeometryCollection":
        parts = [q for p in g.geoms for q in shapely.get_parts(p) if q.geom_type in wanted]
    if not parts:
        return None
    if kind == "area":
        return shapely.union_all(parts)
    if kind == "point":
        return shapely.multipoints(parts)
    return shapely.multilinestrings(parts)


def _polygonal(g: shapely.Geometry | None) -> shapely.Geometry | None:
    return _of_kind(g, "area")


# Geometry is sent as integers in units of 10**-decimals degrees, each vertex as the
# change from the one before (running on from line to line within a layer),
# zig-zagged and written as base-64 varints (5 data bits a character): a few
# characters per vertex instead of ~20 for decimal GeoJSON. Polygons are made of
# shared arcs, so a border between two polygons is sent once. FG.layer decodes it.
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def encode_coordinates(coords: np.ndarray, decimals: int) -> str:
    """Delta-encode lon/lat coordinates rounded to `decimals` places as a compact string.

    Parameters
    ----------
    coords : numpy.ndarray
        ``(n, 2)`` array of x, y.
    decimals : int
        Decimal places kept; values become integers in units of ``10**-decimals``.

    Returns
    -------
    str
        Characters from the base-64 alphabet: for each vertex the change in x
        then y from the previous vertex (from 0 for the first), zig-zag encoded
        (0, -1, 1, -2... → 0, 1, 2, 3...) and written 5 bits a character, the
        sixth bit set on every character but a number's last.
    """
    return _Encoder(decimals).line(_ints(coords, decimals))


def _ints(coords: np.ndarray, decimals: int) -> np.ndarray:
    return np.rint(np.asarray(coords, dtype=float)[:, :2] * 10.0**decimals).astype(np.int64)


class _Encoder:
    """Delta encoder whose position runs on from one line to the next."""

    def __init__(self, decimals: int) -> None:
        self.decimals = decimals
        self.last = np.zeros(2, dtype=np.int64)

    def line(self, ints: np.ndarray) -> str:
        if len(ints) == 0:
            return ""
        deltas = np.diff(ints, axis=0, prepend=self.last[None, :]).ravel()
        self.last = ints[-1].copy()
        zigzag = (deltas << 1) ^ (deltas >> 63)
        out = []
        for value in zigzag.tolist():
            while value >= 32:
                out.append(_ALPHABET[32 | (value & 31)])
                value >>= 5
            out.append(_ALPHABET[value])
        return "".join(out)

    def coords(self, g: shapely.Geometry) -> str:
        return self.line(_ints(shapely.get_coordinates(g), self.decimals))

    def geometry(self, g: shapely.Geometry) -> dict[str, Any]:
        """``{"type", "e"}`` with encoded strings; points as plain ``coordinates``."""
        kind = g.geom_type

        def polygon(p: shapely.Polygon) -> list[str]:
            rings = (p.exterior, *p.interiors)
            return [self.line(_ints(np.asarray(r.coords)[:-1], self.decimals)) for r in rings]

        if kind == "Point":
            x, y = round(g.x, self.decimals), round(g.y, self.decimals)
            return {"type": kind, "coordinates": [x, y]}
        if kind in ("LineString", "MultiPoint"):
            return {"type": kind, "e": self.coords(g)}
        if kind == "MultiLineString":
            return {"type": kind, "e": [self.coords(p) for p in g.geoms]}
        if kind == "Polygon":
            return {"type": kind, "e": polygon(g)}
        if kind == "MultiPolygon":
            return {"type": kind, "e": [polygon(p) for p in g.geoms]}
        raise WebBuildError(f"cannot draw a {kind} on the web map")


class _Arcs:
    """The polygons of one layer as rings of shared arcs (as in TopoJSON).

    Rings are cut at junctions: vertices whose neighbours differ between the
    rings through them. A run of vertices two rings share (an exact coverage's
    border, after simplification and rounding) becomes one arc that both refer
    to, one of them backwards (reference ``~i``).
    """

    def __init__(self, geometries: Sequence[shapely.Geometry], decimals: int) -> None:
        self.decimals = decimals
        self.arcs: list[np.ndarray] = []
        self._index: dict[bytes, int] = {}
        polygons = [
            [
                [_ints(np.asarray(r.coords)[:-1], decimals) for r in (p.exterior, *p.interiors)]
                for p in shapely.get_parts(g)
            ]
            for g in geometries
        ]
        self._junctions = _junctions(ring for g in polygons for p in g for ring in p)
        self.refs = [[[self._ring(ring) for ring in p] for p in g] for g in polygons]
        self._types = [g.geom_type for g in geometries]

    def geometry(self, k: int) -> dict[str, Any]:
        """The k-th geometry as ``{"type", "a"}``: arc references per ring."""
        refs: Any = self.refs[k] if self._types[k] == "MultiPolygon" else self.refs[k][0]
        return {"type": self._types[k], "a": refs}

    def encoded(self) -> list[str]:
        encoder = _Encoder(self.decimals)
        return [encoder.line(arc) for arc in self.arcs]

    def _ring(self, ring: np.ndarray) -> list[int]:
        points = [tuple(p) for p in ring.tolist()]
        cuts = [i for i, p in enumerate(points) if p in self._junctions]
        if not cuts:
            return [self._loop(ring)]
        rotated = np.roll(ring, -cuts[0], axis=0)
        closed = np.vstack([rotated, rotated[:1]])
        bounds = [c - cuts[0] for c in cuts] + [len(ring)]
        return [self._arc(closed[a : b + 1]) for a, b in itertools.pairwise(bounds)]

    def _loop(self, ring: np.ndarray) -> int:
        """A ring without junctions: one closed arc in a canonical start and direction."""
        first = int(np.lexsort((ring[:, 1], ring[:, 0]))[0])
        forward = np.roll(ring, -first, axis=0)
        backward = np.roll(ring[::-1], first + 1 - len(ring), axis=0)
        flip = backward[1:].tolist() < forward[1:].tolist()
        canonical = backward if flip else forward
        ref = self._arc(np.vstack([canonical, canonical[:1]]))
        return ~ref if flip else ref

    def _arc(self, coords: np.ndarray) -> int:
        coords = np.ascontiguousarray(coords)
        key = coords.tobytes()
        if key in self._index:
            return self._index[key]
        back = np.ascontiguousarray(coords[::-1]).tobytes()
        if back in self._index:
            return ~self._index[back]
        self._index[key] = len(self.arcs)
        self.arcs.append(coords)
        return self._index[key]


def _junctions(rings: Iterator[np.ndarray]) -> set[tuple[int, int]]:
    """Vertices met with different neighbours in different rings (or places in a ring)."""
    neighbours: dict[tuple[int, int], tuple[Any, Any]] = {}
    junctions: set[tuple[int, int]] = set()
    for ring in rings:
        points = [tuple(p) for p in ring.tolist()]
        n = len(points)
        for i, point in enumerate(points):
            before, after = points[i - 1], points[(i + 1) % n]
            pair = (before, after) if before <= after else (after, before)
            if neighbours.setdefault(point, pair) != pair:
                junctions.add(point)
    return junctions


def _feature(geometry: dict[str, Any], props: dict[str, Any]) -> str:
    return (
        '{"type":"Feature","geometry":'
        + _js_json(geometry)
        + ',"properties":'
        + _js_json(props)
        + "}"
    )


def _common_props(layer: Layer, row: pd.Series, group: int | None) -> dict[str, Any]:
    """Tooltip, popup and date of one feature; all text escaped."""
    props: dict[str, Any] = {}
    if layer.fields:
        props["t"] = _esc(layer.fields[0].format(_cell(row.get(layer.fields[0].column))))
        props["p"] = _popup(layer, row)
    if layer.time:
        day = _iso_day(row.get(layer.time))
        if day:
            props["d"] = day
            props["g"] = group
    return props


def _popup(layer: Layer, row: pd.Series) -> str:
    rows = "".join(
        f"<tr><th>{_esc(f.label)}</th><td>{_value_html(f, row.get(f.column))}</td></tr>"
        for f in layer.fields
    )
    return f"<table><caption>{_esc(layer.title)}</caption>{rows}</table>"


def _value_html(field: Field, value: Any) -> str:
    text = field.format(_cell(value))
    if re.fullmatch(r"https?://[^\s\"'<>]+", text):
        host = re.sub(r"^https?://(www\.)?", "", text).split("/")[0]
        return f'<a href="{_esc(text)}" target="_blank" rel="noopener noreferrer">{_esc(host)}</a>'
    return _esc(text)


def _cell(value: Any) -> Any:
    """A frame value as a plain Python value; missing values (NaN, NA, NaT) as None."""
    if isinstance(value, list | tuple | dict | np.ndarray):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    return value.item() if isinstance(value, np.generic) else value


def _iso_day(value: Any) -> str | None:
    value = _cell(value)
    if value is None:
        return None
    if hasattr(value, "date") and callable(value.date):
        return value.date().isoformat()
    text = str(value).strip()
    return text[:10] if text else None


def _time_groups(layer: Layer, frame: gpd.GeoDataFrame) -> dict[Any, int]:
    """Features at the same place with the same name: the slider shows the latest of them."""
    if not layer.time:
        return {}
    key_column = layer.label or (layer.fields[0].column if layer.fields else None)
    keys: dict[tuple[str, bytes], int] = {}
    out: dict[Any, int] = {}
    for i, g in zip(frame.index, frame.geometry.values, strict=True):
        name = "" if key_column is None else str(_cell(layer.frame.at[i, key_column]))
        out[i] = keys.setdefault((name, shapely.to_wkb(g)), len(keys))
    return out


def _point_sizes(layer: Layer, index: pd.Index) -> dict[Any, float]:
    if layer.kind != "point" or layer.size is None:
        return {}
    column = layer.size.column
    return {i: layer.size.size(_as_float(layer.frame.at[i, column])) for i in index}


def _as_float(value: Any) -> float:
    value = _cell(value)
    try:
        return float("nan") if value is None else float(value)
    except (TypeError, ValueError):
        return float("nan")


def _priority_ranks(layer: Layer) -> dict[Any, int]:
    """Rank of each feature's label within its layer: higher `label_priority` first."""
    order = list(layer.frame.index)
    if layer.label_priority:
        priority = pd.to_numeric(layer.frame[layer.label_priority], errors="coerce").fillna(-np.inf)
        order = list(priority.sort_values(ascending=False, kind="stable").index)
    return {i: rank for rank, i in enumerate(order)}


def _label_anchors(
    layer: Layer, frame: gpd.GeoDataFrame, scale: _Scale
) -> dict[Any, dict[str, Any]]:
    """Label text (escaped) and anchor of each feature that has a label."""
    if frame.empty:
        return {}
    anchors = geom.label_points(frame)
    out: dict[Any, dict[str, Any]] = {}
    for i, point in anchors.items():
        text = _cell(frame.at[i, layer.label])
        if text is None or point is None or point.is_empty or not str(text).strip():
            continue
        out[i] = {
            "n": _esc(str(text)),
            "a": [round(point.x, scale.decimals), round(point.y, scale.decimals)],
        }
    return out


class _Styles:
    """Distinct feature styles of one layer as Leaflet options, in first-use order."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.options: list[dict[str, Any]] = []
        self._index: dict[tuple[Style, str], int] = {}

    def index(self, style: Style, role: str = "") -> int:
        key = (style, role)
        if key not in self._index:
            self._index[key] = len(self.options)
            self.options.append(_leaflet_style(style, role or self.kind))
        return self._index[key]


def _leaflet_style(style: Style, kind: str) -> dict[str, Any]:
    """Leaflet path options (and a symbol) for a theme style."""
    filled = kind in ("area", "point", "head") and style.fill is not None
    out: dict[str, Any] = {
        "stroke": style.stroke is not None and kind != "head",
        "color": style.stroke or "#000000",
        "weight": style.stroke_width,
        "opacity": style.stroke_opacity,
        "fill": filled,
        "fillColor": style.fill or "#000000",
        "fillOpacity": style.fill_opacity if filled else 0,
    }
    if style.dash and kind != "head":
        out["dashArray"] = " ".join(_num(d) for d in style.dash)
    if kind == "flow":
        out["lineCap"] = "butt"
    if kind == "point":
        out["size"] = style.marker_size
        if style.marker != "circle":
            out["svg"] = marker_svg(style)
            out["pad"] = style.stroke_width + 1 if style.stroke else 1
    return out


# --- flows ----------------------------------------------------------------------------------


def _flow_features(layer: Layer, scale: _Scale) -> tuple[list[str], _Styles]:
    """Flow lines (width from the size scale, butt ends) each followed by its arrowhead."""
    frame = layer.frame[~(layer.frame.geometry.isna() | layer.frame.geometry.is_empty)]
    styles = _Styles("flow")
    if frame.empty:
        return [], styles
    widths = {
        i: (
            layer.size.size(_as_float(frame.at[i, layer.size.column]))
            if layer.size is not None
            else layer.style_of(frame.loc[i]).stroke_width
        )
        for i in frame.index
    }
    heads: dict[Any, shapely.Geometry] = {}
    trims: dict[Any, float] = {}
    for i in frame.index:
        line = _last_line(frame.geometry[i])
        if line is None:
            continue
        tip_lat = shapely.get_coordinates(line)[-1][1]
        metres_per_px = geom.tolerance_for_zoom(scale.reference_zoom, tip_lat)
        basis = max(widths[i], MIN_HEAD_BASIS_PX) * metres_per_px
        try:
            heads[i] = geom.arrowhead(line, HEAD_LENGTH * basis, HEAD_WIDTH * basis)
        except ValueError:
            continue
        trims[i] = 0.5 * HEAD_LENGTH * basis
    lines = _trimmed(frame, trims)
    prepared = geom.round_coordinates(geom.simplify_lines(lines, scale.tolerance_m), scale.decimals)
    head_frame = (
        geom.round_coordinates(gpd.GeoSeries(heads, crs=frame.crs), scale.decimals)
        if heads
        else gpd.GeoSeries([], crs=frame.crs)
    )
    groups = _time_groups(layer, frame)
    encoder = _Encoder(scale.decimals)
    features: list[str] = []
    for i in sorted(frame.index, key=lambda i: -widths[i]):  # thin flows on top
        row = frame.loc[i]
        group = groups.get(i)
        base = _common_props(layer, row, None if group is None else 2 * group)
        flow_style = layer.style_of(row)
        g = prepared.geometry.loc[i]
        if g is not None and not g.is_empty:
            props = {**base, "s": styles.index(flow_style), "w": round(widths[i], 2)}
            features.append(_feature(encoder.geometry(g), props))
        if i in heads:
            head_style = Style(
                fill=flow_style.stroke or flow_style.fill,
                fill_opacity=flow_style.stroke_opacity,
                stroke=None,
            )
            props = {**base, "s": styles.index(head_style, "head")}
            if "g" in props:
                props["g"] += 1  # the slider shows a flow's line and head together
            features.append(_feature(encoder.geometry(head_frame.loc[i]), props))
    return features, styles


def _last_line(g: shapely.Geometry | None) -> shapely.LineString | None:
    if g is None or g.is_empty:
        return None
    if g.geom_type == "LineString":
        return g
    if g.geom_type == "MultiLineString":
        return g.geoms[len(g.geoms) - 1]
    return None


def _trimmed(frame: gpd.GeoDataFrame, trims: dict[Any, float]) -> gpd.GeoDataFrame:
    """Lines shortened at their end by `trims` metres so they stop under the arrowhead."""
    projected = frame.geometry.to_crs(named_crs("equal_area"))
    out = []
    for i, g in projected.items():
        trim = trims.get(i, 0.0)
        if trim and g.geom_type == "LineString" and g.length > 2 * trim:
            g = substring(g, 0, g.length - trim)
        out.append(g)
    back = gpd.GeoSeries(out, index=frame.index, crs=projected.crs).to_crs(frame.crs)
    return gpd.GeoDataFrame(geometry=back, crs=frame.crs)


# --- symbols and legend ---------------------------------------------------------------------


def marker_svg(style: Style, size: float | None = None) -> str:
    """An inline SVG symbol for a point style (square, triangle, diamond, cross, star, circle).

    Parameters
    ----------
    style : Style
        The theme style; its `marker`, colours and stroke are used.
    size : float, optional
        Symbol size in px (default: ``style.marker_size``); without it the SVG fills its box.

    Returns
    -------
    str
        An ``<svg>`` element.
    """
    s = style.marker_size
    r = s / 2
    sw = style.stroke_width if style.stroke else 0
    half = r + sw / 2 + 0.5
    paint = (
        f'fill="{_esc(style.fill or "none")}" fill-opacity="{_num(style.fill_opacity)}" '
        f'stroke="{_esc(style.stroke or "none")}" stroke-width="{_num(sw)}" '
        f'stroke-opacity="{_num(style.stroke_opacity)}" stroke-linejoin="round"'
    )
    unit = _MARKER_SHAPES.get(style.marker)
    if unit is None:
        shape = f'<circle cx="0" cy="0" r="{_num(r)}" {paint}/>'
    else:
        points = " ".join(f"{_num(x * r)},{_num(y * r)}" for x, y in unit)
        shape = f'<polygon points="{points}" {paint}/>'
    box = f"{_num(-half)} {_num(-half)} {_num(2 * half)} {_num(2 * half)}"
    dims = (
        f'width="{_num(size + sw + 1)}" height="{_num(size + sw + 1)}"'
        if size is not None
        else 'width="100%" height="100%"'
    )
    return f'<svg xmlns="http://www.w3.org/2000/svg" {dims} viewBox="{box}">{shape}</svg>'


def _star(points: int = 5, inner: float = 0.45) -> list[tuple[float, float]]:
    out = []
    for k in range(2 * points):
        radius = 1.0 if k % 2 == 0 else inner
        angle = math.pi * k / points - math.pi / 2
        out.append((radius * math.cos(angle), radius * math.sin(angle)))
    return out


_ARM = 0.32
_MARKER_SHAPES: dict[str, list[tuple[float, float]]] = {
    "square": [(-0.9, -0.9), (0.9, -0.9), (0.9, 0.9), (-0.9, 0.9)],
    "triangle": [(0, -1), (0.95, 0.8), (-0.95, 0.8)],
    "diamond": [(0, -1), (1, 0), (0, 1), (-1, 0)],
    "cross": [
        (-_ARM, -1),
        (_ARM, -1),
        (_ARM, -_ARM),
        (1, -_ARM),
        (1, _ARM),
        (_ARM, _ARM),
        (_ARM, 1),
        (-_ARM, 1),
        (-_ARM, _ARM),
        (-1, _ARM),
        (-1, -_ARM),
        (-_ARM, -_ARM),
    ],
    "star": _star(),
}


def _swatch(style: Style, kind: str) -> str:
    """A small legend swatch drawn with the same style as the map."""
    if kind == "point":
        return marker_svg(style, size=min(style.marker_size, 16))
    dash = f' stroke-dasharray="{" ".join(_num(d) for d in style.dash)}"' if style.dash else ""
    stroke = (
        f'stroke="{_esc(style.stroke)}" stroke-width="{_num(min(style.stroke_width, 4))}" '
        f'stroke-opacity="{_num(style.stroke_opacity)}"{dash}'
        if style.stroke
        else 'stroke="none"'
    )
    if kind == "area":
        fill = (
            f'fill="{_esc(style.fill)}" fill-opacity="{_num(style.fill_opacity)}"'
            if style.fill
            else 'fill="none"'
        )
        shape = f'<rect x="1" y="1" width="20" height="12" {fill} {stroke}/>'
    elif kind == "flow":
        colour = _esc(style.stroke or style.fill or "#000000")
        width = _num(max(style.stroke_width, 2))
        shape = (
            f'<line x1="1" y1="7" x2="14" y2="7" stroke="{colour}" stroke-width="{width}"'
            f'{dash} stroke-opacity="{_num(style.stroke_opacity)}"/>'
            f'<polygon points="13,2 21,7 13,12" fill="{colour}" '
            f'fill-opacity="{_num(style.stroke_opacity)}"/>'
        )
    else:
        shape = f'<line x1="1" y1="7" x2="21" y2="7" {stroke}/>'
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="22" height="14" '
        f'viewBox="0 0 22 14" aria-hidden="true">{shape}</svg>'
    )


def _legend_section(layer: Layer, key: str) -> str:
    entries = layer.legend or [_default_entry(layer)]
    items = "".join(
        f"<li>{_swatch(e.style, e.kind)}<span>{_esc(e.label)}</span></li>" for e in entries
    )
    body = f"<ul>{items}</ul>" + _size_key(layer)
    return f'<section data-fg-layer="{_esc(key)}"><h3>{_esc(layer.title)}</h3>{body}</section>'


def _default_entry(layer: Layer) -> LegendEntry:
    return LegendEntry(layer.title, layer.style, layer.kind)


def _size_key(layer: Layer) -> str:
    """Proportional flow widths or symbol sizes at the scale's key values."""
    size = layer.size
    if size is None or not size.key_values:
        return ""
    colour = layer.style.stroke or layer.style.fill or "#000000"
    rows = []
    for value in size.key_values:
        px = size.size(value)
        if layer.kind == "point":
            marker = layer.style.but(marker_size=px)
            svg = marker_svg(marker, size=px)
        else:
            height = max(px, 4) + 2
            svg = (
                f'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="{_num(height)}" '
                f'aria-hidden="true"><line x1="0" y1="{_num(height / 2)}" x2="40" '
                f'y2="{_num(height / 2)}" stroke="{_esc(colour)}" stroke-width="{_num(px)}" '
                f'stroke-opacity="{_num(layer.style.stroke_opacity)}"/></svg>'
            )
        rows.append(f"<li>{svg}<span>{_esc(_format_number(value))}</span></li>")
    title = size.label or size.column
    return f'<p class="fg-key-title">{_esc(title)}</p><ul class="fg-key">{"".join(rows)}</ul>'


def _format_number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"


# --- title, caption, locator ----------------------------------------------------------------


def _title_html(spec: MapSpec) -> str:
    out = f"<h1>{_esc(spec.title)}</h1>"
    if spec.subtitle:
        out += f"<p>{_esc(spec.subtitle)}</p>"
    buttons = [("Whole map", spec.extent)] + [
        (inset.title or "Close-up", inset.extent)
        for inset in spec.insets
        if inset.kind == "magnifier" and inset.extent is not None
    ]
    if len(buttons) > 1:
        out += (
            '<div class="fg-goto">'
            + "".join(
                f'<button type="button" data-fg-bounds="{_esc(json.dumps(_latlng_bounds(ext)))}">'
                f"{_esc(label)}</button>"
                for label, ext in buttons
            )
            + "</div>"
        )
    return out


def _latlng_bounds(extent: Sequence[float]) -> list[list[float]]:
    west, south, east, north = extent
    return [[south, west], [north, east]]


def _caption_html(composition: Composition, credits: Sequence[Credit]) -> str:
    parts = []
    for credit in credits:
        text = _esc(credit.text())
        if re.fullmatch(r"https?://[^\s\"'<>]+", credit.url or ""):
            text = (
                f'<a href="{_esc(credit.url)}" target="_blank" rel="noopener noreferrer">{text}</a>'
            )
        parts.append(text)
    line = "Sources: " + "; ".join(parts) + ". Map drawn with Leaflet."
    if composition.caption_sources:
        line += " Figures in the caption: " + _esc("; ".join(composition.caption_sources)) + "."
    caption = composition.caption
    caption_html = f'<p class="fg-cap">{_esc(caption)}</p>' if caption else ""
    return f'{caption_html}<p class="fg-credits">{line}</p>'


def _relief_credit() -> Credit:
    return Credit.of("relief")


def _locator(spec: MapSpec, width: float = 150.0) -> dict[str, Any] | None:
    """A small SVG map of the region with the map's extent, and the numbers to move its box."""
    west, south, east, north = spec.extent
    cx, cy = (west + east) / 2, (south + north) / 2
    half_w = max(14.0, 2.5 * (east - west))
    half_h = max(9.0, 2.5 * (north - south))
    box = (
        max(-180.0, cx - half_w),
        max(-80.0, cy - half_h),
        min(180.0, cx + half_w),
        min(80.0, cy + half_h),
    )
    world = geo.load("world_countries")
    if not isinstance(world, gpd.GeoDataFrame):
        return None
    region = world[world.intersects(shapely.box(*box))]
    region = region.assign(geometry=shapely.intersection(region.geometry.values, shapely.box(*box)))
    kx = width / (box[2] - box[0])
    ky = kx * 180 / math.pi
    top = _merc(box[3])
    height = (top - _merc(box[1])) * ky
    tol_m = (box[2] - box[0]) / width * 111_320 * math.cos(math.radians(cy)) * 0.7
    region = geom.simplify_lines(region[["adm0_a3", "geometry"]], tol_m)
    extent_box = shapely.box(west, south, east, north)

    def xy(lon: float, lat: float) -> str:
        return f"{(lon - box[0]) * kx:.1f} {(top - _merc(lat)) * ky:.1f}"

    paths = []
    for iso, g in zip(region["adm0_a3"], region.geometry.values, strict=True):
        if g is None or g.is_empty:
            continue
        polygons = [p for p in shapely.get_parts(g) if p.geom_type == "Polygon"]
        d = "".join(
            "M" + "L".join(xy(x, y) for x, y in ring.coords[:-1]) + "Z"
            for p in polygons
            for ring in (p.exterior, *p.interiors)
        )
        fill = "#d8cfc2" if g.intersects(extent_box) else "#eeeae3"
        paths.append(
            f'<path d="{d}" fill="{fill}" stroke="#8a8177" stroke-width="0.5">'
            f"<title>{_esc(str(iso))}</title></path>"
        )
    x0, y0 = (west - box[0]) * kx, (top - _merc(north)) * ky
    x1, y1 = (east - box[0]) * kx, (top - _merc(south)) * ky
    label = "Locator map: where the map lies in the region"
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{_esc(label)}">'
        f'<rect width="100%" height="100%" fill="{SEA}"/>'
        + "".join(paths)
        + f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{max(x1 - x0, 2):.1f}" '
        f'height="{max(y1 - y0, 2):.1f}" fill="#b3261e" fill-opacity="0.15" stroke="#b3261e" '
        'stroke-width="1.2"/>'
        '<rect class="fg-view" fill="none" stroke="#222" stroke-width="0.8" '
        'stroke-dasharray="2 1.5"/></svg>'
    )
    return {
        "html": svg,
        "label": label,
        "west": box[0],
        "top": top,
        "kx": kx,
        "ky": ky,
        "width": width,
        "height": height,
    }


def _merc(lat: float) -> float:
    lat = max(-85.0, min(85.0, lat))
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _fit_zoom(spec: MapSpec) -> int:
    """The zoom at which the extent fits the reference viewport, within the spec's zoom range."""
    west, south, east, north = spec.extent
    width, height = REFERENCE_VIEWPORT
    zx = math.log2(width * 360 / (256 * (east - west)))
    zy = math.log2(height * 2 * math.pi / (256 * (_merc(north) - _merc(south))))
    return int(min(max(math.floor(min(zx, zy)), spec.zoom[0]), spec.zoom[1]))


def _grown(extent: Sequence[float], share: float) -> tuple[float, float, float, float]:
    west, south, east, north = extent
    dx, dy = (east - west) * share, (north - south) * share
    return (
        max(-180.0, west - dx),
        max(-85.0, south - dy),
        min(180.0, east + dx),
        min(85.0, north + dy),
    )


# --- notes ----------------------------------------------------------------------------------


def _notes_layer(composition: Composition) -> Layer:
    notes = composition.annotations
    frame = gpd.GeoDataFrame(
        {"text": [a.text for a in notes]},
        geometry=[shapely.Point(a.lon, a.lat) for a in notes],
        crs="EPSG:4326",
    )
    return Layer(
        id="notes",
        title="Notes",
        kind="point",
        frame=frame,
        style=theme_style("marker_event"),
        credits=[],
        fields=[Field("text", "Note")],
        label="text",
    )


# --- relief ---------------------------------------------------------------------------------


def hillshade(
    extent: Sequence[float], margin: float = CLIP_MARGIN
) -> tuple[str, list[list[float]]] | None:
    """Hillshade of the embedded relief around an extent, as a PNG ``data:`` URI.

    Slopes are computed in metres (cell width ``cell × 111 320 × cos(lat)``,
    height ``cell × 110 540``); rows are resampled to Web Mercator so the image
    lies correctly under Leaflet. Shadows are semi-transparent black,
    sunlit slopes semi-transparent white, flat land and no-data clear.

    Parameters
    ----------
    extent : sequence of float
        ``(west, south, east, north)`` in degrees.
    margin : float
        Share of the extent added on each side.

    Returns
    -------
    (str, list) or None
        The data URI and its ``[[south, west], [north, east]]`` bounds, or None
        where the relief data does not reach.
    """
    raster = geo.load("relief")
    if not isinstance(raster, geo.Raster):
        return None
    west, south, east, north = _grown(extent, margin)
    r_west, _, _, r_north = raster.bounds
    dx, dy = raster.cell_size
    rows, cols = raster.values.shape
    c0 = max(0, math.floor((west - r_west) / dx))
    c1 = min(cols, math.ceil((east - r_west) / dx))
    r0 = max(0, math.floor((r_north - north) / dy))
    r1 = min(rows, math.ceil((r_north - south) / dy))
    if c1 - c0 < 2 or r1 - r0 < 2:
        return None
    # one extra cell around the crop so gradients at its edge are centred
    p0, p1 = max(0, r0 - 1), min(rows, r1 + 1)
    q0, q1 = max(0, c0 - 1), min(cols, c1 + 1)
    z = raster.values[p0:p1, q0:q1]
    valid = ~np.isnan(z)
    z = np.where(valid, z, 0.0) * RELIEF_EXAGGERATION
    lat = r_north - (np.arange(p0, p1) + 0.5) * dy
    dx_m = dx * 111_320 * np.cos(np.radians(lat))[:, None]
    dy_m = dy * 110_540
    dz_east = np.gradient(z, axis=1) / dx_m
    dz_north = -np.gradient(z, axis=0) / dy_m
    azimuth, altitude = math.radians(RELIEF_AZIMUTH), math.radians(RELIEF_ALTITUDE)
    light = (
        math.sin(azimuth) * math.cos(altitude),
        math.cos(azimuth) * math.cos(altitude),
        math.sin(altitude),
    )
    shade = (-dz_east * light[0] - dz_north * light[1] + light[2]) / np.sqrt(
        1 + dz_east**2 + dz_north**2
    )
    # crop back to [r0:r1, c0:c1] and resample to Mercator rows, upsampled
    shade = shade[r0 - p0 : r1 - p0, c0 - q0 : c1 - q0]
    valid = valid[r0 - p0 : r1 - p0, c0 - q0 : c1 - q0]
    top, bottom = r_north - r0 * dy, r_north - r1 * dy
    left, right = r_west + c0 * dx, r_west + c1 * dx
    upsample = max(1, min(RELIEF_UPSAMPLE, RELIEF_MAX_PX // max(r1 - r0, c1 - c0)))
    out_rows, out_cols = (r1 - r0) * upsample, (c1 - c0) * upsample
    y = _merc(top) + (np.arange(out_rows) + 0.5) / out_rows * (_merc(bottom) - _merc(top))
    lat_out = np.degrees(2 * np.arctan(np.exp(y)) - math.pi / 2)
    src_rows = (top - lat_out) / dy - 0.5
    src_cols = (np.arange(out_cols) + 0.5) / upsample - 0.5
    shade = _bilinear(shade, src_rows, src_cols)
    mask = _bilinear(valid.astype(float), src_rows, src_cols)
    flat = light[2]
    dark = np.clip((flat - shade) / flat, 0, 1) * 0.5
    bright = np.clip((shade - flat) / (1 - flat), 0, 1) * 0.25
    grey_alpha = np.zeros((out_rows, out_cols, 2), dtype=np.uint8)
    grey_alpha[..., 0] = np.where(shade > flat, 255, 0)
    grey_alpha[..., 1] = np.round(np.where(shade > flat, bright, dark) * mask * 255)
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(grey_alpha, "LA").save(buffer, format="PNG", optimize=True)
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return uri, [[bottom, left], [top, right]]


def _bilinear(values: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Sample a grid at fractional row and column positions (edges clamped)."""
    n_rows, n_cols = values.shape
    rows = np.clip(rows, 0, n_rows - 1)
    cols = np.clip(cols, 0, n_cols - 1)
    r0 = np.floor(rows).astype(int)
    c0 = np.floor(cols).astype(int)
    r1 = np.minimum(r0 + 1, n_rows - 1)
    c1 = np.minimum(c0 + 1, n_cols - 1)
    fr = (rows - r0)[:, None]
    fc = (cols - c0)[None, :]
    top = values[np.ix_(r0, c0)] * (1 - fc) + values[np.ix_(r0, c1)] * fc
    bottom = values[np.ix_(r1, c0)] * (1 - fc) + values[np.ix_(r1, c1)] * fc
    return top * (1 - fr) + bottom * fr


# --- small helpers --------------------------------------------------------------------------


def _inside(root: Path, name: str, spec: MapSpec) -> Path:
    try:
        return geo.atomic.path_inside(root, name)
    except ValueError as err:
        raise SpecError(
            spec.source,
            f"id {spec.id!r}: {err}",
            field="id",
            hint="use lower-case letters, digits, '-' and '_' only",
        ) from None


def _esc(text: str) -> str:
    return html.escape(str(text), quote=True)


def _num(value: float) -> str:
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def _js_json(obj: Any) -> str:
    """JSON that is safe inside a ``<script>`` element."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
