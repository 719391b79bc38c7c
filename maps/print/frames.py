"""Motion frames: one print page drawn once, then shown at each time step.

:func:`frame_page` lays out the page of the whole series' scene once
(:func:`maps.print.figure.build_figure`: title, legend, scale bar, labels and
credits are placed once and do not jump between frames) and adds a stamp in a
corner of the map: the step's date and the layers' reported totals as of it.
:meth:`FramePage.show` then changes only what differs between steps — which
point symbols, flows, area and line paths and labels are visible (exactly the
features :func:`maps.scene.series.scene_at` keeps) and the stamp's text — and
:meth:`FramePage.rgb` draws the Agg canvas and returns its pixels.

SVG ids (besides those of :mod:`maps.print`): ``fg-frame-date`` (the stamp's
date) and ``fg-frame-total-N`` (the N-th reported total).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from matplotlib.text import Text

from geo.language import current, speaking, tr
from layers.theme import PAPER
from maps.pages import SizePreset
from maps.print.export import RC
from maps.print.figure import build_figure
from maps.print.text import Box, TextStyle, measure, put_text
from maps.print.view import page_transform
from maps.scene import Scene
from maps.scene.series import StepTotal, TimeStep, shown_at
from maps.spec_series import Steps

FLOW_ID = re.compile(r"^fg-flow-(\d+)-(\d+)")
#: The stamp's type, in points at type scale 1.
DATE_SIZE = 13.0
TOTAL_SIZE = 6.5
LEAD = 1.25  # line height of the totals, in font sizes
STAMP_Z = 95  # over the map and its labels, like the title block


@dataclass
class Toggle:
    """An artist shown only while its feature is: (layer index, feature) or a collection's paths.

    Attributes
    ----------
    layer : int
        Scene layer index.
    features : ndarray of int
        The feature of each of the artist's paths or segments (one for a symbol, flow or label).
    artists : list
        The artists (a label and its halo) or the collection.
    paths : list or None
        A collection's full set of paths (or segments); None for single-feature artists.
    """

    layer: int
    features: np.ndarray
    artists: list
    paths: list | None = None


@dataclass
class FramePage:
    """A page drawn once for the whole series; :meth:`show` sets it to one step.

    Attributes
    ----------
    figure : Figure
        On an Agg canvas, ``figure.fergana`` as :func:`build_figure` left it.
    date : Text
        The stamp's date (``fg-frame-date``).
    totals : list of Text
        The stamp's reported totals (``fg-frame-total-N``), one per series.
    stamp_box : Box
        The stamp on the page (points).
    said : dict
        Step key -> the totals' texts as the stamp sets them (wrapped).
    shown : dict
        After :meth:`show`: scene layer index -> which features the step shows.
    """

    figure: Figure
    scene: Scene
    steps: Steps
    toggles: list[Toggle]
    date: Text
    totals: list[Text]
    stamp_box: Box
    said: dict[str, list[str]]
    shown: dict[int, np.ndarray] = field(default_factory=dict)

    @property
    def size_px(self) -> tuple[int, int]:
        """Width and height of a frame in pixels."""
        width, height = self.figure.canvas.get_width_height()
        return int(width), int(height)

    def show(self, step: TimeStep | None) -> None:
        """Show the features and totals of `step` (None: every feature, a blank stamp)."""
        self.shown = {
            sl.index: (
                np.ones(len(sl.layer.frame), dtype=bool)
                if step is None
                else shown_at(sl, step, self.steps)
            )
            for sl in self.scene.layers
        }
        for toggle in self.toggles:
            visible = self.shown[toggle.layer][toggle.features]
            if toggle.paths is None:
                for artist in toggle.artists:
                    artist.set_visible(bool(visible[0]))
                continue
            (collection,) = toggle.artists
            kept = [p for p, keep in zip(toggle.paths, visible, strict=True) if keep]
            if hasattr(collection, "set_segments"):
                collection.set_segments(kept)
            else:
                collection.set_paths(kept)
            collection.set_visible(bool(kept))
        self.date.set_text(step.label if step is not None else "")
        said = self.said.get(step.key, []) if step is not None else []
        for n, text in enumerate(self.totals):
            text.set_text(said[n] if n < len(said) else "")

    def rgb(self) -> np.ndarray:
        """The page as drawn now: a (height, width, 3) array of 8-bit RGB."""
        with matplotlib.rc_context(RC):
            self.figure.canvas.draw()
        return np.asarray(self.figure.canvas.buffer_rgba())[..., :3].copy()

    def visible_flows(self) -> set[tuple[int, int]]:
        """(layer, feature) of every flow visible now (main map and magnifiers)."""
        out = set()
        for axes in self.figure.axes:
            for artist in axes.get_children():
                match = FLOW_ID.match(artist.get_gid() or "")
                if match and artist.get_visible():
                    out.add((int(match.group(1)), int(match.group(2))))
        return out


def total_text(total: StepTotal) -> str:
    """A reported total as the stamp shows it: "Refugees: 75,000 (2010-06-13; source)".

    Only the first source is named ("and others" stands for the rest): a frame
    has no room for every agency quoted, and the page's credits name them. In
    the current language (Russian "(12 июня 2010 г.; УВКБ ООН и другие)").
    """
    said = f"{total.title}: {total.text}"
    sources = top_level_parts(total.source)
    source = ""
    if sources:
        source = tr("{source} and others", source=sources[0]) if len(sources) > 1 else sources[0]
    where = "; ".join(part for part in (stamp_day(total.day), source) if part)
    return f"{said} ({where})" if where else said


def stamp_day(day: str) -> str:
    """The day of a report as the stamp writes it ("" for none).

    English keeps the ISO day its frames always showed (outputs byte-identical);
    another language writes the day in full, as it writes dates (``12 июня 2010 г.``).
    """
    lang = current()
    if not day or lang.is_source:
        return day
    return lang.date(day)


def top_level_parts(text: str) -> list[str]:
    """`text` split at "; " outside parentheses ("a (x; y); b" -> ["a (x; y)", "b"])."""
    parts, depth, start = [], 0, 0
    for k, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == ";" and depth == 0:
            parts.append(text[start:k].strip())
            start = k + 1
    parts.append(text[start:].strip())
    return [part for part in parts if part]


def frame_page(
    scene: Scene, steps: Steps, series: list[TimeStep], preset: SizePreset, dpi: float
) -> FramePage:
    """Lay out `scene` (the whole series) once on a page of `preset` with a stamp for `series`."""
    with matplotlib.rc_context(RC):
        figure = build_figure(scene, preset, dpi)
    timed = {
        sl.index
        for sl in scene.layers
        if any(not shown_at(sl, step, steps).all() for step in series)
    }
    toggles = feature_toggles(figure, timed) + label_toggles(figure, scene, timed)
    with speaking(scene.language):
        date, totals, box, said = draw_stamp(figure, series)
    return FramePage(figure, scene, steps, toggles, date, totals, box, said)


def feature_toggles(figure: Figure, timed: set[int]) -> list[Toggle]:
    """The drawn point symbols, flows and area/line collections of the `timed` layers."""
    toggles = []
    for axes in figure.axes:
        for artist in axes.get_children():
            match = FLOW_ID.match(artist.get_gid() or "")
            if match:
                layer, feature = int(match.group(1)), int(match.group(2))
            elif hasattr(artist, "fg_feature"):
                layer, feature = artist.fg_feature
            elif hasattr(artist, "fg_features"):
                layer, features = artist.fg_features
                if layer in timed:
                    paths = (
                        list(artist.get_segments())
                        if hasattr(artist, "set_segments")
                        else list(artist.get_paths())
                    )
                    toggles.append(Toggle(layer, np.asarray(features), [artist], paths))
                continue
            else:
                continue
            if layer in timed:
                toggles.append(Toggle(layer, np.array([feature]), [artist]))
    return toggles


def label_toggles(figure: Figure, scene: Scene, timed: set[int]) -> list[Toggle]:
    """The placed labels of features of `timed` layers, each with its halo."""
    info = figure.fergana  # type: ignore[attr-defined]
    toggles = []
    for placed, artist in zip(info.labels, info.label_artists, strict=True):
        label = scene.labels[placed.plan]
        if label.layer is None or label.layer not in timed:
            continue
        toggles.append(Toggle(label.layer, np.array([label.feature]), with_halo(artist)))
    return toggles


def with_halo(artist: Text) -> list[Text]:
    """A label's Text and the halo copy :func:`put_text` drew just before it (if any)."""
    parent = artist.axes if artist.axes is not None else artist.figure
    texts = parent.texts
    k = texts.index(artist)
    if k > 0:
        halo = texts[k - 1]
        if halo.get_text() == artist.get_text() and halo.get_position() == artist.get_position():
            return [artist, halo]
    return [artist]


