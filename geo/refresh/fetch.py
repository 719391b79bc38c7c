"""The one HTTP fetcher of fergana: every download in :mod:`geo` goes through :class:`Fetcher`.

Timeouts, retries with exponential backoff (connection errors, broken bodies and
5xx answers only), conditional requests (``If-None-Match``/``If-Modified-Since``
headers from the caller), a size cap checked against Content-Length and while
streaming, progress callbacks, and the sha256 of every body. Local paths and
``file://`` URLs are copied the same way, so mirrors on disk behave like servers.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote, urlparse

import requests
import urllib3

USER_AGENT = "fergana-data-refresh/0.1 (python-requests)"
CHUNK_BYTES = 1 << 16

Progress = Callable[[int, int | None], None]
"""``progress(bytes_so_far, total_bytes_or_None)``, called while a download streams."""


class RefreshError(Exception):
    """A download or upstream that cannot be used; the message says why."""


class _TransientError(Exception):
    """A failure worth retrying: no connection, a broken body, or a 5xx answer."""


class Download(NamedTuple):
    """One fetched URL: the body on disk (``path`` is None after a 304) and its headers."""

    url: str
    path: Path | None
    status: int
    etag: str | None = None
    last_modified: str | None = None
    sha256: str = ""
    size: int = 0
    content_type: str = ""


@dataclass
class Fetcher:
    """Downloads with timeouts, retries, a size cap and progress, into `workdir`."""

    session: requests.Session
    workdir: Path
    timeout: float | tuple[float, float] = (5, 30)
    retries: int = 3
    backoff: float = 0.5
    max_bytes: int = 200_000_000
    progress: Progress | None = None
    _names: itertools.count = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        self.session.headers["User-Agent"] = USER_AGENT

    def get(self, url: str, headers: Mapping[str, str] | None = None) -> Download:
        """Fetch `url` (HTTP(S), ``file://`` or a path), retrying transient failures."""
        if _is_local(url):
            return self._copy_local(url)
        attempt = 0
        while True:
            try:
                return self._attempt(url, dict(headers or {}))
            except _TransientError as err:
                if attempt >= self.retries:
                    tries = f"{attempt + 1} attempt{'s' if attempt else ''}"
                    raise RefreshError(f"{err} from {url}; gave up after {tries}") from None
            time.sleep(self.backoff * 2**attempt)
            attempt += 1

    def _attempt(self, url: str, headers: dict[str, str]) -> Download:
        try:
            response = self.session.get(url, headers=headers, stream=True, timeout=self.timeout)
        except requests.ReadTimeout:
            raise RefreshError(
                f"no answer from {url} within {self._read_timeout}s (read timeout; not retried)"
            ) from None
        except requests.ConnectionError as err:
            raise _TransientError(f"could not connect ({_root_cause(err)})") from None
        except requests.RequestException as err:
            raise RefreshError(f"{url}: {err}") from None
        with response:
            code, reason = response.status_code, response.reason
            if code == 304 and headers:
                return Download(url, None, 304)
            if code >= 500:
                raise _TransientError(f"HTTP {code} {reason}")
            if code != 200:
                raise RefreshError(f"HTTP {code} {reason} from {url} (not retried)")
            return self._save(response, url)

    @property
    def _read_timeout(self) -> float:
        return self.timeout[1] if isinstance(self.timeout, tuple) else self.timeout

    def _save(self, response: requests.Response, url: str) -> Download:
        announced = response.headers.get("Content-Length")
        total = int(announced) if announced and announced.isdigit() else None
        if total is not None and total > self.max_bytes:
            raise RefreshError(
                f"{url} announces {human_size(total)}, more than the "
                f"{human_size(self.max_bytes)} limit (max_bytes)"
            )
        try:
            path, digest, size = self._write(response.iter_content(CHUNK_BYTES), url, total)
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as err:
            if _is_read_timeout(err):
                raise RefreshError(
                    f"{url} stopped sending data for {self._read_timeout}s "
                    "(read timeout; not retried)"
                ) from None
            raise _TransientError(
                f"connection broken mid-download, body truncated ({_root_cause(err)})"
            ) from None
        encoded = response.headers.get("Content-Encoding", "identity") != "identity"
        if total is not None and not encoded and size != total:
            raise _TransientError(f"body truncated: got {size} of {total} bytes")
        return Download(
            url,
            path,
            200,
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
            sha256=digest,
            size=size,
            content_type=response.headers.get("Content-Type", ""),
        )

    def _write(self, chunks: Any, url: str, total: int | None) -> tuple[Path, str, int]:
        path = self.workdir / f"download-{next(self._names)}"
        digest, size = hashlib.sha256(), 0
        with path.open("wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > self.max_bytes:
                    raise RefreshError(
                        f"{url} sent more than the {human_size(self.max_bytes)} limit (max_bytes); "
                        "download stopped"
                    )
                digest.update(chunk)
                out.write(chunk)
                if self.progress is not None:
                    self.progress(size, total)
        return path, digest.hexdigest(), size

    def _copy_local(self, url: str) -> Download:
        source = Path(unquote(urlparse(url).path) if url.startswith("file:") else url)
        if not source.is_file():
            raise RefreshError(f"{source}: no such file")
        total = source.stat().st_size
        if total > self.max_bytes:
            raise RefreshError(
                f"{source} is {human_size(total)}, more than the {human_size(self.max_bytes)} limit"
            )
        with source.open("rb") as handle:
            path, digest, size = self._write(
                iter(lambda: handle.read(CHUNK_BYTES), b""), url, total
            )
        return Download(url, path, 200, sha256=digest, size=size)


def _is_local(url: str) -> bool:
    scheme = urlparse(url).scheme
    return scheme in ("", "file") or len(scheme) == 1  # a path, file://, or C:\...


def _chain(err: BaseException) -> Iterator[BaseException]:
    """`err` and the exceptions it wraps (first argument or context), outermost first."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        wrapped = current.args[0] if current.args else None
        current = wrapped if isinstance(wrapped, BaseException) else current.__context__


def _root_cause(err: BaseException) -> str:
    innermost = list(_chain(err))[-1]
    return str(getattr(innermost, "reason", None) or innermost)


def _is_read_timeout(err: BaseException) -> bool:
    timeouts = (requests.ReadTimeout, urllib3.exceptions.ReadTimeoutError)
    return any(isinstance(e, timeouts) for e in _chain(err))


def human_size(n: int) -> str:
    """`n` bytes in words, e.g. ``"1.5 MB"``."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def fetch(url: str, workdir: Path, **options: Any) -> Download:
    """Download `url` into `workdir` with a fresh session; `options` as for :class:`Fetcher`."""
    with requests.Session() as session:
        return Fetcher(session, workdir, **options).get(url)
