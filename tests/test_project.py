"""A user's own project (tests/project), built through the CLI as a newcomer would.

The project's data are fictional (tests/project/README.md) and unlike fergana's own:
other places (southern Kazakhstan, Georgia and Armenia), other column names, other
ranges, a ';'-separated file, a count written "1,200", a shapefile in UTM. Every
generic layer (points, lines, areas, flows) and its options are used. The print
outputs are compared with reference images (``python -m scripts.update_references
--project`` after looking); the web pages are opened in Chromium at desktop and
phone size.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from maps import compose, load_spec
from maps.scene import build_scene
from scripts.cli import main
from scripts.update_references import PROJECT_SPEC_DIR, REFERENCE_DIR, difference, render_reference

PROJECT = Path(__file__).parent / "project"
SPECS = sorted(PROJECT_SPEC_DIR.glob("*.toml"))
IDS = [p.stem for p in SPECS]
MAX_MEAN_ABS = 2.5
MAX_RMS = 10.0
SIZES = {"desktop": (1280, 800), "phone": (375, 667)}


@pytest.fixture(scope="module")
def project_out(tmp_path_factory) -> tuple[Path, Path, str]:
    """The project copied to a tmp folder and built there by ``fergana build PATH``."""
    root = tmp_path_factory.mktemp("user")
    project = root / "my-story"
    shutil.copytree(PROJECT, project)
    out = root / "out"
    err = io.StringIO()
    cwd = os.getcwd()
    os.chdir(root)  # the spec's data paths must resolve from the spec, not from here
    try:
        from contextlib import redirect_stderr

        with redirect_stderr(err):
            code = main(["build", "my-story", "--out", "out", "--jobs", "2"])
    finally:
        os.chdir(cwd)
    assert code == 0, err.getvalue()
    return project, out, err.getvalue()


@pytest.fixture(scope="module")
def scenes():
    return {p.stem: build_scene(compose(load_spec(p))) for p in SPECS}


def test_the_project_has_both_specs():
    assert IDS == ["caucasus-clinics", "steppe-markets"]


def test_every_generic_layer_is_used(scenes):
    used = {layer.layer.id for scene in scenes.values() for layer in scene.layers}
    assert {"points", "lines", "areas", "flows"} <= used
    for scene in scenes.values():
        for scene_layer in scene.layers:
            assert len(scene_layer.layer.frame) > 0, (scene.spec.id, scene_layer.layer.id)


def _section(scene, title):
    found = [s for s in scene.legend if s.title == title]
    assert found, [s.title for s in scene.legend]
    return found[0]


def test_legends_come_from_the_data(scenes):
    steppe = scenes["steppe-markets"]
    markets = _section(steppe, "Markets (fictional)")
    assert markets.size_key.title == "Visitors a day (circle area)"
    # visitors 50-3,000: round keys inside the data's range
    assert [r.label for r in markets.size_key.rows if r.value is not None] == [
        "100",
        "1,000",
        "3,000",
    ]
    # Kyzylorda has no count and lies outside the extent: no "not reported" row for it
    assert [r.label for r in markets.rows] == ["bazaar", "crafts", "livestock"]
    traders = _section(steppe, "Traders a week (fictional)")
    assert traders.size_key.title == "Traders (line width)"
    # 50 draws at the thinnest width (up to 417 traders): a row says so, keys start above it
    assert [r.label for r in traders.size_key.rows] == [
        "up to 417 (thinnest)",
        "500",
        "1,000",
        "3,000",
    ]
    index = _section(steppe, "Wellbeing index (fictional)")
    labels = [r.label for r in index.rows]
    assert len(labels) == 4 and all("–" in label for label in labels)
    clinics = scenes["caucasus-clinics"]
    zones = _section(clinics, "Coverage, % (fictional)")
    # breaks 25/50/75 over 12.5-81, and one zone without a value
    assert [r.label for r in zones.rows] == ["12.5–25", "25–50", "50–75", "75–81", "No data"]
    beds = _section(clinics, "Clinics (fictional)").size_key
    assert beds.title == "Beds (circle area)"
    assert beds.rows[-1].label == "not reported"  # the coast clinic has no bed count


def test_credits_name_files_not_paths(project_out):
    _, out, _ = project_out
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    sources = {i: entry["sources"] for i, entry in manifest["maps"].items()}
    steppe = sources["steppe-markets"]
    assert "User data: roads.geojson (as supplied by the user)" in steppe
    assert "Fictional trader counts" in steppe  # the spec's credit replaces the file name
    assert any(s.startswith("GeoNames") for s in steppe)  # towns resolved from GeoNames
    assert "Fictional clinic register" in sources["caucasus-clinics"]
    for text in (s for listed in sources.values() for s in listed):
        assert "/" not in text.replace("https://", "").replace("http://", ""), text


def test_manifest_lists_the_data_files_each_map_read(project_out):
    _, out, _ = project_out
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    user = {
        map_id: sorted(k for k, v in entry["inputs"].items() if v.get("copy") == "user")
        for map_id, entry in manifest["maps"].items()
    }
    assert user == {
        "caucasus-clinics": ["data/clinics.csv", "data/zones.zip"],
        "steppe-markets": [
            "data/index.csv",
            "data/markets.csv",
            "data/roads.geojson",
            "data/traders.csv",
        ],
    }
    assert manifest["maps"]["steppe-markets"]["spec"] == "specs/steppe-markets.toml"


def test_no_output_holds_an_absolute_path(project_out):
    project, out, _ = project_out
    needles = {str(project.parent), str(Path.home()), str(Path(__file__).resolve().parent.parent)}
    for path in sorted(out.iterdir()):
        data = path.read_bytes()
        for needle in needles:
            assert needle.encode() not in data, (path.name, needle)


@pytest.mark.parametrize("map_id", IDS)
def test_print_matches_reference_image(map_id):
    image = render_reference(compose(load_spec(PROJECT_SPEC_DIR / f"{map_id}.toml")))
    reference = REFERENCE_DIR / f"{map_id}.png"
    mean_abs, rms = difference(image, Image.open(reference))
    assert mean_abs <= MAX_MEAN_ABS and rms <= MAX_RMS, (
        f"{map_id}: mean {mean_abs:.2f}, RMS {rms:.2f}; if intended, run "
        f"`python -m scripts.update_references --project {map_id}` and look at it"
    )


@pytest.mark.parametrize("map_id", IDS)
def test_pdf_keeps_caption_and_sources(project_out, map_id):
    from pypdf import PdfReader

    _, out, _ = project_out
    text = " ".join(page.extract_text() for page in PdfReader(out / f"{map_id}.pdf").pages)
    assert "Sources:" in text and "FICTIONAL" in text


def _changed_pixels(a: bytes, b: bytes) -> int:
    x = np.asarray(Image.open(io.BytesIO(a)).convert("RGB"), dtype=int)
    y = np.asarray(Image.open(io.BytesIO(b)).convert("RGB"), dtype=int)
    return int((np.abs(x - y).sum(axis=2) > 30).sum())


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
@pytest.mark.parametrize("map_id", IDS)
def test_web_page_draws_every_layer_offline(project_out, scenes, visit, map_id, size):
    _, out, _ = project_out
    page = visit(out / f"{map_id}.html", viewport=SIZES[size])
    assert page.errors == [] and page.network == []
    scene = scenes[map_id]
    for scene_layer in scene.layers:
        drawn = page.page.evaluate(f"FG.layers['{scene_layer.key}'].getLayers().length")
        assert drawn >= len(scene_layer.layer.frame), (scene_layer.key, drawn)
    png = page.page.screenshot()
    (out / f"{map_id}.{size}.screenshot.png").write_bytes(png)
    # every thematic layer shows: hiding it changes the picture
    for scene_layer in scene.layers:
        if scene_layer.layer.id == "countries":
            continue
        key = scene_layer.key
        page.page.evaluate(f"FG.map.removeLayer(FG.layers['{key}'])")
        without = page.page.screenshot()
        page.page.evaluate(f"FG.map.addLayer(FG.layers['{key}'])")
        assert _changed_pixels(png, without) > 100, (map_id, size, key)
    text = page.page.inner_text("body")
    if size == "desktop":
        for section in scene.legend:
            assert section.title in text


def test_bad_data_fails_its_map_and_writes_nothing_of_it(tmp_path, capsys):
    project = tmp_path / "my-story"
    shutil.copytree(PROJECT, project)
    bad = project / "data" / "traders.csv"
    bad.write_text(
        "from;to;n;when\nShymkent;Taraz;-3;2024-05-01\nTaraz;Bishkek;lots;2024-05-01\n"
        "Turkistan;Shymkent;;2024-05-02\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code = main(["build", str(project), "--out", str(out), "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 1
    assert "traders.csv" in err and "Traceback" not in err
    # all three bad rows at once, by line and field
    for words in ("line 2", "line 3", "line 4", "'n'"):
        assert words in err, words
    assert not list(out.glob("steppe-markets*"))
    assert (out / "caucasus-clinics.html").is_file()


FLOW_SPEC = """id = "bad"
title = "Bad input"
extent = [66.0, 40.0, 76.0, 45.0]
relief = false

