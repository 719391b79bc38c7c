"""The ``fergana`` command: thin wrappers over the geo, layers and maps APIs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import geo

Handler = Callable[[argparse.Namespace], int]
SPEC_PATHS_HELP = "spec files or folders (default: fergana's own story maps)"


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
    from maps.build import FORMATS, build, find_specs, print_progress

    only = [i for part in args.only for i in part.split(",") if i]
    formats = [f for part in args.format for f in part.split(",") if f] or list(FORMATS)
    paths = find_specs(args.paths, only)
    report = build(
        paths,
        args.out,
        formats=formats,
        jobs=args.jobs,
        force=args.force,
        progress=print_progress(),
    )
    built = sum(r.status == "built" for r in report.results)
    skipped = sum(r.status == "skipped" for r in report.results)
    failed = [r.id for r in report.results if r.status == "failed"]
    print(
        f"{built} built, {skipped} up to date, {len(failed)} failed -> {report.out_dir}/index.html",
        file=sys.stderr,
    )
    if failed:
        print(f"error: these maps failed: {', '.join(failed)}", file=sys.stderr)
    return 0 if report.ok else 1


def _check(args: argparse.Namespace) -> int:
    import warnings

    from maps.build import data_warnings, find_specs, shortened
    from maps.spec import SpecError, load_spec, project_folder

    paths = find_specs(args.paths)
    from maps.compose import compose  # after the paths are known good: it loads geopandas

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
        except (geo.DataError, KeyError, OSError) as err:
            message = str(err.args[0]) if isinstance(err, KeyError) else str(err)
            print(f"error: {shortened(message)}", file=sys.stderr)
            return 1
        print(f"ok: {spec.id}")
        said = [*composition.warnings, *data_warnings(caught, project_folder(path))]
        for warning in said:
            print(f"    warning: {shortened(warning)}", file=sys.stderr)
    return 0


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
        epilog="Start with `fergana data list`. Each command has its own --help.",
    )
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
        help="build maps (HTML, PNG, SVG, PDF) from specs into an output folder",
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
        help="formats to write: html, png, svg, pdf (default: all)",
    )
    build_parser_.add_argument(
        "--out", default="out", metavar="DIR", help="output folder (default: out)"
    )
    build_parser_.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="maps built in parallel (default: cores)",
    )
    build_parser_.add_argument(
        "--force", action="store_true", help="rebuild even if nothing changed"
    )
    build_parser_.set_defaults(handler=_build)

    check = commands.add_parser(
        "check",
        help="validate specs and their data without drawing a map",
        description=(
            "Read each spec and build its layers from its data, without rendering. Prints "
            "'ok: ID' per good spec; stops at the first bad file, shows its problems and "
            "exits non-zero."
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

    layer_commands.add_parser(
        "list",
        help="every layer with kind, feature count and credits",
        description="Build every registered layer and list it with its feature count and credits.",
    ).set_defaults(handler=_layers_list)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``fergana`` command; returns the process exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    args = build_parser(refresh=command in (None, "data")).parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except (geo.DataError, ValueError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyError as err:
        print(f"error: {err.args[0]}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
