"""Where refreshed copies of datasets live, and which copy is in use.

Layout of :func:`cache_dir`: ``NAME/`` holds a dataset's refreshed copies and its
``meta.json`` (which copy is in use); ``NAME.lock`` is the lock file of the process
refreshing ``NAME`` (see :func:`geo.locks.exclusive`; never deleted). Only a
refresh of ``NAME``, holding that lock, writes in ``NAME/``; nothing writes the
files of several datasets at once, so there is no cache-wide lock.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from geo.catalog import dataset

META_FILE = "meta.json"
LOCK_SUFFIX = ".lock"


def cache_dir() -> Path:
    """The user cache folder: ``$FERGANA_CACHE_DIR``, else the platform cache folder."""
    override = os.environ.get("FERGANA_CACHE_DIR")
    if override:
        return Path(override)
    if os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif os.uname().sysname == "Darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "fergana"


def lock_path(name: str) -> Path:
    """The lock file a refresh of dataset `name` holds: ``cache_dir()/NAME.lock``.

    Beside the dataset's folder rather than in it, so that deleting the folder
    (to go back to the embedded copy) cannot delete a lock that is held.
    """
    return cache_dir() / f"{name}{LOCK_SUFFIX}"


@dataclass(frozen=True)
class Copy:
    """The copy of a dataset that :func:`geo.load` reads.

    Attributes
    ----------
    path : Path
        The file.
    origin : {"embedded", "cache"}
        Shipped with fergana, or refreshed into the user cache.
    meta : dict
        For a cached copy: url, retrieved (ISO time), etag, last_modified, sha256.
    """

    path: Path
    origin: str
    meta: dict

    def describe(self) -> str:
        """One line: which copy, from where and when."""
        if self.origin == "embedded":
            return f"embedded copy {self.path}"
        return (
            f"refreshed copy {self.path} from {self.meta.get('url', '?')} "
            f"retrieved {self.meta.get('retrieved', '?')}"
        )


def copy_in_use(name: str) -> Copy:
    """The refreshed copy of `name` if the cache holds a complete one, else the embedded copy."""
    entry = dataset(name)
    folder = cache_dir() / name
    meta_path = folder / META_FILE
    if meta_path.is_file():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            path = folder / meta["file"]
        except (OSError, ValueError, KeyError):
            meta, path = {}, None
        if path is not None and path.is_file():
            return Copy(path=path, origin="cache", meta=meta)
    return Copy(path=entry.embedded_path, origin="embedded", meta={})
