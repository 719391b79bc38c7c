"""Motion: the time steps as GIF and MP4 frames (being written; issue 15)."""

from __future__ import annotations

from pathlib import Path

from maps.scene import Scene


def write_motion(scene: Scene, folder: Path, formats: tuple[str, ...]) -> list[Path]:
    """Write ``ID.gif`` and/or ``ID.mp4`` for the spec's ``[motion]`` (not yet written)."""
    raise NotImplementedError("motion is being written (issue 15)")
