"""Languages: catalogs compiled at build time, Russian formats, missing text recorded, coverage.

Expected strings are written here by hand (from CLDR's Russian conventions), never
produced by the code under test.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from geo.language import (
    ENGLISH,
    KEYWORDS,
    LanguageError,
    catalog_path,
    current,
    language,
    languages_with_catalogs,
    speaking,
    tr,
    tr_n,
)

ROOT = Path(__file__).resolve().parents[1]
NBSP = "\u00a0"
NNBSP = "\u202f"


def test_russian_numbers_group_with_a_no_break_space_and_a_decimal_comma():
    ru = language("ru")
    assert ru.number(75000) == f"75{NBSP}000"
    assert ru.number(1234.5) == f"1{NBSP}234,5"
    assert ru.number(400000, decimals=1) == f"400{NBSP}000,0"
    assert ru.number(7) == "7"


def test_russian_dates_are_written_as_in_a_russian_report():
    ru = language("ru")
    assert ru.date("2010-06-12") == f"12 июня 2010{NNBSP}г."
    assert ru.date(dt.date(2010, 6, 1)) == f"1 июня 2010{NNBSP}г."
    assert ru.day_month("2010-06-12") == "12 июня"
    assert ru.month("2010-06-12") == f"июнь 2010{NNBSP}г."


def test_english_keeps_the_code_formats_byte_for_byte():
    assert ENGLISH.number(75000) == "75,000"
    assert ENGLISH.number(0.25) == "0.25"
    assert ENGLISH.number(1500, decimals=1) == "1,500.0"
    assert ENGLISH.date("2010-06-12") == "12 June 2010"
    assert ENGLISH.month("2010-06-12") == "June 2010"
    assert ENGLISH.gettext("Sources") == "Sources"
    assert not ENGLISH.missing


def test_russian_plural_forms_come_from_the_catalog_header():
    ru = language("ru")
    # the catalog header's rule: 1 -> form 0, 2..4 -> form 1, 5..20 -> form 2, 21 -> form 0
    rule = ru._catalog.plural  # gettext's compiled Plural-Forms expression
    assert [rule(n) for n in (1, 2, 4, 5, 11, 21, 22, 25)] == [0, 1, 1, 2, 2, 0, 1, 2]


def test_a_missing_message_falls_back_to_english_and_is_recorded():
    ru = language("ru")
    assert ru.gettext("Sources") == "Источники"
    assert ru.gettext("A message nobody translated") == "A message nobody translated"
    assert ru.gettext("1–2") == "1–2"  # no letters: the same in every language
    assert ru.missing.as_record() == {"messages": ["A message nobody translated"], "names": []}


def test_a_missing_name_falls_back_to_english_and_is_recorded():
    ru = language("ru", names={"Osh": "Ош"}.get)
    assert ru.name("Osh") == "Ош"
    assert ru.label("Osh") == "Ош"
    assert ru.label("Nowhere-on-earth") == "Nowhere-on-earth"
    assert ru.missing.as_record() == {"messages": [], "names": ["Nowhere-on-earth"]}


def test_who_reported_a_figure_is_cited_as_published_and_recorded_apart():
    """Reporting bodies are never translated, and listed apart from the names a map lacks."""
    ru = language("ru", names={"Osh": "Ош"}.get)
    assert ru.source("Osh") == "Osh"  # not looked up as a place
    assert ru.source("Sources") == "Sources"  # nor in the catalog
    assert ru.source("OCHA spokeswoman") == "OCHA spokeswoman"
    assert ru.missing.as_record() == {
        "messages": [],
        "names": [],
        "sources": ["OCHA spokeswoman", "Osh", "Sources"],
    }
    assert ru.missing and not language("ru").missing
    english = language("en")
    assert english.source("OCHA spokeswoman") == "OCHA spokeswoman"
    assert not english.missing


def test_each_language_records_its_own_missing_text():
    first, second = language("ru"), language("ru")
    first.gettext("only the first asked")
    assert not second.missing


def test_speaking_makes_a_language_current_only_inside():
    ru = language("ru")
    assert current() is ENGLISH
    with speaking(ru):
        assert current() is ru
        assert tr("Sources") == "Источники"
    assert current() is ENGLISH
    assert tr("Sources") == "Sources"


def test_tr_n_fills_n_in_the_language_format():
    assert tr_n("{n} feature", "{n} features", 1500) == "1,500 features"
    assert tr_n("{n} feature", "{n} features", 1) == "1 feature"


def test_an_unknown_language_code_is_refused_by_name():
    with pytest.raises(LanguageError, match="'xx-nowhere'"):
        language("xx-nowhere")


def test_a_language_without_a_catalog_falls_back_for_every_message():
    ky = language("ky")
    assert "ky" not in languages_with_catalogs()
    assert ky.gettext("Sources") == "Sources"
    assert ky.missing.as_record()["messages"] == ["Sources"]
    assert ky.native_name == "Кыргызча"


def test_native_names_name_each_language_in_itself():
    assert ENGLISH.native_name == "English"
    assert language("ru").native_name == "Русский"


def test_every_marked_message_is_translated_in_every_catalog():
    """The catalog check: each tr()/tr_n()/N_() message of the code has a Russian msgstr."""
    used: dict[str, str] = {}
    for package in ("geo", "layers", "maps"):
        extracted = extract_from_dir(
            ROOT / package,
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
            comment_tags=(),
            strip_comment_tags=True,
        )
        for filename, lineno, message, _comments, _context in extracted:
            singular = message[0] if isinstance(message, tuple) else message
            used.setdefault(singular, f"{package}/{filename}:{lineno}")
    for code in languages_with_catalogs():
        with catalog_path(code).open("rb") as handle:
            catalog = read_po(handle, locale=code)
        untranslated = [
            f"{where}: {msgid!r}"
            for msgid, where in sorted(used.items())
            if catalog.get(msgid) is None
            or not catalog.get(msgid).string
            or (isinstance(catalog.get(msgid).string, tuple) and not all(catalog.get(msgid).string))
            or catalog.get(msgid).fuzzy
        ]
        assert not untranslated, f"{code}.po lacks {len(untranslated)}:\n" + "\n".join(untranslated)


def test_catalogs_pass_babels_checks_and_keep_every_placeholder():
    """Babel's checks (plural counts), and each translation keeps its msgid's {placeholders}."""
    import string

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}

    for code in languages_with_catalogs():
        with catalog_path(code).open("rb") as handle:
            catalog = read_po(handle, locale=code)
        problems = [(m.id, str(e)) for m, errors in catalog.check() for e in errors]
        for message in catalog:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            wanted = set().union(*(fields(i) for i in ids))
            for text in strings:
                if text and fields(text) != wanted:
                    problems.append(
                        (ids[0], f"placeholders {sorted(fields(text))} != {sorted(wanted)}")
                    )
        assert not problems, problems
