"""The folium elements of a fergana map: one Leaflet object per element, each with its template.

As in folium, each element renders from its template (a ``script`` macro) and
finds the map and its layer group through its parents: :class:`FeatureLayer`
and :class:`ReliefImage` are children of a ``folium.FeatureGroup``, the rest
children of the map. The script they write calls the runtime (``runtime.js``).
"""

from __future__ import annotations

from typing import Any

from branca.element import Element, MacroElement
from folium.template import Template

from maps.web.assets import template
from maps.web.text import js_json


class Raw(Element):
    """Text put into the page as it is (already escaped or trusted)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Raw"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        """The text, unchanged."""
        return self.text


class Pane(MacroElement):
    """A Leaflet map pane at a z-index (``FG.pane``), for labels or tiles."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        'FG.pane({{ this._parent.get_name() }}, "{{ this.pane }}", {{ this.z }});\n'
        "{% endmacro %}"
    )

    def __init__(self, pane: str, z: int) -> None:
        super().__init__()
        self._name = "Pane"
        self.pane = pane
        self.z = z


class ArcTable(MacroElement):
    """The map's shared polygon arcs (``FG.setArcs``), read by every area layer."""

    _template = Template(
        "{% macro script(this, kwargs) %}FG.setArcs({{ this.table }});\n{% endmacro %}"
    )

    def __init__(self, scale: int, arcs: list[str]) -> None:
        super().__init__()
        self._name = "ArcTable"
        self.table = js_json({"scale": scale, "arcs": arcs})


class FeatureLayer(MacroElement):
    """One layer's features, labels and symbols (``FG.layer``), inside its FeatureGroup."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "FG.layer({{ this._parent._parent.get_name() }}, {{ this._parent.get_name() }}, "
        "{{ this.payload }});\n"
        "{% endmacro %}"
    )

    def __init__(self, payload: str) -> None:
        super().__init__()
        self._name = "FeatureLayer"
        self.payload = payload


class ReliefImage(MacroElement):
    """The relief shading as an image overlay (``FG.image``), inside its FeatureGroup."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "FG.image({{ this._parent._parent.get_name() }}, {{ this._parent.get_name() }}, "
        "{{ this.image }});\n"
        "{% endmacro %}"
    )

    def __init__(self, pane: str, z: int, url: str, bounds: list[list[float]]) -> None:
        super().__init__()
        self._name = "ReliefImage"
        self.image = js_json({"pane": pane, "z": z, "url": url, "bounds": bounds})


class Legend(MacroElement):
    """The legend control; a layer's sections hide while its layer is off."""

    _template = template("legend.js")

    def __init__(
        self, html_text: str, groups: list[tuple[str, str]], position: str, label: str = "Legend"
    ) -> None:
        super().__init__()
        self._name = "Legend"
        self.label = label
        self.html = html_text
        self.groups = groups
        self.position = position


class MapFinish(MacroElement):
    """The fixed controls, zoom limits and time slider (``FG.finish``), added last."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "FG.finish({{ this._parent.get_name() }}, {{ this.config }});\n"
        "{% endmacro %}"
    )

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self._name = "MapFinish"
        self.config = js_json(config)
