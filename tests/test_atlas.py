"""Atlases: one map per feature (``[atlas]``), their pages, extents, text, build and gallery."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
import shapely

import layers
from geo.errors import DataError
from maps.atlas import AtlasPage, atlas_pages, display_text, page_extent, page_spec, slugify
from maps.build import MANIFEST, build, build_one, file_sha256
from maps.spec import SPEC_DIR, SpecError, load_spec

ROOT = Path(__file__).parent.parent
ENCLAVES = SPEC_DIR / "enclaves.toml"
ENCLAVE_SLUGS = {
    "sokh",
    "shakhimardan",
    "chong-kara",
    "jani-ayil",
    "vorukh",
    "western-qalacha",
    "barak",
    "sarvak",
}

# A user's atlas in another region, with other column names: three places of the
# Caucasus as polygons (rough boxes), one without a note.
CAUCASUS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"region_name": name, "country": country, "note": note},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]],
            },
        }
        for name, country, note, (w, s, e, n) in (
            ("Lake Sevan", "Armenia", "the Caucasus's largest lake", (44.95, 40.1, 45.6, 40.6)),
            ("Şəki", "Azerbaijan", "", (47.05, 41.1, 47.25, 41.25)),
            ("Ajara", "Georgia", "an autonomous republic", (41.55, 41.45, 42.55, 41.85)),
        )
    ],
}
CAUCASUS_SPEC = """id = "caucasus"
title = "Places of the Caucasus"
extent = [40.0, 38.5, 50.5, 43.8]
relief = false

[atlas]
data = "../data/regions.geojson"
by = "region_name"
title = "{region_name}"
subtitle = "In {country}"
caption = "{region_name}: {note}."
margin = 0.2
min_span_km = 20

