"""X (Twitter) archives, every layout still in users' hands (Settings → Your account → Download an archive).

Layouts, newest first:
- 2022+: `data/tweets.js` and `data/tweets-partN.js`, listed in `data/manifest.js`.
- 2020–2022: `data/tweet.js`.
- 2019 and before: the same files at the zip root, records not wrapped in `{"tweet": …}`.
- 2012–2018 "Grailbird": `data/js/tweets/YYYY_MM.js` and `tweets.csv`.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, ClassVar

from audit.archive import Archive, MemberError
from audit.model import (
    AccountInfo,
    Audience,
    FileRead,
    ImportEvent,
    Item,
    Kind,
    Media,
    Platform,
    Skip,
)
from importers.base import EARLIEST, BadFile, Detection, as_int, find, from_iso, load_json, records

# Real UTC offsets lie within ±14:00; anything else is a damaged date, not a time zone.
_OFFSET = re.compile(r"[+-](?:0\d|1[0-4])[0-5]\d")
_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
TWEET_FILES = r"(?:tweets?|community-tweet)(?:-part\d+)?\.js"
DM_FILES = r"direct-messages?(?:-group)?(?:-part\d+)?\.js"
GRAILBIRD_MONTHS = r"data/js/tweets/\d{4}_\d{2}\.js"
# X allows 25,000 characters in a long post and 10,000 in a message; far longer text is not a post.
MAX_TEXT = 100_000
MAX_ID = 64
_TCO = re.compile(r"https?://t\.co/\w+")


def parse_x_time(value: Any) -> datetime | None:
    """`Thu Nov 07 18:26:50 +0000 2024`, sliced by hand: strptime is 20x slower on 200,000 posts."""
    if not isinstance(value, str):
        return None
    parts = value.split()
    if len(parts) != 6:
        return from_iso(value)
    try:
        hh, mm, ss = parts[3].split(":")
        moment = datetime(int(parts[5]), _MONTHS[parts[1]], int(parts[2]), int(hh), int(mm), int(ss), tzinfo=UTC)
        offset = parts[4]
        if offset != "+0000":
            if not _OFFSET.fullmatch(offset):
                return None
            sign = -1 if offset[0] == "-" else 1
            moment -= sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5]))
    except (KeyError, ValueError, IndexError, OverflowError):
        return from_iso(value)
    return moment if EARLIEST <= moment <= _now() else None


def _now() -> datetime:
    """Today, read at most once a second: the clock is the slowest part of parsing a date."""
    global _NOW_CACHE
    tick = time.monotonic()
    if tick - _NOW_CACHE[0] > 1.0:
        _NOW_CACHE = (tick, datetime.now(UTC))
    return _NOW_CACHE[1]


_NOW_CACHE: tuple[float, datetime] = (-10.0, datetime.now(UTC))


def clean_text(raw: Any, entities: Any) -> str:
    """Expand t.co links, drop the link that only points at attached media, unescape HTML."""
    # Unescaped first: an expanded link's `&copy=1` or `&times=2` is not an HTML entity.
    text = html.unescape(raw) if isinstance(raw, str) else ""
    ents = entities if isinstance(entities, dict) else {}
    for url in _dicts(ents.get("urls")):
        short = url.get("url")
        if isinstance(short, str) and short:
            expanded = url.get("expanded_url") or url.get("expanded")
            text = text.replace(short, expanded if isinstance(expanded, str) else short)
    for media in _dicts(ents.get("media")):
        short = media.get("url")
        if isinstance(short, str) and short:
            text = text.replace(short, "")
    return text.strip()


def _dicts(value: Any) -> list[dict[str, Any]]:
    """The objects in a list the export should hold; anything else holds none."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _unwrap(record: Any, key: str) -> Any:
    """2020+ archives wrap each record as `{"tweet": {...}}`; older ones do not."""
    if isinstance(record, dict) and len(record) == 1 and key in record:
        return record[key]
    return record


