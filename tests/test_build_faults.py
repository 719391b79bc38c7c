"""A build stopped at every commit step, its parent killed while workers render, a full
disk, two builds at once: outputs and manifest stay true, no process is left behind.

Kills land where the FERGANA_FAULT hook (maps.faults) puts them, never after a sleep.
The builds' processes are found by a unique environment variable in /proc/PID/environ.
"""

from __future__ import annotations

import contextlib
import errno
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

import geo
import maps.build
import maps.commit
from geo.locks import LockHeldError
from maps.build import MANIFEST, build, failure, file_sha256, find_specs
from maps.commit import CommitError
from maps.faults import FAULT_ENV
from scripts.soak_build import processes

ROOT = Path(__file__).parent.parent
IDS = ("alpha", "beta")
FORMATS = ["html"]  # three files a map: quick to render, enough renames to stop between
#: Commit steps of a rebuild of both maps: per map one manifest write (old entry out),
#: three renames, one manifest write (new entry in); then the gallery.
STEPS = 2 * (1 + 3 + 1) + 1
MARK = "FERGANA_TEST_BUILD_MARK"
#: Deadline for a killed build's processes to be gone (they take milliseconds).
GONE_WITHIN = 20.0

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")


def _project(folder: Path, title: str) -> Path:
    (folder / "specs").mkdir(parents=True)
    for map_id in IDS:
        (folder / "specs" / f"{map_id}.toml").write_text(
            f'id = "{map_id}"\ntitle = "{title} {map_id}"\nextent = [70, 39, 74, 42]\n'
            'layers = ["countries"]\nrelief = false\n',
            encoding="utf-8",
        )
    return folder


@dataclass(frozen=True)
class Rebuild:
    """A first build of two maps (`built`), and `second`: their project changed so
    that both must be rebuilt."""

    second: Path
    built: Path


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> Rebuild:
    base = tmp_path_factory.mktemp("faults")
    first = _project(base / "first", "First")
    built = base / "built"
    assert build(find_specs([first]), built, formats=FORMATS, jobs=1).ok
    return Rebuild(_project(base / "second", "Second"), base / "built")


def _cli(project: Path, out: Path, fault: str = "", *args: str) -> tuple[list[str], dict]:
    """The command and environment of a CLI build, marked to find its processes."""
    mark = uuid.uuid4().hex
    env = {**os.environ, "PYTHONPATH": str(ROOT), MARK: mark, FAULT_ENV: fault}
    command = [sys.executable, "-m", "scripts.cli", "build", str(project), "--out", str(out)]
    command += ["--format", ",".join(FORMATS), "--jobs", "2", *args]
    return command, env


def _run(command: list[str], env: dict, cwd: Path) -> tuple[int, str]:
    """(exit status, standard error) of a build run to its end.

    Its output goes to a file, not a pipe: a worker that outlived the build would
    hold a pipe open and hang the test instead of failing it.
    """
    with open(Path(cwd) / f"stderr-{env[MARK]}.txt", "w+", encoding="utf-8") as stderr:
        done = subprocess.run(command, env=env, cwd=cwd, stdout=stderr, stderr=stderr, timeout=300)
        stderr.seek(0)
        return done.returncode, stderr.read()


def _processes(mark: str) -> list[int]:
    """Live processes of the build marked `mark` (see scripts.soak_build.processes)."""
    return processes(mark, MARK)


def _gone(mark: str, within: float = GONE_WITHIN) -> tuple[list[int], float]:
    """(processes still there at the deadline, seconds until none was left).

    Those still there are then SIGKILLed, so that a failing test leaves none behind.
    """
    start = time.monotonic()
    while (left := _processes(mark)) and time.monotonic() - start < within:
        time.sleep(0.002)  # polling for a state, not timing a guess: the deadline decides
    for pid in left:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    return left, time.monotonic() - start


def _manifest(out: Path) -> dict:
    return json.loads((out / MANIFEST).read_text(encoding="utf-8"))


def _assert_true_to_files(out: Path) -> dict:
    """Every file the manifest lists matches its sha256; no temporary file is an output."""
    manifest = _manifest(out)
    for entry in manifest["maps"].values():
        for name, digest in entry["outputs"].items():
            assert file_sha256(out / name) == digest, name
    visible = {p.name for p in out.iterdir() if not p.name.startswith(".")}
    allowed = {MANIFEST, "index.html"} | {
        f"{i}{suffix}" for i in IDS for suffix in (".html", ".embed.html", ".txt")
    }
    assert visible <= allowed, visible - allowed
    return manifest


def _files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}