[[layers]]
id = "countries"
"""


def _project(tmp_path: Path, spec: str = CAUCASUS_SPEC, data: dict = CAUCASUS) -> Path:
    """A project folder with specs/caucasus.toml and data/regions.geojson; the spec path."""
    (tmp_path / "specs").mkdir(parents=True, exist_ok=True)
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "regions.geojson").write_text(json.dumps(data), encoding="utf-8")
    path = tmp_path / "specs" / "caucasus.toml"
    path.write_text(spec, encoding="utf-8")
    return path


def _manifest(out: Path) -> dict:
    return json.loads((out / MANIFEST).read_text(encoding="utf-8"))


def _km(extent) -> tuple[float, float]:
    west, south, east, north = extent
    lat = math.radians((south + north) / 2)
    return (east - west) * 111.32 * math.cos(lat), (north - south) * 111.32


# --- the shipped atlas -------------------------------------------------------------------


@pytest.fixture(scope="module")
def enclave_pages():
    spec = load_spec(ENCLAVES)
    return spec, atlas_pages(spec)


def test_enclave_atlas_has_a_page_per_enclave_of_the_facts(enclave_pages):
    spec, pages = enclave_pages
    ids = [page_spec(spec, p).id for p in pages]
    assert sorted(ids) == sorted(f"enclaves/{slug}" for slug in ENCLAVE_SLUGS)
    slugs = [p.slug for p in pages]
    assert len(set(slugs)) == len(slugs) == 8
    assert all(s.isascii() and s == s.lower() and " " not in s for s in slugs)


def test_each_page_extent_holds_its_feature_and_is_at_least_min_span(enclave_pages):
    spec, pages = enclave_pages
    frames = [layers.build(i).frame for i in spec.atlas.layers]
    shapes = {n: g for f in frames for n, g in zip(f["name"], f.geometry, strict=True)}
    for page in pages:
        box = shapely.box(*page.extent)
        assert shapes[page.key].within(box), page.slug
        width, height = _km(page.extent)
        assert width >= spec.atlas.min_span_km * 0.999, page.slug
        assert height >= spec.atlas.min_span_km * 0.999, page.slug
        assert 0.999 <= width / height <= 1.601, page.slug  # landscape, not a strip


def test_enclave_captions_give_sourced_figures_and_say_where_sources_disagree(enclave_pages):
    spec, pages = enclave_pages
    by_slug = {p.slug: page_spec(spec, p) for p in pages}
    sokh = by_slug["sokh"]
    assert sokh.title == "Sokh"
    assert "Uzbekistan" in sokh.subtitle and "Kyrgyzstan" in sokh.subtitle
    assert "220 km²" in sokh.caption and "42,800 (1993)" in sokh.caption
    assert "226.0 km²" in sokh.caption  # the polygon's own area, where it is drawn
    assert "disagree on its area and its population" in sokh.caption
    chong = by_slug["chong-kara"]
    assert "Reported area: not reported" in chong.caption
    assert "drawn as a point because" in chong.caption
    assert "disagree on what it is" in chong.caption
    qalacha = by_slug["western-qalacha"].caption
    assert "Population: 150." in qalacha and "Sources disagree" not in qalacha
    for page in by_slug.values():
        assert "{" not in page.caption and "nan" not in page.caption.lower()
        assert page.insets[0].kind == "locator" and page.insets[0].extent == spec.extent
        assert page.atlas is None


# --- pages, extents and text -------------------------------------------------------------


def test_slugs_are_lowercase_ascii_and_unique():
    assert slugify("Western Qalacha") == "western-qalacha"
    assert slugify("Şəki") == "saki"
    assert slugify("Сох") == "sokh"
    assert slugify("  Chong-Kara (north) ") == "chong-kara-north"


def test_values_read_as_written():
    assert [display_text(v) for v in (2009.0, 4.5, None, float("nan"), " Osh ")] == [
        "2009",
        "4.5",
        "",
        "",
        "Osh",
    ]


def test_page_extent_grows_tiny_features_and_stays_in_the_world():
    point = (71.0, 40.0, 71.0, 40.0)
    width, height = _km(page_extent(point, 0.3, 12.0))
    assert width == pytest.approx(12.0, rel=1e-3) and height == pytest.approx(12.0, rel=1e-3)
    sliver = (70.0, 40.0, 71.0, 40.01)  # 85 km by 1 km: the page is not a strip
    width, height = _km(page_extent(sliver, 0.0, 1.0))
    assert width / height <= 1.6001
    west, south, east, north = page_extent((179.5, 84.0, 180.0, 84.9), 0.5, 200.0)
    assert -180 <= west < east <= 180 and -85 <= south < north <= 85


def test_user_atlas_from_a_data_file_in_another_region(tmp_path):
    spec = load_spec(_project(tmp_path))
    pages = atlas_pages(spec)
    assert [p.slug for p in pages] == ["lake-sevan", "saki", "ajara"]
    assert [p.key for p in pages] == ["Lake Sevan", "Şəki", "Ajara"]
    for page, feature in zip(pages, CAUCASUS["features"], strict=True):
        shape = shapely.geometry.shape(feature["geometry"])
        assert shape.within(shapely.box(*page.extent))
        assert min(_km(page.extent)) >= 20 * 0.999
    saki = page_spec(spec, pages[1])
    assert saki.id == "caucasus/saki" and saki.title == "Şəki"
    assert saki.subtitle == "In Azerbaijan"
    assert saki.caption == "Şəki: not reported."


def test_duplicate_keys_get_numbered_slugs(tmp_path):
    data = json.loads(json.dumps(CAUCASUS))
    data["features"][2]["properties"]["region_name"] = "Lake  Sevan"
    pages = atlas_pages(load_spec(_project(tmp_path, data=data)))
    assert [p.slug for p in pages] == ["lake-sevan", "saki", "lake-sevan-2"]


def test_empty_by_value_is_a_data_error_naming_file_row_and_field(tmp_path):
    data = json.loads(json.dumps(CAUCASUS))
    data["features"][1]["properties"]["region_name"] = ""
    with pytest.raises(DataError) as caught:
        atlas_pages(load_spec(_project(tmp_path, data=data)))
    err = caught.value
    assert err.source.endswith("regions.geojson") and err.row == 2
    assert err.field == "region_name"


def test_missing_by_column_is_a_spec_error_listing_the_columns(tmp_path):
    spec = load_spec(_project(tmp_path, CAUCASUS_SPEC.replace('"region_name"', '"name"', 1)))
    with pytest.raises(SpecError) as caught:
        atlas_pages(spec)
    assert caught.value.field == "atlas.by"
    assert "region_name" in caught.value.hint
    assert "features (data/regions.geojson) have no column 'name'" in caught.value.problem


def test_unknown_placeholder_is_a_spec_error_naming_the_template(tmp_path):
    spec = load_spec(_project(tmp_path, CAUCASUS_SPEC.replace("In {country}", "In {contry}")))
    with pytest.raises(SpecError) as caught:
        atlas_pages(spec)
    assert caught.value.field == "atlas.subtitle" and "contry" in str(caught.value)
    page = AtlasPage("x", "X", (44.0, 40.0, 45.0, 41.0), {"region_name": "X", "country": "Y"})
    with pytest.raises(SpecError, match="contry"):
        page_spec(spec, page)


def test_caption_keeps_sourced_figures_and_escapes_braces_in_values(tmp_path):
    spec = load_spec(_project(tmp_path, CAUCASUS_SPEC.replace("{note}.", "{note}. {manas_names}")))
    fields = {"region_name": "{X}", "country": "C", "note": ""}
    page = AtlasPage("x", "X", (44.0, 40.0, 45.0, 41.0), fields)
    # columns filled now; a figure stays for composition to resolve and credit
    assert page_spec(spec, page).caption == "{{X}}: not reported. {manas_names}"


def test_locator_window_is_the_atlas_extent_in_both_renderers(tmp_path):
    from maps.compose import compose
    from maps.scene import build_scene
    from maps.web.locator import locator

    spec = load_spec(_project(tmp_path))
    page = atlas_pages(spec)[0]
    scene = build_scene(compose(page_spec(spec, page)))
    assert scene.locator.window == spec.extent
    assert scene.locator.extent == page.extent
    svg = locator(scene.locator)
    # the page's box lies inside the locator's picture
    x = float(svg["html"].split('<rect x="')[1].split('"')[0])
    y = float(svg["html"].split('<rect x="')[1].split('y="')[1].split('"')[0])
    assert 0 < x < svg["width"] and 0 < y < svg["height"]
    assert x == pytest.approx((page.extent[0] - spec.extent[0]) * svg["kx"], abs=0.2)
    from maps.print import static_figure

    figure = static_figure(scene, size="a4", dpi=40)
    boxes = [
        (axes, patch)
        for main in figure.axes
        for axes in (main, *main.child_axes)  # insets are axes inside the map's
        for patch in axes.patches
        if tuple(round(c, 2) for c in patch.get_facecolor()) == (0.75, 0.16, 0.11, 0.15)
    ]
    assert len(boxes) == 1  # the locator's box of the page
    axes, patch = boxes[0]
    xs, ys = patch.get_xy()[:, 0], patch.get_xy()[:, 1]
    (x0, x1), (y0, y1) = sorted(axes.get_xlim()), sorted(axes.get_ylim())
    assert x0 < xs.min() < xs.max() < x1 and y0 < ys.min() < ys.max() < y1
    # the window is the atlas's extent: the page's box is a small part of it
    assert (xs.max() - xs.min()) / (x1 - x0) < 0.25


# --- the build ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def atlas_build(tmp_path_factory):
    """A user atlas built once (HTML and PNG), with its project and output folders."""
    root = tmp_path_factory.mktemp("atlas")
    path = _project(root / "project")
    out = root / "out"
    report = build([path], out, formats=["html", "png"], jobs=2)
    return path, out, report


def test_build_writes_one_map_per_page_in_the_atlas_subfolder(atlas_build):
    _, out, report = atlas_build
    assert report.ok, [r.error for r in report.results]
    ids = [r.id for r in report.results]
    assert ids == ["caucasus/lake-sevan", "caucasus/saki", "caucasus/ajara"]
    maps = _manifest(out)["maps"]
    assert set(maps) == set(ids)
    for map_id, entry in maps.items():
        assert entry["atlas"] == "caucasus" and entry["page"]
        assert entry["spec"] == "specs/caucasus.toml"
        assert "data/regions.geojson" in entry["coverage"]  # read by the driver
        for name, digest in entry["outputs"].items():
            assert name.startswith("caucasus/"), name
            assert file_sha256(out / name) == digest
        assert f"{map_id}.html" in entry["outputs"] and f"{map_id}.png" in entry["outputs"]
    top = [p.name for p in out.iterdir() if p.suffix in (".html", ".png")]
    assert top == ["index.html"]


def test_gallery_groups_atlas_pages_under_the_atlas_title(atlas_build):
    _, out, _ = atlas_build
    gallery = (out / "index.html").read_text(encoding="utf-8")
    section = gallery.split('<section class="atlas" id="caucasus"')[1].split("</section>")[0]
    assert "<h2" in section and "Places of the Caucasus" in section
    assert section.count('<article class="page"') == 3
    for slug in ("lake-sevan", "saki", "ajara"):
        assert f'href="caucasus/{slug}.html"' in section
        assert f'src="caucasus/{slug}.web.png"' in section


def test_outputs_hold_no_absolute_path(atlas_build):
    path, out, _ = atlas_build
    project = str(path.parent.parent)
    for file in out.rglob("*"):
        if file.is_file() and file.suffix in (".html", ".json", ".txt", ".svg"):
            assert project not in file.read_text(encoding="utf-8"), file


def test_second_build_skips_every_page_without_geopandas(atlas_build):
    path, out, _ = atlas_build
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from maps.build import build\n"
        f"report = build([Path({str(path)!r})], Path({str(out)!r}), formats=['html', 'png'])\n"
        "print(' '.join(r.id + ':' + r.status for r in report.results))\n"
        "print('geopandas' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    statuses, heavy = result.stdout.split("\n")[:2]
    assert statuses.split() == [
        "caucasus/lake-sevan:skipped",
        "caucasus/saki:skipped",
        "caucasus/ajara:skipped",
    ]
    assert heavy == "False"


def test_changed_spec_rebuilds_pages_and_vanished_features_lose_their_files(tmp_path):
    path = _project(tmp_path / "project")
    out = tmp_path / "out"
    assert build([path], out, formats=["html"], jobs=1).ok
    path.write_text(CAUCASUS_SPEC + "# touched\n", encoding="utf-8")
    report = build([path], out, formats=["html"], jobs=1)
    assert [r.status for r in report.results] == ["built"] * 3
    fewer = json.loads(json.dumps(CAUCASUS))
    del fewer["features"][1]
    (tmp_path / "project" / "data" / "regions.geojson").write_text(json.dumps(fewer))
    report = build([path], out, formats=["html"], jobs=1)
    assert [r.id for r in report.results] == ["caucasus/lake-sevan", "caucasus/ajara"]
    # the other pages show what they showed: kept, not redrawn (their place moved)
    assert [r.status for r in report.results] == ["skipped", "skipped"]
    assert set(_manifest(out)["maps"]) == {"caucasus/lake-sevan", "caucasus/ajara"}
    assert not list((out / "caucasus").glob("saki.*"))
    assert (out / "caucasus" / "ajara.html").is_file()
    assert "caucasus/saki" not in (out / "index.html").read_text(encoding="utf-8")


def test_a_broken_atlas_fails_alone_with_a_message_naming_the_field(tmp_path):
    data = json.loads(json.dumps(CAUCASUS))
    data["features"][0]["properties"]["region_name"] = None
    path = _project(tmp_path / "project", data=data)
    report = build([path], tmp_path / "out", formats=["html"], jobs=1)
    [result] = report.results
    assert (result.id, result.status, result.cause) == ("caucasus", "failed", "input")
    assert "regions.geojson" in result.error and "region_name" in result.error


def test_a_page_shipped_from_a_worker_keeps_its_subfolder(tmp_path):
    path = _project(tmp_path / "project")
    spec = load_spec(path)
    page = atlas_pages(spec)[1]
    result, entry = build_one(path, file_sha256(path), tmp_path, ("html",), True, page)
    assert result.status == "built", result.error
    assert result.id == "caucasus/saki" and entry["page"] == "Şəki"
    assert set(entry["payload"]) == set(entry["outputs"])
    assert all(name.startswith("caucasus/saki.") for name in entry["payload"])


def test_a_changed_feature_redraws_its_page_alone_and_the_manifest_keeps_up(tmp_path):
    path = _project(tmp_path / "project")
    out = tmp_path / "out"
    assert build([path], out, formats=["html"], jobs=1).ok
    changed = json.loads(json.dumps(CAUCASUS))
    changed["features"][2]["properties"]["note"] = "a coastal autonomous republic"
    (tmp_path / "project" / "data" / "regions.geojson").write_text(json.dumps(changed))
    report = build([path], out, formats=["html"], jobs=1)
    status = {r.id: r.status for r in report.results}
    assert status == {
        "caucasus/lake-sevan": "skipped",
        "caucasus/saki": "skipped",
        "caucasus/ajara": "built",
    }
    assert "a coastal autonomous republic" in (out / "caucasus" / "ajara.html").read_text(
        encoding="utf-8"
    )
    # the kept pages now vouch for the new coverage file: the next build is a no-op
    again = build([path], out, formats=["html"], jobs=1)
    assert [r.status for r in again.results] == ["skipped"] * 3


def test_scale_bar_numbers_of_small_pages_are_not_rounded_away():
    from maps.print.furniture import format_km

    # an atlas page of a tiny enclave has a 2.5 km bar: its middle is 1.25 km, not 1.2
    assert [format_km(v) for v in (1.25, 2.5, 12.5, 25, 0.25)] == [
        "1.25",
        "2.5",
        "12.5",
        "25",
        "0.25",
    ]