class XImporter:
    platform: ClassVar[Platform] = Platform.X

    def detect(self, archive: Archive) -> Detection | None:
        months = find(archive, GRAILBIRD_MONTHS)
        tweet_csv = find(archive, r"tweets\.csv")
        tweets = find(archive, TWEET_FILES)
        dms = find(archive, DM_FILES)
        if months or tweet_csv:
            return Detection("x/2012–2018 Grailbird (data/js/tweets, tweets.csv)", tuple(months or tweet_csv))
        if not tweets and not dms and "data/manifest.js" not in archive:
            return None
        if any(n.endswith("tweets.js") for n in tweets):
            layout = "x/2022+ (data/tweets.js)"
        elif any(n.startswith("data/") for n in tweets):
            layout = "x/2020–2022 (data/tweet.js)"
        else:
            layout = "x/2019 and earlier (tweet.js at the root)"
        return Detection(layout, tuple(tweets + dms))

    def iter_events(self, archive: Archive, found: Detection, tz: tzinfo | None = None) -> Iterator[ImportEvent]:
        account = self._account(archive)
        yield account
        if found.layout.startswith("x/2012"):
            yield from self._grailbird(archive, found, account)
            return
        manifest_files = self._manifest_files(archive)
        tweet_files = find(archive, TWEET_FILES)
        for listed in manifest_files:
            if listed not in archive and re.search(TWEET_FILES + "$", listed):
                yield Skip(listed, "listed in data/manifest.js but missing from the archive (pass every part of a split archive)")
        notes, note_events = self._notes(archive)
        yield from note_events
        audience = self._audience(archive)
        yield from self._tweets(archive, tweet_files, account, notes, audience)
        yield from self._deleted(archive, notes)
        yield from notes.leftovers(account.username, audience)
        for name in find(archive, DM_FILES):
            yield from self._dms(archive, name, account)

    # account and context

    def _account(self, archive: Archive) -> AccountInfo:
        info: dict[str, Any] = {}
        for name in find(archive, r"manifest\.js"):
            user = _dict(_load_quietly(archive, name)).get("userInfo")
            user = _dict(user)
            info.update(username=user.get("userName"), user_id=user.get("accountId"), display_name=user.get("displayName"))
        for name in find(archive, r"account\.js"):
            acc = _dict(_unwrap(_first(_load_quietly(archive, name)), "account"))
            info.update(
                username=acc.get("username") or info.get("username"),
                user_id=acc.get("accountId") or info.get("user_id"),
                display_name=acc.get("accountDisplayName") or info.get("display_name"),
            )
        for name in find(archive, r"profile\.js"):
            desc = _dict(_dict(_unwrap(_first(_load_quietly(archive, name)), "profile")).get("description"))
            info.update(bio=desc.get("bio") or None, location=desc.get("location") or None)
        for name in find(archive, r"data/js/user_details\.js"):
            user = _dict(_load_quietly(archive, name))
            if user:
                info.update(
                    username=user.get("screen_name"), user_id=user.get("id"), display_name=user.get("full_name"),
                    bio=user.get("bio") or None, location=user.get("location") or None,
                )
        return AccountInfo(Platform.X, **{k: _label(v) for k, v in info.items()})

    def _manifest_files(self, archive: Archive) -> list[str]:
        if "data/manifest.js" not in archive:
            return []
        types = _dict(_dict(_load_quietly(archive, "data/manifest.js")).get("dataTypes"))
        names = [f.get("fileName") for t in types.values() for f in _dicts(_dict(t).get("files"))]
        return [n for n in names if isinstance(n, str) and len(n) < 1000]

    def _audience(self, archive: Archive) -> Audience:
        """Protected accounts show posts to followers only; protected-history.js says when."""
        for name in find(archive, r"protected-history\.js"):
            rows = _load_quietly(archive, name)
            actions = [_unwrap(r, "protectedHistory") for r in _dicts(rows)]
            actions = [a for a in actions if isinstance(a, dict) and a.get("timestamp")]
            if actions:
                last = max(actions, key=lambda a: str(a.get("timestamp")))
                return Audience.FOLLOWERS if str(last.get("action", "")).lower() == "protect" else Audience.PUBLIC
        return Audience.PUBLIC

    # posts

    def _notes(self, archive: Archive) -> tuple[_Notes, list[ImportEvent]]:
        """Long posts are cut in tweets.js; note-tweet.js holds them whole, without the post's id.

        A note becomes an item only when no post matched it (`_Notes.leftovers`).
        """
        notes = _Notes()
        events: list[ImportEvent] = []
        for name in find(archive, r"note-tweet(?:-part\d+)?\.js"):
            for event in records(archive, name, js=True):
                if not isinstance(event, tuple):
                    events.append(event)
                    continue
                note = _unwrap(event[1], "noteTweet")
                core = note.get("core") if isinstance(note, dict) else None
                if not isinstance(core, dict) or not isinstance(core.get("text"), str) or len(core["text"]) > MAX_TEXT:
                    events.append(Skip(name, "long-post record without usable text"))
                    continue
                text = html.unescape(core["text"])
                for url in _dicts(core.get("urls")):
                    short, expanded = url.get("shortUrl"), url.get("expandedUrl")
                    if isinstance(short, str) and short and isinstance(expanded, str):
                        text = text.replace(short, expanded)
                notes.add(_Note(name, _text_or_none(note.get("noteTweetId")), from_iso(note.get("createdAt")), text))
        return notes, events

    def _tweets(
        self,
        archive: Archive,
        names: list[str],
        account: AccountInfo,
        notes: _Notes | None,
        audience: Audience,
    ) -> Iterator[ImportEvent]:
        """Posts never edited are yielded as soon as their file is parsed, so classification starts early.

        Edited posts appear once per version (each version lists every version's
        id); those wait for the end, where only the newest version is kept.
        """
        latest: dict[str, tuple[int, str]] = {}
        deferred: list[tuple[str, Item | Skip]] = []
        user = account.username
        for name in names:
            where = Audience.COMMUNITY if "community-tweet" in name else audience
            for event in records(archive, name, js=True):
                if not isinstance(event, tuple):
                    yield event
                    continue
                tweet = _unwrap(event[1], "tweet")
                tid = _post_id(tweet)
                if tid is None:
                    yield Skip(name, "record without a post id")
                    continue
                group = _edit_group(tweet) or tid
                if group == tid and tid not in latest and not _edited(tweet, tid):
                    yield self._tweet_or_skip(tweet, tid, name, user, notes, where)
                    continue
                previous = latest.get(group)
                if previous is None or _id_order(tid) > previous[0]:
                    latest[group] = (_id_order(tid), tid)
                deferred.append((tid, self._tweet_or_skip(tweet, tid, name, user, notes, where)))
        keep = {tid for _, tid in latest.values()}
        for tid, event in deferred:
            if tid not in keep:
                yield Skip(event.source, "earlier version of an edited post (the newest version is kept)", error=False)
                continue
            yield event

    def _tweet_or_skip(
        self,
        tweet: dict[str, Any],
        tid: str,
        name: str,
        user: str | None,
        notes: _Notes | None,
        audience: Audience,
    ) -> Item | Skip:
        try:
            return self._tweet_item(tweet, tid, name, user, notes, audience)
        except (TypeError, AttributeError, ValueError, LookupError) as exc:
            return Skip(name, f"post {tid[:40]} skipped: {exc}")

    def _tweet_item(
        self,
        tweet: dict[str, Any],
        tid: str,
        source: str,
        user: str | None,
        notes: _Notes | None,
        audience: Audience,
    ) -> Item:
        raw = tweet.get("full_text", tweet.get("text"))
        if not isinstance(raw, str):
            raise TypeError("the post has no text field")
        if len(raw) > MAX_TEXT:
            raise ValueError(f"its text is {len(raw):,} characters, longer than any real post")
        created = parse_x_time(tweet.get("created_at"))
        entities = tweet.get("entities")
        text = clean_text(raw, entities)
        if notes:
            text = notes.merge(text, created)
        reply_to = _text_or_none(tweet.get("in_reply_to_status_id_str") or tweet.get("in_reply_to_status_id"))
        if text.startswith("RT @") or tweet.get("retweeted_status"):
            kind = Kind.REPOST
        elif reply_to and reply_to != "-1":
            kind = Kind.REPLY
        else:
            kind = Kind.POST
        return Item(
            Platform.X, tid, kind, text, created, source,
            f"https://x.com/{user}/status/{tid}" if user else f"https://x.com/i/web/status/{tid}",
            audience, user, _text_or_none(tweet.get("in_reply_to_screen_name")), reply_to,
            _media(tid, tweet.get("extended_entities"), entities),
            None, as_int(tweet.get("favorite_count")), as_int(tweet.get("retweet_count")),
        )

    def _deleted(self, archive: Archive, notes: _Notes) -> Iterator[ImportEvent]:
        """Counted, not imported; a long one's note goes with it rather than coming back as an item."""
        for name in find(archive, r"deleted-tweets(?:-part\d+)?\.js"):
            for event in records(archive, name, js=True):
                if isinstance(event, tuple):
                    tweet = _unwrap(event[1], "tweet")
                    if notes and isinstance(tweet, dict) and isinstance(tweet.get("full_text"), str):
                        notes.merge(clean_text(tweet["full_text"], tweet.get("entities")), parse_x_time(tweet.get("created_at")),
                                    use="deleted")
                    continue
                yield event
                if isinstance(event, FileRead) and event.records:
                    yield Skip(name, "already deleted on X (the archive keeps them for 14 days)", count=event.records, error=False)

    # direct messages

    def _dms(self, archive: Archive, name: str, account: AccountInfo) -> Iterator[ImportEvent]:
        """One record per message; a conversation that is not one counts as one record, skipped."""
        try:
            conversations = load_json(archive, name, js=True)
        except BadFile as exc:
            yield Skip(name, f"file not readable: {exc}")
            return
        if not isinstance(conversations, list):
            yield Skip(name, "file not readable: expected a list of conversations")
            return
        bodies = [_conversation(c) for c in conversations]
        yield FileRead(name, sum(len(b["messages"]) if b else 1 for b in bodies))
        if account.user_id is None:
            account = replace(account, user_id=_common_participant(bodies))
        events: dict[str, int] = {}
        for body in bodies:
            if body is None:
                yield Skip(name, "conversation record with an unexpected shape")
                continue
            cid = _text_or_none(body.get("conversationId")) or ""
            for message in body["messages"]:
                msg = message.get("messageCreate") if isinstance(message, dict) else None
                if not isinstance(msg, dict):
                    kind = str(next(iter(message), "unknown"))[:40] if isinstance(message, dict) and message else "unknown"
                    events[kind] = events.get(kind, 0) + 1
                    continue
                yield self._message(msg, cid, name, account)
        for kind, count in sorted(events.items()):
            yield Skip(name, f"conversation event `{kind}`, not a message", count=count, error=False)

    def _message(self, msg: dict[str, Any], cid: str, name: str, account: AccountInfo) -> Item | Skip:
        mid = _text_or_none(msg.get("id"))
        text = msg.get("text")
        if not mid or not isinstance(text, str):
            return Skip(name, "message without an id or text")
        if len(text) > MAX_TEXT:
            return Skip(name, f"message skipped: its text is {len(text):,} characters, longer than any real message")
        text = html.unescape(text)
        for url in _dicts(msg.get("urls")):
            short, expanded = url.get("url"), url.get("expanded")
            if isinstance(short, str) and short and isinstance(expanded, str):
                text = text.replace(short, expanded)
        owner = account.user_id
        sender = _text_or_none(msg.get("senderId")) or ""
        # Without a known owner nothing is assumed sent: a patient's words must not be filed as the user's.
        sent = owner is not None and sender == owner
        counterpart = None
        if "-" in cid and owner:
            others = [p for p in cid.split("-") if p != owner]
            counterpart = others[0] if others else None
        elif not sent:
            counterpart = sender
        media = msg.get("mediaUrls")
        return Item(
            platform=Platform.X,
            item_id=f"dm-{mid}",
            kind=Kind.DM if sent else Kind.DM_RECEIVED,
            text=text.strip(),
            created_at=from_iso(msg.get("createdAt")),
            source=name,
            url=f"https://x.com/messages/{cid}" if cid else "https://x.com/messages",
            audience=Audience.PRIVATE_MESSAGE,
            account=account.username,
            counterpart=counterpart,
            conversation=cid or None,
            media=tuple(Media(uri=u) for u in media if isinstance(u, str) and u) if isinstance(media, list) else (),
        )

    # Grailbird

    def _grailbird(self, archive: Archive, found: Detection, account: AccountInfo) -> Iterator[ImportEvent]:
        user = account.username
        months = [n for n in found.members if n.endswith(".js")]
        if months:
            for csv_name in find(archive, r"tweets\.csv"):
                rows = self._csv_rows(archive, csv_name)
                if isinstance(rows, Skip):
                    yield replace(rows, error=False)  # the same posts are read from the monthly files
                    continue
                yield FileRead(csv_name, len(rows))
                if rows:
                    yield Skip(csv_name, "same posts as data/js/tweets/*.js, which are read instead", count=len(rows), error=False)
            for name in months:
                for event in records(archive, name, js=True):
                    if not isinstance(event, tuple):
                        yield event
                        continue
                    tweet = event[1]
                    tid = _post_id(tweet)
                    if tid is None:
                        yield Skip(name, "record without a post id")
                        continue
                    try:
                        # Each record carries its author; a protected account showed it to followers only.
                        protected = _dict(tweet.get("user")).get("protected") is True
                        item = self._tweet_item(tweet, tid, name, user, None, Audience.FOLLOWERS if protected else Audience.PUBLIC)
                    except (TypeError, AttributeError, ValueError, LookupError) as exc:
                        yield Skip(name, f"post skipped: {exc}")
                        continue
                    yield _replace_time(item, from_iso(tweet.get("created_at")))
            return
        for name in found.members:
            yield from self._tweets_csv(archive, name, user)

    def _csv_rows(self, archive: Archive, name: str) -> list[dict[str, str]] | Skip:
        try:
            text = archive.read(name).decode("utf-8-sig")
        except (MemberError, UnicodeDecodeError) as exc:
            return Skip(name, f"file not readable: {exc}")
        try:
            return list(csv.DictReader(io.StringIO(text, newline="")))
        except csv.Error as exc:
            return Skip(name, f"file not readable: it is not a valid CSV file ({exc})")

    def _tweets_csv(self, archive: Archive, name: str, user: str | None) -> Iterator[ImportEvent]:
        rows = self._csv_rows(archive, name)
        if isinstance(rows, Skip):
            yield rows
            return
        yield FileRead(name, len(rows))
        for row in rows:
            tid = (row.get("tweet_id") or "").strip()
            if not (tid.isascii() and tid.isdigit() and len(tid) <= MAX_ID):
                yield Skip(name, "row without a post id")
                continue
            body = html.unescape(row.get("text") or "").strip()
            if len(body) > MAX_TEXT:
                yield Skip(name, f"post {tid} skipped: its text is {len(body):,} characters, longer than any real post")
                continue
            for url in (row.get("expanded_urls") or "").split(","):
                if url.strip():
                    body = _TCO.sub(_literal(url.strip()), body, count=1)
            if row.get("retweeted_status_id") or body.startswith("RT @"):
                kind = Kind.REPOST
            elif row.get("in_reply_to_status_id"):
                kind = Kind.REPLY
            else:
                kind = Kind.POST
            yield Item(
                platform=Platform.X,
                item_id=tid,
                kind=kind,
                text=body,
                created_at=from_iso(row.get("timestamp")),
                source=name,
                url=f"https://x.com/{user}/status/{tid}" if user else f"https://x.com/i/web/status/{tid}",
                audience=Audience.PUBLIC,
                account=user,
                conversation=row.get("in_reply_to_status_id") or None,
            )


