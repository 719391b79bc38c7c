"""Motion (issue 15): GIF and MP4 frames of a map's time steps.

june-2010 (its ``[motion]``: every reported day, slide size) is read from the
session build; a small made-up project (fictional sites in the Caucasus, other
column names, steps by a "phase" column or by an "opened_on" date) is built here.
"""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from maps import compose, load_spec
from maps.build import build, failure
from maps.motion import MotionError, gif_steps, write_motion
from maps.pages import resolve_size
from maps.print import render_bytes
from maps.print.frames import frame_page
from maps.scene import build_scene
from maps.scene.series import scene_at, time_steps
from maps.spec import SPEC_DIR

SVG = "{http://www.w3.org/2000/svg}"
SITES = """site,lat,lon,visitors,phase,opened_on
Kura ferry (fictional),41.72,44.79,1200,survey,2021-03-02
Rioni lookout (fictional),42.27,42.70,300,survey,2021-03-02
Sevan pier (fictional),40.56,45.00,800,build,2021-03-09
Debed bridge (fictional),41.10,44.65,450,build,2021-03-16
Alazani gate (fictional),41.90,45.80,650,open,2021-03-16
Gori yard (fictional),41.98,44.11,2000,open,2021-03-23
"""
SPEC = """id = "caucasus-sites"
title = "Sites opened in the southern Caucasus"
subtitle = "FICTIONAL sites for fergana's motion tests"
caption = "FICTIONAL numbers: no such sites exist."
extent = [41.5, 40.0, 46.5, 43.0]
print_size = "web"

[[layers]]
id = "countries"
focus = "GEO"

[[layers]]
id = "points"
data = "../data/sites.csv"
label = "site"
size = "visitors"
units = "visitors"
title = "Sites (fictional)"
credit = "Fictional site register"

[motion]
by = "phase"
steps = ["survey", "build", "open"]
seconds = 0.5
"""


@pytest.fixture(scope="module")
def june():
    scene = build_scene(compose(load_spec(SPEC_DIR / "june-2010.toml")))
    return scene, time_steps(scene, scene.spec.motion.steps)


@pytest.fixture
def project(tmp_path) -> Path:
    """The made-up project: ``specs/caucasus-sites.toml`` and ``data/sites.csv``."""
    (tmp_path / "data").mkdir()
    (tmp_path / "specs").mkdir()
    (tmp_path / "data" / "sites.csv").write_text(SITES, encoding="utf-8")
    spec = tmp_path / "specs" / "caucasus-sites.toml"
    spec.write_text(SPEC, encoding="utf-8")
    return spec


def dated_sites(spec: Path):
    """The project's scene with its points dated by ``opened_on`` and a reported total."""
    comp = compose(load_spec(spec))
    k = [layer.id for layer in comp.layers].index("points")
    series = pd.DataFrame(
        {
            "date": ["2021-03-09", "2021-03-23"],
            "text": ["3 sites", "6 sites"],
            "source": ["Fictional register; fictional press", "Fictional register"],
        }
    )
    comp.layers[k] = dataclasses.replace(
        comp.layers[k], time="opened_on", series=series, series_title="Sites open"
    )
    return build_scene(comp), k


def visible_features(page) -> dict[int, set[int]]:
    """Layer -> features whose point symbols or flows are visible on the page now."""
    out: dict[int, set[int]] = {}
    for axes in page.figure.axes:
        for artist in axes.get_children():
            if hasattr(artist, "fg_feature") and artist.get_visible():
                layer, feature = artist.fg_feature
                out.setdefault(layer, set()).add(feature)
    for layer, feature in page.visible_flows():
        out.setdefault(layer, set()).add(feature)
    return out


def drawn_features(page) -> dict[int, set[int]]:
    """Layer -> every feature with a point symbol or flow on the page (visible or not)."""
    page.show(None)
    return visible_features(page)


