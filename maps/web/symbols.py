"""SVG point symbols and legend swatches, drawn with the same style as the map."""

from __future__ import annotations

import math

from layers import Style
from maps.web.text import esc, num


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
        f'fill="{esc(style.fill or "none")}" fill-opacity="{num(style.fill_opacity)}" '
        f'stroke="{esc(style.stroke or "none")}" stroke-width="{num(sw)}" '
        f'stroke-opacity="{num(style.stroke_opacity)}" stroke-linejoin="round"'
    )
    unit = MARKER_SHAPES.get(style.marker)
    if unit is None:
        shape = f'<circle cx="0" cy="0" r="{num(r)}" {paint}/>'
    else:
        points = " ".join(f"{num(x * r)},{num(y * r)}" for x, y in unit)
        shape = f'<polygon points="{points}" {paint}/>'
    box = f"{num(-half)} {num(-half)} {num(2 * half)} {num(2 * half)}"
    dims = (
        f'width="{num(size + sw + 1)}" height="{num(size + sw + 1)}"'
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
# Marker outlines in units of the symbol's radius; anything else is a circle.
MARKER_SHAPES: dict[str, list[tuple[float, float]]] = {
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


def swatch(style: Style, kind: str) -> str:
    """A small legend swatch drawn with the same style as the map."""
    if kind == "point":
        return marker_svg(style, size=min(style.marker_size, 16))
    dash = f' stroke-dasharray="{" ".join(num(d) for d in style.dash)}"' if style.dash else ""
    stroke = (
        f'stroke="{esc(style.stroke)}" stroke-width="{num(min(style.stroke_width, 4))}" '
        f'stroke-opacity="{num(style.stroke_opacity)}"{dash}'
        if style.stroke
        else 'stroke="none"'
    )
    if kind == "area":
        fill = (
            f'fill="{esc(style.fill)}" fill-opacity="{num(style.fill_opacity)}"'
            if style.fill
            else 'fill="none"'
        )
        shape = f'<rect x="1" y="1" width="20" height="12" {fill} {stroke}/>'
    elif kind == "flow":
        colour = esc(style.stroke or style.fill or "#000000")
        width = num(max(style.stroke_width, 2))
        shape = (
            f'<line x1="1" y1="7" x2="14" y2="7" stroke="{colour}" stroke-width="{width}"'
            f'{dash} stroke-opacity="{num(style.stroke_opacity)}"/>'
            f'<polygon points="13,2 21,7 13,12" fill="{colour}" '
            f'fill-opacity="{num(style.stroke_opacity)}"/>'
        )
    else:
        shape = f'<line x1="1" y1="7" x2="21" y2="7" {stroke}/>'
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="22" height="14" '
        f'viewBox="0 0 22 14" aria-hidden="true">{shape}</svg>'
    )


def width_key_svg(
    colour: str, px: float, opacity: float, dash: tuple[float, ...] | None = None
) -> str:
    """A 40 px line `px` wide (dashed as the flow is): one row of a flow-width key."""
    height = max(px, 4) + 2
    dashes = f' stroke-dasharray="{" ".join(num(d) for d in dash)}"' if dash else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="{num(height)}" '
        f'aria-hidden="true"><line x1="0" y1="{num(height / 2)}" x2="40" '
        f'y2="{num(height / 2)}" stroke="{esc(colour)}" stroke-width="{num(px)}" '
        f'stroke-opacity="{num(opacity)}"{dashes}/></svg>'
    )
