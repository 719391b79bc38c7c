"""Borders: international boundary lines typed by status, and the Fergana Valley enclaves."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlparse

import geopandas as gpd
import pandas as pd
import shapely

import geo
from geo.crs import area_km2
from geo.language import N_, current, tr
from layers.layer import Layer
from layers.presets import BOUNDARIES, ENCLAVE_POINTS, ENCLAVES, preset_layer
from layers.source import Source, frame_from

# Natural Earth `featurecla` -> how the line is drawn. NE classes every Kyrgyz,
# Uzbek and Tajik segment as an international boundary; it does not flag the
# undemarcated stretches in the Fergana Valley (see geo/data/base/SOURCES.md).
BOUNDARY_STATUS: dict[str, str] = {
    "International boundary (verify)": "international",
    "Disputed (please verify)": "disputed",
    "Line of control (please verify)": "disputed",
    "Indefinite (please verify)": "indefinite",
    "Indeterminant frontier": "indefinite",
    "Lease limit": "indefinite",
    # Abkhazia and South Ossetia, from NE's disputed-areas lines (geo/data/base/SOURCES.md)
    "Breakaway": "disputed",
}


def boundaries(data: Source = None) -> Layer:
    """International boundary lines, dashed where Natural Earth marks them disputed or indefinite.

    Parameters
    ----------
    data : path, URL or GeoDataFrame, optional
        Lines with a ``featurecla`` column using Natural Earth's classes.
    """
    frame = frame_from(data, "boundary_lines", required={"featurecla": "str"}, geometry="line")
    status = frame["featurecla"].map(BOUNDARY_STATUS).fillna("international")
    names = frame["name"] if "name" in frame else frame["featurecla"]
    if "note" in frame:  # the breakaway lines carry their name in `note`
        names = names.fillna(frame["note"])
    frame = gpd.GeoDataFrame(
        {"name": names, "status": status, "featurecla": frame["featurecla"]},
        geometry=frame.geometry,
        crs="EPSG:4326",
    )
    if data is None:
        frame = _with_osm_enclave_borders(frame)
    return preset_layer(BOUNDARIES, frame, data=data)


def _with_osm_enclave_borders(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Boundary lines with the enclaves' borders as OpenStreetMap (2017) draws them.

    Natural Earth's lines outline its own enclave parts (Sarvak 30.5 km² against ~8
    reported); the enclaves layer and the country fill use the OSM polygons, so the
    lines follow them too: NE's enclave outlines are cut out, the OSM outlines added.
    """
    ne_rings = shapely.union_all(geo.load("enclaves_geometry").boundary.to_numpy())
    lines = shapely.difference(frame.geometry.to_numpy(), shapely.buffer(ne_rings, 1e-4))
    kept = ~shapely.is_empty(lines)
    cut = frame[kept].copy()
    cut["geometry"] = gpd.GeoSeries(lines[kept], index=cut.index, crs=frame.crs)
    osm = geo.load("enclaves_osm2017")
    outlines = gpd.GeoDataFrame(
        {
            "name": osm["name"] + " (enclave border, OpenStreetMap 2017)",
            "status": "international",
            "featurecla": "International boundary (verify)",
        },
        geometry=osm.boundary.to_numpy(),
        crs="EPSG:4326",
    )
    return pd.concat([cut, outlines], ignore_index=True)


#: A polygon is drawn only if its area is within this factor of the reported area.
AREA_TOLERANCE = 2.0


@dataclass(frozen=True)
class EnclaveCheck:
    """How an enclave is drawn: its polygon, or a point with the reason why."""

    name: str
    polygon: shapely.Geometry | None  # EPSG:4326
    area_km2: float | None  # of the polygon, equal-area CRS
    reported_area_km2: float | None
    drawn_as: str  # "polygon" or "point"
    why_point: str  # empty for polygons


def enclave_polygons() -> gpd.GeoDataFrame:
    """The embedded enclave polygons (OSM 2017): ``name``, ``belongs_to``, ``surrounded_by``."""
    return geo.load("enclaves_osm2017")


def enclave_checks(polygons: gpd.GeoDataFrame | None = None) -> list[EnclaveCheck]:
    """Every enclave of the facts (and every polygon): drawn as a polygon, or why as a point.

    A polygon is drawn when the facts report an area it is within
    :data:`AREA_TOLERANCE` of, or when the facts do not know the enclave (the user's
    own). An enclave the facts know is a point when it has no polygon, when its
    polygon disagrees with the reported area by more than the tolerance, or when no
    area is reported to check the polygon against.
    """
    polygons = enclave_polygons() if polygons is None else polygons
    facts = _enclave_facts().drop(columns="geometry")
    areas = dict(zip(polygons["name"], area_km2(polygons), strict=True))
    shapes = dict(zip(polygons["name"], polygons.geometry, strict=True))
    checks = []
    for name in dict.fromkeys([*facts.index, *polygons["name"]]):
        area, shape = areas.get(name), shapes.get(name)
        known = name in facts.index
        reported = pd.to_numeric(facts.loc[name, "area_km2"]) if known else None
        reported = None if reported is None or pd.isna(reported) else float(reported)
        why = _why_point(area, reported, known)
        checks.append(EnclaveCheck(name, shape, area, reported, "point" if why else "polygon", why))
    return checks


