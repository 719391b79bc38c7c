"""Refreshing datasets from their upstream sources over HTTP.

The embedded copy is the offline default. :func:`refresh` downloads a dataset's
upstream file (declared in ``data/upstreams.toml``), converts it into the catalog's
schema, validates it, and only then makes it the copy :func:`geo.load` reads, by
writing a new data file into ``cache_dir()/NAME/`` and then switching ``meta.json``
to it. A failure at any step leaves the previous copy in use.
"""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
import json
import secrets
import tempfile
import time
import tomllib
import warnings
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote, urlparse

import geopandas as gpd
import pandas as pd
import pyogrio
import requests
import shapely
import urllib3

from geo.atomic import write_bytes_atomic, write_text_atomic
from geo.cache import META_FILE, Copy, cache_dir, copy_in_use
from geo.catalog import DATA_DIR, Dataset, catalog, dataset
from geo.errors import DataError
from geo.load import read_csv

UPSTREAMS_FILE = DATA_DIR / "upstreams.toml"
USER_AGENT = "fergana-data-refresh/0.1 (python-requests)"
CHUNK_BYTES = 1 << 16
GRID_DEGREES = 1e-5  # the embedded files are snapped to this grid (geo/data/base/SOURCES.md)
SNIFF_BYTES = 512

Progress = Callable[[int, int | None], None]
"""``progress(bytes_so_far, total_bytes_or_None)``, called while a download streams."""

GEOMETRY_TYPES = {
    "area": ("Polygon", "MultiPolygon"),
    "line": ("LineString", "MultiLineString"),
    "point": ("Point", "MultiPoint"),
}


class RefreshError(Exception):
    """A download or upstream that cannot be used; the message says why."""


class RefreshWarning(UserWarning):
    """Issued when a refresh fails and the previous copy stays in use."""


class _TransientError(Exception):
    """A failure worth retrying: no connection, a broken body, or a 5xx answer."""


@dataclass(frozen=True)
class Upstream:
    """Where a catalog dataset comes from, and how to turn it into the catalog's schema.

    Read from ``data/upstreams.toml``; the keys are documented at the top of that file.

    Attributes
    ----------
    name : str
        The catalog dataset this upstream refreshes.
    url : str
        Download URL; ``{part}`` is replaced by each entry of `parts`.
    format : str
        A key of :data:`READERS`.
    convert : str
        A key of :data:`CONVERTERS`.
    merge : str
        A key of :data:`MERGERS`.
    """

    name: str
    title: str
    url: str
    format: str
    convert: str
    merge: str = "none"
    parts: tuple[str, ...] = ("",)
    member: str = ""
    follow: str = ""
    follow_format: str = "geojson"
    sha256: str = ""
    columns: tuple[str, ...] = ()
    clip: tuple[float, ...] = ()
    bounds: tuple[float, ...] = (-180.0, -90.0, 180.0, 90.0)
    min_features: int = 1
    unique: str = ""
    encoding: str = "UTF-8"
    license: str = ""
    notes: str = ""

    def urls(self, override: str | None = None) -> dict[str, str]:
        """The URL of each part, from the declaration or from `override`."""
        template = override or self.url
        if len(self.parts) > 1 and "{part}" not in template:
            raise RefreshError(
                f"{self.name} is downloaded in {len(self.parts)} parts "
                f"({', '.join(self.parts)}); give a URL containing {{part}}"
            )
        return {part: template.replace("{part}", part) for part in self.parts}

    def display_url(self, override: str | None = None) -> str:
        """One URL for messages and ``meta.json``; several parts as ``{A,B,C}``."""
        template = override or self.url
        if len(self.parts) == 1:
            return template.replace("{part}", self.parts[0])
        return template.replace("{part}", "{" + ",".join(self.parts) + "}")


@functools.cache
def upstreams() -> dict[str, Upstream]:
    """Every declared upstream by dataset name, from ``data/upstreams.toml``."""
    with UPSTREAMS_FILE.open("rb") as handle:
        raw = tomllib.load(handle)
    known = {f.name for f in fields(Upstream)} - {"name"}
    result = {}
    for name, entry in raw.items():
        unknown = entry.keys() - known
        if unknown:
            raise ValueError(f"{UPSTREAMS_FILE}: [{name}] unknown keys {sorted(unknown)}")
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()}
        result[name] = _checked(Upstream(name=name, **values))
    return result


