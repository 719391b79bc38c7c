"""What the map shows, in its legend (both renderers) and in words (``ID.txt``, the page).

The legend and the text description speak only of the features inside the spec's
extent; the description gives each feature's key value with its units, largest
first, the dates of timed layers and the caption's sourced figures.
"""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

import layers
import maps
from layers.figures import figure
from layers.flows import FLOW_KEY
from maps.compose import Composition
from maps.scene import build_scene, describe
from maps.scene.text import NAMES_SHOWN
from maps.web import web_map
from maps.web.elements import Legend

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "tests" / "project"
EXTENT = (70.0, 40.0, 72.0, 42.0)

# A user's wells, schools and clinics: every clinic lies outside the extent (but within
# the clip margin, so it is drawn around the map), as does the biggest school; the
# depots all lie outside.
SITES = """name,lon,lat,kind,pupils
Well A,70.5,40.5,well,
Well B,71.5,41.5,well,
School C,71.0,41.0,school,900
School D,70.2,41.8,school,120
School E,72.3,41.0,school,50000
Clinic F,72.3,40.5,clinic,300
Clinic G,69.7,41.5,clinic,200
"""
DEPOTS = """name,lon,lat
Depot H,72.4,41.0
Depot I,69.6,40.5
"""


class _Texts(HTMLParser):
    """Every piece of text in an HTML fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.texts.append(data.strip())


@pytest.fixture(scope="module")
def sites_spec(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sites")
    (folder / "sites.csv").write_text(SITES, encoding="utf-8")
    (folder / "depots.csv").write_text(DEPOTS, encoding="utf-8")
    spec = f"""
id = "sites"
title = "Sites"
extent = {list(EXTENT)}
relief = false

[[layers]]
id = "points"
data = "sites.csv"
color = "kind"
size = "pupils"
units = "pupils"
title = "Sites"

