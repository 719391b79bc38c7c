"""The one theme: every colour, line and symbol in fergana's maps.

Both renderers read styles from here through the layers, so a map looks the
same on the web and in print. Names are roles, not colours.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from layers.style import Categories, Category, Style

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

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
    "land": Style(fill="#efece6", stroke=None),
    "country": Style(fill="#ebe7df", stroke="#8a8177", stroke_width=0.6),
    "country_focus": Style(fill="#fbf7ee", stroke="#5c5247", stroke_width=0.9),
    "admin1": Style(fill=None, stroke="#a39a8f", stroke_width=0.5, dash=(3, 2)),
    "lake": Style(fill="#b9d7ea", stroke="#7fa9c7", stroke_width=0.4),
    "river": Style(stroke="#6a9fc8", stroke_width=0.9),
    "river_major": Style(stroke="#4f8fc0", stroke_width=1.6),
    "place": Style(fill="#333333", stroke="#ffffff", stroke_width=0.8, marker_size=5),
    "capital": Style(fill="#111111", stroke="#ffffff", marker="square", marker_size=6),
    # borders
    "boundary": Style(stroke="#4a4038", stroke_width=1.2),
    "boundary_disputed": Style(stroke="#4a4038", stroke_width=1.2, dash=(6, 4)),
    "boundary_indefinite": Style(stroke="#4a4038", stroke_width=1.0, dash=(2, 3)),
    "enclave": Style(fill="#999999", fill_opacity=0.85, stroke="#222222", stroke_width=0.8),
    # the valley
    "valley_floor": Style(
        fill="#e9c46a", fill_opacity=0.35, stroke="#b8892b", stroke_width=1.2, dash=(5, 3)
    ),
    "valley_region": Style(fill=None, stroke="#8f6a1f", stroke_width=1.0, dash=(1, 3)),
    "valley_provinces": Style(
        fill="#e9c46a", fill_opacity=0.15, stroke="#8f6a1f", stroke_width=0.8
    ),
    # June 2010
    "flow": Style(fill="#b3261e", fill_opacity=0.75, stroke="#b3261e", stroke_opacity=0.75),
    "flow_unknown": Style(
        fill="#b3261e", fill_opacity=0.6, stroke="#b3261e", stroke_width=1.5, dash=(4, 3)
    ),
    "flow_return": Style(fill="#2f7d6d", fill_opacity=0.7, stroke="#2f7d6d"),
    "crossing": Style(fill="#ffffff", stroke="#b3261e", stroke_width=1.5, marker="cross"),
    "camp": Style(fill="#b3261e", stroke="#ffffff", marker="triangle", marker_size=9),
    "violence": Style(fill="#7a0c0c", fill_opacity=0.55, stroke="#ffffff", stroke_width=0.8),
    "violence_unquantified": Style(
        fill="#ffffff", fill_opacity=0.9, stroke="#7a0c0c", stroke_width=1.5, marker_size=8
    ),
    # bases
    "base_us": Style(fill="#1f4e79", stroke="#ffffff", marker="square", marker_size=11),
    "base_russia": Style(fill="#8b1e3f", stroke="#ffffff", marker="square", marker_size=11),
    "base_other": Style(fill="#6b6b6b", stroke="#ffffff", marker="square", marker_size=9),
    "base_closed": Style(fill="#ffffff", stroke="#1f4e79", stroke_width=1.5, marker="square"),
    # trafficking
    "route": Style(stroke="#6a1b9a", stroke_width=2.5, stroke_opacity=0.85),
    "route_weak": Style(stroke="#6a1b9a", stroke_width=1.8, stroke_opacity=0.8, dash=(5, 4)),
    "route_stop": Style(fill="#6a1b9a", stroke="#ffffff", marker_size=6),
    # water
    "dam": Style(fill="#1b4f72", stroke="#ffffff", marker="diamond", marker_size=10),
    "reservoir": Style(fill="#5dade2", stroke="#1b4f72", marker="circle", marker_size=9),
    # CSTO
    "csto_member": Style(fill="#c0504d", fill_opacity=0.55, stroke="#7a2a28", stroke_width=0.6),
    "csto_suspended": Style(
        fill="#e6a8a6", fill_opacity=0.55, stroke="#7a2a28", stroke_width=0.6, dash=(3, 2)
    ),
    "csto_former": Style(
        fill="#d9d9d9", fill_opacity=0.7, stroke="#7a7a7a", stroke_width=0.6, dash=(2, 2)
    ),
    # militants in the valley
    "militancy": Style(
        fill="#d35400", stroke="#4a1c00", stroke_width=0.8, marker="star", marker_size=14
    ),
    "militancy_approximate": Style(
        fill="#ffffff", stroke="#d35400", stroke_width=1.8, marker="star", marker_size=14
    ),
    # Kyrgyzstan's 2010: dated events
    "timeline_event": Style(fill="#00796b", stroke="#ffffff", stroke_width=1.0, marker_size=10),
    "timeline_national": Style(fill=None, stroke="#00796b", stroke_width=2.5, dash=(7, 4)),
    # your own data (the generic points, lines and areas layers)
    "user_point": Style(fill="#1f5f8b", stroke="#ffffff", stroke_width=0.8, marker_size=7),
    "user_symbol": Style(
        fill="#1f5f8b", fill_opacity=0.6, stroke="#ffffff", stroke_width=0.8, marker_size=7
    ),
    "user_line": Style(stroke="#1f5f8b", stroke_width=1.8, stroke_opacity=0.9),
    "user_area": Style(fill="#9ecae1", fill_opacity=0.8, stroke="#ffffff", stroke_width=0.5),
    "user_flow": Style(fill="#b3261e", fill_opacity=0.75, stroke="#b3261e", stroke_opacity=0.75),
    "no_data": Style(
        fill="#e4e1dc", fill_opacity=0.8, stroke="#9a948c", stroke_width=0.5, dash=(2, 2)
    ),
    # annotations
    "marker_event": Style(fill="#444444", stroke="#ffffff", marker="star", marker_size=12),
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
        {
            value: Category(label, style(role))
            for value, (label, role) in roles.items()
            if value in keep
        },
    )


def style(role: str) -> Style:
    """The theme's style for `role`; a KeyError lists the roles."""
    try:
        return THEME[role]
    except KeyError:
        raise KeyError(f"no style '{role}' in the theme; roles: {', '.join(THEME)}") from None


