"""geo.locks: flock locks that name their holder and die with it (and not with its children)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading

import pytest

from geo.locks import LockHeldError, exclusive, read_holder


def test_a_second_holder_is_refused_with_the_first_ones_pid_and_time(tmp_path):
    lock = tmp_path / ".lock"
    with exclusive(lock, target="out", command="fergana build") as me:
        assert me.pid == os.getpid()
        with (
            pytest.raises(LockHeldError) as caught,
            exclusive(lock, target="out", command="fergana build"),
        ):
            pass
    message = str(caught.value)
    assert message.startswith(f"out is being written by fergana build (pid {os.getpid()}, since ")
    assert message.endswith("; wait for it to finish or stop it")
    assert me.since.strftime("%H:%M") in message
    # released: a third taker gets it, and the file no longer names a holder
    assert read_holder(lock).pid is None
    with exclusive(lock, target="out", command="fergana build"):
        assert read_holder(lock).pid == os.getpid()


def test_a_waiting_taker_is_told_who_it_waits_for_and_gets_the_lock_when_released(tmp_path):
    lock = tmp_path / ".lock"
    told = threading.Event()
    got = threading.Event()
    waited_for = []

    def second():
        def on_wait(holder):
            waited_for.append(holder)
            told.set()

        with exclusive(lock, target="out", command="other", wait=True, on_wait=on_wait):
            got.set()

    with exclusive(lock, target="out", command="first"):
        thread = threading.Thread(target=second)
        thread.start()
        assert told.wait(10)
        assert not got.is_set()  # still held by us
    thread.join(10)
    assert got.is_set()
    assert waited_for[0].command == "first" and waited_for[0].pid == os.getpid()


HOLDER = textwrap.dedent(
    """
    import os, sys
    from geo.locks import exclusive
    with exclusive(sys.argv[1], target="out", command="holder"):
        if os.fork() == 0:          # a worker that outlives its parent
            os.write(1, f"child {os.getpid()}\\n".encode())  # one write: lines never interleave
            sys.stdin.read()        # until the test closes our stdin
            os._exit(0)
        os.write(1, b"locked\\n")
        sys.stdin.read()
    """
)


def test_the_lock_dies_with_its_holder_not_with_its_forked_children(tmp_path):
    lock = tmp_path / ".lock"
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lock)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    said = sorted(proc.stdout.readline().split() for _ in range(2))
    assert said[1] == ["locked"] and said[0][0] == "child"
    child = int(said[0][1])
    with (
        pytest.raises(LockHeldError, match=rf"pid {proc.pid}"),
        exclusive(lock, target="out", command="test"),
    ):
        pass
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    # the forked child still runs (its stdin is still open) but holds no lock
    os.kill(child, 0)  # raises if it is gone
    with exclusive(lock, target="out", command="test") as me:
        assert me.command == "test"
    proc.stdin.close()
