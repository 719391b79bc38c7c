"""Rebuild the window-clipped base geography for :data:`geo.coverage.DETAILED_WINDOW`.

The embedded base geography (``geo/data/base``) was made by the project's shared
``build_geo.py`` (its docstring pins every input). This script runs that script's own
layer builders — same inputs, same grid snapping, same columns and row order — with
the window moved to :data:`geo.coverage.DETAILED_WINDOW`, for the five layers cut to
the window: ``countries``, ``boundary_lines``, ``rivers``, ``lakes`` and ``places``, and
the relief grid ``relief_5arcmin.tif``.

With ``--wdbii`` (``rivers_wdbii_named.geojson``, made by the shared
``build_relief_rivers.py``) the rivers are named right at the Naryn–Kara Darya
confluence and joined by the WDBII rivers Natural Earth lacks (:func:`named_rivers`);
``--rivers-only WDBII`` does just that to the embedded ``rivers.geojson``.
With ``--valley-only`` it rewrites just the valley floor of ``fergana_valley.geojson``
from the embedded GEBCO 15" grid (:func:`valley_floor`; no inputs needed).
It adds to ``boundary_lines`` the two Natural Earth "Breakaway" lines of Abkhazia
and South Ossetia (NE 4.0.0 ``ne_10m_admin_0_boundary_lines_disputed_areas``), which
the land boundary file does not carry. The other files (admin1, enclaves, world
countries, valley) do not depend on the window's west edge and are left as they
are; ``manifest.json`` is updated for the files written.

Usage::

    python -m scripts.build_base_geo --valley-only [--out geo/data/base]
    python -m scripts.build_base_geo --rivers-only rivers_wdbii_named.geojson [--out ...]
    python -m scripts.build_base_geo --build-geo PATH/build_geo.py --wheels DIR \
        --raysphere REPO --martynafford REPO [--wdbii FILE] [--out geo/data/base] \
        [--window W S E N]

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
import numpy as np
import pandas as pd
import shapely
import shapely.ops

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
VALLEY = "fergana_valley.geojson"
VALLEY_FLOOR_NAME = "Fergana Valley (floor, DEM-derived)"
# The valley floor: GEBCO 15" cells below this height, east of the cut (just west of
# Khujand, closing the Syr Darya's outlet), connected to the cell of the seed town.
FLOOR_THRESHOLD_M = 900
FLOOR_WEST_CUT = 69.55
FLOOR_SEED_TOWN = "Andijon"  # its position is read from places.geojson
FLOOR_OPENING_CELLS = 2  # threads narrower than ~2 km are cut off
# WDBII's positional error (GSHHG README; base/SOURCES.md), said in each of its lines' popup.
WDBII_POSITION = "approximate: WDBII lines may be off by about 3-6 km"
# A "Naryn" line farther than this from the confluence is not cut (degrees, ~2 km).
CONFLUENCE_SNAP_DEG = 0.02


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
        rivers = bg.build_rivers(inputs)
        if args.wdbii:
            rivers = named_rivers(rivers, gpd.read_file(args.wdbii, engine="pyogrio"))
        out["rivers.geojson"] = (rivers, "LineString")
        out["lakes.geojson"] = (bg.build_lakes(inputs), "Polygon")
        out["places.geojson"] = (bg.build_places(inputs), "Point")
        for name, (frame, family) in out.items():
            bg.write_geojson(frame, args.out / name, family)
        dem, grid = bg.load_dem(inputs)
        bg.write_relief(dem, grid, args.out / RELIEF)


def valley_floor(
    raster, seed: tuple[float, float], threshold_m: float = FLOOR_THRESHOLD_M
) -> shapely.Polygon:
    """The valley floor on a lon/lat elevation grid, as one polygon.

    Cells strictly below `threshold_m`, with centres east of :data:`FLOOR_WEST_CUT`,
    4-connected to the cell holding `seed` (lon, lat); opened with a diamond of
    radius :data:`FLOOR_OPENING_CELLS` cells (cuts off threads narrower than ~2 km) and the seed's
    part kept again; holes (hills inside the floor) filled; the cells' outline
    simplified by 3/4 of a cell to remove the staircase.
    """
    from scipy import ndimage  # only this step needs it

    west, _south, _east, north = raster.bounds
    dx, dy = raster.cell_size
    cols = raster.values.shape[1]
    lon = west + (np.arange(cols) + 0.5) * dx
    seed_cell = (int((north - seed[1]) // dy), int((seed[0] - west) // dx))

    def seed_part(mask: np.ndarray) -> np.ndarray:
        labels, _ = ndimage.label(mask)  # 4-connectivity
        if labels[seed_cell] == 0:
            raise SystemExit(f"valley floor: the seed {seed} is not below {threshold_m} m")
        return labels == labels[seed_cell]

    with np.errstate(invalid="ignore"):
        floor = seed_part((raster.values < threshold_m) & (lon[None, :] >= FLOOR_WEST_CUT))
    diamond = ndimage.iterate_structure(
        ndimage.generate_binary_structure(2, 1), FLOOR_OPENING_CELLS
    )
    floor = ndimage.binary_fill_holes(seed_part(ndimage.binary_opening(floor, diamond)))
    boxes = []
    for i, row in enumerate(floor):
        edges = np.diff(np.r_[0, row.astype(int), 0])
        for start, end in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
            boxes.append(
                shapely.box(
                    west + start * dx, north - (i + 1) * dy, west + end * dx, north - i * dy
                )
            )
    outline = shapely.union_all(boxes).simplify(0.75 * dx)
    return shapely.set_precision(outline, 1e-5)


def write_valley(out: Path) -> float:
    """Replace the floor row of ``out/fergana_valley.geojson``; return its area (km²)."""
    import geo
    from geo.crs import area_km2

    places = geo.load("places")
    town = places[places["name"] == FLOOR_SEED_TOWN].geometry.iloc[0]
    floor = valley_floor(geo.load("relief_fergana"), (town.x, town.y))
    frame = gpd.read_file(out / VALLEY)
    row = frame["name"] == VALLEY_FLOOR_NAME
    area = float(area_km2(gpd.GeoSeries([floor], crs="EPSG:4326")).iloc[0])
    method = (
        f'GEBCO 2023 15" cells strictly below {FLOOR_THRESHOLD_M:,} m; east of lon '
        f"{FLOOR_WEST_CUT} (closes the Syr Darya outlet just west of Khujand); 4-connected "
        f"to the cell of {FLOOR_SEED_TOWN} (Andijan); opened with a {FLOOR_OPENING_CELLS}-cell "
        "diamond (threads narrower than ~2 km cut off); holes filled; outline simplified "
        "by 3/4 of a cell"
    )
    frame.loc[row, "method"] = method
    frame.loc[row, "threshold_m"] = float(FLOOR_THRESHOLD_M)
    frame.loc[row, "west_cut_lon"] = FLOOR_WEST_CUT
    frame.loc[row, "area_km2"] = round(area)
    frame.loc[row, "area_km2_unsmoothed"] = None
    frame.loc[row, "source"] = "relief_gebco15s_fergana.tif (GEBCO 2023 Grid, 15 arc-second)"
    frame.loc[row, "geometry"] = floor
    frame.to_file(out / VALLEY, driver="GeoJSON", engine="pyogrio")
    return area


def confluence(wdbii: gpd.GeoDataFrame) -> shapely.Point:
    """Where the Kara Darya meets the Naryn, on WDBII's Naryn/Syr Darya line.

    The point of that line nearest to the Kara Darya's nearer end (WDBII ends it
    180 m short of the line).
    """
    main = shapely.union_all(wdbii.loc[wdbii["name"].isin(["Naryn", "Syr Darya"])].geometry)
    kara = shapely.line_merge(shapely.union_all(wdbii.loc[wdbii["name"] == "Kara Darya"].geometry))
    end = min((shapely.get_point(kara, 0), shapely.get_point(kara, -1)), key=main.distance)
    return shapely.ops.nearest_points(main, end)[0]


def syr_darya_below(frame: gpd.GeoDataFrame, point: shapely.Point) -> gpd.GeoDataFrame:
    """`frame` with each "Naryn" line cut at `point`, the part downstream named Syr Darya.

    The Naryn flows west: of the cut line's two pieces, the downstream one reaches
    further west, and another part of the feature lying wholly west of the cut is
    downstream too. A line already ending at `point` is left as it is.
    """
    rows = []
    for row in frame.to_dict("records"):
        if row["name"] != "Naryn" or row["geometry"].distance(point) > CONFLUENCE_SNAP_DEG:
            rows.append(row)
            continue
        parts = list(getattr(row["geometry"], "geoms", [row["geometry"]]))
        cut = min(parts, key=point.distance)
        at = cut.project(point)
        # each piece with the x of its far end (the end away from the cut)
        pieces = [
            (shapely.ops.substring(cut, 0, at), shapely.get_x(shapely.get_point(cut, 0))),
            (shapely.ops.substring(cut, at, cut.length), shapely.get_x(shapely.get_point(cut, -1))),
        ]
        pieces = [(g, x) for g, x in pieces if g.length > CONFLUENCE_SNAP_DEG / 100]
        west_end = min(x for _, x in pieces)
        down = [g for g, x in pieces if x == west_end and x < point.x]
        up = [g for g, _ in pieces if not any(g is d for d in down)]
        for other in parts:
            if other is not cut:
                (down if other.bounds[2] <= point.x else up).append(other)
        for name, lines in (("Naryn", up), ("Syr Darya", down)):
            if not lines:
                continue
            note = "" if name == "Naryn" else "Natural Earth's 'Naryn' below the Kara Darya"
            geometry = shapely.set_precision(shapely.MultiLineString(lines), 1e-5)
            rows.append(row | {"name": name, "name_en": name, "geometry": geometry,
                               "position": note})  # fmt: skip
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def named_rivers(ne: gpd.GeoDataFrame, wdbii: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Natural Earth's rivers named right at the confluence, joined by WDBII's it lacks.

    Natural Earth rows keep their columns (``source`` "Natural Earth 10m"); earlier
    WDBII rows (``ne_version`` empty) are dropped first, so a rerun gives the same
    file. The WDBII rivers whose names Natural Earth lacks (Kara Darya, Chu, Talas)
    follow with ``featurecla`` "River" and no scalerank (drawn as minor rivers).
    """
    ne = ne[ne["ne_version"].notna()].copy()
    ne["source"] = "Natural Earth 10m rivers " + ne["ne_version"]
    ne["position"] = ne.get("position", pd.Series("", index=ne.index)).fillna("")
    ne = syr_darya_below(ne, confluence(wdbii))
    extra = wdbii[~wdbii["name"].isin(ne["name"])].sort_values("name", kind="stable")
    added = gpd.GeoDataFrame(
        {
            "name": extra["name"],
            "name_en": extra["name"],
            "featurecla": "River",
            "clipped": extra["clipped"].astype(bool),
            "source": [
                f"WDBII level {lv} ({c}), GSHHG 2.3.7"
                for lv, c in zip(extra["wdbii_level"], extra["wdbii_class"], strict=True)
            ],
            "position": WDBII_POSITION,
        },
        geometry=extra.geometry,
        crs="EPSG:4326",
    )
    out = pd.concat([ne, added], ignore_index=True)
    out["rivernum"] = out["rivernum"].astype("Int64")
    return gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")