# --- labels: typography and priority as data ---------------------------------------------


@dataclass(frozen=True)
class LabelRole:
    """How one kind of label looks and how much it matters.

    Both renderers read these: print sets `size` in points on the page, the web
    in CSS pixels at :data:`WEB_PX_PER_PT` per point.

    Attributes
    ----------
    size : float
        Font size in points (print, at type scale 1).
    weight, style : str
        ``"normal"`` or ``"bold"``; ``"normal"`` or ``"italic"``.
    halo : float
        White halo around the glyphs, in points (0 for none).
    uppercase : bool
        Set in capitals (country names).
    rank : float
        Collision priority: lower ranks are placed first and win.
    in_insets : bool
        Also labelled in magnifier insets (small areas would clutter them).
    beside : bool
        An area too small for its name may be labelled from beside it. Country names
        are not: beside a small country they land on a neighbour (Armenia's on
        Azerbaijan), so they stay inside their own largest polygon or are left out.
    """

    size: float
    weight: str = "normal"
    style: str = "normal"
    colour: str = TEXT
    halo: float = 1.0
    uppercase: bool = False
    rank: float = 9.0
    in_insets: bool = False
    beside: bool = True


WEB_PX_PER_PT = 11 / 7  # a 7 pt print label is 11 px on screen