def _checked(upstream: Upstream) -> Upstream:
    problems = []
    if upstream.name not in catalog():
        problems.append("is not a catalog dataset")
    for key, registry in (("format", READERS), ("convert", CONVERTERS), ("merge", MERGERS)):
        if getattr(upstream, key) not in registry:
            problems.append(f"{key} must be one of {sorted(registry)}")
    if upstream.follow and upstream.follow_format not in READERS:
        problems.append(f"follow_format must be one of {sorted(READERS)}")
    if problems:
        raise ValueError(f"{UPSTREAMS_FILE}: [{upstream.name}] {'; '.join(problems)}")
    return upstream


def upstream(name: str) -> Upstream:
    """The upstream of dataset `name`; a :class:`RefreshError` lists the refreshable ones."""
    dataset(name)
    declared = upstreams()
    if name not in declared:
        raise RefreshError(
            f"no upstream is declared for '{name}' (it is derived or curated); "
            f"refreshable: {', '.join(declared)}"
        )
    return declared[name]


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
    """

    name: str
    status: str
    message: str
    copy: Copy

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
        also issues a :class:`RefreshWarning`; the previous copy stays in use.

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
        with tempfile.TemporaryDirectory(prefix="fergana-refresh-") as tmp, requests.Session() as s:
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
        message = f"{name}: refresh failed: {_reason(err)}. Still using the {before.describe()}"
        warnings.warn(message, RefreshWarning, stacklevel=2)
        return RefreshResult(name, "failed", message, copy_in_use(name))
    return RefreshResult(name, status, message, copy_in_use(name))


def _reason(err: Exception) -> str:
    text = str(err).rstrip(".")
    if isinstance(err, RefreshError | DataError):
        return text
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
    parsed = {p: _parse(source, p, d, fetcher, checksum) for p, d in downloads.items()}
    frame = build(entry, source, parsed)
    meta = _meta(source, override, downloads, parsed, frame)
    path = _commit(entry, frame, meta)
    size = sum(d.size for d in downloads.values())
    rows = "features" if entry.kind == "vector" else "rows"
    return "updated", (
        f"{entry.name}: updated from {meta['url']} ({len(frame)} {rows}, "
        f"{_size(size)} downloaded); now using {path}"
    )


# ---- HTTP -------------------------------------------------------------------------


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
                f"{url} announces {_size(total)}, more than the {_size(self.max_bytes)} limit "
                "(max_bytes)"
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
                        f"{url} sent more than the {_size(self.max_bytes)} limit (max_bytes); "
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
                f"{source} is {_size(total)}, more than the {_size(self.max_bytes)} limit"
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


def _size(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


# ---- reading a download -----------------------------------------------------------


class Parsed(NamedTuple):
    """A download read into memory: a (Geo)DataFrame or a JSON document."""

    data: Any
    version: str = ""
    member: str = ""


@dataclass(frozen=True)
class Source:
    """One part of an upstream, read and ready to convert.

    Attributes
    ----------
    part : str
        The part ("" for single-part upstreams; e.g. "KGZ").
    url : str
        Where it was downloaded from.
    data : GeoDataFrame, DataFrame or JSON value
        The content.
    api : dict, optional
        For ``follow`` upstreams: the JSON document that pointed at `data`.
    download_url : str
        The followed URL, if any.
    version, member : str
        The version a zip declares (Natural Earth ``*.VERSION.txt``) and the member read.
    """

    part: str
    url: str
    data: Any
    api: dict | None = None
    download_url: str = ""
    version: str = ""
    member: str = ""


def _parse(
    source: Upstream, part: str, download: Download, fetcher: Fetcher, checksum: str
) -> Source:
    assert download.path is not None
    _reject_html(download)
    if checksum and download.sha256 != checksum:
        raise DataError(
            download.url,
            f"sha256 is {download.sha256}, not the published {checksum}",
            hint="the download is corrupt or the file changed upstream; check the source",
        )
    parsed = READERS[source.format](download.path, download.url, source)
    if not source.follow:
        _check_columns(parsed.data, source.columns, download.url)
        return Source(part, download.url, parsed.data, version=parsed.version, member=parsed.member)
    api, target = _follow(parsed.data, source.follow, download.url)
    inner = fetcher.get(target)
    assert inner.path is not None
    _reject_html(inner)
    content = READERS[source.follow_format](inner.path, target, source)
    _check_columns(content.data, source.columns, target)
    return Source(part, download.url, content.data, api, target, content.version, content.member)


def _follow(document: Any, key: str, url: str) -> tuple[dict, str]:
    """The JSON object (or first object of a list) and the URL under `key`."""
    api = document[0] if isinstance(document, list) and document else document
    target = api.get(key) if isinstance(api, dict) else None
    if not isinstance(target, str) or urlparse(target).scheme not in ("http", "https"):
        raise DataError(url, f"has no http(s) URL under '{key}'", hint="is this the right API URL?")
    return api, target


def _reject_html(download: Download) -> None:
    assert download.path is not None
    with download.path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES).lstrip().lower()
    if "text/html" in download.content_type.lower() or head.startswith(
        (b"<!doctype html", b"<html")
    ):
        raise DataError(
            download.url,
            f"is an HTML page (HTTP {download.status}), not data",
            hint="the server sent an error or login page; check the URL in a browser",
        )


def _check_columns(data: Any, expected: tuple[str, ...], url: str) -> None:
    if not expected or not isinstance(data, pd.DataFrame):
        return
    present = {str(c).lower() for c in data.columns}
    missing = [c for c in expected if c.lower() not in present]
    if missing:
        raise DataError(url, f"lacks the expected fields {missing}", hint="is this the right file?")


def _read_vector(path: Path | str, url: str, source: Upstream) -> Parsed:
    try:
        frame = gpd.read_file(path, engine="pyogrio", encoding=source.encoding)
    except Exception as err:
        raise DataError(url, f"could not be read as vector data ({err})") from None
    if frame.crs is None:
        raise DataError(url, "has no CRS", hint="the shapefile needs its .prj")
    return Parsed(frame)


def _read_zip(path: Path, url: str, source: Upstream, suffix: str) -> Parsed:
    if not zipfile.is_zipfile(path):
        raise DataError(url, "is not a zip file")
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
            names = archive.namelist()
            version = _zip_version(archive, names)
    except Exception as err:
        raise DataError(url, f"is a corrupt zip file ({err})") from None
    if bad is not None:
        raise DataError(url, f"is a corrupt zip file (member {bad} fails its CRC check)")
    member = _zip_member(names, source.member, suffix, url)
    parsed = _read_vector(f"/vsizip/{{{path}}}/{member}", url, source)
    return Parsed(parsed.data, version, member)


def _zip_member(names: list[str], wanted: str, suffix: str, url: str) -> str:
    if wanted:
        found = [n for n in names if n == wanted or n.endswith("/" + wanted)]
    else:
        found = [n for n in names if n.lower().endswith(suffix)]
    if len(found) != 1:
        what = wanted or f"exactly one {suffix} file"
        raise DataError(url, f"does not hold {what} (members: {', '.join(names[:8])})")
    return found[0]


def _zip_version(archive: zipfile.ZipFile, names: list[str]) -> str:
    for name in names:
        if name.upper().endswith("VERSION.TXT"):
            return archive.read(name).decode("utf-8", "replace").strip().splitlines()[0][:40]
    return ""


def _read_json(path: Path, url: str, source: Upstream) -> Parsed:
    try:
        return Parsed(json.loads(path.read_bytes()))
    except (ValueError, UnicodeDecodeError) as err:
        raise DataError(url, f"is not valid JSON ({err})") from None


def _read_table(path: Path, url: str, source: Upstream) -> Parsed:
    return Parsed(read_csv(path))


READERS: dict[str, Callable[[Path, str, Upstream], Parsed]] = {
    "geojson": _read_vector,
    "zip-shapefile": lambda p, u, s: _read_zip(p, u, s, ".shp"),
    "zip-geojson": lambda p, u, s: _read_zip(p, u, s, ".geojson"),
    "json-api": _read_json,
    "csv": _read_table,
}
"""Format name (``format`` in upstreams.toml) -> reader(path, url, upstream)."""


# ---- converting into the catalog schema -------------------------------------------


@dataclass(frozen=True)
class Job:
    """What a converter or merger needs to know besides the source.

    Attributes
    ----------
    entry : Dataset
        The catalog entry being refreshed.
    upstream : Upstream
        Its declaration.
    schema : list of str
        The catalog columns, in order, without ``geometry``.
    """

    entry: Dataset
    upstream: Upstream
    schema: list[str]


def schema(entry: Dataset) -> list[str]:
    """The columns of the embedded copy of `entry`, in order, without ``geometry``."""
    if entry.kind == "vector":
        return [str(c) for c in pyogrio.read_info(entry.embedded_path)["fields"]]
    return [str(c) for c in read_csv(entry.embedded_path).columns]


def build(entry: Dataset, source: Upstream, parsed: Mapping[str, Source]) -> pd.DataFrame:
    """Convert every part, merge with the embedded copy, and validate the result.

    Parameters
    ----------
    entry : Dataset
        The catalog entry.
    source : Upstream
        Its upstream declaration.
    parsed : mapping of str to Source
        The downloaded parts.

    Returns
    -------
    GeoDataFrame or DataFrame
        In the catalog's schema, ready to be written.

    Raises
    ------
    DataError
        If the result is not plausible (see :func:`validate`).
    """
    job = Job(entry, source, schema(entry))
    frames = [CONVERTERS[source.convert](part, job) for part in parsed.values()]
    if entry.kind == "vector":
        frames = [_finish_geometry(f, entry) for f in frames]
    new = _conform(pd.concat(frames, ignore_index=True), job)
    result = _conform(MERGERS[source.merge](new, job), job)
    validate(result, job, label=source.display_url())
    return result


def _conform(frame: pd.DataFrame, job: Job) -> pd.DataFrame:
    """Exactly the catalog columns, in catalog order (missing ones empty)."""
    frame = frame.copy()
    for column in job.schema:
        if column not in frame.columns:
            frame[column] = None
    if job.entry.kind == "vector":
        return gpd.GeoDataFrame(frame[[*job.schema, "geometry"]], geometry="geometry")
    return pd.DataFrame(frame[job.schema]).reset_index(drop=True)


def _lower(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={c: str(c).lower() for c in frame.columns if c != "geometry"})


def _in_catalog_crs(frame: gpd.GeoDataFrame, entry: Dataset) -> gpd.GeoDataFrame:
    return frame if frame.crs == entry.crs else frame.to_crs(entry.crs)


def _clip(frame: gpd.GeoDataFrame, window: tuple[float, ...]) -> gpd.GeoDataFrame:
    """Features meeting `window`, cut to it; ``clipped`` says which were cut."""
    box = shapely.box(*window)
    frame = frame[shapely.intersects(frame.geometry.values, box)].copy()
    frame["clipped"] = ~shapely.covered_by(frame.geometry.values, box)
    return frame.set_geometry(shapely.intersection(frame.geometry.values, box))


def _finish_geometry(frame: gpd.GeoDataFrame, entry: Dataset) -> gpd.GeoDataFrame:
    """Valid geometry of the catalog's kind, snapped to the embedded files' grid."""
    allowed = GEOMETRY_TYPES[entry.geometry]
    geometry = shapely.make_valid(frame.geometry.values)
    geometry = [_of_kind(g, allowed) for g in geometry]
    geometry = shapely.set_precision(geometry, GRID_DEGREES)
    geometry = [_of_kind(g, allowed) for g in geometry]
    frame = frame.set_geometry(gpd.GeoSeries(geometry, index=frame.index, crs=frame.crs))
    return frame[~frame.geometry.is_empty & frame.geometry.notna()]


def _of_kind(geom: shapely.Geometry | None, allowed: tuple[str, str]) -> shapely.Geometry:
    """`geom` if it has an allowed type, else its parts of that type (empty if none)."""
    if geom is None or geom.geom_type in allowed:
        return geom if geom is not None else shapely.Point()
    single, multi = allowed
    parts = [p for p in shapely.get_parts(shapely.get_parts(geom)) if p.geom_type == single]
    if not parts:
        return shapely.from_wkt(f"{multi.upper()} EMPTY")
    if single == "Polygon":
        return shapely.union_all(parts)
    return parts[0] if len(parts) == 1 else getattr(shapely, multi)(parts)


def _natural_earth(source: Source, job: Job) -> gpd.GeoDataFrame:
    """Natural Earth layer: lower-case columns, clipped to the window, ne_* columns set."""
    frame = _in_catalog_crs(_lower(source.data), job.entry)
    frame = _clip(frame, job.upstream.clip) if job.upstream.clip else frame.assign(clipped=False)
    for column in ("name", "name_en", "name_alt"):
        if column in frame.columns:  # "Syr  Darya" in NE 4.0.0
            frame[column] = frame[column].map(
                lambda v: " ".join(v.split()) if isinstance(v, str) else v
            )
    if "ne_version" in job.schema:
        frame["ne_version"] = source.version or None
    if "ne_layer" in job.schema:
        frame["ne_layer"] = Path(source.member).stem or None
    return frame


def _natural_earth_admin0(source: Source, job: Job) -> gpd.GeoDataFrame:
    """Natural Earth admin-0: as :func:`_natural_earth`, and every unit has an adm0_a3."""
    frame = _natural_earth(source, job)
    codes = frame["adm0_a3"].astype("string")
    bad = frame[codes.isna() | ~codes.str.fullmatch(r"[A-Z][A-Z0-9]{2}").fillna(False)]
    if len(bad):
        raise DataError(
            source.url, f"has {len(bad)} units without an ADM0_A3 code", field="ADM0_A3"
        )
    return frame


NE_PLACES = {
    "name": "name",
    "country_a3": "adm0_a3",
    "country_iso2": "iso_a2",
    "adm1_name": "adm1name",
    "population": "pop_max",
    "pop_rank": "rank_max",
    "pop_ne_max": "pop_max",
    "ne_scalerank": "scalerank",
    "ne_labelrank": "labelrank",
    "ne_rank_max": "rank_max",
    "capital": "adm0cap",
    "featurecla": "featurecla",
    "ne_id": "ne_id",
}
"""Catalog ``places`` column -> Natural Earth populated-places column."""


def _natural_earth_places(source: Source, job: Job) -> gpd.GeoDataFrame:
    """Natural Earth populated places in the ``places`` schema (``source`` = naturalearth)."""
    frame = _natural_earth(source, job)
    out = pd.DataFrame({new: frame[old] for new, old in NE_PLACES.items()})
    out["name_en"] = frame["name_en"] if "name_en" in frame.columns else frame["name"]
    out["source"] = "naturalearth"
    return gpd.GeoDataFrame(out, geometry=frame.geometry.values, crs=frame.crs)


def _geoboundaries_adm1(source: Source, job: Job) -> gpd.GeoDataFrame:
    """Map geoBoundaries ADM1 units to the ``admin1`` schema: names, ISO 3166-2 codes, areas."""
    frame = _in_catalog_crs(_lower(source.data), job.entry)
    api = source.api or {}
    iso3 = api.get("boundaryISO") or source.part
    names = frame["shapename"].astype("string").str.strip()
    area = frame.geometry.to_crs("EPSG:6933").area / 1e6
    out = pd.DataFrame(
        {
            "adm0_a3": iso3,
            "admin": api.get("boundaryName") or iso3,
            "adm1_code": frame["shapeid"],
            "iso_3166_2": frame["shapeiso"].astype("string").str.strip().replace("", None),
            "label": names,
            "name": names,
            "name_en": names,
            "area_km2": area.round().astype("int64"),
            "method": " ".join(
                [
                    "geoBoundaries gbOpen",
                    str(api.get("boundaryType", "ADM1")),
                    str(api.get("boundaryID", "")),
                    source.download_url,
                ]
            ).strip(),
        }
    )
    return gpd.GeoDataFrame(out, geometry=frame.geometry.values, crs=frame.crs)


UNHCR_FIGURES = ("refugees", "asylum_seekers", "returned_refugees", "idps", "returned_idps")
"""Population types taken from the UNHCR population API, one row each."""


def _unhcr_population(source: Source, job: Job) -> pd.DataFrame:
    """UNHCR population API items as rows of the ``displacement_2010`` table."""
    document = source.data
    items = document.get("items") if isinstance(document, dict) else document
    if not isinstance(items, list) or not items or not isinstance(items[0], dict):
        raise DataError(
            source.url,
            "has no 'items' list, or it is empty",
            hint="check the year and country codes in the URL",
        )
    missing = [c for c in job.upstream.columns if c not in items[0]]
    if missing:
        raise DataError(source.url, f"items lack the expected fields {missing}")
    rows = [row for item in items for row in _unhcr_rows(item, source.url)]
    if not rows:
        raise DataError(source.url, f"items give none of {list(UNHCR_FIGURES)} as numbers")
    return pd.DataFrame(rows)


def _unhcr_rows(item: Mapping[str, Any], url: str) -> list[dict[str, Any]]:
    year = item.get("year")
    origin = str(item.get("coo_iso") or item.get("coo") or "?")
    asylum = str(item.get("coa_iso") or item.get("coa") or "?")
    rows = []
    for figure in UNHCR_FIGURES:
        value = pd.to_numeric(item.get(figure), errors="coerce")
        if pd.isna(value):
            continue  # the API writes "-" for no figure
        rows.append(
            {
                "date_reported": str(year),
                "as_of_date": f"{year}-12-31",
                "metric": f"unhcr_{figure}_{origin}_{asylum}".lower(),
                "value": float(value),
                "reporting_body": "UNHCR Refugee Data Finder (population API)",
                "source_url": url,
                "quote": "",
                "notes": (
                    f"UNHCR year-end {year} figure: origin {item.get('coo_name', origin)} "
                    f"({origin}), asylum {item.get('coa_name', asylum)} ({asylum})."
                ),
            }
        )
    return rows


CONVERTERS: dict[str, Callable[[Source, Job], pd.DataFrame]] = {
    "natural_earth": _natural_earth,
    "natural_earth_admin0": _natural_earth_admin0,
    "natural_earth_places": _natural_earth_places,
    "geoboundaries_adm1": _geoboundaries_adm1,
    "unhcr_population": _unhcr_population,
}
"""Converter name (``convert`` in upstreams.toml) -> converter(source, job)."""


def embedded(entry: Dataset) -> pd.DataFrame:
    """The embedded copy of `entry`, read directly (never the cache)."""
    if entry.kind == "vector":
        return gpd.read_file(entry.embedded_path, engine="pyogrio")
    return read_csv(entry.embedded_path)


def _merge_none(new: pd.DataFrame, job: Job) -> pd.DataFrame:
    return new


def _merge_replace_countries(new: pd.DataFrame, job: Job) -> pd.DataFrame:
    """The new units, plus the embedded units of countries the upstream does not cover."""
    old = _conform(embedded(job.entry), job)
    return pd.concat([new, old[~old["adm0_a3"].isin(new["adm0_a3"])]], ignore_index=True)


def _merge_append(new: pd.DataFrame, job: Job) -> pd.DataFrame:
    """The embedded (curated) rows, then the upstream's rows."""
    old = _conform(embedded(job.entry), job)
    return pd.concat([old[~old["source_url"].isin(new["source_url"])], new], ignore_index=True)


