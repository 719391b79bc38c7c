"""Static (print) renderer: reference images, SVG text, PDF fonts, labels, scale bar, I/O.

Reference images: every spec in maps/specs is rendered as an a4-half page at
60 dpi and compared with tests/reference/<id>.png. The test passes when the mean
absolute difference is at most MAX_MEAN_ABS grey levels (of 255, over all pixels
and channels) and the root-mean-square difference at most MAX_RMS. The 256-colour
references alone cost ~0.5 / ~2.3; a moved label costs far less than the limit,
dropping the relief or a layer far more (checked below). After an intended
change: ``.venv/bin/python -m scripts.update_references`` and look at the images.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import math
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import matplotlib
import pyproj
import pytest
import shapely
from PIL import Image

import maps
import maps.print as print_maps
from geo.crs import distance_km
from geo.geometry import flow_line
from layers import Categories, Credit, Layer, LegendEntry, SizeScale, style
from maps.print import StaticExportError, render_bytes, static_figure, write_static
from maps.print import api as print_api
from maps.print import export as print_export
from maps.print.text import inside, overlaps
from maps.scene import build_scene
from scripts.update_references import (
    REFERENCE_DIR,
    difference,
    render_reference,
)

SPECS = sorted(Path(maps.spec.SPEC_DIR).glob("*.toml"))
MAX_MEAN_ABS = 2.5
MAX_RMS = 10.0
LOW_DPI = 60
OSH = (72.8, 40.53)
ANDIJAN = (72.344, 40.783)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def compositions():
    return {path.stem: maps.compose(maps.load_spec(path)) for path in SPECS}


@pytest.fixture(scope="module")
def scenes(compositions):
    return {name: build_scene(comp) for name, comp in compositions.items()}


@pytest.fixture(scope="module")
def rendered(scenes):
    """Per spec: the a4 figure of its scene at 60 dpi and its PNG, SVG and PDF bytes."""
    out = {}
    for name, scene in scenes.items():
        figure = static_figure(scene, size="a4", dpi=LOW_DPI)
        out[name] = {
            "figure": figure,
            **{fmt: render_bytes(figure, fmt, LOW_DPI) for fmt in ("png", "svg", "pdf")},
        }
    return out


def spec_ids():
    return [p.stem for p in SPECS]


def test_there_are_specs():
    assert SPECS, "no map specs in maps/specs"


# --- reference images ---------------------------------------------------------------------


@pytest.mark.parametrize("name", spec_ids())
def test_matches_reference_image(compositions, name):
    reference = REFERENCE_DIR / f"{compositions[name].spec.id}.png"
    assert reference.exists(), (
        f"no reference image {reference}; run `.venv/bin/python -m scripts.update_references "
        f"{name}` and look at it before committing"
    )
    image = render_reference(compositions[name])
    mean_abs, rms = difference(image, Image.open(reference))
    assert mean_abs <= MAX_MEAN_ABS and rms <= MAX_RMS, (
        f"{name} differs from {reference.name}: mean |Δ| {mean_abs:.2f} (max {MAX_MEAN_ABS}), "
        f"RMS {rms:.2f} (max {MAX_RMS}). If the change is intended, run "
        "`.venv/bin/python -m scripts.update_references` and check the images."
    )


def test_reference_comparison_catches_a_changed_map(compositions):
    name = spec_ids()[0]
    comp = compositions[name]
    reference = Image.open(REFERENCE_DIR / f"{comp.spec.id}.png")
    without_relief = dataclasses.replace(comp, spec=dataclasses.replace(comp.spec, relief=False))
    mean_abs, rms = difference(render_reference(without_relief), reference)
    assert mean_abs > MAX_MEAN_ABS or rms > MAX_RMS
    fewer = dataclasses.replace(comp, visible=[True] + [False] * (len(comp.layers) - 1))
    mean_abs, rms = difference(render_reference(fewer), reference)
    assert mean_abs > MAX_MEAN_ABS or rms > MAX_RMS


def test_reference_images_are_small():
    for path in REFERENCE_DIR.glob("*.png"):
        assert path.stat().st_size < 120_000, path
        with Image.open(path) as image:
            assert image.size[0] <= 600


# --- formats --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", spec_ids())
def test_png_size_follows_preset_and_dpi(rendered, name):
    image = Image.open(io.BytesIO(rendered[name]["png"]))
    width_in, height_in = 210 / 25.4, 297 / 25.4
    assert abs(image.size[0] - width_in * LOW_DPI) <= 1
    assert abs(image.size[1] - height_in * LOW_DPI) <= 1
    assert "Software" not in image.info


@pytest.mark.parametrize("name", spec_ids())
def test_svg_parses_and_keeps_text(rendered, compositions, name):
    root = ET.fromstring(rendered[name]["svg"])
    texts = ["".join(node.itertext()).strip() for node in root.iter(f"{SVG}text")]
    assert compositions[name].spec.title in texts
    placed = rendered[name]["figure"].fergana.labels
    assert len(placed) >= 5
    if any(layer.id == "places" for layer in compositions[name].layers):
        assert sum(label.layer == "places" for label in placed) >= 3
    missing = [label.text for label in placed if label.text not in texts]
    assert not missing, f"labels drawn as paths, not <text>: {missing}"
    # No timestamps.
    assert b"<dc:date>" not in rendered[name]["svg"]


def _pdffonts_or_skip() -> str:
    exe = shutil.which("pdffonts")
    if exe is None:
        message = "pdffonts (Debian's poppler-utils) is not installed"
        if os.environ.get("FERGANA_REQUIRE_BROWSER") == "1":
            pytest.fail(message + "; CI needs it: apt-get install poppler-utils")
        pytest.skip(message)
    return exe


@pytest.mark.parametrize("name", spec_ids())
def test_pdf_opens_with_fonts_embedded(rendered, compositions, name, tmp_path):
    from pypdf import PdfReader

    data = rendered[name]["pdf"]
    assert b"CreationDate" not in data and b"ModDate" not in data
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert math.isclose(float(box.width), 210 / 25.4 * 72, abs_tol=0.5)
    assert math.isclose(float(box.height), 297 / 25.4 * 72, abs_tol=0.5)
    text = reader.pages[0].extract_text()
    assert compositions[name].spec.title.split()[0] in text

    exe = _pdffonts_or_skip()
    path = tmp_path / "map.pdf"
    path.write_bytes(data)
    output = subprocess.run([exe, str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in output.splitlines()[2:] if line.strip()]
    assert rows, output
    for row in rows:
        # name type [type...] encoding emb sub uni object ID: emb is 5th from the end.
        assert row[-5] == "yes", f"font not embedded: {' '.join(row)}"
        assert "DejaVu" in row[0], row


# --- labels --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", spec_ids())
def test_placed_labels_do_not_overlap(rendered, name):
    labels = rendered[name]["figure"].fergana.labels
    assert labels
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            assert not overlaps(a.box, b.box), f"{a.text!r} overlaps {b.text!r}"


@pytest.mark.parametrize("name", spec_ids())
def test_drawn_text_lies_inside_recorded_boxes(rendered, name):
    """The boxes tested above are the real ones: each label, as matplotlib lays it out
    (with the renderer's settings), fits inside its recorded box at 60 and 300 dpi.
    """
    figure = rendered[name]["figure"]
    dpi = figure.dpi
    try:
        for check_dpi in (LOW_DPI, 300):
            figure.set_dpi(check_dpi)
            with matplotlib.rc_context(print_maps.RC):
                renderer = figure.canvas.get_renderer()
                scale = 72 / figure.dpi
                labels = figure.fergana.labels
                for label, artist in zip(labels, figure.fergana.label_artists, strict=True):
                    ext = artist.get_window_extent(renderer)
                    x0, y0 = ext.x0 * scale, ext.y0 * scale
                    x1, y1 = ext.x1 * scale, ext.y1 * scale
                    bx0, by0, bx1, by1 = label.box
                    tol = 0.1
                    where = (label.text, check_dpi)
                    assert bx0 - tol <= x0 and x1 <= bx1 + tol, (where, (x0, x1), (bx0, bx1))
                    assert by0 - tol <= y0 and y1 <= by1 + tol, (where, (y0, y1), (by0, by1))
    finally:
        figure.set_dpi(dpi)


@pytest.mark.parametrize("name", spec_ids())
def test_labels_avoid_symbols_and_furniture(rendered, name):
    info = rendered[name]["figure"].fergana
    for label in info.labels:
        for key, box in info.obstacles:
            if key is not None and key == label.own:
                continue
            if inside(label.box, box):
                continue  # the inset the label is in
            assert not overlaps(label.box, box), f"{label.text!r} covers {key}"


def test_label_placement_does_not_depend_on_dpi(compositions):
    comp = compositions[spec_ids()[0]]
    a = static_figure(comp, size="a4-half", dpi=40).fergana.labels
    b = static_figure(comp, size="a4-half", dpi=90).fergana.labels
    assert [(x.text, x.box) for x in a] == [(x.text, x.box) for x in b]


# --- scale bar and north arrow -------------------------------------------------------------


def _ratio(crs, a, b) -> float:
    """Ground km per projected metre between two lon/lat points."""
    forward = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    (x0, x1), (y0, y1) = forward.transform([a[0], b[0]], [a[1], b[1]])
    return distance_km(a, b) / math.hypot(x1 - x0, y1 - y0)


@pytest.mark.parametrize("name", spec_ids())
def test_scale_bar_matches_projected_distance(rendered, name):
    """Osh–Andijan (~48 km): km per projected metre there matches the bar's within 2%.

    On maps whose scale varies by more than 2% (continental conic maps) one bar
    cannot be right everywhere: there the bar must say where it is true, and it
    must match two places 50 km apart at that latitude instead.
    """
    info = rendered[name]["figure"].fergana
    bar = info.scale_bar
    assert bar is not None
    assert bar.km in {m * 10**e for m in (1, 2, 2.5, 5) for e in range(-1, 5)}
    assert 45 < distance_km(OSH, ANDIJAN) < 52
    bar_ratio = bar.km / bar.map_m
    if info.scale_variation <= print_maps.SCALE_NOTE_VARIATION:
        true_ratio = _ratio(info.view.crs, OSH, ANDIJAN)
    else:
        figure = rendered[name]["figure"]
        texts = [t.get_text() for t in figure.axes[0].texts]
        assert any(t.startswith(f"true at {abs(bar.lat):.0f}°") for t in texts), texts
        true_ratio = _ratio(info.view.crs, (bar.lon - 0.3, bar.lat), (bar.lon + 0.3, bar.lat))
    assert abs(bar_ratio / true_ratio - 1) < 0.02, (bar_ratio, true_ratio)
    # And the bar is drawn that long on the page.
    assert math.isclose(bar.points, bar.map_m / info.view.metres_per_point, rel_tol=1e-9)
    segments = [
        p
        for p in rendered[name]["figure"].axes[0].patches
        if type(p).__name__ == "Rectangle" and p.get_zorder() == 61
    ]
    assert math.isclose(sum(p.get_width() for p in segments), bar.points, rel_tol=1e-6)


def test_scale_bar_is_wrong_in_web_mercator_as_expected(rendered):
    """Sanity check of the test itself: Web Mercator's scale is ~31% off at 40.5°N."""
    forward = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    (x0, x1), (y0, y1) = forward.transform([OSH[0], ANDIJAN[0]], [OSH[1], ANDIJAN[1]])
    mercator_ratio = distance_km(OSH, ANDIJAN) / math.hypot(x1 - x0, y1 - y0)
    bar = rendered[spec_ids()[0]]["figure"].fergana.scale_bar
    assert abs((bar.km / bar.map_m) / mercator_ratio - 1) > 0.2


def test_north_arrow_only_when_north_is_not_up(rendered, compositions):
    info = rendered["fergana-borders"]["figure"].fergana if "fergana-borders" in rendered else None
    if info is not None:
        assert info.convergence_deg > 1.0 and info.north_arrow
    narrow = maps.spec_from_dict(
        {
            "id": "narrow",
            "title": "Narrow",
            "extent": [72.2, 40.3, 73.0, 40.9],
            "layers": ["countries", "places"],
            "relief": False,
        }
    )
    figure = static_figure(maps.compose(narrow), size="web", dpi=40)
    assert figure.fergana.convergence_deg < 1.0
    assert not figure.fergana.north_arrow


# --- flows -----------------------------------------------------------------------------------


def _flow_layer() -> Layer:
    rows = [
        ((72.80, 40.53), (72.35, 40.78), 75000.0),
        ((72.80, 40.53), (72.10, 40.70), 20000.0),
        ((73.00, 40.94), (72.50, 41.00), float("nan")),
    ]
    frame = gpd.GeoDataFrame(
        {
            "people": [r[2] for r in rows],
            "status": ["reported" if r[2] == r[2] else "unknown" for r in rows],
        },
        geometry=[flow_line(o, d) for o, d, _ in rows],
        crs="EPSG:4326",
    )
    categories = Categories(
        "status",
        {
            "reported": ("People crossing", style("flow")),
            "unknown": ("Number not reported", style("flow_unknown")),
        },
    )
    return Layer(
        id="test_flows",
        title="Refugee flows",
        kind="flow",
        frame=frame,
        style=style("flow"),
        categories=categories,
        size=SizeScale("people", 100000, 16, key_values=(75000, 20000), label="People"),
        legend=[LegendEntry(c.label, c.style, "flow") for c in categories.styles.values()],
        credits=[Credit("test data", "none")],
    )


def _largest_scale(compositions):
    """The composition with the smallest extent (test flows are long enough there)."""

    def area(comp):
        west, south, east, north = comp.spec.extent
        return (east - west) * (north - south)

    return min(compositions.values(), key=area)


def test_flows_width_arrowheads_and_size_key(compositions):
    comp = _largest_scale(compositions)
    flows = _flow_layer()
    comp = dataclasses.replace(
        comp,
        layers=[*comp.layers, flows],
        visible=[*comp.visible, True],
        labelled=[*comp.labelled, False],
    )
    scene = build_scene(comp)
    figure = static_figure(scene, size="a4-half", dpi=LOW_DPI)
    info = figure.fergana
    records = [r for r in info.flows if r.layer == "test_flows" and r.view is info.view]
    assert len(records) >= 3
    mpp = info.view.metres_per_point
    svg_ids = {n.get("id") for n in ET.fromstring(render_bytes(figure, "svg", LOW_DPI)).iter()}
    for record in records:
        assert record.width_pt == pytest.approx(flows.size.size(record.value) * 0.75)
        assert record.dashed == math.isnan(record.value)
        assert f"fg-flow-{len(comp.layers) - 1}-{record.feature}" in svg_ids
        # The head as drawn has the scene's proportions at the page's type scale.
        length_pt, width_pt = (
            v * 0.75 for v in scene.arrow.head(record.width_pt / 0.75, scale=info.type_scale)
        )
        tip, left, right = shapely.get_coordinates(record.head)[:3]
        base = (left + right) / 2
        assert math.dist(tip, base) / mpp == pytest.approx(length_pt, rel=0.02)
        assert math.dist(left, right) / mpp == pytest.approx(width_pt, rel=0.02)
        assert math.dist(tip, shapely.get_coordinates(record.line)[-1]) < 1e-6 * mpp
        if record.dashed:
            # Not reported: thin, dashed, never a guessed width.
            assert record.width_pt == pytest.approx(flows.size.unknown_size * 0.75)
            assert record.artist.get_linestyle() not in ("-", "solid")
            continue
        # Measure the drawn polygon across the line, a third of the way along its shaft.
        rings = [shapely.Polygon(r) for r in record.artist.get_path().to_polygons()]
        body = functools.reduce(shapely.symmetric_difference, rings)
        line = record.line
        at = (line.length - 2.2 * record.width_pt * mpp) / 3
        a, b = line.interpolate(at * 0.9), line.interpolate(at * 1.1)
        dx, dy = b.x - a.x, b.y - a.y
        norm = math.hypot(dx, dy)
        mid = line.interpolate(at)
        reach = 20 * record.width_pt * mpp
        across = shapely.LineString(
            [
                (mid.x - dy / norm * reach, mid.y + dx / norm * reach),
                (mid.x + dy / norm * reach, mid.y - dx / norm * reach),
            ]
        )
        drawn_width = body.intersection(across).length / mpp
        assert drawn_width == pytest.approx(record.width_pt, rel=0.03)
        # The arrowhead: the polygon reaches the line's end and holds the whole head.
        tip = shapely.Point(line.coords[-1])
        assert body.distance(tip) < 0.05 * record.width_pt * mpp + 1
        assert record.head.difference(body).area < 0.01 * record.head.area
    legend_text = [t.get_text() for a in figure.axes for t in a.texts]
    assert {"75,000", "20,000", "not reported", "People"} <= set(legend_text)


# --- writing -------------------------------------------------------------------------------


def test_write_static_is_byte_identical_twice(compositions, tmp_path):
    comp = compositions[spec_ids()[0]]
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    paths = write_static(comp, first, dpi=LOW_DPI, size="a4-half", web_width_px=400)
    again = write_static(comp, second, dpi=LOW_DPI, size="a4-half", web_width_px=400)
    names = [p.name for p in paths]
    stem = comp.spec.id
    assert names == [f"{stem}.png", f"{stem}.web.png", f"{stem}.svg", f"{stem}.pdf"]
    for a, b in zip(paths, again, strict=True):
        assert a.read_bytes() == b.read_bytes(), f"{a.name} differs between two exports"
    assert Image.open(first / f"{stem}.web.png").size[0] == 400
    assert sorted(os.listdir(first)) == sorted(names)  # no temporary files left


def _listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"formats": ("png", "tiff")}, StaticExportError, ["tiff", "png", "svg", "pdf"]),
        ({"formats": ()}, StaticExportError, ["formats"]),
        ({"dpi": 0}, StaticExportError, ["dpi"]),
        ({"dpi": -72}, StaticExportError, ["dpi"]),
        ({"dpi": float("nan")}, StaticExportError, ["dpi"]),
        ({"dpi": 100_000}, StaticExportError, ["px"]),
        ({"size": "a3"}, StaticExportError, ["a3", "a4"]),
        ({"size": (0, 100)}, StaticExportError, ["size"]),
    ],
)
def test_bad_requests_fail_before_writing(compositions, tmp_path, kwargs, error, words):
    comp = compositions[spec_ids()[0]]
    before = _listing(tmp_path)
    with pytest.raises(error) as info:
        write_static(comp, tmp_path, **kwargs)
    assert isinstance(info.value, ValueError)
    for word in words:
        assert word in str(info.value)
    assert _listing(tmp_path) == before


