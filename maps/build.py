"""Regenerating every map: incremental, parallel, atomic, with a manifest and a gallery.

A map is rebuilt only when its inputs changed: the spec file, the datasets it
read (recorded at its last build, with the copy in use: embedded or refreshed),
the user's own data files it read, the code of fergana, or the requested formats.
Paths in the manifest are relative to the spec's project (see
:func:`maps.spec.project_folder`), never absolute. Each map renders into a staging
folder; its finished files are then renamed into the output folder and the
manifest is rewritten at once (:mod:`maps.commit`), so a failed or killed build
leaves the previous outputs and a manifest that matches them. Maps render in
worker processes that die with the build however it ends (:mod:`maps.workers`).

Test hook: the environment variable ``FERGANA_FAULT`` stops a build at an exact
point, e.g. ``FERGANA_FAULT=commit:3`` SIGKILLs it just before its third commit
step and ``FERGANA_FAULT=render:kill-parent`` has a worker SIGKILL it while maps
render (all forms in :mod:`maps.faults`). Unset, it does nothing.

A no-op build decides from hashes alone and imports neither geopandas nor a
renderer: composition and the renderers are imported by the maps being built.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import geo
from geo.locks import Holder, exclusive
from maps.atlas import AtlasPage, atlas_pages, page_digest, page_id, page_spec
from maps.commit import (
    MANIFEST,
    Commit,
    CommitError,
    output_path,
    read_manifest,
    write_gallery,
    write_manifest,
)
from maps.faults import fault_from_env
from maps.languages import alternates, missing_line, spec_languages
from maps.plan import (
    MOTION_FORMATS,
    MapResult,
    drawn_formats,
    file_sha256,
    inputs,
    language_id,
    language_inputs,
    plan_build,
    relative,
    user_files,
)
from maps.spec import PACKAGE_ROOT, SPEC_DIR, MapSpec, SpecError, load_spec, project_folder
from maps.workers import rendered

__all__ = [  # the names other modules import; read_manifest & co. live in maps.commit
    "FORMATS",
    "LOCK_FILE",
    "MANIFEST",
    "BuildReport",
    "MapResult",
    "build",
    "build_one",
    "code_hash",
    "data_warnings",
    "drawn_formats",
    "failure",
    "file_sha256",
    "find_specs",
    "print_progress",
    "read_manifest",
    "shortened",
    "spec_paths",
    "write_gallery",
    "write_manifest",
]

FORMATS = ("html", "png", "svg", "pdf", "gif", "mp4")
#: Print formats: with ``[multiples]`` they also give the small-multiples page.
PRINT_FORMATS = ("png", "svg", "pdf")
CODE_ROOTS = ("geo", "layers", "maps")
CODE_SUFFIXES = (".py", ".csv", ".toml", ".html", ".js", ".css")
#: The output folder's lock file (see :mod:`geo.locks`): one build writes a folder at a time.
LOCK_FILE = ".lock"


@dataclass
class BuildReport:
    """The outcome of :func:`build`: one result per spec."""

    results: list[MapResult]
    out_dir: Path

    @property
    def ok(self) -> bool:
        """True when every map was built or was already up to date."""
        return all(r.status != "failed" for r in self.results)

    @property
    def failed(self) -> list[MapResult]:
        """The maps that failed, in spec order."""
        return [r for r in self.results if r.status == "failed"]


def spec_paths(only: Sequence[str] = (), spec_dir: Path = SPEC_DIR) -> list[Path]:
    """The spec files to build, by id; an unknown id raises SpecError listing the ids."""
    return _only(sorted(spec_dir.glob("*.toml")), only, spec_dir)


def find_specs(places: Sequence[str | Path], only: Sequence[str] = ()) -> list[Path]:
    """The spec files named by `places`: files, or folders of them.

    A folder gives its ``*.toml`` files, or those of its ``specs/`` subfolder when it
    has one. With no `places`, the built-in story maps. `only` keeps these ids.

    Raises
    ------
    SpecError
        For a path that does not exist, a folder without specs, two spec files with
        one id (naming both) or an id in `only` that no spec has.
    """
    if not places:
        return spec_paths(only)
    found: dict[str, Path] = {}
    for place in map(Path, places):
        if place.is_dir():
            folder = place / "specs" if (place / "specs").is_dir() else place
            files = sorted(folder.glob("*.toml"))
            if not files:
                raise SpecError(folder, "holds no spec files (*.toml)")
        elif place.is_file():
            files = [place]
        else:
            raise SpecError(place, "no such spec file or folder")
        for path in files:
            other = found.setdefault(path.stem, path)
            if other.resolve() != path.resolve():
                raise SpecError(
                    path,
                    f"has the same id {path.stem!r} as {other}",
                    hint="map ids name the output files: rename one of the specs",
                )
    return _only(list(found.values()), only, ", ".join(map(str, places)))


def _only(paths: list[Path], only: Sequence[str], where) -> list[Path]:
    if not only:
        return paths
    by_id = {p.stem: p for p in paths}
    missing = [i for i in only if i not in by_id]
    if missing:
        raise SpecError(
            where, f"no spec with id {', '.join(missing)}", hint=f"ids: {', '.join(by_id)}"
        )
    return [by_id[i] for i in only]


def build(
    paths: Sequence[Path],
    out_dir: str | Path,
    *,
    formats: Sequence[str] = FORMATS,
    jobs: int | None = None,
    force: bool = False,
    progress: Callable[[MapResult, int, int], None] | None = None,
    wait: bool = False,
    on_wait: Callable[[Holder], None] | None = None,
    scheduler: str | None = None,
    languages: Sequence[str] = (),
) -> BuildReport:
    """Build the maps of `paths` into `out_dir`.

    Parameters
    ----------
    paths : sequence of Path
        Spec files (see :func:`spec_paths`).
    out_dir : str or Path
        Output folder, created if needed; holds the maps, ``manifest.json`` and ``index.html``.
    formats : sequence of {"html", "png", "svg", "pdf", "gif", "mp4"}
        What to write for each map (GIF and MP4 only for maps with ``[motion]``).
    jobs : int, optional
        Maps built in parallel (processes); default: the number of cores.
    scheduler : str, optional
        A Dask scheduler's address (``tcp://HOST:PORT``): maps are rendered by its
        workers instead of local processes (needs ``fergana[dask]``). Workers send
        back their files' bytes and hashes; this process writes and commits them.
    force : bool
        Rebuild even when nothing changed.
    progress : callable, optional
        Called as ``progress(result, done, total)`` after each map.
    wait : bool
        If another build holds the folder, wait for it instead of raising LockHeldError.
    on_wait : callable, optional
        Called with the other build's :class:`~geo.locks.Holder` before waiting.
    languages : sequence of str
        Build only these languages (``--lang``); empty: every language of each spec.
        A language a spec does not list is built all the same (see
        :func:`maps.languages.build_languages`).

    Returns
    -------
    BuildReport
        ``report.ok`` is False if any map failed; the others are still built.

    Raises
    ------
    geo.locks.LockHeldError
        If another process is building into `out_dir` (and `wait` is false).
    OSError
        If `out_dir` cannot be created or written.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown format(s) {', '.join(unknown)}; formats: {', '.join(FORMATS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with exclusive(
        out / LOCK_FILE,
        target=str(out),
        command="fergana build",
        wait=wait,
        on_wait=on_wait,
        hint="wait for it (fergana build --wait) or stop it",
    ):
        return _build(
            paths, out, tuple(formats), jobs, force, progress, scheduler, tuple(languages)
        )


def _build(
    paths, out: Path, formats, jobs, force, progress, scheduler=None, languages=()
) -> BuildReport:
    fault = fault_from_env()
    manifest = read_manifest(out)
    code = code_hash()
    for stale in out.glob(".staging-*"):  # left by a killed build; we hold the lock
        shutil.rmtree(stale, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    commit = Commit(out, manifest, code, fault)
    results: list[MapResult] = []
    try:
        ship = scheduler is not None  # a remote worker cannot write into our staging folder
        rest = (staging, formats, ship)
        plan = plan_build(paths, manifest, code, formats, out, force, rest, languages)
        for result in [*plan.skipped, *map(_listing_failed, plan.errors)]:
            results.append(result)
            if progress:
                progress(result, len(results), plan.total)
        # Any exception in this block (an error, Ctrl-C, the CLI's SIGTERM exception)
        # kills the workers at once on its way out of `rendered`; the staging folder
        # goes next; what was committed stays, with a manifest that matches it.
        with rendered(
            build_one, plan.tasks, jobs, fault, scheduler=scheduler, version=code_hash
        ) as finished:
            for result, entry in finished:
                if entry is not None and "payload" in entry:
                    result, entry = _landed(result, entry, staging)
                if entry is not None:
                    if entry.get("atlas") in plan.coverage:
                        entry["coverage"] = plan.coverage[entry["atlas"]]
                    result = _committed(commit, result, entry, staging)
                results.append(result)
                if progress:
                    progress(result, len(results), plan.total)
        for map_id in plan.stale:
            commit.remove(map_id)
        if plan.refreshed and not plan.tasks:  # pages kept with their coverage's new hashes
            write_manifest(out, manifest)
        commit.gallery()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    results.sort(key=lambda r: plan.order.get(r.id, (len(paths), 0, 0)))
    return BuildReport(results, out)


def _listing_failed(error: tuple[str, BaseException, str]) -> MapResult:
    """The result of an atlas whose pages could not be listed."""
    map_id, err, detail = error
    cause, message = failure(err)
    return MapResult(map_id, "failed", error=message, cause=cause, detail=detail)


def _landed(result: MapResult, entry: dict, staging: Path) -> tuple[MapResult, dict | None]:
    """A shipped map's files written into staging, each checked against its hash.

    A worker of a remote scheduler renders into its own temporary folder and sends
    the files back in ``entry["payload"]``; a file whose bytes do not match the hash
    the worker computed fails the map (nothing of it is committed).
    """
    payload = entry.pop("payload")
    folder = staging / result.id
    try:
        for name, data in payload.items():
            target = output_path(folder, name)
            if hashlib.sha256(data).hexdigest() != entry["outputs"].get(name):
                raise ValueError(f"{name} arrived damaged from its worker (sha256 differs)")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    except (OSError, ValueError) as err:
        cause, message = failure(err)
        failed = MapResult(result.id, "failed", result.seconds, error=message, cause=cause)
        return failed, None
    return result, entry


def _committed(commit: Commit, result: MapResult, entry: dict, staging: Path) -> MapResult:
    """`result` once its files are in the output folder, or a failure saying why not."""
    try:
        commit.map(entry, staging / result.id)
    except CommitError as err:
        detail = traceback.format_exc()
        return MapResult(
            result.id, "failed", result.seconds, error=str(err), cause="environment", detail=detail
        )
    return result


def build_one(
    path: Path,
    spec_hash: str,
    staging: Path,
    formats: tuple[str, ...],
    ship: bool = False,
    page: AtlasPage | None = None,
    code: str | None = None,
    every: tuple[str, ...] | None = None,
) -> tuple[MapResult, dict | None]:
    """Render one spec, or one `page` of its atlas, in one language into ``staging/ID``.

    Never raises: failures come back as results. `code` is the language (default:
    the spec's first), `every` the languages of the spec in this build (default: its
    ``languages``; :func:`maps.languages.build_languages`). With `ship`, the map is
    rendered into a temporary folder of this (worker) process instead, and its files'
    bytes travel back in ``entry["payload"]``.
    """
    if not ship:
        return _built(path, spec_hash, staging, formats, page, code, every)
    with tempfile.TemporaryDirectory(prefix="fergana-worker-") as local:
        result, entry = _built(path, spec_hash, Path(local), formats, page, code, every)
        if entry is not None:
            folder = Path(local) / result.id
            entry["payload"] = {name: (folder / name).read_bytes() for name in entry["outputs"]}
        return result, entry


def _page_in_language(spec: MapSpec, page: AtlasPage, lang) -> AtlasPage:
    """`page` with its fields as the current language writes them (numbers, the layer's words).

    The plan reads the pages once, in English; a page in another language takes the
    fields of the same feature read again while that language is current.
    """
    if lang.is_source:
        return page
    again = {p.key: p for p in atlas_pages(spec)}
    found = again.get(page.key)
    return page if found is None else dataclasses.replace(page, fields=found.fields)


def _built(
    path: Path,
    spec_hash: str,
    staging: Path,
    formats: tuple[str, ...],
    page: AtlasPage | None = None,
    code: str | None = None,
    every: tuple[str, ...] | None = None,
) -> tuple[MapResult, dict | None]:
    from geo.language import language, speaking
    from geo.names import local_names
    from maps.compose import compose
    from maps.spec_text import spec_in

    start = time.perf_counter()
    base = path.stem if page is None else page_id(path.stem, page)
    map_id = base if code is None or every is None else language_id(base, code, every)
    try:
        spec = load_spec(path)
        if spec.id != path.stem:
            raise SpecError(
                path, f"id {spec.id!r} must match the file name {path.stem!r}", field="id"
            )
        every = every or spec_languages(spec)
        code = code or every[0]
        if every != spec_languages(spec):  # --lang asked for a language the spec lacks
            spec = dataclasses.replace(spec, languages=every)
        # English needs no place names; the others' are read before the map records its inputs
        names = None if code == "en" else local_names(code, tuple(map(Path, spec.names)))
        lang = language(code, names=names)
        folder = staging / map_id
        folder.mkdir(parents=True)
        project = project_folder(path)
        with (
            geo.recording() as used,
            warnings.catch_warnings(record=True) as caught,
            speaking(lang),
        ):
            warnings.simplefilter("always", geo.DataWarning)
            spec = atlas = spec_in(spec, code)
            if page is not None:
                spec = page_spec(spec, _page_in_language(atlas, page, lang))
            composition = compose(spec)
            written = _render(composition, folder, formats)
        said = list(composition.warnings) + data_warnings(caught, project)
        entry = {
            "spec": relative(path, project),
            "spec_sha256": spec_hash,
            "formats": drawn_formats(formats, motion=spec.motion is not None),
            "motion": spec.motion is not None,
            "title": spec.title,
            "order": spec.order,
            "caption": composition.caption,
            "inputs": {
                **inputs(used.datasets),
                **user_files(used.files, project),
                **language_inputs(spec, code, project),
            },
            "sources": [c.text() for c in composition.credits],
            # the writers may give resolved paths of a relative folder
            "outputs": {
                p.resolve().relative_to(folder.resolve()).as_posix(): file_sha256(p)
                for p in sorted(written)
            },
            "warnings": said,
            "language": code,
        }
        if not lang.is_source:
            entry["missing"] = lang.missing.as_record()
        if code != every[0]:
            entry["alternates"] = [
                {"code": a.code, "id": a.stem.as_posix(), "current": a.current}
                for a in alternates(spec)
            ]
        if page is not None:
            entry.update(
                atlas=atlas.id,
                atlas_title=atlas.title,
                page=page.key,
                slug=page.slug,
                page_order=page.number,
                page_sha256=page_digest(page),
            )
        seconds = time.perf_counter() - start
        result = MapResult(
            map_id,
            "built",
            seconds,
            outputs=sorted(entry["outputs"]),
            warnings=entry["warnings"],
            missing=missing_line(map_id, code, entry.get("missing")),
        )
        return result, entry
    except Exception as err:  # keep the other maps going
        seconds = time.perf_counter() - start
        cause, message = failure(err)
        detail = traceback.format_exc()
        return MapResult(map_id, "failed", seconds, error=message, cause=cause, detail=detail), None


def failure(err: BaseException) -> tuple[str, str]:
    """(cause, one-paragraph message) for an exception that stopped a map or a command.

    Causes: "input" (a spec or data the user can fix), "environment" (a folder
    that cannot be written, a full disk, a lock held) or "bug" (anything else:
    fergana's fault, said so, with the way to see the traceback).
    """
    import errno

    if isinstance(err, CommitError):  # says itself that the previous maps are intact
        return "environment", str(err)
    if isinstance(err, OSError) and not isinstance(err, FileNotFoundError | IsADirectoryError):
        if err.errno == errno.ENOSPC:
            where = f" writing {err.filename}" if err.filename else ""
            return "environment", f"disk full{where}; free some space and build again"
        return "environment", str(err)
    if isinstance(err, geo.DataError | SpecError | ValueError | FileNotFoundError):
        return "input", str(err)
    if isinstance(err, KeyError):
        return "input", str(err.args[0]) if err.args else repr(err)
    return "bug", (
        f"internal error in fergana: {type(err).__name__}: {err} "
        "(rerun with --debug for the traceback, and please report it)"
    )


def data_warnings(caught: list[warnings.WarningMessage], project: Path) -> list[str]:
    """What the data warned about (an encoding assumed, shapes repaired), paths relative.

    Other warnings are passed on as they came.
    """
    said = []
    for caught_warning in caught:
        if issubclass(caught_warning.category, geo.DataWarning):
            text = str(caught_warning.message).replace(str(project) + os.sep, "")
            if text not in said:
                said.append(text)
        else:
            warnings.warn_explicit(
                caught_warning.message,
                caught_warning.category,
                caught_warning.filename,
                caught_warning.lineno,
            )
    return said


def _render(composition, folder: Path, formats: tuple[str, ...]) -> list[Path]:
    from maps.scene import build_scene

    if "/" in composition.spec.id:
        # an atlas page SPEC-ID/SLUG: its files are SLUG.* in the subfolder SPEC-ID
        atlas_id, slug = composition.spec.id.split("/")
        folder = folder / atlas_id
        folder.mkdir(parents=True, exist_ok=True)
        composition = dataclasses.replace(
            composition, spec=dataclasses.replace(composition.spec, id=slug)
        )

    scene = build_scene(composition)  # decided once, drawn by both renderers
    written: list[Path] = []
    if "html" in formats:
        from maps.web import write_web

        written += write_web(scene, folder)
    spec = composition.spec
    static = tuple(f for f in formats if f in PRINT_FORMATS)
    if static:
        from maps.print import write_static

        written += write_static(scene, folder, formats=static, size=spec.print_size)
    if static and spec.multiples is not None:
        from maps.print.multiples import write_multiples

        written += write_multiples(scene, folder, formats=static)
    motion = tuple(f for f in formats if f in MOTION_FORMATS)
    if motion and spec.motion is not None:
        from maps.motion import write_motion

        written += write_motion(scene, folder, formats=motion)
    return written


def code_hash() -> str:
    """sha256 over fergana's code and layer data (specs and datasets are hashed per map)."""
    digest = hashlib.sha256()
    skip = (PACKAGE_ROOT / "geo" / "data", SPEC_DIR)
    for root in CODE_ROOTS:
        for path in sorted((PACKAGE_ROOT / root).rglob("*")):
            if path.suffix in CODE_SUFFIXES and not any(path.is_relative_to(s) for s in skip):
                digest.update(path.relative_to(PACKAGE_ROOT).as_posix().encode())
                digest.update(file_sha256(path).encode())
    return digest.hexdigest()


def shortened(message: str) -> str:
    """`message` with paths inside the current folder written relative to it."""
    here = str(Path.cwd())
    return message.replace(here + os.sep, "") if here != os.sep else message


def print_progress(stream=None, *, debug: bool = False) -> Callable[[MapResult, int, int], None]:
    """A progress callback on `stream` (default: standard error at call time).

    A live line on a terminal, plain lines otherwise; warnings and errors always
    on lines of their own; a failure's traceback only with `debug`.
    """
    stream = stream or sys.stderr
    live = stream.isatty()

    def show(result: MapResult, done: int, total: int) -> None:
        mark = {"built": "built", "skipped": "up to date", "failed": "FAILED"}[result.status]
        line = f"[{done}/{total}] {result.id}: {mark}"
        if result.status == "built":
            line += f" in {result.seconds:.1f} s ({len(result.outputs)} files)"
        if result.warnings:
            line += "".join(f"\n    warning: {w}" for w in result.warnings)
        if live and result.status != "failed" and not result.warnings:
            stream.write("\r\033[K" + line + ("\n" if done == total else ""))
        else:
            stream.write(("\r\033[K" if live else "") + line + "\n")
            if result.status == "failed":
                error = shortened(result.error.rstrip())
                if debug and result.detail:
                    error += "\n" + shortened(result.detail.rstrip())
                stream.write("    " + error.replace("\n", "\n    ") + "\n")
        stream.flush()

    return show
