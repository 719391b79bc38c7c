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
from dataclasses import dataclass, field
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
from maps.spec import PACKAGE_ROOT, SPEC_DIR, SpecError, load_spec, project_folder
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
#: Motion formats: written for maps with a ``[motion]`` table (:mod:`maps.motion`).
MOTION_FORMATS = ("gif", "mp4")
CODE_ROOTS = ("geo", "layers", "maps")
CODE_SUFFIXES = (".py", ".csv", ".toml", ".html", ".js", ".css")
#: The ``copy`` of a manifest input that is one of the user's own files.
USER_FILE = "user"
#: The output folder's lock file (see :mod:`geo.locks`): one build writes a folder at a time.
LOCK_FILE = ".lock"


@dataclass
class MapResult:
    """What happened to one map in a build."""

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
        return _build(paths, out, tuple(formats), jobs, force, progress, scheduler)


@dataclass
class _Plan:
    """What a build does: maps already up to date, maps to render, atlas bookkeeping."""

    skipped: list[MapResult] = field(default_factory=list)
    failed: list[MapResult] = field(default_factory=list)
    tasks: list[tuple] = field(default_factory=list)
    #: Result id -> (spec's place in the build, page number) for the report's order.
    order: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: Atlas id -> the datasets and files its coverage was read from (joined to each page).
    coverage: dict[str, dict] = field(default_factory=dict)
    #: Manifest ids to remove once the build's maps are committed (vanished atlas pages).
    stale: list[str] = field(default_factory=list)
    #: Whether pages were kept whose coverage file changed (their entries now say so).
    refreshed: bool = False

    @property
    def total(self) -> int:
        return len(self.skipped) + len(self.failed) + len(self.tasks)


def _build(paths, out: Path, formats, jobs, force, progress, scheduler=None) -> BuildReport:
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
        plan = _plan(paths, manifest, code, formats, out, force, (staging, formats, ship))
        for result in [*plan.skipped, *plan.failed]:
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
    results.sort(key=lambda r: plan.order.get(r.id, (len(paths), 0)))
    return BuildReport(results, out)


def _plan(paths, manifest: dict, code: str, formats, out: Path, force: bool, rest) -> _Plan:
    """Which maps and atlas pages are up to date, and the render tasks for the others.

    An atlas whose spec, code and every page's inputs are unchanged is decided from
    the pages the manifest lists (no geopandas); otherwise its pages are listed
    again here and each is rebuilt unless its record and inputs are unchanged.
    """
    plan = _Plan()
    maps = manifest["maps"]
    for n, path in enumerate(paths):
        spec_hash = file_sha256(path)
        entry = maps.get(path.stem)
        pages = sorted(
            (e.get("page_order", 0), map_id)
            for map_id, e in maps.items()
            if e.get("atlas") == path.stem
        )
        if force or (entry is not None) == bool(pages):
            pass  # forced, never built, or both a map and an atlas: decided below
        elif entry is not None:
            if _up_to_date(entry, spec_hash, code, formats, out, path):
                plan.skipped.append(_skipped(path.stem, entry))
                plan.order[path.stem] = (n, 0)
                continue
        elif all(_up_to_date(maps[i], spec_hash, code, formats, out, path) for _, i in pages):
            for k, map_id in pages:
                plan.skipped.append(_skipped(map_id, maps[map_id]))
                plan.order[map_id] = (n, k)
            continue
        _plan_spec(plan, n, path, spec_hash, maps, code, formats, out, force, rest)
    return plan


def _plan_spec(plan: _Plan, n: int, path, spec_hash, maps, code, formats, out, force, rest):
    """Add the tasks of one spec that is not up to date: the map, or its atlas's pages."""
    old_pages = [i for i, e in maps.items() if e.get("atlas") == path.stem]
    try:
        spec = load_spec(path)
    except SpecError:
        spec = None  # its worker says what is wrong, as for any map
    if spec is None or spec.atlas is None or spec.id != path.stem:
        plan.tasks.append((path, spec_hash, *rest))
        plan.order[path.stem] = (n, 0)
        if spec is not None and spec.atlas is None:
            plan.stale += old_pages  # it was an atlas and is no longer
        return
    project = project_folder(path)
    try:
        with geo.recording() as used:
            pages = atlas_pages(spec)
        plan.coverage[spec.id] = {**_inputs(used.datasets), **_user_files(used.files, project)}
    except Exception as err:  # the atlas fails; the other maps go on
        cause, message = failure(err)
        result = MapResult(path.stem, "failed", error=message, cause=cause)
        result.detail = traceback.format_exc()
        plan.failed.append(result)
        plan.order[path.stem] = (n, 0)
        return
    ids = set()
    for page in pages:
        map_id = page_id(spec.id, page)
        ids.add(map_id)
        plan.order[map_id] = (n, page.number)
        entry = maps.get(map_id)
        # a page is redrawn when what it shows changed: its record (extent, fields) or its
        # own inputs; not because another feature of the coverage file changed
        if (
            not force
            and entry is not None
            and entry.get("page_sha256") == page_digest(page)
            and _up_to_date({**entry, "coverage": {}}, spec_hash, code, formats, out, path)
        ):
            entry["page_order"] = page.number  # its place may move without a redraw
            plan.refreshed |= entry.get("coverage") != plan.coverage[spec.id]
            entry["coverage"] = plan.coverage[spec.id]
            plan.skipped.append(_skipped(map_id, entry))
        else:
            plan.tasks.append((path, spec_hash, *rest, page))
    plan.stale += [i for i in old_pages if i not in ids]
    if path.stem in maps:  # it was a single map and is now an atlas
        plan.stale.append(path.stem)


