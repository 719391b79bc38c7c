"""The ``fergana`` command: thin wrappers over the geo, layers and maps APIs.

Every failure ends in one or a few lines on standard error and a documented exit
code (see :data:`EXIT_CODES`); ``--debug`` or ``FERGANA_DEBUG=1`` adds the traceback.
Without them no traceback reaches standard error.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import geo

Handler = Callable[[argparse.Namespace], int]
SPEC_PATHS_HELP = "spec files or folders (default: fergana's own story maps)"
FFMPEG_FIX = "fix: sudo apt-get install ffmpeg"
DEBUG_HELP = "show the traceback of an error (also: FERGANA_DEBUG=1)"

EXIT_OK = 0
#: Some maps failed (the others were built), or an internal error in fergana.
EXIT_FAILED = 1
#: Bad usage or bad input: arguments, a spec, a data file, an unknown id.
EXIT_INPUT = 2
#: The environment: an output folder that cannot be written, a full disk, a lock held.
EXIT_ENVIRONMENT = 3
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report 128 + SIGINT
EXIT_TERMINATED = 143  # SIGTERM, 128 + 15
#: Exit code by the cause :func:`maps.build.failure` gives an exception.
EXIT_CODES = {"input": EXIT_INPUT, "environment": EXIT_ENVIRONMENT, "bug": EXIT_FAILED}


def _data_list(args: argparse.Namespace) -> int:
    rows = [(d.name, d.kind, d.geometry, d.license, d.title) for d in geo.catalog().values()]
    _print_table(("name", "kind", "geometry", "licence", "title"), rows)
    print(f"\n{len(rows)} datasets; `fergana data info NAME` for provenance.")
    return 0


def _data_info(args: argparse.Namespace) -> int:
    entry = geo.dataset(args.name)
    copy = geo.copy_in_use(args.name)
    data = geo.load(args.name)
    lines = [
        ("name", entry.name),
        ("title", entry.title),
        ("description", entry.description),
        ("kind", f"{entry.kind} ({entry.geometry})"),
        ("source", entry.source),
        ("version", entry.version),
        ("licence", entry.license),
        ("credit", entry.citation),
        ("url", entry.url or "-"),
        ("processing", entry.processing),
        ("crs", entry.crs or "-"),
        ("copy in use", copy.describe()),
    ]
    for key in ("etag", "last_modified", "sha256"):
        if key in copy.meta:
            lines.append((key, str(copy.meta[key])))
    if isinstance(data, geo.Raster):
        rows, cols = data.values.shape
        lines.append(("cells", f"{cols} x {rows}"))
        lines.append(("bounds", _bounds(data.bounds)))
    else:
        lines.append(("features" if entry.kind == "vector" else "rows", str(len(data))))
        lines.append(("columns", ", ".join(c for c in data.columns if c != "geometry")))
        if hasattr(data, "geometry"):
            located = data[~data.geometry.isna()]
            if len(located):
                lines.append(("bounds", _bounds(tuple(located.total_bounds))))
    width = max(len(k) for k, _ in lines)
    for key, value in lines:
        print(f"{key:<{width}}  {value}")
    return 0


def _layers_list(args: argparse.Namespace) -> int:
    import layers

    rows = []
    for layer_id in layers.layer_ids():
        if layer_id in layers.registry.NEEDS_DATA:
            needs = layers.registry.NEEDS_DATA[layer_id]
            rows.append((layer_id, needs.kind, "-", needs.title, "user data"))
            continue
        layer = layers.build(layer_id)
        credits = "; ".join(dict.fromkeys(c.source for c in layer.credits))
        rows.append((layer_id, layer.kind, len(layer.frame), layer.title, credits))
    _print_table(("id", "kind", "features", "title", "credits"), rows)
    print(
        f"\n{len(rows)} layers. In Python: layers.build(ID) returns a Layer; .explore() shows it."
    )
    return 0


def _build(args: argparse.Namespace) -> int:
    """Build the maps; the exit code.

    0 when every map is built or up to date, 3 when every failure was the
    environment's (a full disk), 1 when some maps failed otherwise.
    """
    from maps.build import FORMATS, build, find_specs, print_progress

    only = [i for part in args.only for i in part.split(",") if i]
    asked = [f for part in args.format for f in part.split(",") if f]
    unknown = [f for f in asked if f not in FORMATS]
    if unknown:
        raise ValueError(
            f"--format {','.join(unknown)}: unknown format (fix: use {', '.join(FORMATS)})"
        )
    formats = asked or list(FORMATS)
    languages = _languages(args.lang)
    if "mp4" in formats and args.scheduler is None and shutil.which("ffmpeg") is None:
        # with --scheduler the cluster's workers write the MP4s: their ffmpeg counts
        if asked:
            raise OSError(f"--format mp4 needs ffmpeg, which is not installed ({FFMPEG_FIX})")
        formats.remove("mp4")
        print(f"note: no MP4s: ffmpeg is not installed ({FFMPEG_FIX})", file=sys.stderr)
    paths = find_specs(args.paths, only)
    out = _output_folder(args.out)
    report = build(
        paths,
        out,
        formats=formats,
        jobs=args.jobs,
        scheduler=args.scheduler,
        force=args.force,
        progress=print_progress(debug=args.debug),
        wait=args.wait,
        on_wait=_waiting_for(args.out),
        languages=languages,
    )
    built = sum(r.status == "built" for r in report.results)
    skipped = sum(r.status == "skipped" for r in report.results)
    failed = report.failed
    print(
        f"{built} built, {skipped} up to date, {len(failed)} failed -> {report.out_dir}/index.html",
        file=sys.stderr,
    )
    for result in report.results:  # after the build: one line per map and language
        if result.missing and result.status != "failed":
            print(f"warning: {result.missing}", file=sys.stderr)
    if not failed:
        return EXIT_OK
    print(f"error: these maps failed: {', '.join(r.id for r in failed)}", file=sys.stderr)
    if all(r.cause == "environment" for r in failed):
        return EXIT_ENVIRONMENT
    return EXIT_FAILED


def _languages(asked: Sequence[str]) -> list[str]:
    """The codes of ``--lang`` (repeated or comma lists), each checked with Babel."""
    from geo.language import LanguageError, language

    codes = list(dict.fromkeys(c.strip() for part in asked for c in part.split(",") if c.strip()))
    for code in codes:
        try:
            language(code)
        except LanguageError as err:
            raise ValueError(
                f"--lang {code}: {err} (fix: use a code such as en, ru, ky, uz)"
            ) from None
    return codes


def _output_folder(out: str) -> Path:
    """`out`, created if needed; an OSError naming the folder and a fix if it cannot be."""
    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        reason = "it is a file" if folder.is_file() else (err.strerror or str(err)).lower()
        raise OSError(
            f"cannot use {out} as the output folder: {reason} (fix: choose another --out)"
        ) from err
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OSError(
            f"cannot write into the output folder {out}: permission denied "
            "(fix: choose another --out, or make it writable)"
        )
    return folder


def _waiting_for(out: str) -> Callable[[geo.locks.Holder], None]:
    def say(holder: geo.locks.Holder) -> None:
        print(f"waiting for {out}: it is being written by {holder.describe()}…", file=sys.stderr)
        sys.stderr.flush()

    return say


def _check(args: argparse.Namespace) -> int:
    """Check every spec, reporting each bad one; exit 0 if all are good.

    Otherwise 2 if any spec or its data is bad, else 3 if every failure was the
    environment's, else 1 (an internal error in fergana).
    """
    import traceback
    import warnings

    from maps.build import data_warnings, failure, find_specs, shortened
    from maps.spec import SpecError, load_spec, project_folder

    paths = find_specs(args.paths)
    from maps.compose import compose  # after the paths are known good: it loads geopandas

    causes = []
    for path in paths:
        try:
            spec = load_spec(path)
            if spec.id != path.stem:
                raise SpecError(
                    path, f"id {spec.id!r} must match the file name {path.stem!r}", field="id"
                )
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", geo.DataWarning)
                composition = compose(spec)
        except Exception as err:  # report it and go on to the next spec
            cause, message = failure(err)
            causes.append(cause)
            if args.debug:
                traceback.print_exc()
            print(f"error: {shortened(message)}", file=sys.stderr)
            continue
        print(f"ok: {spec.id}")
        said = [*composition.warnings, *data_warnings(caught, project_folder(path))]
        for warning in said:
            print(f"    warning: {shortened(warning)}", file=sys.stderr)
    if not causes:
        return EXIT_OK
    print(f"{len(causes)} of {len(paths)} specs have problems", file=sys.stderr)
    if "input" in causes:
        return EXIT_INPUT
    return EXIT_ENVIRONMENT if set(causes) == {"environment"} else EXIT_FAILED


def _new(args: argparse.Namespace) -> int:
    from maps.starter import write_starter

    for path in write_starter(args.id, Path.cwd()):
        print(f"wrote {path.as_posix()}")
    print(f"next: fergana check specs && fergana build specs   (then open out/{args.id}.html)")
    return 0


def _bounds(bounds: Sequence[float]) -> str:
    west, south, east, north = bounds
    return (
        f"lon {west:.3f} to {east:.3f}, lat {south:.3f} to {north:.3f} (west, south, east, north)"
    )


def _print_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [list(map(str, header)), *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for n, row in enumerate(cells):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def build_parser(*, refresh: bool = True) -> argparse.ArgumentParser:
    """The argument parser for every ``fergana`` subcommand.

    Parameters
    ----------
    refresh : bool
        Include ``fergana data refresh``, whose help lists every upstream and so
        imports geo.refresh (geopandas, requests); :func:`main` leaves it out for
        the other commands, so that a no-op ``fergana build`` stays fast.
    """
    parser = argparse.ArgumentParser(
        prog="fergana",
        description=(
            "Sourced maps of the Fergana Valley and the June 2010 crisis in southern "
            "Kyrgyzstan. Runs offline on embedded data."
        ),
        epilog=(
            "Start with `fergana data list`. Each command has its own --help. Exit codes: "
            "0 ok, 1 some maps failed (or an internal error), 2 bad usage or input, "
            "3 environment (output folder, disk, lock held, ffmpeg or a Dask scheduler missing), "
            "130 interrupted, 143 SIGTERM."
        ),
    )
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    data = commands.add_parser(
        "data",
        help="list, describe and refresh the embedded datasets",
        description="The datasets fergana carries, with their sources and licences.",
    )
    data_commands = data.add_subparsers(title="data commands", metavar="ACTION", required=True)
    listing = data_commands.add_parser(
        "list", help="every dataset with kind and licence", description="List every dataset."
    )
    listing.set_defaults(handler=_data_list)
    info = data_commands.add_parser(
        "info",
        help="provenance, CRS, feature count and bounds of one dataset",
        description="Show where a dataset comes from, which copy is in use, and what it holds.",
    )
    info.add_argument("name", help="dataset name, as in `fergana data list` (e.g. countries)")
    info.set_defaults(handler=_data_info)
    if refresh:
        from scripts.refresh_cli import register as register_refresh

        register_refresh(data_commands)

    layer_parser = commands.add_parser(
        "layers",
        help="the thematic layers that map specs can use",
        description="Thematic layers built from the embedded data.",
    )
    layer_commands = layer_parser.add_subparsers(
        title="layer commands", metavar="ACTION", required=True
    )
    build_parser_ = commands.add_parser(
        "build",
        help="build maps (HTML, PNG, SVG, PDF, GIF, MP4) from specs into an output folder",
        description=(
            "Build the maps defined by the spec files or folders given (a folder: its "
            "*.toml, or those in its specs/ subfolder); without PATH, fergana's own story "
            "maps. Maps whose spec, data and code are unchanged since the last build are "
            "skipped. Writes manifest.json and an index.html gallery. Exit code 0 only "
            "when every map built."
        ),
    )
    build_parser_.add_argument("paths", nargs="*", metavar="PATH", help=SPEC_PATHS_HELP)
    build_parser_.add_argument(
        "--only", action="append", default=[], metavar="ID[,ID]", help="build only these map ids"
    )
    build_parser_.add_argument(
        "--format",
        action="append",
        default=[],
        metavar="FMT[,FMT]",
        help=(
            "formats to write: html, png, svg, pdf, gif, mp4 (default: all; gif and mp4 "
            "for maps with [motion], mp4 needs ffmpeg)"
        ),
    )
    build_parser_.add_argument(
        "--lang",
        action="append",
        default=[],
        metavar="CODE[,CODE]",
        help=(
            "build only these languages (default: each map's own languages); a map "
            "whose spec does not list one is built in it all the same, as ID.CODE.*"
        ),
    )
    build_parser_.add_argument(
        "--out", default="out", metavar="DIR", help="output folder (default: out)"
    )
    workers = build_parser_.add_mutually_exclusive_group()
    workers.add_argument(
        "--jobs",
        type=_at_least_one,
        default=None,
        metavar="N",
        help="maps built in parallel (default: cores)",
    )
    workers.add_argument(
        "--scheduler",
        type=_scheduler_address,
        default=None,
        metavar="tcp://HOST:PORT",
        help=(
            "render the maps on the Dask cluster of this scheduler instead of local "
            "processes (needs pip install 'fergana[dask]' and fergana on every worker)"
        ),
    )
    build_parser_.add_argument(
        "--force", action="store_true", help="rebuild even if nothing changed"
    )
    build_parser_.add_argument(
        "--wait",
        action="store_true",
        help="if another build is writing the output folder, wait for it (default: exit 3)",
    )
    build_parser_.set_defaults(handler=_build)

    check = commands.add_parser(
        "check",
        help="validate specs and their data without drawing a map",
        description=(
            "Read each spec and build its layers from its data, without rendering. Prints "
            "'ok: ID' per good spec and the problems of every bad one; exits 2 if any "
            "spec or its data is bad."
        ),
    )
    check.add_argument("paths", nargs="*", metavar="PATH", help=SPEC_PATHS_HELP)
    check.set_defaults(handler=_check)

    new = commands.add_parser(
        "new",
        help="start your own map: a commented spec and sample data",
        description=(
            "Write specs/ID.toml (a commented starter spec) and sample data in data/ under "
            "the current folder. Never overwrites a file."
        ),
    )
    new.add_argument("id", metavar="ID", help="the map's id: lower-case letters, digits, - and _")
    new.set_defaults(handler=_new)

    from scripts.names_cli import add_parser as add_names_parser
    from scripts.names_cli import run as run_names

    add_names_parser(commands).set_defaults(handler=run_names)

    layer_commands.add_parser(
        "list",
        help="every layer with kind, feature count and credits",
        description="Build every registered layer and list it with its feature count and credits.",
    ).set_defaults(handler=_layers_list)
    for commands_ in (commands, data_commands, layer_commands):
        for sub in commands_.choices.values():
            # also after the command; SUPPRESS keeps a --debug given before it
            sub.add_argument(
                "--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP
            )
    return parser


def _at_least_one(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{number} is below 1 (fix: give 1 or more)")
    return number


def _scheduler_address(text: str) -> str:
    scheme, _, rest = text.partition("://")
    host, _, port = rest.rpartition(":")
    if scheme not in ("tcp", "tls") or not host or not port.isdigit():
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a scheduler address (fix: tcp://HOST:PORT)"
        )
    return text


class Terminated(BaseException):
    """SIGTERM arrived: raised in the main thread so that the build cleans up.

    A BaseException, as KeyboardInterrupt is, so that no ``except Exception``
    (a map's failure, say) takes it for an error of its own.
    """


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``fergana`` command; returns the process exit code.

    0 ok, 1 some maps failed or an internal error, 2 bad usage or input,
    3 environment (output folder, full disk, lock held), 130 interrupted,
    143 SIGTERM. Errors are one line or a few; the traceback only with
    ``--debug`` or ``FERGANA_DEBUG=1``.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    args = build_parser(refresh=command in (None, "data")).parse_args(argv)
    args.debug = args.debug or os.environ.get("FERGANA_DEBUG", "") not in ("", "0")
    handler: Handler = args.handler
    try:
        with _sigterm_raises():
            return handler(args)
    except KeyboardInterrupt:
        _report(args.debug, "interrupted")
        return EXIT_INTERRUPTED
    except Terminated:
        _report(args.debug, "stopped (SIGTERM)")
        return EXIT_TERMINATED
    except Exception as err:
        from maps.build import failure, shortened

        cause, message = failure(err)
        _report(args.debug, f"error: {shortened(message)}")
        return EXIT_CODES[cause]


def _report(debug: bool, line: str) -> None:
    """Print `line` on standard error, after the traceback being handled if `debug`."""
    if debug:
        import traceback

        traceback.print_exc()
    print(line, file=sys.stderr)


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` in the main thread, for the block.

    Processes forked meanwhile (a build's workers) inherit the handler; in them
    it restores the default and dies of the signal, as if no handler were set.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    owner = os.getpid()

    def terminate(signum: int, frame: object) -> None:
        if os.getpid() != owner:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
            return
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
