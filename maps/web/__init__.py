"""The web renderer: a map spec as a self-contained, reproducible Leaflet (folium) page.

One line in a notebook::

    from maps.web import web_map
    web_map("fergana-borders")  # a spec id, a spec path, a MapSpec or a Composition

and one call for files::

    write_web(composition, "out/")  # ID.html, ID.embed.html, ID.txt

The page needs no tile server and makes no network request: Leaflet, its CSS
and fergana's small runtime are inlined, the basemap is drawn from the spec's
own layers and relief is an embedded PNG. Element ids come from a counter
(:func:`deterministic_ids`), so the same spec always gives the same bytes.
Every text that reaches the page is HTML-escaped.

The package, module by module: ``assemble`` (composition → ``folium.Map``),
``elements`` (one ``MacroElement`` per Leaflet object), ``page`` (the page
around the map, rendering, embed snippet), ``payload`` and ``flows`` (each
layer's features, popups, time groups and arrowheads), ``encoding`` (compact
coordinates and shared arcs), ``labels``, ``legend``, ``symbols``,
``locator``, ``furniture`` (title, caption, credits, notes), ``relief``
(hillshade image), ``panes``, ``view`` (Mercator, zoom, scale), ``leaflet``
(inlined Leaflet) and ``assets`` (reads ``runtime.js``, ``fergana.css``,
``legend.js`` and ``figure.html``, shipped as package data).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import folium

import geo
from maps.compose import Composition, compose, describe
from maps.spec import SPEC_DIR, MapSpec, SpecError, load_spec
from maps.web.assemble import build_map
from maps.web.encoding import encode_coordinates
from maps.web.errors import WebBuildError
from maps.web.flows import HEAD_LENGTH, HEAD_WIDTH, MIN_HEAD_BASIS_PX
from maps.web.ids import deterministic_ids
from maps.web.labels import (
    COUNTRY_LAYERS,
    LABEL_PANE,
    LABEL_PANE_Z,
    REGION_LAYERS,
    WATER_LAYERS,
)
from maps.web.page import check_self_contained, embed_snippet, render_html
from maps.web.relief import (
    RELIEF_ALTITUDE,
    RELIEF_AZIMUTH,
    RELIEF_EXAGGERATION,
    RELIEF_MAX_PX,
    RELIEF_UPSAMPLE,
    hillshade,
)
from maps.web.symbols import marker_svg
from maps.web.view import REFERENCE_VIEWPORT

__all__ = [
    "COUNTRY_LAYERS",
    "HEAD_LENGTH",
    "HEAD_WIDTH",
    "LABEL_PANE",
    "LABEL_PANE_Z",
    "MIN_HEAD_BASIS_PX",
    "MODES",
    "REFERENCE_VIEWPORT",
    "REGION_LAYERS",
    "RELIEF_ALTITUDE",
    "RELIEF_AZIMUTH",
    "RELIEF_EXAGGERATION",
    "RELIEF_MAX_PX",
    "RELIEF_UPSAMPLE",
    "WATER_LAYERS",
    "WebBuildError",
    "as_composition",
    "check_self_contained",
    "deterministic_ids",
    "embed_snippet",
    "encode_coordinates",
    "hillshade",
    "marker_svg",
    "render_html",
    "web_map",
    "write_web",
]

MODES = ("inline", "cdn")


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
        return build_map(composition, mode=mode, tiles=tiles)


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
