"""Photos and videos: what the background and the metadata give away (issue 8).

Needs the `media` extra (Pillow); OCR needs Tesseract on the PATH and video
frames need ffmpeg, both optional: without them the report says what was not
checked. Entry point: `analyse_media`.
"""

from __future__ import annotations

try:
    import PIL  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the install
    raise ImportError("media analysis needs Pillow: pip install 'backscroll[media]'") from exc

from audit.media.analyse import Limits, analyse_media
from audit.media.findings import ACTIONS, CHECK, CROP, DELETE, STRIP_LOCATION, FileResult, MediaFinding, Metadata, Screen

__all__ = ["ACTIONS", "CHECK", "CROP", "DELETE", "STRIP_LOCATION", "FileResult", "Limits", "MediaFinding", "Metadata", "Screen",
           "analyse_media"]
