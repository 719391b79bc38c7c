"""Parity: the web page and the print SVG of every story map show the same scene.

Read from the built outputs (the session's ``fergana build`` of every story map), never
from the renderers' internals: legend headings and rows in the same order, labels
drawn only from the one label plan, one credits list, arrowheads of one proportion.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from webpage import decode_layer, finish, legend_items, legend_markup, page_labels, payloads, pixels

from maps import compose, load_spec
from maps.pages import SIZES
from maps.scene import build_scene
from maps.spec import SPEC_DIR

# single maps (an atlas's pages are drawn by the same renderers from the same scene)
SPECS = [p for p in sorted(SPEC_DIR.glob("*.toml")) if load_spec(p).atlas is None]
SVG = "{http://www.w3.org/2000/svg}"
PX_TO_PT = 0.75


@pytest.fixture(scope="module")
def scenes():
    return {p.stem: build_scene(compose(load_spec(p))) for p in SPECS}


def _svg_texts(path: Path) -> dict[str, str]:
    """Text of every element with an ``fg-…`` id, wrapped lines joined, in document order."""
    root = ET.parse(path).getroot()
    found: dict[str, str] = {}
    for element in root.iter():
        gid = element.get("id", "")
        if not gid.startswith("fg-"):
            continue
        text = " ".join("".join(t.itertext()).strip() for t in element.iter(f"{SVG}text"))
        base = re.sub(r"-line-\d+$", "", gid)
        found[base] = f"{found[base]} {text}".strip() if base in found else text
    return found


def _print_legend(texts: dict[str, str], scene) -> list[tuple[str, str]]:
    """(kind, text) of the print legend in page order, without the context insets' sections."""
    items = [
        (m.group(1), text)
        for gid, text in texts.items()
        if (m := re.fullmatch(r"fg-legend-(heading|row|key-title)-\d+", gid))
    ]
    context = 0
    for section in scene.legend:
        if section.context:
            context += (section.heading is not None) + len(section.rows)
            if section.size_key is not None:
                context += bool(section.size_key.title) + len(section.size_key.rows)
    return items[: len(items) - context]


def _web_legend(page: str) -> list[tuple[str, str]]:
    """(kind, text) of the web legend in page order; key rows count as rows, as in print."""
    kinds = {"heading": "heading", "row": "row", "key": "row", "key-title": "key-title"}
    return [(kinds[k], t) for k, t in legend_items(legend_markup(page)) if k != "section"]


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_legend_entries_are_the_same_in_the_same_order(built_maps, scenes, spec):
    scene = scenes[spec.stem]
    page = (built_maps.out / f"{spec.stem}.html").read_text(encoding="utf-8")
    texts = _svg_texts(built_maps.out / f"{spec.stem}.svg")
    web, paper = _web_legend(page), _print_legend(texts, scene)
    assert web and web == paper


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_labels_come_from_one_plan(built_maps, scenes, spec):
    scene = scenes[spec.stem]
    page = (built_maps.out / f"{spec.stem}.html").read_text(encoding="utf-8")
    web = {rank: text for rank, text, _role in page_labels(page)}
    assert len(web) == len(scene.labels)  # the page carries the whole plan; zoom decides
    texts = _svg_texts(built_maps.out / f"{spec.stem}.svg")
    placed = {
        int(m.group(1)): text
        for gid, text in texts.items()
        if (m := re.fullmatch(r"fg-label-(\d+)(?:-.*)?", gid))
    }
    assert placed, "the print map places no label"
    for n, text in placed.items():
        # the same feature's label, set in capitals where its role says so
        assert text == (web[n].upper() if scene.labels[n].look.uppercase else web[n])
    notes = {n for n, label in enumerate(scene.labels) if label.role == "note"}
    assert notes <= set(placed)


