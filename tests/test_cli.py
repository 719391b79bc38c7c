"""A user's own project anywhere on disk, through the ``fergana`` command.

The project here is made up for the tests: towns of the Zarafshan valley and
Tashkent, FICTIONAL counts, column names of its own. It uses the ``flows`` layer
(origin, destination, count) that every fergana has.
"""

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pypdf
import pytest

from maps.build import MANIFEST, find_specs
from maps.spec import SpecError
from scripts.cli import main

ROOT = Path(__file__).resolve().parent.parent

ROUTES = """\
origin,destination,count,remark
Samarkand,Bukhara,70,FICTIONAL
Tashkent,Samarkand,2500,FICTIONAL
Karshi,Samarkand,640,FICTIONAL
"""
DEPOTS = """\
origin,destination,count,remark
Bukhara,Karshi,15,FICTIONAL
Termez,Karshi,300,FICTIONAL
"""


def spec_text(map_id: str, data: str, *, extent="[63.5, 37.0, 70.5, 42.0]", extra="") -> str:
    return (
        f'id = "{map_id}"\ntitle = "{map_id.title()} (fictional)"\nextent = {extent}\n'
        'caption = "FICTIONAL numbers made up for a test."\nrelief = false\n'
        '[[layers]]\nid = "countries"\n'
        f'[[layers]]\nid = "flows"\ndata = "{data}"\ntitle = "Caravans"\n{extra}'
    )


def make_project(folder: Path) -> Path:
    """``folder/atlas``: two specs, each reading its own data file."""
    project = folder / "atlas"
    (project / "specs").mkdir(parents=True)
    (project / "data").mkdir()
    (project / "data" / "routes.csv").write_text(ROUTES, encoding="utf-8")
    (project / "data" / "depots.csv").write_text(DEPOTS, encoding="utf-8")
    for name in ("routes", "depots"):
        (project / "specs" / f"{name}.toml").write_text(
            spec_text(name, f"../data/{name}.csv"), encoding="utf-8"
        )
    return project


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``python -m scripts.cli ARGS`` in `cwd`, importing this checkout."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "scripts.cli", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)


def manifest(out: Path) -> dict:
    return json.loads((out / MANIFEST).read_text(encoding="utf-8"))


def statuses(stderr: str) -> dict[str, str]:
    return dict(re.findall(r"\] ([a-z0-9_-]+): (built|up to date|FAILED)", stderr))


@pytest.fixture(scope="module")
def project_build(tmp_path_factory):
    """The project built once in every format, through ``main`` in this process."""
    folder = tmp_path_factory.mktemp("user")
    project = make_project(folder)
    out = folder / "out"
    code = main(["build", str(project), "--out", str(out), "--jobs", "1"])
    assert code == 0
    return project, out


def test_a_project_folder_builds_and_its_manifest_is_relative(project_build):
    project, out = project_build
    maps = manifest(out)["maps"]
    assert set(maps) == {"routes", "depots"}
    for map_id, entry in maps.items():
        assert entry["spec"] == f"specs/{map_id}.toml"
        user = {k: v for k, v in entry["inputs"].items() if v["copy"] == "user"}
        assert list(user) == [f"data/{map_id}.csv"]
        digest = user[f"data/{map_id}.csv"]["sha256"]
        assert (
            digest == hashlib.sha256((project / "data" / f"{map_id}.csv").read_bytes()).hexdigest()
        )
        assert "countries" in entry["inputs"] and entry["warnings"] == []
        assert f"User data: {map_id}.csv (as supplied by the user)" in entry["sources"]


def _texts(path: Path) -> bytes:
    """A file's bytes, with PDF text and streams and PNG text chunks decoded."""
    data = path.read_bytes()
    parts = [data]
    if path.suffix == ".pdf":
        reader = pypdf.PdfReader(path)
        parts += [page.extract_text().encode() for page in reader.pages]
        parts += [str(reader.metadata).encode()]
        for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.DOTALL):
            with contextlib.suppress(zlib.error):
                parts.append(zlib.decompress(stream))
    if path.suffix == ".png":
        at = 8
        while at < len(data):
            size = int.from_bytes(data[at : at + 4], "big")
            kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + size]
            if kind == b"tEXt":
                parts.append(body)
            elif kind in (b"zTXt", b"iTXt"):
                try:
                    parts.append(zlib.decompress(body[body.index(b"\0") + 2 :]))
                except zlib.error:
                    parts.append(body)
            at += 12 + size
    return b"\n".join(parts)


