"""``fergana data refresh`` locks each dataset: one refresh at a time, none left stale.

Concurrency here is real (a second process) and synchronised without sleeps: the
other refresh tells the test where it is through a pipe, or the test's own server
tells it that the refresh's request arrived.
"""

from __future__ import annotations

import errno
import importlib
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_refresh import ne_countries_zip, raw_server, snapshot

import geo
from geo.cache import lock_path
from geo.locks import exclusive, read_holder
from geo.refresh import RefreshWarning, refresh
from scripts import cli

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "refresh"
FAST = {"timeout": (2, 2), "retries": 0}
HELD = re.compile(
    r"^countries is being refreshed by fergana data refresh \(pid (\d+), since \d\d:\d\d\); "
    r"wait for it or stop it$"
)


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FERGANA_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def ne_zip(tmp_path_factory) -> bytes:
    return ne_countries_zip(tmp_path_factory.mktemp("ne"))


@pytest.fixture
def mirrors(tmp_path, ne_zip) -> list[str]:
    """Two local copies of the upstream zip (two URLs, so each refresh updates)."""
    paths = [tmp_path / f"mirror{i}" / "ne_10m_admin_0_countries_deu.zip" for i in (1, 2)]
    for path in paths:
        path.parent.mkdir()
        path.write_bytes(ne_zip)
    return [str(p) for p in paths]


def refreshed(name: str, url: str) -> geo.Copy:
    result = refresh(name, url, **FAST)
    assert result.status == "updated", result.message
    return result.copy


def refused(name: str = "countries", url: str = "unused.zip"):
    with pytest.warns(RefreshWarning):
        result = refresh(name, url, **FAST)
    assert (result.status, result.cause) == ("failed", "environment")
    return result


# ---- a second process refreshing the same dataset ---------------------------------

DOWNLOADING = textwrap.dedent(
    """
    import sys
    from geo.refresh import refresh
    refresh("countries", sys.argv[1], timeout=(60, 60), retries=0)
    """
)

SWITCHING = textwrap.dedent(
    """
    import importlib, sys
    commit = importlib.import_module("geo.refresh.commit")

    def stop_before_the_switch(path, text):
        print("switching", flush=True)
        sys.stdin.read()  # until killed

    commit.write_text_atomic = stop_before_the_switch
    from geo.refresh import refresh
    refresh("countries", sys.argv[1], retries=0)
    """
)


def start_refresh(script: str, url: str, cache: Path) -> subprocess.Popen:
    env = {**os.environ, "FERGANA_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", script, url],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def sigkill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(30) == -signal.SIGKILL
    proc.stdin.close()
    proc.stdout.close()


def test_a_refresh_killed_while_downloading_leaves_no_lock_and_the_copy_in_use(
    cache, mirrors, capsys
):
    previous = refreshed("countries", mirrors[0])
    before = snapshot(cache)
    with raw_server(b"", hold=True) as upstream:  # the other refresh waits here, lock held
        proc = start_refresh(DOWNLOADING, upstream.url, cache)
        try:
            assert upstream.received.acquire(timeout=60), "the other refresh never asked"
            # the same dataset: refused at once, naming the other process
            result = refused()
            assert int(HELD.match(result.message).group(1)) == proc.pid
            assert read_holder(lock_path("countries")).pid == proc.pid
            capsys.readouterr()
            assert cli.main(["data", "refresh", "countries", "--url", mirrors[1]]) == 3
            err = capsys.readouterr().err
            assert HELD.match(err.splitlines()[0]) and "Traceback" not in err
            # another dataset: refreshed meanwhile
            refreshed("displacement_2010", str(FIXTURES / "unhcr_population_2010_KGZ_UZB.json"))
        finally:
            sigkill(proc)
    assert geo.copy_in_use("countries") == previous
    assert snapshot(cache) == before
    assert lock_path("countries").exists()  # lock files are never deleted
    now = refreshed("countries", mirrors[1])  # at once: the kernel released the lock
    assert now.path != previous.path


