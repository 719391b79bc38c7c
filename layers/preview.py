"""A layer at a glance, offline: a small SVG drawing and a summary, for notebooks and reprs.

:func:`layer_html` is ``Layer._repr_html_``: the drawing (:func:`layer_svg`), the title,
kind, feature count and credits, and the first rows as a table (without fergana's own
``fg_*`` columns). Every text that comes from data is HTML-escaped. The drawing is a
plain equirectangular sketch (longitudes shrunk by the cosine of the middle latitude),
simplified to about a pixel, one ``<g>`` per distinct style as in geopandas' plotting,
with coordinates rounded to 0.1 px, so the same layer always gives the same text.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

import numpy as np
import shapely

if TYPE_CHECKING:
    from layers.layer import Layer
    from layers.style import Style

WIDTH = 320  # px: the drawing's width (its height follows the layer's shape) ...
MAX_HEIGHT = 240  # ... within this height
PAD = 6  # px of margin, so that points and strokes at the edges show whole
MAX_FEATURES = 5000  # a larger layer is drawn in part, and says so
ROWS = 5  # rows of the table
COLUMNS = 8  # columns of the table
CELL_CHARS = 60  # characters of a cell before "…"
INTERNAL_PREFIX = "fg_"  # columns fergana adds for drawing (e.g. fg_class), not the user's data


def esc(value: object) -> str:
    """`value` as text, safe in HTML content and in quoted attributes."""
    return html.escape(str(value), quote=True)


def short(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with "…" where it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def layer_summary(layer: Layer) -> str:
    """One line: id, kind, feature count and credits (``Layer.__repr__``)."""
    credits = "; ".join(c.text() for c in layer.credits) or "none"
    count = len(layer.frame)
    return (
        f"<Layer {layer.id!r} {layer.kind}: {count:,} feature{'' if count == 1 else 's'}, "
        f"credits: {short(credits, 80)}>"
    )


def layer_html(layer: Layer) -> str:
    """The layer's drawing, summary and first rows as an HTML fragment (``_repr_html_``)."""
    frame = layer.frame
    count = len(frame)
    credits = "; ".join(c.text() for c in layer.credits) or "none"
    columns = [
        c
        for c in frame.columns
        if c != frame.geometry.name and not str(c).startswith(INTERNAL_PREFIX)
    ][:COLUMNS]
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{esc(short(_cell(v), CELL_CHARS))}</td>" for v in row) + "</tr>"
        for row in frame[columns].head(ROWS).itertuples(index=False)
    )
    more = f"<p>… {count - ROWS:,} more rows</p>" if count > ROWS else ""
    return (
        '<div class="fergana-layer">'
        f"{layer_svg(layer)}"
        f"<p><strong>{esc(layer.title)}</strong> ({esc(layer.id)}): {esc(layer.kind)}, "
        f"{count:,} feature{'' if count == 1 else 's'}</p>"
        f"<p>Credits: {esc(credits)}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{more}"
        "</div>"
    )


def layer_svg(layer: Layer) -> str:
    """The layer drawn as an inline SVG, :data:`WIDTH` px wide, in the layer's own styles."""
    frame = layer.frame
    geoms = frame.geometry.to_numpy()[:MAX_FEATURES]
    distinct, codes = layer.style_codes()
    codes = codes[:MAX_FEATURES]
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.any():
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="40" '
            'role="img"><text x="6" y="24" font-size="12">no features</text></svg>'
        )
    west, south, east, north = shapely.total_bounds(geoms[present])
    shrink = math.cos(math.radians(min(max((south + north) / 2, -85.0), 85.0)))
    span_x = max((east - west) * shrink, 1e-9)
    span_y = max(north - south, 1e-9)
    scale = min((WIDTH - 2 * PAD) / span_x, (MAX_HEIGHT - 2 * PAD) / span_y)
    if east - west < 1e-9 and north - south < 1e-9:  # one point
        scale = 1.0
    height = round(min(MAX_HEIGHT, span_y * scale + 2 * PAD)) if north > south else 40
    # to pixels: x right, y down, centred in the box
    off_x = (WIDTH - span_x * scale) / 2 if east > west else WIDTH / 2
    off_y = (height - span_y * scale) / 2 if north > south else height / 2

    def to_px(xy: np.ndarray) -> np.ndarray:
        x = (xy[:, 0] - west) * shrink * scale + off_x
        y = (north - xy[:, 1]) * scale + off_y
        return np.round(np.column_stack([x, y]), 1)

    simplified = shapely.simplify(geoms, 1.0 / scale)
    groups: list[str] = []
    for n, style in enumerate(distinct):
        parts = [_shape(g, to_px, style, layer.kind) for g in simplified[(codes == n) & present]]
        if any(parts):
            groups.append(f"<g{_paint(style, layer.kind)}>{''.join(parts)}</g>")
    note = (
        f'<text x="{PAD}" y="{height - PAD}" font-size="10">first {MAX_FEATURES:,} '
        f"of {len(frame):,} features</text>"
        if len(frame) > MAX_FEATURES
        else ""
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{esc(layer.title)}" '
        f'style="background:#f4f6f8">{"".join(groups)}{note}</svg>'
    )


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _paint(style: Style, kind: str) -> str:
    """The attributes of one style's group."""
    fill = style.fill if kind in ("area", "point") else None
    stroke = style.stroke or (style.fill if kind in ("line", "flow") else None)
    attrs = {
        "fill": fill or "none",
        "fill-opacity": style.fill_opacity if fill else None,
        "stroke": stroke or "none",
        "stroke-width": min(max(style.stroke_width, 0.5), 3.0) if stroke else None,
        "stroke-opacity": style.stroke_opacity if stroke else None,
        "stroke-linejoin": "round",
    }
    return "".join(f' {k}="{esc(v)}"' for k, v in attrs.items() if v is not None)


def _shape(geom: shapely.Geometry, to_px, style: Style, kind: str) -> str:
    """One feature as SVG elements: a path for rings and lines, circles for points."""
    if geom is None or geom.is_empty:
        return ""
    kind_of = shapely.get_type_id(geom)
    if kind_of in (0, 4):  # Point, MultiPoint
        radius = min(max(style.marker_size / 2, 2.0), 5.0)
        return "".join(
            f'<circle cx="{x:g}" cy="{y:g}" r="{radius:g}"/>'
            for x, y in to_px(shapely.get_coordinates(geom))
        )
    if kind_of in (3, 6):  # Polygon, MultiPolygon: every ring, even-odd holes
        rings = [
            r for p in shapely.get_parts(geom) for r in [p.exterior, *p.interiors] if not r.is_empty
        ]
        d = "".join(_path(to_px(shapely.get_coordinates(r))) + "Z" for r in rings)
        return f'<path fill-rule="evenodd" d="{d}"/>' if d else ""
    if kind_of in (1, 2, 5):  # LineString, LinearRing, MultiLineString
        d = "".join(_path(to_px(shapely.get_coordinates(p))) for p in shapely.get_parts(geom))
        return f'<path d="{d}"/>' if d else ""
    return "".join(_shape(p, to_px, style, kind) for p in shapely.get_parts(geom))


def _path(xy: np.ndarray) -> str:
    if not len(xy):
        return ""
    points = " ".join(f"{x:g} {y:g}" for x, y in xy)
    return f"M{points}"
