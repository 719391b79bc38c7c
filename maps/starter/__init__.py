"""``fergana new``: a commented starter spec and sample data, to begin a map of your own.

The templates sit next to this module as package data: ``spec.toml`` (``$id`` stands
for the map's id) and the sample tables, whose numbers are fictional and say so.
"""

from __future__ import annotations

from pathlib import Path
from string import Template

from maps.spec import ID_PATTERN, SpecError

TEMPLATES = Path(__file__).parent


def starter_files(map_id: str) -> dict[str, str]:
    """The files ``fergana new`` writes, by path relative to the project folder."""
    if not ID_PATTERN.fullmatch(map_id):
        raise SpecError(
            "fergana new",
            f"{map_id!r} is not a map id",
            field="ID",
            hint="use lower-case letters, digits, '-' and '_' (it names the output files)",
        )

    def text(name: str) -> str:
        return Template((TEMPLATES / name).read_text(encoding="utf-8")).substitute(id=map_id)

    return {
        f"specs/{map_id}.toml": text("spec.toml"),
        f"data/{map_id}-points.csv": text("markets.csv"),
        f"data/{map_id}-flows.csv": text("trips.csv"),
    }


def write_starter(map_id: str, folder: Path) -> list[Path]:
    """Write the starter files into `folder`; nothing is written if any of them exists.

    Returns
    -------
    list of Path
        The files written, relative to `folder`.

    Raises
    ------
    SpecError
        For a bad id, or a file that already exists (naming it).
    """
    files = starter_files(map_id)
    for name in files:
        if (folder / name).exists():
            raise SpecError(
                name,
                "already exists; fergana new never overwrites a file",
                hint="choose another ID, or move the file away",
            )
    for name, text in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    return [Path(name) for name in files]
