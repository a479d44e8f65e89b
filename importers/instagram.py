"""Instagram exports in JSON (Accounts Center → Download your information), every layout since 2018.

Layouts, newest first; files are matched by path suffix:
- 2025: `your_instagram_activity/media/posts_N.json`, with `stories.json`, `reels.json`,
  `archived_posts.json`, `igtv_videos.json` and `recently_deleted_content.json` beside it;
  Threads posts in `your_instagram_activity/threads/threads_and_replies.json`.
- 2024: the same files in `your_instagram_activity/content/`.
- 2021–23: `content/posts_N.json`, `comments/post_comments.json`, `messages/inbox/`,
  `followers_and_following/` at the root.
- 2018–2020: `media.json` (`photos`, `videos`, `stories`), `comments.json` (`media_comments`),
  `messages.json`, `connections.json` and `profile.json` at the root.
Direct messages since 2021 use the Messenger schema read by `importers.meta.MessageReader`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import tzinfo
from typing import Any, ClassVar

from audit.archive import Archive
from audit.model import AccountInfo, Audience, Connection, FileRead, ImportEvent, Item, Kind, Media, Place, Platform, Skip
from importers.base import BadFile, Detection, find, from_iso, from_unix
from importers.facebook import FACEBOOK_MARKERS
from importers.meta import (
    INSTAGRAM_MARKERS,
    MESSAGE_FILES,
    MessageContext,
    MessageReader,
    dicts,
    download_brand,
    has_marker,
    load_meta,
    media_of,
    meta_records,
    short_id,
    text_of,
)

POST_FILES = r"(?:content|media)/posts_\d+\.json"
# (pattern, kind, list keys, id prefix): the other files of the posts folder.
MEDIA_FILES: tuple[tuple[str, Kind, tuple[str, ...], str], ...] = (
    (r"(?:content|media)/stories\.json", Kind.STORY, ("ig_stories",), "story"),
    (r"(?:content|media)/reels\.json", Kind.REEL, ("ig_reels_media",), "reel"),
    (r"(?:content|media)/archived_posts\.json", Kind.CAPTION, ("ig_archived_post_media",), "post"),
    (r"(?:content|media)/igtv_videos\.json", Kind.CAPTION, ("ig_igtv_media",), "post"),
    (r"(?:content|media)/other_content\.json", Kind.CAPTION, ("ig_other_media",), "post"),
)
# Threads posts and replies, exported with Instagram since 2023; same record shape as posts.
THREADS_FILES = r"threads/threads_and_replies\.json"
DELETED_FILES = r"(?:content|media)/recently_deleted_content\.json"
COMMENT_FILES = r"comments/(?:post_comments(?:_\d+)?|reels_comments)\.json"
PROFILE_FILES = r"personal_information\.json"
# (pattern, relation, list keys)
CONNECTION_FILES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (r"followers_and_following/followers(?:_\d+)?\.json", "follower", ("relationships_followers",)),
    (r"followers_and_following/following\.json", "following", ("relationships_following",)),
)
LEGACY_MEDIA = r"media\.json"
_LEGACY_SKIPS = {
    "profile": "profile photo, not a post",
    "direct": "photo sent in a direct message (the messages are read from messages.json)",
}
COMMENTS_URL = "https://www.instagram.com/your_activity/interactions/comments/"
STORIES_URL = "https://www.instagram.com/archive/stories/"


@dataclass(frozen=True, slots=True)
class _Owner:
    """Who the export belongs to and who sees their posts (followers only when the account is private)."""

    username: str | None
    audience: Audience

    def url(self, suffix: str = "") -> str:
        return f"https://www.instagram.com/{self.username}/{suffix}" if self.username else "https://www.instagram.com/"


class InstagramImporter:
    platform: ClassVar[Platform] = Platform.INSTAGRAM

    def detect(self, archive: Archive) -> Detection | None:
        names = archive.names()
        if has_marker(names, FACEBOOK_MARKERS):
            return None
        if not has_marker(names, INSTAGRAM_MARKERS) and not _only_instagram_threads(archive):
            return None
        patterns = (POST_FILES, *(m[0] for m in MEDIA_FILES), THREADS_FILES, DELETED_FILES, COMMENT_FILES, MESSAGE_FILES, LEGACY_MEDIA)
        return Detection(_layout(names), tuple(n for p in patterns for n in find(archive, p)))

    def iter_events(self, archive: Archive, found: Detection, tz: tzinfo | None = None) -> Iterator[ImportEvent]:
        account, names, private, problems = _account(archive)
        yield account
        yield from problems
        owner = _Owner(account.username, Audience.FOLLOWERS if private else Audience.PUBLIC)
        for name in find(archive, POST_FILES):
            yield from self._media_file(archive, name, Kind.CAPTION, (), "post", owner)
        for pattern, kind, keys, prefix in MEDIA_FILES:
            for name in find(archive, pattern):
                yield from self._media_file(archive, name, kind, keys, prefix, owner)
        for name in find(archive, THREADS_FILES):
            for event in meta_records(archive, name, ("text_post_app_text_posts",)):
                yield _threads_item(event[1], name, owner) if isinstance(event, tuple) else event
        for name in find(archive, DELETED_FILES):
            yield from _deleted(archive, name)
        for name in find(archive, COMMENT_FILES):
            yield from self._comments(archive, name, owner)
        context = MessageContext(Platform.INSTAGRAM, names, owner.username, _inbox_url)
        yield from MessageReader(archive, context).events()
        for name in find(archive, LEGACY_MEDIA):
            if archive.canonical(name) != name:
                continue  # another download's media.json: read with the other files of its folder below
            yield from _Legacy(archive, name.rsplit("/", 1)[0] + "/" if "/" in name else "", owner, names).events()
        yield from _connections(archive)

    def _media_file(
        self, archive: Archive, name: str, kind: Kind, keys: tuple[str, ...], prefix: str, owner: _Owner,
    ) -> Iterator[ImportEvent]:
        for event in meta_records(archive, name, keys):
            yield _post_item(event[1], name, kind, prefix, owner) if isinstance(event, tuple) else event

    def _comments(self, archive: Archive, name: str, owner: _Owner) -> Iterator[ImportEvent]:
        for event in meta_records(archive, name, ("comments_reels_comments", "comments_media_comments")):
            yield _comment_item(event[1], name, owner) if isinstance(event, tuple) else event


def _only_instagram_threads(archive: Archive) -> bool:
    """A part of a split export holding only direct messages, in a download Instagram named."""
    threads = find(archive, MESSAGE_FILES)
    return bool(threads) and download_brand(archive, threads[:1]) == Platform.INSTAGRAM


def _layout(names: list[str]) -> str:
    if not has_marker(names, INSTAGRAM_MARKERS):
        return "instagram/messages only (messages/<section>/<thread>/message_N.json)"
    if any("your_instagram_activity/media/" in n and n.endswith(".json") for n in names):
        return "instagram/2025 (your_instagram_activity/media/)"
    if any("your_instagram_activity/content/" in n for n in names):
        return "instagram/2024 (your_instagram_activity/content/)"
    if any("your_instagram_activity/" in n for n in names):  # no posts folder at all: nothing says which year
        return "instagram/2024–25 (your_instagram_activity/, no posts)"
    if has_marker(names, (LEGACY_MEDIA,)) and not has_marker(names, (POST_FILES,)):
        return "instagram/2018–2020 (media.json)"
    return "instagram/2021–23 (content/posts_N.json at the root)"


def _inbox_url(folder: str) -> str:
    if "/message_requests/" in f"/{folder}/":
        return "https://www.instagram.com/direct/requests/"
    return "https://www.instagram.com/direct/inbox/"


# account and connections

def owner(archive: Archive) -> AccountInfo:
    """The profile's facts alone: enough to tell two people's exports apart before anything is imported."""
    return _account(archive)[0]


def _account(archive: Archive) -> tuple[AccountInfo, frozenset[str], bool, list[Skip]]:
    """Owner facts: `profile_user[0].string_map_data` since 2021, `profile.json` in 2018–2020."""
    problems: list[Skip] = []
    candidates = find(archive, PROFILE_FILES) + [n for n in find(archive, r"profile\.json") if _beside_legacy(archive, n)]
    for name in candidates:
        try:
            data = load_meta(archive, name)
        except BadFile as exc:
            problems.append(Skip(name, f"file not readable: {exc}"))
            continue
        fields = _profile_fields(data)
        if fields:
            username, display, bio, private = fields
            account = AccountInfo(Platform.INSTAGRAM, username=username, display_name=display, bio=bio, protected=private)
            return account, frozenset(n for n in (username, display) if n), private, problems
    return AccountInfo(Platform.INSTAGRAM), frozenset(), False, problems


def _beside_legacy(archive: Archive, name: str) -> bool:
    folder = name.rsplit("/", 1)[0] + "/" if "/" in name else ""
    return folder + "media.json" in archive


def _profile_fields(data: Any) -> tuple[str | None, str | None, str | None, bool] | None:
    if not isinstance(data, dict):
        return None
    users = dicts(data.get("profile_user"))
    if users:
        fields = users[0].get("string_map_data")
        values = {k: text_of(v.get("value")) for k, v in fields.items() if isinstance(v, dict)} if isinstance(fields, dict) else {}
        private = values.get("Private Account", "").lower() == "true"
        return values.get("Username") or None, values.get("Name") or None, values.get("Bio") or None, private
    if "username" in data:  # 2018–2020 profile.json
        return (text_of(data.get("username")) or None, text_of(data.get("name")) or None,
                text_of(data.get("biography")) or None, data.get("private_account") is True)
    return None


def _connections(archive: Archive) -> Iterator[ImportEvent]:
    """Followers and accounts followed; `value` holds the name, or `title` in some 2025 files."""
    for pattern, relation, keys in CONNECTION_FILES:
        for name in find(archive, pattern):
            for event in meta_records(archive, name, keys):
                if isinstance(event, Skip):
                    yield event
                elif isinstance(event, tuple) and isinstance(event[1], dict):
                    entry = (dicts(event[1].get("string_list_data")) or [{}])[0]
                    person = text_of(entry.get("value")) or text_of(event[1].get("title"))
                    if person:
                        yield Connection(Platform.INSTAGRAM, person, relation, from_unix(entry.get("timestamp")))


# records to items

def _post_item(record: Any, source: str, kind: Kind, prefix: str, owner: _Owner) -> Item | Skip:
    """A post, story or reel: `media` is a list (or a lone object); a story record is the media itself."""
    if not isinstance(record, dict):
        return Skip(source, "record with an unexpected shape")
    parts = dicts(record["media"]) if "media" in record else [record]
    media = tuple(m for m in (media_of(p) for p in parts) if m is not None)
    # A carousel's caption is the top-level `title`; a single photo's is `media[0].title`.
    captions = [text_of(record.get("title"))] + [text_of(p.get("title")) for p in parts if p is not record]
    text = "\n\n".join(dict.fromkeys(c for c in captions if c))
    if not text and not media:
        return Skip(source, "record without a caption or a photo", error=False)
    stamp = record.get("creation_timestamp") or next((p["creation_timestamp"] for p in parts if p.get("creation_timestamp")), None)
    url = STORIES_URL if kind == Kind.STORY else owner.url("reels/" if kind == Kind.REEL else "")
    archived = "archived_posts" in source
    return Item(
        platform=Platform.INSTAGRAM,
        item_id=short_id(prefix, from_unix(stamp), text, "" if text else media[0].uri),
        kind=kind,
        text=text,
        created_at=from_unix(stamp),
        source=source,
        url=url,
        # Archived posts are hidden from everyone but the owner.
        audience=Audience.ONLY_ME if archived else owner.audience,
        account=owner.username,
        media=media,
    )


def _threads_item(record: Any, source: str, owner: _Owner) -> Item | Skip:
    """A Threads post, or a reply when `text_app_post.is_reply` says so; it lives on threads.net."""
    item = _post_item(record, source, Kind.POST, "threads", owner)
    if isinstance(item, Skip):
        return item
    parts = dicts(record.get("media")) if isinstance(record, dict) else []
    reply = any(isinstance(p.get("text_app_post"), dict) and p["text_app_post"].get("is_reply") for p in parts)
    url = f"https://www.threads.net/@{owner.username}" if owner.username else "https://www.threads.net/"
    return replace(item, kind=Kind.REPLY if reply else Kind.POST, url=url)


def _comment_item(record: Any, source: str, owner: _Owner) -> Item | Skip:
    """`string_map_data` {Comment, Media Owner, Time} since 2022; `string_list_data` + `title` in 2021."""
    if not isinstance(record, dict):
        return Skip(source, "comment record with an unexpected shape")
    fields = record.get("string_map_data")
    if isinstance(fields, dict):
        comment = fields.get("Comment") if isinstance(fields.get("Comment"), dict) else {}
        media_owner = fields.get("Media Owner") if isinstance(fields.get("Media Owner"), dict) else {}
        time = fields.get("Time") if isinstance(fields.get("Time"), dict) else {}
        text, post_owner = text_of(comment.get("value")), text_of(media_owner.get("value"))
        stamp = time.get("timestamp") or comment.get("timestamp")
    else:
        entry = (dicts(record.get("string_list_data")) or [{}])[0]
        text, post_owner, stamp = text_of(entry.get("value")), text_of(record.get("title")), entry.get("timestamp")
    if not text:
        return Skip(source, "comment without text", error=False)
    created = from_unix(stamp)
    return Item(
        platform=Platform.INSTAGRAM,
        # Without a time, a comment's id also needs whose post it was on ("🔥" on two posts is two comments).
        item_id=short_id("comment", created, text) if created else short_id("comment", None, text, post_owner),
        kind=Kind.COMMENT,
        text=text,
        created_at=created,
        source=source,
        url=COMMENTS_URL,
        account=owner.username,
        counterpart=post_owner or None,
    )


def _deleted(archive: Archive, name: str) -> Iterator[ImportEvent]:
    for event in meta_records(archive, name, ("ig_recently_deleted_media",)):
        if isinstance(event, FileRead):
            yield event
            if event.records:
                reason = "already deleted on Instagram (the export keeps it for 30 days)"
                yield Skip(name, reason, count=event.records, error=False)
        elif not isinstance(event, tuple):
            yield event


@dataclass(slots=True)
class _Legacy:
    """The 2018–2020 export: one `media.json` with every photo, and flat comment and message files."""

    archive: Archive
    root: str
    owner: _Owner
    names: frozenset[str]

    def events(self) -> Iterator[ImportEvent]:
        """Each file of the folder, and any later download's different version of it."""
        for base, read in (("media.json", self._media), ("comments.json", self._comments),
                           ("messages.json", self._messages), ("connections.json", self._connections)):
            for name in self.archive.versions(self.root + base):
                yield from read(name)

    def _load(self, name: str) -> Any | Skip:
        try:
            return load_meta(self.archive, name)
        except BadFile as exc:
            return Skip(name, f"file not readable: {exc}")

    def _media(self, name: str) -> Iterator[ImportEvent]:
        """`{"photos": [...], "videos": [...], "stories": [...], ...}`; carousel photos share time and caption."""
        data = self._load(name)
        if isinstance(data, Skip) or not isinstance(data, dict):
            yield data if isinstance(data, Skip) else Skip(name, "file not readable: expected an object of media lists")
            return
        lists = {k: v for k, v in data.items() if isinstance(v, list)}
        yield FileRead(name, sum(len(v) for v in lists.values()))
        for key, rows in lists.items():
            if key in ("photos", "videos", "stories"):
                kind = Kind.STORY if key == "stories" else Kind.CAPTION
                yield from self._photos(name, rows, kind, "video" if key == "videos" else "photo")
            elif rows:
                yield Skip(name, _LEGACY_SKIPS.get(key, f"`{key}` media, not a post"), count=len(rows), error=False)

    def _photos(self, name: str, rows: list[Any], kind: Kind, media_kind: str) -> Iterator[Item | Skip]:
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for index, row in enumerate(rows):
            if not isinstance(row, dict) or not text_of(row.get("path")):
                yield Skip(name, "media record without a file name")
                continue
            # Photos of one post share its time and caption; an undated photo is a post of its own.
            key = text_of(row.get("taken_at")) or f"undated {index}", text_of(row.get("caption"))
            groups.setdefault(key, []).append(row)
        for (_, caption), group in groups.items():
            first = group[0]
            created = from_iso(first.get("taken_at"))
            place = text_of(first.get("location"))
            yield Item(
                platform=Platform.INSTAGRAM,
                item_id=short_id("story" if kind == Kind.STORY else "post", created, caption, "" if caption and created else first["path"]),
                kind=kind,
                text=caption,
                created_at=created,
                source=name,
                url=STORIES_URL if kind == Kind.STORY else self.owner.url(),
                audience=self.owner.audience,
                account=self.owner.username,
                media=tuple(Media(uri=text_of(r["path"]), kind=media_kind) for r in group),
                place=Place(place) if place else None,
            )
            for _ in group[1:]:
                yield Skip(name, "another photo of the same post; merged into it", error=False)

    def _comments(self, name: str) -> Iterator[ImportEvent]:
        """`{"media_comments": [[time, text, post owner], ...], "live_comments": [...]}`."""
        data = self._load(name)
        if isinstance(data, Skip) or not isinstance(data, dict):
            yield data if isinstance(data, Skip) else Skip(name, "file not readable: expected an object of comment lists")
            return
        rows = [r for v in data.values() if isinstance(v, list) for r in v]
        yield FileRead(name, len(rows))
        for row in rows:
            if not isinstance(row, list) or len(row) < 2 or not text_of(row[1]):
                yield Skip(name, "comment record with an unexpected shape")
                continue
            created = from_iso(row[0])
            yield Item(
                platform=Platform.INSTAGRAM,
                item_id=short_id("comment", created, text_of(row[1])),
                kind=Kind.COMMENT,
                text=text_of(row[1]),
                created_at=created,
                source=name,
                url=COMMENTS_URL,
                account=self.owner.username,
                counterpart=text_of(row[2]) or None if len(row) > 2 else None,
            )

    def _messages(self, name: str) -> Iterator[ImportEvent]:
        """`[{"participants": [usernames], "conversation": [{"sender", "created_at", "text"}]}]`."""
        data = self._load(name)
        if isinstance(data, Skip) or not isinstance(data, list):
            yield data if isinstance(data, Skip) else Skip(name, "file not readable: expected a list of conversations")
            return
        threads = [t for t in data if isinstance(t, dict)]
        yield FileRead(name, sum(len(dicts(t.get("conversation"))) for t in threads))
        for thread in threads:
            listed = thread.get("participants")
            people = [text_of(p) for p in listed if text_of(p)] if isinstance(listed, list) else []
            for message in dicts(thread.get("conversation")):
                yield self._message(message, name, people)

    def _message(self, message: dict[str, Any], source: str, people: list[str]) -> Item | Skip:
        text = text_of(message.get("text"))
        if not text:
            return Skip(source, "message without text (a like, photo or shared post)", error=False)
        sender = text_of(message.get("sender"))
        sent = sender in self.names
        others = [p for p in people if p not in self.names]
        created = from_iso(message.get("created_at"))
        return Item(
            platform=Platform.INSTAGRAM,
            item_id=short_id("dm", ",".join(sorted(people)), created, sender, text),
            kind=Kind.DM if sent else Kind.DM_RECEIVED,
            text=text,
            created_at=created,
            source=source,
            url=_inbox_url(""),
            audience=Audience.PRIVATE_MESSAGE,
            account=self.owner.username,
            counterpart=(", ".join(others) or None) if sent else sender or None,
            conversation=", ".join(people) or None,
        )

    def _connections(self, name: str) -> Iterator[ImportEvent]:
        """`{"followers": {username: time}, "following": {username: time}}`."""
        data = self._load(name)
        if isinstance(data, Skip) or not isinstance(data, dict):
            yield data if isinstance(data, Skip) else Skip(name, "file not readable: expected an object")
            return
        for key, relation in (("followers", "follower"), ("following", "following")):
            people = data.get(key)
            for person, since in (people.items() if isinstance(people, dict) else ()):
                yield Connection(Platform.INSTAGRAM, person, relation, from_iso(since))
