"""Every ``fergana`` failure: one or a few lines, a documented exit code, no traceback.

The project here is made up for the tests: caravans between the towns of Khorezm,
FICTIONAL counts, in a ';'-separated file with column names of its own. Exit
codes (README, CLI section): 0 ok, 1 some maps failed or an internal error,
2 bad usage or input, 3 environment, 130 interrupted, 143 SIGTERM.
"""

import errno
import importlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from geo.locks import exclusive
from scripts.cli import main

ROOT = Path(__file__).resolve().parent.parent

CARAVANS = """\
from;to;n;note
Khiwa;Urgentch;120;FICTIONAL
Nukus;Khiwa;40;FICTIONAL
Urgentch;Nukus;7;FICTIONAL
"""
#: Three bad counts in three lines: all of them must be reported at once.
BAD_CARAVANS = """\
from;to;n;note
Khiwa;Urgentch;120;FICTIONAL
Nukus;Khiwa;-4;FICTIONAL
Urgentch;Nukus;many;FICTIONAL
Khiwa;Nukus;;FICTIONAL
"""
SPEC = """\
id = "{id}"
title = "Khorezm caravans (fictional)"
extent = [58.0, 40.5, 62.5, 43.5]
caption = "FICTIONAL numbers made up for a test."
relief = false
{extra}
[[layers]]
id = "flows"
data = "../data/{data}"
columns = {{ origin = "from", destination = "to", count = "n" }}
"""
#: The places layer on a file without the `population` column it requires.
TOWNS_SPEC = """\
id = "towns"
title = "Towns (fictional)"
extent = [58.0, 40.5, 62.5, 43.5]
relief = false
[[layers]]
id = "places"
data = "../data/towns.csv"
"""
TOWNS = "name,lon,lat\nKhiwa,60.36,41.38\nNukus,59.61,42.46\n"


def make_project(folder: Path) -> Path:
    """`folder/khorezm`: specs and data of several kinds, good and bad."""
    project = folder / "khorezm"
    specs, data = project / "specs", project / "data"
    specs.mkdir(parents=True)
    data.mkdir()
    (data / "caravans.csv").write_text(CARAVANS, encoding="utf-8")
    (data / "bad-caravans.csv").write_text(BAD_CARAVANS, encoding="utf-8")
    (data / "towns.csv").write_text(TOWNS, encoding="utf-8")
    for map_id, data_file, extra in (
        ("caravans", "caravans.csv", ""),
        ("bad-rows", "bad-caravans.csv", ""),
        ("odd-key", "caravans.csv", 'colour = "red"'),
    ):
        text = SPEC.format(id=map_id, data=data_file, extra=extra)
        (specs / f"{map_id}.toml").write_text(text, encoding="utf-8")
    (specs / "broken.toml").write_text('id = "broken"\ntitle = "Broken\n', encoding="utf-8")
    (specs / "towns.toml").write_text(TOWNS_SPEC, encoding="utf-8")
    (folder / "taken").write_text("a file where the output folder should go", encoding="utf-8")
    return project


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "scripts.cli", *args]


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "FERGANA_DEBUG"}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """``python -m scripts.cli ARGS`` in `cwd`, importing this checkout."""
    return subprocess.run(
        command(*args), cwd=cwd, env=environment(**env), capture_output=True, text=True
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("errors"))


