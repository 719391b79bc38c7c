"""Every catalog entry loads, with its declared CRS, valid geometry and provenance."""

import math

import geopandas as gpd
import pandas as pd
import pytest

import geo

NAMES = list(geo.catalog())


def test_catalog_lists_every_embedded_file():
    data_dir = geo.catalog()["countries"].embedded_path.parent.parent
    listed = {d.embedded_path.resolve() for d in geo.catalog().values()}
    shipped = {p.resolve() for p in data_dir.rglob("*") if p.suffix in {".geojson", ".csv", ".tif"}}
    assert shipped == listed


@pytest.mark.parametrize("name", NAMES)
def test_entry_has_provenance(name):
    entry = geo.dataset(name)
    for field in ("title", "source", "license", "citation", "processing", "version"):
        assert getattr(entry, field).strip(), f"{name}: empty {field}"
    assert entry.embedded_path.is_file()


@pytest.mark.parametrize("name", NAMES)
def test_entry_loads_with_declared_crs_and_valid_geometry(name):
    entry = geo.dataset(name)
    data = geo.load(name)
    if entry.kind == "raster":
        assert isinstance(data, geo.Raster)
        assert data.crs == entry.crs
        return
    assert len(data) > 0
    if entry.geometry in ("area", "line", "point"):
        assert isinstance(data, gpd.GeoDataFrame)
        assert data.crs == entry.crs
        located = data.geometry[~data.geometry.isna()]
        assert len(located) > 0
        assert located.is_valid.all()
        assert not located.is_empty.any()
        west, south, east, north = located.total_bounds
        assert -180 <= west <= east <= 180 and -90 <= south <= north <= 90
    else:
        assert isinstance(data, pd.DataFrame)


def test_load_returns_a_copy():
    first = geo.load("countries")
    first.loc[:, "name"] = "changed"
    assert (geo.load("countries")["name"] != "changed").all()


def test_unknown_dataset_suggests_close_names():
    with pytest.raises(KeyError, match="countries"):
        geo.load("countrys")


def test_relief_spot_heights_match_sources_md():
    relief = geo.load("relief")
    # SOURCES.md spot checks: Osh 1,034 m, Bishkek 810 m (28 m quantisation).
    assert abs(relief.value_at(72.8, 40.53) - 1034) <= 60
    assert abs(relief.value_at(74.59, 42.87) - 810) <= 60
    assert math.isnan(relief.value_at(0.0, 0.0))