def draw_stamp(
    figure: Figure, series: list[TimeStep]
) -> tuple[Text, list[Text], Box, dict[str, list[str]]]:
    """The date and totals box, sized for every step, beside the map or in its quietest corner.

    Beside the map (below a legend at its side) when there is room, else in the
    corner of the map clear of insets and with the fewest labels and symbols.
    Long totals wrap; the box has the same size and place at every step.
    """
    info = figure.fergana  # type: ignore[attr-defined]
    s = info.type_scale
    pad, gap = 4 * s, 6 * s
    date_style = TextStyle(DATE_SIZE * s, "bold", "normal", halo=0)
    total_style = TextStyle(TOTAL_SIZE * s, "normal", "normal", halo=0)
    lead = LEAD * total_style.size
    beside = side_slot(info, gap)
    slots = [beside] if beside is not None else []
    slots.append(None)  # a corner of the map
    for slot in slots:
        limit = (slot[2] - slot[0] if slot else 0.45 * map_width(info)) - 2 * pad
        wrapped = [
            [wrap(total_text(t), total_style, limit) for t in step.totals] for step in series
        ]
        count = max((len(w) for w in wrapped), default=0)
        lines = [max((len(w[n]) for w in wrapped if n < len(w)), default=1) for n in range(count)]
        width = max(
            [measure(step.label, date_style)[0] for step in series]
            + [measure(line, total_style)[0] for w in wrapped for t in w for line in t]
        )
        height = date_style.size * 1.15 + sum(lines) * lead + 2 * pad
        width += 2 * pad
        if slot is not None and slot[3] - slot[1] >= height:
            box = (slot[0], slot[3] - height, slot[0] + width, slot[3])
            break
    else:
        box = stamp_corner(info, width, height, 4 * s)
    transform = page_transform(figure)
    figure.add_artist(
        FancyBboxPatch(
            (box[0], box[1]),
            box[2] - box[0],
            box[3] - box[1],
            boxstyle=f"round,pad=0,rounding_size={3 * s}",
            facecolor=PAPER,
            edgecolor="#3d3d3d",
            linewidth=0.6 * s,
            alpha=0.92,
            transform=transform,
            zorder=STAMP_Z,
            gid="fg-frame-stamp",
        )
    )
    x = box[0] + pad
    y = box[3] - pad - date_style.size
    date = put_text(figure, x, y, "", date_style, transform, zorder=STAMP_Z + 1)
    date.set_gid("fg-frame-date")
    y -= 0.3 * date_style.size
    totals = []
    for n, count_lines in enumerate(lines):
        text = put_text(figure, x, y, "", total_style, transform, va="top",
                        zorder=STAMP_Z + 1, gid=f"fg-frame-total-{n}")  # fmt: skip
        text.set_linespacing(LEAD)
        totals.append(text)
        y -= count_lines * lead
    said = {
        step.key: ["\n".join(lines) for lines in w] for step, w in zip(series, wrapped, strict=True)
    }
    return date, totals, box, said