def write_rivers(out: Path, wdbii_path: Path) -> None:
    """Rewrite ``out/rivers.geojson`` with :func:`named_rivers` (WDBII from `wdbii_path`)."""
    ne = gpd.read_file(out / "rivers.geojson", engine="pyogrio")
    named = named_rivers(ne, gpd.read_file(wdbii_path, engine="pyogrio"))
    named.to_file(out / "rivers.geojson", driver="GeoJSON", engine="pyogrio")


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
    parser.add_argument("--valley-only", action="store_true", help="rewrite the valley floor only")
    parser.add_argument(
        "--rivers-only",
        type=Path,
        metavar="WDBII",
        help="rewrite rivers.geojson from its Natural Earth rows and WDBII (rivers_wdbii_named)",
    )
    parser.add_argument("--build-geo", type=Path, help="the shared build_geo.py")
    parser.add_argument("--wheels", type=Path)
    parser.add_argument("--raysphere", type=Path)
    parser.add_argument("--martynafford", type=Path)
    parser.add_argument("--wdbii", type=Path, help="rivers_wdbii_named.geojson (see SOURCES.md)")
    parser.add_argument("--out", type=Path, default=BASE)
    parser.add_argument("--window", type=float, nargs=4, default=DETAILED_WINDOW)
    args = parser.parse_args(argv)
    if args.valley_only:
        print(f"valley floor: {write_valley(args.out):,.0f} km2")
        return
    if args.rivers_only:
        write_rivers(args.out, args.rivers_only)
        return
    if None in (args.build_geo, args.wheels, args.raysphere, args.martynafford):
        parser.error("--build-geo, --wheels, --raysphere and --martynafford are required")
    build(args)
    update_manifest(args.out, WINDOW_FILES, args.window)


if __name__ == "__main__":
    main()
