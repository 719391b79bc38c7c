"""Languages: the words of a map from gettext catalogs, numbers and dates by Babel.

English is the source language: every message is written in English in the code
(or the data), and that English text is the gettext msgid. Another language has a
catalog ``geo/locale/CODE.po`` (one per language), compiled to a gettext catalog
in memory when a build first needs it (Babel's ``read_po``/``write_mo``: no
``msgfmt``, no ``.mo`` file in git). Numbers and dates are formatted by Babel
(``75 000``, ``12 июня 2010 г.``) -- except in English, whose numbers and dates
keep the code's own formats so that English outputs stay byte-identical to a
build that never asked for a language.

A build renders one map in one language at a time: :func:`speaking` makes a
:class:`Language` current (a context variable) for composing, the scene and the
renderers, and :func:`current` returns it; :func:`tr` and :func:`tr_n` translate
through it. Every message or name a language lacks falls back to English and is
recorded in the language's :class:`Missing` (never silently): the build reports it
and writes it into the manifest.

Messages are marked in the code with ``tr("...")``, ``tr_n("...", "...", n)`` or,
where the text is only collected here and translated later, ``N_("...")`` (Babel's
extractor reads these keywords: see ``tests/geo/test_language.py``).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import gettext
import io
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
#: The language every message is written in.
SOURCE_LANGUAGE = "en"
#: Babel's keywords for the extractor (``pybabel extract -k``): name -> msgid positions.
KEYWORDS = {"tr": None, "tr_n": (1, 2), "N_": None}


class LanguageError(ValueError):
    """A language code Babel does not know, or a catalog that cannot be read."""


@dataclass
class Missing:
    """What a language lacked while one map was made: each text once, in order met.

    Attributes
    ----------
    messages : dict
        English message -> None (an ordered set): not in the language's catalog.
    names : dict
        English name -> None: no name in the language in any names source.
    sources : dict
        Who reported a figure (an agency, a commission) -> None: cited as published,
        as every source is, and kept apart from the names and messages a language lacks.
    """

    messages: dict[str, None] = field(default_factory=dict)
    names: dict[str, None] = field(default_factory=dict)
    sources: dict[str, None] = field(default_factory=dict)

    def as_record(self) -> dict[str, list[str]]:
        """The manifest's record: sorted lists, so that a rebuild writes the same bytes."""
        record = {"messages": sorted(self.messages), "names": sorted(self.names)}
        return record | ({"sources": sorted(self.sources)} if self.sources else {})

    def __bool__(self) -> bool:
        return bool(self.messages or self.names or self.sources)


