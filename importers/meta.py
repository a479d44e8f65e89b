"""What Facebook and Instagram exports share: record lists, media EXIF, places, Messenger threads.

Both come from Meta's "Download Your Information" tool, so they share quirks:
every string is mojibake (`fix_meta` repairs it after parsing), record lists
hide under a key that changed between years, media metadata has two shapes,
and direct messages use one Messenger schema on both platforms.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from audit.archive import Archive
from audit.model import Audience, FileRead, ImportEvent, Item, Kind, Media, Place, Platform, Skip
from importers.base import EARLIEST, BadFile, find, fix_meta, from_unix, load_json

# Keys that mark a dict as one record rather than a wrapper around the record list.
_RECORD_KEYS = frozenset({
    "timestamp", "creation_timestamp", "data", "attachments", "label_values", "string_map_data",
    "string_list_data", "media", "uri", "title", "name", "sender_name",
})
# Messenger folders, in every era; `e2ee_cutover` holds chats from before end-to-end encryption (2024).
MESSAGE_FILES = r"messages/(?:inbox|archived_threads|filtered_threads|message_requests|e2ee_cutover)/[^/]+/message_\d+\.json"
# Files only Instagram writes: with any of these present, an export is not Facebook's.
INSTAGRAM_MARKERS = (
    r"your_instagram_activity/.+\.json",
    r"(?:content|media)/(?:posts_\d+|stories|reels|archived_posts|recently_deleted_content)\.json",
    r"media\.json",
    r"personal_information\.json",
    r"comments/(?:post_comments(?:_\d+)?|reels_comments)\.json",
    r"followers_and_following/(?:followers(?:_\d+)?|following)\.json",
)
# Text Meta writes for a reaction; English only, since the export writes it in the account's language.
_REACTION = re.compile(r"(?:Liked a message|Reacted .{1,12} to (?:your|a) message)\s*")
_VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".webm", ".avi")
_AUDIO_SUFFIXES = (".m4a", ".mp3", ".aac", ".wav", ".ogg", ".opus")


# reading

def has_marker(names: Iterable[str], patterns: Iterable[str]) -> bool:
    """Whether any member ends with one of the path patterns (matched at a folder boundary, like `find`)."""
    rx = re.compile(r"(?:^|/)(?:" + "|".join(patterns) + r")$")
    return any(rx.search(n) for n in names)


def download_brand(archive: Archive, names: Iterable[str]) -> Platform | None:
    """Which Meta app named the download holding these members (`instagram-<user>-<date>-<id>.zip`).

    Only a part holding nothing but Messenger threads needs this: the two apps
    write threads alike, and a part whose members all sit under one folder
    loses that folder (`your_instagram_activity/`) when the archive is opened.
    """
    for name in names:
        base = os.path.basename(archive.origin(name).rstrip("/\\")).lower()
        if base.startswith("instagram"):
            return Platform.INSTAGRAM
        if base.startswith("facebook"):
            return Platform.FACEBOOK
    return None


def load_meta(archive: Archive, name: str) -> Any:
    """Parse a Meta JSON member and repair its text; raises BadFile."""
    return fix_meta(load_json(archive, name))


def unwrap(data: Any, keys: Iterable[str] = ()) -> list[Any] | None:
    """The record list in a parsed file, wherever this year's export put it.

    The list is the file itself (posts), under a known key (`comments_v2`), or
    under a lone wrapper key (2019 group posts nest two levels deep). A single
    record written without its list (Instagram comments, check-ins) becomes a
    one-record list. None when the shape is unknown.
    """
    wanted = tuple(keys)
    for _ in range(4):
        if isinstance(data, list):
            return data
        if not isinstance(data, dict) or not data:
            return None
        hit = next((k for k in wanted if k in data), None)
        if hit is not None:
            data = data[hit]
        elif _RECORD_KEYS & data.keys():
            return [data]
        elif len(data) == 1 and isinstance(next(iter(data.values())), list | dict):
            data = next(iter(data.values()))
        else:
            return None
    return None


def meta_records(archive: Archive, name: str, keys: Iterable[str] = ()) -> Iterator[ImportEvent | tuple[int, Any]]:
    """Yield `FileRead`, then `(index, record)` pairs; a broken file becomes one `Skip`."""
    try:
        data = load_meta(archive, name)
    except BadFile as exc:
        yield Skip(name, f"file not readable: {exc}")
        return
    rows = unwrap(data, keys)
    if rows is None:
        yield Skip(name, "file not readable: no list of records in it")
        return
    yield FileRead(name, len(rows))
    yield from enumerate(rows)


def short_id(prefix: str, *parts: object) -> str:
    """A stable id for records the export gives none: same inputs, same id, on every run."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    digest = hashlib.sha1(joined.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{prefix}-{digest[:16]}"


