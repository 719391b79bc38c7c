"""Builds on a Dask cluster: the same bytes as the process pool, and what a cluster does wrong.

A ``distributed.LocalCluster`` of two worker processes on 127.0.0.1 stands in for a
newsroom's cluster. Its workers import this checkout by module name (they inherit
``sys.path``); test functions below travel to them by value (cloudpickle).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")  # the `test` extra installs it

import cloudpickle  # noqa: E402  (comes with distributed)
from distributed import Client  # noqa: E402

import maps.workers  # noqa: E402
from maps.build import MANIFEST, build, code_hash  # noqa: E402
from maps.spec import SPEC_DIR  # noqa: E402
from maps.workers import SchedulerError, rendered  # noqa: E402
from scripts.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "tests" / "project" / "specs"
#: The specs built both ways; adding one (an atlas) is one line.
SPECS = [
    PROJECT / "caucasus-clinics.toml",
    PROJECT / "steppe-markets.toml",
]
FORMATS = ("html", "png", "svg", "pdf")

cloudpickle.register_pickle_by_value(sys.modules[__name__])


def local_cluster() -> distributed.LocalCluster:
    return distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=":0",  # its HTTP port: any free one (two clusters may be up)
    )


@pytest.fixture(scope="module")
def cluster():
    with local_cluster() as local:
        yield local


@pytest.fixture(scope="module")
def client(cluster):
    with Client(cluster.scheduler_address, set_as_default=False) as near:
        yield near


def outputs(out: Path) -> dict[str, dict[str, str]]:
    """Each map's output files and their sha256, as the manifest says."""
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    return {map_id: entry["outputs"] for map_id, entry in manifest["maps"].items()}


def test_a_dask_build_equals_the_process_pool_build_byte_for_byte(cluster, tmp_path):
    pool, dask = tmp_path / "pool", tmp_path / "dask"
    by_pool = build(SPECS, pool, formats=FORMATS, jobs=2)
    by_dask = build(SPECS, dask, formats=FORMATS, scheduler=cluster.scheduler_address)
    assert by_pool.ok and by_dask.ok, [r.error for r in by_pool.results + by_dask.results]
    assert [r.status for r in by_dask.results] == ["built"] * len(SPECS)
    files = outputs(pool)
    assert set(files) == {p.stem for p in SPECS}
    assert outputs(dask) == files
    for entry in files.values():
        assert {name.rpartition(".")[2] for name in entry} >= set(FORMATS)
        for name in entry:
            assert (dask / name).read_bytes() == (pool / name).read_bytes(), name
    # and a second build through the cluster has nothing to do
    again = build(SPECS, dask, formats=FORMATS, scheduler=cluster.scheduler_address)
    assert [r.status for r in again.results] == ["skipped"] * len(SPECS)


def test_a_dask_built_atlas_equals_the_process_pool_atlas_byte_for_byte(cluster, tmp_path):
    atlas = [SPEC_DIR / "enclaves.toml"]  # eight pages in English and Russian: 16 tasks
    pool, dask = tmp_path / "pool", tmp_path / "dask"
    by_pool = build(atlas, pool, formats=("html", "svg"), jobs=2)
    by_dask = build(atlas, dask, formats=("html", "svg"), scheduler=cluster.scheduler_address)
    assert by_pool.ok and by_dask.ok, [r.error for r in by_pool.results + by_dask.results]
    files = outputs(pool)
    assert len(files) == 16 and all(map_id.startswith("enclaves/") for map_id in files)
    assert sum(map_id.endswith(".ru") for map_id in files) == 8
    assert outputs(dask) == files
    for entry in files.values():
        for name in entry:
            assert (dask / name).read_bytes() == (pool / name).read_bytes(), name


def test_a_file_damaged_on_its_way_back_fails_only_its_map(cluster, tmp_path, monkeypatch):
    shipped = maps.workers.finished_in_order

    def damaging(executor, function, tasks):
        for result, entry in shipped(executor, function, tasks):
            if result.id == "steppe-markets" and entry is not None:
                name = sorted(entry["payload"])[0]
                data = entry["payload"][name]
                entry["payload"][name] = bytes([data[0] ^ 1]) + data[1:]
            yield result, entry

    monkeypatch.setattr(maps.workers, "finished_in_order", damaging)
    out = tmp_path / "out"
    report = build(SPECS, out, formats=("html",), scheduler=cluster.scheduler_address)
    status = {r.id: r.status for r in report.results}
    assert status == {"caucasus-clinics": "built", "steppe-markets": "failed"}
    (failed,) = report.failed
    assert "arrived damaged from its worker (sha256 differs)" in failed.error
    assert set(outputs(out)) == {"caucasus-clinics"}
    assert not list(out.glob("steppe-markets*"))


