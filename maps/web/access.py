"""What keyboard and screen-reader access (``access.js``) needs to know from the scene.

A backdrop layer (the registry's ``basemap`` theme: countries, provinces, lakes,
rivers, places) is there to orient the reader: its features keep their tooltips
and popups for the mouse, but are no Tab stops and get no data table, so the
keyboard goes from the controls straight to the map's own data. Such features
carry ``"k": 0`` in their payload (:mod:`maps.web.payload`).
"""

from __future__ import annotations

from typing import Any

from maps.scene import SceneLayer

#: The payload property of a feature that is no Tab stop (``{"k": 0}``).
NOT_A_TAB_STOP: dict[str, Any] = {"k": 0}


def in_tab_order(scene_layer: SceneLayer) -> bool:
    """Whether the layer's features are Tab stops (and get a data table): not a backdrop."""
    return not scene_layer.basemap


def access_props(scene_layer: SceneLayer) -> dict[str, Any]:
    """The properties each feature of `scene_layer` carries for ``access.js``."""
    return {} if in_tab_order(scene_layer) else dict(NOT_A_TAB_STOP)
