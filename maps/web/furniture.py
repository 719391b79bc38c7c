"""The map's furniture: title panel, caption with credits, extra credits and the notes layer."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import geopandas as gpd
import shapely

from layers import Credit, Field, Layer
from layers.theme import style as theme_style
from maps.compose import Composition
from maps.spec import MapSpec
from maps.web.text import esc
from maps.web.view import latlng_bounds


def title_html(spec: MapSpec) -> str:
    """Title, subtitle and a button per view (the whole map and each magnifier inset)."""
    out = f"<h1>{esc(spec.title)}</h1>"
    if spec.subtitle:
        out += f"<p>{esc(spec.subtitle)}</p>"
    buttons = [("Whole map", spec.extent)] + [
        (inset.title or "Close-up", inset.extent)
        for inset in spec.insets
        if inset.kind == "magnifier" and inset.extent is not None
    ]
    if len(buttons) > 1:
        out += (
            '<div class="fg-goto">'
            + "".join(
                f'<button type="button" data-fg-bounds="{esc(json.dumps(latlng_bounds(ext)))}">'
                f"{esc(label)}</button>"
                for label, ext in buttons
            )
            + "</div>"
        )
    return out


def caption_html(composition: Composition, credits: Sequence[Credit]) -> str:
    """The caption and a line of sources, each credit linked where it has a web address."""
    parts = []
    for credit in credits:
        text = esc(credit.text())
        if re.fullmatch(r"https?://[^\s\"'<>]+", credit.url or ""):
            text = (
                f'<a href="{esc(credit.url)}" target="_blank" rel="noopener noreferrer">{text}</a>'
            )
        parts.append(text)
    line = "Sources: " + "; ".join(parts) + ". Map drawn with Leaflet."
    if composition.caption_sources:
        line += " Figures in the caption: " + esc("; ".join(composition.caption_sources)) + "."
    caption = composition.caption
    caption_html = f'<p class="fg-cap">{esc(caption)}</p>' if caption else ""
    return f'{caption_html}<p class="fg-credits">{line}</p>'


def extra_credits(*, relief: bool) -> list[Credit]:
    """Credits for what the web renderer draws beyond the layers: the relief, if shown."""
    return [Credit.of("relief")] if relief else []


def one_line(spec: MapSpec) -> str:
    """Title and subtitle on one line (page description, embed title)."""
    return spec.title + (f": {spec.subtitle}" if spec.subtitle else "")


def notes_layer(composition: Composition) -> Layer:
    """The spec's annotations as a point layer of labelled event markers."""
    notes = composition.annotations
    frame = gpd.GeoDataFrame(
        {"text": [a.text for a in notes]},
        geometry=[shapely.Point(a.lon, a.lat) for a in notes],
        crs="EPSG:4326",
    )
    return Layer(
        id="notes",
        title="Notes",
        kind="point",
        frame=frame,
        style=theme_style("marker_event"),
        credits=[],
        fields=[Field("text", "Note")],
        label="text",
    )
