"""Print page layout: no legend pushes the caption or the credits off the page, at every size.

Synthetic layers (fictional categories, flows and credits) make legends that are
tall (20 categories with long labels), wide (a flow size key whose 100,000 glyph
is 18 px wide, under a long units title) or both, with a long caption and eight
more credits. Each is written as PDF, SVG and PNG at every preset in SIZES and
checked from the files: the PDF's "Sources" and the caption's last words lie on
the page; in the SVG the caption, credits, legend and map frame lie on the page
and do not overlap; the PNG's credits band is not blank.
"""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pytest
import shapely
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextPath
from PIL import Image
from pypdf import PdfReader

import maps
from geo.geometry import flow_line
from layers import Categories, Credit, Layer, LegendEntry, SizeScale, Style, style
from maps.pages import PT_PER_MM, SIZES
from maps.print import RC, static_figure, write_static
from maps.scene import build_scene

EXTENT = (70.5, 39.8, 73.8, 41.6)
CAPTION = " ".join(["A long caption that explains the fictional map in several sentences."] * 7)
CAPTION += " These are the closing words."
SVG = "{http://www.w3.org/2000/svg}"
DEJAVU = Path(matplotlib.get_data_path(), "fonts", "ttf")
LOW_DPI = 40
Box = tuple[float, float, float, float]


def _categories(n: int = 20) -> Layer:
    kinds = [f"k{i}" for i in range(n)]
    frame = gpd.GeoDataFrame(
        {"kind": kinds},
        geometry=[shapely.Point(70.8 + 2.8 * i / n, 40.0 + 1.4 * i / n) for i in range(n)],
        crs="EPSG:4326",
    )
    styles = {
        k: (
            f"Fictional category number {i + 1} with a rather long descriptive label",
            Style(fill=f"#{(40 + 9 * i) % 256:02x}{(200 - 7 * i) % 256:02x}90", stroke="#333333"),
        )
        for i, k in enumerate(kinds)
    }
    return Layer(
        id="kinds",
        title="Fictional kinds of market, each with a long explanatory title",
        kind="point",
        frame=frame,
        style=Style(fill="#000000"),
        categories=Categories("kind", styles),
        legend=[LegendEntry(label, st, "point") for label, st in styles.values()],
        credits=[Credit("fictional categories", "none")],
    )


def _flows() -> Layer:
    rows = [((72.80, 40.53), (72.35, 40.78), 3000.0), ((72.80, 40.53), (71.5, 40.3), 50.0)]
    frame = gpd.GeoDataFrame(
        {"n": [r[2] for r in rows]},
        geometry=[flow_line(o, d) for o, d, _ in rows],
        crs="EPSG:4326",
    )
    return Layer(
        id="traders",
        title="Fictional traders",
        kind="flow",
        frame=frame,
        style=style("flow"),
        size=SizeScale(
            "n",
            100_000,
            18,
            key_values=(1_000, 10_000, 100_000),
            label="Fictional traders crossing the border each month (line width, people)",
        ),
        legend=[LegendEntry("Traders crossing", style("flow"), "flow")],
        credits=[Credit("fictional flows", "none")],
    )


def _big_circles() -> Layer:
    """Proportional circles up to 40 px (30 pt): wider than the usual 20 pt swatch."""
    frame = gpd.GeoDataFrame(
        {"v": [10.0, 1000.0]},
        geometry=[shapely.Point(71.5, 40.5), shapely.Point(72.5, 41.0)],
        crs="EPSG:4326",
    )
    return Layer(
        id="circles",
        title="Fictional visitors",
        kind="point",
        frame=frame,
        style=Style(fill="#1b7837", marker="circle"),
        size=SizeScale("v", 1000, 40, by_area=True, key_values=(10, 1000), label="Visitors"),
        legend=[LegendEntry("Market", Style(fill="#1b7837"), "point")],
        credits=[Credit("fictional visitors", "none")],
    )


def _scene(name: str, extra: list[Layer], caption: str = "", credits: int = 0):
    spec = {
        "id": name,
        "title": "Fictional test map",
        "extent": list(EXTENT),
        "layers": ["countries"],
        "relief": False,
    }
    if caption:
        spec["caption"] = caption
    comp = maps.compose(maps.spec_from_dict(spec))
    more = [c for layer in extra for c in layer.credits]
    more += [
        Credit(f"Fictional source number {i + 1} with a longish citation (2024)", "CC BY 4.0")
        for i in range(credits)
    ]
    comp = dataclasses.replace(
        comp,
        layers=[*comp.layers, *extra],
        visible=[*comp.visible, *[True] * len(extra)],
        labelled=[*comp.labelled, *[False] * len(extra)],
        credits=[*comp.credits, *more],
    )
    return build_scene(comp)


