"""`fergana build`: full, no-op and incremental rebuilds, failures, gallery, bad specs."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import geo
from maps.build import MANIFEST, build, file_sha256, spec_paths
from maps.spec import SpecError, load_spec, spec_from_dict

SPECS = spec_paths()
ROOT = Path(__file__).parent.parent

# A no-op build decides from hashes alone: it must not import these (speed: scripts/bench.py).
HEAVY = ("geopandas", "shapely", "pandas", "pyproj", "matplotlib", "folium")

# Runs the fergana command given as arguments, then prints the modules it imported.
CLI_IMPORTS = """
import runpy, sys
sys.argv = ["fergana", *sys.argv[1:]]
try:
    runpy.run_module("scripts.cli", run_name="__main__")
finally:
    print(" ".join(sorted(sys.modules)))
"""


def _mtimes(folder: Path) -> dict[str, int]:
    """Modification times of the folder's files, atlas subfolders included."""
    return {
        p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def _manifest(folder: Path) -> dict:
    return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))


def _assert_outputs_match_manifest(folder: Path) -> None:
    manifest = _manifest(folder)
    assert manifest["maps"]
    for entry in manifest["maps"].values():
        for name, digest in entry["outputs"].items():
            assert (folder / name).is_file(), name
            assert file_sha256(folder / name) == digest, name


def _map_ids(manifest: dict) -> set[str]:
    """The ids the story specs build: the spec's own, or SPEC-ID/SLUG for each atlas page."""
    ids = set()
    for path in SPECS:
        spec = load_spec(path)
        if spec.atlas is None:
            stems = {path.stem}
        else:
            pages = {
                i
                for i, e in manifest["maps"].items()
                if e.get("atlas") == path.stem and e.get("language") == spec.languages[0]
            }
            assert pages and all(i.startswith(f"{path.stem}/") for i in pages), path.stem
            stems = pages
        # every language after the first writes ID.CODE.* (the story specs: en, ru)
        ids |= {f"{s}.{code}" if n else s for s in stems for n, code in enumerate(spec.languages)}
    return ids


def test_full_build_writes_every_format_manifest_and_gallery(built_maps):
    built, manifest = built_maps.out, built_maps.manifest
    assert set(manifest["maps"]) == _map_ids(manifest)
    assert len([i for i in manifest["maps"] if i.startswith("enclaves/")]) == 16  # en and ru
    for map_id, entry in manifest["maps"].items():
        for suffix in (".html", ".embed.html", ".txt", ".png", ".web.png", ".svg", ".pdf"):
            assert f"{map_id}{suffix}" in entry["outputs"], (map_id, suffix)
        assert entry["sources"], map_id
        # embedded data; a Russian map also reads its catalog (geo/locale/ru.po)
        copies = {v["copy"] for v in entry["inputs"].values()}
        assert copies == ({"embedded", "catalog"} if entry["language"] == "ru" else {"embedded"})
        assert all(v["sha256"] for v in entry["inputs"].values())
    _assert_outputs_match_manifest(built)
    gallery = (built / "index.html").read_text(encoding="utf-8")
    for map_id, entry in manifest["maps"].items():
        # one card per map, its picture the first language's; every language's downloads
        assert f'href="{map_id}.pdf"' in gallery and f'href="{map_id}.html"' in gallery
        if entry["language"] == "en":
            assert f"{map_id}.web.png" in gallery


def test_second_build_rewrites_nothing(built_maps):
    before = _mtimes(built_maps.out)
    report = build(SPECS, built_maps.out, jobs=2)
    assert [r.status for r in report.results] == ["skipped"] * len(built_maps.manifest["maps"])
    assert _mtimes(built_maps.out) == before


def _heavy_imported(modules: str) -> set[str]:
    return {m for m in modules.split() if m.split(".")[0] in HEAVY}


def test_noop_cli_build_imports_no_heavy_library(built_maps):
    # --jobs 1: a map rebuilt by mistake would load its libraries in this very process
    command = [sys.executable, "-c", CLI_IMPORTS, "build", "--jobs", "1", "--out", built_maps.out]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"0 built, {len(built_maps.manifest['maps'])} up to date" in result.stderr
    assert "maps.build" in result.stdout.split()
    assert not _heavy_imported(result.stdout)