def text_of(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def dicts(value: Any) -> list[dict[str, Any]]:
    """The dicts of a list, or a lone dict as a list: Meta writes a single item without its list."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


# media and places

def media_of(obj: Any, kind: str | None = None) -> Media | None:
    """A photo or video with the EXIF facts Meta kept (it strips them from the file itself)."""
    if not isinstance(obj, dict) or not isinstance(obj.get("uri"), str) or not obj["uri"]:
        return None
    uri = obj["uri"]
    meta = obj.get("media_metadata") if isinstance(obj.get("media_metadata"), dict) else {}
    rows = _exif_rows(meta)
    taken = next((t for t in (_exif_time(r) for r in rows) if t), None)
    lat, lon = next(((la, lo) for la, lo in (_lat_lon(r) for r in rows) if la is not None), (None, None))
    camera = next((c for c in (_camera(r) for r in rows) if c), None)
    return Media(uri=uri, kind=kind or _guess_kind(uri, meta), taken_at=taken, latitude=lat, longitude=lon, camera=camera)


def _exif_rows(meta: dict[str, Any]) -> list[dict[str, Any]]:
    """EXIF rows from `photo_metadata` / `video_metadata`.

    Since about 2020 the rows sit in `exif_data: [...]`; older Facebook exports
    put the metadata object itself under `photo_metadata`.
    """
    rows: list[dict[str, Any]] = []
    for key in ("photo_metadata", "video_metadata"):
        block = meta.get(key)
        if isinstance(block, dict) and "exif_data" in block:
            rows += dicts(block["exif_data"])
        else:
            rows += dicts(block)
    return rows


def _exif_time(row: dict[str, Any]) -> datetime | None:
    """Facebook writes `taken_timestamp` (unix); Instagram `date_time_original` (`2024:07:07 15:35:29`)."""
    taken = from_unix(row.get("taken_timestamp"))
    if taken:
        return taken
    raw = row.get("date_time_original")
    if isinstance(raw, str):
        for fmt in ("%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
            try:
                moment = datetime.strptime(raw.strip()[:19], fmt).replace(tzinfo=UTC)
            except ValueError:
                continue
            return moment if EARLIEST <= moment <= datetime.now(UTC) else None
    return None


def _lat_lon(row: dict[str, Any]) -> tuple[float | None, float | None]:
    lat, lon = as_float(row.get("latitude")), as_float(row.get("longitude"))
    if lat is None or lon is None or (lat == 0 and lon == 0) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return lat, lon


def _camera(row: dict[str, Any]) -> str | None:
    parts = [text_of(row.get(k)) for k in ("camera_make", "camera_model")]
    if not any(parts):
        parts = [text_of(row.get(k)) for k in ("lens_make", "lens_model")]
    name = " ".join(p for p in parts if p)
    return name or None


def _guess_kind(uri: str, meta: dict[str, Any]) -> str:
    lower = uri.lower().split("?", 1)[0]
    if lower.endswith(_VIDEO_SUFFIXES) or "video_metadata" in meta:
        return "video"
    if lower.endswith(_AUDIO_SUFFIXES):
        return "audio"
    return "photo"


def as_float(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None  # NaN


def place_of(obj: Any) -> Place | None:
    """`{"name", "coordinate": {"latitude", "longitude"}, "address"}` from a post attachment."""
    if not isinstance(obj, dict):
        return None
    name = text_of(obj.get("name"))
    coord = obj.get("coordinate") if isinstance(obj.get("coordinate"), dict) else {}
    lat, lon = _lat_lon(coord)
    address = text_of(obj.get("address")) or None
    if not name and lat is None and not address:
        return None
    return Place(name=name or address or "", latitude=lat, longitude=lon, address=address)


def parse_coordinates(value: Any) -> tuple[float | None, float | None]:
    """`"(38.5758 , -121.4804)"` as written in 2024+ label_values check-ins."""
    if not isinstance(value, str):
        return None, None
    parts = value.strip().strip("()").split(",")
    if len(parts) != 2:
        return None, None
    return _lat_lon({"latitude": parts[0].strip(), "longitude": parts[1].strip()})


# direct messages (Messenger and Instagram share one schema)

@dataclass(frozen=True, slots=True)
class MessageContext:
    """What a message item needs beyond the message: whose account it is and where to act on it."""

    platform: Platform
    owner_names: frozenset[str]
    account: str | None
    inbox_url: Callable[[str], str]


@dataclass(slots=True)
class MessageReader:
    """Reads every Messenger-schema thread of an export into DM / DM_RECEIVED items.

    Files are `<section>/<thread>/message_N.json`, newest messages first. The
    sender is the owner when `sender_name` is one of the owner's names (from the
    profile); when the profile is missing or the name changed, the owner is the
    one participant present in every thread.
    """

    archive: Archive
    context: MessageContext
    _threads: dict[str, list[str]] = field(default_factory=dict, init=False)
    _inferred: str | None = field(default=None, init=False)
    _inferred_done: bool = field(default=False, init=False)

    def events(self) -> Iterator[ImportEvent]:
        for name in find(self.archive, MESSAGE_FILES):
            # A thread's files from two downloads of the account are one thread.
            self._threads.setdefault(self.archive.canonical(name).rsplit("/", 1)[0], []).append(name)
        for folder, files in self._threads.items():
            for name in files:
                yield from self._file(folder, name)

    def _file(self, folder: str, name: str) -> Iterator[ImportEvent]:
        try:
            data = load_meta(self.archive, name)
        except BadFile as exc:
            yield Skip(name, f"file not readable: {exc}")
            return
        messages = data.get("messages") if isinstance(data, dict) else None
        if not isinstance(messages, list):
            yield Skip(name, "file not readable: no `messages` list in it")
            return
        yield FileRead(name, len(messages))
        participants = _participants(data)
        title = text_of(data.get("title"))
        owner = self._owner(participants, title)
        for message in messages:
            yield self._message(message, name, folder, owner, participants, title)

    def _owner(self, participants: list[str], title: str) -> str | None:
        """The owner's name as written in this thread."""
        for person in participants:
            if person in self.context.owner_names:
                return person
        common = self._common_participant()
        if common and common in participants:
            return common
        # A one-to-one thread is titled with the other person's name.
        if len(participants) == 2 and title in participants:
            return participants[0] if participants[1] == title else participants[1]
        return None

    def _common_participant(self) -> str | None:
        """The one name in every thread: the owner, when the profile does not say (a split export)."""
        if not self._inferred_done:
            self._inferred_done = True
            groups: list[set[str]] = []
            for files in self._threads.values():
                try:
                    groups.append(set(_participants(load_meta(self.archive, files[0]))))
                except BadFile:
                    continue
            common = set.intersection(*groups) if len(groups) >= 2 else set()
            self._inferred = common.pop() if len(common) == 1 else None
        return self._inferred

    def _message(
        self, message: Any, source: str, folder: str, owner: str | None, participants: list[str], title: str,
    ) -> Item | Skip:
        if not isinstance(message, dict):
            return Skip(source, "message with an unexpected shape")
        why = _not_a_message(message)
        if why:
            return Skip(source, why, error=False)
        sender = text_of(message.get("sender_name"))
        text = _message_text(message)
        media = _message_media(message)
        if not text and not media:
            return Skip(source, "message without text or attachment (a sticker, reaction or call)", error=False)
        # The profile's names count even when the owner is missing from the participants (a group chat they left).
        sent = bool(sender) and (sender == owner or sender in self.context.owner_names)
        counterpart = _recipient(participants, owner or sender, title) if sent else sender or None
        stamp = message.get("timestamp_ms")
        thread = folder.rsplit("/", 1)[-1]
        return Item(
            platform=self.context.platform,
            item_id=short_id("dm", thread, stamp, sender, text),
            kind=Kind.DM if sent else Kind.DM_RECEIVED,
            text=text,
            created_at=from_unix(stamp, millis=True),
            source=source,
            url=self.context.inbox_url(folder),
            audience=Audience.PRIVATE_MESSAGE,
            account=self.context.account,
            counterpart=counterpart,
            conversation=folder,
            media=media,
        )