def _enclave_facts() -> gpd.GeoDataFrame:
    """The enclaves facts table indexed by name; a name on two rows is a DataError."""
    facts = geo.load("enclaves")
    repeated = facts["name"].duplicated(keep=False)
    if repeated.any():
        lines = [n + 2 for n in range(len(facts)) if repeated.iloc[n]]  # header = line 1
        names = ", ".join(repr(str(n)) for n in dict.fromkeys(facts.loc[repeated, "name"]))
        raise geo.DataError(
            "enclaves",
            f"enclave names repeated: {names} on lines {', '.join(map(str, lines))}",
            row=lines[0],
            field="name",
            hint="give each enclave one row, named as its polygon is",
        )
    return facts.set_index("name")


def _why_point(area: float | None, reported: float | None, known: bool) -> str:
    """Why an enclave is drawn as a point, in the current language."""
    number = current().number
    if area is None:
        return tr("no polygon in the map data (OpenStreetMap 2017)")
    if not known:
        return ""
    if reported is None:
        return tr(
            "its {area} km² polygon (OpenStreetMap 2017) has no reported area to check it against",
            area=number(area, decimals=1),
        )
    ratio = max(area, reported) / min(area, reported)
    if ratio > AREA_TOLERANCE:
        return tr(
            "its polygon (OpenStreetMap 2017) measures {area} km² against {reported} km² "
            "reported ({ratio}×)",
            area=number(area, decimals=1),
            reported=number(reported, decimals=0),
            ratio=number(ratio, decimals=2),
        )
    return ""
    if reported is None:
        return (
            f"its {area:,.1f} km² polygon (OpenStreetMap 2017) has no reported area "
            "to check it against"
        )
    ratio = max(area, reported) / min(area, reported)
    if ratio > AREA_TOLERANCE:
        return (
            f"its polygon (OpenStreetMap 2017) measures {area:,.1f} km² against "
            f"{reported:,.0f} km² reported ({ratio:.2f}×)"
        )
    return ""


def enclaves(data: Source = None) -> Layer:
    """Enclaves drawn as polygons: owner, surrounding state, computed and reported area.

    The polygons are OpenStreetMap's as mapped in 2017 (via geoBoundaries 2.0.1).
    An enclave whose polygon disagrees with its reported area by more than
    :data:`AREA_TOLERANCE` times, or has no reported area or no polygon, is drawn by
    :func:`enclave_points` instead.

    Parameters
    ----------
    data : path, URL or GeoDataFrame, optional
        Your own enclave polygons with ``name``, ``belongs_to`` and
        ``surrounded_by`` (ISO3) columns.
    """
    if data is None:
        frame = enclave_polygons()
    else:
        frame = frame_from(
            data,
            "enclaves_osm2017",
            required={"name": "str", "belongs_to": "str", "surrounded_by": "str"},
            geometry="area",
        )
    drawn = {c.name for c in enclave_checks(frame) if c.drawn_as == "polygon"}
    frame = frame[frame["name"].isin(drawn)].reset_index(drop=True)
    facts = _enclave_facts().drop(columns="geometry")
    rows = []
    for _, feature in frame.iterrows():
        fact = facts.loc[feature["name"]] if feature["name"] in facts.index else None
        rows.append(
            {
                "name": feature["name"],
                "belongs_to": feature["belongs_to"],
                "surrounded_by": feature["surrounded_by"],
                "reported_area_km2": None if fact is None else fact["area_km2"],
                "population": None if fact is None else fact["population"],
                "population_year": None if fact is None else fact["population_year"],
                "source": "" if fact is None else fact["source_url"],
                "notes": "" if fact is None else fact["notes"],
            }
        )
    out = gpd.GeoDataFrame(rows, geometry=list(frame.geometry), crs="EPSG:4326")
    out["area_km2"] = area_km2(out).round(1)
    out["population_year"] = pd.to_numeric(out["population_year"], errors="coerce")
    out["population_text"] = [
        _population_text(p, y)
        for p, y in zip(out["population"], out["population_year"], strict=True)
    ]
    drawn = [
        tr(
            "the OpenStreetMap (2017) outline drawn here measures {area} km²",
            area=current().number(a, decimals=1),
        )
        for a in out["area_km2"]
    ]
    out = _with_texts(out, "belongs_to", "surrounded_by", "reported_area_km2", "source", drawn)
    return preset_layer(ENCLAVES, out, data=data)


