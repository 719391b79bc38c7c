"""Which languages a map is built in, and the file names of each.

A spec's ``languages = ["en", "ru"]`` builds the map once per language: the first
language writes ``ID.html``, ``ID.png``...; every other ``ID.CODE.html``,
``ID.CODE.png``... A spec without the key is built in English only, exactly as
before languages existed. :attr:`MapSpec.language` is the language one rendering
of the spec is in (the build sets it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from maps.spec import MapSpec

#: The language of a spec that names none.
DEFAULT_LANGUAGES = ("en",)


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
    code = code or spec.language
    first = spec_languages(spec)[0]
    base = spec.output_name
    return base if code == first else base.with_name(f"{base.name}.{code}")


def alternates(spec: MapSpec) -> tuple[Alternate, ...]:
    """Every language of `spec` in spec order; empty where the map has only one."""
    codes = spec_languages(spec)
    if len(codes) < 2:
        return ()
    return tuple(Alternate(code, output_stem(spec, code), code == spec.language) for code in codes)
