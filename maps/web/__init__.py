"""The web renderer: a map's scene drawn as a self-contained, reproducible Leaflet (folium) page.

``web_map("fergana-borders")`` in a notebook, or ``web_map(layer)`` /
``web_map([a, b], extent=...)`` for layers made in code (:mod:`~maps.web.from_layers`);
``write_web(composition, "out/")`` for files (ID.html, ID.embed.html, ID.txt).
The scene (:mod:`maps.scene`) decides everything the reader sees; this package only
draws it: ``assemble`` (scene → ``folium.Map``), ``elements`` (one ``MacroElement``
per Leaflet object), ``payload``/``flows`` (features, popups, time groups,
arrowheads), ``encoding`` (compact coordinates, shared arcs), ``labels``,
``legend``, ``symbols``, ``locator``, ``furniture``, ``relief``, ``panes``, ``view``,
``page``, ``inline`` (assets of folium elements a user adds), ``words`` (the
page's own words in the scene's language), ``switcher`` (links between a map's
languages), and ``runtime.js``/``fergana.css``/``legend.js``/``figure.html`` as
package data. No network requests; counter ids (:func:`deterministic_ids`) and
escaped text.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import folium

import geo
from layers import Layer
from maps.compose import Composition, compose
from maps.languages import output_stem
from maps.scene import Scene, build_scene
from maps.scene.text import describe
from maps.spec import SPEC_DIR, MapSpec, SpecError, load_spec
from maps.web.assemble import build_map
from maps.web.embed import embed_snippet
from maps.web.encoding import encode_coordinates
from maps.web.errors import WebBuildError
from maps.web.from_layers import layers_composition
from maps.web.ids import deterministic_ids
from maps.web.labels import LABEL_PANE, LABEL_PANE_Z, label_css
from maps.web.page import check_self_contained, render_html
from maps.web.relief import relief_image
from maps.web.symbols import marker_svg
from maps.web.view import REFERENCE_VIEWPORT

__all__ = [
    "LABEL_PANE",
    "LABEL_PANE_Z",
    "MODES",
    "REFERENCE_VIEWPORT",
    "WebBuildError",
    "as_composition",
    "as_scene",
    "check_self_contained",
    "deterministic_ids",
    "embed_snippet",
    "encode_coordinates",
    "label_css",
    "marker_svg",
    "relief_image",
    "render_html",
    "web_map",
    "write_web",
]

Source = Scene | Composition | MapSpec | str | Path

MODES = ("inline", "cdn")


def web_map(
    source: Source | Layer | Sequence[Layer],
    extent: Sequence[float] | None = None,
    *,
    title: str | None = None,
    mode: str = "inline",
    tiles: Any = None,
) -> folium.Map:
    """A folium map of one spec, or of layers, ready to show in a notebook or to save.

    Parameters
    ----------
    source : Scene, Composition, MapSpec, str, Path, Layer or list of Layer
        A map's scene, a composed map, a spec, a spec file, the id of a spec
        in ``maps/specs``, or layers made in code (drawn in list order, credited
        and clipped as a spec's layers are).
    extent : (west, south, east, north), optional
        For layers only: the map's extent in degrees; by default the layers'
        total bounds and a margin.
    title : str, optional
        For layers only: the map's title; by default the layers' titles.
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
        folium elements added to it (``folium.Marker``, ``folium.Popup``,
        ``folium.plugins.MiniMap`` ...) have their scripts and stylesheets
        inlined when it renders (:mod:`maps.web.inline`).

    Raises
    ------
    SpecError
        If the spec cannot be read or composed, or the extent is bad; the message
        names the spec and key.
    WebBuildError
        When the map renders, if an added element needs an asset that cannot be
        inlined (the message names it).

    Examples
    --------
    >>> from maps.web import web_map
    >>> web_map("fergana-borders")  # doctest: +SKIP
    >>> web_map(layers.build("enclaves"), extent=(70.5, 39.8, 72.0, 40.5))  # doctest: +SKIP
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    if isinstance(source, Layer | list | tuple):
        source = layers_composition(source, extent, title=title)
    elif extent is not None or title is not None:
        raise TypeError("extent= and title= are for layers; a spec has its own")
    scene = as_scene(source)
    with deterministic_ids():
        return build_map(scene, mode=mode, tiles=tiles)


def write_web(
    source: Source,
    out_dir: str | Path,
    *,
    mode: str = "inline",
    tiles: Any = None,
) -> list[Path]:
    """Write a map's page, its embed snippet and its text description.

    Parameters
    ----------
    source : Scene, Composition, MapSpec, str or Path
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
        ``ID.html``, ``ID.embed.html`` (a responsive iframe) and ``ID.txt``; in a
        language other than the spec's first, ``ID.ru.html``... (:mod:`maps.languages`).

    Raises
    ------
    SpecError
        If the spec's id would write outside `out_dir`.
    WebBuildError
        If the page would not be self-contained.
    """
    scene = as_scene(source)
    spec = scene.spec
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    root = folder.resolve()
    targets = [
        _inside(root, f"{output_stem(spec)}{suffix}", spec)
        for suffix in (".html", ".embed.html", ".txt")
    ]
    page = render_html(web_map(scene, mode=mode, tiles=tiles))
    texts = [page, embed_snippet(spec, lang=scene.language), describe(scene)]
    for target, text in zip(targets, texts, strict=True):
        geo.write_text_atomic(target, text)
    return targets


def as_scene(obj: Source) -> Scene:
    """The scene of a map: a scene as it is, anything else composed and decided once."""
    return obj if isinstance(obj, Scene) else build_scene(as_composition(obj))


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
