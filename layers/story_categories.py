"""How a story layer's features are put in categories: by a themed column, or by country.

:class:`Themed` maps a column's values to theme roles; :class:`ByCountry` gives each
country code its colour, with legend rows that may list the features' names
(:class:`layers.style.Wording`). Presets (:mod:`layers.presets`) hold them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

import geo
from geo.language import ENGLISH
from layers.style import Categories, Category, Wording
from layers.theme import COUNTRY_COLOURS, style, themed

#: Fill of a country without a colour of its own in the theme.
OTHER_COUNTRY_COLOUR = "#999999"


@dataclass(frozen=True)
class Themed:
    """Per-feature styles: the value of `column` -> (legend label, theme role), in legend order.

    With `present_only`, values that do not occur in the features are left out of
    the legend.
    """

    column: str
    roles: Mapping[str, tuple[str, str]]
    present_only: bool = False

    def categories(self, frame: pd.DataFrame) -> Categories:
        """The Categories of `frame`'s features."""
        present = frame[self.column].unique() if self.present_only else None
        return themed(self.column, dict(self.roles), present=present)


@dataclass(frozen=True)
class ByCountry:
    """One style per country code in `column`: the theme role `role` in the country's colour.

    Legend rows read `label` with ``{country}`` the country's name; a label with
    ``{names}`` lists the names (column `name_column`) of that country's features, and
    reads `plural` where there are several. Such a row is a :class:`Wording`: the
    country stays in the catalog message ("Enclave of Uzbekistan…", which a language
    inflects), the names are looked up as place names in each language.
    `changes` are further :meth:`Style.but` changes (e.g. a marker for points).
    """

    column: str
    label: str
    role: str
    changes: Mapping[str, object] = field(default_factory=dict)
    name_column: str = "name"
    plural: str = ""

    def categories(self, frame: pd.DataFrame) -> Categories:
        """The Categories of `frame`'s features: one per country code present."""
        countries = geo.load("countries").set_index("adm0_a3")["name"]
        base = style(self.role)
        rows = {}
        for iso in sorted(frame[self.column].unique()):
            country = str(countries.get(iso, iso))
            drawn = base.but(fill=COUNTRY_COLOURS.get(iso, OTHER_COUNTRY_COLOUR), **self.changes)
            if "{names}" not in self.label:
                rows[iso] = Category(self.label.format(country=country), drawn)
                continue
            names = tuple(map(str, frame.loc[frame[self.column] == iso, self.name_column]))
            # {names} stays a placeholder in the catalog message
            singular, plural = (
                m.format(country=country, names="{names}")
                for m in (self.label, self.plural or self.label)
            )
            wording = Wording(singular, plural, names)
            rows[iso] = Category(wording.text(ENGLISH), drawn, wording)
        return Categories(self.column, rows)
