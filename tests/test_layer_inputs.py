"""Every layer that takes `data=` answers data the user got wrong with a DataError, never a crash.

A table test: for each layer of the registry that takes the user's data, its own
embedded data (a few rows) with each column dropped, given values of the wrong kind,
or left empty, and an empty or header-only file. Each must either build (the column
was optional) or raise :class:`geo.DataError` naming the data, the column and a fix;
any other exception type fails.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import pandas as pd
import pytest
from test_layers import EMBEDDED_SOURCE

import geo
import layers
from layers.registry import NEEDS_DATA, REGISTRY, builder_options

#: The embedded dataset each layer built from a vector file stands on (the facts-table
#: layers name theirs in the registry).
VECTOR_DATASETS = EMBEDDED_SOURCE
#: Rows of the embedded data each case starts from.
ROWS = 8
#: Layers given their whole (small) embedded table: refugee_flows draws curated rows of
#: it by number, timeline_national needs its nationwide events (with fewer rows those
#: builders answer about the rows, not about the column a case changes).
WHOLE_TABLE = ("refugee_flows", "camps", "timeline_national")
#: Builds that crash on data a user may well give, in builder modules outside this
#: change: (layer, case, column or None for every column). Strict xfails, so each goes
#: when its builder is fixed.
KNOWN_CRASHES: dict[tuple[str, str, str | None], str] = {}


def _known(request, layer_id: str, case: str, column: str | None = None) -> None:
    """Mark a case listed in KNOWN_CRASHES as a strict xfail (it still runs)."""
    for key in ((layer_id, case, None), (layer_id, case, column)):
        if key in KNOWN_CRASHES:
            request.applymarker(pytest.mark.xfail(strict=True, reason=KNOWN_CRASHES[key]))
            return


def _layer_datasets() -> dict[str, str]:
    out = {}
    for layer_id, entry in REGISTRY.items():
        if layer_id in NEEDS_DATA or "data" not in builder_options(layer_id):
            continue
        out[layer_id] = entry.table or VECTOR_DATASETS[layer_id]
    return out


LAYERS = _layer_datasets()


def _sample(layer_id: str) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = geo.load(LAYERS[layer_id])
        return frame if layer_id in WHOLE_TABLE else frame.head(ROWS).reset_index(drop=True)


def _columns(layer_id: str) -> list[str]:
    frame = geo.load(LAYERS[layer_id])
    return [str(c) for c in frame.columns if c != getattr(frame, "active_geometry_name", None)]


CASES = [(layer_id, column) for layer_id in LAYERS for column in _columns(layer_id)]


def _built_or_data_error(layer_id: str, data: object, column: str | None = None):
    """Build; return None if it built, else the DataError (any other exception fails)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            layers.build(layer_id, data=data)
    except geo.DataError as err:
        message = str(err)
        assert err.source in ("<DataFrame>", "<GeoDataFrame>") or err.source.endswith(".csv")
        assert message.startswith(err.source)
        assert "(fix:" in message, message
        if column is not None:
            assert err.field == column or f"'{column}'" in message, message
        return err
    return None


def test_every_layer_that_takes_data_is_in_the_table():
    assert {"places", "bases", "violence", "trafficking", "countries", "timeline"} <= set(LAYERS)
    assert set(LAYERS) | set(NEEDS_DATA) == {i for i in REGISTRY if "data" in builder_options(i)}


@pytest.mark.parametrize("layer_id", list(LAYERS))
def test_the_embedded_sample_builds(request, layer_id):
    _known(request, layer_id, "sample")
    assert _built_or_data_error(layer_id, _sample(layer_id)) is None


@pytest.mark.parametrize(("layer_id", "column"), CASES)
def test_a_missing_column_is_named(request, layer_id, column):
    _known(request, layer_id, "missing", column)
    _built_or_data_error(layer_id, _sample(layer_id).drop(columns=[column]), column)


@pytest.mark.parametrize(("layer_id", "column"), CASES)
def test_a_column_of_the_wrong_kind_is_named(request, layer_id, column):
    _known(request, layer_id, "wrong", column)
    frame = _sample(layer_id)
    values = frame[column]
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    frame[column] = "lots" if numeric else 12345.0
    err = _built_or_data_error(layer_id, frame, column)
    if numeric:  # text where numbers are expected is never taken silently
        assert err is not None and "not a number" in str(err) and "'lots'" in str(err)
        assert len(err.problems) == len(frame)


@pytest.mark.parametrize(("layer_id", "column"), CASES)
def test_an_empty_column_is_named_or_taken_as_absent(request, layer_id, column):
    _known(request, layer_id, "empty", column)
    frame = _sample(layer_id)
    frame[column] = None
    _built_or_data_error(layer_id, frame, column)


