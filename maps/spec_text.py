"""A spec's languages and its words in each: ``languages``, ``names`` and ``[text.CODE]``.

English is the spec's own text (``title``, ``subtitle``, ``caption``, the
annotations' ``text``, the layers' ``title``, the ``[atlas]`` templates); every
other language of ``languages`` may give its own in a ``[text.CODE]`` table::

    languages = ["en", "ru"]
    names = "data/names.csv"            # the user's names tables (or a list of them)

    [text.ru]
    title = "Июнь 2010 года: насилие в Оше и Джалал-Абаде"
    caption = "... {refugees_in_uzbekistan} ..."   # the English caption's {figures}
    annotations = ["...", "..."]                   # in the order of [[annotations]]

    [text.ru.layers]                               # layer id -> its title
    violence = "Насилие"

    [text.ru.atlas]                                # the atlas's templates
    title = "{name}"

:func:`spec_in` gives the spec as drawn in one language. A text the table lacks
stays English and is recorded in the current language's
:attr:`geo.language.Language.missing` (the build reports it): never silently.
Like :mod:`maps.spec`, this module imports no heavy library.
"""

from __future__ import annotations

import dataclasses
import json
import string
from dataclasses import dataclass, field
from typing import Any

import msgspec

from geo.language import SOURCE_LANGUAGE, LanguageError, current, language
from geo.records import check_keys, typed

#: A :class:`maps.spec.MapSpec` (not imported: maps.spec imports this module).
MapSpec = Any

#: The templates of an atlas that a language may give.
ATLAS_TEXTS = ("title", "subtitle", "caption")


@dataclass(frozen=True)
class SpecText:
    """One ``[text.CODE]`` table: the spec's words in one language (None: not given).

    Attributes
    ----------
    annotations : tuple of str
        The annotations' texts in the order of ``[[annotations]]``; fewer than
        there are annotations leaves the rest English ("" too).
    layers : dict of str to str
        Layer id -> the layer's title in this language.
    atlas : dict of str to str
        ``title``, ``subtitle``, ``caption`` -> the atlas's template in this language.
    """

    code: str
    title: str | None = None
    subtitle: str | None = None
    caption: str | None = None
    annotations: tuple[str, ...] = ()
    layers: dict[str, str] = field(default_factory=dict)
    atlas: dict[str, str] = field(default_factory=dict)


class _Text(msgspec.Struct, forbid_unknown_fields=True):
    title: str | None = None
    subtitle: str | None = None
    caption: str | None = None
    annotations: list[str] = []
    layers: dict[str, str] = {}
    atlas: dict[str, str] = {}