[[layers]]
id = "countries"

[[layers]]
id = "flows"
data = "../data/bad.csv"
{extra}
"""

# (file bytes, extra spec lines, words the message must hold: file, line, field, advice)
BAD_INPUTS = {
    "semicolons and other column names": (
        "origin;destination;people\nTaraz;Shymkent;5\n",
        "",
        ["bad.csv", "'count'", "read as ';'-separated", "origin, destination, people"],
    ),
    "header only": ("origin,destination,count\n", "", ["bad.csv", "no data rows"]),
    "three kinds of bad rows": (
        "origin,destination,count\nTaraz,Shymkent,-3\nTaraz,Shymkent,lots\nTaraz,Shymkent,\n",
        "",
        ["bad.csv", "field 'count'", "line 2", "line 3", "line 4", "3 problems"],
    ),
    "unknown place": (
        "origin,destination,count\nTarazz,Shymkent,5\n",
        "",
        ["bad.csv", "line 2", "origin", "Taraz"],
    ),
    "neither UTF-8 nor one Windows code page": (
        b"origin,destination,count\nTaraz,Shymkent,5\nCaf\xe9 \xce\xf8,Taraz,4\n",
        "",
        ["bad.csv", "line 3 (column 'origin')", "UTF-8"],
    ),
    "unknown option": (
        "origin,destination,count\nTaraz,Shymkent,5\n",
        'colour = "red"',
        ["bad.toml", "layers[1].colour", "columns", "units"],
    ),
    "a column the spec names is missing": (
        "from,to,n\nTaraz,Shymkent,5\n",
        'columns = { origin = "from", destination = "to", count = "people" }',
        ["bad.csv", "'people'", "from, to, n"],
    ),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_bad_input_names_file_row_and_field_and_writes_nothing(tmp_path, capsys, case):
    data, extra, words = BAD_INPUTS[case]
    project = tmp_path / "mine"
    (project / "specs").mkdir(parents=True)
    (project / "data").mkdir()
    (project / "specs" / "bad.toml").write_text(FLOW_SPEC.format(extra=extra), encoding="utf-8")
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    (project / "data" / "bad.csv").write_bytes(raw)
    out = tmp_path / "out"
    code = main(["build", str(project), "--out", str(out), "--format", "html,png"])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "Traceback" not in err
    for word in words:
        assert word in err, (word, err)
    assert not list(out.glob("bad*"))


def test_a_latin1_file_builds_with_a_warning_that_names_it_relative(tmp_path, capsys):
    project = tmp_path / "mine"
    (project / "specs").mkdir(parents=True)
    (project / "data").mkdir()
    (project / "specs" / "bad.toml").write_text(FLOW_SPEC.format(extra=""), encoding="utf-8")
    (project / "data" / "bad.csv").write_bytes(b"origin,destination,count\nK\xf6kshetau,Taraz,5\n")
    out = tmp_path / "out"
    assert main(["build", str(project), "--out", str(out), "--format", "html"]) == 0
    err = capsys.readouterr().err
    assert "warning:" in err and "Latin-1" in err and "Traceback" not in err
    said = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["maps"]["bad"]
    assert any(w.startswith("data/bad.csv: is not UTF-8") for w in said["warnings"]), said
    assert str(tmp_path) not in json.dumps(said)