def _media(tid: str, extended: Any, entities: Any) -> tuple[Media, ...]:
    """Attached photos and videos: `extended_entities` lists all of them, `entities` only the first."""
    found = extended.get("media") if isinstance(extended, dict) else None
    if not found and isinstance(entities, dict):
        found = entities.get("media")
    if not found or not isinstance(found, list):
        return ()
    return tuple(
        Media(uri=f"data/tweets_media/{tid}-{_video_name(m) or _url_name(m)}", kind=str(m.get("type") or "photo"))
        for m in found
        if isinstance(m, dict)
    )


def _url_name(media: dict[str, Any]) -> str:
    return str(media.get("media_url_https") or media.get("media_url") or "").rsplit("/", 1)[-1]


def _video_name(media: dict[str, Any]) -> str | None:
    """The file a video or GIF is in: X saves the highest-bitrate MP4 variant, named as in its URL.

    The media URL names the poster image, not the video, so without this two videos of one post could not be told apart.
    """
    info = media.get("video_info")
    variants = [v for v in _dicts(info.get("variants")) if v.get("content_type") == "video/mp4"] if isinstance(info, dict) else []
    best = max(variants, key=lambda v: as_int(v.get("bitrate")) or 0, default=None)
    name = str(best.get("url") or "").split("?", 1)[0].rsplit("/", 1)[-1] if best else ""
    return name if name.lower().endswith(".mp4") else None


