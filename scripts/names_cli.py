"""``fergana names``: how many place names a language has, and a table to fill for the rest."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from geo.errors import DataError

DESCRIPTION = """\
Count the place names a language has for the places the story maps are about (the
facts' places, the towns of the Fergana Valley, the countries, and the provinces of
Kyrgyzstan, Uzbekistan and Tajikistan), from the built-in sources and your names
tables, and list those it lacks.

A names table is a CSV with a column `id` (the gazetteer id: facts:osh, geonames:1527534,
iso:KGZ, iso:KG-O...), one column per language code (ky, uz, ru...) and optionally
`source`. --template writes one for the names the language lacks: fill in its
language column and pass it with --table (or a spec's `names` key).

exit codes: 0 done; 2 a bad names table or usage.
"""

EXIT_OK, EXIT_INPUT = 0, 2
#: Missing names printed before "... and N more".
LISTED = 30


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``names`` to the ``fergana`` subcommands (`subparsers`: ``add_subparsers()``)."""
    parser = subparsers.add_parser(
        "names",
        help="place-name coverage of a language; a names table to fill",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--lang", required=True, metavar="CODE", help="language code: ru, ky, uz..."
    )
    parser.add_argument(
        "--table",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="a names table (CSV), read before the built-in names; may be repeated",
    )
    parser.add_argument(
        "--template",
        type=Path,
        metavar="OUT",
        help="write a names table (id, en, CODE) of the names the language lacks to OUT",
    )
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Print the coverage of ``args.lang``; write the template if asked. The exit code."""
    # imported here: geo.names needs geopandas, which a no-op `fergana build` never loads
    from geo.names import names_coverage, names_template, valley_names

    try:
        coverage = names_coverage(args.lang, valley_names(), tuple(args.table))
    except DataError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_INPUT
    print(
        f"{coverage.code}: {coverage.translated} of {coverage.total} place names "
        f"({coverage.share:.0%}); {len(coverage.missing)} missing"
    )
    for name in coverage.missing[:LISTED]:
        print(f"  {name}")
    if len(coverage.missing) > LISTED:
        print(f"  ... and {len(coverage.missing) - LISTED} more")
    if args.template is not None:
        text = names_template(args.lang, coverage.missing)
        args.template.write_text(text, encoding="utf-8")
        print(f"wrote {args.template.name}: {text.count(chr(10)) - 1} places to fill in")
    return EXIT_OK