def _recipient(participants: list[str], owner: str | None, title: str) -> str | None:
    """Who a sent message went to: the other person, or the group chat's title."""
    others = [p for p in participants if p != owner]
    return others[0] if len(others) == 1 else title or None


def _participants(data: Any) -> list[str]:
    """Participant names; 2018-era files list plain strings instead of `{"name": ...}`."""
    people = data.get("participants") if isinstance(data, dict) else None
    if not isinstance(people, list):
        return []
    names = [text_of(p.get("name") if isinstance(p, dict) else p) for p in people]
    return [n for n in names if n]


def _not_a_message(message: dict[str, Any]) -> str | None:
    """Why a record is not something anyone wrote, or None."""
    if message.get("is_unsent"):
        return "message unsent by its sender"
    kind = message.get("type")
    # `type` exists only in exports before about 2023.
    if kind in ("Subscribe", "Unsubscribe"):
        return "someone joined or left a group chat"
    if kind == "Call" or "call_duration" in message:
        return "call, not a message"
    if _REACTION.fullmatch(text_of(message.get("content"))):
        return "reaction to a message, not a message"
    return None


def _message_text(message: dict[str, Any]) -> str:
    """What the sender wrote, with the link of anything shared. A shared post's caption (`share_text`)
    is its author's words, not the sender's, so it is not read as theirs."""
    text = text_of(message.get("content"))
    share = message.get("share") if isinstance(message.get("share"), dict) else {}
    link = text_of(share.get("link"))
    if link and link not in text:
        return f"{text}\n{link}".strip()
    return text


def _message_media(message: dict[str, Any]) -> tuple[Media, ...]:
    kinds = {"photos": "photo", "videos": "video", "gifs": "gif", "audio_files": "audio", "files": "file"}
    found = [media_of(m, kind) for key, kind in kinds.items() for m in dicts(message.get(key))]
    return tuple(m for m in found if m is not None)