def _literal(text: str) -> Callable[[re.Match[str]], str]:
    """A replacement used as is: an expanded link may hold backslashes that re.sub would read as groups."""
    return lambda _: text


def _conversation(record: Any) -> dict[str, Any] | None:
    """`{"dmConversation": {"conversationId", "messages": [...]}}`, or None when it has another shape."""
    body = record.get("dmConversation") if isinstance(record, dict) else None
    if not isinstance(body, dict) or not isinstance(body.get("messages", []), list):
        return None
    return {**body, "messages": body.get("messages") or []}


def _load_quietly(archive: Archive, name: str) -> Any:
    """An account or settings file: when it is broken the posts still import, just without it."""
    try:
        return load_json(archive, name, js=True)
    except BadFile:
        return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else None


def _label(value: Any) -> str | None:
    """A profile field as short text: a name, a bio, never a megabyte of it."""
    if value is None or isinstance(value, (dict, list)) or value == "":
        return None
    return str(value)[:1000]


def _text_or_none(value: Any) -> str | None:
    """A screen name or similar label; numbers become text, anything else is dropped."""
    if isinstance(value, str):
        return value[:MAX_ID * 4] or None
    return str(value) if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**MAX_ID else None


def _common_participant(bodies: list[dict[str, Any] | None]) -> str | None:
    """The owner, when account.js is missing: the one id in every one-to-one conversation (`A-B`)."""
    common: set[str] | None = None
    for body in bodies:
        cid = _text_or_none(body.get("conversationId")) if body else None
        if not cid or "-" not in cid:
            continue
        ids = set(cid.split("-"))
        common = ids if common is None else common & ids
    return next(iter(common)) if common and len(common) == 1 else None