def languages_from(raw: Any, source: str, error: type[Exception]) -> tuple[str, ...]:
    """The ``languages`` key: codes Babel knows, each once; () when absent."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw or not all(isinstance(c, str) for c in raw):
        raise error(
            source,
            f"must be a non-empty list of language codes, not {raw!r}",
            field="languages",
            hint='e.g. languages = ["en", "ru"]',
        )
    codes = tuple(c.strip() for c in raw)
    for code in codes:
        try:
            language(code)
        except LanguageError as err:
            raise error(
                source,
                str(err),
                field="languages",
                hint="use a code as Babel (CLDR) knows it: en, ru, ky, uz",
            ) from None
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        raise error(source, f"{', '.join(twice)} listed twice", field="languages")
    return codes


def names_from(raw: Any, source: str, error: type[Exception]) -> tuple[str, ...]:
    """The ``names`` key: one names table or a list of them (paths as written)."""
    if raw is None:
        return ()
    tables = [raw] if isinstance(raw, str) else raw
    if not isinstance(tables, list) or not all(isinstance(t, str) and t for t in tables):
        raise error(
            source,
            f"must be a file or a list of files, not {raw!r}",
            field="names",
            hint='e.g. names = "data/names.csv"',
        )
    return tuple(tables)


def texts_from(
    raw: Any, source: str, error: type[Exception], *, spec: MapSpec
) -> dict[str, SpecText]:
    """The ``[text.CODE]`` tables of `spec` (read without them), checked against its English.

    Raises `error` naming the key (``text.ru.caption``): a language not in
    ``languages``, a ``{figure}`` the English caption does not quote, more
    annotations than the spec has, a layer id it does not use, atlas templates
    without ``[atlas]``.
    """
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise error(source, "must be tables [text.CODE]", field="text", hint="e.g. [text.ru]")
    codes = spec.languages or (SOURCE_LANGUAGE,)
    texts = {}
    for code, table in raw.items():
        key = f"text.{code}"
        if code == SOURCE_LANGUAGE:
            raise error(
                source,
                "English is the spec's own text (title, subtitle, caption, ...)",
                field=key,
                hint="write the English text in the spec's top-level keys",
            )
        if code not in codes:
            raise error(
                source,
                f"{code!r} is not one of the spec's languages ({', '.join(codes)})",
                field=key,
                hint=f"add it: languages = {json.dumps([*codes, code])}",
            )
        if not isinstance(table, dict):
            raise error(source, "must be a table", field=key, hint=f"write it as [{key}]")
        check_keys(table, _Text.__struct_fields__, source, key + ".", error)
        values = typed(table, _Text, source, key + ".", error)
        texts[code] = _checked(values, code, source, error, spec)
    return texts


def _checked(values: _Text, code: str, source: str, error, spec: MapSpec) -> SpecText:
    key = f"text.{code}"
    if values.caption is not None:
        english = set(_placeholders(spec.caption, source, "caption", error))
        hint = "quote the same sourced figures as the caption: " + (
            ", ".join(f"{{{n}}}" for n in sorted(english)) or "it quotes none"
        )
        own = set(_placeholders(values.caption, source, f"{key}.caption", error))
        # a translation says what the English says: no figure of its own, none dropped
        problems = [f"{{{n}}} is not in the English caption" for n in sorted(own - english)]
        problems += [f"{{{n}}} of the English caption is missing" for n in sorted(english - own)]
        if problems:
            raise error(source, "placeholder " + problems[0], field=f"{key}.caption", hint=hint)
    if len(values.annotations) > len(spec.annotations):
        raise error(
            source,
            f"{len(values.annotations)} annotations, but the spec has "
            f"{len(spec.annotations)} [[annotations]]",
            field=f"{key}.annotations",
            hint="give one text per annotation, in their order",
        )
    used = {ref.id for ref in spec.layers}
    for layer_id in values.layers:
        if layer_id not in used:
            raise error(
                source,
                f"the map has no layer {layer_id!r}",
                field=f"{key}.layers.{layer_id}",
                hint=f"its layers: {', '.join(sorted(used))}",
            )
    if values.atlas and spec.atlas is None:
        raise error(source, "the spec has no [atlas] table", field=f"{key}.atlas")
    check_keys(values.atlas, ATLAS_TEXTS, source, f"{key}.atlas.", error)
    for name, template in values.atlas.items():
        _placeholders(template, source, f"{key}.atlas.{name}", error)
    return SpecText(
        code=code,
        title=values.title,
        subtitle=values.subtitle,
        caption=values.caption,
        annotations=tuple(values.annotations),
        layers=dict(values.layers),
        atlas=dict(values.atlas),
    )


def _placeholders(template: str, source: str, key: str, error) -> list[str]:
    """The ``{names}`` of `template`; `error` naming `key` for a bad one."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as err:
        raise error(source, f"bad {{placeholder}} ({err})", field=key) from None
    names = []
    for _text, name, format_spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or format_spec or conversion:
            raise error(
                source,
                f"placeholder {{{name}}} must be a plain name",
                field=key,
                hint="write {name}, e.g. {refugees_in_uzbekistan}",
            )
        names.append(name)
    return names


def spec_in(spec: MapSpec, code: str) -> MapSpec:
    """`spec` as drawn in `code`: its ``[text.CODE]`` words in place of the English ones.

    A text the table lacks stays English; inside ``speaking`` a language `code`,
    that English text is recorded in its ``missing.messages``.
    """
    spec = dataclasses.replace(spec, language=code)
    if code == SOURCE_LANGUAGE:
        return spec
    text = spec.text.get(code) or SpecText(code)
    lang = current()
    missing = lang.missing.messages if lang.code == code else {}

    def chosen(english: str, local: str | None) -> str:
        if local:
            return local
        if _has_words(english):
            missing.setdefault(english, None)
        return english

    refs = tuple(
        dataclasses.replace(ref, title=text.layers[ref.id])
        if ref.id in text.layers
        else dataclasses.replace(ref, title=chosen(ref.title, None))
        if ref.title
        else ref
        for ref in spec.layers
    )
    local_notes = (*text.annotations, *[""] * len(spec.annotations))
    notes = tuple(
        dataclasses.replace(note, text=chosen(note.text, local))
        for note, local in zip(spec.annotations, local_notes, strict=False)
    )
    atlas = spec.atlas
    if atlas is not None:
        atlas = dataclasses.replace(
            atlas, **{k: chosen(getattr(atlas, k), text.atlas.get(k)) for k in ATLAS_TEXTS}
        )
    return dataclasses.replace(
        spec,
        title=chosen(spec.title, text.title),
        subtitle=chosen(spec.subtitle, text.subtitle),
        caption=chosen(spec.caption, text.caption),
        layers=refs,
        annotations=notes,
        atlas=atlas,
    )


def _has_words(template: str) -> bool:
    """Whether `template` has words to translate outside its ``{placeholders}``."""
    try:
        literal = "".join(t for t, *_ in string.Formatter().parse(template))
    except ValueError:
        literal = template
    return any(ch.isalpha() for ch in literal)