S = "khorezm/specs/"
BAD_INVOCATIONS = [
    # (arguments, exit code, phrases of the message)
    (["frob"], 2, ["invalid choice: 'frob'", "build"]),
    ([], 2, ["required: COMMAND"]),
    (["build", S + "caravans.toml", "--format", "html,jpg"], 2, ["--format jpg", "html, png"]),
    (["build", S + "caravans.toml", "--jobs", "0"], 2, ["--jobs: 0 is below 1"]),
    (["build", S + "caravans.toml", "--jobs", "two"], 2, ["--jobs: 'two' is not a whole"]),
    (["build", S + "nowhere.toml"], 2, [S + "nowhere.toml: no such spec file or folder"]),
    (["build", "khorezm", "--only", "silk"], 2, ["no spec with id silk", "caravans"]),
    (["check", S + "broken.toml"], 2, [S + "broken.toml: is not valid TOML", "line 2"]),
    (["check", S + "odd-key.toml"], 2, [S + "odd-key.toml, field 'colour'", "allowed: "]),
    (
        ["check", S + "bad-rows.toml"],
        2,
        ["bad-caravans.csv", "field 'n'", "line 3 (-4)", "line 4 ('many')", "no value: line 5"],
    ),
    (
        ["build", S + "bad-rows.toml", "--out", "maps", "--format", "html"],
        1,
        ["bad-rows: FAILED", "line 3 (-4)", "line 4 ('many')", "these maps failed: bad-rows"],
    ),
    (
        ["build", S + "caravans.toml", "--out", "taken", "--format", "html"],
        3,
        ["cannot use taken as the output folder: it is a file", "choose another --out"],
    ),
    (
        ["build", S + "caravans.toml", "--out", "/proc/nope", "--format", "html"],
        3,
        ["cannot use /proc/nope as the output folder", "choose another --out"],
    ),
    (
        ["build", S + "caravans.toml", "--jobs", "2", "--scheduler", "tcp://127.0.0.1:8786"],
        2,
        ["argument --scheduler: not allowed with argument --jobs"],
    ),
    (
        ["build", S + "caravans.toml", "--scheduler", "127.0.0.1"],
        2,
        ["'127.0.0.1' is not a scheduler address (fix: tcp://HOST:PORT)"],
    ),
    # nothing listens on port 1: refused at once, before any map is rendered
    (
        ["build", S + "caravans.toml", "--out", "scaled", "--scheduler", "tcp://127.0.0.1:1"],
        3,
        ["error: no Dask scheduler at tcp://127.0.0.1:1: connection refused", "dask scheduler"],
    ),
    (["data", "info", "nope"], 2, ["no dataset 'nope' in the catalog", "Known: "]),
    (["data", "frob"], 2, ["invalid choice: 'frob'"]),
    (["layers"], 2, ["fergana layers", "required: ACTION"]),
    (["layers", "show", "places"], 2, ["invalid choice: 'show'", "list"]),
    # a map whose layer reads a file without a column it needs: that map fails
    (["build", S + "towns.toml", "--out", "maps", "--format", "html"], 1, ["towns: FAILED"]),
]


@pytest.mark.parametrize(
    ("args", "code", "phrases"), BAD_INVOCATIONS, ids=[" ".join(a) for a, _, _ in BAD_INVOCATIONS]
)
def test_a_bad_invocation_says_what_and_where_in_a_few_lines(project, args, code, phrases):
    if "/proc/nope" in args and not Path("/proc").is_dir():
        pytest.skip("needs /proc")
    result = run(*args, cwd=project.parent)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, (phrase, result.stderr)
    assert len(result.stderr.splitlines()) <= 12, result.stderr


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--debug", "data", "info", "nope"], {}),
        (["data", "info", "nope", "--debug"], {}),
        (["data", "info", "nope"], {"FERGANA_DEBUG": "1"}),
    ],
)
def test_debug_adds_the_traceback(project, args, env):
    result = run(*args, cwd=project.parent, **env)
    assert result.returncode == 2
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("error: no dataset 'nope'")


def test_check_reports_every_bad_spec_then_exits_2(project):
    result = run("check", "khorezm", cwd=project.parent)
    assert result.returncode == 2
    assert result.stdout == "ok: caravans\n"
    err = result.stderr
    for phrase in ("line 4 ('many')", "broken.toml: is not valid TOML", "field 'colour'"):
        assert phrase in err, (phrase, err)
    assert "4 of 5 specs have problems" in err and "Traceback" not in err


# --- in-process: an internal error, a map that crashes, a full disk -------------------


