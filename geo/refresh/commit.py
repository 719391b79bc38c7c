"""Committing a refreshed copy: validate it, write it under a new name, then switch ``meta.json``.

The data file is written atomically under a fresh name and read back before
``meta.json`` (what :func:`geo.load` follows) is replaced, so a failure at any step
leaves the previous copy in use.

:func:`commit` runs under the dataset's lock (:func:`geo.refresh.refresh` holds
it), so it is the only writer in the dataset's folder: it can safely remove what
killed refreshes left there (temporary files, data files never switched to). It
keeps the copy that was in use until the switch, so a reader that looked at
``meta.json`` just before the switch still finds the file it named.
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.atomic import write_bytes_atomic, write_text_atomic
from geo.cache import META_FILE, cache_dir
from geo.catalog import Dataset
from geo.errors import DataError
from geo.geometry import KIND_TYPES
from geo.load import parse_csv

if TYPE_CHECKING:
    from geo.refresh.convert import Job
    from geo.refresh.fetch import Download
    from geo.refresh.readers import Source
    from geo.refresh.sources import Upstream


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
    wrong = set(geometry.geom_type) - set(KIND_TYPES[job.entry.geometry])
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


def provenance(
    source: Upstream,
    override: str | None,
    downloads: Mapping[str, Download],
    parsed: Mapping[str, Source],
    frame: pd.DataFrame,
) -> dict[str, Any]:
    """The ``meta.json`` record of a refreshed copy: where, when, which version, per part."""
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


def commit(entry: Dataset, frame: pd.DataFrame, meta: dict[str, Any]) -> Path:
    """Write the data file under a new name, check it reads back, then switch meta.json.

    Afterwards every other file of the folder but the copy in use before is removed.
    Call it only while holding the dataset's lock.
    """
    folder = cache_dir() / entry.name
    folder.mkdir(parents=True, exist_ok=True)
    previous = _file_in_use(folder)
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
    _prune(folder, entry.name, keep={META_FILE, path.name, previous})
    return path


def _file_in_use(folder: Path) -> str:
    """The data file ``meta.json`` names now ("" if none)."""
    try:
        return str(json.loads((folder / META_FILE).read_text(encoding="utf-8"))["file"])
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def _prune(folder: Path, name: str, keep: set[str]) -> None:
    """Remove older copies of `name` and temporary files of killed writes from `folder`."""
    for path in folder.iterdir():
        ours = path.name.startswith(f"{name}-") or (
            path.name.startswith(".") and path.name.endswith(".tmp")
        )
        if ours and path.name not in keep:
            path.unlink(missing_ok=True)


def _check_readable(path: Path, entry: Dataset, rows: int) -> None:
    reread = embedded_like(path, entry)
    if len(reread) != rows:
        raise DataError(path, f"reads back as {len(reread)} rows, not {rows}")


def embedded_like(path: Path, entry: Dataset) -> pd.DataFrame:
    """Read `path` the way :func:`geo.load` reads a copy of `entry`."""
    if entry.kind == "vector":
        return gpd.read_file(path, engine="pyogrio")
    return parse_csv(path)
