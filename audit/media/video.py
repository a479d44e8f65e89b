"""A few frames of a video, only when ffmpeg is on the machine; backscroll never ships a decoder.

The video is copied to a private temporary folder (ffmpeg must seek, and a
zip member cannot be seeked) that is removed however the run ends.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from PIL import Image

FRAMES = 3
EVERY_SECONDS = 4


def decoder() -> str | None:
    return shutil.which("ffmpeg")


VIDEO_DEMUXERS = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,gif"


def command(exe: str, source: Path, pattern: str) -> list[str]:
    """A "video" from an export may be a playlist naming URLs or other files: local files, video demuxers only."""
    return [exe, "-nostdin", "-v", "error", "-protocol_whitelist", "file", "-format_whitelist", VIDEO_DEMUXERS,
            "-i", str(source), "-vf", f"fps=1/{EVERY_SECONDS},scale='min(1280,iw)':-2",
            "-frames:v", str(FRAMES), "-f", "image2", pattern]


def frames(write: Callable[[BinaryIO], object], suffix: str, *, timeout: float, exe: str | None = None) -> list[Image.Image]:
    """Up to FRAMES frames, EVERY_SECONDS apart from the start, at most 1280 px wide; [] if ffmpeg fails.

    `write` streams the video into the private temporary file, so it is never whole in memory.
    """
    exe = exe or decoder()
    if exe is None:
        return []
    with tempfile.TemporaryDirectory(prefix="backscroll-video-") as tmp:
        source = Path(tmp) / f"in{suffix if suffix.isascii() and len(suffix) <= 6 else '.bin'}"
        with source.open("wb") as fh:
            write(fh)
        done = subprocess.run(command(exe, source, str(Path(tmp) / "frame%02d.png")), capture_output=True, timeout=timeout, check=False)
        if done.returncode != 0:
            return []
        out = []
        for path in sorted(Path(tmp).glob("frame*.png")):
            with Image.open(path, formats=("PNG",)) as img:  # the frames ffmpeg was told to write
                out.append(img.convert("RGB"))
        return out
