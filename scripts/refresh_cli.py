"""``fergana data refresh``: download newer copies of datasets from their upstream sources."""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from typing import Any, TextIO

import geo
from geo.refresh import RefreshWarning, refresh, upstreams

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
"""


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
    """Refresh the datasets named in `args`; 0 if none failed, 1 if any did, 2 on bad use."""
    names = args.names or list(upstreams())
    if args.url and len(names) != 1:
        print("error: --url needs exactly one NAME", file=sys.stderr)
        return 2
    for name in names:
        geo.dataset(name)  # unknown names stop here, before any download
    failed = 0
    for name in names:
        line = ProgressLine(name, sys.stderr)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RefreshWarning)  # printed below instead
            result = refresh(
                name, args.url, offline=args.offline, timeout=(10, args.timeout), progress=line
            )
        line.close()
        print(result.message, file=sys.stdout if result.ok else sys.stderr)
        failed += not result.ok
    if failed:
        print(f"{failed} of {len(names)} failed; their previous copies stay in use.")
    return 1 if failed else 0


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