# Which labels win (lower rank first): notes, the map's own subject (its thematic points
# and flows), then towns, enclaves, other areas, countries, water and provinces.
LABEL_ROLES: dict[str, LabelRole] = {
    "note": LabelRole(7.0, style="italic", colour="#3a2f28", halo=1.2, rank=0, in_insets=True),
    "point": LabelRole(7.0, halo=1.1, rank=1, in_insets=True),
    "flow": LabelRole(6.5, style="italic", halo=1.0, rank=1),
    "enclave_point": LabelRole(6.5, colour="#1d1d1d", halo=1.1, rank=1, in_insets=True),
    "capital": LabelRole(8.0, weight="bold", halo=1.2, rank=2, in_insets=True),
    "city": LabelRole(7.5, halo=1.2, rank=2, in_insets=True),
    "town": LabelRole(6.6, halo=1.0, rank=2, in_insets=True),
    "enclave": LabelRole(7.0, weight="bold", colour="#1d1d1d", halo=1.2, rank=2.5, in_insets=True),
    "area": LabelRole(6.5, style="italic", colour="#4d4540", halo=1.0, rank=5),
    "country": LabelRole(
        9.0,
        weight="bold",
        colour="#8c7f71",
        halo=1.2,
        uppercase=True,
        rank=6,
        in_insets=True,
        beside=False,
    ),
    "alliance_member": LabelRole(
        6.5, colour="#5a2220", halo=1.0, rank=6, in_insets=True, beside=False
    ),
    "world_country": LabelRole(
        6.5, style="italic", colour="#4d4540", halo=1.0, rank=6.5, beside=False
    ),
    "lake": LabelRole(6.0, style="italic", colour="#2b6a99", halo=1.0, rank=7),
    "valley_province": LabelRole(6.0, style="italic", colour="#6f665c", halo=1.0, rank=8),
    "province": LabelRole(6.0, style="italic", colour="#6f665c", halo=1.0, rank=9),
    "river": LabelRole(6.0, style="italic", colour="#2b6a99", halo=1.0, rank=10),
    "line": LabelRole(6.0, style="italic", halo=1.0, rank=10),
}
# The label role of each layer's features; layers not listed take the role of their kind.
LAYER_LABEL_ROLES: dict[str, str] = {
    "countries": "country",
    "csto": "alliance_member",
    "world": "world_country",
    "admin1": "province",
    "valley_provinces": "valley_province",
    "lakes": "lake",
    "rivers": "river",
    "enclaves": "enclave",
    "enclave_points": "enclave_point",
}
KIND_LABEL_ROLES: dict[str, str] = {
    "point": "point",
    "flow": "flow",
    "area": "area",
    "line": "line",
}
# Town tiers of the "places" layer: capitals, cities of at least this many people, towns.
CITY_POPULATION = 300_000


def label_roles(layer_id: str, kind: str, frame: pd.DataFrame) -> np.ndarray:
    """The label role of every feature of a layer (an array of :data:`LABEL_ROLES` keys).

    Towns are tiered by the ``kind`` and ``population`` columns of the ``places`` layer:
    a capital, a city (population ≥ :data:`CITY_POPULATION`) or a town.
    """
    import numpy as np  # here, not at the top: the gallery reads the theme's colours
    import pandas as pd  # and a no-op build must not import pandas

    role = LAYER_LABEL_ROLES.get(layer_id, KIND_LABEL_ROLES.get(kind, "point"))
    roles = np.full(len(frame), role, dtype=object)
    if layer_id == "places":
        kinds = frame["kind"].astype(str).to_numpy() if "kind" in frame else np.full(len(frame), "")
        population = (
            pd.to_numeric(frame["population"], errors="coerce").to_numpy(dtype=float)
            if "population" in frame
            else np.full(len(frame), np.nan)
        )
        with np.errstate(invalid="ignore"):
            roles = np.where(
                kinds == "capital",
                "capital",
                np.where(population >= CITY_POPULATION, "city", "town"),
            ).astype(object)
    return roles