def test_missing_or_bad_folder(compositions, tmp_path):
    comp = compositions[spec_ids()[0]]
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError, match="nowhere"):
        write_static(comp, missing)
    assert not missing.exists()
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(NotADirectoryError, match=r"file\.txt"):
        write_static(comp, a_file)
    assert _listing(tmp_path) == ["file.txt"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_unwritable_folder(compositions, tmp_path):
    comp = compositions[spec_ids()[0]]
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match="locked"):
            write_static(comp, locked)
        assert _listing(locked) == []
    finally:
        locked.chmod(0o700)


def test_unwritable_folder_even_as_root(compositions, tmp_path, monkeypatch):
    comp = compositions[spec_ids()[0]]
    monkeypatch.setattr(print_export.os, "access", lambda path, mode: False)
    with pytest.raises(PermissionError, match="not writable") as info:
        write_static(comp, tmp_path)
    assert str(tmp_path) in str(info.value)
    assert _listing(tmp_path) == []


def test_output_cannot_escape_the_folder(compositions, tmp_path):
    comp = compositions[spec_ids()[0]]
    inner = tmp_path / "inner"
    inner.mkdir()
    evil = dataclasses.replace(comp, spec=dataclasses.replace(comp.spec, id="../evil"))
    with pytest.raises(StaticExportError, match="outside"):
        write_static(evil, inner)
    assert _listing(tmp_path) == ["inner"] and _listing(inner) == []