def map_width(info) -> float:
    """Width of the main map in points."""
    return info.view.box[2] - info.view.box[0]


def side_slot(info, gap: float) -> Box | None:
    """The free column below a legend that stands beside the map (None when it is below)."""
    legend = info.legend_box
    map_box = info.view.box
    if legend is None or legend[0] < map_box[2]:
        return None
    right = info.page_size_pt[0] - map_box[0]  # the page's margin, as on the left
    return (legend[0], info.page_layout.content_bottom, right, legend[1] - gap)


def wrap(text: str, style: TextStyle, width: float) -> list[str]:
    """`text` broken at spaces into lines no wider than `width` points (a long word stays whole)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and measure(f"{lines[-1]} {word}", style)[0] <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def stamp_corner(info, width: float, height: float, inset: float) -> Box:
    """The corner of the map for a `width` × `height` box: clear of insets, fewest labels."""
    x0, y0, x1, y1 = info.view.box
    corners = [
        (x0 + inset, y1 - inset - height),  # top left
        (x1 - inset - width, y1 - inset - height),  # top right
        (x0 + inset, y0 + inset),  # bottom left
        (x1 - inset - width, y0 + inset),  # bottom right
    ]
    furniture = [record.box for record in info.insets]
    furniture += [b for key, b in info.obstacles if key is None]
    busy = [label.box for label in info.labels] + [b for key, b in info.obstacles if key]
    best, score = None, None
    for x, y in corners:
        box = (x, y, x + width, y + height)
        here = 1000 * sum(overlaps(box, b) for b in furniture) + sum(overlaps(box, b) for b in busy)
        if score is None or here < score:
            best, score = box, here
    return best


def overlaps(a: Box, b: Box) -> bool:
    """Whether two page boxes overlap."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
