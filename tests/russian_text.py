"""English words in a Russian text that the build did not report: for the language tests.

A Russian text may mix both: a Russian sentence quoting a name without a Russian
form, a figure with the agency that reported it. Every text the language recorded
missing (names, messages with their placeholders matching anything, sources) is
taken out first, then the names Russian writes in Latin letters too; any word in
Latin letters left is English the page shows without saying so.
"""

from __future__ import annotations

import re

from geo.language import Missing

#: Written in Latin letters in Russian texts too: the sources' own names (products,
#: agencies), the datum, the typeface, the toolkit, and keys as their keycaps name them.
LATIN_IN_RUSSIAN = re.compile(
    r"Natural Earth|OpenStreetMap|GEBCO|WDBII|GSHHG|UNODC|RFE/RL|\bAP\b"
    r"|https?://\S+|WGS 84|DejaVu Sans|\bfergana\b|\b(?:Tab|Enter|Escape|Esc|Shift)\b"
)
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def missing_pattern(text: str) -> re.Pattern | None:
    """A recorded text as a pattern, its ``{placeholders}`` matching any text.

    Whole words only: a missing label "D" is not the D of "DejaVu". None for a text
    of placeholders only, which would match everything.
    """
    parts = _PLACEHOLDER.split(text)
    if not any(part.strip() for part in parts):
        return None
    return re.compile(r"(?<!\w)" + ".+?".join(map(re.escape, parts)) + r"(?!\w)", re.S)


def english_left(text: str, missing: Missing) -> list[str]:
    """The Latin words of `text` once every recorded and every allowed text is out."""
    rest = text
    recorded = {*missing.names, *missing.messages, *missing.sources}
    for known in sorted(recorded, key=len, reverse=True):
        pattern = missing_pattern(known) if known else None
        if pattern is not None:
            rest = pattern.sub(" ", rest)
    # after the recorded texts, which may contain these ("UNODC, World Drug Report")
    return LATIN_WORD.findall(LATIN_IN_RUSSIAN.sub(" ", rest))
