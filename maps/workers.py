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
``dask.distributed`` scheduler, ``tcp://HOST:PORT``): :func:`rendered` then submits
them to the cluster's ``concurrent.futures.Executor`` (``Client.get_executor()``).
Dask is imported only then (``pip install 'fergana[dask]'``). What a cluster needs:

- Every worker imports fergana by module name (the task is ``maps.build.build_one``,
  pickled by reference), so every worker needs the same fergana installed as the
  build. The build checks it before it submits anything: `version` (fergana's code
  hash) run on each worker must equal the build's own, or the build stops with one
  line: a stale worker would draw wrong maps. Workers joining later are not checked.
- Workers read the specs and the user's data files at the build's paths (relative
  paths are made absolute here): a shared file system, or the same checkout at the
  same place. They render into a folder of their own and send the files back.
- One thread per worker process (``dask worker --nthreads 1``): a map's warnings are
  caught with :func:`warnings.catch_warnings`, which is not thread-safe.

Its workers live as long as the cluster, not the build. A worker that dies mid-map
(killed, out of memory) has the scheduler run the map again on another worker (up to
``distributed.scheduler.allowed-failures`` times, 3 by default; then the build stops
with one line naming the map): the build commits only results that came back, so a
lost worker loses no output. An exception or Ctrl-C in the build cancels the maps not
yet rendered and closes the connection to the scheduler; the cluster stays up.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
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
    version: Callable[[], str] | None = None,
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
    version : callable, optional
        With `scheduler`: a module-level function giving the version of the code
        (fergana's code hash); the build refuses a cluster whose workers give
        another (see :func:`dask_executor`).

    Yields
    ------
    iterator
        The calls' results in the order they finish. An exception raised in the
        ``with`` block (or by the iterator) kills every worker before it leaves.
    """
    if scheduler is not None:
        if not tasks:  # nothing to render: no need of a cluster (nor of importing Dask)
            yield iter(())
            return
        with dask_executor(scheduler, version=version) as executor:
            results = finished_in_order(executor, function, [_absolute(t) for t in tasks])
            try:
                yield results
            finally:
                results.close()  # cancels what is pending, before the client closes
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
    """A Dask cluster that cannot be used: Dask missing, nothing at the address, stale workers."""


#: How long to wait for a scheduler to answer, and for its first worker, in seconds.
CONNECT_TIMEOUT = 10.0


@contextlib.contextmanager
def dask_executor(address: str, *, version: Callable[[], str] | None = None) -> Iterator[Any]:
    """The ``concurrent.futures.Executor`` of the Dask cluster at `address`.

    Parameters
    ----------
    address : str
        The scheduler's address, ``tcp://HOST:PORT``.
    version : callable, optional
        A module-level function (pickled by name, so each worker runs its own
        installed copy); every worker must return what it returns here.

    Yields
    ------
    concurrent.futures.Executor
        Its futures are cancelled and the client closed when the block ends.

    Raises
    ------
    SchedulerError
        If ``dask.distributed`` is not installed, nothing listens at `address`, the
        scheduler has no worker, or a worker runs another version of the code.
    """
    try:
        from distributed import Client
    except ImportError:
        raise SchedulerError("--scheduler needs Dask: pip install 'fergana[dask]'") from None
    _listening(address)  # a refused connection fails now, not after Dask's timeout
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as err:
        raise SchedulerError(f"no Dask scheduler answers at {address} ({err})") from None
    executor = None
    try:
        _check_workers(client, address, version)
        executor = client.get_executor(pure=False)  # two builds of one map are two tasks
        yield executor
    finally:
        if executor is not None:
            executor.shutdown(wait=False)  # cancels every future not yet finished
        client.close()


def _listening(address: str) -> None:
    """Raise SchedulerError at once if nothing accepts connections at a tcp `address`."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address)
    if parts.scheme != "tcp":
        return  # tls://, inproc://: Dask's own connection says what is wrong
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if not host or not port:
        raise SchedulerError(f"{address} is not a scheduler address (fix: tcp://HOST:PORT)")
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
    except OSError as err:
        reason = (err.strerror or str(err) or type(err).__name__).lower()
        raise SchedulerError(
            f"no Dask scheduler at {address}: {reason} "
            "(fix: start one with `dask scheduler`, or check --scheduler)"
        ) from None


def _check_workers(client: Any, address: str, version: Callable[[], str] | None) -> None:
    """Refuse a cluster without workers, or one whose workers run other code."""
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
    except TimeoutError:
        raise SchedulerError(
            f"the Dask scheduler at {address} has no workers "
            f"(fix: start some with `dask worker {address} --nthreads 1`)"
        ) from None
    if version is None:
        return
    ours = version()
    try:
        theirs = worker_versions(client, version)
    except Exception as err:  # fergana missing on a worker: ModuleNotFoundError there
        raise SchedulerError(
            f"a Dask worker at {address} cannot run fergana ({type(err).__name__}: {err}; "
            "fix: install this version of fergana on every worker)"
        ) from None
    stale = sorted(worker for worker, got in theirs.items() if got != ours)
    if stale:
        raise SchedulerError(
            f"{len(stale)} of {len(theirs)} Dask workers at {address} run another fergana "
            f"(code {theirs[stale[0]][:12]} on {stale[0]}, this build's {ours[:12]}; "
            "fix: install this version of fergana on every worker)"
        )


def worker_versions(client: Any, version: Callable[[], str]) -> dict[str, str]:
    """What `version` returns on each worker of `client`'s cluster, by worker address."""
    return client.run(version)


def finished_in_order(executor: Any, function: Callable[..., Any], tasks: Sequence[tuple]):
    """``function(*task)`` for each task on `executor`, yielded as they finish.

    Pending calls are cancelled if the caller stops early (an error, Ctrl-C). A
    call the cluster gave up on (its workers died, ``KilledWorker``; the scheduler
    went away) raises :class:`SchedulerError` naming the task's first argument.
    """
    import concurrent.futures

    futures = {executor.submit(function, *task): task for task in tasks}
    try:
        for future in concurrent.futures.as_completed(list(futures)):
            task = futures.pop(future)  # a result (a map's files) is held only until used
            try:
                result = future.result()
            except concurrent.futures.CancelledError:
                raise SchedulerError(
                    f"the Dask cluster dropped {_named(task)} (the scheduler went away?)"
                ) from None
            except Exception as err:
                # distributed.scheduler.KilledWorker, by name: other executors need no Dask
                if type(err).__name__ != "KilledWorker":
                    raise  # the function's own error: not the cluster's business
                raise SchedulerError(
                    f"the Dask cluster gave up on {_named(task)}: "
                    f"each worker that ran it died ({err})"
                ) from None
            yield result
    finally:
        for future in futures:
            future.cancel()


def _named(task: tuple) -> str:
    """A task, by its first argument (a spec path: the map's id)."""
    first = task[0] if task else "a task"
    return getattr(first, "stem", None) or str(first)


def _absolute(task: tuple) -> tuple:
    """`task` with relative paths made absolute: a worker's current folder is not ours."""
    return tuple(a.absolute() if isinstance(a, Path) else a for a in task)


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
