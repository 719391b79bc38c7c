"""Dark mode: the theme's dark palette as data, and story maps drawn with it in Chromium.

WCAG 2 contrast (relative luminance of sRGB colours) is computed here from the
theme's data and from the computed styles of the rendered panels and labels:
4.5:1 for normal text, 3:1 for large text (24 px, or 18.66 px bold).
"""

from __future__ import annotations

import re

import pytest

from layers.theme import (
    DARK,
    DARK_FEATURE_COLOURS,
    DARK_LABEL_COLOURS,
    LABEL_ROLES,
    LIGHT,
    PANEL_OPACITY,
    THEME,
    WEB_PX_PER_PT,
)
from maps.web import write_web

# Light-palette labels below AA on their halo; the light values are not changed here
# (print shares them). Strict: when one is fixed, this list must lose it.
LIGHT_BELOW_AA = {"country"}
# The basemap's fills under the labels.
BACKGROUND_ROLES = ("land", "country", "country_focus", "lake", "no_data")


def rgb(colour: str) -> tuple[float, float, float, float]:
    """(r, g, b, alpha) of '#rrggbb', '#rgb', 'rgb(...)' or 'rgba(...)'; r, g, b in 0..255."""
    colour = colour.strip().lower()
    if colour.startswith("#"):
        digits = colour[1:]
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        return (*(int(digits[i : i + 2], 16) for i in (0, 2, 4)), 1.0)
    numbers = [float(n) for n in re.findall(r"[\d.]+", colour)]
    return (numbers[0], numbers[1], numbers[2], numbers[3] if len(numbers) > 3 else 1.0)


def over(top: str | tuple, bottom: str | tuple) -> tuple[float, float, float, float]:
    """`top` composited over the opaque `bottom`."""
    t = rgb(top) if isinstance(top, str) else top
    b = rgb(bottom) if isinstance(bottom, str) else bottom
    a = t[3]
    return (*(t[i] * a + b[i] * (1 - a) for i in range(3)), 1.0)


def luminance(colour) -> float:
    r, g, b, _ = rgb(colour) if isinstance(colour, str) else colour

    def channel(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a, b) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def needed(px: float, bold: bool) -> float:
    return 3.0 if px >= 24 or (bold and px >= 18.66) else 4.5


def panel_backgrounds(palette) -> list[tuple]:
    """A panel over the darkest and the lightest map beneath it."""
    panel = (*rgb(palette.panel)[:3], PANEL_OPACITY)
    return [over(panel, "#000000"), over(panel, "#ffffff")]


# --- the data ---------------------------------------------------------------------------


def test_contrast_formula_matches_wcag_examples():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("palette", [LIGHT, DARK], ids=["light", "dark"])
def test_panel_text_keeps_aa(palette):
    for background in [*panel_backgrounds(palette), rgb(palette.button)]:
        for name in ("text", "muted_text"):
            ratio = contrast(getattr(palette, name), background)
            assert ratio >= 4.5, f"{name} {getattr(palette, name)} on {background}: {ratio:.2f}"


@pytest.mark.parametrize("role", sorted(LABEL_ROLES))
def test_dark_labels_keep_aa_on_halo_and_on_the_dark_land_and_sea(role):
    spec = LABEL_ROLES[role]
    px, bold = spec.size * WEB_PX_PER_PT, spec.weight == "bold"
    colour = DARK_LABEL_COLOURS[role]
    fills = [DARK_FEATURE_COLOURS[THEME[r].fill] for r in BACKGROUND_ROLES]
    grounds = [DARK.halo, DARK.land, DARK.sea, *fills]
    for ground in grounds:
        ratio = contrast(colour, ground)
        assert ratio >= needed(px, bold), f"{role} {colour} on {ground}: {ratio:.2f}"


@pytest.mark.parametrize(
    "role",
    [
        pytest.param(r, marks=pytest.mark.xfail(strict=True, reason="light value below AA"))
        if r in LIGHT_BELOW_AA
        else r
        for r in sorted(LABEL_ROLES)
    ],
)
def test_light_labels_keep_aa_on_their_halo(role):
    spec = LABEL_ROLES[role]
    ratio = contrast(spec.colour, LIGHT.halo)
    assert ratio >= needed(spec.size * WEB_PX_PER_PT, spec.weight == "bold"), f"{ratio:.2f}"


