"""What media analysis hands to the pipeline and the report: plain frozen dataclasses.

Kept apart from `audit.model` so the media extra can grow without touching the
core model that every importer and report shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from audit.model import Evidence

DELETE = "delete photo"
CROP = "crop or blur before keeping"
STRIP_LOCATION = "remove the location before keeping"
# Where and when a photo was taken is no fault of its pixels: the user decides what it gives away.
CHECK = "check what it shows before keeping"
# Worst first: an item's action is the worst of its files' actions.
ACTIONS: tuple[str, ...] = (DELETE, CROP, STRIP_LOCATION, CHECK)


@dataclass(frozen=True, slots=True)
class Metadata:
    """Where and when a photo was taken, merged from the file's EXIF and the export's own record.

    `local_time` is the camera's wall-clock time when the file says it (EXIF is
    local time); `gps_in_file` is True only when the shared file itself still
    carries coordinates, which is a finding on its own.
    """

    taken_at: datetime | None = None
    local_time: bool = False
    latitude: float | None = None
    longitude: float | None = None
    camera: str | None = None
    gps_in_file: bool = False
    sources: tuple[str, ...] = ()

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True, slots=True)
class Screen:
    """The cheap detector's decision on whether a frame is worth OCR, with the reason shown to the user."""

    send_to_ocr: bool
    kind: str
    reason: str
    coverage: float = 0.0
    light_print: bool = False  # light text on a coloured background (chat bubbles): OCR reads it with a second layout pass
    tilt: float = 0.0  # degrees the print is turned counter-clockwise: OCR reads the picture turned back


@dataclass(frozen=True, slots=True)
class FileResult:
    """One photo or video an item points to, and what it gives away."""

    uri: str
    member: str | None
    kind: str
    metadata: Metadata
    screen: Screen | None = None
    ocr_text: str = ""
    evidence: tuple[Evidence, ...] = ()
    notes: tuple[str, ...] = ()
    thumbnail: str | None = None
    action: str | None = None
    risk: int = 0
    seconds: float = 0.0
    # The evidence about what the picture itself shows (identifiers read in it, text the classifier flags),
    # as opposed to where and when it was taken: it flags the item as the same words in a post would.
    shows: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class MediaFinding:
    """Everything media analysis found for one item, keyed by `Item.key` in `analyse_media`'s result.

    `risk` (0-100, same scale as `Verdict.risk`) is what the media alone is
    worth; the pipeline takes the larger of it and the text's risk.
    """

    item_key: str
    files: tuple[FileResult, ...]
    evidence: tuple[Evidence, ...]
    risk: int
    action: str | None
    summary: str

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(f"{f.uri}: {n}" for f in self.files for n in f.notes)

    @property
    def ocr_text(self) -> str:
        return "\n".join(f.ocr_text for f in self.files if f.ocr_text)

    @property
    def shows(self) -> tuple[Evidence, ...]:
        return tuple(e for f in self.files for e in f.shows)

    @property
    def flags(self) -> tuple[str, ...]:
        """Categories the pictures themselves show, so the item is flagged for them as for its words."""
        return tuple(dict.fromkeys(e.category for e in self.shows))
