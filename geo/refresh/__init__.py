"""Refreshing datasets from their upstream sources over HTTP.

The embedded copy is the offline default. :func:`refresh` downloads a dataset's
upstream file (declared in ``data/upstreams.toml``), converts it into the catalog's
schema, validates it, and only then makes it the copy :func:`geo.load` reads, by
writing a new data file into ``cache_dir()/NAME/`` and then switching ``meta.json``
to it. A failure at any step leaves the previous copy in use.

The package, by concern: :mod:`~geo.refresh.fetch` (the HTTP fetcher every download
in :mod:`geo` uses), :mod:`~geo.refresh.sources` (the upstream registry),
:mod:`~geo.refresh.readers` (reading downloads), :mod:`~geo.refresh.convert`
(converters to the catalog schema, and mergers) and :mod:`~geo.refresh.commit`
(validate, then switch atomically). This module runs them in order.

A refresh holds the dataset's lock (``cache_dir()/NAME.lock``, see
:func:`geo.locks.exclusive`) from reading the copy in use to the switch, so two
refreshes of one dataset never interleave: the second fails at once, naming the
first. Refreshes of different datasets run side by side. The kernel releases the
lock of a killed refresh, so none is ever left stale.
"""

from __future__ import annotations

import contextlib
import errno
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from geo.cache import Copy, cache_dir, copy_in_use, lock_path
from geo.catalog import Dataset, dataset
from geo.errors import DataError
from geo.locks import Holder, LockHeldError, exclusive
from geo.refresh.commit import commit, embedded_like, provenance, validate
from geo.refresh.convert import (
    CONVERTERS,
    GEOMETRY_TYPES,
    GRID_DEGREES,
    MERGERS,
    NE_PLACES,
    UNHCR_FIGURES,
    Job,
    build,
    embedded,
    schema,
)
from geo.refresh.fetch import (
    CHUNK_BYTES,
    USER_AGENT,
    Download,
    Fetcher,
    Progress,
    RefreshError,
    fetch,
    human_size,
)
from geo.refresh.readers import READERS, SNIFF_BYTES, Parsed, Source, parse
from geo.refresh.sources import UPSTREAMS_FILE, Upstream, upstream, upstreams

__all__ = [
    "CHUNK_BYTES",
    "COMMAND",
    "CONVERTERS",
    "GEOMETRY_TYPES",
    "GRID_DEGREES",
    "MERGERS",
    "NE_PLACES",
    "READERS",
    "SNIFF_BYTES",
    "UNHCR_FIGURES",
    "UPSTREAMS_FILE",
    "USER_AGENT",
    "Download",
    "Fetcher",
    "Job",
    "Parsed",
    "Progress",
    "RefreshError",
    "RefreshResult",
    "RefreshWarning",
    "Source",
    "Upstream",
    "build",
    "embedded",
    "embedded_like",
    "fetch",
    "refresh",
    "schema",
    "upstream",
    "upstreams",
    "validate",
]


#: What a refresh records in its lock file, for the message a second one sees.
COMMAND = "fergana data refresh"

#: Errors of the machine, not of the download: an unwritable cache folder, a full disk.
ENVIRONMENT_ERRNOS = frozenset(
    {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.ENOTDIR}
)


class RefreshWarning(UserWarning):
    """Issued when a refresh fails and the previous copy stays in use."""


@dataclass(frozen=True)
class RefreshResult:
    """What :func:`refresh` did.

    Attributes
    ----------
    name : str
        The dataset.
    status : {"updated", "not-modified", "offline", "failed"}
        ``"failed"`` means the previous copy (refreshed or embedded) is still in use.
    message : str
        One or two sentences for the user.
    copy : Copy
        The copy :func:`geo.load` reads now.
    cause : {"", "data", "environment"}
        Why it failed: "data" (the download, its conversion or its validation) or
        "environment" (another refresh of the dataset holds its lock, the cache
        folder cannot be written, the disk is full); "" unless failed.
    """

    name: str
    status: str
    message: str
    copy: Copy
    cause: str = ""

    @property
    def ok(self) -> bool:
        """True unless the refresh failed."""
        return self.status != "failed"


