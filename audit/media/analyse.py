"""Media analysis for a list of items: read each photo once, lazily, and say what it gives away.

Per file: metadata (EXIF + the export's record) → a cheap screen/whiteboard
look → OCR only for what looks like text → a thumbnail for the report. Then,
per item: the OCR text goes through the same classifier as posts, and the
time and place of the photo are weighed against the clinical context of the
post. Nothing here raises for one bad file: it becomes a note.
"""

from __future__ import annotations

import base64
import io
import math
import re
import subprocess
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from functools import partial
from pathlib import PurePosixPath
from typing import NamedTuple, Protocol

from PIL import Image

from audit.archive import Archive, MemberError
from audit.media import metadata as meta
from audit.media import ocr as ocr_mod
from audit.media import screen, tilt, video
from audit.media.findings import ACTIONS, CHECK, CROP, DELETE, STRIP_LOCATION, FileResult, MediaFinding, Metadata, Screen
from audit.model import Evidence, Item, Media, Place, Platform, Verdict

Progress = Callable[[str, int, int | None], None]
PATIENT = "patient_reference"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff")
VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".webm", ".3gp", ".avi", ".mkv")
# What IMAGE_SUFFIXES are, to Pillow (JPEG includes the MPO of phone cameras): whatever a file says it is, nothing
# else is tried. Pillow would otherwise open a PostScript file named .jpg with its EPS plugin, which runs Ghostscript
# on it, or any of 40 other decoders.
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")
UNSUPPORTED = {".heic": "HEIC photos need the pillow-heif plugin", ".heif": "HEIF photos need the pillow-heif plugin"}
IDENTIFIERS = frozenset({"text in the photo: a date of birth", "text in the photo: a record or account number"})
# Words that put a photo in a clinical setting even when the classifier does not flag the post.
_CLINICAL = re.compile(r"\b(?:(?:night |day |12 hour |long )?shift|on call|scrubs|ward|icu|nicu|picu|a&e|hospital|clinic|patients?|"
                       r"nurs(?:e|es|ing)|doctor|resident|code blue|rapid response|triage|theatre|(?:the|our) (?:er|ed|or|unit|floor))\b",
                       re.IGNORECASE)


class TextClassifier(Protocol):
    def classify_texts(self, texts: Sequence[str], kinds: Sequence[str] | None = None) -> list[Verdict]: ...


@dataclass(frozen=True, slots=True)
class Limits:
    """Budgets that keep 3,000 photos on a laptop fast and bounded; every skip says which limit it hit."""

    max_image_bytes: int = 40_000_000
    max_video_bytes: int = 300_000_000
    max_pixels: int = 80_000_000  # below Pillow's own bomb warning (89 MP)
    max_decoded_bytes: int = 256_000_000  # one picture in memory: an 80 MP RGB PNG, not the same with transparency
    seconds_per_file: float = 20.0
    ocr_timeout: float = 15.0
    video_timeout: float = 30.0
    shift_hours: tuple[int, int] = (19, 7)  # a photo taken from 19:00 to 06:59 is a night-shift hour
    work_place_radius_m: float = 250.0
    thumbnail_px: int = 160


@dataclass(slots=True)
class _Scan:
    """What one file gave before the item-level decisions (mutable while it is being read)."""

    media: Media
    member: str | None
    kind: str
    metadata: Metadata
    screen: Screen | None = None
    ocr: ocr_mod.OcrResult | None = None
    notes: list[str] = field(default_factory=list)
    thumbnail: str | None = None
    seconds: float = 0.0
    to_local: Callable[[datetime], datetime] | None = None


