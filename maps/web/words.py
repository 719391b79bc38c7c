"""The web page's own words in the map's language: its scripts, stylesheet and days.

fergana's scripts (``runtime.js``, ``access.js``) write some text themselves: control
labels, the time slider's line, the screen reader's notes. They keep only the English
message (the gettext msgid), marked ``_("...")`` or ``_('...')``; :func:`translate_js`
puts the language's words in their place when the page is rendered, as a string literal
of the same quotes, so the page carries no catalog and no lookup. Code that only a page
in another language needs (the days of the slider as the language writes them, the
scale's units) is written inside ``/*$lang: ... */`` comments: it runs in such pages
and is left out of English ones. An English page is thus byte for byte what it was
before languages existed.

Every message is translated through :class:`geo.language.Language`, so a missing
translation falls back to English and is recorded in ``lang.missing``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable

from geo.language import N_, Language

# ``_("...")`` or ``_('...')``: a message (no escapes inside) where a string literal goes.
_MESSAGE = re.compile(r"""\b_\((?:"(?P<d>[^"\\\n]*)"|'(?P<s>[^'\\\n]*)')\)""")
# ``/*$lang: code */``: code for pages in a language other than English.
_LANG_CODE = re.compile(r"/\*\$lang:(?P<code>.*?)\*/", re.DOTALL)


def translate_js(script: str, lang: Language) -> str:
    """`script` with its messages in `lang` and its ``/*$lang: */`` code kept or dropped.

    Parameters
    ----------
    script : str
        JavaScript with messages marked ``_("...")``.
    lang : Language
        The page's language.

    Returns
    -------
    str
        The script; for English, exactly the script with the marks taken off.
    """
    if lang.is_source:
        script = _LANG_CODE.sub("", script)
    else:
        script = _LANG_CODE.sub(lambda m: m.group("code").strip(), script)

    def literal(match: re.Match[str]) -> str:
        quote = '"' if match.group("d") is not None else "'"
        text = _text(match)
        if lang.is_source:
            return f"{quote}{text}{quote}"
        # markup that ends a message (', as of <output>') is the script's, not a word
        message, tag, markup = text.partition("<")
        return js_string(lang.gettext(message) + tag + markup, quote)

    return _MESSAGE.sub(literal, script)


def js_messages(script: str) -> list[str]:
    """The messages marked in `script`, in order (each once), for the catalog check."""
    found = (_text(m).partition("<")[0] for m in _MESSAGE.finditer(script))
    return list(dict.fromkeys(found))


def _text(match: re.Match[str]) -> str:
    double = match.group("d")
    return double if double is not None else match.group("s")


def js_string(text: str, quote: str = '"') -> str:
    """`text` as a JavaScript string literal in `quote` quotes, safe inside ``<script>``."""
    body = json.dumps(text, ensure_ascii=False)[1:-1]
    if quote == "'":
        body = body.replace('\\"', '"').replace("'", "\\'")
    body = body.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"{quote}{body}{quote}"


def day_texts(days: Iterable[str], lang: Language) -> dict[str, str]:
    """ISO days -> the day as `lang` writes it in full (``12 июня 2010 г.``), for the slider.

    Days the scripts show are formatted here, not in the browser, so that a page
    reads the same on every machine. Text that is no ISO day (``2010-06-13/2010-06-17``,
    ``June 2010``) is left out: the scripts show it as it is.
    """
    out = {}
    for day in sorted(set(days)):
        try:
            when = dt.date.fromisoformat(day)
        except (TypeError, ValueError):
            continue
        out[day] = lang.date(when)
    return out


#: The stylesheet's own words: (media query, selector, message); fergana.css writes the
#: English, these rules the same places in another language.
CSS_WORDS = (
    # the phone legend sheet's close button ("Close \2715")
    ("(max-width: 600px)", ".fg-legend.fg-open .fg-legend-toggle::after", N_("Close")),
)


def css_words(lang: Language) -> str:
    """Rules giving the stylesheet's words in `lang`; empty for English (the sheet's own)."""
    if lang.is_source:
        return ""
    rules = []
    for media, selector, message in CSS_WORDS:
        text = json.dumps(lang.gettext(message) + " \u2715", ensure_ascii=False)
        text = text.replace("<", "\\3c ")
        rules.append(f'@media {media} {{ {selector} {{ content: {text} / ""; }} }}\n')
    return "".join(rules)