def _skipped(map_id: str, entry: dict) -> MapResult:
    return MapResult(
        map_id,
        "skipped",
        outputs=sorted(entry["outputs"]),
        warnings=list(entry.get("warnings", [])),
    )


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
) -> tuple[MapResult, dict | None]:
    """Render one spec, or one `page` of its atlas, into ``staging/ID``; never raises.

    Failures come back as results. With `ship`, the map is rendered into a
    temporary folder of this (worker) process instead, and its files' bytes travel
    back in ``entry["payload"]``.
    """
    if not ship:
        return _built(path, spec_hash, staging, formats, page)
    with tempfile.TemporaryDirectory(prefix="fergana-worker-") as local:
        result, entry = _built(path, spec_hash, Path(local), formats, page)
        if entry is not None:
            folder = Path(local) / result.id
            entry["payload"] = {name: (folder / name).read_bytes() for name in entry["outputs"]}
        return result, entry


def _built(
    path: Path,
    spec_hash: str,
    staging: Path,
    formats: tuple[str, ...],
    page: AtlasPage | None = None,
) -> tuple[MapResult, dict | None]:
    from maps.compose import compose

    start = time.perf_counter()
    map_id = path.stem if page is None else page_id(path.stem, page)
    try:
        spec = load_spec(path)
        if spec.id != path.stem:
            raise SpecError(
                path, f"id {spec.id!r} must match the file name {path.stem!r}", field="id"
            )
        atlas = spec
        if page is not None:
            spec = page_spec(spec, page)
        folder = staging / spec.id
        folder.mkdir(parents=True)
        project = project_folder(path)
        with geo.recording() as used, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", geo.DataWarning)
            composition = compose(spec)
            written = _render(composition, folder, formats)
        said = list(composition.warnings) + data_warnings(caught, project)
        entry = {
            "spec": _relative(path, project),
            "spec_sha256": spec_hash,
            "formats": drawn_formats(formats, motion=spec.motion is not None),
            "motion": spec.motion is not None,
            "title": spec.title,
            "order": spec.order,
            "caption": composition.caption,
            "inputs": {**_inputs(used.datasets), **_user_files(used.files, project)},
            "sources": [c.text() for c in composition.credits],
            # the writers may give resolved paths of a relative folder
            "outputs": {
                p.resolve().relative_to(folder.resolve()).as_posix(): file_sha256(p)
                for p in sorted(written)
            },
            "warnings": said,
        }
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


def drawn_formats(formats: Sequence[str], *, motion: bool) -> list[str]:
    """The formats a map is drawn in, sorted: GIF and MP4 only for a map with ``[motion]``.

    A build records these, so that asking for GIF or MP4 (or ffmpeg coming or going,
    which drops MP4 from the default formats) rebuilds only the maps that move.
    """
    return sorted(f for f in formats if motion or f not in MOTION_FORMATS)


def _up_to_date(
    entry: dict | None, spec_hash: str, code: str, formats, out: Path, path: Path
) -> bool:
    if (
        entry is None
        or entry.get("spec_sha256") != spec_hash
        or entry.get("formats") != drawn_formats(formats, motion=bool(entry.get("motion")))
    ):
        return False
    if entry.get("code") != code:
        return False
    project = project_folder(path)
    # an atlas page's coverage file counts too: decided from the manifest, a changed one
    # has the driver list the pages again (and redraw only those whose record changed)
    for name, digest in {**entry.get("coverage", {}), **entry["inputs"]}.items():
        if digest.get("copy") == USER_FILE:
            user_file = project / name
            if not user_file.is_file() or file_sha256(user_file) != digest["sha256"]:
                return False
            continue
        try:
            copy = geo.copy_in_use(name)
        except KeyError:
            return False
        if file_sha256(copy.path) != digest["sha256"]:
            return False
    return all(
        (out / name).is_file() and file_sha256(out / name) == digest
        for name, digest in entry["outputs"].items()
    )


def _inputs(used: set[str]) -> dict[str, dict]:
    """The datasets a map read, by name: hash, copy in use and its file in fergana."""
    inputs = {}
    for name in sorted(used):
        copy = geo.copy_in_use(name)
        record = {
            "sha256": file_sha256(copy.path),
            "copy": copy.origin,
            "file": _dataset_file(copy.path),
        }
        if copy.origin == "cache":
            record.update({k: copy.meta[k] for k in ("url", "retrieved", "etag") if k in copy.meta})
        inputs[name] = record
    return inputs


def _user_files(files: set[Path], project: Path) -> dict[str, dict]:
    """The user's files a map read, by path relative to `project`, with their hashes."""
    return {
        _relative(path, project): {"sha256": file_sha256(path), "copy": USER_FILE}
        for path in sorted(files)
    }


def _relative(path: Path, project: Path) -> str:
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