def test_dark_palette_covers_every_label_role_and_darkens_light_backgrounds():
    assert set(DARK_LABEL_COLOURS) == set(LABEL_ROLES)
    for light, dark in DARK_FEATURE_COLOURS.items():
        assert re.fullmatch(r"#[0-9a-f]{6}", light) and re.fullmatch(r"#[0-9a-f]{6}", dark)
    # every light background fill of the basemap has a dark counterpart
    for role in BACKGROUND_ROLES:
        fill = THEME[role].fill
        assert fill in DARK_FEATURE_COLOURS, role
        assert luminance(DARK_FEATURE_COLOURS[fill]) < 0.05 < luminance(fill), role
    assert DARK_FEATURE_COLOURS[LIGHT.sea] == DARK.sea
    assert luminance(DARK.sea) < 0.05 and luminance(DARK.land) < 0.05
    # the dark borders turn light so that they still show on the dark land
    stroke = THEME["boundary"].stroke
    assert contrast(DARK_FEATURE_COLOURS[stroke], DARK.land) >= 3


# --- in Chromium -------------------------------------------------------------------------

STORY_MAPS = ["june-2010", "fergana-borders"]

_TEXTS = """() => {
  const out = [];
  const shown = el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden';
  const ground = el => {
    for (let e = el; e; e = e.parentElement) {
      const bg = getComputedStyle(e).backgroundColor;
      if (!/^rgba\\(.*,\\s*0\\)$/.test(bg) && bg !== 'transparent') return bg;
    }
    return getComputedStyle(document.querySelector('.leaflet-container')).backgroundColor;
  };
  const boxes = '.leaflet-control-container *, .leaflet-popup-pane *, .leaflet-tooltip-pane *';
  document.querySelectorAll(boxes).forEach(el => {
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !shown(el) || el.closest('.fg-sr, .leaflet-disabled')) return;
    const css = getComputedStyle(el);
    out.push({kind: 'panel', box: el.closest('.leaflet-popup') ? 'popup' : '',
              text: el.textContent.trim().slice(0, 40), color: css.color,
              ground: ground(el), px: parseFloat(css.fontSize), bold: +css.fontWeight >= 700});
  });
  document.querySelectorAll('.fg-label span').forEach(el => {
    if (!shown(el)) return;
    const css = getComputedStyle(el);
    const halo = css.textShadow.match(/rgba?\\([^)]*\\)/);
    const role = Array.from(el.parentElement.classList).find(c => c.startsWith('fg-l-'));
    out.push({kind: 'label', role: role.slice(5), text: el.textContent, color: css.color,
              ground: halo ? halo[0] : '', px: parseFloat(css.fontSize),
              bold: +css.fontWeight >= 700});
  });
  return out;
}"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("dark")
    return {map_id: write_web(map_id, out)[0] for map_id in STORY_MAPS}


def _open(browser, path, scheme: str, query: str = "", size=(1280, 800)):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]}, color_scheme=scheme)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort(),
    )
    page.goto(path.resolve().as_uri() + query, wait_until="load")
    page.wait_for_function("window.FG && FG.map !== null && FG.fitted")
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return page, errors


# Opens the popup and the tooltip of the first feature that has them.
_OPEN_POPUP = """() => {
  for (const layer of Object.values(FG.layers)) {
    const f = layer.getLayers().find(l => l.getPopup() && l.getTooltip());
    if (f) { f.openPopup(); f.openTooltip(); return true; }
  }
  return false;
}"""


def _failures(texts: list[dict], exceptions=frozenset()) -> list[str]:
    bad = []
    for t in texts:
        if not t["ground"] or t.get("role") in exceptions:
            continue
        colour = rgb(t["color"])
        grounds = [over(t["ground"], "#000000"), over(t["ground"], "#ffffff")]
        ratio = min(contrast(over(colour, g), g) for g in grounds)
        if ratio < needed(t["px"], t["bold"]):
            bad.append(f"{t['kind']} {t['text']!r} {t['color']} on {t['ground']}: {ratio:.2f}")
    return bad


@pytest.mark.parametrize("map_id", STORY_MAPS)
@pytest.mark.parametrize(
    ("scheme", "query"),
    [("dark", ""), ("light", "?theme=dark")],
    ids=["prefers-dark", "theme-param"],
)
def test_story_map_in_dark_mode(browser, pages, map_id, scheme, query):
    page, errors = _open(browser, pages[map_id], scheme, query)
    try:
        assert page.evaluate("document.documentElement.dataset.fgTheme") == "dark"
        sea = page.evaluate(
            "getComputedStyle(document.querySelector('.leaflet-container')).backgroundColor"
        )
        assert rgb(sea)[:3] == rgb(DARK.sea)[:3]
        fills = set(
            page.evaluate(
                "Array.from(document.querySelectorAll('.leaflet-pane path'))"
                ".map(p => (p.getAttribute('fill') || '').toLowerCase())"
            )
        )
        light_backgrounds = {THEME[r].fill for r in ("land", "country", "country_focus", "lake")}
        assert not fills & light_backgrounds, fills & light_backgrounds
        assert fills & {DARK_FEATURE_COLOURS[f] for f in light_backgrounds}
        legend = page.evaluate(
            "Array.from(document.querySelectorAll('.fg-panel [fill]'))"
            ".map(e => e.getAttribute('fill').toLowerCase())"
        )
        assert not set(legend) & light_backgrounds
        assert page.evaluate(_OPEN_POPUP), "no feature with a popup and a tooltip"
        page.wait_for_selector(".leaflet-popup-content th")
        texts = page.evaluate(_TEXTS)
        assert {t["kind"] for t in texts} == {"panel", "label"}
        assert any(t["text"] and t["ground"] for t in texts if "popup" in t.get("box", ""))
        assert not _failures(texts), _failures(texts)
        assert not errors
    finally:
        page.close()


@pytest.mark.parametrize("map_id", STORY_MAPS)
def test_theme_param_light_wins_over_a_dark_system(browser, pages, map_id):
    page, _ = _open(browser, pages[map_id], "dark", "?theme=light")
    try:
        assert page.evaluate("document.documentElement.dataset.fgTheme") == "light"
        sea = page.evaluate(
            "getComputedStyle(document.querySelector('.leaflet-container')).backgroundColor"
        )
        assert rgb(sea)[:3] == rgb(LIGHT.sea)[:3]
        texts = page.evaluate(_TEXTS)
        assert not _failures(texts, LIGHT_BELOW_AA), _failures(texts, LIGHT_BELOW_AA)
    finally:
        page.close()


def test_switching_the_system_scheme_restyles_the_drawn_map(browser, pages):
    page, _ = _open(browser, pages["june-2010"], "light")
    try:
        land = THEME["country"].fill
        assert land in page.evaluate(
            "Array.from(document.querySelectorAll('.leaflet-pane path'))"
            ".map(p => (p.getAttribute('fill') || '').toLowerCase())"
        )
        page.emulate_media(color_scheme="dark")
        page.wait_for_function("document.documentElement.dataset.fgTheme === 'dark'")
        fills = page.evaluate(
            "Array.from(document.querySelectorAll('.leaflet-pane path'))"
            ".map(p => (p.getAttribute('fill') || '').toLowerCase())"
        )
        assert land not in fills and DARK_FEATURE_COLOURS[land] in fills
    finally:
        page.close()


@pytest.mark.parametrize("query", ["", "?theme=dark"])
def test_print_stays_light(browser, pages, query):
    page, _ = _open(browser, pages["june-2010"], "dark", query)
    try:
        land = THEME["country"].fill
        assert page.evaluate("document.documentElement.dataset.fgTheme") == "dark"
        page.emulate_media(media="print")
        page.wait_for_function("document.documentElement.dataset.fgTheme === 'light'")
        fills = page.evaluate(
            "Array.from(document.querySelectorAll('.leaflet-pane path'))"
            ".map(p => (p.getAttribute('fill') || '').toLowerCase())"
        )
        assert land in fills and DARK_FEATURE_COLOURS[land] not in fills
        page.emulate_media(media="screen")  # after printing, back to the reader's scheme
        page.wait_for_function("document.documentElement.dataset.fgTheme === 'dark'")
    finally:
        page.close()