def svg_text(svg: bytes, gid: str) -> str:
    """The text of the SVG group `gid` (its lines joined by spaces)."""
    root = ET.fromstring(svg)
    for group in root.iter(f"{SVG}g"):
        if group.get("id") == gid:
            return " ".join("".join(t.itertext()) for t in group.iter(f"{SVG}text"))
    raise AssertionError(f"no {gid} in the SVG")


def ffprobe(path: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-show_entries",
         "stream=width,height,nb_read_frames,duration,pix_fmt,codec_name", "-of", "json",
         str(path)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(out)["streams"][0]


# --- frames show what the scene at each step shows ---------------------------------------


def test_june_frames_show_exactly_the_features_of_each_step(june):
    scene, series = june
    page = frame_page(scene, scene.spec.motion.steps, series, resolve_size("slide"), 36)
    drawn = drawn_features(page)
    flows = [sl.index for sl in scene.layers if sl.kind == "flow"]
    assert flows and any(drawn.get(i) for i in flows)
    seen_flow_counts = set()
    for step in series:
        page.show(step)
        at = scene_at(scene, step, scene.spec.motion.steps)
        visible = visible_features(page)
        for sl in at.layers:
            if sl.index not in drawn:
                continue
            geometry = at.layers[sl.index].layer.frame.geometry
            present = {n for n in drawn[sl.index] if geometry.iloc[n] is not None}
            assert visible.get(sl.index, set()) == present, (step.key, sl.key)
        seen_flow_counts.add(len(visible.get(flows[0], ())))
        # a label whose feature the step hides is hidden with it
        info = page.figure.fergana
        kept = {(label.layer, label.feature) for label in at.labels if label.layer is not None}
        for placed, artist in zip(info.labels, info.label_artists, strict=True):
            label = scene.labels[placed.plan]
            if label.layer is not None and (label.layer, label.feature) not in kept:
                assert not artist.get_visible(), (step.key, label.text)
    assert len(seen_flow_counts) > 1  # the flows change over the days


def test_frame_svg_carries_the_date_and_the_totals(june):
    scene, series = june
    page = frame_page(scene, scene.spec.motion.steps, series, resolve_size("slide"), 36)
    step = next(s for s in series if s.key == "2010-06-13")
    page.show(step)
    svg = render_bytes(page.figure, "svg", 36)
    assert svg_text(svg, "fg-frame-date") == "13 June 2010"
    refugees = svg_text(svg, "fg-frame-total-0")
    assert refugees.startswith("Refugees reported in Uzbekistan: 75,000–100,000 (2010-06-13; ")
    assert "Official death toll" in svg_text(svg, "fg-frame-total-1")
    # flows the step does not show are not in the file at all
    at = scene_at(scene, step, scene.spec.motion.steps)
    flow = next(sl for sl in at.layers if sl.kind == "flow")
    hidden = [n for n in range(len(flow.layer.frame)) if flow.layer.frame.geometry.iloc[n] is None]
    assert hidden
    for n in hidden:
        assert f'id="fg-flow-{flow.index}-{n}"'.encode() not in svg


# --- june-2010.gif and .mp4 as the build writes them -------------------------------------


def test_june_gif(built_maps, june):
    _, series = june
    data = (built_maps.out / "june-2010.gif").read_bytes()
    assert gif_steps(data) == [step.key for step in series]
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (1920, 1080)  # "slide" at 144 dpi
        assert image.n_frames == len(series)
        assert image.info["loop"] == 0
        durations = []
        for k in range(image.n_frames):
            image.seek(k)
            durations.append(image.info["duration"])
    assert durations == [1000] * (len(series) - 1) + [3000]
    assert b"/tmp" not in data and b"/work" not in data


def test_june_mp4(built_maps, june):
    _, series = june
    path = built_maps.out / "june-2010.mp4"
    info = ffprobe(path)
    assert (info["codec_name"], info["pix_fmt"]) == ("h264", "yuv420p")
    assert (info["width"], info["height"]) == (1920, 1080)
    frames = len(series) + 2  # the last step shows three times as long
    assert int(info["nb_read_frames"]) == frames
    assert float(info["duration"]) == pytest.approx(frames * 1.0)
    data = path.read_bytes()
    assert b"/tmp" not in data and b"/work" not in data
    assert b"creation_time" not in data


# --- the made-up project -----------------------------------------------------------------


def test_project_by_phase_builds_gif_and_mp4_reproducibly(project, tmp_path):
    outs = []
    for name in ("one", "two"):
        out = tmp_path / name
        report = build([project], out, formats=("gif", "mp4"), jobs=1)
        assert report.ok, [r.error for r in report.results]
        outs.append(out)
    for suffix in ("gif", "mp4"):
        first = (outs[0] / f"caucasus-sites.{suffix}").read_bytes()
        assert first == (outs[1] / f"caucasus-sites.{suffix}").read_bytes(), suffix
    gif = (outs[0] / "caucasus-sites.gif").read_bytes()
    assert gif_steps(gif) == ["survey", "build", "open"]
    with Image.open(io.BytesIO(gif)) as image:
        assert image.size == (1080, 810)  # "web" (190.5 × 142.875 mm) at 144 dpi
        frames = []
        for k in range(image.n_frames):
            image.seek(k)
            frames.append(np.asarray(image.convert("RGB")))
            assert image.info["duration"] == (1500 if k == 2 else 500)
    assert len(frames) == 3 and not np.array_equal(frames[0], frames[2])
    info = ffprobe(outs[0] / "caucasus-sites.mp4")
    assert int(info["nb_read_frames"]) == 5
    assert float(info["duration"]) == pytest.approx(2.5)


def test_project_dated_points_step_by_step(project):
    scene, k = dated_sites(project)
    steps = scene.spec.motion.steps
    steps = dataclasses.replace(steps, by="date", steps=())
    series = time_steps(scene, steps)
    assert [s.key for s in series] == ["2021-03-02", "2021-03-09", "2021-03-16", "2021-03-23"]
    page = frame_page(scene, steps, series, resolve_size("web"), 36)
    drawn = drawn_features(page)[k]
    assert drawn == set(range(6))
    counts = []
    for step in series:
        page.show(step)
        shown = visible_features(page).get(k, set())
        dates = scene.layers[k].layer.frame["opened_on"]
        assert shown == {n for n in range(6) if dates.iloc[n] <= step.key}, step.key
        counts.append(len(shown))
        svg = render_bytes(page.figure, "svg", 36)
        assert svg_text(svg, "fg-frame-date") == step.label
        expected = {
            "2021-03-02": "Sites open: none in the sources before 9 March 2021",
            "2021-03-09": "Sites open: 3 sites (2021-03-09; Fictional register and others)",
            "2021-03-16": "Sites open: 3 sites (2021-03-09; Fictional register and others)",
            "2021-03-23": "Sites open: 6 sites (2021-03-23; Fictional register)",
        }[step.key]
        assert svg_text(svg, "fg-frame-total-0") == expected
    assert counts == [2, 3, 5, 6]


def test_mp4_without_ffmpeg_is_one_line_environment_error(project, tmp_path, monkeypatch):
    scene = build_scene(compose(load_spec(project)))
    monkeypatch.setenv("PATH", str(tmp_path))  # no ffmpeg anywhere on it
    assert shutil.which("ffmpeg") is None
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(MotionError) as caught:
        write_motion(scene, out, ("gif", "mp4"))
    message = str(caught.value)
    assert message == (
        "mp4 needs ffmpeg, which is not installed (fix: sudo apt-get install ffmpeg)"
    )
    assert failure(caught.value) == ("environment", message)
    assert list(out.iterdir()) == []  # nothing half-written
    # the GIF needs no ffmpeg
    assert write_motion(scene, out, ("gif",)) == [out / "caucasus-sites.gif"]


def test_mp4_without_ffmpeg_through_the_build(project, tmp_path, monkeypatch):
    monkeypatch.setattr("maps.motion.shutil.which", lambda name: None)
    report = build([project], tmp_path / "out", formats=("mp4",), jobs=1)
    (result,) = report.results
    assert result.status == "failed" and result.cause == "environment"
    assert "\n" not in result.error and "apt-get install ffmpeg" in result.error
