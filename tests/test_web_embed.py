"""The auto-height embed: ``ID.embed.html`` in a host page grows to the map page's content height.

In Chromium, from a real local HTTP server (same origin) and from file:// (where the
iframe is another origin): at 375 and 1280 px the iframe ends up at least as tall as
the map page's content (nothing clipped), messages from other windows or of another
shape are ignored, and without scripts the box keeps its 16:10 ratio.
"""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

from maps.web import embed_snippet, write_web
from maps.web.embed import FALLBACK_RATIO

MAP_ID = "june-2010"  # a long caption and sources, a time slider
HOST = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Host</title>
<meta name="viewport" content="width=device-width">
<style>body {{ margin: 0; padding: 8px; font: 16px sans-serif; }}</style></head>
<body><h1>A story</h1>
{snippet}
<p>After the map.</p>
<iframe id="other" title="other" srcdoc="<p>other</p>"></iframe>
<script>
  window.seen = 0;
  addEventListener("message", function () {{ window.seen += 1; }});
</script>
</body></html>
"""
SIZES = [(375, 667), (1280, 800)]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The map's outputs and a host page embedding its snippet, in one folder."""
    folder = tmp_path_factory.mktemp("embed-site")
    paths = write_web(MAP_ID, folder)
    snippet = paths[1].read_text(encoding="utf-8")
    (folder / "host.html").write_text(HOST.format(snippet=snippet), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def server(site):
    """A local HTTP server on 127.0.0.1 serving the site; its base address."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def _open_host(browser, url: str, size: tuple[int, int], **context):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]}, **context)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("file:", "data:", "about:", "http://127.0.0.1"))
            else (errors.append(route.request.url), route.abort())
        ),
    )
    page.goto(url, wait_until="load")
    return page, errors


def _map_frame(page):
    frame = page.frame_locator(f'iframe[src="{MAP_ID}.html"]')
    handle = page.wait_for_selector(f'iframe[src="{MAP_ID}.html"]')
    return frame, handle.content_frame()


def _settled(page) -> tuple[object, float]:
    """The map's frame once the host has grown the iframe to the page's content height."""
    _, frame = _map_frame(page)
    frame.wait_for_function("window.FG && FG.map !== null")
    frame.wait_for_function("document.documentElement.classList.contains('fg-embed-fit')")
    page.wait_for_function(
        f"""needed => {{
          const f = document.querySelector('iframe[src="{MAP_ID}.html"]');
          return f.parentNode.style.height !== '' && f.clientHeight >= needed;
        }}""",
        arg=frame.evaluate("document.documentElement.scrollHeight"),
    )
    height = page.evaluate(
        f"document.querySelector('iframe[src=\"{MAP_ID}.html\"]').getBoundingClientRect().height"
    )
    return frame, height


def _assert_not_clipped(frame, height: float, width: int) -> None:
    inner = frame.evaluate(
        """() => ({
          scroll: document.documentElement.scrollHeight,
          window: window.innerHeight,
          map: FG.map.getContainer().getBoundingClientRect().height,
          panels: Array.from(document.querySelectorAll('.fg-panel'))
            .filter(p => p.getClientRects().length)
            .map(p => p.getBoundingClientRect().bottom),
        })"""
    )
    assert inner["window"] == pytest.approx(height, abs=1)
    assert inner["scroll"] <= height + 0.5, f"clipped at {width} px: {inner}"
    assert max(inner["panels"]) <= height + 0.5, f"a panel is cut off at {width} px: {inner}"
    # the map keeps a sensible height: a fixed ratio of the width, not the window's
    assert 0.5 * width <= inner["map"] <= 1.05 * width, inner


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}px" for w, _ in SIZES])
def test_iframe_grows_to_the_content_over_http(browser, server, size):
    page, errors = _open_host(browser, f"{server}/host.html", size)
    try:
        frame, height = _settled(page)
        _assert_not_clipped(frame, height, size[0] - 16)
        if size[0] < 600:  # on a phone the map alone is taller than the 16:10 fallback
            assert height > FALLBACK_RATIO * (size[0] - 16) + 20
        assert not errors
    finally:
        page.close()


def test_iframe_grows_when_the_map_page_is_another_origin(browser, site):
    """From file:// the map page is a unique origin: only postMessage crosses."""
    page, errors = _open_host(browser, (site / "host.html").as_uri(), (375, 667))
    try:
        frame, height = _settled(page)
        assert (
            page.evaluate(
                f"document.querySelector('iframe[src=\"{MAP_ID}.html\"]').contentDocument"
            )
            is None
        ), "expected a cross-origin iframe"
        _assert_not_clipped(frame, height, 375 - 16)
        assert not errors
    finally:
        page.close()


def test_messages_from_elsewhere_are_ignored(browser, server):
    page, _ = _open_host(browser, f"{server}/host.html", (1280, 800))
    try:
        _, height = _settled(page)
        _, frame = _map_frame(page)
        before = page.evaluate("window.seen")
        # the host itself, another iframe, and the map's frame with messages of other shapes
        page.evaluate("postMessage({type: 'fergana:height', height: 4321}, '*')")
        page.evaluate(
            "document.getElementById('other').contentWindow.eval("
            "\"parent.postMessage({type: 'fergana:height', height: 4322}, '*')\")"
        )
        for bad in (
            "{type: 'fergana:height', height: '4323'}",
            "{type: 'other', height: 4324}",
            "{type: 'fergana:height', height: 1e9}",
            "null",
            "'fergana:height'",
        ):
            frame.evaluate(f"parent.postMessage({bad}, '*')")
        page.wait_for_function(f"window.seen >= {before + 7}")
        after = page.evaluate(
            f"document.querySelector('iframe[src=\"{MAP_ID}.html\"]')"
            ".getBoundingClientRect().height"
        )
        assert after == height
        # ...and the map's own message still works
        frame.evaluate("parent.postMessage({type: 'fergana:height', height: 700}, '*')")
        page.wait_for_function(
            f"document.querySelector('iframe[src=\"{MAP_ID}.html\"]').clientHeight === 700"
        )
    finally:
        page.close()


def test_without_scripts_the_box_keeps_its_ratio(browser, server):
    context = browser.new_context(viewport={"width": 375, "height": 667}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{server}/host.html", wait_until="load")
        box = page.locator(f'iframe[src="{MAP_ID}.html"]').bounding_box()
        assert box["height"] == pytest.approx(FALLBACK_RATIO * box["width"], abs=1)
    finally:
        context.close()


def test_map_page_alone_keeps_its_layout(browser, site):
    """Unembedded (or in a frame that never says hello) the map fills the window."""
    page, errors = _open_host(browser, (site / f"{MAP_ID}.html").as_uri(), (1280, 800))
    try:
        page.wait_for_function("window.FG && FG.map !== null")
        assert not page.evaluate("document.documentElement.classList.contains('fg-embed-fit')")
        assert page.evaluate("FG.map.getContainer().getBoundingClientRect().height") == 800
        assert not errors
    finally:
        page.close()


def test_snippet_is_self_contained_and_escaped():
    from maps import load_spec
    from maps.spec import SPEC_DIR

    spec = load_spec(SPEC_DIR / f"{MAP_ID}.toml")
    snippet = embed_snippet(spec, src='x.html"><script>alert(1)</script>')
    assert "http" not in snippet and "//" not in snippet.replace("</", "")
    assert "<script>alert(1)" not in snippet
    assert snippet.count("<script>") == 1
    assert f"padding-bottom:{FALLBACK_RATIO * 100:g}%" in snippet
