"""The one theme: every colour, line and symbol in fergana's maps.

Both renderers read styles from here through the layers, so a map looks the
same on the web and in print. Names are roles, not colours.
"""

from __future__ import annotations

from collections.abc import Iterable

from layers.style import Categories, Style

FONT_FAMILY = "DejaVu Sans"  # has Cyrillic and Uzbek Latin (oʻ, gʻ) glyphs

# Country colours, used for ownership (enclaves) and emphasis.
COUNTRY_COLOURS: dict[str, str] = {
    "KGZ": "#c8553d",
    "UZB": "#2e6f95",
    "TJK": "#5b8c3a",
}

PAPER = "#ffffff"
SEA = "#cfe3ef"
TEXT = "#222222"
MUTED_TEXT = "#555555"
HALO = "#ffffff"

THEME: dict[str, Style] = {
    # basemap
    "land": Style(fill="#efece6", stroke=None, z=0),
    "country": Style(fill="#ebe7df", stroke="#8a8177", stroke_width=0.6, z=1),
    "country_focus": Style(fill="#fbf7ee", stroke="#5c5247", stroke_width=0.9, z=2),
    "admin1": Style(fill=None, stroke="#a39a8f", stroke_width=0.5, dash=(3, 2), z=3),
    "lake": Style(fill="#b9d7ea", stroke="#7fa9c7", stroke_width=0.4, z=4),
    "river": Style(stroke="#6a9fc8", stroke_width=0.9, z=5),
    "river_major": Style(stroke="#4f8fc0", stroke_width=1.6, z=5),
    "place": Style(fill="#333333", stroke="#ffffff", stroke_width=0.8, marker_size=5, z=30),
    "capital": Style(fill="#111111", stroke="#ffffff", marker="square", marker_size=6, z=31),
    # borders
    "boundary": Style(stroke="#4a4038", stroke_width=1.2, z=10),
    "boundary_disputed": Style(stroke="#4a4038", stroke_width=1.2, dash=(6, 4), z=10),
    "boundary_indefinite": Style(stroke="#4a4038", stroke_width=1.0, dash=(2, 3), z=10),
    "enclave": Style(fill="#999999", fill_opacity=0.85, stroke="#222222", stroke_width=0.8, z=12),
    # the valley
    "valley_floor": Style(
        fill="#e9c46a", fill_opacity=0.35, stroke="#b8892b", stroke_width=1.2, dash=(5, 3), z=6
    ),
    "valley_region": Style(fill=None, stroke="#8f6a1f", stroke_width=1.0, dash=(1, 3), z=7),
    "valley_provinces": Style(
        fill="#e9c46a", fill_opacity=0.15, stroke="#8f6a1f", stroke_width=0.8, z=6
    ),
    # June 2010
    "flow": Style(fill="#b3261e", fill_opacity=0.75, stroke="#b3261e", stroke_opacity=0.75, z=20),
    "flow_unknown": Style(
        fill="#b3261e", fill_opacity=0.6, stroke="#b3261e", stroke_width=1.5, dash=(4, 3), z=19
    ),
    "flow_return": Style(fill="#2f7d6d", fill_opacity=0.7, stroke="#2f7d6d", z=19),
    "crossing": Style(fill="#ffffff", stroke="#b3261e", stroke_width=1.5, marker="cross", z=22),
    "camp": Style(fill="#b3261e", stroke="#ffffff", marker="triangle", marker_size=9, z=22),
    "violence": Style(fill="#7a0c0c", fill_opacity=0.55, stroke="#ffffff", stroke_width=0.8, z=21),
    "violence_unquantified": Style(
        fill="#ffffff", fill_opacity=0.9, stroke="#7a0c0c", stroke_width=1.5, marker_size=8, z=21
    ),
    # bases
    "base_us": Style(fill="#1f4e79", stroke="#ffffff", marker="square", marker_size=11, z=25),
    "base_russia": Style(fill="#8b1e3f", stroke="#ffffff", marker="square", marker_size=11, z=25),
    "base_other": Style(fill="#6b6b6b", stroke="#ffffff", marker="square", marker_size=9, z=24),
    "base_closed": Style(fill="#ffffff", stroke="#1f4e79", stroke_width=1.5, marker="square", z=24),
    # trafficking
    "route": Style(stroke="#6a1b9a", stroke_width=2.5, stroke_opacity=0.85, z=18),
    "route_weak": Style(stroke="#6a1b9a", stroke_width=1.8, stroke_opacity=0.8, dash=(5, 4), z=18),
    "route_stop": Style(fill="#6a1b9a", stroke="#ffffff", marker_size=6, z=19),
    # water
    "dam": Style(fill="#1b4f72", stroke="#ffffff", marker="diamond", marker_size=10, z=23),
    "reservoir": Style(fill="#5dade2", stroke="#1b4f72", marker="circle", marker_size=9, z=23),
    # CSTO
    "csto_member": Style(
        fill="#c0504d", fill_opacity=0.55, stroke="#7a2a28", stroke_width=0.6, z=8
    ),
    "csto_suspended": Style(
        fill="#e6a8a6", fill_opacity=0.55, stroke="#7a2a28", stroke_width=0.6, dash=(3, 2), z=8
    ),
    "csto_former": Style(
        fill="#d9d9d9", fill_opacity=0.7, stroke="#7a7a7a", stroke_width=0.6, dash=(2, 2), z=8
    ),
    # annotations
    "marker_event": Style(fill="#444444", stroke="#ffffff", marker="star", marker_size=12, z=26),
}


def themed(
    column: str, roles: dict[str, tuple[str, str]], present: Iterable[object] | None = None
) -> Categories:
    """Per-feature styles from a table of value -> (legend label, theme role).

    Parameters
    ----------
    column : str
        Column whose value picks the style.
    roles : dict
        Value -> (legend label, role in :data:`THEME`), in legend order.
    present : iterable, optional
        Values that occur in the data; other rows of `roles` are left out of the legend.
    """
    keep = set(roles) if present is None else set(present)
    return Categories(
        column,
        {value: (label, style(role)) for value, (label, role) in roles.items() if value in keep},
    )


def style(role: str) -> Style:
    """The theme's style for `role`; a KeyError lists the roles."""
    try:
        return THEME[role]
    except KeyError:
        raise KeyError(f"no style '{role}' in the theme; roles: {', '.join(THEME)}") from None
