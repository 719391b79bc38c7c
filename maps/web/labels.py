"""Labels on the web map: the scene's label plan as feature properties, its typography as CSS.

The scene decides which features are labelled, with which text, role and
anchor, and in which order they are placed (:attr:`maps.scene.Scene.labels`).
Here each label becomes properties of its feature (text, anchor, role, rank =
its place in that order); the runtime's ``FG.declutter`` places them in rank
order and hides the ones that collide. Typography is the theme's
:data:`layers.theme.LABEL_ROLES`, written as one CSS rule per role
(:func:`label_css`); placement by geometry kind stays in ``fergana.css``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from layers.theme import HALO, LABEL_ROLES, WEB_PX_PER_PT, LabelRole
from maps.scene import Label, Scene
from maps.web.text import esc, num

LABEL_PANE = "fg-labels"
LABEL_PANE_Z = 620


@dataclass(frozen=True)
class LabelPlan:
    """The scene's labels keyed by what they label.

    Attributes
    ----------
    features : dict
        ``(layer index, feature position) -> properties`` (``n`` text, ``a``
        anchor, ``l`` role, ``r`` rank) for every labelled feature.
    notes : list of (int, Label)
        The annotations' labels (``layer is None``) with their ranks.
    """

    features: dict[tuple[int, int], dict[str, Any]]
    notes: list[tuple[int, Label]]


def label_plan(scene: Scene, decimals: int) -> LabelPlan:
    """Each label's feature properties; the rank is the label's place in ``scene.labels``."""
    features: dict[tuple[int, int], dict[str, Any]] = {}
    notes: list[tuple[int, Label]] = []
    for rank, label in enumerate(scene.labels):
        if label.layer is None:
            notes.append((rank, label))
            continue
        features[(label.layer, label.feature)] = label_props(label, rank, decimals)
    return LabelPlan(features, notes)


def label_props(label: Label, rank: int, decimals: int) -> dict[str, Any]:
    """The properties that draw one label: escaped text, anchor, role and rank."""
    return {
        "n": esc(label.text),
        "a": [round(label.lon, decimals), round(label.lat, decimals)],
        "l": label.role,
        "r": rank,
    }


def kind_class(kind: str) -> str:
    """CSS class placing the labels of one geometry kind (``fg-k-point`` ...)."""
    return f"fg-k-{kind}"


def label_css() -> str:
    """One CSS rule per label role of the theme (class ``fg-l-ROLE``), sizes in CSS pixels."""
    return "".join(_role_rule(name, role) for name, role in LABEL_ROLES.items())


def _role_rule(name: str, role: LabelRole) -> str:
    declarations = [
        f"font-size: {num(role.size * WEB_PX_PER_PT)}px",
        f"font-weight: {role.weight}",
        f"font-style: {role.style}",
        f"color: {role.colour}",
        f"text-shadow: {halo_shadow(role.halo * WEB_PX_PER_PT)}",
    ]
    if role.uppercase:
        declarations.append("text-transform: uppercase")
    return f".fg-l-{name} span {{ {'; '.join(declarations)}; }}\n"


def halo_shadow(px: float) -> str:
    """A white halo `px` wide around the glyphs, as stacked blurred text shadows."""
    if px <= 0:
        return "none"
    radii = (px, px, 1.5 * px, 2 * px)
    return ", ".join(f"0 0 {num(r)}px {HALO}" for r in radii)