def test_a_refresh_killed_before_the_switch_keeps_the_copy_in_use(cache, mirrors):
    previous = refreshed("countries", mirrors[0])
    meta_before = (cache / "countries" / "meta.json").read_bytes()
    proc = start_refresh(SWITCHING, mirrors[1], cache)
    try:
        assert proc.stdout.readline() == "switching\n"  # the new data file is written
        refused()
    finally:
        sigkill(proc)
    assert geo.copy_in_use("countries") == previous
    assert (cache / "countries" / "meta.json").read_bytes() == meta_before
    orphans = {p.name for p in (cache / "countries").iterdir()} - {"meta.json", previous.path.name}
    assert len(orphans) == 1  # the data file never switched to
    now = refreshed("countries", mirrors[1])
    # the orphan is removed; the copy in use until the switch is kept for readers
    assert sorted(p.name for p in (cache / "countries").iterdir()) == sorted(
        ["meta.json", previous.path.name, now.path.name]
    )


# ---- in one process -----------------------------------------------------------------


def test_a_held_lock_fails_the_refresh_at_once_without_touching_the_cache(cache, mirrors):
    previous = refreshed("countries", mirrors[0])
    before = snapshot(cache)
    with exclusive(lock_path("countries"), target="-", command="a test") as holder:
        result = refused("countries", mirrors[1])
    since = holder.since.strftime("%H:%M")
    assert result.message == (
        f"countries is being refreshed by a test (pid {os.getpid()}, since {since}); "
        "wait for it or stop it"
    )
    assert result.copy == previous
    assert snapshot(cache) == before
    assert read_holder(lock_path("countries")).pid is None  # released, file kept


def test_different_datasets_refresh_at_once(cache):
    cache.mkdir()
    with exclusive(lock_path("countries"), target="countries", command="test"):
        refreshed("displacement_2010", str(FIXTURES / "unhcr_population_2010_KGZ_UZB.json"))


def test_the_refresh_records_itself_in_the_lock_while_it_runs(monkeypatch, mirrors):
    refresh_module = importlib.import_module("geo.refresh")  # geo.refresh is also a function
    seen = []
    real = refresh_module._refresh

    def spy(*args, **kwargs):
        seen.append(json.loads(lock_path("countries").read_text(encoding="utf-8")))
        return real(*args, **kwargs)

    monkeypatch.setattr(refresh_module, "_refresh", spy)
    refreshed("countries", mirrors[0])
    assert seen[0]["pid"] == os.getpid()
    assert seen[0]["command"] == "fergana data refresh"


def test_copies_older_than_the_previous_one_are_removed(cache, mirrors, tmp_path):
    first = refreshed("countries", mirrors[0])
    second = refreshed("countries", mirrors[1])
    third = refreshed("countries", mirrors[0])
    names = sorted(p.name for p in (cache / "countries").iterdir())
    assert names == sorted(["meta.json", second.path.name, third.path.name])
    assert not first.path.exists()


# ---- exit codes ---------------------------------------------------------------------


def test_exit_codes(cache, mirrors, tmp_path, capsys):
    assert cli.main(["data", "refresh", "countries", "--url", mirrors[0]]) == 0
    assert cli.main(["data", "refresh", "countries", "--url", str(tmp_path / "no.zip")]) == 1
    assert cli.main(["data", "refresh", "no_such_dataset"]) == 2
    assert cli.main(["data", "refresh", "relief"]) == 2  # no upstream
    assert cli.main(["data", "refresh", "countries", "--timeout", "0"]) == 2
    err = capsys.readouterr().err
    assert "no dataset 'no_such_dataset'" in err
    assert "relief has no upstream to refresh from; refreshable datasets: countries" in err
    assert "--timeout must be a positive number of seconds" in err
    assert "Traceback" not in err


def test_an_unwritable_cache_folder_exits_3(monkeypatch, tmp_path, mirrors, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("FERGANA_CACHE_DIR", str(blocker / "cache"))
    assert cli.main(["data", "refresh", "countries", "--url", mirrors[0]]) == 3
    err = capsys.readouterr().err
    assert f"countries: refresh failed: cannot write {blocker / 'cache'} (Not a directory)" in err
    assert "set FERGANA_CACHE_DIR to one that is" in err
    assert "Traceback" not in err


def test_a_full_disk_while_committing_exits_3(monkeypatch, mirrors, capsys):
    commit = importlib.import_module("geo.refresh.commit")

    def full(path, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(commit, "write_bytes_atomic", full)
    assert cli.main(["data", "refresh", "countries", "--url", mirrors[0]]) == 3
    err = capsys.readouterr().err
    assert "countries: refresh failed: disk full writing " in err
    assert "free some space and refresh again. Still using the embedded copy" in err
