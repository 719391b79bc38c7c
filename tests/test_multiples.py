"""Small multiples: one print page of panels, one per time step (maps.print.multiples)."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import maps
from maps import compose, load_spec
from maps.pages import StaticExportError
from maps.print.multiples import multiples_figure, write_multiples
from maps.scene import build_scene
from maps.scene.series import SeriesError
from maps.spec import SPEC_DIR
from maps.spec_series import Multiples, Steps

SVG = "{http://www.w3.org/2000/svg}"
JUNE_STEPS = ["11 June 2010", "13 June 2010", "15 June 2010", "17 June 2010", "21 June 2010"]
JUNE_STEPS += ["24 June 2010"]


@pytest.fixture(scope="module")
def june():
    """The june-2010 scene (its spec has [multiples])."""
    return build_scene(compose(load_spec(SPEC_DIR / "june-2010.toml")))


@pytest.fixture(scope="module")
def june_files(june, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("june-multiples")
    written = write_multiples(june, folder, ("png", "svg", "pdf"))
    assert [p.name for p in written] == [f"june-2010.days.{f}" for f in ("png", "svg", "pdf")]
    return folder


def texts_by_id(svg: Path) -> dict[str, str]:
    """Every SVG group id -> the text inside it (joined), for groups holding text."""
    out = {}
    for group in ET.parse(svg).getroot().iter(f"{SVG}g"):
        gid = group.get("id", "")
        text = " ".join(t.text or "" for t in group.iter(f"{SVG}text"))
        if gid and text:
            out[gid] = text
    return out


def wrapped(texts: dict[str, str], gid: str) -> str:
    """A wrapped text's lines (``gid``, ``gid-line-1``...) joined by spaces."""
    lines = [texts[gid]]
    k = 1
    while f"{gid}-line-{k}" in texts:
        lines.append(texts[f"{gid}-line-{k}"])
        k += 1
    return " ".join(lines)


def ids(svg: Path) -> list[str]:
    return re.findall(r'id="([^"]+)"', svg.read_text(encoding="utf-8"))


def test_one_legend_scale_caption_and_credits_for_the_page(june_files):
    found = ids(june_files / "june-2010.days.svg")
    for gid in ("fg-legend", "fg-scale", "fg-caption", "fg-credits", "fg-projection"):
        assert found.count(gid) == 1, gid
    assert sum(1 for g in found if re.fullmatch(r"fg-legend-row-\d+", g)) >= 5


def test_panels_carry_their_step_and_totals(june_files):
    svg = june_files / "june-2010.days.svg"
    found = ids(svg)
    panels = sorted(int(m) for g in found for m in re.findall(r"^fg-panel-(\d+)$", g))
    assert panels == [1, 2, 3, 4, 5, 6]
    texts = texts_by_id(svg)
    assert [wrapped(texts, f"fg-panel-title-{n}") for n in panels] == JUNE_STEPS
    assert wrapped(texts, "fg-panel-total-1-1") == (
        "Refugees reported in Uzbekistan: none in the sources before 13 June 2010"
    )
    assert wrapped(texts, "fg-panel-total-2-1") == (
        "Refugees reported in Uzbekistan: 75,000–100,000 (as of 13 June)"
    )
    assert wrapped(texts, "fg-panel-total-2-2") == (
        "Official death toll, southern Kyrgyzstan: 97–114 (as of 13 June)"
    )
    # The toll's latest report before 21 June is of 18 June: its own day is shown.
    assert wrapped(texts, "fg-panel-total-5-2").endswith("192 (as of 18 June)")
    # Sources stay out of the panels and go in the one credits line.
    panel_text = " ".join(v for k, v in texts.items() if k.startswith("fg-panel-total"))
    assert "OCHA Sitrep" not in panel_text
    assert "OCHA Sitrep #5" in wrapped(texts, "fg-credits")


def test_an_early_panel_shows_less_than_a_later_one(june, june_files):
    found = ids(june_files / "june-2010.days.svg")

    def flows(n: int) -> int:
        return sum(1 for g in found if re.fullmatch(rf"fg-flow-\d+-\d+-p{n}", g))

    assert 0 < flows(1) < flows(4) <= flows(6)
    info = multiples_figure(june, dpi=30).fergana
    counts = [panel.features for panel in info.panels]
    assert counts[0] < counts[1] < counts[3], counts
    assert [len(panel.flows) for panel in info.panels] == [flows(n) for n in range(1, 7)]
    # One scale for every panel, so one scale bar is true for all of them.
    scales = {round(panel.view.metres_per_point, 6) for panel in info.panels}
    assert len(scales) == 1


def test_pdf_is_one_page_with_embedded_fonts(june_files):
    pdf = june_files / "june-2010.days.pdf"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows and all(" yes " in row for row in rows), fonts.stdout
    assert any("DejaVuSans" in row for row in rows)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"^Pages:\s+1$", info.stdout, re.M), info.stdout


def test_byte_identical_twice_and_no_local_paths(june, june_files, tmp_path):
    again = write_multiples(june, tmp_path, ("png", "svg", "pdf"))
    for path in again:
        assert path.read_bytes() == (june_files / path.name).read_bytes(), path.name
    svg = (tmp_path / "june-2010.days.svg").read_text(encoding="utf-8")
    assert str(Path.cwd()) not in svg and "/tmp" not in svg and "/home" not in svg