SCENES = {
    "tall": lambda: _scene("tall", [_categories()]),
    "wide": lambda: _scene("wide", [_flows()]),
    "both": lambda: _scene("both", [_categories(), _flows()], CAPTION, credits=8),
}


@pytest.fixture(scope="module")
def scenes():
    return {name: make() for name, make in SCENES.items()}


# --- reading the files ----------------------------------------------------------------------


def pdf_text_on_page(path: Path) -> str:
    """The PDF's text that lies on its page (text drawn off the page is still in the file)."""
    page = PdfReader(path).pages[0]
    x0, y0, x1, y1 = (float(v) for v in page.mediabox)
    parts: list[str] = []

    def visit(text, cm, tm, font_dict, font_size):
        x, y = _apply(cm, tm[4], tm[5])
        if x0 <= x <= x1 and y0 <= y <= y1:
            parts.append(text)

    page.extract_text(visitor_text=visit)
    return " ".join(" ".join(parts).split())


def squash(text: str) -> str:
    """`text` without whitespace (PDF text extraction splits words at kerning gaps)."""
    return "".join(text.split())


def _apply(cm, x: float, y: float) -> tuple[float, float]:
    """(x, y) through the PDF matrix `cm` (a, b, c, d, e, f)."""
    a, b, c, d, e, f = (float(v) for v in cm)
    return a * x + c * y + e, b * x + d * y + f