def refresh(
    name: str,
    url: str | None = None,
    *,
    offline: bool = False,
    timeout: float | tuple[float, float] = (5, 30),
    retries: int = 3,
    max_bytes: int = 200_000_000,
    progress: Progress | None = None,
    backoff: float = 0.5,
    sha256: str | None = None,
) -> RefreshResult:
    """Download a newer copy of a dataset from its upstream into the user cache.

    Parameters
    ----------
    name : str
        A dataset with a declared upstream (see :func:`upstreams`).
    url : str, optional
        Download from here instead: a mirror, or a local copy (path or ``file://``).
        For upstreams in several parts it must contain ``{part}``.
    offline : bool
        Touch no network; report the copy in use.
    timeout : float or (float, float)
        Connect and read timeouts in seconds (the read timeout is the longest wait
        for the next bytes).
    retries : int
        Further attempts after a connection error, a broken body or a 5xx answer,
        waiting ``backoff * 2**n`` seconds before attempt ``n + 1``. A 4xx answer or
        a read timeout is not retried.
    max_bytes : int
        Largest download accepted, checked against Content-Length and while streaming.
    progress : callable, optional
        ``progress(bytes_so_far, total_or_None)`` while downloading.
    backoff : float
        Base of the exponential wait between attempts, in seconds.
    sha256 : str, optional
        Expected checksum of the download; overrides the declared one.

    Returns
    -------
    RefreshResult
        ``status`` is "updated", "not-modified", "offline" or "failed". A failure
        also issues a :class:`RefreshWarning`; the previous copy stays in use. If
        another process is refreshing `name`, the result fails at once (cause
        "environment") with ``"countries is being refreshed by fergana data refresh
        (pid 1234, since 14:02); wait for it or stop it"``.

    Raises
    ------
    KeyError
        If `name` is not in the catalog.

    Examples
    --------
    >>> geo.refresh("countries").message  # doctest: +SKIP
    'countries: updated from https://naciscdn.org/...'
    """
    before = copy_in_use(name)
    if offline:
        return RefreshResult(
            name, "offline", f"{name}: offline, not checked; using the {before.describe()}", before
        )
    try:
        source = upstream(name)
        checksum = (sha256 or source.sha256).lower()
        with (
            _dataset_lock(name),
            tempfile.TemporaryDirectory(prefix="fergana-refresh-") as tmp,
            requests.Session() as s,
        ):
            before = copy_in_use(name)  # again, under the lock: it may have changed
            fetcher = Fetcher(
                s,
                Path(tmp),
                timeout=timeout,
                retries=retries,
                backoff=backoff,
                max_bytes=max_bytes,
                progress=progress,
            )
            status, message = _refresh(dataset(name), source, url, before, fetcher, checksum)
    except Exception as err:  # every failure leaves the previous copy in use
        if isinstance(err, LockHeldError):
            message = str(err)
        else:
            message = f"{name}: refresh failed: {_reason(err)}. Still using the {before.describe()}"
        warnings.warn(message, RefreshWarning, stacklevel=2)
        return RefreshResult(name, "failed", message, copy_in_use(name), _cause(err))
    return RefreshResult(name, status, message, copy_in_use(name))


def _dataset_lock(name: str) -> contextlib.AbstractContextManager[Holder]:
    """The lock of dataset `name`, held by this refresh; LockHeldError if another holds it."""
    cache_dir().mkdir(parents=True, exist_ok=True)
    return exclusive(
        lock_path(name),
        target=name,
        command=COMMAND,
        verb="refreshed",
        hint="wait for it or stop it",
    )


def _is_environment(err: Exception) -> bool:
    """A held lock, or an OSError of the machine or about the cache folder (not the download)."""
    if not isinstance(err, OSError) or isinstance(err, requests.RequestException):
        return False
    return isinstance(err, LockHeldError) or err.errno in ENVIRONMENT_ERRNOS or _about_cache(err)


def _about_cache(err: OSError) -> bool:
    """Whether `err` is about the cache folder, a file in it or a folder on the way to it."""
    if not isinstance(err.filename, str | Path):
        return False
    path, cache = Path(err.filename).absolute(), cache_dir().absolute()
    return path == cache or path in cache.parents or cache in path.parents


def _cause(err: Exception) -> str:
    return "environment" if _is_environment(err) else "data"


def _reason(err: Exception) -> str:
    text = str(err).rstrip(".")
    if isinstance(err, RefreshError | DataError):
        return text
    if isinstance(err, OSError) and _is_environment(err):
        where = err.filename or cache_dir()
        if err.errno == errno.ENOSPC:
            return f"disk full writing {where}; free some space and refresh again"
        return (
            f"cannot write {where} ({err.strerror}); make the cache folder {cache_dir()} "
            "writable or set FERGANA_CACHE_DIR to one that is"
        )
    return f"{type(err).__name__}: {text}"


def _refresh(
    entry: Dataset,
    source: Upstream,
    override: str | None,
    before: Copy,
    fetcher: Fetcher,
    checksum: str,
) -> tuple[str, str]:
    """Download, and unless nothing changed, convert, validate and commit; (status, message)."""
    urls = source.urls(override)
    cached = before.meta if before.origin == "cache" else {}
    downloads = {part: fetcher.get(u, _conditional(cached, part, u)) for part, u in urls.items()}
    if all(_unchanged(d, cached, part, source) for part, d in downloads.items()):
        how = "HTTP 304" if any(d.status == 304 for d in downloads.values()) else "same sha256"
        return "not-modified", (
            f"{entry.name}: not modified upstream ({how}); keeping the {before.describe()}"
        )
    # Some parts changed: fetch the unchanged (304) ones again, unconditionally.
    downloads = {p: d if d.path else fetcher.get(urls[p]) for p, d in downloads.items()}
    parsed = {p: parse(source, p, d, fetcher, checksum) for p, d in downloads.items()}
    frame = build(entry, source, parsed)
    record = provenance(source, override, downloads, parsed, frame)
    path = commit(entry, frame, record)
    size = sum(d.size for d in downloads.values())
    rows = "features" if entry.kind == "vector" else "rows"
    return "updated", (
        f"{entry.name}: updated from {record['url']} ({len(frame)} {rows}, "
        f"{human_size(size)} downloaded); now using {path}"
    )


def _conditional(cached: Mapping[str, Any], part: str, url: str) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from the cached copy, if it came from `url`."""
    previous = cached.get("parts", {}).get(part, {})
    if previous.get("url") != url:
        return {}
    headers = {}
    if previous.get("etag"):
        headers["If-None-Match"] = previous["etag"]
    if previous.get("last_modified"):
        headers["If-Modified-Since"] = previous["last_modified"]
    return headers


def _unchanged(download: Download, cached: Mapping[str, Any], part: str, source: Upstream) -> bool:
    if download.status == 304:
        return True
    previous = cached.get("parts", {}).get(part, {})
    return (
        previous.get("url") == download.url
        and previous.get("sha256") == download.sha256
        and cached.get("convert") == source.convert
    )
