"""Locks that cannot outlive their holder: ``fcntl.flock`` on a lock file.

The kernel releases a ``flock`` lock when its holder dies, however it dies
(SIGKILL included), so no stale lock is ever left to clear by hand. The file
also records who holds it (pid, start time, command) for the message a second
writer sees; that record is only for people: the kernel lock decides.

A forked child shares its parent's open file descriptions, so a worker process
would keep a build's lock alive after the build itself was killed. Every lock
descriptor is therefore closed in forked children (:func:`os.register_at_fork`);
the parent's lock is unaffected, because a ``flock`` lock lasts until the last
descriptor of its holder is closed. Descriptors are also close-on-exec, as every
descriptor Python opens.

POSIX (``fcntl``) only, as fergana's build is.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

#: Descriptors of the locks this process holds, closed in forked children.
_HELD: set[int] = set()


def _close_in_child() -> None:
    for fd in tuple(_HELD):
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


os.register_at_fork(after_in_child=_close_in_child)


@dataclass(frozen=True)
class Holder:
    """Who holds a lock, as its lock file says.

    Attributes
    ----------
    pid : int or None
        Process id, or None if the file did not say (a holder that has just taken
        the lock and not yet written it).
    since : datetime or None
        When the lock was taken, in local time.
    command : str
        What holds it, e.g. ``"fergana build"``.
    """

    pid: int | None
    since: datetime | None
    command: str

    def describe(self) -> str:
        """``"fergana build (pid 1234, since 14:02)"``; the date too when not today."""
        details = []
        if self.pid is not None:
            details.append(f"pid {self.pid}")
        if self.since is not None:
            today = datetime.now().astimezone().date()
            when = "%H:%M" if self.since.date() == today else "%Y-%m-%d %H:%M"
            details.append(f"since {self.since.strftime(when)}")
        return self.command + (f" ({', '.join(details)})" if details else "")


class LockHeldError(OSError):
    """Another process holds the lock on `target`.

    The message names the target, the holder and what to do:
    ``"out is being written by fergana build (pid 1234, since 14:02); wait or stop it"``.
    """

    def __init__(self, target: str, holder: Holder, verb: str, hint: str) -> None:
        self.target = target
        self.holder = holder
        super().__init__(f"{target} is being {verb} by {holder.describe()}; {hint}")


def read_holder(lock_file: str | os.PathLike[str]) -> Holder:
    """The holder recorded in `lock_file` (fields None when it says nothing usable)."""
    try:
        record = json.loads(Path(lock_file).read_text(encoding="utf-8"))
        since = datetime.fromisoformat(record["since"])
        return Holder(int(record["pid"]), since, str(record["command"]))
    except (OSError, ValueError, KeyError, TypeError):
        return Holder(None, None, "another fergana process")


@contextlib.contextmanager
def exclusive(
    lock_file: str | os.PathLike[str],
    *,
    target: str,
    command: str,
    verb: str = "written",
    wait: bool = False,
    on_wait: Callable[[Holder], None] | None = None,
    hint: str = "wait for it to finish or stop it",
) -> Iterator[Holder]:
    """Hold an exclusive lock on `lock_file` for the block.

    Parameters
    ----------
    lock_file : path
        The lock file; created if missing, never deleted (deleting it would let a
        second process lock a new file while the first still holds the old one).
    target : str
        What the lock protects, for the message (e.g. the output folder).
    command : str
        What this process is, recorded for others' messages (``"fergana build"``).
    verb : str
        How the holder is using `target`: ``"is being <verb> by"``.
    wait : bool
        Wait for the holder to finish instead of raising.
    on_wait : callable, optional
        Called once with the holder before waiting (to tell the user why).
    hint : str
        What to do, after the holder in the message.

    Yields
    ------
    Holder
        This process, as recorded in the file.

    Raises
    ------
    LockHeldError
        If another process holds the lock and `wait` is false.
    """
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    _HELD.add(fd)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = read_holder(lock_file)
            if not wait:
                raise LockHeldError(target, holder, verb, hint) from None
            if on_wait is not None:
                on_wait(holder)
            fcntl.flock(fd, fcntl.LOCK_EX)
        me = Holder(os.getpid(), datetime.now().astimezone().replace(microsecond=0), command)
        record = {"pid": me.pid, "since": me.since.isoformat(), "command": command}
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(record) + "\n").encode(), 0)
        try:
            yield me
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)  # the record describes a holder only while it holds
    finally:
        _HELD.discard(fd)
        os.close(fd)  # releases the lock
