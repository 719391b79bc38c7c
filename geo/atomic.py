"""Atomic file writes: every writer in fergana goes through :func:`atomic_write`."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Literal, overload


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
    """Open a temporary file beside `path`; rename it over `path` on success.

    A failure (or a killed process) before the block ends leaves the previous
    file untouched and removes the temporary file where it can.

    Parameters
    ----------
    path : str or path-like
        Final file name. Its folder must exist.
    mode : {"w", "wb"}
        Text or binary.
    encoding : str
        Text encoding, for ``mode="w"``.

    Examples
    --------
    >>> with atomic_write(tmp_path / "map.html") as f:  # doctest: +SKIP
    ...     f.write(html)
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write mode must be 'w' or 'wb', not {mode!r}")
    target = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        kwargs = {"encoding": encoding, "newline": ""} if mode == "w" else {}
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
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
    if name in ("", ".", "..") or target.parent != root:
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