def _replace_time(item: Item, created: datetime | None) -> Item:
    return replace(item, created_at=created) if created else item


def _edit_group(tweet: dict[str, Any]) -> str | None:
    info = tweet.get("edit_info")
    if not isinstance(info, dict):
        return None
    edit = info.get("edit")
    if isinstance(edit, dict) and edit.get("initialTweetId"):
        return str(edit["initialTweetId"])
    return None


def _edited(tweet: dict[str, Any], tid: str) -> bool:
    """The post lists other versions of itself in `edit_info.initial.editTweetIds`."""
    info = tweet.get("edit_info")
    initial = info.get("initial") if isinstance(info, dict) else None
    ids = initial.get("editTweetIds") if isinstance(initial, dict) else None
    return isinstance(ids, list) and (len(ids) > 1 or (len(ids) == 1 and str(ids[0]) != tid))


def _post_id(tweet: Any) -> str | None:
    """The post's id as text, or None for a record without a usable one (X ids are digits; deletion tools take them as such)."""
    if not isinstance(tweet, dict):
        return None
    tid = tweet.get("id_str") or tweet.get("id")
    if isinstance(tid, bool) or not isinstance(tid, (str, int)):
        return None
    tid = str(tid).strip()
    return tid if tid and len(tid) <= MAX_ID and tid.isascii() and tid.isdigit() else None