@pytest.mark.parametrize("step", range(1, STEPS + 1))
def test_build_killed_before_each_commit_step_leaves_true_outputs(projects, tmp_path, step):
    second, built = projects.second, projects.built
    out = tmp_path / "out"
    shutil.copytree(built, out)
    old = _manifest(built)["maps"]
    command, env = _cli(second, out, f"commit:{step}")
    status, stderr = _run(command, env, tmp_path)
    assert status == -signal.SIGKILL, stderr
    left, _ = _gone(env[MARK])
    assert not left, f"processes of the killed build still running: {left}"

    entries = _assert_true_to_files(out)["maps"]
    new = {i for i, e in entries.items() if e["title"].startswith("Second")}
    kept = {i for i, e in entries.items() if e == old[i]}
    # a map's new entry lands at its 5th step; its old one leaves at its 1st
    assert len(new) == (step > 5) + (step > 10)
    assert len(IDS) - len(new) - len(kept) == (step % 5 != 1 and step < STEPS)
    for map_id in kept:  # maps not yet committed: their previous files, untouched
        for name in old[map_id]["outputs"]:
            assert (out / name).read_bytes() == (built / name).read_bytes(), name

    # the next build finishes the job, clears the staging leftovers and repairs
    report = build(find_specs([second]), out, formats=FORMATS, jobs=2)
    assert report.ok
    assert {r.id for r in report.results if r.status == "built"} == set(IDS) - new
    assert not list(out.glob(".staging-*")) and not list(out.glob(".*.tmp"))
    entries = _assert_true_to_files(out)["maps"]
    assert all(e["title"].startswith("Second") for e in entries.values())


def test_a_rebuild_has_exactly_the_counted_commit_steps(projects, tmp_path):
    # the step after the last is never reached: the build completes
    second, built = projects.second, projects.built
    out = tmp_path / "out"
    shutil.copytree(built, out)
    command, env = _cli(second, out, f"commit:{STEPS + 1}")
    status, stderr = _run(command, env, tmp_path)
    assert status == 0, stderr
    assert all(e["title"].startswith("Second") for e in _assert_true_to_files(out)["maps"].values())


# Runs the CLI with the kernel's parent-death signal switched off in the workers, so
# that only their own watch of the build can end them.
WATCH_ONLY = """
import runpy, sys
import maps.workers
maps.workers._ask_kernel_for_death_signal = lambda: None
sys.argv = ["fergana", *sys.argv[1:]]
runpy.run_module("scripts.cli", run_name="__main__")
"""


@pytest.mark.parametrize("deathsig", [True, False], ids=["with-pdeathsig", "watch-only"])
def test_workers_exit_by_themselves_when_the_build_is_killed(projects, tmp_path, deathsig):
    second, built = projects.second, projects.built
    out = tmp_path / "out"
    shutil.copytree(built, out)
    command, env = _cli(second, out, "render:kill-parent", "--force")
    if not deathsig:
        command[1:3] = ["-c", WATCH_ONLY]
    status, stderr = _run(command, env, tmp_path)
    assert status == -signal.SIGKILL, stderr
    left, _ = _gone(env[MARK])
    assert not left, f"workers outlived their build: {left}"
    assert _files(out) == _files(built)  # killed before any commit: all as it was
    # and the lock died with them: the next build runs at once
    assert build(find_specs([second]), out, formats=FORMATS, jobs=2).ok


# Calls the API (not the CLI, whose handling of Ctrl-C is its own) and lets the
# fault's KeyboardInterrupt leave the build.
API_BUILD = """
import sys
from maps.build import build, find_specs
build(find_specs([sys.argv[1]]), sys.argv[2], formats=["html"], jobs=2)
"""


@pytest.mark.parametrize("step", [1, 3])
def test_interrupted_build_kills_its_workers_and_removes_staging(projects, tmp_path, step):
    second, built = projects.second, projects.built
    out = tmp_path / "out"
    shutil.copytree(built, out)
    command, env = _cli(second, out, f"commit:{step}:SIGINT")
    command = [sys.executable, "-c", API_BUILD, str(second), str(out)]
    status, stderr = _run(command, env, tmp_path)
    assert status == -signal.SIGINT, stderr  # the KeyboardInterrupt left the build
    assert "KeyboardInterrupt" in stderr
    left, _ = _gone(env[MARK])
    assert not left
    assert not list(out.glob(".staging-*"))
    _assert_true_to_files(out)
    if step == 1:
        assert _files(out) == _files(built)


def test_an_error_while_committing_kills_the_workers_at_once(projects, tmp_path, monkeypatch):
    second, built = projects.second, projects.built
    out = tmp_path / "out"
    shutil.copytree(built, out)

    def broken(self, entry, folder):
        raise RuntimeError("simulated bug while committing")

    monkeypatch.setattr(maps.commit.Commit, "map", broken)
    with pytest.raises(RuntimeError, match="simulated"):
        build(find_specs([second]), out, formats=FORMATS, jobs=2, force=True)
    assert multiprocessing.active_children() == []  # killed and reaped before raising
    assert not list(out.glob(".staging-*"))
    assert _files(out) == _files(built)


# --- a full disk ------------------------------------------------------------------


