"""The map's furniture: title panel, caption with the scene's credits, and the notes layer."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from geo.language import ENGLISH, N_, Language
from maps.scene import Label, Scene
from maps.spec import MapSpec
from maps.web.labels import label_props
from maps.web.payload import feature_json
from maps.web.text import esc
from maps.web.view import latlng_bounds


def title_html(scene: Scene, lang: Language = ENGLISH, switcher: str = "") -> str:
    """Title, subtitle, a button per view (the whole map and each magnifier inset), languages.

    A magnifier's button reads its title as the scene words it. `switcher` is the
    links to the map's other languages (:func:`maps.web.switcher.nav`).
    """
    spec = scene.spec
    out = f"<h1>{esc(spec.title)}</h1>"
    if spec.subtitle:
        out += f"<p>{esc(spec.subtitle)}</p>"
    buttons = [(lang.gettext(N_("Whole map")), spec.extent)] + [
        (si.title or lang.gettext(N_("Close-up")), si.inset.extent)
        for si in scene.insets
        if si.inset.kind == "magnifier" and si.inset.extent is not None
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
    return out + switcher


def caption_html(scene: Scene) -> str:
    """The caption and a line of the scene's credits, each linked where it has a web address."""
    parts = []
    for credit in scene.credits:
        text = esc(credit.text())
        if re.fullmatch(r"https?://[^\s\"'<>]+", credit.url or ""):
            text = (
                f'<a href="{esc(credit.url)}" target="_blank" rel="noopener noreferrer">{text}</a>'
            )
        parts.append(text)
    words = scene.language
    line = f"{words.gettext(N_('Sources'))}: " + "; ".join(parts) + "."
    line += " " + words.gettext(N_("Map drawn with Leaflet."))
    if scene.caption_sources:
        line += " " + esc(
            words.gettext(N_("Figures in the caption: {sources}.")).format(
                sources="; ".join(scene.caption_sources)
            )
        )
    caption = scene.caption
    caption_html = f'<p class="fg-cap">{esc(caption)}</p>' if caption else ""
    return f'{caption_html}<p class="fg-credits">{line}</p>'


def one_line(spec: MapSpec) -> str:
    """Title and subtitle on one line (page description, embed title)."""
    return spec.title + (f": {spec.subtitle}" if spec.subtitle else "")


# The scene gives a note's text, anchor and rank; its marker is the web's own event symbol.


def notes_features(
    notes: Sequence[tuple[int, Label]], decimals: int, lang: Language = ENGLISH
) -> list[str]:
    """The spec's annotations as labelled markers (all in style 0, ``Scene.note_style``)."""
    features = []
    heading, name = esc(lang.gettext(N_("Notes"))), esc(lang.gettext(N_("Note")))
    for rank, note in notes:
        text = esc(note.text)
        props = {
            "t": text,
            "p": f"<table><caption>{heading}</caption><tr><th>{name}</th><td>{text}</td></tr>"
            "</table>",
            "s": 0,
            **label_props(note, rank, decimals),
        }
        point = {"type": "Point", "coordinates": props["a"]}
        features.append(feature_json(point, props))
    return features