def analyse_media(
    archive: Archive,
    items: Iterable[Item],
    *,
    ocr: bool,
    classifier: TextClassifier | None,
    workplace_location: tuple[float, float, float] | None = None,
    work_places: Sequence[Place] = (),
    progress: Progress | None = None,
    limits: Limits = Limits(),
    verdicts: Mapping[str, Verdict] | None = None,
    zone: tzinfo | None = None,
) -> dict[str, MediaFinding]:
    """`{item.key: MediaFinding}` for every item that points to media; files are read once each, lazily.

    `verdicts` are the scan's own verdicts by item key; items without one are classified here. `zone` is
    the scan's (`reports.clock.zone`; None is this computer's), in which Facebook's photo times,
    Unix times, are read as hours of the day, as post times are.
    """
    with_media = [i for i in items if i.media]
    resolver = Resolver(archive.names())
    total = sum(len(i.media) for i in with_media)
    scans: dict[str, list[_Scan]] = {}
    done = 0
    for item in with_media:
        scans[item.key] = []
        # Instagram's photo time is the camera's EXIF clock copied into JSON, already a local hour.
        to_local = partial(datetime.astimezone, tz=zone) if item.platform == Platform.FACEBOOK else None
        for media, found in zip(item.media, resolver.resolve(item.media), strict=True):
            scans[item.key].append(scan_file(archive, found, media, ocr=ocr, limits=limits, to_local=to_local))
            done += 1
            if progress:
                progress("media", done, total)
    ocr_verdicts = _classify_ocr(classifier, [s for ss in scans.values() for s in ss])
    item_verdicts = _classify_items(classifier, with_media, verdicts or {})
    places = _places(workplace_location, work_places, limits)
    out: dict[str, MediaFinding] = {}
    for item in with_media:
        clinical = _clinical(item, item_verdicts.get(item.key), scans[item.key], ocr_verdicts)
        files = tuple(judge(s, ocr_verdicts.get(id(s)), places, clinical, limits) for s in scans[item.key])
        out[item.key] = _combine(item.key, files)
    return out


_X_FILE = re.compile(r"(\d+)-(.+)")  # X stores media as <tweet or message id>-<name>
_X_TWEET_URI = re.compile(r"(?:^|/)tweets_media/(\d+)-[^/]+$")  # what the X importer makes of a tweet's media
_X_DM_URI = re.compile(r"(?:^|/)dm/(\d+)/(?:[^/]+/)*([^/]+)$")  # ton.twitter.com/dm/<message id>/<media id>/<name>
MISSING = "file not in the export (the export may leave media out, or it is in another part)"


class Resolved(NamedTuple):
    member: str | None
    note: str | None = None  # why there is no member