[[layers]]
id = "points"
data = "depots.csv"
title = "Depots"
"""
    path = folder / "sites.toml"
    path.write_text(spec, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sites_scene(sites_spec):
    return build_scene(maps.compose(maps.load_spec(sites_spec)))


@pytest.fixture(scope="module")
def sites_scene_unordered(sites_spec):
    """The sites with their kinds as what they are: categories, not classes of a scale.

    ``layers.generic.coloured`` marks a text column's categories ``ordered`` (as if
    they were classes, whose legend keeps every class); see the xfail test below.
    """
    composition = maps.compose(maps.load_spec(sites_spec))
    sites = composition.layers[0]
    unordered = replace(sites, categories=replace(sites.categories, ordered=False))
    return build_scene(replace(composition, layers=[unordered, *composition.layers[1:]]))


def _web_legend_texts(scene) -> list[str]:
    """The texts of the legend the web page carries (its Legend control's HTML)."""
    m = web_map(scene)
    (legend,) = [c for c in m._children.values() if isinstance(c, Legend)]
    parser = _Texts()
    parser.feed(legend.html)
    return parser.texts


def _print_legend_texts(scene, folder: Path) -> list[str]:
    """The texts of the print legend (SVG elements ``fg-legend-*``)."""
    (svg,) = maps.write_static(scene, folder, formats=("svg",), web_width_px=None)
    root = ET.fromstring(svg.read_bytes())
    return [
        "".join(node.itertext()).strip()
        for node in root.iter()
        if node.get("id", "").startswith("fg-legend-") and "".join(node.itertext()).strip()
    ]


def test_the_user_data_has_categories_beyond_the_extent(sites_scene):
    """The test's premise: the clinics and depots are drawn around the map, not in it."""
    box = shapely.box(*EXTENT)
    sites, depots = (sl.layer.frame for sl in sites_scene.layers)
    assert {"Clinic F", "Clinic G", "School E"} <= set(sites["name"])
    assert not sites[sites["kind"] == "clinic"].geometry.intersects(box).any()
    assert len(depots) == 2 and not depots.geometry.intersects(box).any()


def _legend_texts(scene, renderer: str, folder: Path) -> list[str]:
    return _web_legend_texts(scene) if renderer == "web" else _print_legend_texts(scene, folder)


@pytest.mark.parametrize("renderer", ["web", "print"])
def test_both_legends_leave_out_a_category_outside_the_extent(
    sites_scene_unordered, renderer, tmp_path
):
    texts = _legend_texts(sites_scene_unordered, renderer, tmp_path)
    joined = " | ".join(texts)
    assert "school" in texts and "well" in texts, joined
    assert "clinic" not in texts, joined  # drawn around the map, not in it


def test_a_users_text_categories_are_no_ordered_scale(sites_scene, tmp_path):
    assert not sites_scene.layers[0].layer.categories.ordered
    assert "clinic" not in _legend_texts(sites_scene, "web", tmp_path)


@pytest.mark.parametrize("renderer", ["web", "print"])
def test_both_legends_drop_an_empty_section_and_key_values_beyond_the_view(
    sites_scene, renderer, tmp_path
):
    texts = _legend_texts(sites_scene, renderer, tmp_path)
    joined = " | ".join(texts)
    assert "Sites" in texts and "school" in texts, joined
    assert "Depots" not in joined  # a layer with nothing in view has no section
    # the size key stops at the first key reaching the largest value in view (900),
    # although the layer's key was made from every value, 50,000 included
    keys = sites_scene.legend[0].size_key.rows
    values = [row.value for row in keys if row.value is not None]
    assert values and values[-1] >= 900 and all(v < 900 for v in values[:-1])
    assert max(sites_scene.layers[0].layer.size.key_values) > values[-1]
    for row in keys:
        assert row.label in texts, (row.label, joined)
    assert "50,000" not in joined


def test_categories_drawn_alike_are_told_apart_by_their_features():
    """Numbered events share one style: a number outside the extent leaves the legend."""
    from layers import Categories, Layer, Style

    one = Style(fill="#000000")
    frame = gpd.GeoDataFrame(
        {"number": ["1", "2", "3"], "place": ["Here", "There", "Far"]},
        geometry=[shapely.Point(11, 11), shapely.Point(12, 12), shapely.Point(25, 12)],
        crs="EPSG:4326",
    )
    labels = {"1": ("1 · riot", one), "2": ("2 · strike", one), "3": ("3 · far away", one)}
    layer = Layer(
        id="events",
        title="Events",
        kind="point",
        frame=frame,
        style=one,
        credits=[],
        fields=[layers.Field("number", "No."), layers.Field("place", "Place")],
        categories=Categories("number", labels),
    )
    spec = maps.spec_from_dict(
        {"id": "t", "title": "T", "extent": [10, 10, 20, 20], "layers": ["countries"]}
    )
    scene = build_scene(Composition(spec, [layer], [True], [True], [], []))
    assert [row.label for row in scene.legend[0].rows] == ["1 · riot", "2 · strike"]
    line = describe(scene).splitlines()[2]
    assert "1 · riot: Here; 2 · strike: There." in line and "Far" not in line


def test_size_key_follows_the_view_and_keeps_a_fixed_key_bracketing_it():
    # June 2010: the largest flow in view is 13,000 people; the story's key is fixed
    scene = build_scene(maps.compose(maps.load_spec(ROOT / "maps/specs/june-2010.toml")))
    (flows,) = [s for s in scene.legend if s.key == "fg-refugee-flows"]
    in_view = [row.value for row in flows.size_key.rows if row.value is not None]
    assert in_view == [float(k) for k in FLOW_KEY]  # 100,000 is the first >= 13,000


def test_the_description_speaks_only_of_the_view(sites_scene):
    text = describe(sites_scene)
    line = next(t for t in text.splitlines() if t.startswith("Sites:"))
    assert "Clinic" not in text and "School E" not in text and "Depot" not in text
    assert "Depots" not in text  # nothing in view: no sentence
    assert line.startswith("Sites: 4 features in view")
    # largest first, with units; a well has no value
    assert "school: School C (900 pupils), School D (120 pupils)" in line
    assert "well: Well A, Well B" in line


def _rows(name: str, delimiter: str = ",") -> list[dict[str, str]]:
    with open(PROJECT / "data" / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


@pytest.fixture(scope="module")
def steppe_text() -> str:
    spec = maps.load_spec(PROJECT / "specs" / "steppe-markets.toml")
    return describe(build_scene(maps.compose(spec)))


def test_a_users_map_gives_its_values_and_units_largest_first(steppe_text):
    markets = next(t for t in steppe_text.splitlines() if t.startswith("Markets (fictional):"))
    spec = maps.load_spec(PROJECT / "specs" / "steppe-markets.toml")
    box = shapely.box(*spec.extent)
    placed = layers.build("points", data=PROJECT / "data" / "markets.csv", place="town").frame
    inside = set(placed.loc[placed.geometry.intersects(box), "town"])
    assert "Saryagash" not in inside  # south of the map's edge, drawn in the clip margin
    for row in _rows("markets.csv"):
        town, visitors = row["town"], row["visitors_per_day"].replace(",", "")
        if town not in inside:
            assert town not in markets, town
        elif visitors:
            assert f"{town} ({float(visitors):,.0f} visitors a day)" in markets, town
    bazaars = markets.split("bazaar: ")[1].split(";")[0]
    numbers = [
        float(part.split("(")[1].split(" ")[0].replace(",", "")) for part in bazaars.split("), ")
    ]
    assert numbers == sorted(numbers, reverse=True) and len(numbers) >= 3
    traders = next(t for t in steppe_text.splitlines() if t.startswith("Traders a week"))
    for row in _rows("traders.csv", delimiter=";"):
        assert (
            f"{row['from']} → {row['to']} ({float(row['n'].replace(',', '')):,.0f} traders)"
            in traders
        )


def test_long_lists_are_capped_largest_first():
    n = NAMES_SHOWN + 3
    frame = gpd.GeoDataFrame(
        {"site": [f"Site {k}" for k in range(n)], "people": np.arange(n, dtype=float) + 1},
        geometry=[shapely.Point(10.5 + k / 10, 10.5) for k in range(n)],
        crs="EPSG:4326",
    )
    layer = layers.build("points", data=frame, size="people", units="people")
    spec = maps.spec_from_dict(
        {"id": "t", "title": "T", "extent": [10, 10, 20, 20], "layers": ["countries"]}
    )
    scene = build_scene(Composition(spec, [layer], [True], [True], [], []))
    line = describe(scene).splitlines()[2]
    assert f"Site {n - 1} ({n} people), Site {n - 2} ({n - 1} people)" in line
    assert line.count(" people)") == NAMES_SHOWN and "and 3 more" in line
    assert "Site 0 " not in line and "Site 0," not in line


@pytest.fixture(scope="module")
def june_text() -> str:
    return describe(build_scene(maps.compose(maps.load_spec(ROOT / "maps/specs/june-2010.toml"))))


def test_june_2010_text_gives_the_refugee_figures_with_units_and_sources(june_text):
    flows = layers.build("refugee_flows").frame
    counted = flows["count"].dropna()
    assert len(counted)
    line = next(t for t in june_text.splitlines() if t.startswith("Refugee flows into"))
    for count in counted:
        assert f"({count:,.0f} people)" in line
    days = sorted(str(d)[:10] for d in flows["start"].dropna() if str(d).strip())
    assert ", dated 13 June 2010 to 17 June 2010 —" in line, line[:120]
    assert (days[0], days[-1]) == ("2010-06-13", "2010-06-17")
    for name in ("refugees_in_uzbekistan", "total_displaced", "official_toll_final"):
        found = figure(name)
        assert f"Figure in the caption: {found.text}. Reported by: {found.sources}." in june_text


def test_june_2010_text_leaves_out_places_beyond_the_map(june_text):
    spec = maps.load_spec(ROOT / "maps/specs/june-2010.toml")
    box = shapely.box(*spec.extent)
    places = build_scene(maps.compose(spec)).layers[4].layer
    assert places.id == "places"
    outside = set(places.frame.loc[~places.frame.geometry.intersects(box), "label"])
    assert "Namangan" in outside  # drawn in the clip margin west of the extent
    towns = next(t for t in june_text.splitlines() if t.startswith("Towns and cities:"))
    assert not [name for name in outside if name in towns]
    assert "Osh (population " in towns
