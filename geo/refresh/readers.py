"""Reading a download into memory: one reader per upstream ``format``, and ``follow`` links."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlparse

import geopandas as gpd
import pandas as pd

from geo.errors import DataError
from geo.load import parse_csv
from geo.refresh.fetch import Download, Fetcher

if TYPE_CHECKING:
    from geo.refresh.sources import Upstream

SNIFF_BYTES = 512


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


def parse(
    source: Upstream, part: str, download: Download, fetcher: Fetcher, checksum: str
) -> Source:
    """Part `part` of `source` read from `download`, checked, following its link if declared."""
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
    return Parsed(parse_csv(path))


READERS: dict[str, Callable[[Path, str, Upstream], Parsed]] = {
    "geojson": _read_vector,
    "zip-shapefile": lambda p, u, s: _read_zip(p, u, s, ".shp"),
    "zip-geojson": lambda p, u, s: _read_zip(p, u, s, ".geojson"),
    "json-api": _read_json,
    "csv": _read_table,
}
"""Format name (``format`` in upstreams.toml) -> reader(path, url, upstream)."""