def _dies_once(marker: Path, n: int) -> int:
    """Kill this worker process the first time task 0 runs; the rerun returns."""
    if n == 0 and not marker.exists():
        marker.touch()
        os._exit(1)
    return n * n


def test_a_map_whose_worker_dies_is_rerun_elsewhere(tmp_path):
    marker = tmp_path / "died"
    tasks = [(marker, n) for n in range(4)]
    with (
        local_cluster() as dying,  # its own: a nanny restarts the dead worker meanwhile
        rendered(_dies_once, tasks, None, scheduler=dying.scheduler_address) as finished,
    ):
        results = sorted(finished)
    assert marker.exists()  # a worker did die on task 0
    assert results == [0, 1, 4, 9]


def _waits(event: str, n: int) -> int:
    if n:
        distributed.Event(event).wait(60)
    return n


def test_an_exception_in_the_build_cancels_pending_maps_and_closes_the_client(
    cluster, client, monkeypatch
):
    made, calls = [], []
    submit, cancel, close = distributed.Client.submit, distributed.Client.cancel, Client.close

    def recording_submit(self, *args, **kwargs):
        made.append(submit(self, *args, **kwargs))
        return made[-1]

    def recording_cancel(self, futures, *args, **kwargs):
        calls.append("cancel")
        return cancel(self, futures, *args, **kwargs)

    def recording_close(self, *args, **kwargs):
        calls.append(f"close {self.status}")
        return close(self, *args, **kwargs)

    monkeypatch.setattr(Client, "submit", recording_submit)
    monkeypatch.setattr(Client, "cancel", recording_cancel)
    monkeypatch.setattr(Client, "close", recording_close)
    event = distributed.Event("release-the-maps", client=client)
    tasks = [("release-the-maps", n) for n in range(6)]
    try:
        with (
            pytest.raises(KeyboardInterrupt),
            rendered(_waits, tasks, None, scheduler=cluster.scheduler_address) as finished,
        ):
            assert next(finished) == 0
            raise KeyboardInterrupt
        # the pending maps were cancelled while the client was up, then it closed
        assert calls[-1] == "close running" and "cancel" in calls[:-1], calls
        assert len(made) == 6 and {f.status for f in made} == {"cancelled"}
    finally:
        event.set()  # the two maps that were running end now


def test_a_worker_running_other_code_is_refused(cluster, monkeypatch):
    address = cluster.scheduler_address
    tasks = [(Path("x"), 2)]
    with rendered(_dies_once, tasks, None, scheduler=address, version=code_hash) as finished:
        assert list(finished) == [4]  # the workers run this checkout: same code hash

    real = maps.workers.worker_versions

    def stale(client, version):
        reported = real(client, version)
        last = sorted(reported)[-1]
        return {**reported, last: "0" * 64}  # as if that worker had another fergana

    monkeypatch.setattr(maps.workers, "worker_versions", stale)
    with (
        pytest.raises(
            SchedulerError,
            match=r"1 of 2 Dask workers at .* run another fergana \(code 000000000000 on",
        ),
        rendered(_dies_once, tasks, None, scheduler=address, version=code_hash) as finished,
    ):
        list(finished)


def test_without_dask_scheduler_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    args = ["build", str(SPECS[0]), "--out", str(tmp_path), "--format", "html"]
    assert main([*args, "--scheduler", "tcp://127.0.0.1:8786"]) == 3
    assert capsys.readouterr().err == (
        "error: --scheduler needs Dask: pip install 'fergana[dask]'\n"
    )


class KilledWorker(Exception):  # noqa: N818  (distributed's name)
    """Named as distributed.scheduler.KilledWorker, raised when a task's workers all died."""


def _killed(path: Path) -> None:
    raise KilledWorker(f"attempted to run {path.stem} 3 times; all workers died")


def test_a_map_the_cluster_gives_up_on_stops_the_build_with_one_line_naming_it():
    import concurrent.futures

    tasks = [(Path("specs/enclaves.toml"),)]
    with (
        concurrent.futures.ThreadPoolExecutor(1) as executor,
        pytest.raises(SchedulerError, match=r"gave up on enclaves: each worker that ran it died"),
    ):
        list(maps.workers.finished_in_order(executor, _killed, tasks))
