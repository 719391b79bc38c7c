"""The typed TOML loader (geo.records) and the spec errors it gives: file, key, fix."""

import ast
import re
from pathlib import Path

import pytest

import geo
from geo.catalog import Dataset
from geo.records import read_toml, record
from geo.refresh import Upstream
from maps.spec import (
    SPEC_DIR,
    LayerRef,
    SpecError,
    check_options,
    load_spec,
    project_folder,
    spec_from_dict,
)

GOOD = {"id": "t", "title": "T", "extent": [70, 39, 74, 42], "layers": ["countries"]}
ROOT = Path(__file__).resolve().parent.parent


def spec_error(change, source="maps/specs/bad.toml"):
    with pytest.raises(SpecError) as info:
        spec_from_dict({**GOOD, **change}, source=source)
    return info.value


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        (
            {"layers": ["countries", "lakes", {"id": "rivers", "visible": "false"}]},
            "layers[2].visible",
            ["must be true or false", "'false'", "without quotes"],
        ),
        ({"relief": "false"}, "relief", ["must be true or false"]),
        ({"layers": [{"id": "countries", "labels": 0}]}, "layers[0].labels", ["true or false"]),
        ({"title": 2010}, "title", ["must be text", "2010"]),
        ({"caption": ["a"]}, "caption", ["must be text"]),
        ({"layers": [{"id": "countries", "title": 5}]}, "layers[0].title", ["must be text"]),
        ({"order": "3"}, "order", ["whole number", "without quotes"]),
        ({"order": True}, "order", ["whole number"]),
        ({"layers": [{"id": "countries", "options": [1]}]}, "layers[0].options", ["a table"]),
        (
            {"annotations": [{"text": "x", "lon": "72.8", "lat": 40.5}]},
            "annotations[0].lon",
            ["a number"],
        ),
        ({"insets": [{"kind": "context", "layers": "countries"}]}, "insets[0].layers", ["list"]),
        ({"insets": {"kind": "locator"}}, "insets", ["must be a list"]),
    ],
)
def test_a_value_of_the_wrong_type_names_its_key(change, key, words):
    error = spec_error(change)
    message = str(error)
    assert error.source == "maps/specs/bad.toml" and error.field == key
    for word in words:
        assert word in message, (word, message)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"extent": [70, 39, 74]}, "extent"),
        ({"extent": [70, 39, 74, 42, 1]}, "extent"),
        ({"insets": [{"kind": "magnifier", "extent": [70, 39]}]}, "insets[0].extent"),
    ],
)
def test_an_extent_of_the_wrong_length_says_what_an_extent_is(change, key):
    error = spec_error(change)
    assert error.field == key
    assert "four numbers [west, south, east, north]" in str(error)


@pytest.mark.parametrize(
    ("change", "key", "suggestion"),
    [
        ({"titel": "T"}, "titel", "did you mean 'title'?"),
        ({"insets": [{"kind": "locator", "titel": "x"}]}, "insets[0].titel", "'title'"),
        ({"annotations": [{"text": "x", "place": "Osh", "plaec": 1}]}, "annotations[0].plaec", ""),
    ],
)
def test_an_unknown_key_suggests_the_close_one(change, key, suggestion):
    error = spec_error(change)
    assert error.field == key
    assert "unknown key" in str(error) and suggestion in (error.hint or "")


def test_other_keys_of_a_layer_table_are_builder_options():
    spec = spec_from_dict(
        {**GOOD, "layers": [{"id": "countries", "focus": "UZB", "visible": False}]}
    )
    assert spec.layers == (LayerRef("countries", visible=False, options={"focus": "UZB"}),)
    both = {"id": "countries", "focus": "UZB", "options": {"focus": "KGZ"}}
    assert spec_error({"layers": [both]}).field == "layers[0].focus"


@pytest.mark.parametrize(
    ("layer", "key", "hint"),
    [
        ({"id": "countries", "visibel": False}, "layers[1].visibel", "did you mean 'visible'?"),
        ({"id": "countries", "colour": "red"}, "layers[1].colour", "allowed keys: id, title"),
        ({"id": "places", "options": {"spacing": 3}}, "layers[1].spacing", "'spacing_km'"),
    ],
)
def test_an_unknown_layer_option_names_spec_and_key_and_lists_the_allowed(layer, key, hint):
    spec = spec_from_dict({**GOOD, "layers": ["lakes", layer]}, source="my/specs/bad.toml")
    with pytest.raises(SpecError) as info:
        check_options(spec)
    assert info.value.source == "my/specs/bad.toml" and info.value.field == key
    assert hint in info.value.hint
    assert "focus" in info.value.hint or "min_population" in info.value.hint


def test_a_relative_data_path_resolves_from_the_spec_folder(tmp_path, monkeypatch):
    project = tmp_path / "story"
    (project / "specs").mkdir(parents=True)
    path = project / "specs" / "moves.toml"
    path.write_text(
        'id = "moves"\ntitle = "M"\nextent = [60, 35, 70, 45]\n'
        '[[layers]]\nid = "flows"\ndata = "../data/moves.csv"\n'
        '[[layers]]\nid = "flows"\noptions = { data = "https://example.org/x.csv" }\n'
    )
    monkeypatch.chdir(tmp_path)
    spec = load_spec(Path("story/specs/moves.toml"))
    assert Path(spec.layers[0].options["data"]).resolve() == project / "data" / "moves.csv"
    assert spec.layers[1].options["data"] == "https://example.org/x.csv"
    assert spec.project == project
    assert project_folder(path) == project
    assert project_folder(tmp_path / "loose.toml") == tmp_path
    assert project_folder(SPEC_DIR / "june-2010.toml") == ROOT


