"""Soak the build: many builds in a row, some SIGKILLed at a random moment, all checked.

Run ``.venv/bin/python scripts/soak_build.py`` (not a test: it takes minutes). It
copies ``tests/project`` to a temporary folder and runs ``fergana build`` there
``--runs`` times (html and png, ``--jobs 2``), alternating ``--force`` with an edit
of the clinics data so that every build renders. ``--kills`` of the runs (never the
first two, which time a normal build), chosen with a seeded random generator,
are SIGKILLed at a random moment between their start and 1.2 times a normal
build's time. As the commit takes milliseconds of a build's seconds, such kills
almost always land while maps render; so ``--step-kills`` more runs are SIGKILLed
just before a random commit step by the ``FERGANA_FAULT=commit:N`` hook (N from 1
to the steps a build of that kind takes: 7 per map). After every run it checks that:

- each file the manifest lists matches its sha256, and no temporary file is visible;
- no process of the run is left (found by a unique environment variable in
  ``/proc/PID/environ``; waited for with a deadline);
- after a run that was not killed: it exited 0 and no staging folder is left.

Then it measures how long the workers of a build take to exit after the build is
SIGKILLed while they render (the ``FERGANA_FAULT=render:kill-parent`` hook; with
the kernel's parent-death signal and with the workers' own watch alone), and
writes everything to ``bench/results/soak.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
MARK = "FERGANA_SOAK_MARK"
#: The data file edited between runs (so that its map must be rebuilt).
EDITED = Path("data") / "clinics.csv"
#: Deadline for a run's processes to be gone, in seconds.
GONE_WITHIN = 30.0

# The CLI with the kernel's parent-death signal switched off in the workers.
WATCH_ONLY = """
import runpy, sys
import maps.workers
maps.workers._ask_kernel_for_death_signal = lambda: None
sys.argv = ["fergana", *sys.argv[1:]]
runpy.run_module("scripts.cli", run_name="__main__")
"""


@dataclass
class Run:
    """One build of the soak and what the checks found."""

    number: int
    mode: str  # "force" or "edit"
    seconds: float
    status: int
    killed_at: float | None = None  # seconds after the start, for a killed run
    step: int = 0  # the commit step a fault-hook kill came before (0: none)
    replaced: int = 0  # output files renamed into the folder before a kill
    gone_after: float = 0.0  # seconds from the build's end until no process was left
    problems: tuple[str, ...] = ()


def processes(mark: str, variable: str = MARK) -> list[int]:
    """Live (not zombie) processes whose environment holds ``variable=mark``."""
    found, entry = [], f"{variable}={mark}".encode()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            environ = Path(f"/proc/{name}/environ").read_bytes()
            state = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if entry in environ.split(b"\0") and state != "Z":
            found.append(int(name))
    return found


def wait_gone(mark: str) -> tuple[list[int], float]:
    """(processes left at the deadline, then SIGKILLed; seconds until none was left)."""
    start = time.monotonic()
    while (left := processes(mark)) and time.monotonic() - start < GONE_WITHIN:
        time.sleep(0.001)
    for pid in left:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    return left, time.monotonic() - start


def manifest_problems(out: Path) -> list[str]:
    """What is wrong with `out`: files that do not match the manifest, visible temp files."""
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        return [f"manifest unreadable: {err}"]
    problems = []
    for entry in manifest["maps"].values():
        for name, digest in entry["outputs"].items():
            path = out / name
            if not path.is_file():
                problems.append(f"{name} listed but missing")
            elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
                problems.append(f"{name} does not match its sha256")
    problems += [f"temporary file {p.name}" for p in out.glob("*.tmp") if p.is_file()]
    return problems


def build_command(project: Path, out: Path, force: bool, script: str | None = None) -> list[str]:
    """The ``fergana build`` command of a run (through `script` instead of the CLI module)."""
    head = [sys.executable, "-c", script] if script else [sys.executable, "-m", "scripts.cli"]
    tail = ["build", str(project), "--out", str(out), "--format", "html,png", "--jobs", "2"]
    return head + tail + (["--force"] if force else [])


def environment(mark: str, fault: str = "") -> dict[str, str]:
    """A run's environment: this checkout's packages, its marker, the fault hook."""
    return {**os.environ, "PYTHONPATH": str(ROOT), MARK: mark, "FERGANA_FAULT": fault}


def soak(runs: int, kills: int, step_kills: int, seed: int, work: Path) -> tuple[list[Run], float]:
    """Run the builds; returns them and the time of a normal build (median of the first two)."""
    rng = random.Random(seed)
    chosen = rng.sample(range(2, runs), kills + step_kills)
    doomed, stepped = set(chosen[:kills]), set(chosen[kills:])
    project, out = work / "project", work / "out"
    shutil.copytree(ROOT / "tests" / "project", project)
    original = (project / EDITED).read_bytes()
    results: list[Run] = []
    normal = 0.0
    for number in range(runs):
        mode = "force" if number % 2 == 0 else "edit"
        if mode == "edit":  # toggle a trailing blank line: same data, another hash
            text = (project / EDITED).read_bytes()
            (project / EDITED).write_bytes(original if text != original else original + b"\n")
        mark = uuid.uuid4().hex
        kill_at = rng.uniform(0, 1.2 * normal) if number in doomed else None
        step = rng.randint(1, 14 if mode == "force" else 7) if number in stepped else 0
        before = _inodes(out)
        with open(work / "stderr.txt", "w") as log:
            start = time.monotonic()
            build = subprocess.Popen(
                build_command(project, out, mode == "force"),
                env=environment(mark, f"commit:{step}" if step else ""),
                cwd=work,
                stdout=log,
                stderr=log,
            )
            if kill_at is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    build.wait(timeout=kill_at)  # the random moment (a soak, not a test)
                if build.poll() is None:
                    build.send_signal(signal.SIGKILL)
            status = build.wait()
            seconds = time.monotonic() - start
        left, gone_after = wait_gone(mark)
        problems = manifest_problems(out)
        if left:
            problems.append(f"processes left: {left}")
        if step and status != -signal.SIGKILL:
            problems.append(f"exit status {status}, not killed at commit step {step}")
        if (kill_at is None and not step) or status == 0:
            if status != 0:
                problems.append(f"exit status {status}: {(work / 'stderr.txt').read_text()[-500:]}")
            if list(out.glob(".staging-*")):
                problems.append("staging folder left")
        run = Run(number + 1, mode, seconds, status, kill_at, step, 0, gone_after, tuple(problems))
        if kill_at is not None or step:
            run.replaced = sum(1 for k, v in _inodes(out).items() if before.get(k, v) != v)
        results.append(run)
        if number < 2:
            normal = statistics.median(r.seconds for r in results)
        state = "KILLED" if status == -signal.SIGKILL else f"exit {status}"
        print(f"run {number + 1:2}/{runs} {mode:5} {seconds:5.1f} s {state:7} {problems or 'ok'}")
    return results, normal


def _inodes(out: Path) -> dict[str, int]:
    """Each output file's inode: a file renamed into the folder gets a new one."""
    if not out.is_dir():
        return {}
    return {p.name: p.stat().st_ino for p in out.iterdir() if p.is_file() and p.name[0] != "."}