# --- a user's own project: other columns, another region, every 2 days, per step -------------


CLINIC_VISITS = """\
site,latitude,longitude,opened_on,patients
Tbilisi field post (fictional),41.72,44.79,2021-05-01,40
Gori field post (fictional),41.98,44.11,2021-05-02,25
Kutaisi field post (fictional),42.27,42.70,2021-05-03,30
Yerevan field post (fictional),40.18,44.51,2021-05-04,55
Gyumri field post (fictional),40.79,43.85,2021-05-06,20
Vanadzor field post (fictional),40.81,44.49,2021-05-07,15
Batumi depot (fictional),41.64,41.63,,60
"""


def user_scene(tmp_path: Path, multiples: dict):
    data = tmp_path / "visits.csv"
    data.write_text(CLINIC_VISITS, encoding="utf-8")
    raw = {
        "id": "caucasus-posts",
        "title": "Field posts opened in May 2021 (fictional)",
        "subtitle": "A made-up project in Georgia and Armenia",
        "caption": "FICTIONAL posts for fergana's tests.",
        "extent": [41.0, 39.6, 46.6, 43.2],
        "print_size": "a4",
        "layers": [
            {"id": "countries", "focus": "GEO"},
            {
                "id": "points",
                "data": "visits.csv",
                "label": "site",
                "size": "patients",
                "units": "patients",
                "title": "Field posts (fictional)",
                "credit": "Fictional field-post register",
            },
        ],
        "multiples": multiples,
    }
    spec = maps.spec_from_dict(raw, source=str(tmp_path / "posts.toml"), folder=tmp_path)
    comp = compose(spec)
    # The generic points layer has no `time` option yet: date it as a preset would.
    comp.layers[:] = [
        dataclasses.replace(layer, time="opened_on") if "opened_on" in layer.frame else layer
        for layer in comp.layers
    ]
    return build_scene(comp)


def test_user_project_every_two_days_per_step(tmp_path):
    scene = user_scene(tmp_path, {"every": "2 days", "state": "step", "columns": 2})
    folder = tmp_path / "out"
    folder.mkdir()
    written = write_multiples(scene, folder, ("svg", "png"))
    assert [p.name for p in written] == ["caucasus-posts.days.svg", "caucasus-posts.days.png"]
    texts = texts_by_id(folder / "caucasus-posts.days.svg")
    titles = [texts[f"fg-panel-title-{n}"] for n in range(1, 5)]
    assert titles == ["1 May 2021", "3 May 2021", "5 May 2021", "7 May 2021"]
    assert "fg-panel-title-5" not in texts
    info = multiples_figure(scene, dpi=30).fergana
    # Per step: only posts opened since the step before (the undated depot in every panel).
    assert [panel.features for panel in info.panels] == [1 + 1, 2 + 1, 1 + 1, 2 + 1]
    assert info.grid.columns == 2 and info.grid.rows == 2
    assert "Fictional field-post register" in info.credit_line
    assert texts_by_id(folder / "caucasus-posts.days.svg")["fg-legend-row-0"]


def test_user_project_cumulative_listed_steps(tmp_path):
    steps = ["2021-05-01", "2021-05-04", "2021-05-07"]
    scene = user_scene(tmp_path, {"steps": steps, "name": "posts", "columns": 3})
    info = multiples_figure(scene, dpi=30).fergana
    assert [panel.features for panel in info.panels] == [1 + 1, 4 + 1, 6 + 1]
    assert [panel.step.label for panel in info.panels] == [
        "1 May 2021",
        "4 May 2021",
        "7 May 2021",
    ]
    # Three wide panels in a row: a portrait print_size is turned landscape.
    width, height = info.page_size_pt
    assert width > height


# --- bad input -------------------------------------------------------------------------------


def test_a_map_with_no_dated_layer_says_so(tmp_path):
    comp = compose(load_spec(SPEC_DIR / "fergana-borders.toml"))
    spec = dataclasses.replace(comp.spec, multiples=Multiples(Steps()))
    scene = build_scene(dataclasses.replace(comp, spec=spec))
    with pytest.raises(SeriesError, match="map 'fergana-borders' has no layer with a time column"):
        write_multiples(scene, tmp_path, ("png", "svg", "pdf"))
    assert list(tmp_path.iterdir()) == []


def test_a_map_without_the_table_says_so(june, tmp_path):
    scene = dataclasses.replace(june, spec=dataclasses.replace(june.spec, multiples=None))
    with pytest.raises(SeriesError, match=r"map 'june-2010' has no \[multiples\] table"):
        write_multiples(scene, tmp_path, ("png",))
    assert list(tmp_path.iterdir()) == []


def test_too_many_panels_for_the_page_say_so_before_writing(june, tmp_path):
    # Eight panels four to a row on a slide, with june-2010's long caption and credits.
    multiples = Multiples(Steps(every=3, state="step"), columns=4, size="slide")
    scene = dataclasses.replace(june, spec=dataclasses.replace(june.spec, multiples=multiples))
    with pytest.raises(StaticExportError, match=r"map 'june-2010': 8 panels, 4 to a row, do not"):
        write_multiples(scene, tmp_path, ("png", "svg"))
    assert list(tmp_path.iterdir()) == []