def enclave_points() -> Layer:
    """Enclaves not drawn as polygons, at their reported coordinates, each with the reason."""
    facts = _enclave_facts()
    checks = [c for c in enclave_checks() if c.drawn_as == "point" and c.name in facts.index]
    rows = facts.loc[[c.name for c in checks]].reset_index()
    if rows.geometry.isna().any():
        raise _no_coordinates(facts, rows)
    rows["why_point"] = [c.why_point for c in checks]
    rows["population_text"] = [
        _population_text(p, y)
        for p, y in zip(rows["population"], rows["population_year"], strict=True)
    ]
    frame = gpd.GeoDataFrame(
        rows[
            [
                "name",
                "belongs_to_iso3",
                "surrounded_by_iso3",
                "area_km2",
                "population_text",
                "why_point",
                "source_url",
                "notes",
            ]
        ],
        geometry=rows.geometry,
        crs="EPSG:4326",
    ).reset_index(drop=True)
    drawn = [tr("drawn as a point because {why}", why=c.why_point) for c in checks]
    frame = _with_texts(
        frame, "belongs_to_iso3", "surrounded_by_iso3", "area_km2", "source_url", drawn
    )
    why = "; ".join(f"{c.name} ({c.why_point})" for c in checks)
    # the legend rows name the enclaves (the preset's {names}): the map says which are points
    return preset_layer(ENCLAVE_POINTS, frame, points=why)


def _no_coordinates(facts: gpd.GeoDataFrame, points: gpd.GeoDataFrame) -> geo.DataError:
    """The enclaves to be drawn as points that have no coordinates, by line of the table."""
    missing = points[points.geometry.isna()]
    names = list(missing["name"])
    lines = [facts.index.get_loc(name) + 2 for name in names]  # header = line 1
    empty = [c for c in ("lat", "lon") if c in missing and missing[c].isna().all()]
    return geo.DataError(
        "enclaves",
        f"no coordinates ('lat' and 'lon') for {', '.join(names)} (lines "
        f"{', '.join(map(str, lines))}), drawn as points: their polygons are missing or "
        "not confirmed by a reported area",
        row=lines[0],
        field=empty[0] if len(empty) == 1 else None,
        hint="give lat and lon (WGS84 degrees) of each enclave drawn as a point",
    )


#: What the enclave notes write where sources disagree, by what they disagree on: a
#: figure marked as disagreeing, or another source that "gives" another figure.
DISAGREEMENTS = {
    N_("its area"): re.compile(
        r"AREA DISAGREES|AREA:[^.]*unresolved|DISAGREE with [\d.,]+ ?km|\bgives ~?[\d.,]+ ?km"
    ),
    N_("its population"): re.compile(
        r"POPULATION DISAGREES|POPULATION: [^.]*;|Other figures: pop\."
        r"|\bgives\b(?:[^.]|\.\d)*\bpeople"
    ),
    N_("what it is"): re.compile(r"[Ss]ources (differ|disagree) on what it is"),
}


def _with_texts(
    frame: gpd.GeoDataFrame,
    belongs: str,
    surrounded: str,
    reported_area: str,
    source: str,
    drawn: list[str],
) -> gpd.GeoDataFrame:
    """`frame` with the columns both enclave layers share for captions (atlas pages).

    ``belongs_to_country`` and ``surrounded_by_country`` (Natural Earth names),
    ``reported_area_text``, ``drawn_text`` (how the map draws it), ``source_site``
    (who reports the figures: the cited page's site) and ``caveat`` (what the notes
    say sources disagree on; never a figure of its own).
    """
    countries = geo.load("countries")
    names = dict(zip(countries["adm0_a3"], countries["name"], strict=True))
    out = frame.copy()
    out["belongs_to_country"] = [names.get(c, c) for c in out[belongs]]
    out["surrounded_by_country"] = [names.get(c, c) for c in out[surrounded]]
    areas = pd.to_numeric(out[reported_area], errors="coerce")
    out["reported_area_text"] = [
        tr("not reported") if a != a else tr("{area} km²", area=current().number(a, decimals=0))
        for a in areas.astype(float)
    ]
    out["drawn_text"] = drawn
    out["source_site"] = [_site(url) for url in out[source]]
    notes = out["notes"] if "notes" in out else pd.Series("", index=out.index)
    out["caveat"] = [_caveat(text) for text in notes.fillna("")]
    return out


def _site(url: object) -> str:
    """The site a source URL is on ("asiaplus.news"), or "" for none."""
    if not isinstance(url, str) or not url.strip():
        return ""
    host = urlparse(url.strip()).hostname or ""
    return host.removeprefix("www.")


def _caveat(notes: str) -> str:
    """One sentence on what the notes say the sources disagree on."""
    topics = [topic for topic, pattern in DISAGREEMENTS.items() if pattern.search(notes)]
    if not topics:
        return tr("The notes record no disagreement between sources.")
    words = [tr(topic) for topic in topics]  # the keys of DISAGREEMENTS are catalog messages
    listed = (
        words[0]
        if len(words) == 1
        else tr("{first} and {last}", first=", ".join(words[:-1]), last=words[-1])
    )
    return tr("Sources disagree on {listed}.", listed=listed)


def _population_text(population: object, year: object) -> str:
    if population is None or population != population:
        return tr("not reported")
    text = current().number(float(population), decimals=0)
    if year is not None and year == year:
        text += f" ({int(float(year))})"
    return text