def _text_box(node: ET.Element) -> Box:
    """Box of an SVG <text> (page points, y down) from the font's outlines."""
    size = float(re.search(r"font-size: ([\d.]+)px", node.get("style")).group(1))
    bold = "font-weight: 700" in node.get("style")
    font = FontProperties(fname=DEJAVU / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"))
    ext = TextPath((0, 0), node.text or "", size=size, prop=font).get_extents()
    x, y = float(node.get("x")), float(node.get("y"))
    anchor = re.search(r"text-anchor: (\w+)", node.get("style")).group(1)
    shift = {"start": 0.0, "middle": -ext.width / 2, "end": -ext.width}[anchor]
    return (x + shift + ext.x0, y - ext.y1, x + shift + ext.x1, y - ext.y0)


def _path_points(d: str) -> np.ndarray:
    numbers = [float(v) for v in re.findall(r"-?[\d.]+(?:e-?\d+)?", d)]
    return np.array(numbers).reshape(-1, 2)


def _union(boxes: list[Box]) -> Box:
    arr = np.array(boxes)
    return (arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max())


def svg_boxes(path: Path) -> tuple[tuple[float, float], dict[str, Box]]:
    """Page size and boxes (points, y down) of the map frame, legend, caption and credits."""
    root = ET.parse(path).getroot()
    size = (float(root.get("width").rstrip("pt")), float(root.get("height").rstrip("pt")))
    boxes: dict[str, list[Box]] = {}
    for group in root.iter(f"{SVG}g"):
        gid = group.get("id") or ""
        key = re.sub(r"-line-\d+$", "", gid)
        if key in ("fg-caption", "fg-credits"):
            boxes.setdefault(key, []).extend(_text_box(t) for t in group.iter(f"{SVG}text"))
        elif gid == "fg-map":
            frame = _path_points(next(group.iter(f"{SVG}path")).get("d"))
            boxes["fg-map"] = [(*frame.min(axis=0), *frame.max(axis=0))]
        elif gid == "fg-legend":
            parts = [_text_box(t) for t in group.iter(f"{SVG}text")]
            for p in group.iter(f"{SVG}path"):
                if p.get("d") and "clip-path" not in (p.get("style") or ""):
                    pts = _path_points(p.get("d"))
                    parts.append((*pts.min(axis=0), *pts.max(axis=0)))
            boxes["fg-legend"] = parts
    return size, {k: _union(v) for k, v in boxes.items()}


def drawn_extent(figure, artist):
    """An artist's extent in pixels, measured with the print settings (unhinted text)."""
    with matplotlib.rc_context(RC):
        return artist.get_window_extent(figure.canvas.get_renderer())


def disjoint(a: Box, b: Box) -> bool:
    return a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


# --- the files, at every size ------------------------------------------------------------------


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", list(SCENES))
def test_caption_and_sources_stay_on_the_page(scenes, tmp_path, name, size):
    scene = scenes[name]
    write_static(
        scene, tmp_path, formats=("pdf", "svg", "png"), size=size, dpi=72, web_width_px=None
    )
    text = squash(pdf_text_on_page(tmp_path / f"{name}.pdf"))
    assert "Sources:" in text
    assert squash("fictional categories") in text or squash("fictional flows") in text
    if scene.caption:
        assert squash("These are the closing words.") in text
        assert squash("Fictional source number 8 with a longish citation") in text

    (width, height), boxes = svg_boxes(tmp_path / f"{name}.svg")
    preset = SIZES[size]
    assert (width, height) == pytest.approx(
        (preset.width_mm * PT_PER_MM, preset.height_mm * PT_PER_MM), abs=0.5
    )
    wanted = ["fg-map", "fg-legend", "fg-credits"] + (["fg-caption"] if scene.caption else [])
    assert set(wanted) <= set(boxes)
    for key in wanted:
        x0, y0, x1, y1 = boxes[key]
        assert x0 >= 0 and y0 >= 0 and x1 <= width and y1 <= height, (key, boxes[key])
    for i, a in enumerate(wanted):
        for b in wanted[i + 1 :]:
            assert disjoint(boxes[a], boxes[b]), (a, boxes[a], b, boxes[b])

    # The credits' band in the PNG holds dark text pixels.
    image = np.asarray(Image.open(tmp_path / f"{name}.png").convert("L"), dtype=float)
    k = image.shape[0] / height
    x0, y0, x1, y1 = boxes["fg-credits"]
    band = image[int(y0 * k) : int(np.ceil(y1 * k)) + 1, int(x0 * k) : int(np.ceil(x1 * k)) + 1]
    paper = np.median(image[:3])  # the top margin is blank paper
    assert band.size and (band < paper - 60).mean() > 0.02, (band < paper - 60).mean()


# --- the layout record ---------------------------------------------------------------------


@pytest.mark.parametrize("size", list(SIZES))
def test_drawn_legend_lies_in_its_box_apart_from_map_and_text(scenes, size):
    figure = static_figure(scenes["both"], size=size, dpi=LOW_DPI)
    info = figure.fergana
    layout = info.page_layout
    width, height = info.page_size_pt
    page = (0.0, 0.0, width, height)
    legend, frame, bottom = layout.legend_box, layout.map_box, info.bottom_box
    for box in (legend, frame, bottom):
        assert box[0] >= page[0] and box[1] >= page[1] and box[2] <= width and box[3] <= height
    assert disjoint(legend, frame) and disjoint(legend, bottom) and disjoint(frame, bottom)
    assert legend[1] >= layout.content_bottom - 1e-6 and bottom[3] < layout.content_bottom
    assert layout.legend.omitted == 0
    (legend_ax,) = [a for a in figure.axes if a.get_label() == "legend"]
    to_pt = 72 / figure.dpi
    for artist in [*legend_ax.texts, *legend_ax.patches, *legend_ax.lines]:
        ext = drawn_extent(figure, artist)
        drawn = (ext.x0 * to_pt, ext.y0 * to_pt, ext.x1 * to_pt, ext.y1 * to_pt)
        assert drawn[0] >= legend[0] - 1.5 and drawn[2] <= legend[2] + 1.5, (artist, drawn, legend)
        assert drawn[1] >= legend[1] - 1.5 and drawn[3] <= legend[3] + 1.5, (artist, drawn, legend)
    # Labels never get smaller than the floor.
    sizes = {t.get_fontsize() for t in legend_ax.texts}
    assert min(sizes) >= 5.0 - 1e-9


def test_the_first_rung_that_leaves_the_map_room_is_taken(scenes):
    """Roomy pages keep the page's type; cramped ones go down the ladder, in order."""
    a4 = static_figure(scenes["wide"], size="a4-landscape", dpi=LOW_DPI).fergana.page_layout
    assert a4.step == 0 and a4.legend.s == 1.0
    web = static_figure(scenes["both"], size="web", dpi=LOW_DPI).fergana.page_layout
    assert web.step > 0 and web.legend.s < SIZES["web"].type_scale
    # Long sections split between columns: a column starts with a category row.
    firsts = [column[0][0].kind for column in web.legend.columns]
    assert len(firsts) >= 2 and "point" in firsts[1:]


def test_a_legend_too_long_for_any_page_is_cut_with_a_note(tmp_path):
    scene = _scene("huge", [_categories(160)])
    write_static(scene, tmp_path, formats=("pdf", "svg"), size="web", dpi=LOW_DPI)
    text = squash(pdf_text_on_page(tmp_path / "huge.pdf"))
    assert "Sources:" in text
    note = re.search(r"…and(\d+)morelegendrows", text)
    assert note and int(note.group(1)) > 0
    figure = static_figure(scene, size="web", dpi=LOW_DPI)
    layout = figure.fergana.page_layout
    assert layout.legend.omitted == int(note.group(1))
    assert layout.step == len(maps.print.page.LEGEND_STEPS)
    assert disjoint(layout.legend_box, figure.fergana.bottom_box)


def test_labels_start_after_a_size_key_circle_wider_than_the_swatch():
    scene = _scene("circles", [_big_circles()])
    figure = static_figure(scene, size="a4-half", dpi=LOW_DPI)
    (legend_ax,) = [a for a in figure.axes if a.get_label() == "legend"]
    circles = [ln for ln in legend_ax.lines if ln.get_marker() == "o"]
    labels = {t.get_text(): t for t in legend_ax.texts}
    assert {"10", "1,000"} <= set(labels)
    widest = max(drawn_extent(figure, c).width for c in circles)
    assert widest * 72 / figure.dpi > 25  # the 1,000 circle is ~30 pt across
    for circle in circles:
        right = drawn_extent(figure, circle).x1
        for label in ("10", "1,000", "Market"):
            assert right < drawn_extent(figure, labels[label]).x0


# --- the story maps ------------------------------------------------------------------------


def test_story_maps_show_their_sources_on_the_page(built_maps):
    # every PDF: single maps, small-multiples pages (ID.days.pdf) and atlas pages (ID/SLUG.pdf)
    pdfs = sorted(built_maps.out.rglob("*.pdf"))
    singles = {p.stem for p in pdfs if p.parent == built_maps.out and "." not in p.stem}
    specs = {p.stem for p in maps.spec.SPEC_DIR.glob("*.toml")}
    assert singles <= specs and len(singles) >= 8
    assert any(p.name == "june-2010.days.pdf" for p in pdfs)
    for pdf in pdfs:
        text = squash(pdf_text_on_page(pdf))
        # the Russian maps (ID.ru.pdf, SLUG.ru.pdf) say "Источники"; sources stay as published
        russian = pdf.name.endswith(".ru.pdf") or ".ru." in pdf.name
        assert ("Источники:" if russian else "Sources:") in text, pdf.name
        assert "NaturalEarth" in text, pdf.name


def test_pdf_text_on_page_sees_text_drawn_off_the_page(tmp_path):
    """The check above can fail: text placed below the page is not 'on the page'."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(3, 2))
    FigureCanvasAgg(figure)
    figure.text(0.1, 0.5, "Visible words")
    figure.text(0.1, -0.3, "Sources: lost below the page")
    figure.savefig(tmp_path / "off.pdf", format="pdf")
    text = pdf_text_on_page(tmp_path / "off.pdf")
    assert "Visible words" in text and "Sources" not in text
    assert "Sources" in PdfReader(tmp_path / "off.pdf").pages[0].extract_text()


def test_a_size_key_is_never_split_across_columns():
    from maps.print.legend import LegendItem, layout_legend

    style = Style(fill="#b3261e", stroke="#b3261e")
    rows = [LegendItem("area", f"Category {k}", style) for k in range(6)]
    key = [LegendItem("subheading", "Traders (line width)")] + [
        LegendItem("size_line", label, style, width)
        for label, width in (("up to 417 (thinnest)", 2.0), ("500", 3), ("1,000", 6), ("3,000", 14))
    ]
    for columns in (2, 3, 4):
        layout = layout_legend([rows + key], 120.0, None, 1.0, columns=columns, split=True)
        holding = [
            n
            for n, column in enumerate(layout.columns)
            for item, _, _ in column
            if item.kind in ("subheading", "size_line")
        ]
        assert len(set(holding)) == 1, (columns, holding)