def test_failure_while_rendering_leaves_nothing(compositions, tmp_path, monkeypatch):
    comp = compositions[spec_ids()[0]]
    real = print_api.render_bytes

    def failing(figure, fmt, dpi):
        if fmt == "pdf":
            raise OSError("disk full (simulated)")
        return real(figure, fmt, dpi)

    monkeypatch.setattr(print_api, "render_bytes", failing)
    with pytest.raises(OSError, match="simulated"):
        write_static(comp, tmp_path, dpi=LOW_DPI, size="a4-half", web_width_px=300)
    assert _listing(tmp_path) == []


def test_size_presets_and_custom_sizes(compositions):
    assert {"a4", "a4-half", "slide", "web"} <= set(print_maps.SIZES)
    slide = print_maps.SIZES["slide"]
    assert math.isclose(slide.width_mm / slide.height_mm, 16 / 9, rel_tol=1e-3)
    comp = compositions[spec_ids()[0]]
    figure = static_figure(comp, size=(160, 120), dpi=30)
    width, height = figure.get_size_inches()
    assert math.isclose(width * 25.4, 160) and math.isclose(height * 25.4, 120)
    assert figure.fergana.labels


# --- parity hooks: what the SVG shows is the scene's -------------------------------------

ID_LINE = re.compile(r"(?P<base>.+?)(?:-line-(?P<line>\d+))?$")


