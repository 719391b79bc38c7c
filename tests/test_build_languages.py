"""``fergana build`` in several languages: one task per map and language, per-language rebuilds.

A user's own project (other column names, other places than fergana's story maps)
with ``languages = ["en", "ru"]`` gives ``ID.html`` and ``ID.ru.html``, ``ID.ru.png``...;
the English outputs are byte-identical to a build of the same spec without
``languages`` (the web page differs only by the language switcher); each language
rebuilds on its own inputs (its catalog, the names tables).
"""

from __future__ import annotations

import io
import json
import re
import shutil
from contextlib import redirect_stderr
from pathlib import Path

import pytest

import geo.language
from maps.build import MANIFEST, build
from scripts.cli import main

SPEC = """\
# FICTIONAL wells for fergana's tests: no such survey exists.
id = "wells"
title = "Wells by town (fictional)"
subtitle = "Southern Kazakhstan"
caption = "FICTIONAL numbers for fergana's tests."
extent = [67.6, 41.6, 75.4, 44.2]
relief = false
{languages}
[[layers]]
id = "countries"
focus = "KAZ"

[[layers]]
id = "points"
data = "../data/wells.csv"
place = "settlement"
label = "settlement"
size = "wells_dug"
units = "wells"
title = "Wells (fictional)"
credit = "Fictional well survey"

[[annotations]]
text = "A fictional note"
place = "Taraz"
{text}"""

LANGUAGES = 'languages = ["en", "ru"]\nnames = "../data/names.csv"\n'
RUSSIAN = """
[text.ru]
title = "Колодцы по городам (вымышленные данные)"
annotations = ["Вымышленная заметка"]

[text.ru.layers]
points = "Колодцы (вымышленные данные)"
"""
WELLS = "settlement,wells_dug\nTaraz,12\nShymkent,30\nTurkistan,7\nKentau,3\n"
NAMES = "id,ru\niso:KAZ,Казахстан\n"
FORMATS = ("html", "png", "svg", "pdf")
# what the web page of a map in several languages adds: its switcher and the head's links
SWITCHER = (
    re.compile(r'<nav class="fg-languages".*?</nav>', re.S),
    # the same nav inside the page's script config (JSON, "<" as \u003c)
    re.compile(r'\\u003cnav class=\\"fg-languages\\".*?\\u003c/nav\\u003e'),
    re.compile(r'[ \t]*<link rel="alternate"[^>]*>\n?'),
    # the switcher's rules, appended to the page's stylesheet (maps/web/switcher.css)
    re.compile(r"/\* The language switcher.*?(?=</style>)", re.S),
)


def _project(root: Path, *, languages: bool = True) -> Path:
    """A user's project in `root`: specs/wells.toml and its data."""
    (root / "specs").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "data" / "wells.csv").write_text(WELLS, encoding="utf-8")
    (root / "data" / "names.csv").write_text(NAMES, encoding="utf-8")
    spec = SPEC.format(languages=LANGUAGES if languages else "", text=RUSSIAN if languages else "")
    (root / "specs" / "wells.toml").write_text(spec, encoding="utf-8")
    return root


