"""The print renderer's public API: draw a scene (or a composition) as a figure, or write files.

A composition is turned into a scene once (:func:`maps.scene.build_scene`); a
scene built elsewhere (e.g. shared with the web renderer) is drawn as it is.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

import geo
from maps.compose import Composition
from maps.pages import MM_PER_INCH, StaticExportError, resolve_size
from maps.print.export import (
    RC,
    WEB_WIDTH_PX,
    check_dpi,
    check_folder,
    check_formats,
    render_bytes,
    target_path,
)
from maps.print.figure import build_figure
from maps.scene import Scene, build_scene


def as_scene(composition: Composition | Scene) -> Scene:
    """`composition`'s scene (a Scene is returned as it is)."""
    return composition if isinstance(composition, Scene) else build_scene(composition)


def static_figure(
    composition: Composition | Scene,
    *,
    size: str | Sequence[float] | None = None,
    dpi: float = 300,
) -> Figure:
    """Draw a composition as a print-ready matplotlib figure.

    Parameters
    ----------
    composition : Composition or Scene
        From :func:`maps.compose` (its scene is built here) or :func:`maps.scene.build_scene`.
    size : str or (float, float), optional
        A preset of :data:`SIZES` or ``(width_mm, height_mm)``; by default the
        spec's ``print_size``.
    dpi : float, default 300
        Raster resolution of the figure (PNG output); layout does not depend on it.

    Returns
    -------
    matplotlib.figure.Figure
        On an Agg canvas, with a ``fergana`` attribute (:class:`StaticInfo`)
        recording the placed labels, scale bar and insets. Save it with
        :func:`write_static` (or inside ``matplotlib.rc_context(RC)`` with
        :data:`METADATA`) for reproducible files.

    Raises
    ------
    StaticExportError
        For a bad size or DPI.
    """
    preset = resolve_size(size if size is not None else composition.spec.print_size)
    check_dpi(dpi, preset)
    with matplotlib.rc_context(RC):
        return build_figure(as_scene(composition), preset, float(dpi))


def write_static(
    composition: Composition | Scene,
    out_dir: str | os.PathLike[str],
    formats: Iterable[str] = ("png", "svg", "pdf"),
    *,
    size: str | Sequence[float] | None = None,
    dpi: float = 300,
    web_width_px: int | None = WEB_WIDTH_PX,
) -> list[Path]:
    """Write a composition as ``ID.png``, ``ID.svg``, ``ID.pdf`` and ``ID.web.png``.

    Every request is checked before anything is drawn or written. All files are
    rendered in memory first and then written atomically (temporary file in the
    folder, renamed into place), so an error leaves no partial files.

    Parameters
    ----------
    composition : Composition or Scene
        From :func:`maps.compose` or :func:`maps.scene.build_scene`.
    out_dir : path
        Existing, writable folder.
    formats : iterable of str, default ("png", "svg", "pdf")
        Any of :data:`FORMATS`. ``"png"`` also writes the web PNG
        (``ID.web.png``, `web_width_px` wide) unless `web_width_px` is None;
        ``"web.png"`` asks for the web PNG alone.
    size : str or (float, float), optional
        A preset of :data:`SIZES` or ``(width_mm, height_mm)``; by default the
        spec's ``print_size`` (``"a4"`` unless the spec says otherwise).
    dpi : float, default 300
        Resolution of ``ID.png``.
    web_width_px : int or None, default 1600
        Width of ``ID.web.png`` in pixels (2x a 800 px column).

    Returns
    -------
    list of Path
        The files written, in format order.

    Raises
    ------
    StaticExportError
        Unknown format (the message lists them), DPI <= 0, bad size, or an
        output path that would leave `out_dir`.
    FileNotFoundError, NotADirectoryError, PermissionError
        If `out_dir` is missing, not a folder or not writable (the message names it).
    """
    wanted = check_formats(formats, web_width_px)
    preset = resolve_size(size if size is not None else composition.spec.print_size)
    check_dpi(dpi, preset)
    if web_width_px is not None:
        if not isinstance(web_width_px, int) or web_width_px <= 0:
            raise StaticExportError(
                f"web_width_px must be a positive integer, not {web_width_px!r}"
            )
        check_dpi(web_width_px / (preset.width_mm / MM_PER_INCH), preset)
    folder = check_folder(out_dir)
    targets = {fmt: target_path(folder, composition, fmt) for fmt in wanted}

    with matplotlib.rc_context(RC):
        figure = build_figure(as_scene(composition), preset, float(dpi))
        payloads = {}
        for fmt in wanted:
            if fmt == "web.png":
                fmt_dpi = web_width_px / (preset.width_mm / MM_PER_INCH)
            else:
                fmt_dpi = float(dpi)
            payloads[fmt] = render_bytes(figure, "png" if fmt == "web.png" else fmt, fmt_dpi)

    with contextlib.ExitStack() as stack:
        handles = {fmt: stack.enter_context(geo.atomic_write(targets[fmt], "wb")) for fmt in wanted}
        for fmt in wanted:
            handles[fmt].write(payloads[fmt])
    return [targets[fmt] for fmt in wanted]