def worker_exit_times(work: Path, repeats: int, watch_only: bool) -> list[float]:
    """Seconds from a build's SIGKILL (by its own worker) until its workers were gone."""
    project, times = work / "project", []
    for repeat in range(repeats):
        out, mark = work / f"exit-{watch_only}-{repeat}", uuid.uuid4().hex
        command = build_command(project, out, True, WATCH_ONLY if watch_only else None)
        build = subprocess.Popen(
            command,
            env=environment(mark, "render:kill-parent"),
            cwd=work,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        status = build.wait()  # returns as soon as the build is dead
        left, gone_after = wait_gone(mark)
        if status != -signal.SIGKILL or left:
            raise SystemExit(f"worker exit measurement failed: status {status}, left {left}")
        times.append(gone_after)
    return times


def report(runs: list[Run], normal: float, seed: int, total: float, exits: dict) -> str:
    """The Markdown of ``bench/results/soak.md``."""
    killed = [r for r in runs if r.killed_at is not None or r.step]
    failed = [r for r in runs if r.problems]
    lines = [
        "# Build soak (scripts/soak_build.py)",
        "",
        f"{len(runs)} builds of tests/project (html and png, --jobs 2), alternating --force "
        f"and an edit of {EDITED.as_posix()}; {len(killed)} SIGKILLed: at a random moment or "
        f"just before a random commit step (seed {seed}). A normal build took {normal:.1f} s. "
        f"Total time {total / 60:.1f} min, "
        f"on {os.cpu_count()} cores shared with other work.",
        "",
        f"**Checks passed after {len(runs) - len(failed)} of {len(runs)} builds** (manifest "
        "sha256s match the files, no temporary file visible, no process of the build left; "
        "for builds not killed also exit 0 and no staging folder left).",
        "",
        "| run | mode | killed at | share of a normal build "
        "| files replaced before the kill (manifest included) | processes gone after | checks |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in killed:
        outcome = "killed" if r.status == -signal.SIGKILL else f"finished first (exit {r.status})"
        if r.step:
            when, share = f"before commit step {r.step} ({outcome})", "commit"
        else:
            when, share = f"{r.killed_at:.2f} s ({outcome})", f"{r.killed_at / normal:.0%}"
        lines.append(
            f"| {r.number} | {r.mode} | {when} | {share} | {r.replaced} "
            f"| {r.gone_after * 1000:.0f} ms | {'; '.join(r.problems) or 'passed'} |"
        )
    if failed:
        lines += ["", "Problems:", ""]
        lines += [f"- run {r.number}: {'; '.join(r.problems)}" for r in failed]
    lines += [
        "",
        "## Workers' exit after their build is SIGKILLed while they render",
        "",
        "`FERGANA_FAULT=render:kill-parent`: the first worker to start a map SIGKILLs the "
        "build and carries on; time from the build's death (its exit seen by waitpid) until "
        "no process of it is left (polled in /proc every millisecond).",
        "",
        "| how the workers notice | runs | median | max |",
        "|---|---|---|---|",
    ]
    for label, times in exits.items():
        lines.append(
            f"| {label} | {len(times)} | {statistics.median(times) * 1000:.1f} ms "
            f"| {max(times) * 1000:.1f} ms |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    """Soak, measure, write the report; exit 1 if any check failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--kills", type=int, default=5, help="runs SIGKILLed at a random moment")
    parser.add_argument(
        "--step-kills", type=int, default=5, help="runs SIGKILLed before a random commit step"
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--exit-repeats", type=int, default=7)
    parser.add_argument("--report", type=Path, default=RESULTS / "soak.md")
    args = parser.parse_args()
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fergana-soak-") as folder:
        work = Path(folder)
        runs, normal = soak(args.runs, args.kills, args.step_kills, args.seed, work)
        exits = {
            "pipe watch and PR_SET_PDEATHSIG": worker_exit_times(work, args.exit_repeats, False),
            "pipe watch alone": worker_exit_times(work, args.exit_repeats, True),
        }
    text = report(runs, normal, args.seed, time.monotonic() - start, exits)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(text, encoding="utf-8")
    print(text)
    return 1 if any(r.problems for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
