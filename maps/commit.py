"""Committing finished maps into the output folder: renames, manifest, gallery.

Every change to the output folder is one numbered commit step (the fault hooks of
:mod:`maps.faults` stop a build before any one of them): each write of
``manifest.json``, each rename of a finished file into the folder, the write of
``index.html``. The order keeps the manifest true whenever the build stops:

1. the map's old entry leaves the manifest (one manifest write), so a build
   killed among the renames never leaves a manifest vouching for a half-replaced map;
2. each finished file is renamed from staging over its old version;
3. the new entry joins the manifest (one manifest write).

A map whose commit fails with an OSError (a full disk) is rolled back: its old
files come back from hard links made in staging before the renames (a second name
for a file takes no space), its old entry returns to the manifest when the disk
lets it, and :class:`CommitError` says that the previous maps are intact.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from pathlib import Path

import geo
from maps.faults import Fault
from maps.spec import SpecError

MANIFEST = "manifest.json"
GALLERY = "index.html"


class CommitError(OSError):
    """A map's finished files could not be moved into the output folder (a full disk).

    The message says what could not be written, that the previous maps are intact
    and what to do.
    """

    def __str__(self) -> str:
        return self.strerror or super().__str__()


class Commit:
    """The commit steps of one build into `out`, counted for the fault hooks.

    Parameters
    ----------
    out : Path
        The output folder (locked by the caller).
    manifest : dict
        The manifest as on disk; kept equal to it (or to a subset of it) as maps commit.
    code : str
        The hash of fergana's code, recorded in each new entry.
    fault : Fault, optional
        A test hook (see :mod:`maps.faults`).
    """

    def __init__(self, out: Path, manifest: dict, code: str, fault: Fault | None = None):
        self.out, self.manifest, self.code, self.fault = out, manifest, code, fault
        #: Commit steps begun so far.
        self.steps = 0

    def _step(self) -> None:
        self.steps += 1
        if self.fault is not None:
            self.fault.before_commit_step(self.steps)

    def _write_manifest(self) -> None:
        self._step()
        write_manifest(self.out, self.manifest)

    def map(self, entry: dict, folder: Path) -> None:
        """Move one map's finished files from `folder` into the output folder; record them.

        The entry is keyed by :func:`entry_id`: the spec file's name, or for an atlas
        page ``SPEC-ID/SLUG`` (its files are in the subfolder ``SPEC-ID``).

        Raises
        ------
        SpecError
            If an output's name would lead out of the folder (nothing changed then).
        CommitError
            If the folder could not be written; the map's previous files and
            entry are restored as far as the disk lets (the manifest always
            matches the files).
        """
        map_id = entry_id(entry)
        moves = []
        for name in entry["outputs"]:
            try:
                moves.append((folder / name, output_path(self.out, name)))
            except ValueError as err:
                raise SpecError(entry["spec"], f"output {err}", field="id") from None
        previous = self.manifest["maps"].get(map_id)
        backups = folder / ".previous"
        # (target, its old file's second name: None when it had none, or no hard link)
        done: list[tuple[Path, bool, Path | None]] = []
        try:
            if previous is not None:
                del self.manifest["maps"][map_id]
                self._write_manifest()
            backups.mkdir(exist_ok=True)
            for source, target in moves:
                target.parent.mkdir(exist_ok=True)
                existed, backup = target.is_file(), None
                if existed:
                    with contextlib.suppress(OSError):  # a folder without hard links
                        os.link(target, backups / target.name)
                        backup = backups / target.name
                self._step()
                os.replace(source, target)
                done.append((target, existed, backup))
            self.manifest["maps"][map_id] = {**entry, "code": self.code}
            self._write_manifest()
        except OSError as err:
            self._undo(map_id, previous, done)
            raise CommitError(err.errno, self._message(err)) from err
        if previous is not None:
            self._drop_outputs(previous, entry)

    def _drop_outputs(self, previous: dict, entry: dict) -> None:
        """Delete the previous build's files of the formats asked for that are not written now.

        E.g. ``ID.gif`` once ``[motion]`` is gone (GIF asked for), or ``ID.days.png``
        after a rename of ``[multiples] name`` (PNG asked for). Files of formats this
        build did not ask for stay, as they always did (``--format png`` leaves the
        HTML alone). A file that cannot be deleted is left.
        """
        formats = set(entry.get("formats", ()))
        for name in previous.get("outputs", {}):
            if name in entry["outputs"] or output_format(name) not in formats:
                continue
            with contextlib.suppress(OSError, ValueError):
                output_path(self.out, name).unlink()

    def remove(self, map_id: str) -> None:
        """Take a map out of the manifest, then delete its files (an atlas page that vanished).

        The manifest goes first, so that it never vouches for a deleted file; an
        atlas's subfolder goes with its last file.
        """
        entry = self.manifest["maps"].get(map_id)
        if entry is None:
            return
        del self.manifest["maps"][map_id]
        try:
            self._write_manifest()
            for name in entry["outputs"]:
                target = output_path(self.out, name)
                self._step()
                target.unlink(missing_ok=True)
                if target.parent != self.out.resolve():
                    with contextlib.suppress(OSError):  # not empty: other pages remain
                        target.parent.rmdir()
        except ValueError:
            return  # a name leading out of the folder: never delete outside it
        except OSError as err:
            raise CommitError(err.errno, self._message(err)) from err

    def _undo(self, map_id: str, previous: dict | None, done: list) -> None:
        """Put back the old files of a map whose commit failed, then its old entry."""
        self.manifest["maps"].pop(map_id, None)
        restored = True
        for target, existed, backup in reversed(done):
            try:
                if not existed:
                    target.unlink()
                elif backup is not None:
                    os.replace(backup, target)
                else:
                    restored = False
            except OSError:
                restored = False
        if previous is not None and restored:
            self.manifest["maps"][map_id] = previous
            try:
                write_manifest(self.out, self.manifest)
            except OSError:
                # the manifest on disk lacks the entry (or never lost it): forget it here
                # too, so that later writes cannot vouch for what the disk does not say
                self.manifest["maps"].pop(map_id, None)

    def _message(self, err: OSError) -> str:
        where = f" writing {Path(err.filename).name}" if err.filename else ""
        full = err.errno == errno.ENOSPC
        what = "disk full" if full else (err.strerror or str(err))
        fix = "; free some space and build again" if full else ""
        return (
            f"{what}{where}; the previous maps in {self.out} are intact "
            f"(manifest.json matches them){fix}"
        )

    def gallery(self) -> None:
        """Write ``index.html`` for the manifest's maps, when it changed (one step)."""
        from maps.gallery import gallery_html

        page, target = gallery_html(self.manifest, self.out), self.out / GALLERY
        if not target.is_file() or target.read_text(encoding="utf-8") != page:
            self._step()
            try:
                geo.write_text_atomic(target, page)
            except OSError as err:  # the old gallery stays, as the maps do
                raise CommitError(err.errno, self._message(err)) from err