class Resolver:
    """Finds the archive member a media uri names, across export layouts; never a file that may be another's.

    Exact path first; then X's `<message id>-<name>` for a message's media; then
    the same file name in one place only (a Meta export split in parts, or a
    wrapping folder); then, for a tweet, its remaining `<tweet id>-*` files: a
    video's uri (from an export without the video's own name) names its poster
    image but the file is the `.mp4`, and a post's videos take its video files,
    each file one video, in no known order. Where a file could be another post's,
    none is taken: a photo read for the wrong post is worse than one not read,
    and the note says why.
    """

    def __init__(self, names: Iterable[str]) -> None:
        self.names = set(names)
        self.by_base: dict[str, list[str]] = {}
        self.by_x_name: dict[str, list[str]] = {}
        self.by_prefix: dict[str, list[str]] = {}
        for name in self.names:
            base = PurePosixPath(name).name
            self.by_base.setdefault(base.lower(), []).append(name)
            m = _X_FILE.fullmatch(base)
            if m:
                self.by_prefix.setdefault(m.group(1), []).append(name)
                self.by_x_name.setdefault(m.group(2).lower(), []).append(name)

    def find(self, uri: str, kind: str = "photo") -> str | None:
        return self.resolve([Media(uri=uri, kind=kind)])[0].member

    def resolve(self, media: Sequence[Media]) -> list[Resolved]:
        """One item's media, in order; a file goes to one of them at most."""
        found = [self._direct(m.uri) for m in media]
        claimed = {r.member for r in found if r.member}
        pending: dict[str, list[int]] = {}
        for i, m in enumerate(media):
            x = _X_TWEET_URI.search(_path(m.uri)) if found[i].member is None and found[i].note is None else None
            if x:
                pending.setdefault(x.group(1), []).append(i)
        for tweet, indexes in pending.items():
            left = sorted(n for n in self.by_prefix.get(tweet, []) if n not in claimed)
            videos = [i for i in indexes if media[i].kind in ("video", "animated_gif")]
            photos = [i for i in indexes if i not in videos]
            video_files = [n for n in left if n.lower().endswith(VIDEO_SUFFIXES)]
            if videos and len(video_files) > len(videos):
                note = (f"file not matched: this post has {len(videos)} videos and the export {len(video_files)} video files "
                        "for it, and nothing says which is which")
                for i in videos:
                    found[i] = Resolved(None, note)
            elif videos:
                # Every `<tweet id>-*` video is this post's: which of its videos each file is changes nothing the post shows.
                for i, name in zip(videos, video_files, strict=False):
                    found[i] = Resolved(name)
            if videos:
                left = [n for n in left if n not in video_files]
            if len(photos) == 1 and len(left) == 1 and not any(found[i].member is None and found[i].note is None for i in videos):
                found[photos[0]] = Resolved(left[0])
        return [r if r.member or r.note else Resolved(None, MISSING) for r in found]

    def _direct(self, uri: str) -> Resolved:
        """The member this uri names by itself, or a note when several files could be it."""
        path = _path(uri)
        if path in self.names:
            return Resolved(path)
        base = PurePosixPath(path).name
        dm = _X_DM_URI.search(path)
        if dm:
            same = self.by_base.get(f"{dm.group(1)}-{dm.group(2)}".lower(), [])
            if len(same) == 1:
                return Resolved(same[0])
        candidates = self.by_base.get(base.lower(), [])
        if len(candidates) == 1:
            return Resolved(candidates[0])
        if candidates:  # the same name in several places: only the one at the end of the same path
            same_path = [n for n in candidates if n.endswith("/" + path)]
            if len(same_path) == 1:
                return Resolved(same_path[0])
            return Resolved(None, f"file not matched: {len(candidates)} files in the export have its name, and nothing says which")
        named = self.by_x_name.get(base.lower(), [])
        if len(named) == 1:  # an X message's media whose uri has no message id
            return Resolved(named[0])
        if len(named) > 1 and not _X_TWEET_URI.search(path):
            return Resolved(None, f"file not matched: {len(named)} files in the export have its name, and nothing says which")
        return Resolved(None)


def _path(uri: str) -> str:
    """A uri as a path inside the export: scheme and host gone, no leading ./ or query."""
    return re.sub(r"^[a-z]+://[^/]+/", "", uri.strip()).lstrip("./").split("?", 1)[0]


def scan_file(archive: Archive, found: Resolved, media: Media, *, ocr: bool, limits: Limits,
              to_local: Callable[[datetime], datetime] | None = None) -> _Scan:
    """Read one file within its budget; every failure becomes a note on the scan.

    `to_local` turns the export's photo time into the user's wall clock when the export records an instant.
    """
    started = time.perf_counter()
    member = found.member
    suffix = PurePosixPath(member or media.uri).suffix.lower()
    kind = "video" if suffix in VIDEO_SUFFIXES or media.kind in ("video", "animated_gif") else "photo"
    scan = _Scan(media, member, kind, meta.merge(Metadata(), media, to_local), to_local=to_local)
    if member is None:
        scan.notes.append(found.note or MISSING)
    elif suffix in UNSUPPORTED:
        scan.notes.append(f"not analysed: {UNSUPPORTED[suffix]}")
    elif kind == "video":
        _video(archive, member, suffix, scan, ocr=ocr, limits=limits, started=started)
    elif suffix in IMAGE_SUFFIXES or suffix == "":
        _image(archive, member, scan, ocr=ocr, limits=limits, started=started)
    else:
        scan.notes.append(f"not analysed: {suffix} files are neither a photo nor a video backscroll reads")
    scan.seconds = round(time.perf_counter() - started, 3)
    return scan


