"""Motion: a map's time steps as the frames of a GIF (Pillow) and an MP4 (ffmpeg).

A spec with a ``[motion]`` table (:class:`maps.spec_series.Motion`) gets
``ID.gif`` and ``ID.mp4`` with ``--format gif,mp4``. Each frame is the print page
(title, legend, scale bar, credits) at the table's ``size`` (else the spec's
``print_size``) drawn at :data:`FRAME_DPI`, so ``"slide"`` is 1920 × 1080 pixels,
with the step's date and reported totals stamped on it. The page is laid out once
and only what changes is redrawn (:mod:`maps.print.frames`), so a frame costs
less than a web PNG.

Both files are reproducible: the GIF has one palette (median cut of a page
with every feature shown) mapped without dithering, and carries its frames'
dates as JSON in its comment (``{"fergana_frames": ["2010-06-10", ...]}``) for
readers and tests that should not need OCR; the MP4 is encoded by libx264 on
one thread with ffmpeg's bit-exact flags and no metadata. Each frame shows for
``seconds``, the last three times as long.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image

import geo
from maps.pages import resolve_size
from maps.print.export import check_dpi, check_folder, target_path
from maps.print.frames import FramePage, frame_page
from maps.scene import Scene
from maps.scene.series import SeriesError, TimeStep, series_scene, time_steps
from maps.spec_series import MAX_FRAMES

FORMATS = ("gif", "mp4")
#: Frames are drawn at this resolution: a "slide" (13.33 × 7.5 in) is 1920 × 1080 px.
FRAME_DPI = 144.0
#: The last frame shows this many times as long as the others.
LAST_HOLD = 3
GIF_COLOURS = 256
FFMPEG_FIX = "sudo apt-get install ffmpeg"


class MotionError(OSError):
    """A motion file that cannot be made here (no ffmpeg, or ffmpeg failed): an environment fault.

    Its message is one line that says the fix.
    """


def write_motion(scene: Scene, folder: Path, formats: tuple[str, ...]) -> list[Path]:
    """Write ``ID.gif`` and/or ``ID.mp4`` for the spec's ``[motion]`` into `folder`.

    Parameters
    ----------
    scene : Scene
        The whole map (every dated feature); its spec must have a ``[motion]`` table.
    folder : Path
        An existing, writable folder.
    formats : tuple of str
        Any of "gif", "mp4".

    Returns
    -------
    list of Path
        The files written, in `formats` order (each written atomically).

    Raises
    ------
    MotionError
        "mp4" without ffmpeg on the PATH, or ffmpeg failing.
    maps.scene.series.SeriesError
        A map without dated features or reports.
    """
    motion = scene.spec.motion
    if motion is None:
        raise ValueError(f"map '{scene.spec.id}' has no [motion] table; add one to make a GIF/MP4")
    wanted = [f for f in FORMATS if f in formats]
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown motion format {unknown[0]!r}; formats: {', '.join(FORMATS)}")
    ffmpeg = ffmpeg_path() if "mp4" in wanted else None
    folder = check_folder(folder)
    preset = resolve_size(motion.size or scene.spec.print_size)
    check_dpi(FRAME_DPI, preset)
    series = time_steps(scene, motion.steps)
    if len(series) > MAX_FRAMES:
        raise SeriesError(
            f"map '{scene.spec.id}': {len(series)} frames is more than a motion may have "
            f"({MAX_FRAMES}); give [motion] fewer steps or a longer every"
        )
    scene = series_scene(scene, motion.steps, series)  # undated features said, sources credited
    page = frame_page(scene, motion.steps, series, preset, FRAME_DPI)

    payloads: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="fergana-motion-") as tmp:
        encoder = Mp4Encoder(ffmpeg, page.size_px, motion.seconds, Path(tmp)) if ffmpeg else None
        palette = gif_palette(page) if "gif" in wanted else None
        gif_frames = []
        try:
            for n, step in enumerate(series):
                page.show(step)
                rgb = page.rgb()
                if palette is not None:
                    gif_frames.append(quantised(rgb, palette))
                if encoder is not None:
                    encoder.add(rgb, LAST_HOLD if n == len(series) - 1 else 1)
        except BaseException:
            if encoder is not None:
                encoder.abort()
            raise
        if encoder is not None:
            payloads["mp4"] = encoder.finish()
    if palette is not None:
        payloads["gif"] = gif_bytes(gif_frames, series, motion.seconds)

    written = []
    for fmt in wanted:
        target = target_path(folder, scene, fmt)
        with geo.atomic_write(target, "wb") as handle:
            handle.write(payloads[fmt])
        written.append(target)
    return written


def ffmpeg_path() -> str:
    """The ffmpeg program on the PATH, or a one-line :class:`MotionError` saying how to get it."""
    found = shutil.which("ffmpeg")
    if found is None:
        raise MotionError(f"mp4 needs ffmpeg, which is not installed (fix: {FFMPEG_FIX})")
    return found


# --- GIF --------------------------------------------------------------------------------


def gif_palette(page: FramePage) -> Image.Image:
    """One palette for every frame: a median cut of the page with every feature shown.

    Every colour a frame can have is on that page (frames only hide features and
    change the stamp's text), and median cut is deterministic.
    """
    page.show(None)
    image = Image.fromarray(page.rgb(), "RGB")
    return image.quantize(GIF_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)


def quantised(rgb: np.ndarray, palette: Image.Image) -> Image.Image:
    """A frame mapped to `palette`'s colours, nearest colour, no dithering."""
    return Image.fromarray(rgb, "RGB").quantize(palette=palette, dither=Image.Dither.NONE)


def gif_comment(series: list[TimeStep]) -> bytes:
    """The GIF's comment: its frames' steps as JSON (OCR-free metadata)."""
    return json.dumps({"fergana_frames": [step.key for step in series]}).encode("ascii")


def gif_bytes(frames: list[Image.Image], series: list[TimeStep], seconds: float) -> bytes:
    """The frames as one looping GIF (each `seconds`, the last :data:`LAST_HOLD` times longer)."""
    each = round(seconds * 1000)
    durations = [each] * (len(frames) - 1) + [each * LAST_HOLD]
    buffer = io.BytesIO()
    frames[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=durations,
        loop=0,
        optimize=False,
        comment=gif_comment(series),
    )
    return buffer.getvalue()


def gif_steps(data: bytes) -> list[str]:
    """The steps a fergana GIF says its frames show (from its comment)."""
    with Image.open(io.BytesIO(data)) as image:
        comment = image.info.get("comment", b"")
    return list(json.loads(comment)["fergana_frames"])


# --- MP4 --------------------------------------------------------------------------------


class Mp4Encoder:
    """Frames piped as raw RGB to ffmpeg (libx264, yuv420p), reproducible byte for byte.

    Parameters
    ----------
    ffmpeg : str
        The program.
    size : (int, int)
        Frame width and height in pixels (padded to even numbers for yuv420p).
    seconds : float
        How long each frame shows: the frame rate is its inverse.
    tmp : Path
        A private folder for the file ffmpeg writes (MP4 needs a seekable output).
    """

    def __init__(self, ffmpeg: str, size: tuple[int, int], seconds: float, tmp: Path):
        self.size = size
        self.out = tmp / "frames.mp4"
        self.log = tmp / "ffmpeg.log"
        rate = 1 / Fraction(seconds).limit_denominator(1000)
        width, height = size
        command = [
            ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
            "-framerate", f"{rate.numerator}/{rate.denominator}", "-i", "pipe:0",
            "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2:color=white",
            "-c:v", "libx264", "-preset", "medium", "-tune", "stillimage",
            "-pix_fmt", "yuv420p", "-threads", "1", "-filter_threads", "1",
            "-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1",
            "-movflags", "+faststart", "-y", str(self.out),
        ]  # fmt: skip
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log
            )

    def add(self, rgb: np.ndarray, times: int = 1) -> None:
        """Send one frame, `times` times."""
        data = np.ascontiguousarray(rgb, dtype=np.uint8).tobytes()
        try:
            for _ in range(times):
                self.process.stdin.write(data)
        except BrokenPipeError:
            self.finish()  # raises with ffmpeg's own message
            raise MotionError("ffmpeg stopped reading frames") from None

    def finish(self) -> bytes:
        """Close the pipe, wait for ffmpeg, and return the MP4's bytes."""
        with contextlib.suppress(BrokenPipeError):
            self.process.stdin.close()
        code = self.process.wait()
        if code != 0:
            said = self.log.read_text(errors="replace").strip().splitlines()
            last = said[-1] if said else f"exit status {code}"
            raise MotionError(f"ffmpeg could not write the mp4: {last}")
        return self.out.read_bytes()

    def abort(self) -> None:
        """Stop ffmpeg (after a failure drawing the frames)."""
        self.process.kill()
        self.process.wait()
        with contextlib.suppress(BrokenPipeError):
            self.process.stdin.close()