def _svg_texts(svg: bytes) -> dict[str, str]:
    """Text of every element with an ``fg-`` id, wrapped lines joined, in document order."""
    root = ET.fromstring(svg)
    parts: dict[str, list[tuple[int, str]]] = {}
    for node in root.iter():
        gid = node.get("id", "")
        if not gid.startswith("fg-"):
            continue
        text = "".join(node.itertext()).strip()
        match = ID_LINE.match(gid)
        base, line = match["base"], int(match["line"] or 0)
        parts.setdefault(base, []).append((line, text))
    return {k: " ".join(t for _, t in sorted(v)) for k, v in parts.items()}


def _numbered(texts: dict[str, str], prefix: str) -> list[str]:
    pattern = re.compile(re.escape(prefix) + r"(\d+)$")
    found = sorted((int(m[1]), text) for k, text in texts.items() if (m := pattern.match(k)))
    assert [n for n, _ in found] == list(range(len(found))), f"{prefix} ids not 0..n-1"
    return [text for _, text in found]


@pytest.mark.parametrize("name", spec_ids())
def test_svg_legend_is_the_scene_legend(rendered, scenes, name):
    scene = scenes[name]
    visible = {sl.key for sl in scene.layers if sl.visible}
    sections = [s for s in scene.legend if not s.context and s.key in visible]
    sections += [s for s in scene.legend if s.context]
    assert sections, "every story map has a legend"
    headings = [s.heading for s in sections if s.heading]
    rows = []
    for section in sections:
        rows += [row.label for row in section.rows]
        if section.size_key is not None:
            rows += [row.label for row in section.size_key.rows]
    texts = _svg_texts(rendered[name]["svg"])
    assert _numbered(texts, "fg-legend-heading-") == headings
    assert _numbered(texts, "fg-legend-row-") == rows