def _image(archive: Archive, member: str, scan: _Scan, *, ocr: bool, limits: Limits, started: float) -> None:
    size = archive.entry(member).size
    if size > limits.max_image_bytes:
        scan.notes.append(f"skipped: the photo is {size / 1e6:,.0f} MB, over the {limits.max_image_bytes / 1e6:,.0f} MB limit")
        return
    try:
        data = archive.read(member, limit=limits.max_image_bytes)
        full = _open(data, limits)
        try:
            scan.metadata = meta.merge(meta.from_file(full.getexif()), scan.media, scan.to_local)
            small = upright_small(full, max_bytes=limits.max_decoded_bytes)
        finally:
            full.close()  # frees the full-size decode now, not when this function returns after OCR decoded again
    except TooLarge as exc:
        scan.notes.append(f"skipped: {exc}")
        return
    except Image.UnidentifiedImageError:
        scan.notes.append("could not be read as an image (damaged, or a format Pillow does not know)")
        return
    except Exception as exc:  # untrusted bytes through a C decoder: any failure is this file's, not the scan's
        scan.notes.append(f"could not be read as an image ({_short(exc)})")
        return
    _look(small, scan, ocr=ocr, limits=limits, started=started, reopen=lambda: _for_ocr(data, limits))


class TooLarge(ValueError):
    """A picture over a size budget: skipped with a note saying which, never decoded."""