@pytest.mark.parametrize("failing_call", range(1, 6))
def test_disk_full_while_committing_keeps_the_previous_map(
    projects, tmp_path, monkeypatch, failing_call
):
    # one map rebuilt: os.replace calls into the output folder 1 (manifest, old entry
    # out), 2-4 (renames), 5 (manifest, new entry in); `failing_call` finds the disk full
    second, built = projects.second, projects.built
    out = tmp_path / "out"
    shutil.copytree(built, out)
    before = _files(out)
    real, calls = os.replace, []

    def replace(source, target, **kwargs):
        if Path(target).parent != out.resolve() and Path(target).parent != out:
            return real(source, target, **kwargs)  # rendering into staging
        calls.append(Path(target).name)
        if len(calls) == failing_call:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
        return real(source, target, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    spec = find_specs([second], only=["alpha"])
    report = build(spec, out, formats=FORMATS, jobs=1)
    (result,) = report.results
    assert result.status == "failed" and result.cause == "environment"
    assert "disk full" in result.error and "previous maps" in result.error
    assert "intact" in result.error
    renamed = "manifest.json" if failing_call in (1, 5) else calls[failing_call - 1]
    assert calls[failing_call - 1] == renamed and renamed.startswith(("alpha.", "manifest"))
    _assert_true_to_files(out)
    assert _files(out) == before  # the old files came back, and the old entry with them
    assert not list(out.glob(".staging-*")) and not list(out.glob(".*.tmp"))


def test_disk_full_writing_the_gallery_says_the_maps_are_intact(projects, tmp_path, monkeypatch):
    out = tmp_path / "out"
    shutil.copytree(projects.built, out)
    gallery = (out / "index.html").read_bytes()
    real = geo.write_text_atomic

    def write(path, text):
        if Path(path).name == "index.html":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, text)

    monkeypatch.setattr(geo, "write_text_atomic", write)
    with pytest.raises(CommitError) as full:
        build(find_specs([projects.second]), out, formats=FORMATS, jobs=1)
    cause, message = failure(full.value)
    assert cause == "environment"
    assert message.startswith("disk full writing index.html") and "intact" in message
    assert (out / "index.html").read_bytes() == gallery
    assert all(e["title"].startswith("Second") for e in _assert_true_to_files(out)["maps"].values())


def test_disk_full_while_rendering_fails_the_map_as_environment(projects, tmp_path, monkeypatch):
    second, built = projects.second, projects.built
    import maps.web

    def full(scene, folder):
        (folder / "partial.html").write_text("half a map")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder / "alpha.html"))

    monkeypatch.setattr(maps.web, "write_web", full)
    out = tmp_path / "out"
    shutil.copytree(built, out)
    report = build(find_specs([second], only=["alpha"]), out, formats=FORMATS, jobs=1)
    (result,) = report.results
    assert (result.status, result.cause) == ("failed", "environment")
    assert result.error.startswith("disk full writing")
    assert _files(out) == _files(built) and not list(out.glob(".staging-*"))


# --- two builds at once -------------------------------------------------------------


def test_two_builds_into_different_folders_both_succeed(projects, tmp_path):
    second = projects.second
    runs = []
    for name in ("one", "two"):
        command, env = _cli(second, tmp_path / name)
        log = tmp_path / f"{name}.txt"
        with open(log, "w") as stderr:
            runs.append((subprocess.Popen(command, env=env, cwd=tmp_path, stderr=stderr), log))
    for run, log in runs:
        assert run.wait(timeout=120) == 0, log.read_text()
    for name in ("one", "two"):
        assert set(_assert_true_to_files(tmp_path / name)["maps"]) == set(IDS)


def test_second_build_into_one_folder_is_refused_or_waits(projects, tmp_path):
    second, built = projects.second, projects.built
    out = tmp_path / "out"
    shutil.copytree(built, out)
    # the first build stops itself (SIGSTOP) just before its first commit step, holding the lock
    command, env = _cli(second, out, "commit:1:SIGSTOP")
    log = tmp_path / "holder.txt"
    with open(log, "w") as stderr:
        holder = subprocess.Popen(command, env=env, cwd=tmp_path, stderr=stderr)
    try:
        _, status = os.waitpid(holder.pid, os.WUNTRACED)  # returns once it has stopped
        assert os.WIFSTOPPED(status)
        specs = find_specs([second])
        with pytest.raises(LockHeldError) as refused:
            build(specs, out, formats=FORMATS, jobs=1)
        assert refused.value.holder.pid == holder.pid
        assert f"pid {holder.pid}" in str(refused.value) and str(out) in str(refused.value)

        waiting, outcome = threading.Event(), {}

        def second_build():
            def on_wait(other):
                outcome["holder"] = other
                waiting.set()

            try:
                outcome["report"] = build(
                    specs, out, formats=FORMATS, jobs=1, force=True, wait=True, on_wait=on_wait
                )
            finally:
                waiting.set()

        thread = threading.Thread(target=second_build)
        thread.start()
        assert waiting.wait(timeout=60)
        assert outcome["holder"].pid == holder.pid
        assert "report" not in outcome  # still waiting: the first build holds the folder
        os.kill(holder.pid, signal.SIGCONT)
        assert holder.wait(timeout=120) == 0, log.read_text()
        thread.join(timeout=120)
        assert not thread.is_alive()
        assert [r.status for r in outcome["report"].results] == ["built", "built"]
        _assert_true_to_files(out)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def test_bad_fault_value_is_refused(monkeypatch):
    monkeypatch.setenv(FAULT_ENV, "commit:two")
    with pytest.raises(ValueError, match="commit:N"):
        maps.build.fault_from_env()