@pytest.mark.parametrize("name", spec_ids())
def test_svg_labels_follow_the_scene_plan(rendered, scenes, name):
    scene = scenes[name]
    texts = _svg_texts(rendered[name]["svg"])
    ids = {k: v for k, v in texts.items() if k.startswith("fg-label-")}
    assert len(ids) >= 5
    pattern = re.compile(r"fg-label-(\d+)(-m\d+)?$")
    for gid, text in ids.items():
        match = pattern.match(gid)
        assert match, gid
        label = scene.labels[int(match[1])]
        expected = label.text.upper() if label.look.uppercase else label.text
        assert text == expected, (gid, text, expected)
    # Every annotation is placed, on the main map.
    notes = [n for n, label in enumerate(scene.labels) if label.role == "note"]
    assert {f"fg-label-{n}" for n in notes} <= set(ids)
    # Placed in plan order, and the records say the same as the SVG.
    info = rendered[name]["figure"].fergana
    plan = [label.plan for label in info.labels]
    assert plan == sorted(plan)
    assert {label.gid for label in info.labels} == set(ids)


@pytest.mark.parametrize("name", spec_ids())
def test_svg_credits_are_the_scene_credits(rendered, scenes, name):
    scene = scenes[name]
    text = _svg_texts(rendered[name]["svg"])["fg-credits"]
    assert text == scene.credit_line()
    listed = text.removeprefix("Sources: ").split("; ")
    assert listed == [credit.text() for credit in scene.credits]
    if scene.relief:  # every relief grid the hillshade draws from (GEBCO, Mapzen) is credited
        from maps.scene.relief import relief_datasets

        grids = relief_datasets(scene.spec.extent)
        assert grids and all(Credit.of(grid).text() in listed for grid in grids)