def _merge_keep_geonames(new: pd.DataFrame, job: Job) -> pd.DataFrame:
    """The new Natural Earth places, plus the embedded GeoNames-only places."""
    old = _conform(embedded(job.entry), job)
    return pd.concat([new, old[old["source"] == "geonames"]], ignore_index=True)


MERGERS: dict[str, Callable[[pd.DataFrame, Job], pd.DataFrame]] = {
    "none": _merge_none,
    "replace_countries": _merge_replace_countries,
    "append": _merge_append,
    "keep_geonames": _merge_keep_geonames,
}
"""Merger name (``merge`` in upstreams.toml) -> merger(new_rows, job)."""


# ---- validation, commit -----------------------------------------------------------


def validate(frame: pd.DataFrame, job: Job, *, label: str) -> None:
    """Raise :class:`DataError` unless `frame` is a plausible copy of the dataset.

    Checks: the catalog columns, at least ``min_features`` rows, the ``unique`` column;
    for vector data also the CRS, non-empty valid geometry of the catalog's kind, and
    bounds within the declared ``bounds``.
    """
    source = job.upstream
    if list(c for c in frame.columns if c != "geometry") != job.schema:
        raise DataError(label, "does not convert to the catalog's columns")
    if len(frame) < source.min_features:
        raise DataError(
            label,
            f"gives {len(frame)} features, fewer than the {source.min_features} expected",
            hint="is this the right file?",
        )
    if source.unique:
        values = frame[source.unique]
        if values.isna().any() or values.duplicated().any():
            raise DataError(label, "has missing or repeated values", field=source.unique)
    if job.entry.kind == "vector":
        _validate_geometry(frame, job, label)


