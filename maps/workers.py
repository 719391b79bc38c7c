"""Worker processes that render maps and die with the build that started them.

However the build ends, its workers end with it:

- The build raises or is interrupted (an error, Ctrl-C's KeyboardInterrupt, the
  CLI's SIGTERM exception): :func:`rendered` kills the workers at once, without
  waiting for the maps they are rendering, and waits until they are gone, so the
  caller can remove the staging folder they were writing into.
- The build is killed (SIGKILL leaves it no last word): each worker watches its
  parent. It holds the read end of a pipe whose write end only the build holds; a
  daemon thread blocks reading it, and the kernel ends the read (end of file) when
  the build's last descriptor of the write end closes, that is when it dies. The
  thread then ends the worker with ``os._exit``. On Linux the worker also asks the
  kernel for SIGKILL when its parent dies (``prctl(PR_SET_PDEATHSIG)``), which is
  quicker still but tied to the thread that forked it, so not relied on alone.
- Ctrl-C at a terminal reaches the whole foreground process group, workers
  included: they ignore SIGINT, so the build alone decides what happens.

Workers are forked (``fork`` start method, POSIX as the build's locks): they inherit
the pipe and the imported modules.

A build may instead hand its maps to a Dask cluster (``scheduler``, the address of a
``dask.distributed`` scheduler): :func:`rendered` then submits them to the
cluster's ``concurrent.futures.Executor`` (``Client.get_executor()``). Its workers
live as long as the cluster, not the build; a worker lost mid-map has the
scheduler run the map again elsewhere, and the build only commits what came back.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from maps.faults import Fault

#: Exit status of a worker that found its build gone.
ORPHAN_EXIT = 70
#: How long :func:`rendered` waits for killed workers to be gone, in seconds.
KILL_WAIT = 10.0

#: Write ends of the parent-watch pipes this process holds, closed in forked children
#: (a worker holding one would keep its siblings' pipe open after the build died).
_WRITE_ENDS: set[int] = set()
#: In a worker: the pid of the build that started it, and the fault to inject.
_PARENT = 0
_FAULT: Fault | None = None


def _close_write_ends() -> None:
    for fd in tuple(_WRITE_ENDS):
        with contextlib.suppress(OSError):
            os.close(fd)
    _WRITE_ENDS.clear()


os.register_at_fork(after_in_child=_close_write_ends)


@contextlib.contextmanager
def rendered(
    function: Callable[..., Any],
    tasks: Sequence[tuple],
    jobs: int | None,
    fault: Fault | None = None,
    *,
    scheduler: str | None = None,
) -> Iterator[Iterator[Any]]:
    """``function(*task)`` for each task, in worker processes, yielded as they finish.

    Parameters
    ----------
    function : callable
        A module-level function (workers receive it by name); it should not raise.
    tasks : sequence of tuple
        The arguments of each call.
    jobs : int, optional
        Worker processes at most (default: the number of cores); with one, or one
        task, the calls run in this process, one after the other.
    fault : Fault, optional
        A test hook (see :mod:`maps.faults`) handed to the workers.
    scheduler : str, optional
        The address of a Dask scheduler (``tcp://HOST:PORT``); `jobs` is then the
        cluster's business.

    Yields
    ------
    iterator
        The calls' results in the order they finish. An exception raised in the
        ``with`` block (or by the iterator) kills every worker before it leaves.
    """
    if scheduler is not None:
        with dask_executor(scheduler) as executor:
            yield finished_in_order(executor, function, tasks)
        return
    workers = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
    if workers == 1:
        yield (function(*task) for task in tasks)
        return
    import concurrent.futures  # only when maps are built: it loads logging and more
    import multiprocessing

    read_end, write_end = os.pipe()  # not inherited across exec; closed in forks below
    _WRITE_ENDS.add(write_end)
    pool = concurrent.futures.ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(os.getpid(), read_end, fault),
    )
    try:
        futures = [pool.submit(_call, function, task) for task in tasks]
        yield (f.result() for f in concurrent.futures.as_completed(futures))
        pool.shutdown(wait=True)  # every map is done: the workers only have to exit
    except BaseException:
        _kill(pool)
        raise
    finally:
        _WRITE_ENDS.discard(write_end)
        os.close(write_end)
        os.close(read_end)


class SchedulerError(OSError):
    """A Dask scheduler that cannot be used: Dask missing, or no scheduler at the address."""


@contextlib.contextmanager
def dask_executor(address: str) -> Iterator[Any]:
    """The ``concurrent.futures.Executor`` of the Dask cluster at `address`.

    Raises
    ------
    SchedulerError
        If ``dask.distributed`` is not installed or no scheduler answers at `address`.
    """
    try:
        from distributed import Client
    except ImportError:
        raise SchedulerError(
            "--scheduler needs Dask's distributed package: pip install 'fergana[dask]'"
        ) from None
    try:
        client = Client(address, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError) as err:
        raise SchedulerError(f"no Dask scheduler answers at {address} ({err})") from None
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()


def finished_in_order(executor: Any, function: Callable[..., Any], tasks: Sequence[tuple]):
    """``function(*task)`` for each task on `executor`, yielded as they finish.

    Pending calls are cancelled if the caller stops early (an error, Ctrl-C).
    """
    import concurrent.futures

    futures = [executor.submit(function, *task) for task in tasks]
    try:
        for future in concurrent.futures.as_completed(futures):
            yield future.result()
    finally:
        for future in futures:
            future.cancel()


def _kill(pool) -> None:
    """Kill `pool`'s workers now, then wait (at most KILL_WAIT s) until they are gone.

    Python 3.11's ProcessPoolExecutor can only wait for running tasks (``shutdown``;
    ``kill_workers`` arrives in 3.14), so its private table of worker processes,
    ``pool._processes`` (pid to multiprocessing.Process), is read to kill them.
    Without the table (a future Python) the workers still exit by themselves
    once the build is gone (the pipe they watch).
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + KILL_WAIT
    for process in processes:
        # join only waits on the process's sentinel here; the pool's own thread may
        # reap it first, which join tolerates.
        with contextlib.suppress(OSError, ValueError, AssertionError):
            process.join(max(0.0, deadline - time.monotonic()))


def _start_worker(parent: int, read_end: int, fault: Fault | None) -> None:
    """Initializer of each worker: ignore Ctrl-C, and die when the build `parent` dies."""
    global _PARENT, _FAULT
    _PARENT, _FAULT = parent, fault
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build alone answers Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not a handler inherited from the CLI
    _ask_kernel_for_death_signal()
    threading.Thread(target=_watch, args=(read_end,), name="parent-watch", daemon=True).start()
    if os.getppid() != parent:  # the build died before the watch began
        os._exit(ORPHAN_EXIT)


def _watch(read_end: int) -> None:
    """Block until the pipe's write end is closed everywhere (the build died); then exit."""
    while os.read(read_end, 1):
        pass
    os._exit(ORPHAN_EXIT)


def _ask_kernel_for_death_signal() -> None:
    """On Linux, SIGKILL this process when its parent thread dies (best effort)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        pr_set_pdeathsig = 1  # from <linux/prctl.h>
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)


def _call(function: Callable[..., Any], task: tuple) -> Any:
    """Run one task in a worker (after the fault hook, when one is set)."""
    if _FAULT is not None:
        _FAULT.worker_starts_map(_PARENT)
    return function(*task)
