"""Leaflet 1.9.4 inlined from the ``django-js-lib-leaflet`` wheel (images as ``data:`` URIs).

A self-contained page embeds :func:`leaflet_js` and :func:`leaflet_css`; a
``cdn`` page links :data:`LEAFLET_CDN` instead.
"""

from __future__ import annotations

import base64
import functools
import re
from importlib import resources

LEAFLET_VERSION = "1.9.4"
LEAFLET_PACKAGE = "js_lib_leaflet"
LEAFLET_CDN = f"https://unpkg.com/leaflet@{LEAFLET_VERSION}/dist"


@functools.cache
def leaflet_js() -> str:
    """Leaflet's minified JavaScript, without its source-map comment."""
    text = _leaflet_file("leaflet.js").decode("utf-8").replace("\r\n", "\n")
    if f'version="{LEAFLET_VERSION}"' not in text:
        raise RuntimeError(f"{LEAFLET_PACKAGE} does not ship Leaflet {LEAFLET_VERSION}")
    text = re.sub(r"\n//# sourceMappingURL=\S*\s*$", "\n", text)
    return safe_in_tag(text, "script")


@functools.cache
def leaflet_css() -> str:
    """Leaflet's stylesheet with its images inlined as ``data:`` URIs."""
    css = _leaflet_file("leaflet.css").decode("utf-8").replace("\r\n", "\n")

    def inline(match: re.Match[str]) -> str:
        data = base64.b64encode(_leaflet_file(match.group(1))).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    css = re.sub(r"url\((images/[a-z0-9-]+\.png)\)", inline, css)
    return safe_in_tag(css, "style")


def _leaflet_file(name: str) -> bytes:
    root = resources.files(LEAFLET_PACKAGE) / "static" / LEAFLET_PACKAGE
    try:
        return root.joinpath(name).read_bytes()
    except FileNotFoundError:
        raise RuntimeError(
            f"Leaflet file {name!r} not found in the {LEAFLET_PACKAGE} package "
            "(pip install django-js-lib-leaflet==1.9.4.1)"
        ) from None


def safe_in_tag(text: str, tag: str) -> str:
    """`text` unchanged, or an error if it would close its ``<tag>`` element early."""
    if f"</{tag}" in text.lower():
        raise RuntimeError(f"asset text would close its <{tag}> element early")
    return text