# --- flows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArrowShape:
    """Flow arrowheads, in proportion to the shaft's width.

    Attributes
    ----------
    length, width : float
        Head length and base width as multiples of the shaft width.
    min_length, min_width : float
        Smallest head in pixels (print: times the page's type scale), so thin and
        dashed flows still show their direction.
    shaft_overlap : float
        Share of the head length the shaft runs under the head (so they join
        without a gap); a dashed shaft stops at the head's base.
    """

    length: float = 2.2
    width: float = 2.0
    min_length: float = 5.0 / 0.75
    min_width: float = 4.2 / 0.75
    shaft_overlap: float = 0.25

    def head(self, shaft_px: float, scale: float = 1.0) -> tuple[float, float]:
        """Head ``(length, width)`` in pixels for a shaft `shaft_px` wide."""
        return (
            max(self.length * shaft_px, self.min_length * scale),
            max(self.width * shaft_px, self.min_width * scale),
        )


FLOW_ARROW = ArrowShape()


# --- colour schemes of the web page: light (as above) and dark ---------------------------


@dataclass(frozen=True)
class Palette:
    """The colours of one colour scheme of the web page (CSS hex colours).

    Attributes
    ----------
    sea, land : str
        The map's background and its land.
    panel : str
        Background of the panels (title, legend, caption ...), drawn at
        :data:`PANEL_OPACITY` over the map.
    text, muted_text : str
        Text on the panels; secondary text (subtitles, credits, key titles).
    halo : str
        The halo around map labels.
    border, button : str
        Borders of buttons and controls; the background of buttons.
    """

    sea: str
    land: str
    panel: str
    text: str
    muted_text: str
    halo: str
    border: str
    button: str


PANEL_OPACITY = 0.93

LIGHT = Palette(
    sea=SEA,
    land="#efece6",
    panel=PAPER,
    text=TEXT,
    muted_text=MUTED_TEXT,
    halo=HALO,
    border="#bbbbbb",
    button="#f6f6f6",
)
DARK = Palette(
    sea="#1a2c3b",
    land="#2b2a27",
    panel="#1d2024",
    text="#ebe8e3",
    muted_text="#b8b1a8",
    halo="#16181b",
    border="#5c6168",
    button="#2a2d32",
)

# In the dark scheme, the light colours of map features that are backgrounds (land, sea,
# lakes) or that would vanish on them (dark borders and outlines) become these; the colours
# that carry data (flows, bases, routes, events) stay as they are.
DARK_FEATURE_COLOURS: dict[str, str] = {
    "#efece6": DARK.land,  # land
    "#ebe7df": "#302e2a",  # country
    "#fbf7ee": "#3b3832",  # country_focus
    "#5c5247": "#b9ae9f",  # country_focus outline
    "#b9d7ea": "#1f3a50",  # lake
    "#e4e1dc": "#383633",  # no_data
    "#4a4038": "#d3c8bb",  # boundaries
    "#222222": "#e6e3de",  # enclave outline, the locator's view
    SEA: DARK.sea,  # sea (the locator's background)
    "#d8cfc2": "#575046",  # locator: countries in the extent
    "#eeeae3": "#34322e",  # locator: other countries
}

# The colour of each label role (:data:`LABEL_ROLES`) in the dark scheme, on DARK.halo.
DARK_LABEL_COLOURS: dict[str, str] = {
    "note": "#eadfcf",
    "point": DARK.text,
    "flow": DARK.text,
    "enclave_point": DARK.text,
    "capital": DARK.text,
    "city": DARK.text,
    "town": DARK.text,
    "enclave": DARK.text,
    "area": "#cbc2b8",
    "country": "#b3a799",
    "alliance_member": "#f0b4ae",
    "world_country": "#cbc2b8",
    "lake": "#8cc3ea",
    "valley_province": "#b5aca1",
    "province": "#b5aca1",
    "river": "#8cc3ea",
    "line": DARK.text,
}
