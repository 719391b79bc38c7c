"""The two maps of the seed's unused topics: militants in the valley, and Kyrgyzstan's 2010.

What is drawn is checked against the facts tables read here with the csv module, not
through the layer code: every drawn event is a facts row with a source, at the row's own
coordinates or at a gazetteer position of a place its row names; an event at a
common-knowledge (approximate) position says so in its popup; every event left off the
map is named in the layer's description.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import shapely
from webpage import shown

import geo
from layers import registry
from maps.build import build
from maps.spec import SPEC_DIR
from maps.web.payload import popup_html

FACTS = Path(geo.__file__).parent / "data" / "facts"
MAP_IDS = ("militants-in-the-valley", "kyrgyzstan-2010")
SAME_DEG = 1e-6


def _rows(name: str) -> list[dict[str, str]]:
    with open(FACTS / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _approximate_positions() -> list[shapely.Point]:
    """Facts places whose coordinates are common knowledge, not from a cited page."""
    return [
        shapely.Point(float(r["lon"]), float(r["lat"]))
        for r in _rows("places.csv")
        if r["source_url"].startswith("common knowledge") and r["lat"]
    ]


@pytest.fixture(scope="module")
def built_new(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("new-maps")
    report = build([SPEC_DIR / f"{i}.toml" for i in MAP_IDS], out, jobs=2)
    assert report.ok, [r.error for r in report.results if r.error]
    return out


@pytest.mark.parametrize("map_id", MAP_IDS)
def test_spec_builds_in_every_format(built_new, map_id):
    signatures = {"png": b"\x89PNG", "pdf": b"%PDF", "svg": b"<?xml", "html": b"<!DOCTYPE"}
    for ext, start in signatures.items():
        data = (built_new / f"{map_id}.{ext}").read_bytes()
        assert data[:64].lstrip().upper().startswith(start.upper()), (map_id, ext)
    text = (built_new / f"{map_id}.txt").read_text(encoding="utf-8")
    assert "/work/" not in text and "/tmp/" not in text


# --- militants in the valley -------------------------------------------------------------


def test_every_drawn_incident_is_a_sourced_facts_row_at_its_own_coordinates():
    layer = registry.build("militancy")
    facts = _rows("militancy.csv")
    assert len(layer.frame) >= 3  # Tashkent 1999, Batken 1999, Andijan 2005
    for _, feature in layer.frame.iterrows():
        matches = [
            r for r in facts if r["event"] == feature["event"] and r["date"] == feature["start"]
        ]
        assert len(matches) == 1, feature["label"]
        row = matches[0]
        assert row["source_url"].startswith("http") and feature["source_url"] == row["source_url"]
        assert row["lat"] and row["lon"], "drawn without coordinates in its row"
        expected = shapely.Point(float(row["lon"]), float(row["lat"]))
        assert feature.geometry.distance(expected) < SAME_DEG, feature["label"]


def test_incidents_without_a_position_are_named_not_drawn():
    layer = registry.build("militancy")
    unlocated = [r for r in _rows("militancy.csv") if not r["lat"]]
    assert unlocated  # the 2000 incursion, Yangiabad, Gomush pass, ...
    not_drawn = layer.description.split("Not drawn")[1]
    for row in unlocated:
        assert row["place"].split(" (")[0] in not_drawn, row["place"]
        assert row["event"] not in set(layer.frame["event"])


def test_incident_at_an_approximate_position_says_so_in_its_popup():
    layer = registry.build("militancy")
    rough = _approximate_positions()
    flagged = 0
    for _, feature in layer.frame.iterrows():
        at_rough = any(feature.geometry.distance(p) < 0.01 for p in rough)
        if at_rough:
            flagged += 1
            assert "approximate" in popup_html(layer, feature), feature["label"]
    assert flagged >= 1  # Batken, whose facts coordinates are common knowledge


# --- Kyrgyzstan's 2010 -------------------------------------------------------------------


def _place_points(cell: str) -> list[shapely.Point]:
    found = []
    for part in re.split(r"[;/]", cell):
        try:
            found.append(geo.place(part.strip()).point)
        except geo.DataError:
            continue
    return found


def test_every_drawn_event_is_a_sourced_facts_row_at_a_place_it_names():
    layer = registry.build("timeline")
    facts = _rows("timeline_2010.csv")
    for _, feature in layer.frame.iterrows():
        matches = [r for r in facts if r["event"] == feature["event"]]
        assert len(matches) == 1, feature["number"]
        row = matches[0]
        assert row["source_url"].startswith("http") and feature["source_url"] == row["source_url"]
        assert row["date"].startswith(feature["day"])
        named = _place_points(row["place"])
        assert any(feature.geometry.distance(p) < SAME_DEG for p in named), feature["number"]


def test_nationwide_events_are_the_whole_country():
    layer = registry.build("timeline_national")
    facts = {r["event"]: r for r in _rows("timeline_2010.csv")}
    kgz = geo.load("countries").set_index("adm0_a3").loc[["KGZ"]].union_all()
    assert len(layer.frame) == 2  # the referendum and the elections
    for _, feature in layer.frame.iterrows():
        assert facts[feature["event"]]["place"] == "Kyrgyzstan"
        assert facts[feature["event"]]["source_url"].startswith("http")
        assert feature.geometry.symmetric_difference(kgz).area < 1e-9


def test_event_at_an_approximate_position_says_so_in_its_popup():
    layer = registry.build("timeline")
    rough = _approximate_positions()
    flagged = 0
    for _, feature in layer.frame.iterrows():
        if any(feature.geometry.distance(p) < 0.01 for p in rough):
            flagged += 1
            assert "approximate" in popup_html(layer, feature), feature["number"]
    assert flagged >= 1  # Osh, Jalal-Abad, Talas


def test_numbers_follow_the_dates_and_the_legend_is_the_dated_list():
    points, national = registry.build("timeline"), registry.build("timeline_national")
    frame = [*points.frame[["number", "day"]].itertuples(index=False)]
    frame += [*national.frame[["number", "day"]].itertuples(index=False)]
    by_number = sorted({(int(n), d) for n, d in frame})
    assert [n for n, _ in by_number] == list(range(1, len(by_number) + 1))
    assert [d for _, d in by_number] == sorted(d for _, d in by_number)
    legend = [e.label for e in points.legend] + [e.label for e in national.legend]
    assert sorted(int(label.split(" · ")[0]) for label in legend) == [n for n, _ in by_number]
    for label in legend:
        assert re.match(r"^\d+ · \d{1,2} [A-Z][a-z]{2} · ", label), label


def test_every_undrawn_event_of_the_year_is_named():
    layer = registry.build("timeline")
    drawn = set(layer.frame["event"]) | set(registry.build("timeline_national").frame["event"])
    year = [r for r in _rows("timeline_2010.csv") if r["date"].startswith("2010")]
    undrawn = [r for r in year if r["event"] not in drawn]
    assert undrawn
    for row in undrawn:
        assert row["date"] in layer.description, row["date"]


def test_timeline_layers_have_a_time_column():
    for layer_id in ("timeline", "timeline_national"):
        layer = registry.build(layer_id)
        assert layer.time == "day"
        assert layer.frame["day"].str.fullmatch(r"2010-\d{2}-\d{2}").all()


@pytest.mark.browser
def test_web_page_has_a_time_slider(built_new, visit):
    seen = visit(built_new / "kyrgyzstan-2010.html")
    page = seen.page
    assert seen.errors == [] and seen.network == []
    slider = page.locator(".fg-time input[type=range]")
    assert slider.is_visible()
    assert page.locator(".fg-time output").text_content() == "2010-10-10"
    panes = page.evaluate("Object.keys(FG.layers)")
    pane = next(p for p in panes if p.endswith("-timeline"))
    at_end = shown(page, pane)
    slider.fill("0")
    assert page.locator(".fg-time output").text_content() == "2010-04-06"
    assert shown(page, pane) == 1 < at_end  # Talas only, on the first day
    assert seen.errors == []