def _sources(text: str) -> list[str]:
    body = text.split("Sources: ", 1)[1]
    body = re.split(r"\. (?:Map drawn with|Figures in the caption)", body)[0]
    return [part.strip() for part in body.rstrip(".").split("; ")]


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_credits_are_one_list(built_maps, scenes, spec):
    page = (built_maps.out / f"{spec.stem}.html").read_text(encoding="utf-8")
    caption = html.unescape(re.sub(r"<[^>]+>", "", finish(page)["caption"]))
    texts = _svg_texts(built_maps.out / f"{spec.stem}.svg")
    assert _sources(caption) == _sources(texts["fg-credits"])
    assert _sources(caption) == [c.text() for c in scenes[spec.stem].credits]


def _triangle(points: np.ndarray) -> tuple[float, float]:
    """Length (tip to base middle) and base width of an isosceles arrowhead."""
    points = np.unique(np.round(points, 6), axis=0)
    assert len(points) == 3, points
    best = None
    for k in range(3):
        tip, a, b = points[k], points[(k + 1) % 3], points[(k + 2) % 3]
        spread = abs(np.linalg.norm(tip - a) - np.linalg.norm(tip - b))
        if best is None or spread < best[0]:
            best = (spread, np.linalg.norm(tip - (a + b) / 2), np.linalg.norm(a - b))
    return best[1], best[2]


def _svg_heads(path: Path) -> dict[str, tuple[float, float]]:
    heads = {}
    for element in ET.parse(path).getroot().iter():
        gid = element.get("id", "")
        if re.fullmatch(r"fg-flow-\d+-\d+-head", gid):
            d = next(element.iter(f"{SVG}path")).get("d")
            numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]
            heads[gid] = _triangle(np.array(numbers).reshape(-1, 2))
    return heads


def test_arrowheads_have_one_proportion(built_maps, scenes):
    """June 2010's unreported flows: the same head on the page and on paper (pt = px × 0.75)."""
    scene = scenes["june-2010"]
    flows = next(sl for sl in scene.layers if sl.kind == "flow")
    scale = SIZES[scene.spec.print_size].type_scale
    paper = _svg_heads(built_maps.out / "june-2010.svg")
    page = (built_maps.out / "june-2010.html").read_text(encoding="utf-8")
    zoom = int(re.search(r'"zoom": (\d+)', page).group(1))
    payload = next(p for p in payloads(page) if p["pane"] == flows.key)
    heads = [c[0] for kind, c in decode_layer(payload) if kind == "Polygon"]
    drawn = [int(k) for k in flows.draw_order if flows.layer.frame.geometry.iloc[k] is not None]
    compared = 0
    for k, head in zip(drawn, heads, strict=True):
        gid = f"fg-flow-{flows.index}-{k}-head"
        if gid not in paper:
            continue  # drawn as one shape with its shaft (reported amounts)
        web = _triangle(np.array([pixels(lon, lat, zoom) for lon, lat in head]))
        length_pt, width_pt = paper[gid]
        assert length_pt / (PX_TO_PT * scale) == pytest.approx(web[0], rel=0.05)
        assert width_pt / (PX_TO_PT * scale) == pytest.approx(web[1], rel=0.05)
        compared += 1
    assert compared >= 1


@pytest.mark.parametrize("spec", ["drug-route", "regional-security"])
def test_notes_have_the_same_marker(built_maps, scenes, spec):
    """Each annotation: the scene's note marker on the page and on paper, with its label."""
    scene = scenes[spec]
    notes = [n for n, label in enumerate(scene.labels) if label.layer is None]
    assert notes
    page = (built_maps.out / f"{spec}.html").read_text(encoding="utf-8")
    (payload,) = [p for p in payloads(page) if p["pane"] == "fg-notes"]
    marker = payload["styles"][0]
    assert (marker["fillColor"], marker["size"]) == (
        scene.note_style.fill,
        scene.note_style.marker_size,
    )
    assert sorted(f["properties"]["r"] for f in payload["data"]["features"]) == notes
    root = ET.parse(built_maps.out / f"{spec}.svg").getroot()
    ids = {element.get("id") for element in root.iter()}
    assert {f"fg-note-{n}" for n in notes} <= ids
    fills = {
        path.get("style", "")
        for element in root.iter()
        if element.get("id", "").startswith("fg-note-")
        for path in element.iter()
        if path.tag in (f"{SVG}path", f"{SVG}use")
    }
    assert any(scene.note_style.fill in style for style in fills), fills