def test_svg_ids_are_unique(rendered):
    for name, out in rendered.items():
        ids = [node.get("id") for node in ET.fromstring(out["svg"]).iter() if node.get("id")]
        fg = [i for i in ids if i.startswith("fg-")]
        assert len(fg) == len(set(fg)), name


def _foreign_layer() -> Layer:
    """Not one of ours: other column names, other places (South America), a size scale."""
    rows = [
        ("Lima", (-77.04, -12.05), 10_000_000.0),
        ("Quito", (-78.47, -0.18), 2_800_000.0),
        ("La Paz", (-68.15, -16.5), float("nan")),
        ("Santiago", (-70.67, -33.45), 6_900_000.0),
    ]
    frame = gpd.GeoDataFrame(
        {"name": [r[0] for r in rows], "value": [r[2] for r in rows]},
        geometry=gpd.points_from_xy([r[1][0] for r in rows], [r[1][1] for r in rows]),
        crs="EPSG:4326",
    )
    marker = dataclasses.replace(style("place"), fill="#1b7837", marker="circle")
    return Layer(
        id="test_cities",
        title="Andean capitals",
        kind="point",
        frame=frame,
        style=marker,
        size=SizeScale(
            "value",
            10_000_000,
            40,
            by_area=True,
            key_values=(1_000_000, 10_000_000),
            label="People",
        ),
        legend=[LegendEntry("Capital", marker, "point")],
        label="name",
        credits=[Credit("test cities", "none")],
    )