def _validate_geometry(frame: gpd.GeoDataFrame, job: Job, label: str) -> None:
    geometry = frame.geometry
    if frame.crs != job.entry.crs:
        raise DataError(label, f"is in {frame.crs}, not {job.entry.crs}")
    if geometry.isna().any() or geometry.is_empty.any():
        raise DataError(label, "has features without geometry")
    invalid = int((~geometry.is_valid).sum())
    if invalid:
        raise DataError(label, f"has {invalid} invalid geometries")
    wrong = set(geometry.geom_type) - set(GEOMETRY_TYPES[job.entry.geometry])
    if wrong:
        raise DataError(label, f"has {sorted(wrong)} geometry, expected {job.entry.geometry}s")
    west, south, east, north = geometry.total_bounds
    w, s, e, n = job.upstream.bounds
    eps = 1e-6
    if west < w - eps or south < s - eps or east > e + eps or north > n + eps:
        raise DataError(
            label,
            f"lies at lon {west:.2f} to {east:.2f}, lat {south:.2f} to {north:.2f}, "
            f"outside the plausible lon {w:g} to {e:g}, lat {s:g} to {n:g}",
            hint="is this the right file?",
        )


def _meta(
    source: Upstream,
    override: str | None,
    downloads: Mapping[str, Download],
    parsed: Mapping[str, Source],
    frame: pd.DataFrame,
) -> dict[str, Any]:
    parts = {
        part: _drop_none(
            {
                "url": d.url,
                "download_url": parsed[part].download_url or None,
                "etag": d.etag,
                "last_modified": d.last_modified,
                "sha256": d.sha256,
                "bytes": d.size,
            }
        )
        for part, d in downloads.items()
    }
    meta: dict[str, Any] = {
        "url": source.display_url(override),
        "retrieved": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    for key in ("etag", "last_modified", "sha256"):
        values = {p: v[key] for p, v in parts.items() if v.get(key)}
        if len(parts) == 1 and values:
            meta[key] = next(iter(values.values()))
        elif values:
            meta[key] = "; ".join(f"{p}={v}" for p, v in values.items())
    versions = {s.version for s in parsed.values() if s.version}
    meta.update(
        upstream=source.title,
        format=source.format,
        convert=source.convert,
        merge=source.merge,
        version=", ".join(sorted(versions)) or None,
        features=len(frame),
        parts=parts,
    )
    return _drop_none(meta)


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _serialize(frame: pd.DataFrame, entry: Dataset) -> bytes:
    if entry.kind == "vector":
        buffer = io.BytesIO()
        pyogrio.write_dataframe(frame, buffer, driver="GeoJSON", layer=entry.name)
        return buffer.getvalue()
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _commit(entry: Dataset, frame: pd.DataFrame, meta: dict[str, Any]) -> Path:
    """Write the data file under a new name, check it reads back, then switch meta.json."""
    folder = cache_dir() / entry.name
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"{entry.name}-{stamp}-{secrets.token_hex(4)}{Path(entry.path).suffix}"
    data = _serialize(frame, entry)
    write_bytes_atomic(path, data)
    try:
        _check_readable(path, entry, len(frame))
        meta = {"file": path.name, **meta, "file_sha256": hashlib.sha256(data).hexdigest()}
        write_text_atomic(folder / META_FILE, json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    for old in folder.glob(f"{entry.name}-*"):
        if old != path:
            old.unlink(missing_ok=True)
    return path


def _check_readable(path: Path, entry: Dataset, rows: int) -> None:
    reread = embedded_like(path, entry)
    if len(reread) != rows:
        raise DataError(path, f"reads back as {len(reread)} rows, not {rows}")


def embedded_like(path: Path, entry: Dataset) -> pd.DataFrame:
    """Read `path` the way :func:`geo.load` reads a copy of `entry`."""
    if entry.kind == "vector":
        return gpd.read_file(path, engine="pyogrio")
    return read_csv(path)