@pytest.mark.parametrize("layer_id", list(LAYERS))
@pytest.mark.parametrize("content", ["", "name,lat,lon\n"], ids=["empty", "header-only"])
def test_an_empty_file_is_named(tmp_path, layer_id, content):
    path = tmp_path / f"{layer_id}.csv"
    path.write_text(content if content else "", encoding="utf-8")
    with pytest.raises(geo.DataError) as err:
        layers.build(layer_id, data=str(path))
    assert str(err.value).startswith(str(path))
    assert "(fix:" in str(err.value)


@pytest.mark.parametrize("layer_id", list(LAYERS))
def test_a_table_with_no_rows_is_named(layer_id):
    frame = _sample(layer_id).head(0)
    with pytest.raises(geo.DataError) as err, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layers.build(layer_id, data=frame)
    assert "no" in str(err.value) and ("rows" in str(err.value) or "features" in str(err.value))


def test_places_without_population_names_the_column():
    # the crash of issue 13: AttributeError 'numpy.float64' object has no attribute 'fillna'
    frame = pd.DataFrame({"name": ["Tbilisi", "Yerevan"], "lat": [41.72, 40.18],
                          "lon": [44.79, 44.51]})  # fmt: skip
    with pytest.raises(geo.DataError) as err:
        layers.build("places", data=frame)
    assert err.value.field == "population" and "missing" in str(err.value)
    assert str(err.value).startswith("<DataFrame>")


def test_places_from_a_plain_table_of_the_caucasus_builds():
    frame = pd.DataFrame({"name": ["Tbilisi", "Yerevan", "Baku"], "lat": [41.72, 40.18, 40.41],
                          "lon": [44.79, 44.51, 49.87],
                          "population": ["1 118 000", "1,092,800", "2300000"]})  # fmt: skip
    layer = layers.build("places", data=frame, min_population=0, spacing_km=1)
    assert sorted(layer.frame["label"]) == ["Baku", "Tbilisi", "Yerevan"]


def test_a_facts_table_copy_reports_every_bad_value_at_once(tmp_path):
    table = geo.load("violence_2010").head(4).astype(object)
    table.loc[0, "deaths"] = "many"
    table.loc[1, "date"] = "soon"
    table.loc[2, "date"] = "2010-02-30"
    table.loc[3, "place"] = None
    path = tmp_path / "tolls.csv"
    table.to_csv(path, index=False)
    with pytest.raises(geo.DataError) as err:
        layers.build("violence", data=str(path))
    found = {(p.row, p.field, p.problem) for p in err.value.problems}
    assert found == {
        (2, "deaths", "not a number"),
        (3, "date", "not a date"),
        (4, "date", "not a date"),
        (5, "place", "no value"),
    }
    assert "'soon'" in str(err.value) and "'2010-02-30'" in str(err.value)


def test_a_vector_file_missing_a_shown_column_names_the_file(tmp_path):
    admin = geo.load("admin1").head(3)[["adm0_a3", "label", "geometry"]]
    path = tmp_path / "regions.geojson"
    gpd.GeoDataFrame(admin, crs=4326).to_file(path)
    with pytest.raises(geo.DataError) as err:
        layers.build("admin1", data=str(path))
    assert str(err.value).startswith(str(path))
    assert err.value.field in ("admin", "type_en") and "add the column" in str(err.value)


def test_a_shorter_copy_of_the_refugee_flows_says_which_line_the_curation_draws():
    table = geo.load("refugee_flows_2010").head(5)
    with pytest.raises(geo.DataError) as err, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layers.build("refugee_flows", data=table)
    message = str(err.value)
    assert message.startswith("<DataFrame>: the curated flow from Bazar-Korgon")
    assert "draws line 9 of the table, but the table ends at line 6" in message
    assert "(layers/data/refugee_flow_places.csv)" in message and "(fix: keep the rows" in message


@pytest.mark.parametrize("layer_id", ["refugee_flows", "camps"])
def test_a_copy_of_the_refugee_flows_with_other_origins_names_the_line(layer_id):
    table = geo.load("refugee_flows_2010")
    table["origin"] = "Andijan"
    with pytest.raises(geo.DataError) as err, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layers.build(layer_id, data=table)
    assert err.value.field == "origin" and err.value.row == (
        3 if layer_id == "refugee_flows" else 4
    )
    assert "whose origin 'Andijan' does not name" in str(err.value)
    assert "/work" not in str(err.value) and "layers/data/refugee_flow_places.csv" in str(err.value)


def test_two_enclaves_of_one_name_are_named_with_their_lines():
    table = geo.load("enclaves")
    table.loc[3, "name"] = "Sokh"
    with pytest.raises(geo.DataError) as err, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layers.build("enclave_points", data=table)
    assert err.value.field == "name" and err.value.row == 2
    assert "enclave names repeated: 'Sokh' on lines 2, 5" in str(err.value)