def _cli(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    with redirect_stderr(err):
        code = main(["build", *args, "--jobs", "1"])
    return code, err.getvalue()


def _manifest(out: Path) -> dict:
    return json.loads((out / MANIFEST).read_text(encoding="utf-8"))


def _statuses(stderr: str) -> dict[str, str]:
    return dict(re.findall(r"\] ([a-z0-9_./-]+): (built|up to date|FAILED)", stderr))


def _mtimes(out: Path) -> dict[str, int]:
    return {
        p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file() and "wells" in p.name
    }


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> tuple[Path, Path, str]:
    """The project built in English and Russian: (project, out, standard error)."""
    root = tmp_path_factory.mktemp("languages")
    project = _project(root / "wells-project")
    out = root / "out"
    code, err = _cli(str(project), "--out", str(out), "--format", ",".join(FORMATS))
    assert code == 0, err
    return project, out, err


def test_each_language_writes_its_own_files(both):
    _, out, _ = both
    for suffix in (".html", ".png", ".svg", ".pdf", ".txt"):
        assert (out / f"wells{suffix}").is_file(), suffix
        assert (out / f"wells.ru{suffix}").is_file(), suffix
    assert "Колодцы по городам" in (out / "wells.ru.html").read_text(encoding="utf-8")
    assert "Колодцы по городам" not in (out / "wells.html").read_text(encoding="utf-8")


def test_the_manifest_has_one_entry_per_language(both):
    _, out, _ = both
    maps = _manifest(out)["maps"]
    assert set(maps) == {"wells", "wells.ru"}
    english, russian = maps["wells"], maps["wells.ru"]
    assert english["language"] == "en"
    assert "missing" not in english and "alternates" not in english
    assert russian["language"] == "ru"
    assert russian["title"] == "Колодцы по городам (вымышленные данные)"
    assert all(name.startswith("wells.ru.") for name in russian["outputs"])
    assert russian["alternates"] == [
        {"code": "en", "id": "wells", "current": False},
        {"code": "ru", "id": "wells.ru", "current": True},
    ]
    # the spec gives no Russian subtitle nor caption: English, and listed
    missing = russian["missing"]
    assert set(missing) == {"messages", "names"}
    assert {"Southern Kazakhstan", "FICTIONAL numbers for fergana's tests."} <= set(
        missing["messages"]
    )
    # the Russian map's own inputs: the catalog and the names table
    assert russian["inputs"]["geo/locale/ru.po"]["copy"] == "catalog"
    assert russian["inputs"]["data/names.csv"]["copy"] == "user"
    assert "geo/locale/ru.po" not in english["inputs"]
    assert "data/names.csv" not in english["inputs"]


def test_one_warning_line_per_map_and_language_with_missing_text(both):
    _, _, err = both
    lines = [line for line in err.splitlines() if "have no Russian" in line]
    assert len(lines) == 1, err
    assert re.fullmatch(
        r"warning: wells \(ru\): (\d+ names? and )?\d+ messages? have no Russian; "
        r"drawn in English: .+ — see the manifest",
        lines[0],
    ), lines[0]
    assert "Southern Kazakhstan" in lines[0]
    assert "Traceback" not in err
    assert not [line for line in err.splitlines() if "(en)" in line]


def _normalised(path: Path) -> bytes:
    if path.suffix != ".html":
        return path.read_bytes()
    text = path.read_text(encoding="utf-8")
    for pattern in SWITCHER:
        text = pattern.sub("", text)
    return text.encode()


def test_english_outputs_are_those_of_a_build_without_languages(both, tmp_path):
    _, out, _ = both
    plain = _project(tmp_path / "plain", languages=False)
    report = build([plain / "specs" / "wells.toml"], tmp_path / "out", formats=FORMATS, jobs=1)
    assert report.ok, [r.error for r in report.results]
    written = sorted(report.results[0].outputs)
    assert written == sorted(_manifest(out)["maps"]["wells"]["outputs"])
    for name in written:
        if name.endswith(".html"):
            assert _normalised(out / name) == _normalised(tmp_path / "out" / name), name
        else:
            assert (out / name).read_bytes() == (tmp_path / "out" / name).read_bytes(), name


def test_a_second_build_is_a_no_op(both):
    project, out, _ = both
    before = _mtimes(out)
    code, err = _cli(str(project), "--out", str(out), "--format", ",".join(FORMATS))
    assert code == 0, err
    assert _statuses(err) == {"wells": "up to date", "wells.ru": "up to date"}
    assert _mtimes(out) == before
    assert len([line for line in err.splitlines() if "have no Russian" in line]) == 1


def test_lang_builds_only_that_language(tmp_path):
    project = _project(tmp_path / "p")
    out = tmp_path / "out"
    code, err = _cli(str(project), "--out", str(out), "--format", "html,png", "--lang", "ru")
    assert code == 0, err
    assert _statuses(err) == {"wells.ru": "built"}
    assert set(_manifest(out)["maps"]) == {"wells.ru"}
    assert (out / "wells.ru.png").is_file() and not (out / "wells.png").exists()
    # then the other language: the Russian map stays up to date
    code, err = _cli(str(project), "--out", str(out), "--format", "html,png", "--lang", "en,ru")
    assert code == 0, err
    assert _statuses(err) == {"wells": "built", "wells.ru": "up to date"}


def test_lang_builds_a_map_whose_spec_does_not_list_it(tmp_path):
    project = _project(tmp_path / "p", languages=False)
    out = tmp_path / "out"
    code, err = _cli(str(project), "--out", str(out), "--format", "html", "--lang", "ru")
    assert code == 0, err
    assert set(_manifest(out)["maps"]) == {"wells.ru"}
    assert (out / "wells.ru.html").is_file()
    assert "have no Russian" in err  # its title, caption... are English, and said so
    # a build without --lang follows the spec: English only, the trial Russian map goes
    code, err = _cli(str(project), "--out", str(out), "--format", "html")
    assert code == 0, err
    assert set(_manifest(out)["maps"]) == {"wells"}
    assert not (out / "wells.ru.html").exists()


def test_an_unknown_lang_is_one_line_and_exit_2(tmp_path, capsys):
    code = main(["build", "--lang", "xx", "--out", str(tmp_path / "out")])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "--lang xx" in err and "unknown language" in err


KYRGYZ_CATALOG = """\
msgid ""
msgstr ""
"Language: ky\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"

msgid "Sources"
msgstr "Булактар"
"""


def test_a_catalog_added_later_rebuilds_the_maps_drawn_without_it(tmp_path, monkeypatch):
    locale = tmp_path / "locale"
    shutil.copytree(geo.language.LOCALE_DIR, locale)
    monkeypatch.setattr(geo.language, "LOCALE_DIR", locale)
    geo.language._compiled_catalog.cache_clear()
    project = _project(tmp_path / "p", languages=False)
    spec, out = project / "specs" / "wells.toml", tmp_path / "out"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace("relief = false", 'relief = false\nlanguages = ["en", "ky"]'))

    def statuses() -> dict[str, str]:
        report = build([spec], out, formats=("html",), jobs=1)
        assert report.ok, [r.error for r in report.results]
        return {r.id: r.status for r in report.results}

    try:
        _added_catalog_rebuilds(statuses, locale, out)
    finally:  # no test after this one may read the temporary catalogs
        geo.language._compiled_catalog.cache_clear()


