"""What a build does: the maps (per language) up to date, and the render tasks of the others.

A spec is built once per language (:mod:`maps.languages`): each language of each
map, and of each atlas page, is one task and one manifest entry, keyed by its
output stem (``june-2010``, ``june-2010.ru``, ``enclaves/sokh.ru``). Each entry
records what it read, so that a rebuild redraws only the languages whose inputs
changed: the spec, the datasets, the user's files, fergana's code, and for a
language other than English its catalog (``geo/locale/CODE.po``, copy
``catalog``) and the spec's names tables.

Planning reads each spec (cheap: no geopandas) to learn its languages; an atlas
whose pages may have changed lists its pages here (that one imports geopandas).
"""

from __future__ import annotations

import hashlib
import os
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geo
from geo.language import SOURCE_LANGUAGE, catalog_path
from maps.atlas import atlas_pages, page_digest, page_id
from maps.languages import build_languages, entry_language, missing_line
from maps.spec import PACKAGE_ROOT, MapSpec, SpecError, load_spec, project_folder

#: Motion formats: written for maps with a ``[motion]`` table (:mod:`maps.motion`).
MOTION_FORMATS = ("gif", "mp4")
#: The ``copy`` of a manifest input that is one of the user's own files.
USER_FILE = "user"
#: The ``copy`` of a manifest input that is a language's catalog (``geo/locale/CODE.po``).
CATALOG = "catalog"


