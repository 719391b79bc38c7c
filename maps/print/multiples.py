"""Small multiples: one print page of panels, one per time step (being written; issue 15)."""

from __future__ import annotations

from pathlib import Path

from maps.scene import Scene


def write_multiples(scene: Scene, folder: Path, formats: tuple[str, ...]) -> list[Path]:
    """Write ``ID.NAME.png/.svg/.pdf`` for the spec's ``[multiples]`` (not yet written)."""
    raise NotImplementedError("small multiples are being written (issue 15)")