def _added_catalog_rebuilds(statuses, locale: Path, out: Path) -> None:
    assert statuses() == {"wells": "built", "wells.ky": "built"}
    record = _manifest(out)["maps"]["wells.ky"]["inputs"]
    absent = [v for v in record.values() if v["copy"] == "catalog"]
    assert absent == [{"sha256": None, "copy": "catalog"}]
    assert "Sources" in _manifest(out)["maps"]["wells.ky"]["missing"]["messages"]
    assert statuses() == {"wells": "skipped", "wells.ky": "skipped"}
    (locale / "ky.po").write_text(KYRGYZ_CATALOG, encoding="utf-8")
    geo.language._compiled_catalog.cache_clear()
    assert statuses() == {"wells": "skipped", "wells.ky": "built"}
    assert "Sources" not in _manifest(out)["maps"]["wells.ky"]["missing"]["messages"]
    assert statuses() == {"wells": "skipped", "wells.ky": "skipped"}


def test_a_changed_catalog_or_names_table_rebuilds_only_the_russian_map(tmp_path, monkeypatch):
    locale = tmp_path / "locale"
    shutil.copytree(geo.language.LOCALE_DIR, locale)
    monkeypatch.setattr(geo.language, "LOCALE_DIR", locale)
    geo.language._compiled_catalog.cache_clear()
    project = _project(tmp_path / "p")
    spec, out = project / "specs" / "wells.toml", tmp_path / "out"

    def statuses() -> dict[str, str]:
        report = build([spec], out, formats=("html",), jobs=1)
        assert report.ok, [r.error for r in report.results]
        return {r.id: r.status for r in report.results}

    assert statuses() == {"wells": "built", "wells.ru": "built"}
    english = (out / "wells.html").stat().st_mtime_ns
    with (locale / "ru.po").open("a", encoding="utf-8") as po:
        po.write('\nmsgid "A fictional note"\nmsgstr "Вымышленная заметка"\n')
    geo.language._compiled_catalog.cache_clear()
    assert statuses() == {"wells": "skipped", "wells.ru": "built"}
    assert statuses() == {"wells": "skipped", "wells.ru": "skipped"}
    with (project / "data" / "names.csv").open("a", encoding="utf-8") as names:
        names.write("iso:KGZ,Киргизия\n")
    assert statuses() == {"wells": "skipped", "wells.ru": "built"}
    assert (out / "wells.html").stat().st_mtime_ns == english
    geo.language._compiled_catalog.cache_clear()
