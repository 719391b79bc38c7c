"""Test hooks that stop a build at an exact point: the ``FERGANA_FAULT`` variable.

Tests of a build's kill safety must not guess when a kill lands (a sleep, a polled
modification time); these hooks put it exactly where the test asks. They are for
tests and the soak script only; unset (the normal case) they cost one dictionary
lookup per build.

``FERGANA_FAULT`` takes one of these forms:

``commit:N`` or ``commit:N:SIGNAL``
    Just before commit step ``N`` (counted from 1 in each build) the build sends
    itself ``SIGNAL`` (a name such as ``SIGTERM``, ``SIGINT`` or ``SIGSTOP``;
    default ``SIGKILL``). A commit step is anything that changes the output
    folder: each write of ``manifest.json``, each rename of a finished file into
    the folder, the write of ``index.html`` (see :class:`maps.commit.Commit`).
    A signal with a Python handler (SIGINT's KeyboardInterrupt) is handled before
    the step starts.
``render:kill-parent``
    The first worker process to start rendering a map SIGKILLs the build that
    started it, then carries on rendering: the workers must then notice and exit
    by themselves (see :mod:`maps.workers`). Only builds with worker processes
    (``jobs`` > 1 and more than one map to render) have workers.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass

#: The environment variable that names a fault to inject (a test hook).
FAULT_ENV = "FERGANA_FAULT"


@dataclass(frozen=True)
class Fault:
    """Where a build stops on purpose, and how.

    Attributes
    ----------
    where : {"commit", "render"}
        At a commit step, or when a worker starts a map.
    step : int
        The commit step before which to act (``where == "commit"``).
    action : str
        A signal name (``"SIGKILL"``) or ``"kill-parent"``.
    """

    where: str
    step: int = 0
    action: str = "SIGKILL"

    def before_commit_step(self, step: int) -> None:
        """Send the fault's signal to this process if `step` is the fault's step."""
        if self.where == "commit" and step == self.step:
            # raise_signal runs a Python handler before it returns, so a
            # KeyboardInterrupt is raised here, before the step, not somewhere after.
            signal.raise_signal(signal.Signals[self.action])

    def worker_starts_map(self, parent: int) -> None:
        """In a worker: SIGKILL the build `parent` if it is still this worker's parent."""
        # Only the first worker finds its parent alive; the others see it gone
        # (reparented) and must never signal whatever process took the pid's place.
        if self.where == "render" and self.action == "kill-parent" and os.getppid() == parent:
            os.kill(parent, signal.SIGKILL)


def fault_from_env() -> Fault | None:
    """The fault ``FERGANA_FAULT`` asks for, or None when it is unset or empty.

    Raises
    ------
    ValueError
        For a value that is not one of the forms in the module's docstring.
    """
    value = os.environ.get(FAULT_ENV, "").strip()
    if not value:
        return None
    parts = value.split(":")
    if parts == ["render", "kill-parent"]:
        return Fault("render", action="kill-parent")
    if parts[0] == "commit" and len(parts) in (2, 3) and parts[1].isdigit():
        action = parts[2] if len(parts) == 3 else "SIGKILL"
        if action in signal.Signals.__members__:
            return Fault("commit", int(parts[1]), action)
    raise ValueError(
        f"{FAULT_ENV}={value!r} is not a fault: use commit:N, commit:N:SIGNAL or render:kill-parent"
    )