@dataclass
class MapResult:
    """What happened to one map (in one language) in a build."""

    id: str
    status: str  # "built", "skipped" or "failed"
    seconds: float = 0.0
    error: str = ""
    outputs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Why a map failed: "input" (its spec or data), "environment" (disk full, an
    #: unwritable folder) or "bug" (in fergana); "" when it did not fail.
    cause: str = ""
    #: The traceback of a failure, shown only with ``--debug``.
    detail: str = ""
    #: One line naming the texts its language lacked ("" when none; see
    #: :func:`maps.languages.missing_line`), said once after the build.
    missing: str = ""


@dataclass
class Plan:
    """What a build does: maps already up to date, maps to render, atlas bookkeeping."""

    check: Check
    skipped: list[MapResult] = field(default_factory=list)
    #: Atlases whose pages could not be listed: (id, the exception, its traceback).
    errors: list[tuple[str, BaseException, str]] = field(default_factory=list)
    tasks: list[tuple] = field(default_factory=list)
    #: Result id -> (spec's place in the build, page number, language's place) for the order.
    order: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    #: Atlas id -> the datasets and files its coverage was read from (joined to each page).
    coverage: dict[str, dict] = field(default_factory=dict)
    #: Manifest ids to remove once the build's maps are committed (vanished pages, languages).
    stale: list[str] = field(default_factory=list)
    #: Whether pages were kept whose coverage file changed (their entries now say so).
    refreshed: bool = False
    #: Atlas id -> its pages, listed once for all its languages.
    pages: dict[str, list] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Results the build will report."""
        return len(self.skipped) + len(self.errors) + len(self.tasks)


def plan_build(
    paths: Sequence[Path],
    manifest: dict,
    code: str,
    formats: tuple[str, ...],
    out: Path,
    force: bool,
    rest: tuple,
    asked: Sequence[str] = (),
) -> Plan:
    """Which maps, languages and atlas pages are up to date; the render tasks of the others.

    Parameters
    ----------
    rest : tuple
        The task arguments after the spec's path and hash: (staging, formats, ship).
    asked : sequence of str
        The languages to build (``--lang``); empty: every language of each spec.
    """
    plan = Plan(Check(code, tuple(formats), out, force))
    maps = manifest["maps"]
    for n, path in enumerate(paths):
        spec_hash = file_sha256(path)
        try:
            spec = load_spec(path)
        except SpecError:
            spec = None
        if spec is None or spec.id != path.stem:  # its worker says what is wrong
            plan.tasks.append((path, spec_hash, *rest))
            plan.order[path.stem] = (n, 0, 0)
            continue
        every, now = build_languages(spec, asked)
        kept: set[str] = set()
        for k, lang in enumerate(now):
            ids = _plan_language(plan, (n, k), path, spec, spec_hash, lang, every, maps, rest)
            if ids is None:
                break
            kept |= ids
        else:
            plan.stale += [
                i
                for i, e in maps.items()
                if _of_spec(i, e, path.stem)
                and i not in kept
                and (not asked or entry_language(e) in now)
            ]
    return plan


def _plan_language(plan, place, path, spec, spec_hash, lang, every, maps, rest):
    """Plan one language of one spec; the manifest ids it keeps, or None if its atlas failed."""
    n, k = place
    check = plan.check
    key = language_id(path.stem, lang, every)
    entry = maps.get(key)
    pages = sorted(
        (e.get("page_order", 0), map_id)
        for map_id, e in maps.items()
        if e.get("atlas") == path.stem and entry_language(e) == lang
    )
    if check.force or (entry is not None) == bool(pages):
        pass  # forced, never built, or both a map and an atlas: decided below
    elif entry is not None:
        if check.up_to_date(entry, spec_hash, path, lang):
            plan.skipped.append(skipped(key, entry))
            plan.order[key] = (n, 0, k)
            return {key}
    elif all(check.up_to_date(maps[i], spec_hash, path, lang) for _, i in pages):
        for number, map_id in pages:
            plan.skipped.append(skipped(map_id, maps[map_id]))
            plan.order[map_id] = (n, number, k)
        return {i for _, i in pages}
    if spec.atlas is None:
        plan.tasks.append((path, spec_hash, *rest, None, lang, every))
        plan.order[key] = (n, 0, k)
        return {key}
    return _plan_pages(plan, place, path, spec, spec_hash, lang, every, maps, rest)


def _plan_pages(plan, place, path, spec, spec_hash, lang, every, maps, rest):
    """The tasks of an atlas's pages in one language whose record or inputs changed."""
    n, k = place
    check = plan.check
    if spec.id not in plan.pages:
        project = project_folder(path)
        try:
            with geo.recording() as used:
                plan.pages[spec.id] = atlas_pages(spec)
            plan.coverage[spec.id] = {**inputs(used.datasets), **user_files(used.files, project)}
        except Exception as err:  # the atlas fails; the other maps go on
            plan.errors.append((path.stem, err, traceback.format_exc()))
            plan.order[path.stem] = (n, 0, 0)
            return None
    ids = set()
    for page in plan.pages[spec.id]:
        map_id = language_id(page_id(spec.id, page), lang, every)
        ids.add(map_id)
        plan.order[map_id] = (n, page.number, k)
        entry = maps.get(map_id)
        # a page is redrawn when what it shows changed: its record (extent, fields) or its
        # own inputs; not because another feature of the coverage file changed
        if (
            not check.force
            and entry is not None
            and entry.get("page_sha256") == page_digest(page)
            and check.up_to_date({**entry, "coverage": {}}, spec_hash, path, lang)
        ):
            entry["page_order"] = page.number  # its place may move without a redraw
            plan.refreshed |= entry.get("coverage") != plan.coverage[spec.id]
            entry["coverage"] = plan.coverage[spec.id]
            plan.skipped.append(skipped(map_id, entry))
        else:
            plan.tasks.append((path, spec_hash, *rest, page, lang, every))
    return ids


def language_id(base: str, code: str, every: Sequence[str]) -> str:
    """The manifest id of `base` (a map or ``ATLAS/SLUG``) in `code`: ``base`` or ``base.CODE``."""
    return base if code == every[0] else f"{base}.{code}"


def _of_spec(map_id: str, entry: dict, stem: str) -> bool:
    """Whether the manifest entry `map_id` is one of spec `stem`'s (any language, any page)."""
    return map_id == stem or map_id.startswith(stem + ".") or entry.get("atlas") == stem


def skipped(map_id: str, entry: dict) -> MapResult:
    """The result of a map found up to date, with what its last build said."""
    return MapResult(
        map_id,
        "skipped",
        outputs=sorted(entry["outputs"]),
        warnings=list(entry.get("warnings", [])),
        missing=missing_line(map_id, entry_language(entry), entry.get("missing")),
    )


@dataclass(frozen=True)
class Check:
    """How an entry is found up to date: the code's hash, the formats, the output folder."""

    code: str
    formats: tuple[str, ...]
    out: Path
    force: bool = False

    def up_to_date(self, entry: dict | None, spec_hash: str, path: Path, lang: str) -> bool:
        """Whether `entry` (of the spec at `path`, in `lang`) needs no redraw."""
        if (
            entry is None
            or entry.get("spec_sha256") != spec_hash
            or entry.get("formats") != drawn_formats(self.formats, motion=bool(entry.get("motion")))
            or entry_language(entry) != lang
            or entry.get("code") != self.code
        ):
            return False
        project = project_folder(path)
        # an atlas page's coverage file counts too: decided from the manifest, a changed one
        # has the driver list the pages again (and redraw only those whose record changed)
        for name, digest in {**entry.get("coverage", {}), **entry["inputs"]}.items():
            if digest.get("copy") in (USER_FILE, CATALOG):
                local = (PACKAGE_ROOT if digest["copy"] == CATALOG else project) / name
                if digest["sha256"] is None:  # a catalog absent when the map was drawn
                    if local.exists():
                        return False
                    continue
                if not local.is_file() or file_sha256(local) != digest["sha256"]:
                    return False
                continue
            try:
                copy = geo.copy_in_use(name)
            except KeyError:
                return False
            if file_sha256(copy.path) != digest["sha256"]:
                return False
        out = self.out
        return all(
            (out / name).is_file() and file_sha256(out / name) == digest
            for name, digest in entry["outputs"].items()
        )


def drawn_formats(formats: Sequence[str], *, motion: bool) -> list[str]:
    """The formats a map is drawn in, sorted: GIF and MP4 only for a map with ``[motion]``.

    A build records these, so that asking for GIF or MP4 (or ffmpeg coming or going,
    which drops MP4 from the default formats) rebuilds only the maps that move.
    """
    return sorted(f for f in formats if motion or f not in MOTION_FORMATS)


def language_inputs(spec: MapSpec, code: str, project: Path) -> dict[str, dict]:
    """What a language other than English reads besides the map's data.

    Its catalog (``geo/locale/CODE.po``) and the spec's names tables: a changed
    ``ru.po`` redraws the Russian maps only. A language without a catalog records it
    as absent (``sha256`` None), so that adding ``ky.po`` later redraws the Kyrgyz
    maps drawn without one.
    """
    if code == SOURCE_LANGUAGE:
        return {}
    catalog = catalog_path(code)
    digest = file_sha256(catalog) if catalog.is_file() else None
    found = {relative(catalog, PACKAGE_ROOT): {"sha256": digest, "copy": CATALOG}}
    tables = {Path(t) for t in spec.names if Path(t).is_file()}
    return {**found, **user_files(tables, project)}


def inputs(used: set[str]) -> dict[str, dict]:
    """The datasets a map read, by name: hash, copy in use and its file in fergana."""
    found = {}
    for name in sorted(used):
        copy = geo.copy_in_use(name)
        record = {
            "sha256": file_sha256(copy.path),
            "copy": copy.origin,
            "file": _dataset_file(copy.path),
        }
        if copy.origin == "cache":
            record.update({k: copy.meta[k] for k in ("url", "retrieved", "etag") if k in copy.meta})
        found[name] = record
    return found


def user_files(files: set[Path], project: Path) -> dict[str, dict]:
    """The user's files a map read, by path relative to `project`, with their hashes."""
    return {
        relative(path, project): {"sha256": file_sha256(path), "copy": USER_FILE}
        for path in sorted(files)
    }


def relative(path: Path, project: Path) -> str:
    """`path` relative to `project`, in ``/`` form (with ``..`` when it lies outside)."""
    return Path(os.path.relpath(Path(path).resolve(), project.resolve())).as_posix()


def _dataset_file(path: Path) -> str:
    """A dataset file, named without the local folders it sits in."""
    path = Path(path).resolve()
    for root, prefix in ((PACKAGE_ROOT, ""), (geo.cache_dir().resolve(), "cache/")):
        if path.is_relative_to(root):
            return prefix + path.relative_to(root).as_posix()
    return path.name


_FILE_HASHES: dict[tuple[str, int, int], str] = {}


def file_sha256(path: str | Path) -> str:
    """sha256 of a file (memoised per process by path, size and modification time)."""
    stat = os.stat(path)
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _FILE_HASHES:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        _FILE_HASHES[key] = digest.hexdigest()
    return _FILE_HASHES[key]