def test_an_unexpected_error_is_an_internal_error_with_the_way_to_the_traceback(
    project, monkeypatch, capsys
):
    def crash(args):
        raise RuntimeError("a wheel came off")

    monkeypatch.setattr("scripts.cli._data_list", crash)
    monkeypatch.delenv("FERGANA_DEBUG", raising=False)
    assert main(["data", "list"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: internal error in fergana: RuntimeError: a wheel came off")
    assert "--debug" in err and "Traceback" not in err and len(err.splitlines()) == 1
    monkeypatch.setenv("FERGANA_DEBUG", "1")
    assert main(["data", "list"]) == 1
    assert "Traceback (most recent call last)" in capsys.readouterr().err


def test_a_map_that_crashes_says_internal_error_and_the_traceback_only_with_debug(
    project, tmp_path, monkeypatch, capsys
):
    def compose(spec):
        raise AttributeError("'numpy.float64' object has no attribute 'fillna'")

    module = importlib.import_module("maps.compose")  # `maps.compose` is also a function
    monkeypatch.setattr(module, "compose", compose)  # build_one imports it per map
    monkeypatch.delenv("FERGANA_DEBUG", raising=False)
    spec = str(project / "specs" / "caravans.toml")
    args = ["build", spec, "--out", str(tmp_path / "out"), "--format", "html", "--jobs", "1"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "caravans: FAILED" in err and "internal error in fergana: AttributeError" in err
    assert "Traceback" not in err
    assert main(["--debug", *args]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "in compose" in err


def test_a_full_disk_for_every_failed_map_is_exit_3(project, tmp_path, monkeypatch, capsys):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", "out/caravans.html")

    monkeypatch.setattr("maps.build._render", full)
    spec = str(project / "specs" / "caravans.toml")
    args = ["build", spec, "--out", str(tmp_path / "out"), "--format", "html", "--jobs", "1"]
    assert main(args) == 3
    err = capsys.readouterr().err
    assert "disk full writing out/caravans.html; free some space" in err
    assert "Traceback" not in err


# --- the output folder's lock ---------------------------------------------------------


@pytest.fixture
def held_out(project, tmp_path):
    """An output folder whose lock this test process holds, as a build would."""
    out = tmp_path / "held"
    out.mkdir()
    with exclusive(out / ".lock", target=str(out), command="fergana build"):
        yield out


def build_args(project: Path, out: Path, *extra: str) -> list[str]:
    spec = project / "specs" / "caravans.toml"
    return ["build", str(spec), "--out", str(out), "--format", "html", *extra]


def test_a_held_output_folder_is_exit_3_naming_the_holder(project, held_out):
    result = run(*build_args(project, held_out), cwd=project.parent)
    assert result.returncode == 3, result.stderr
    assert f"is being written by fergana build (pid {os.getpid()}, since " in result.stderr
    assert "fergana build --wait" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1


def waiting_build(project: Path, out: Path) -> subprocess.Popen:
    """A ``build --wait`` into `out`, once it has said that it waits."""
    process = subprocess.Popen(
        command(*build_args(project, out, "--wait")),
        cwd=project.parent,
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = process.stderr.readline()  # blocks until the build waits for the lock
    assert line.startswith(f"waiting for {out}: it is being written by fergana build "), line
    assert f"(pid {os.getpid()}, since " in line
    return process


def test_wait_builds_once_the_holder_lets_go(project, tmp_path):
    out = tmp_path / "later"
    out.mkdir()
    with exclusive(out / ".lock", target=str(out), command="fergana build"):
        process = waiting_build(project, out)
        assert not (out / "caravans.html").exists()
    rest = process.stderr.read()
    assert process.wait(timeout=120) == 0, rest
    assert "caravans: built" in rest and (out / "caravans.html").is_file()


@pytest.mark.parametrize(
    ("sig", "code", "line"),
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "stopped (SIGTERM)")],
)
def test_a_waiting_build_stops_on_a_signal_with_one_line(project, held_out, sig, code, line):
    process = waiting_build(project, held_out)
    process.send_signal(sig)
    try:
        _, rest = process.communicate(timeout=60)
    finally:
        process.kill()  # no-op once it has exited; never leaves a build behind
    assert process.returncode == code, rest
    assert rest == line + "\n"


# --- MP4 without ffmpeg ---------------------------------------------------------------

NO_FFMPEG = "is not installed (fix: sudo apt-get install ffmpeg)"


@pytest.fixture
def no_ffmpeg_path(tmp_path) -> str:
    """A PATH without ffmpeg (the command runs by its absolute interpreter path)."""
    empty = tmp_path / "bin"
    empty.mkdir()
    return str(empty)


@pytest.mark.parametrize("formats", ["mp4", "html,mp4"])
def test_mp4_asked_for_without_ffmpeg_is_one_line_and_exit_3(
    project, tmp_path, no_ffmpeg_path, formats
):
    out = tmp_path / "out"
    result = run(
        *build_args(project, out)[:-2], "--format", formats, cwd=project.parent, PATH=no_ffmpeg_path
    )
    assert result.returncode == 3, result.stderr
    assert result.stderr == f"error: --format mp4 needs ffmpeg, which {NO_FFMPEG}\n"
    assert not out.exists()  # nothing built, not even the folder


def test_default_formats_without_ffmpeg_drop_mp4_with_a_note(project, tmp_path, no_ffmpeg_path):
    out = tmp_path / "out"
    spec = project / "specs" / "caravans.toml"
    result = run("build", str(spec), "--out", str(out), cwd=project.parent, PATH=no_ffmpeg_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == f"note: no MP4s: ffmpeg {NO_FFMPEG}"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    # the map has no [motion]: it records the formats it is drawn in, GIF and MP4 not among them
    assert manifest["maps"]["caravans"]["formats"] == ["html", "pdf", "png", "svg"]
    # and ffmpeg arriving later (MP4 back in the default formats) does not rebuild it
    again = run("build", str(spec), "--out", str(out), cwd=project.parent)
    assert again.returncode == 0, again.stderr
    assert "up to date" in again.stderr
