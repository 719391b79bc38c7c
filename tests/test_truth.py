"""Truth tests: what the story maps encode, computed from the built layers and the facts."""

import ast
import re
from pathlib import Path

import pandas as pd
import pytest

import geo
import layers
import maps
from maps.scene.text import BACKDROP, describe, legend_categories

ROOT = Path(__file__).resolve().parent.parent
STORY_SPECS = sorted((ROOT / "maps" / "specs").glob("*.toml"))
YEAR_RANGE = re.compile(r"\b(1[89]|20)\d\d\s*[-–]\s*(1[89]|20)\d\d\b")


def test_drawn_refugee_flows_sum_to_no_more_than_the_largest_reported_total():
    layer = layers.build("refugee_flows")
    drawn = pd.to_numeric(layer.frame["count"], errors="coerce").sum()
    largest = layer.series["high"].max()  # the dated totals the layer carries
    assert largest >= 100_000
    assert 0 < drawn <= largest


def test_no_flow_carries_a_total_or_a_camp_population():
    flows = layers.build("refugee_flows").frame
    table = geo.load("displacement_2010")
    totals = table[table["metric"].isin(["refugees_in_uzbekistan", "camp_population"])]
    reported = set(totals["value"].dropna()) | set(totals["value_low"].dropna())
    drawn = set(pd.to_numeric(flows["count"], errors="coerce").dropna())
    assert not drawn & reported, drawn & reported
    # ... and the camp population is on the camp's symbol instead
    camps = layers.build("camps").frame
    assert camps["label"].str.contains("20,000").any()


def test_violence_symbols_are_sized_only_from_comparable_figures():
    layer = layers.build("violence")
    facts = geo.load("violence_2010")
    bases = set()
    for row in layer.frame.itertuples():
        if pd.isna(row.deaths_high):
            continue
        rows = facts[pd.to_numeric(facts["deaths"], errors="coerce") == row.deaths_high]
        bases |= {(str(r.date)[:10], str(r.deaths_basis)) for r in rows.itertuples()}
        # the popup lists every report of the place
        assert f"{row.deaths_high:,.0f}" in row.deaths_text
    if layer.size is not None:
        assert len(bases) <= 1, bases
    else:
        assert len(bases) > 1  # they differ: that is why the symbols are unsized


@pytest.mark.parametrize("path", STORY_SPECS, ids=lambda p: p.stem)
def test_text_description_lists_the_legend_categories(path):
    scene = maps.build_scene(maps.compose(maps.load_spec(path)))
    text = describe(scene)
    sections = {s.key: s for s in scene.legend if not s.context}
    for scene_layer in scene.layers:
        layer = scene_layer.layer
        if layer.id in BACKDROP or layer.categories is None or scene_layer.key not in sections:
            continue
        section = sections[scene_layer.key]
        drawn = {row.label for row in section.rows}
        assert set(legend_categories(scene_layer, section)) <= drawn
        values = layer.frame[layer.categories.column]
        for value, category in layer.categories.styles.items():
            # the text, like the legend, speaks of the features in view, by category (some
            # layers, e.g. numbered events, draw every category in one style)
            in_legend = category.label in drawn and bool(
                ((values == value).to_numpy(dtype=bool, na_value=False) & scene_layer.in_view).any()
            )
            listed = re.search(re.escape(category.label) + r"(: | \(\d+ drawn\))", text)
            assert bool(listed) == in_legend, (layer.id, category.label)


def test_regional_security_text_puts_former_members_apart():
    path = ROOT / "maps" / "specs" / "regional-security.toml"
    text = describe(maps.build_scene(maps.compose(maps.load_spec(path))))
    line = next(t for t in text.splitlines() if t.startswith("CSTO members"))
    members = line.split("CSTO member, June 2010:")[1].split(";")[0]
    assert "Azerbaijan" not in members and "Georgia" not in members
    assert "Armenia" in members


def test_uzbekistan_csto_legend_says_what_its_notes_say():
    layer = layers.build("csto")
    uzb = layer.frame.set_index("adm0_a3").loc["UZB"]
    label = layer.categories.styles[uzb["status"]].label
    assert "rejoin" in label.lower() and "rapid-reaction" in label
    assert "CRRF" in uzb["notes"] and "2006" in uzb["notes"]


def _literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


@pytest.mark.parametrize("path", sorted((ROOT / "layers").glob("*.py")), ids=lambda p: p.name)
def test_no_year_ranges_typed_in_layer_code(path):
    typed = [s for s in _literals(path) if YEAR_RANGE.search(s)]
    assert not typed, typed


def test_manas_is_named_by_period_from_the_facts():
    from layers.figures import figure

    text = figure("manas_names").text
    assert text.startswith("Manas Air Base from December 2001")
    assert "Transit Center at Manas from 22 June 2009" in text


def test_notes_placed_by_the_gazetteer_credit_its_source():
    spec = maps.load_spec(ROOT / "maps" / "specs" / "regional-security.toml")
    assert any(note.place == "Tskhinvali" for note in spec.annotations)
    sources = [c.source for c in maps.compose(spec).credits]
    assert any(source.startswith("GeoNames") for source in sources), sources


def test_country_names_stay_inside_their_own_country(tmp_path):
    """Print never sets a country's name beside it (Armenia's once fell on Azerbaijan)."""
    import xml.etree.ElementTree as ET

    from layers.theme import LABEL_ROLES

    assert not any(LABEL_ROLES[r].beside for r in ("country", "world_country", "alliance_member"))
    path = ROOT / "maps" / "specs" / "regional-security.toml"
    written = maps.write_static(maps.compose(maps.load_spec(path)), tmp_path, formats=("svg",))
    root = ET.fromstring(written[0].read_bytes())
    texts = {
        "".join(node.itertext()).strip()
        for node in root.iter()
        if node.get("id", "").startswith("fg-label-")
    }
    assert {"Iran", "Turkey", "ARM", "AZE"} <= texts, texts  # big ones inside, small by code
    assert not {"Armenia", "Azerbaijan", "Georgia"} & texts