def entry_id(entry: dict) -> str:
    """The manifest id of a map's entry: ``SPEC-ID``, or ``SPEC-ID/SLUG`` for an atlas page.

    In a language other than the map's first, the id of its outputs: ``SPEC-ID.CODE``
    (``SPEC-ID/SLUG.CODE``), which its ``alternates`` name as the current one.
    """
    for alternate in entry.get("alternates", ()):
        if alternate.get("current"):
            return alternate["id"]
    if "atlas" in entry:
        return f"{entry['atlas']}/{entry['slug']}"
    return Path(entry["spec"]).stem


def output_path(out: Path, name: str) -> Path:
    """``out / name`` for an output `name`: ``FILE`` or ``SUBFOLDER/FILE`` (atlas pages).

    Raises
    ------
    ValueError
        If `name` would lead out of `out` (more folders, ``..``, a link elsewhere).
    """
    parts = name.split("/")
    if len(parts) == 2 and parts[0] not in ("", ".", ".."):
        return geo.atomic.path_inside(geo.atomic.path_inside(out, parts[0]), parts[1])
    return geo.atomic.path_inside(out, name)


def output_format(name: str) -> str:
    """The build format that writes an output file: ``ID.embed.html`` and ``ID.txt`` are HTML's."""
    suffix = name.rpartition(".")[2]
    return "html" if suffix == "txt" else suffix


def read_manifest(out: Path) -> dict:
    """The output folder's manifest, or an empty one (also when it is unreadable)."""
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        if isinstance(manifest.get("maps"), dict):
            return manifest
    except (OSError, ValueError):
        pass
    return {"fergana": _version(), "maps": {}}


def write_manifest(out: Path, manifest: dict) -> None:
    """Write ``manifest.json`` atomically, keys sorted, no timestamps."""
    manifest["fergana"] = _version()
    text = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    geo.write_text_atomic(out / MANIFEST, text)


def write_gallery(out: Path, manifest: dict) -> None:
    """Write ``index.html``: every built map with thumbnail, caption, downloads and embed code."""
    Commit(out, manifest, "").gallery()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("fergana")
    except PackageNotFoundError:
        return "unknown"