def test_packages_and_spec_checks_import_no_heavy_library():
    code = (
        "import sys, geo, layers, maps\n"
        "from maps.build import spec_paths\n"
        "from maps.spec import load_spec\n"
        "ids = [load_spec(p).id for p in spec_paths()]\n"
        "assert 'countries' in layers.REGISTRY and ids\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert not _heavy_imported(result.stdout)


def test_every_exported_name_resolves_even_when_its_module_was_imported_first():
    # geo.load, geo.catalog, geo.refresh, layers.style and maps.compose name both a
    # module and the function it exports: the function must win, whatever loads first.
    code = (
        "import types, geo.load, geo.catalog, geo.refresh, layers.style, maps.compose\n"
        "import geo, layers, maps\n"
        "for package in (geo, layers, maps):\n"
        "    for name in package.__all__:\n"
        "        value = getattr(package, name)\n"
        "        assert not isinstance(value, types.ModuleType), (package, name)\n"
        "        assert name in dir(package), (package, name)\n"
        "assert geo.crs.named_crs is geo.named_crs and callable(maps.compose)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_changed_data_rebuilds_only_the_maps_that_use_it(built_maps, tmp_path, monkeypatch):
    users = {i for i, e in built_maps.manifest["maps"].items() if "water" in e["inputs"]}
    assert users and users != {p.stem for p in SPECS}
    # a refreshed copy of the water table in the user cache, with one more blank line
    cache = tmp_path / "cache"
    (cache / "water").mkdir(parents=True)
    original = geo.dataset("water").embedded_path
    (cache / "water" / "water.csv").write_bytes(original.read_bytes() + b"\n")
    (cache / "water" / "meta.json").write_text(json.dumps({"file": "water.csv", "url": "test"}))
    monkeypatch.setenv("FERGANA_CACHE_DIR", str(cache))
    work = tmp_path / "out"
    shutil.copytree(built_maps.out, work)
    report = build(SPECS, work, jobs=2)
    rebuilt = {r.id for r in report.results if r.status == "built"}
    assert rebuilt == users
    assert all(r.status == "skipped" for r in report.results if r.id not in users)
    entry = _manifest(work)["maps"][next(iter(users))]
    assert entry["inputs"]["water"]["copy"] == "cache"


# Kills at each commit step, workers outliving their build, a full disk and two builds
# at once: tests/test_build_faults.py.


def test_failure_after_files_were_written_leaves_nothing(tmp_path, monkeypatch):
    # the web files of "bad" are written into staging, then its print render raises
    import maps.print
    import maps.web

    specs = tmp_path / "specs"
    specs.mkdir()
    for map_id in ("bad", "good"):
        (specs / f"{map_id}.toml").write_text(
            f'id = "{map_id}"\ntitle = "T"\nextent = [70, 39, 74, 42]\n'
            'layers = ["countries"]\nrelief = false\n'
        )
    real_web, real_static, staged = maps.web.write_web, maps.print.write_static, {}

    def web(scene, folder):
        written = real_web(scene, folder)
        staged[folder.name] = sorted(p.name for p in folder.iterdir())
        return written

    def static(scene, folder, **kwargs):
        if folder.name == "bad":
            raise RuntimeError("simulated failure after the web files were written")
        return real_static(scene, folder, **kwargs)

    monkeypatch.setattr(maps.web, "write_web", web)
    monkeypatch.setattr(maps.print, "write_static", static)
    out = tmp_path / "out"
    report = build(sorted(specs.glob("*.toml")), out, formats=["html", "svg"], jobs=1)
    bad, good = report.results
    assert "bad.html" in staged["bad"]  # the failure came after files were written
    assert (bad.status, bad.cause) == ("failed", "bug") and "simulated" in bad.error
    assert good.status == "built"
    listing = sorted(p.name for p in out.iterdir())
    assert not [n for n in listing if n.startswith("bad")], listing
    assert not [n for n in listing if n.startswith(".") and n != ".lock"], listing
    assert set(_manifest(out)["maps"]) == {"good"}
    _assert_outputs_match_manifest(out)


@pytest.mark.browser
def test_gallery_loads_offline_without_errors(built_maps, browser):
    page = browser.new_page()
    errors, requests = [], []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto((built_maps.out / "index.html").as_uri())
    page.wait_for_load_state("load")
    assert not errors
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    # one card per map whatever its languages (the story maps: en and ru)
    languages = [e["language"] for e in built_maps.manifest["maps"].values()]
    assert page.locator("article").count() == languages.count("en") == languages.count("ru")
    assert page.locator("article nav.languages a[hreflang=ru]").count() == languages.count("ru")
    assert page.locator("section.atlas#enclaves article.page").count() == 8
    assert page.locator("article img").first.evaluate("img => img.naturalWidth") > 0
    page.close()


def test_build_is_reproducible(built_maps, tmp_path):
    again = tmp_path / "again"
    build(SPECS, again, jobs=1)
    first, second = built_maps.manifest["maps"], _manifest(again)["maps"]
    for map_id in first:
        assert first[map_id]["outputs"] == second[map_id]["outputs"], map_id
        # one process for all maps (jobs=1) records the same inputs as one per map
        assert first[map_id]["inputs"] == second[map_id]["inputs"], map_id
    assert all("facts_places" in first[i]["inputs"] for i in ("june-2010", "drug-route"))


# --- bad specs ------------------------------------------------------------------------

GOOD = {"id": "ok", "title": "T", "extent": [70, 39, 74, 42], "layers": ["countries"]}


@pytest.mark.parametrize(
    "change,key",
    [
        ({"layers": ["countries", "enclavez"]}, "layers[1].id"),
        ({"colour": "red"}, "colour"),
        ({"extent": [74, 39, 70, 42]}, "extent"),
        ({"extent": [70, 39, 74]}, "extent"),
        ({"id": "../../etc/passwd"}, "id"),
        ({"zoom": [9, 3]}, "zoom"),
        ({"insets": [{"kind": "magnifier"}]}, "insets[0].extent"),
    ],
)
def test_invalid_spec_names_file_and_key(change, key):
    with pytest.raises(SpecError) as err:
        spec_from_dict({**GOOD, **change}, source="maps/specs/bad.toml")
    assert "maps/specs/bad.toml" in str(err.value)
    assert f"'{key}'" in str(err.value)


def test_bad_spec_fails_alone_and_names_its_file(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text(
        'id = "good"\ntitle = "Good"\nextent = [70, 39, 74, 42]\n'
        'layers = ["countries"]\nrelief = false\n'
    )
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'id = "bad"\ntitle = "Bad"\nextent = [70, 39, 74, 42]\nlayers = ["countries", "nope"]\n'
    )
    report = build([bad, good], tmp_path / "out", formats=["html"], jobs=1)
    status = {r.id: r for r in report.results}
    assert status["good"].status == "built" and status["bad"].status == "failed"
    assert "bad.toml" in status["bad"].error and "layers[1].id" in status["bad"].error
    assert not report.ok
    assert (tmp_path / "out" / "good.html").is_file()
    assert not list((tmp_path / "out").glob("bad*"))


def test_cli_exit_code_is_zero_only_when_every_map_built(tmp_path):
    spec_dir = Path(__file__).parent.parent / "maps" / "specs"
    command = [
        sys.executable,
        "-m",
        "scripts.cli",
        "build",
        "--only",
        "nope",
        "--out",
        str(tmp_path),
    ]
    result = subprocess.run(command, cwd=spec_dir.parent.parent, capture_output=True, text=True)
    assert result.returncode != 0 and "nope" in result.stderr


def test_every_shipped_spec_is_valid():
    for path in SPECS:
        spec = load_spec(path)
        assert spec.id == path.stem
        assert os.path.basename(spec.output_name) == spec.id


# --- series outputs: formats that apply, files that go ------------------------------------

DATED = """site,latitude,longitude,reported_on,felt_reports
Gyumri (fictional),40.79,43.84,1988-12-07,120
Spitak (fictional),40.83,44.27,1988-12-07,300
Vanadzor (fictional),40.81,44.49,1988-12-09,45
"""
DATED_SPEC = """id = "quakes"
title = "Felt reports (fictional)"
extent = [43.3, 39.8, 45.4, 41.3]
relief = false

[[layers]]
id = "countries"

[[layers]]
id = "points"
data = "../data/quakes.csv"
label = "site"
size = "felt_reports"
time = "reported_on"
"""


def _dated_project(root: Path, extra: str = "") -> Path:
    (root / "specs").mkdir(parents=True, exist_ok=True)
    (root / "data").mkdir(exist_ok=True)
    (root / "data" / "quakes.csv").write_text(DATED, encoding="utf-8")
    spec = root / "specs" / "quakes.toml"
    spec.write_text(DATED_SPEC + extra, encoding="utf-8")
    return spec


def test_gif_and_mp4_formats_do_not_rebuild_a_map_without_motion(tmp_path):
    spec = _dated_project(tmp_path / "project")
    out = tmp_path / "out"
    assert build([spec], out, formats=("html",), jobs=1).ok
    again = build([spec], out, formats=("html", "gif", "mp4"), jobs=1)
    assert [r.status for r in again.results] == ["skipped"]


def test_outputs_a_map_no_longer_writes_are_deleted(tmp_path):
    multiples = '\n[multiples]\nsteps = ["1988-12-07", "1988-12-09"]\ncolumns = 2\n'
    spec = _dated_project(tmp_path / "project", multiples)
    out = tmp_path / "out"
    assert build([spec], out, formats=("svg",), jobs=1).ok
    assert (out / "quakes.days.svg").is_file()
    spec.write_text(DATED_SPEC, encoding="utf-8")  # the [multiples] table is gone
    assert build([spec], out, formats=("svg",), jobs=1).ok
    assert (out / "quakes.svg").is_file()
    assert not (out / "quakes.days.svg").exists()
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert sorted(manifest["maps"]["quakes"]["outputs"]) == ["quakes.svg"]


def test_a_build_of_some_formats_leaves_the_others_files_alone(tmp_path):
    spec = _dated_project(tmp_path / "project")
    out = tmp_path / "out"
    assert build([spec], out, formats=("html", "svg"), jobs=1).ok
    spec.write_text(DATED_SPEC + "# touched\n", encoding="utf-8")
    assert build([spec], out, formats=("svg",), jobs=1).ok
    assert (out / "quakes.html").is_file() and (out / "quakes.txt").is_file()
