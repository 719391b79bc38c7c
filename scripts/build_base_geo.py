"""Rebuild the window-clipped base geography for :data:`geo.coverage.DETAILED_WINDOW`.

The embedded base geography (``geo/data/base``) was made by the project's shared
``build_geo.py`` (its docstring pins every input). This script runs that script's own
layer builders — same inputs, same grid snapping, same columns and row order — with
the window moved to :data:`geo.coverage.DETAILED_WINDOW`, for the five layers cut to
the window: ``countries``, ``boundary_lines``, ``rivers``, ``lakes`` and ``places``, and
the relief grid ``relief_5arcmin.tif``.
It adds to ``boundary_lines`` the two Natural Earth "Breakaway" lines of Abkhazia
and South Ossetia (NE 4.0.0 ``ne_10m_admin_0_boundary_lines_disputed_areas``), which
the land boundary file does not carry. The other files (admin1, enclaves, world
countries, valley) do not depend on the window's west edge and are left as they
are; ``manifest.json`` is updated for the files written.

Usage::

    python -m scripts.build_base_geo --build-geo PATH/build_geo.py --wheels DIR \
        --raysphere REPO --martynafford REPO [--out geo/data/base] [--window W S E N]

``--wheels`` holds the four wheels named in ``build_geo.py``; ``--raysphere`` and
``--martynafford`` are clones or bare mirrors of the two pinned GitHub repositories.
Besides fergana's own dependencies, py7zr (NE 4.0.0 7z archives), h5py and rasterio
(the relief grid) must be importable.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import tempfile
from pathlib import Path
from types import ModuleType

import geopandas as gpd
import pandas as pd

from geo.coverage import DETAILED_WINDOW

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "geo" / "data" / "base"

# NE 4.0.0 breakaway lines kept, by their `brk_name_l`: the Georgian claims.
DISPUTED_LINES = "10m/cultural/ne_10m_admin_0_boundary_lines_disputed_areas.7z"
BREAKAWAY_NAMES = ("Abkhazia", "South Ossetia")
WINDOW_FILES = [
    "countries.geojson",
    "boundary_lines.geojson",
    "rivers.geojson",
    "lakes.geojson",
    "places.geojson",
]
RELIEF = "relief_5arcmin.tif"


def load_build_geo(path: Path, window: tuple[float, float, float, float]) -> ModuleType:
    """The shared ``build_geo.py`` as a module, with its WINDOW set to `window`."""
    spec = importlib.util.spec_from_file_location("build_geo", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.WINDOW = tuple(window)
    return module


def breakaway_lines(bg: ModuleType, inputs, columns: list[str]) -> gpd.GeoDataFrame:
    """Natural Earth's Abkhazia and South Ossetia breakaway lines, in the boundary columns.

    The unit's name goes into ``note`` ("Abkhazia (Self admin., Claimed by Georgia)"),
    since the boundary file has no column for it; columns the disputed-areas file
    lacks (type, labelrank, fclass_iso, ne_id) are left empty.
    """
    lines = inputs.martynafford_7z(DISPUTED_LINES)
    lines = lines[(lines["featurecla"] == "Breakaway") & lines["brk_name_l"].isin(BREAKAWAY_NAMES)]
    lines = lines.assign(note=lines["brk_name_l"] + " " + lines["note"])
    lines = bg.clip_to_window(lines).sort_values("brk_name_l")
    frame = pd.DataFrame({c: lines[c].to_numpy() if c in lines else None for c in columns})
    return gpd.GeoDataFrame(frame, geometry=lines.geometry.to_numpy(), crs=bg.CRS)


def appended(lines: gpd.GeoDataFrame, extra: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """`extra` rows after `lines`, keeping each column's type (integers stay integers)."""
    types = {
        c: "Int64" if t.kind in "iu" else t for c, t in lines.dtypes.items() if c != "geometry"
    }
    combined = pd.concat([lines.astype(types), extra.astype(types)], ignore_index=True)
    return gpd.GeoDataFrame(combined, geometry="geometry", crs=lines.crs)


def build(args: argparse.Namespace) -> None:
    """Write the five window-clipped layers into ``args.out``."""
    bg = load_build_geo(args.build_geo, args.window)
    out: dict[str, tuple[gpd.GeoDataFrame, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        inputs = bg.Inputs(args.wheels, args.raysphere, args.martynafford, Path(tmp))
        c10 = bg.load_countries_10m(inputs)
        out["countries.geojson"] = (bg.build_countries(c10), "Polygon")
        lines, _ = bg.build_boundary_lines(inputs, c10)
        extra = breakaway_lines(bg, inputs, [c for c in lines.columns if c != "geometry"])
        lines = appended(lines, extra)
        out["boundary_lines.geojson"] = (lines, "LineString")
        out["rivers.geojson"] = (bg.build_rivers(inputs), "LineString")
        out["lakes.geojson"] = (bg.build_lakes(inputs), "Polygon")
        out["places.geojson"] = (bg.build_places(inputs), "Point")
        for name, (frame, family) in out.items():
            bg.write_geojson(frame, args.out / name, family)
        dem, grid = bg.load_dem(inputs)
        bg.write_relief(dem, grid, args.out / RELIEF)


def update_manifest(out: Path, names: list[str], window) -> None:
    """Record the window and each rewritten file's count, size and sha256 in manifest.json."""
    path = out / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["window"] = list(window)
    manifest.setdefault("notes", {})["window_rebuild"] = (
        f"{', '.join([*names, RELIEF])} cut to this window by scripts/build_base_geo.py; "
        "admin1, enclaves, world countries and the valley are from the lon 44-90 build"
    )
    for name in names:
        frame = gpd.read_file(out / name)
        entry = manifest["files"][name]
        entry["features"] = len(frame)
        entry["invalid"] = int((~frame.geometry.is_valid).sum())
        entry["empty"] = int(frame.geometry.is_empty.sum())
        entry["geometry_types"] = sorted(set(frame.geom_type))
        entry["bytes"] = (out / name).stat().st_size
        entry["sha256"] = hashlib.sha256((out / name).read_bytes()).hexdigest()
        if entry["invalid"] or entry["empty"]:
            raise SystemExit(f"{name}: invalid or empty geometries")
    manifest["files"][RELIEF].update(relief_entry(out / RELIEF))
    path.write_text(json.dumps(manifest, indent=1, default=str) + "\n")


def relief_entry(path: Path) -> dict:
    """The relief grid's manifest entry, as build_geo.py records it."""
    import rasterio  # only this step needs it

    with rasterio.open(path) as src:
        values = src.read(1, masked=True)
        entry = dict(
            width=src.width,
            height=src.height,
            crs=str(src.crs),
            res_deg=src.res[0],
            bounds=list(src.bounds),
            min=int(values.min()),
            max=int(values.max()),
            nodata_cells=int(values.mask.sum()),
        )
    entry["bytes"] = path.stat().st_size
    entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return entry


def main(argv: list[str] | None = None) -> None:
    """Rebuild the window-clipped files from the command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-geo", type=Path, required=True, help="the shared build_geo.py")
    parser.add_argument("--wheels", type=Path, required=True)
    parser.add_argument("--raysphere", type=Path, required=True)
    parser.add_argument("--martynafford", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=BASE)
    parser.add_argument("--window", type=float, nargs=4, default=DETAILED_WINDOW)
    args = parser.parse_args(argv)
    build(args)
    update_manifest(args.out, WINDOW_FILES, args.window)


if __name__ == "__main__":
    main()