@dataclass(eq=False)
class Language:
    """One language of a build: its catalog, its locale formats and its place names.

    Parameters
    ----------
    code : str
        A BCP 47 / CLDR code Babel knows: ``en``, ``ru``, ``ky``, ``uz`` (Latin).
    names : callable, optional
        English name -> the name in this language, or None (:mod:`geo.names`).
        English needs none.
    """

    code: str
    names: Callable[[str], str | None] | None = None
    missing: Missing = field(default_factory=Missing)

    @property
    def _catalog(self) -> gettext.GNUTranslations | None:
        return _compiled_catalog(self.code)

    @property
    def is_source(self) -> bool:
        """Whether this is English, the language the messages are written in."""
        return self.code == SOURCE_LANGUAGE

    @property
    def locale(self):
        """The Babel locale (imported on first use: English builds never need Babel)."""
        return _locale(self.code)

    @property
    def native_name(self) -> str:
        """The language's own name, as a switcher shows it ("English", "Русский")."""
        if self.is_source:
            return "English"
        name = self.locale.get_display_name(self.locale) or self.code
        return name[:1].upper() + name[1:]

    # --- words ---------------------------------------------------------------------

    def gettext(self, message: str) -> str:
        """`message` in this language; English (and recorded as missing) where not translated."""
        if self.is_source or not message:
            return message
        translated = self._catalog.gettext(message) if self._catalog else message
        if translated == message and not _same_in_both(message):
            self.missing.messages.setdefault(message, None)
        return translated

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The plural form for `n` (Russian has three: 1 слой, 2 слоя, 5 слоёв)."""
        if self.is_source:
            return singular if n == 1 else plural
        if self._catalog is None:
            self.missing.messages.setdefault(singular, None)
            return singular if n == 1 else plural
        translated = self._catalog.ngettext(singular, plural, n)
        if translated in (singular, plural):
            self.missing.messages.setdefault(singular, None)
        return translated

    def name(self, english: str) -> str:
        """A place name in this language; the English name (recorded as missing) where none."""
        if self.is_source or not english:
            return english
        local = self.names(english) if self.names is not None else None
        if local:
            return local
        self.missing.names.setdefault(english, None)
        return english

    def label(self, text: str) -> str:
        """A label from the data: a place's name, else a catalog message, else English.

        Neither found is recorded as a missing *name* (labels name things).
        """
        if self.is_source or not text:
            return text
        local = self.names(text) if self.names is not None else None
        if local:
            return local
        catalog = self._catalog
        translated = catalog.gettext(text) if catalog is not None else text
        if translated != text or _same_in_both(text):
            return translated
        self.missing.names.setdefault(text, None)
        return text

    def source(self, text: str) -> str:
        """Who reported a figure, cited as published: a source's name is never translated.

        Recorded under ``missing.sources`` in a language other than English, so that a
        citation kept in English is told apart from English a page forgot.
        """
        if not self.is_source and text:
            self.missing.sources.setdefault(text, None)
        return text

    # --- numbers and dates -----------------------------------------------------------

    def number(self, value: float, *, decimals: int | None = None) -> str:
        """A number with the language's separators: ``75,000`` in English, ``75 000`` in Russian.

        Whole numbers get no decimals; others `decimals` (default: as many as needed,
        up to three). English keeps Python's ``{:,}`` formats (see the module docstring).
        """
        value = float(value)
        whole = math.isfinite(value) and value.is_integer()
        if self.is_source:
            if decimals is not None:
                return f"{value:,.{decimals}f}"
            return f"{value:,.0f}" if whole else f"{value:,g}"
        from babel.numbers import format_decimal

        if decimals is not None:
            pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
            return format_decimal(value, format=pattern, locale=self.locale)
        return format_decimal(value, format="#,##0.###", locale=self.locale)

    def percent(self, value: float) -> str:
        """A percentage as written in the language: ``30%`` in English, ``30 %`` in Russian."""
        if self.is_source:
            return f"{value:g}%"
        from babel.numbers import format_percent

        return format_percent(value / 100, format="#,##0.### %", locale=self.locale)

    def date(self, day: dt.date | str) -> str:
        """A day in full: ``12 June 2010``; Russian ``12 июня 2010 г.``."""
        day = _as_date(day)
        if self.is_source:
            return f"{day.day} {day:%B %Y}"
        from babel.dates import format_date

        return format_date(day, format="long", locale=self.locale)

    def day_month(self, day: dt.date | str) -> str:
        """A day without its year: ``12 June``; Russian ``12 июня``."""
        day = _as_date(day)
        if self.is_source:
            return f"{day.day} {day:%B}"
        from babel.dates import format_skeleton

        return format_skeleton("dMMMM", day, locale=self.locale)

    def month(self, day: dt.date | str) -> str:
        """A month of a year: ``June 2010``; Russian ``июнь 2010 г.``."""
        day = _as_date(day)
        if self.is_source:
            return f"{day:%B %Y}"
        from babel.dates import format_skeleton

        return format_skeleton("yMMMM", day, locale=self.locale)


def language(code: str, names: Callable[[str], str | None] | None = None) -> Language:
    """A fresh :class:`Language` for `code` (its own :class:`Missing`); LanguageError if unknown."""
    code = code.strip()
    if code != SOURCE_LANGUAGE:
        _locale(code)  # fails early, naming the code
    return Language(code, names)


ENGLISH = Language(SOURCE_LANGUAGE)
_CURRENT: contextvars.ContextVar[Language] = contextvars.ContextVar("fergana_language")


def current() -> Language:
    """The language being built (English outside :func:`speaking`)."""
    return _CURRENT.get(ENGLISH)


@contextlib.contextmanager
def speaking(lang: Language) -> Iterator[Language]:
    """Make `lang` current for the body: composing, the scene and rendering read it."""
    token = _CURRENT.set(lang)
    try:
        yield lang
    finally:
        _CURRENT.reset(token)


def tr(message: str, **fields: object) -> str:
    """`message` in the current language, with ``{field}`` placeholders filled in.

    Fields are formatted by the caller (:meth:`Language.number`, :meth:`Language.date`).
    """
    text = current().gettext(message)
    return text.format(**fields) if fields else text


def tr_n(singular: str, plural: str, n: int, **fields: object) -> str:
    """The plural form for `n` in the current language, placeholders filled (``{n}`` too)."""
    text = current().ngettext(singular, plural, n)
    return text.format(n=current().number(n), **fields)


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name for a marker
    """Mark `message` for the catalog without translating it here (translated where shown)."""
    return message


def catalog_path(code: str) -> Path:
    """Where the catalog of `code` lives: ``geo/locale/CODE.po``."""
    return LOCALE_DIR / f"{code}.po"


def languages_with_catalogs() -> list[str]:
    """Codes of the languages that have a catalog, sorted."""
    return sorted(p.stem for p in LOCALE_DIR.glob("*.po"))


# --- internals ---------------------------------------------------------------------


def _same_in_both(message: str) -> bool:
    """Text that reads the same in every language: symbols and plain numbers ("km" is not).

    A number with a separator between digits ("6,000", "2.5") is written differently
    in other languages (6 000, 2,5): not the same in both.
    """
    return not any(ch.isalpha() for ch in message) and not _GROUPED.search(message)


_GROUPED = re.compile(r"\d[.,]\d")


@functools.cache
def _compiled_catalog(code: str) -> gettext.GNUTranslations | None:
    """The compiled catalog of `code`; None for English and for a language without one."""
    path = catalog_path(code)
    if code == SOURCE_LANGUAGE or not path.exists():
        return None
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    try:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=code, domain="fergana")
    except Exception as err:  # Babel raises several kinds; name the file either way
        raise LanguageError(f"{path.name}: cannot read the catalog ({err})") from None
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


@functools.cache
def _locale(code: str):
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError) as err:
        raise LanguageError(f"unknown language code {code!r} ({err})") from None


def _as_date(day: dt.date | str) -> dt.date:
    if isinstance(day, dt.datetime):
        return day.date()
    if isinstance(day, dt.date):
        return day
    return dt.date.fromisoformat(str(day)[:10])
