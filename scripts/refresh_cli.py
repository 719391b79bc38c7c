"""``fergana data refresh``: download newer copies of datasets from their upstream sources."""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from typing import Any, TextIO

import geo
from geo.refresh import RefreshResult, RefreshWarning, refresh, upstreams

DESCRIPTION = """\
Download each dataset from its upstream source into the user cache, which then takes
precedence over the embedded copy (`fergana data info NAME` shows the copy in use).

A download replaces nothing until it has been converted to the catalog's schema and
validated (fields, geometry, bounds). If anything fails - no connection, a timeout, an
HTTP error, a truncated or oversized body, an HTML error page, a corrupt zip - the
previous copy stays in use and the reason is printed. Conditional requests (ETag,
If-Modified-Since) avoid downloading unchanged files again.

The cache folder is $FERGANA_CACHE_DIR if set, else the platform cache folder; delete
a dataset's folder there to go back to the embedded copy.

Each dataset is locked while it is refreshed (NAME.lock in the cache folder): a second
refresh of the same dataset fails at once and names the first; different datasets can
be refreshed at the same time. A killed refresh leaves no lock behind.

exit codes: 0 all ok; 1 some datasets failed to download or convert (their previous
copies stay in use); 2 unknown dataset or bad usage; 3 a dataset is being refreshed by
another process, or the cache folder cannot be written (or the disk is full).
"""

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_ENVIRONMENT = 0, 1, 2, 3


def register(data_commands: Any) -> argparse.ArgumentParser:
    """Add ``refresh`` to the ``fergana data`` subcommands.

    Parameters
    ----------
    data_commands : argparse._SubParsersAction
        What ``add_subparsers`` returned for ``fergana data``.

    Returns
    -------
    argparse.ArgumentParser
        The new ``refresh`` parser.
    """
    parser = data_commands.add_parser(
        "refresh",
        help="download newer copies of datasets from their upstream sources",
        description=DESCRIPTION,
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help="datasets to refresh (default: every refreshable dataset, listed below)",
    )
    parser.add_argument(
        "--url",
        help=(
            "download from URL instead (a mirror, or a local copy as a path or file:// URL); "
            "one NAME only; for datasets in several parts put {part} where the part goes"
        ),
    )
    parser.add_argument(
        "--offline", action="store_true", help="touch no network; show which copy each uses"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="longest wait for the server to send more data (default: 30)",
    )
    parser.set_defaults(handler=run)
    return parser


def _epilog() -> str:
    rows = [f"  {name:<18} {source.display_url()}" for name, source in upstreams().items()]
    return "refreshable datasets and their upstreams:\n" + "\n".join(rows)


def run(args: argparse.Namespace) -> int:
    """Refresh the datasets named in `args`; the exit code (see :data:`DESCRIPTION`).

    3 (environment) wins over 1 (some failed) when both happen.
    """
    names = args.names or list(upstreams())
    problem = _usage_problem(args, names)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    failed: list[RefreshResult] = []
    for name in names:
        line = ProgressLine(name, sys.stderr)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RefreshWarning)  # printed below instead
            result = refresh(
                name, args.url, offline=args.offline, timeout=(10, args.timeout), progress=line
            )
        line.close()
        print(result.message, file=sys.stdout if result.ok else sys.stderr)
        if not result.ok:
            failed.append(result)
    if not failed:
        return EXIT_OK
    print(f"{len(failed)} of {len(names)} failed; their previous copies stay in use.")
    if any(r.cause == "environment" for r in failed):
        return EXIT_ENVIRONMENT
    return EXIT_FAILED


def _usage_problem(args: argparse.Namespace, names: list[str]) -> str:
    """What is wrong with the command line, before anything is downloaded ("" if nothing)."""
    if args.url and len(names) != 1:
        return "--url needs exactly one NAME"
    if not args.timeout > 0:
        return f"--timeout must be a positive number of seconds, not {args.timeout:g}"
    refreshable = upstreams()
    for name in names:
        try:
            geo.dataset(name)
        except KeyError as err:
            return str(err.args[0])
        if name not in refreshable:
            return (
                f"{name} has no upstream to refresh from; "
                f"refreshable datasets: {', '.join(refreshable)}"
            )
    return ""


class ProgressLine:
    """A one-line download progress display, redrawn in place; silent unless on a TTY.

    Parameters
    ----------
    name : str
        Dataset name shown at the start of the line.
    stream : text stream
        Where to draw (standard error).
    interval : float
        Least time between redraws, in seconds.
    """

    def __init__(self, name: str, stream: TextIO, interval: float = 0.2) -> None:
        self.name = name
        self.stream = stream
        self.interval = interval
        self.enabled = stream.isatty()
        self._last = 0.0
        self._drawn = False

    def __call__(self, done: int, total: int | None) -> None:
        """Redraw for `done` of `total` bytes (total None when unknown)."""
        now = time.monotonic()
        if not self.enabled or (now - self._last < self.interval and done != total):
            return
        self._last = now
        text = f"{done / 1e6:.1f} MB"
        if total:
            text += f" of {total / 1e6:.1f} MB ({100 * done // total}%)"
        self.stream.write(f"\r{self.name}: downloading {text}\x1b[K")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        """Clear the line if anything was drawn."""
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