def _id_order(tid: str) -> int:
    """Snowflake ids grow with time; anything else (or absurdly long) sorts first."""
    return int(tid) if len(tid) < 30 and tid.isascii() and tid.isdigit() else 0


_MENTION = re.compile(r"@\w+\s+")
_TRAILING_LINKS = re.compile(r"(?:\s*https?://\S+)+\s*$")
# A cut post must agree with its note this far: the first 40 characters alone find two posts
# that open the same way ("Reminder for everyone on the night team: ...").
AGREE = 100


@dataclass(slots=True)
class _Note:
    source: str
    note_id: str | None
    created: datetime | None
    text: str
    used: str = ""  # "merged" into a post, or belongs to one already "deleted"


@dataclass(slots=True)
class _Notes:
    """The whole texts of long posts, found by their first words."""

    by_start: dict[str, list[_Note]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.by_start)

    def add(self, note: _Note) -> None:
        self.by_start.setdefault(_start(note.text), []).append(note)

    def merge(self, text: str, created: datetime | None, *, use: str = "merged") -> str:
        """The cut post's whole text: a note that begins as it does, written within ten minutes.

        A reply's text begins with the @names it answers, which its note may leave out:
        each run of leading names is tried, none first.
        """
        cuts, at = [0], 0
        while (m := _MENTION.match(text, at)) is not None:
            at = m.end()
            cuts.append(at)
        for cut in cuts:
            body = text[cut:]
            head = " ".join(_TRAILING_LINKS.sub("", body).rstrip("…").split())[:AGREE]
            candidates = [n for n in self.by_start.get(_start(body), ()) if " ".join(n.text.split()).startswith(head)
                          and len(n.text) >= len(body.rstrip("…")) and _apart(n.created, created) <= 600]
            if candidates:
                best = min(candidates, key=lambda n: (bool(n.used), _apart(n.created, created)))
                best.used = use
                return text[:cut] + best.text if use == "merged" else text
        return text

    def leftovers(self, user: str | None, audience: Audience) -> Iterator[ImportEvent]:
        """Notes merged into their posts are counted; one that matched no post is an item of its own,
        so its text is checked even though the post it belongs to is not known."""
        used: dict[tuple[str, str], int] = {}
        for notes in self.by_start.values():
            for note in notes:
                if note.used:
                    used[note.source, note.used] = used.get((note.source, note.used), 0) + 1
                    continue
                key = note.note_id if note.note_id and note.note_id.isdigit() else _digest(f"{note.created}\x1f{note.text}")
                yield Item(Platform.X, f"note-{key}", Kind.POST, note.text, note.created, note.source,
                           f"https://x.com/{user}" if user else None, audience, user)
        reasons = {"merged": "whole text of long posts, merged into the posts they belong to",
                   "deleted": "whole text of long posts already deleted on X"}
        for (source, how), count in used.items():
            yield Skip(source, reasons[how], count=count, error=False)


def _apart(a: datetime | None, b: datetime | None) -> float:
    return abs((a - b).total_seconds()) if a and b else 0.0


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _start(text: str) -> str:
    return " ".join(text.split())[:40]