def test_no_output_holds_an_absolute_path(project_build):
    project, out = project_build
    files = [p for p in out.iterdir() if p.is_file() and not p.name.startswith(".")]
    suffixes = {p.name.split(".", 1)[1] for p in files}
    assert {"html", "embed.html", "txt", "png", "web.png", "svg", "pdf", "json"} <= suffixes
    forbidden = {str(project.parent), str(ROOT), str(Path.home()), str(project.parent.resolve())}
    forbidden = {f.encode() for f in forbidden if len(f) > 1}
    for path in files:
        text = _texts(path)
        for folder in forbidden:
            assert folder not in text, (path.name, folder)
    pdf_text = _texts(out / "routes.pdf").decode("latin-1")
    assert "routes.csv" in pdf_text  # the credit names the file (so the decoding works)


def test_editing_one_data_file_rebuilds_exactly_the_map_that_reads_it(project_build, tmp_path):
    project, out = project_build
    shutil.copytree(project, tmp_path / "atlas")
    shutil.copytree(out, tmp_path / "out")
    project, out = tmp_path / "atlas", tmp_path / "out"
    before = manifest(out)["maps"]
    data = project / "data" / "routes.csv"
    data.write_text(ROUTES.replace("2500", "2437"), encoding="utf-8")
    result = run("build", "atlas", "--out", "out", "--jobs", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert statuses(result.stderr) == {"routes": "built", "depots": "up to date"}
    after = manifest(out)["maps"]
    assert after["depots"] == before["depots"]
    assert (
        after["routes"]["inputs"]["data/routes.csv"]
        != before["routes"]["inputs"]["data/routes.csv"]
    )
    html = (out / "routes.html").read_text(encoding="utf-8")
    assert "2,437" in html and "2,500" not in html
    # a deleted data file fails its map, saying which file; it is never "up to date"
    (project / "data" / "depots.csv").unlink()
    result = run("build", "atlas", "--out", "out", "--jobs", "1", cwd=tmp_path)
    assert result.returncode == 1
    assert statuses(result.stderr) == {"routes": "up to date", "depots": "FAILED"}
    assert "depots.csv: no such file" in result.stderr and "Traceback" not in result.stderr


HEAVY = ("geopandas", "shapely", "pandas", "pyproj", "matplotlib", "folium")


def test_a_noop_build_of_a_project_hashes_its_files_without_heavy_imports(project_build):
    project, out = project_build
    command = [sys.executable, "-c", CLI_IMPORTS, "build", str(project), "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "0 built, 2 up to date" in result.stderr
    assert not {m for m in result.stdout.split() if m.split(".")[0] in HEAVY}


def test_a_noop_build_with_a_scheduler_needs_neither_the_cluster_nor_dask(project_build):
    project, out = project_build
    scheduler = "tcp://127.0.0.1:1"  # nothing listens there: no map needs it
    command = [sys.executable, "-c", CLI_IMPORTS, "build", str(project), "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [*command, "--scheduler", scheduler], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "0 built, 2 up to date" in result.stderr
    assert not {m for m in result.stdout.split() if m.split(".")[0] in ("dask", "distributed")}


def test_a_folder_gives_its_specs_folder_or_its_own_spec_files(tmp_path):
    project = make_project(tmp_path)
    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / "solo.toml").write_text(spec_text("solo", "x.csv"), encoding="utf-8")
    assert [p.name for p in find_specs([project])] == ["depots.toml", "routes.toml"]
    assert [p.name for p in find_specs([project / "specs"], ["routes"])] == ["routes.toml"]
    assert [p.stem for p in find_specs([loose, project / "specs" / "depots.toml"])] == [
        "solo",
        "depots",
    ]
    # the same file named twice is one spec
    assert len(find_specs([project, project / "specs" / "routes.toml"])) == 2
    with pytest.raises(SpecError, match="holds no spec files"):
        find_specs([project / "data"])


def test_a_spec_whose_id_is_not_its_file_name_fails(tmp_path, capsys):
    project = make_project(tmp_path)
    (project / "specs" / "routes.toml").rename(project / "specs" / "roads.toml")
    assert main(["check", str(project / "specs" / "roads.toml")]) == 2
    assert "id 'routes' must match the file name 'roads'" in capsys.readouterr().err


def test_data_paths_resolve_from_the_spec_folder_whatever_the_current_folder(tmp_path):
    make_project(tmp_path / "far" / "away")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    spec = Path("..") / "far" / "away" / "atlas" / "specs" / "routes.toml"
    result = run("build", str(spec), "--out", "maps", "--format", "html", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    entry = manifest(elsewhere / "maps")["maps"]["routes"]
    assert entry["spec"] == "specs/routes.toml" and "data/routes.csv" in entry["inputs"]
    assert (elsewhere / "maps" / "routes.html").is_file()


# --- fergana check --------------------------------------------------------------------

# Runs the fergana command given as arguments, then prints the modules it imported.
CLI_IMPORTS = """
import runpy, sys
sys.argv = ["fergana", *sys.argv[1:]]
try:
    runpy.run_module("scripts.cli", run_name="__main__")
finally:
    print(" ".join(sorted(sys.modules)))
"""


def test_check_says_ok_per_spec_and_draws_nothing(tmp_path):
    project = make_project(tmp_path)
    command = [sys.executable, "-c", CLI_IMPORTS, "check", str(project)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == ["ok: depots", "ok: routes"]
    modules = result.stdout.split()
    assert not {"matplotlib", "folium", "maps.web", "maps.print"} & set(modules)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("extra", "key", "words"),
    [
        ('colour = "red"\n', "layers[1].colour", ["has no option 'colour'", "allowed keys: id,"]),
        ("options = { bendd = 0.1 }\n", "layers[1].bendd", ["did you mean 'bend'?"]),
    ],
)
def test_check_refuses_an_unknown_layer_option_listing_the_allowed_keys(
    tmp_path, capsys, extra, key, words
):
    project = make_project(tmp_path)
    bad = project / "specs" / "routes.toml"
    bad.write_text(spec_text("routes", "../data/routes.csv", extra=extra), encoding="utf-8")
    assert main(["check", str(project)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "ok: depots\n"  # the good spec before it; nothing after
    message = captured.err
    assert message.startswith(f"error: {bad}, field '{key}'")
    for word in [*words, "data", "bend", "title", "visible"]:
        assert word in message, (word, message)
    assert "Traceback" not in message
    assert message.splitlines()[1:] == ["1 of 2 specs have problems"]


def test_check_names_the_data_file_row_and_field(tmp_path, capsys):
    project = make_project(tmp_path)
    data = project / "data" / "depots.csv"
    data.write_text(DEPOTS.replace("300", "lots"), encoding="utf-8")
    assert main(["check", str(project / "specs" / "depots.toml")]) == 2
    message = capsys.readouterr().err
    assert "depots.csv" in message and "row 3" in message and "'count'" in message


def test_a_swapped_extent_is_refused_with_the_likely_fix(tmp_path, capsys):
    project = make_project(tmp_path)
    spec = project / "specs" / "routes.toml"
    text = spec_text("routes", "../data/routes.csv", extent="[37.0, 63.5, 42.0, 70.5]")
    spec.write_text(text, encoding="utf-8")
    assert main(["check", str(spec)]) == 2
    message = capsys.readouterr().err
    assert f"{spec}, field 'extent'" in message and "swapped" in message
    assert "extent = [63.5, 37, 70.5, 42]" in message
    assert main(["build", str(spec), "--out", str(tmp_path / "out"), "--format", "html"]) == 1
    assert "swapped" in capsys.readouterr().err
    assert not (tmp_path / "out" / "routes.html").exists()


def test_an_extent_beyond_the_detailed_window_builds_with_a_warning(tmp_path, capsys):
    project = tmp_path / "anatolia"
    project.mkdir()
    (project / "ridge.toml").write_text(
        'id = "ridge"\ntitle = "Ridge"\nextent = [30.0, 37.0, 40.0, 41.5]\n'
        'relief = false\nlayers = ["countries"]\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["build", str(project), "--out", str(out), "--format", "html"]) == 0
    err = capsys.readouterr().err
    assert "ridge: built" in err and "warning: the extent [30.0, 37.0, 40.0, 41.5]" in err
    assert "lon 38-90 E" in manifest(out)["maps"]["ridge"]["warnings"][0]
    assert main(["build", str(project), "--out", str(out), "--format", "html"]) == 0
    assert "warning: the extent" in capsys.readouterr().err  # still said when up to date


def test_two_specs_with_one_id_are_refused_naming_both(tmp_path, capsys):
    first, second = make_project(tmp_path / "one"), make_project(tmp_path / "two")
    assert main(["build", str(first), str(second), "--out", str(tmp_path / "out")]) == 2
    message = capsys.readouterr().err
    assert str(first / "specs") in message and str(second / "specs") in message
    assert "same id" in message and not (tmp_path / "out").exists()


def test_missing_paths_and_unknown_ids_are_one_line_errors(tmp_path, capsys):
    project = make_project(tmp_path)
    assert main(["build", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")]) == 2
    assert "nowhere: no such spec file or folder" in capsys.readouterr().err
    assert main(["build", str(project), "--only", "caravans", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "no spec with id caravans" in err and "depots" in err and "Traceback" not in err


# --- fergana new ----------------------------------------------------------------------


def test_new_writes_a_commented_starter_and_fictional_sample_data(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "bazaars"]) == 0
    out = capsys.readouterr().out
    spec = tmp_path / "specs" / "bazaars.toml"
    data = sorted((tmp_path / "data").iterdir())
    assert [p.name for p in data] == ["bazaars-flows.csv", "bazaars-points.csv"]
    assert "wrote specs/bazaars.toml" in out and "fergana build specs" in out
    text = spec.read_text(encoding="utf-8")
    assert 'id = "bazaars"' in text and "FICTIONAL" in text and text.count("#") > 10
    for path in data:
        rows = path.read_text(encoding="utf-8").splitlines()
        assert all(row.endswith("FICTIONAL sample number") for row in rows[1:]), path
    # a second run writes nothing and says which file is in the way
    spec.write_text("mine", encoding="utf-8")
    (tmp_path / "data" / "bazaars-flows.csv").unlink()
    assert main(["new", "bazaars"]) == 2
    assert "specs/bazaars.toml: already exists" in capsys.readouterr().err
    assert spec.read_text(encoding="utf-8") == "mine"
    assert not (tmp_path / "data" / "bazaars-flows.csv").exists()
    assert main(["new", "Bad/Id"]) == 2
    assert "is not a map id" in capsys.readouterr().err


def test_new_then_build_works_from_a_fresh_folder(tmp_path):
    assert run("new", "trial", cwd=tmp_path).returncode == 0
    result = run("check", "specs", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("ok: trial"), result.stderr
    result = run("build", "specs", "--format", "html,pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "trial.html").is_file()
    assert "FICTIONAL" in (tmp_path / "out" / "trial.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("extra", "key", "words"),
    [
        ("units = 5", "units", ["must be text (not 5)"]),
        ("bend = 'far'", "bend", ["must be a number (not 'far')"]),
        ("columns = 'from,to,n'", "columns", ["must be a table"]),
        ("credit = 5", "credit", ["must be text (not 5)"]),
        ("fields = 'origin'", "fields", ["must be a list"]),
    ],
)
def test_a_wrongly_typed_option_names_spec_layer_and_option(tmp_path, capsys, extra, key, words):
    project = make_project(tmp_path)
    bad = project / "specs" / "routes.toml"
    bad.write_text(spec_text("routes", "../data/routes.csv", extra=extra), encoding="utf-8")
    assert main(["check", str(bad)]) == 2
    message = capsys.readouterr().err
    assert f"field 'layers[1].{key}'" in message and "routes.toml" in message, message
    for word in words:
        assert word in message, (word, message)
    assert "Traceback" not in message


def test_every_unknown_option_of_a_spec_is_listed_at_once(tmp_path, capsys):
    project = make_project(tmp_path)
    bad = project / "specs" / "routes.toml"
    text = spec_text("routes", "../data/routes.csv", extra='colour = "red"\nwidht = 3\n')
    bad.write_text(text, encoding="utf-8")
    assert main(["check", str(bad)]) == 2
    message = capsys.readouterr().err
    assert "2 unknown layer options" in message
    assert "layers[1].colour" in message and "layers[1].widht" in message
    allowed = re.search(r"allowed keys: ([^)]*)", message).group(1).split(", ")
    assert len(allowed) == len(set(allowed)), allowed  # "title" once


def test_a_map_of_world_countries_only_needs_no_coverage_warning(tmp_path, capsys):
    project = tmp_path / "wide"
    project.mkdir()
    (project / "wide.toml").write_text(
        'id = "wide"\ntitle = "Wide"\nextent = [20.0, 30.0, 100.0, 60.0]\n'
        'relief = false\nlayers = ["world"]\n',
        encoding="utf-8",
    )
    assert main(["build", str(project), "--out", str(tmp_path / "out"), "--format", "html"]) == 0
    assert "warning" not in capsys.readouterr().err
