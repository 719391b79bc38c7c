"""The Layer record: data plus everything a renderer needs, and nothing renderer-specific."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import DataError
from layers.preview import layer_html, layer_summary
from layers.style import Categories, Credit, Field, LegendEntry, SizeScale, Style

KINDS = ("area", "line", "point", "flow")


class MissingColumnsError(DataError):
    """Columns a layer's tooltip, label, legend or sizes show that its features lack.

    Raised for the user's data that lacks a column the layer uses beyond those its
    builder checked; :func:`layers.build` names the user's file in it.

    Attributes
    ----------
    missing : list of str
        The columns, sorted.
    """

    def __init__(self, source: str, missing: list[str]) -> None:
        self.missing = missing
        names = ", ".join(repr(c) for c in missing)
        plural = "s" if len(missing) > 1 else ""
        super().__init__(
            source,
            f"the data has no column{plural} {names}, which the layer shows "
            "(in its tooltip, label, legend or sizes)",
            field=missing[0],
            hint=f"add the column{plural} {names} to the data, as in the embedded dataset "
            "(fergana data show NAME lists its columns)",
        )


@dataclass(frozen=True)
class Layer:
    """A thematic layer.

    Attributes
    ----------
    id : str
        Registry id, used by map specs.
    title : str
        Shown in legends and layer controls.
    kind : {"area", "line", "point", "flow"}
        Geometry kind. Flows are lines from origin to destination whose width
        follows `size`; their arrowheads are drawn by the renderers from
        :func:`geo.arrowhead`.
    frame : GeoDataFrame
        Features in EPSG:4326.
    style : Style
        Base style; `categories` may override it per feature.
    categories : Categories or None
        Per-feature styles by the value of one column.
    size : SizeScale or None
        Proportional flow widths or symbol sizes.
    legend : list of LegendEntry, optional
        What the legend shows for this layer (the size key comes from `size`);
        by default one entry per category.
    fields : list of Field
        Tooltip/popup content, in order. The first field is the tooltip.
    label : str or None
        Column holding map labels; `label_priority` (numeric, higher first)
        decides which labels survive collisions.
    time : str or None
        Column holding ISO dates, for time sliders and captions.
    credits : list of Credit
        Sources of the data, compiled into each map's credits.
    description : str
        One or two plain sentences for text descriptions of the map.
    series : DataFrame or None
        Dated totals that go with the layer (columns ``date``, ``text``,
        ``source``), shown beside a time slider under `series_title`.
    """

    id: str
    title: str
    kind: str
    frame: gpd.GeoDataFrame
    style: Style
    credits: list[Credit]
    legend: list[LegendEntry] | None = None
    fields: list[Field] = field(default_factory=list)
    categories: Categories | None = None
    size: SizeScale | None = None
    label: str | None = None
    label_priority: str | None = None
    time: str | None = None
    description: str = ""
    series: pd.DataFrame | None = None
    series_title: str = ""

    def __post_init__(self) -> None:
        if self.legend is None:
            default = self.categories.legend(self.kind) if self.categories else []
            object.__setattr__(self, "legend", default)
        if self.kind not in KINDS:
            raise ValueError(f"layer '{self.id}': kind must be one of {KINDS}, not {self.kind!r}")
        if self.frame.crs is None or self.frame.crs.to_epsg() != 4326:
            raise ValueError(f"layer '{self.id}': frame must be in EPSG:4326, not {self.frame.crs}")
        wanted = [f.column for f in self.fields]
        for extra in (self.label, self.label_priority, self.time):
            if extra:
                wanted.append(extra)
        if self.categories:
            wanted.append(self.categories.column)
        if self.size:
            wanted.append(self.size.column)
        missing = sorted(set(wanted) - set(self.frame.columns))
        if missing:
            raise MissingColumnsError(f"layer '{self.id}'", missing)

    def style_of(self, row: pd.Series) -> Style:
        """The style of one feature (a row of `frame`)."""
        if self.categories is not None:
            value = row.get(self.categories.column)
            if value in self.categories.styles:
                return self.categories.styles[value].style
        return self.style

    def style_codes(self) -> tuple[tuple[Style, ...], np.ndarray]:
        """Every feature's style, vectorised: the distinct styles and one index per feature.

        Returns
        -------
        styles : tuple of Style
            The base style first, then each category style in category order.
        codes : ndarray of int
            ``styles[codes[k]]`` is the style of feature ``k`` (frame order).
        """
        styles: list[Style] = [self.style]
        codes = np.zeros(len(self.frame), dtype=np.intp)
        if self.categories is not None and self.categories.column in self.frame:
            values = self.frame[self.categories.column]
            for value, category in self.categories.styles.items():
                style = category.style
                hit = (values == value).to_numpy(dtype=bool, na_value=False)
                if not hit.any():
                    continue
                if style not in styles:
                    styles.append(style)
                codes[hit] = styles.index(style)
        return tuple(styles), codes

    def styles(self) -> list[Style]:
        """The style of every feature, in frame order."""
        distinct, codes = self.style_codes()
        return [distinct[k] for k in codes]

    def with_frame(self, frame: gpd.GeoDataFrame) -> Layer:
        """The same layer with other features (e.g. clipped or simplified)."""
        return replace(self, frame=frame)

    def explore(self, **kwargs: object):
        """The layer on fergana's own offline web map, in a notebook.

        Draws with fergana's renderer, as ``maps.web_map(self, **kwargs)`` does
        (not ``GeoDataFrame.explore``, which loads its scripts and tiles from the
        network). ``layers`` sits below ``maps`` in the import order and must not
        import it at module level, so the renderer is looked up when called, as
        pandas finds its plotting backend (``importlib.import_module``).

        Parameters
        ----------
        **kwargs
            Passed to :func:`maps.web.web_map`: ``extent``, ``title``, ``mode``, ``tiles``.

        Returns
        -------
        folium.Map
            Shows itself in a notebook; ``maps.web.render_html(m)`` gives the page.
        """
        web = importlib.import_module("maps.web")
        return web.web_map(self, **kwargs)

    def __repr__(self) -> str:
        """One line: ``<Layer 'id' kind: N features, credits: ...>``."""
        return layer_summary(self)

    def _repr_html_(self) -> str:
        """A small offline drawing of the layer, its summary and first rows (notebooks)."""
        return layer_html(self)