def test_a_layer_that_is_not_ours(tmp_path):
    spec = maps.spec_from_dict(
        {
            "id": "andes",
            "title": "Andean capitals",
            "extent": [-82.0, -36.0, -62.0, 2.0],
            "layers": ["world"],
            "relief": False,
        }
    )
    comp = maps.compose(spec)
    cities = _foreign_layer()
    comp = dataclasses.replace(
        comp,
        layers=[*comp.layers, cities],
        visible=[*comp.visible, True],
        labelled=[*comp.labelled, True],
        credits=[*comp.credits, *cities.credits],
    )
    scene = build_scene(comp)
    dpi = 100
    [png] = write_static(scene, tmp_path, ("png",), size="a4-half", dpi=dpi, web_width_px=None)
    figure = static_figure(scene, size="a4-half", dpi=dpi)
    info = figure.fergana
    image = Image.open(png).convert("RGB")
    height_pt = info.page_size_pt[1]
    # Each reported city's symbol is drawn where it is, in its colour, bigger for more people.
    sizes = scene.layers[-1].sizes
    assert sizes[0] > sizes[3] > sizes[1] > sizes[2] == cities.size.unknown_size
    forward = pyproj.Transformer.from_crs("EPSG:4326", info.view.crs, always_xy=True)
    for _, row in cities.frame[cities.frame["value"].notna()].iterrows():
        x, y = info.view.to_page(*forward.transform(row.geometry.x, row.geometry.y))
        at = (round(float(x) * dpi / 72), round((height_pt - float(y)) * dpi / 72))
        pixel = image.getpixel(at)
        assert math.dist(pixel, (0x1B, 0x78, 0x37)) < 40, (row["name"], pixel)
    # Its names are labelled, its legend and size key shown, its credit listed.
    placed = {label.text for label in info.labels}
    assert {"Lima", "Quito", "Santiago", "La Paz"} <= placed
    texts = _svg_texts(render_bytes(figure, "svg", dpi))
    rows = _numbered(texts, "fg-legend-row-")
    assert rows[-4:] == ["Capital", "1,000,000", "10,000,000", "not reported"]
    assert "test cities" in texts["fg-credits"]
    # And the image is a map, not a blank page: the sea and land colours are both there.
    colours = {c for _, c in image.getcolors(maxcolors=1 << 20)}
    assert (0x1B, 0x78, 0x37) in colours
