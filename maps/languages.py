"""Which languages a map is built in, and the file names of each.

A spec's ``languages = ["en", "ru"]`` builds the map once per language: the first
language writes ``ID.html``, ``ID.png``...; every other ``ID.CODE.html``,
``ID.CODE.png``... A spec without the key is built in English only, exactly as
before languages existed. :attr:`MapSpec.language` is the language one rendering
of the spec is in (the build sets it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from geo.language import SOURCE_LANGUAGE
from maps.spec import DEFAULT_LANGUAGES, MapSpec


@dataclass(frozen=True)
class Alternate:
    """One language of a map, as a switcher links to it.

    Attributes
    ----------
    code : str
        The language code ("ru").
    stem : PurePosixPath
        File stem of that language's outputs inside the output folder
        (``june-2010.ru``; add ``.html``, ``.png``...).
    current : bool
        Whether it is the language of the map being drawn.
    """

    code: str
    stem: PurePosixPath
    current: bool

    def href(self, suffix: str = ".html") -> str:
        """The link from a sibling output (same folder) to this language's file."""
        return self.stem.name + suffix


def spec_languages(spec: MapSpec) -> tuple[str, ...]:
    """The languages `spec` is built in, the first writing the plain file names."""
    return spec.languages or DEFAULT_LANGUAGES


def output_stem(spec: MapSpec, code: str | None = None) -> PurePosixPath:
    """File stem of the outputs of `spec` in `code` (default: the spec's own language)."""
    return spec.output_name_in(code or spec.language)


def alternates(spec: MapSpec) -> tuple[Alternate, ...]:
    """Every language of `spec` in spec order; empty where the map has only one."""
    codes = spec_languages(spec)
    if len(codes) < 2:
        return ()
    return tuple(Alternate(code, output_stem(spec, code), code == spec.language) for code in codes)


def build_languages(
    spec: MapSpec, asked: Sequence[str] = ()
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(every language of `spec` in this build, the ones to build now).

    Without `asked` (``fergana build --lang``), both are the spec's languages. With it,
    only the asked languages are built; one the spec does not list is built all the
    same, after the spec's own (``ID.CODE.*``: a first look at a map in a language
    its spec does not list yet; a build without ``--lang`` removes it again).
    """
    listed = spec_languages(spec)
    if not asked:
        return listed, listed
    every = (*listed, *(c for c in asked if c not in listed))
    return every, tuple(c for c in every if c in asked)


def entry_language(entry: dict) -> str:
    """The language of a manifest entry (English for entries written before languages)."""
    return entry.get("language", SOURCE_LANGUAGE)


#: How many of the missing texts the build's warning line names.
NAMED_MISSING = 6


#: The kinds of a manifest's ``missing`` record a warning lists, in order. Its
#: ``sources`` (who reported a figure) are cited as published by design: not listed.
MISSING_KINDS = (("names", "name"), ("messages", "message"))


def missing_line(map_id: str, code: str, record: dict | None) -> str:
    """One line on the texts a map's language lacked, or "" when it lacked none.

    ``june-2010 (ru): 12 names and 3 messages have no Russian; drawn in English:
    Angren, Asaka, … — see the manifest``.
    """
    record = record or {}
    kinds = [(list(record.get(key, ())), word) for key, word in MISSING_KINDS]
    kinds = [(items, word) for items, word in kinds if items]
    if not kinds:
        return ""
    base = map_id.removesuffix(f".{code}")
    counts = [f"{len(items)} {word if len(items) == 1 else word + 's'}" for items, word in kinds]
    said = ", ".join(counts[:-1]) + " and " + counts[-1] if len(counts) > 1 else counts[0]
    verb = "has" if sum(len(items) for items, _ in kinds) == 1 else "have"
    texts = [_short(t) for items, _ in kinds for t in items]
    shown = ", ".join(texts[:NAMED_MISSING]) + (", …" if len(texts) > NAMED_MISSING else "")
    return (
        f"{base} ({code}): {said} {verb} no {english_name(code)}; "
        f"drawn in English: {shown} — see the manifest"
    )


def english_name(code: str) -> str:
    """The language's name in English ("Russian"), as the build's messages say it."""
    from geo.language import language

    return language(code).locale.get_display_name("en") or code


def _short(text: str, limit: int = 40) -> str:
    """A text as the warning line quotes it: one line, at most `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