def test_an_extent_with_latitude_and_longitude_swapped_says_so():
    error = spec_error({"extent": [39.8, 70.5, 41.6, 73.8]})
    assert error.field == "extent" and "swapped" in str(error)
    assert "[70.5, 39.8, 73.8, 41.6]" in error.hint
    # Georgia lies west of the detailed window: not swapped, it builds with a warning
    assert spec_from_dict({**GOOD, "extent": [39.9, 41.0, 46.8, 43.6]}).extent[0] == 39.9
    assert "south" in str(spec_error({"extent": [70, 42, 74, 39]}))


def test_an_unknown_key_without_a_close_match_lists_the_allowed_ones():
    error = spec_error({"colour": "red"})
    assert error.hint.startswith("allowed: ") and "title" in error.hint


def test_good_values_keep_their_types():
    spec = spec_from_dict(
        {
            **GOOD,
            "relief": False,
            "order": 3,
            "layers": [{"id": "countries", "visible": False, "options": {"focus": "KGZ"}}],
            "annotations": [{"text": "Osh", "lon": 72, "lat": 40.5}],
        }
    )
    assert spec.relief is False and spec.order == 3
    assert spec.layers == (LayerRef("countries", visible=False, options={"focus": "KGZ"}),)
    assert spec.annotations[0].lon == 72.0
    assert spec.extent == (70.0, 39.0, 74.0, 42.0)


def test_every_shipped_spec_loads():
    specs = sorted(SPEC_DIR.glob("*.toml"))
    assert specs
    for path in specs:
        assert load_spec(path).source == str(path)


def test_bad_toml_and_missing_file_name_the_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "x"\ntitle = \n')
    with pytest.raises(SpecError, match=re.escape("bad.toml: is not valid TOML")):
        load_spec(bad)
    with pytest.raises(SpecError, match="no such spec file"):
        load_spec(tmp_path / "missing.toml")


def test_spec_file_with_a_quoted_boolean_names_file_and_key(tmp_path):
    path = tmp_path / "quoted.toml"
    path.write_text(
        'id = "quoted"\ntitle = "Q"\nextent = [70, 39, 74, 42]\n'
        '[[layers]]\nid = "countries"\n[[layers]]\nid = "lakes"\nvisible = "false"\n'
    )
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert str(path) in str(info.value) and "'layers[1].visible'" in str(info.value)


# --- the loader on catalog and upstream records -------------------------------------------------

ENTRY = {key: "x" for key in geo.catalog()["countries"].__dataclass_fields__ if key != "name"}


def loader_error(raw, kind=Dataset, name="lakes"):
    with pytest.raises(geo.DataError) as info:
        record(raw, kind, "catalog.toml", f"{name}.", fill={"name": name})
    return str(info.value)


def test_catalog_record_checks_keys_and_types():
    assert record(ENTRY, Dataset, "catalog.toml", "lakes.", fill={"name": "lakes"}).name == "lakes"
    message = loader_error({**ENTRY, "titel": "x"})
    assert "catalog.toml, field 'lakes.titel': unknown key" in message
    assert "did you mean 'title'?" in message
    assert "field 'lakes.version': must be text, not 5.1" in loader_error({**ENTRY, "version": 5.1})
    without_title = {k: v for k, v in ENTRY.items() if k != "title"}
    assert "field 'lakes.title': is missing a required key" in loader_error(without_title)


def test_the_name_from_the_table_header_cannot_be_set_in_the_table():
    assert "'lakes.name': unknown key" in loader_error({**ENTRY, "name": "y"})


def test_upstream_record_checks_list_lengths_and_numbers():
    base = {"title": "T", "url": "https://x", "format": "geojson", "convert": "natural_earth"}
    ok = record({**base, "clip": [44, 30, 90, 56]}, Upstream, "u.toml", "c.", fill={"name": "c"})
    assert ok.clip == (44.0, 30.0, 90.0, 56.0) and ok.parts == ("",)
    message = loader_error({**base, "min_features": "15"}, Upstream, "c")
    assert "'c.min_features': must be a whole number, not '15'" in message
    message = loader_error({**base, "parts": "KGZ"}, Upstream, "c")
    assert "'c.parts': must be a list, not 'KGZ'" in message


def test_shipped_registries_read_through_the_loader():
    assert set(geo.upstreams()) <= set(geo.catalog())
    raw = read_toml(geo.catalog()["countries"].embedded_path.parent.parent / "catalog.toml")
    assert list(raw) == list(geo.catalog())


# --- import weight ------------------------------------------------------------------------------


LIGHT = {"__future__", "collections", "dataclasses", "difflib", "os", "pathlib", "re", "tomllib"}
LIGHT |= {"typing", "msgspec", "geo", "layers", "maps"}


@pytest.mark.parametrize("module", ["maps/spec.py", "geo/records.py"])
def test_spec_reading_imports_no_heavy_library_itself(module):
    tree = ast.parse((ROOT / module).read_text())
    imports = [node for node in ast.walk(tree) if isinstance(node, ast.Import)]
    imported = {alias.name for node in imports for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert {name.split(".")[0] for name in imported} <= LIGHT
    light_geo = {"geo.coverage", "geo.errors", "geo.records"}
    assert {name for name in imported if name.startswith("geo.")} <= light_geo
