"""Atomic file writes: every writer in fergana goes through :func:`atomic_write`.

A file is written under a temporary name beside its final name, its data synced
to disk, renamed over the final name, and then the folder itself is synced so
that the rename survives a power cut (a rename is a change to the folder, and a
file's own ``fsync`` does not make it durable). Until the rename, a failure of
any kind - an exception in the caller's block, a full disk while writing or while
syncing, a killed process - leaves the previous file untouched.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Literal, overload

#: ``fsync`` of a folder is refused by some filesystems (and by Windows): not a failure.
_FOLDER_SYNC_UNSUPPORTED = frozenset({errno.EINVAL, errno.ENOTSUP, errno.EBADF})


@overload
@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str], mode: Literal["w"] = "w", *, encoding: str = "utf-8"
) -> Iterator[IO[str]]: ...


@overload
@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str], mode: Literal["wb"], *, encoding: str = "utf-8"
) -> Iterator[IO[bytes]]: ...


@contextlib.contextmanager
def atomic_write(path, mode="w", *, encoding="utf-8"):
    """Open a temporary file beside `path`; on success rename it over `path` durably.

    The new file gets mode 0644. A failure (or a killed process) before the block
    ends, or while its data is flushed and synced, leaves the previous file
    untouched and removes the temporary file where it can. Only if the final sync
    of the folder fails is the new file already in place (complete and synced, but
    its name perhaps not durable); the error is raised all the same.

    Parameters
    ----------
    path : str or path-like
        Final file name. Its folder must exist.
    mode : {"w", "wb"}
        Text or binary.
    encoding : str
        Text encoding, for ``mode="w"``.

    Raises
    ------
    OSError
        Of the class and ``errno`` of the failure (``ENOSPC`` for a full disk),
        with ``filename`` set to `path`, the file the caller asked for (never the
        temporary name).

    Examples
    --------
    >>> with atomic_write(tmp_path / "map.html") as f:  # doctest: +SKIP
    ...     f.write(html)
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write mode must be 'w' or 'wb', not {mode!r}")
    target = Path(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as err:
        raise _naming(err, target) from err
    try:
        kwargs = {"encoding": encoding, "newline": ""} if mode == "w" else {}
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
        folder = _open_folder(target.parent)  # before the rename: a failure here changes nothing
        try:
            os.replace(tmp_name, target)
            _sync_folder(folder)
        finally:
            if folder is not None:
                os.close(folder)
    except BaseException as err:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        if isinstance(err, OSError) and err.filename in (None, tmp_name):
            raise _naming(err, target) from err  # errors of other files pass as they are
        raise


def _naming(err: OSError, target: Path) -> OSError:
    """The same kind of error as `err` (class, errno, text), naming `target`."""
    if err.errno is None:
        return err
    # OSError(errno, ...) picks the subclass for the errno (PermissionError, ...).
    return OSError(err.errno, err.strerror or str(err), str(target))


def _open_folder(folder: Path) -> int | None:
    """A read-only descriptor of `folder` to sync, or None where folders cannot be opened.

    Windows has no ``O_DIRECTORY`` (NTFS journals renames itself); a folder that
    may be written but not read (mode ``-wx``) cannot be opened to sync either.
    """
    flag = getattr(os, "O_DIRECTORY", None)
    if flag is None:
        return None
    try:
        return os.open(folder, os.O_RDONLY | flag)
    except PermissionError:
        return None


def _sync_folder(fd: int | None) -> None:
    if fd is None:
        return
    try:
        os.fsync(fd)
    except OSError as err:
        if err.errno not in _FOLDER_SYNC_UNSUPPORTED:
            raise


def path_inside(folder: str | os.PathLike[str], name: str) -> Path:
    """``folder / name``, refusing a name that would lead out of `folder`.

    Raises
    ------
    ValueError
        If `name` holds a path separator or ``..``, or resolves (through links)
        anywhere but directly inside `folder`.
    """
    root = Path(folder).resolve()
    target = (root / name).resolve()
    separators = {"/", os.sep, os.altsep} - {None}
    if name in ("", ".", "..") or any(s in name for s in separators) or target.parent != root:
        raise ValueError(f"{name!r} would be written outside the folder {root}")
    return target


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path` atomically."""
    with atomic_write(path, "wb") as handle:
        handle.write(data)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write `text` (UTF-8) to `path` atomically."""
    with atomic_write(path, "w") as handle:
        handle.write(text)