def upright_small(img: Image.Image, side: int = screen.SIZE, mode: str = "RGB", max_bytes: int | None = None) -> Image.Image:
    """A copy at least `side` pixels on its long side (if the picture is), in `mode`, turned the way the camera was held.

    Memory stays near one decode of the picture: JPEG decodes at 1/2-1/8 scale (most of the speed too), a
    wide panorama included; other formats decode whole, then shrink strip by strip, never copied whole in
    another mode (a 9500x8400 RGBA PNG took 1.1 GB as three full-size copies). `max_bytes` refuses a larger decode.
    """
    orientation = img.getexif().get(ORIENTATION)
    width, height = img.size
    scale = side / max(width, height, 1)
    if scale < 1:
        img.draft(mode, (max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale))))
    if max_bytes is not None:
        _within(img, max_bytes, (width, height))
    small = _shrink(img, max(1, max(img.size) // side), mode)
    turn = _TRANSPOSE.get(orientation) if isinstance(orientation, int) else None
    return small.transpose(turn) if turn is not None else small


ORIENTATION = 0x0112
_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
              5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}  # as ImageOps.exif_transpose turns them
_STRIP_BYTES = 16_000_000


def _within(img: Image.Image, max_bytes: int, size: tuple[int, int]) -> None:
    """Raise TooLarge, naming the picture's `size`, when decoding `img` as it stands (after any draft) takes over `max_bytes`."""
    need = decoded_bytes(img)
    if need > max_bytes:
        raise TooLarge(f"{size[0]}x{size[1]} pixels ({img.mode}) take {need / 1e6:,.0f} MB to decode, "
                       f"over the {max_bytes / 1e6:,.0f} MB limit")


def decoded_bytes(img: Image.Image) -> int:
    """What the decoded picture will take in memory: Pillow keeps 1, 2 or 4 bytes a band."""
    per_band = 4 if img.mode in ("I", "F") else 2 if "16" in img.mode else 1
    return img.width * img.height * len(img.getbands()) * per_band


def _shrink(img: Image.Image, factor: int, mode: str) -> Image.Image:
    """`img` in `mode`, `factor` times smaller (box average), converted a strip at a time."""
    if factor <= 1:
        return img.convert(mode)
    width, height = img.size
    out = Image.new(mode, (math.ceil(width / factor), math.ceil(height / factor)))
    rows = factor * max(1, _STRIP_BYTES // max(1, decoded_bytes(img) // height * factor))
    for top in range(0, height, rows):
        out.paste(img.crop((0, top, width, min(height, top + rows))).convert(mode).reduce(factor), (0, top // factor))
    return out


def _for_ocr(data: bytes, limits: Limits) -> Image.Image:
    """The picture again, upright and grey, no larger than OCR reads (JPEG decoded small): not the full-size decode."""
    img = _open(data, limits)
    try:
        return upright_small(img, ocr_mod.OCR_MAX_SIDE, "L", limits.max_decoded_bytes)
    finally:
        img.close()


def _video(archive: Archive, member: str, suffix: str, scan: _Scan, *, ocr: bool, limits: Limits, started: float) -> None:
    exe = video.decoder()
    if exe is None:
        scan.notes.append("video not analysed: no decoder available (install ffmpeg to check a few frames); caption and metadata checked")
        return
    size = archive.entry(member).size
    if size > limits.max_video_bytes:
        scan.notes.append(f"skipped: the video is {size / 1e6:,.0f} MB, over the {limits.max_video_bytes / 1e6:,.0f} MB limit")
        return
    try:
        frames = video.frames(lambda fh: archive.copy_to(member, fh, limits.max_video_bytes), suffix,
                              timeout=limits.video_timeout, exe=exe)
    except (MemberError, OSError, subprocess.TimeoutExpired) as exc:
        scan.notes.append(f"video not analysed ({_short(exc)})")
        return
    if not frames:
        scan.notes.append("video not analysed: the decoder could not read it")
        return
    for frame in frames:
        _look(frame, scan, ocr=ocr, limits=limits, started=started, reopen=lambda f=frame: f)
        if scan.ocr and scan.ocr.text:
            break


def _look(small: Image.Image, scan: _Scan, *, ocr: bool, limits: Limits, started: float,
          reopen: Callable[[], Image.Image]) -> None:
    """Screen check, thumbnail, then OCR at full resolution if the check says there is text to read."""
    scan.thumbnail = scan.thumbnail or thumbnail(small, limits.thumbnail_px)
    found = screen.detect(small)
    if scan.screen is None or (found.send_to_ocr and not scan.screen.send_to_ocr):
        scan.screen = found
    if not found.send_to_ocr or not ocr:
        return
    left = limits.seconds_per_file - (time.perf_counter() - started)
    if left < 1.0:
        scan.notes.append("text not read: the file used up its time budget")
        return
    try:
        scan.ocr = ocr_mod.read_text(tilt.level(reopen(), found.tilt), timeout=min(limits.ocr_timeout, left),
                                     dark=found.kind == "monitor", light_print=found.light_print)
    except ocr_mod.OcrUnavailable as exc:
        scan.notes.append(f"text not read: {exc}")
    except subprocess.TimeoutExpired:
        scan.notes.append(f"text not read: OCR took longer than {min(limits.ocr_timeout, left):.0f} s")
    except Exception as exc:  # Tesseract or the decoder failing on this one file
        scan.notes.append(f"text not read ({_short(exc)})")


def _open(data: bytes, limits: Limits) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        img = Image.open(io.BytesIO(data), formats=PHOTO_FORMATS)
    width, height = img.size
    if width * height > limits.max_pixels:
        raise TooLarge(f"{width}x{height} pixels, over the {limits.max_pixels / 1e6:.0f} MP limit")
    if img.format not in ("JPEG", "MPO"):  # only JPEG decodes small
        _within(img, limits.max_decoded_bytes, (width, height))
    return img


def thumbnail(img: Image.Image, px: int) -> str:
    """A small JPEG as a data: URI; the report blurs it until clicked. Pixels only: no EXIF is copied."""
    small = img.convert("RGB")
    small.thumbnail((px, px), Image.Resampling.BILINEAR)
    buf = io.BytesIO()
    small.save(buf, "JPEG", quality=70)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


# Text read off a photo is no kind of item: scored as a "post", it carried the lean toward venting
# that posts have over replies and messages, and a chart's labels ("Name:", "DOB:") were called venting.
PHOTO_TEXT = "text in a photo"


def _classify_ocr(classifier: TextClassifier | None, scans: list[_Scan]) -> dict[int, Verdict]:
    read = [s for s in scans if s.ocr and s.ocr.text.strip()]
    if classifier is None or not read:
        return {}
    verdicts = classifier.classify_texts([s.ocr.text for s in read if s.ocr], [PHOTO_TEXT] * len(read))
    return {id(s): _off_duty(v) if s.ocr and ocr_mod.off_duty(s.ocr.text) else v for s, v in zip(read, verdicts, strict=True)}


def _off_duty(v: Verdict) -> Verdict:
    """A hotel card's name and room number, read by the classifier, are a guest's, not a patient's."""
    return replace(v, flags=tuple(c for c in v.flags if c != PATIENT), evidence=tuple(e for e in v.evidence if e.category != PATIENT))


def _classify_items(classifier: TextClassifier | None, items: list[Item], known: Mapping[str, Verdict]) -> dict[str, Verdict]:
    """The scan's verdicts, which saw posting times and the user's context; the text alone for items it did not score."""
    out = {i.key: known[i.key] for i in items if i.key in known}
    rest = [i for i in items if i.key not in known]
    if classifier is not None and rest:
        verdicts = classifier.classify_texts([i.text for i in rest], [str(i.kind) for i in rest])
        out.update((i.key, v) for i, v in zip(rest, verdicts, strict=True))
    return out


def _clinical(item: Item, verdict: Verdict | None, scans: list[_Scan], ocr_verdicts: dict[int, Verdict]) -> str | None:
    """Why this item is about clinical work, if it is: the post's own verdict, its words, or what the photo shows."""
    if verdict is not None and verdict.flags:
        return "the post is flagged as " + verdict.flags[0].replace("_", " ")
    m = _CLINICAL.search(item.text)
    if m:
        return f"the post mentions “{m.group(0)}”"
    for s in scans:
        if s.screen and s.screen.kind == "monitor":
            return "the photo shows a patient monitor"
        if s.ocr and (ocr_mod.photo_evidence(s.ocr.text) or (ocr_verdicts.get(id(s)) and ocr_verdicts[id(s)].flags)):
            return "the text in the photo is clinical"
    return None


def _places(workplace: tuple[float, float, float] | None, work_places: Sequence[Place], limits: Limits
            ) -> list[tuple[str, float, float, float]]:
    out = []
    if workplace is not None:
        lat, lon, *rest = workplace
        out.append(("your workplace", lat, lon, float(rest[0]) if rest else limits.work_place_radius_m))
    for p in work_places:
        if p.latitude is not None and p.longitude is not None:
            out.append((f"{p.name} (a place you marked as work)", p.latitude, p.longitude, limits.work_place_radius_m))
    return out


def judge(scan: _Scan, ocr_verdict: Verdict | None, places: list[tuple[str, float, float, float]], clinical: str | None,
          limits: Limits) -> FileResult:
    """The file's evidence, risk (0-100) and action, each with the reason shown to the user."""
    md = scan.metadata
    found: list[tuple[Evidence, int, str | None]] = []  # evidence, risk it alone is worth, action it calls for
    if md.gps_in_file:
        found.append((_meta_ev(f"this photo still carries the location it was taken at ({md.latitude:.5f}, {md.longitude:.5f})", 0.2),
                      20, STRIP_LOCATION))
    if md.has_location:
        for name, lat, lon, radius in places:
            dist = meta.distance_m(md.latitude, md.longitude, lat, lon)  # type: ignore[arg-type]
            if dist <= radius:
                where = "the file's GPS" if md.gps_in_file else "the export's record of it"
                reason = f"taken {dist:,.0f} m from {name} (by {where})" + (f"; {clinical}" if clinical else "")
                found.append((_meta_ev(reason, 0.6 if clinical else 0.35), 65 if clinical else 40, CHECK))
                break
    if md.taken_at is not None and clinical and _night(md.taken_at.hour, limits.shift_hours):
        clock = md.taken_at.strftime("%H:%M") + ("" if md.local_time else " (time as the export records it, which may be UTC)")
        found.append((_meta_ev(f"taken at {clock}, a night-shift hour; {clinical}", 0.4), 45, CHECK))
    region = max(scan.screen.coverage if scan.screen else 0.0, scan.ocr.region if scan.ocr else 0.0)
    text_action = DELETE if region >= 0.5 else CROP
    if scan.screen and scan.screen.kind == "monitor":
        found.append((_meta_ev(f"the photo shows a patient monitor: {scan.screen.reason}", 0.4), 50, text_action))
    text_ev, shows = _text_evidence(scan, ocr_verdict)
    if text_ev:
        kinds = {e.reason.split("(")[0] for e in text_ev}
        risk = max(70 if len(kinds) >= 2 else 55, ocr_verdict.risk if ocr_verdict and ocr_verdict.flags else 0)
        found += [(e, risk, text_action) for e in text_ev]
    evidence = tuple(e for e, _, _ in found)
    risks = sorted({r for _, r, _ in found}, reverse=True)
    risk = min(100, risks[0] + 5 * (len(risks) - 1)) if risks else 0
    actions = [a for _, _, a in found if a]
    action = min(actions, key=ACTIONS.index) if actions else None
    notes = tuple(scan.notes)
    if scan.screen and scan.screen.send_to_ocr and not scan.ocr and not any("text not read" in n for n in notes) and not text_ev:
        notes += ("looks like a screen or text, but OCR was off",)
    return FileResult(uri=scan.media.uri, member=scan.member, kind=scan.kind, metadata=md, screen=scan.screen,
                      ocr_text=scan.ocr.text if scan.ocr else "", evidence=evidence, notes=notes,
                      thumbnail=scan.thumbnail if evidence or (scan.screen and scan.screen.send_to_ocr) else None,
                      action=action, risk=risk, seconds=scan.seconds, shows=shows)


def _text_evidence(scan: _Scan, verdict: Verdict | None) -> tuple[list[Evidence], tuple[Evidence, ...]]:
    """Photo-specific clues plus the classifier's own evidence on the OCR text, spans into `ocr_text`;
    then the part that flags the item: the identifiers, and the evidence for categories the classifier flags."""
    if not scan.ocr or not scan.ocr.text:
        return [], ()
    found = ocr_mod.photo_evidence(scan.ocr.text)
    taken = [(e.start, e.end) for e in found]
    # A patient is identified by clues together (a name and a bed, a date of birth): a name beside "RN" on a staff
    # badge, or vitals without a name, are evidence to look at, not a patient reference.
    kinds = {e.reason.split(" (")[0] for e in found}
    shows = list(found) if len(kinds) >= 2 or kinds & IDENTIFIERS else []
    for ev in verdict.evidence if verdict else ():
        # "rn" is a nurse on a whiteboard, not "right now": timing cues describe posts, not photos.
        if len(ev.text) <= 2 or ev.reason.startswith("posted while") or any(s < ev.end and ev.start < e for s, e in taken):
            continue
        # The words read come last: the summary keeps what precedes " (", and a name must not reach it.
        found.append(replace(ev, reason=f"text in the photo: {ev.reason} ({ev.text})"))
        if verdict is not None and ev.category in verdict.flags:
            shows.append(found[-1])
    return sorted(found, key=lambda e: e.start), tuple(sorted(shows, key=lambda e: e.start))


def _meta_ev(reason: str, weight: float) -> Evidence:
    """Evidence about the photo itself rather than a span of text: empty span, the reason says it all."""
    return Evidence(PATIENT, 0, 0, "", reason, weight)


def _night(hour: int, shift: tuple[int, int]) -> bool:
    start, end = shift
    return hour >= start or hour < end if start > end else start <= hour < end


def _combine(key: str, files: tuple[FileResult, ...]) -> MediaFinding:
    evidence = tuple(e for f in files for e in f.evidence)
    risk = max((f.risk for f in files), default=0)
    actions = [f.action for f in files if f.action]
    action = min(actions, key=ACTIONS.index) if actions else None
    return MediaFinding(key, files, evidence, risk, action, _summary(files))


def _summary(files: tuple[FileResult, ...]) -> str:
    """One line for the report: the strongest few reasons, without the details."""
    parts: list[str] = []
    for f in files:
        for ev in sorted(f.evidence, key=lambda e: -e.weight):
            short = ev.reason.split(" (")[0].split(";")[0]
            if short not in parts:
                parts.append(short)
    n_files = len(files)
    if not parts:
        checked = sum(1 for f in files if f.member and not any(n.startswith(("skipped", "could not", "video not")) for n in f.notes))
        unread = f"; {n_files - checked} not checked (see notes)" if checked < n_files else ""
        return f"nothing found in {checked} of {n_files} file{'s' if n_files != 1 else ''}{unread}"
    return "; ".join(parts[:3])


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:160]


