"""The embed snippet (``ID.embed.html``): a responsive iframe that grows to the map page's height.

Without scripts the iframe is a 16:10 box that scales with its container. With
them, a few lines of inline script say hello to the map page when it loads
(``{type: "fergana:embed"}``); the page (``embed.js``) then answers with the
height its content needs (``{type: "fergana:height", height}``) whenever it
changes, and the script sets the box to that height, as Datawrapper's
responsive iframes do. Messages from any other window, or of any other shape,
are ignored. Nothing is loaded from the network.
"""

from __future__ import annotations

from geo.language import ENGLISH, N_, Language
from maps.languages import output_stem
from maps.spec import MapSpec
from maps.web.furniture import one_line
from maps.web.text import esc

#: The box's height as a share of its width without scripts (16:10).
FALLBACK_RATIO = 0.625

# The script runs right after the box; its iframe is the box's first element.
HEIGHT_SCRIPT = (
    "(function(f){var b=f.parentNode;"
    'f.addEventListener("load",function(){'
    'f.contentWindow.postMessage({type:"fergana:embed"},"*")});'
    'addEventListener("message",function(e){var d=e.data,h=d&&d.height;'
    'if(e.source!==f.contentWindow||!d||d.type!=="fergana:height"||typeof h!=="number"'
    "||!(h>0&&h<1e5))return;"
    'b.style.paddingBottom="0";b.style.height=Math.ceil(h)+"px"})'
    "})(document.currentScript.previousElementSibling.firstElementChild);"
)


def embed_snippet(spec: MapSpec, src: str | None = None, lang: Language = ENGLISH) -> str:
    """A responsive iframe that embeds the map's page in another page, growing to its height.

    Parameters
    ----------
    spec : MapSpec
        The map.
    src : str, optional
        Address of the page; ``ID.html`` (``ID.ru.html``...) beside the snippet by default.
    lang : Language, optional
        The language of the snippet's own words (the map's).

    Returns
    -------
    str
        HTML: a 16:10 box that scales with its container, holding the iframe; the
        script that sets the box to the height the page asks for; a link to the
        text description.
    """
    stem = output_stem(spec)
    src = src or f"{stem}.html"
    link = esc(lang.gettext(N_("Text description of the map")))
    title = one_line(spec)
    return (
        '<div style="position:relative;width:100%;height:0;'
        f'padding-bottom:{FALLBACK_RATIO * 100:g}%;overflow:hidden">\n'
        f'  <iframe src="{esc(src)}" title="{esc(title)}" loading="lazy" allowfullscreen\n'
        '    style="position:absolute;top:0;left:0;width:100%;height:100%;border:0">'
        "</iframe>\n"
        "</div>\n"
        f"<script>{HEIGHT_SCRIPT}</script>\n"
        f'<p><a href="{esc(f"{stem}.txt")}">{link}</a></p>\n'
    )
