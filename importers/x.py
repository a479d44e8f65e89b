"""X (Twitter) archives, every layout still in users' hands (Settings → Your account → Download an archive).

Layouts, newest first:
- 2022+: `data/tweets.js` and `data/tweets-partN.js`, listed in `data/manifest.js`.
- 2020–2022: `data/tweet.js`.
- 2019 and before: the same files at the zip root, records not wrapped in `{"tweet": …}`.
- 2012–2018 "Grailbird": `data/js/tweets/YYYY_MM.js` and `tweets.csv`.
"""

from __future__ import annotations

import csv
import html
import io
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
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

_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
TWEET_FILES = r"(?:tweets?|community-tweet)(?:-part\d+)?\.js"
DM_FILES = r"direct-messages?(?:-group)?(?:-part\d+)?\.js"
GRAILBIRD_MONTHS = r"data/js/tweets/\d{4}_\d{2}\.js"


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
    text = raw if isinstance(raw, str) else ""
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
    return html.unescape(text).strip()


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

    def iter_events(self, archive: Archive, found: Detection) -> Iterator[ImportEvent]:
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
        notes = self._notes(archive)
        audience = self._audience(archive)
        yield from self._tweets(archive, tweet_files, account, notes, audience)
        yield from self._deleted(archive)
        for name in find(archive, DM_FILES):
            yield from self._dms(archive, name, account)

    # account and context

    def _account(self, archive: Archive) -> AccountInfo:
        info: dict[str, Any] = {}
        for name in find(archive, r"manifest\.js"):
            try:
                user = load_json(archive, name, js=True).get("userInfo", {})
            except (BadFile, AttributeError):
                continue
            info.update(username=user.get("userName"), user_id=user.get("accountId"), display_name=user.get("displayName"))
        for name in find(archive, r"account\.js"):
            try:
                rows = load_json(archive, name, js=True)
                acc = _unwrap(rows[0], "account")
            except (BadFile, LookupError, TypeError):
                continue
            if isinstance(acc, dict):
                info.update(
                    username=acc.get("username") or info.get("username"),
                    user_id=acc.get("accountId") or info.get("user_id"),
                    display_name=acc.get("accountDisplayName") or info.get("display_name"),
                )
        for name in find(archive, r"profile\.js"):
            try:
                prof = _unwrap(load_json(archive, name, js=True)[0], "profile")
                desc = prof.get("description") or {}
            except (BadFile, LookupError, TypeError, AttributeError):
                continue
            info.update(bio=desc.get("bio") or None, location=desc.get("location") or None)
        for name in find(archive, r"data/js/user_details\.js"):
            try:
                user = load_json(archive, name, js=True)
            except BadFile:
                continue
            if isinstance(user, dict):
                info.update(
                    username=user.get("screen_name"), user_id=user.get("id"), display_name=user.get("full_name"),
                    bio=user.get("bio") or None, location=user.get("location") or None,
                )
        return AccountInfo(Platform.X, **{k: (str(v) if v is not None else None) for k, v in info.items()})

    def _manifest_files(self, archive: Archive) -> list[str]:
        if "data/manifest.js" not in archive:
            return []
        try:
            types = load_json(archive, "data/manifest.js", js=True).get("dataTypes", {})
        except (BadFile, AttributeError):
            return []
        return [f.get("fileName", "") for t in types.values() if isinstance(t, dict) for f in t.get("files", []) if isinstance(f, dict)]

    def _audience(self, archive: Archive) -> Audience:
        """Protected accounts show posts to followers only; protected-history.js says when."""
        for name in find(archive, r"protected-history\.js"):
            try:
                rows = load_json(archive, name, js=True)
            except BadFile:
                continue
            actions = [_unwrap(r, "protectedHistory") for r in rows if isinstance(r, dict)]
            actions = [a for a in actions if isinstance(a, dict) and a.get("timestamp")]
            if actions:
                last = max(actions, key=lambda a: str(a.get("timestamp")))
                return Audience.FOLLOWERS if str(last.get("action", "")).lower() == "protect" else Audience.PUBLIC
        return Audience.PUBLIC

    # posts

    def _notes(self, archive: Archive) -> dict[str, list[tuple[datetime | None, str]]]:
        """Long posts are cut in tweets.js; note-tweet.js holds them whole, without the post's id."""
        notes: dict[str, list[tuple[datetime | None, str]]] = {}
        for name in find(archive, r"note-tweet(?:-part\d+)?\.js"):
            for event in records(archive, name, js=True):
                if not isinstance(event, tuple):
                    continue
                note = _unwrap(event[1], "noteTweet")
                core = note.get("core") if isinstance(note, dict) else None
                if not isinstance(core, dict) or not isinstance(core.get("text"), str):
                    continue
                text = core["text"]
                for url in core.get("urls") or ():
                    if isinstance(url, dict) and url.get("shortUrl"):
                        text = text.replace(url["shortUrl"], url.get("expandedUrl") or url["shortUrl"])
                text = html.unescape(text)
                notes.setdefault(_note_key(text), []).append((from_iso(note.get("createdAt")), text))
        return notes

    def _tweets(
        self,
        archive: Archive,
        names: list[str],
        account: AccountInfo,
        notes: dict[str, list[tuple[datetime | None, str]]],
        audience: Audience,
    ) -> Iterator[ImportEvent]:
        """Each file becomes items as soon as it is parsed, so only one file's JSON is in memory at a time."""
        # Edited posts appear once per version; keep only the newest version of each.
        latest: dict[str, tuple[int, str]] = {}
        made: list[tuple[str, Item | Skip]] = []
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
                previous = latest.get(group)
                if previous is None or _id_order(tid) > previous[0]:
                    latest[group] = (_id_order(tid), tid)
                made.append((tid, self._tweet_or_skip(tweet, tid, name, user, notes, where)))
        keep = {tid for _, tid in latest.values()}
        for tid, event in made:
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
        notes: dict[str, list[tuple[datetime | None, str]]],
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
        notes: dict[str, list[tuple[datetime | None, str]]],
        audience: Audience,
    ) -> Item:
        raw = tweet.get("full_text", tweet.get("text"))
        if not isinstance(raw, str):
            raise TypeError("the post has no text field")
        created = parse_x_time(tweet.get("created_at"))
        entities = tweet.get("entities")
        text = clean_text(raw, entities)
        if notes:
            text = _merge_note(text, created, notes)
        reply_to = tweet.get("in_reply_to_status_id_str") or tweet.get("in_reply_to_status_id")
        if text.startswith("RT @") or tweet.get("retweeted_status"):
            kind = Kind.REPOST
        elif reply_to and str(reply_to) not in ("-1", ""):
            kind = Kind.REPLY
        else:
            kind = Kind.POST
        return Item(
            Platform.X, tid, kind, text, created, source,
            f"https://x.com/{user}/status/{tid}" if user else f"https://x.com/i/web/status/{tid}",
            audience, user, _text_or_none(tweet.get("in_reply_to_screen_name")), str(reply_to) if reply_to else None,
            _media(tid, tweet.get("extended_entities"), entities),
            None, as_int(tweet.get("favorite_count")), as_int(tweet.get("retweet_count")),
        )

    def _deleted(self, archive: Archive) -> Iterator[ImportEvent]:
        for name in find(archive, r"deleted-tweets(?:-part\d+)?\.js"):
            for event in records(archive, name, js=True):
                if isinstance(event, tuple):
                    continue
                yield event
                if isinstance(event, FileRead) and event.records:
                    yield Skip(name, "already deleted on X (the archive keeps them for 14 days)", count=event.records, error=False)

    # direct messages

    def _dms(self, archive: Archive, name: str, account: AccountInfo) -> Iterator[ImportEvent]:
        try:
            conversations = load_json(archive, name, js=True)
        except BadFile as exc:
            yield Skip(name, f"file not readable: {exc}")
            return
        if not isinstance(conversations, list):
            yield Skip(name, "file not readable: expected a list of conversations")
            return
        owner = account.user_id
        total = sum(
            len(c.get("dmConversation", {}).get("messages") or [])
            for c in conversations
            if isinstance(c, dict) and isinstance(c.get("dmConversation"), dict)
        )
        yield FileRead(name, total)
        events: dict[str, int] = {}
        for conv in conversations:
            body = conv.get("dmConversation") if isinstance(conv, dict) else None
            if not isinstance(body, dict):
                yield Skip(name, "conversation record with an unexpected shape")
                continue
            cid = str(body.get("conversationId") or "")
            for message in body.get("messages") or []:
                msg = message.get("messageCreate") if isinstance(message, dict) else None
                if not isinstance(msg, dict):
                    kind = next(iter(message), "unknown") if isinstance(message, dict) and message else "unknown"
                    events[kind] = events.get(kind, 0) + 1
                    continue
                mid = msg.get("id")
                text = msg.get("text")
                if not mid or not isinstance(text, str):
                    yield Skip(name, "message without an id or text")
                    continue
                for url in msg.get("urls") or ():
                    if isinstance(url, dict) and url.get("url"):
                        text = text.replace(url["url"], url.get("expanded") or url["url"])
                sender = str(msg.get("senderId") or "")
                sent = owner is None or sender == owner
                counterpart = None
                if "-" in cid and owner:
                    others = [p for p in cid.split("-") if p != owner]
                    counterpart = others[0] if others else None
                elif not sent:
                    counterpart = sender
                yield Item(
                    platform=Platform.X,
                    item_id=f"dm-{mid}",
                    kind=Kind.DM if sent else Kind.DM_RECEIVED,
                    text=html.unescape(text).strip(),
                    created_at=from_iso(msg.get("createdAt")),
                    source=name,
                    url=f"https://x.com/messages/{cid}" if cid else "https://x.com/messages",
                    audience=Audience.PRIVATE_MESSAGE,
                    account=account.username,
                    counterpart=counterpart,
                    conversation=cid or None,
                    media=tuple(Media(uri=str(u)) for u in msg.get("mediaUrls") or () if u),
                )
        for kind, count in sorted(events.items()):
            yield Skip(name, f"conversation event `{kind}`, not a message", count=count, error=False)

    # Grailbird

    def _grailbird(self, archive: Archive, found: Detection, account: AccountInfo) -> Iterator[ImportEvent]:
        user = account.username
        months = [n for n in found.members if n.endswith(".js")]
        if months:
            for csv_name in find(archive, r"tweets\.csv"):
                yield Skip(csv_name, "same posts as data/js/tweets/*.js, which are read instead", error=False)
            for name in months:
                for event in records(archive, name, js=True):
                    if not isinstance(event, tuple):
                        yield event
                        continue
                    tweet = event[1]
                    if not isinstance(tweet, dict) or not tweet.get("id_str"):
                        yield Skip(name, "record without a post id")
                        continue
                    try:
                        item = self._tweet_item(tweet, str(tweet["id_str"]), name, user, {}, Audience.PUBLIC)
                    except (TypeError, AttributeError, ValueError) as exc:
                        yield Skip(name, f"post skipped: {exc}")
                        continue
                    yield _replace_time(item, from_iso(tweet.get("created_at")))
            return
        for name in found.members:
            yield from self._tweets_csv(archive, name, user)

    def _tweets_csv(self, archive: Archive, name: str, user: str | None) -> Iterator[ImportEvent]:
        try:
            text = archive.read(name).decode("utf-8-sig")
        except (MemberError, UnicodeDecodeError) as exc:
            yield Skip(name, f"file not readable: {exc}")
            return
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        yield FileRead(name, len(rows))
        for row in rows:
            tid = (row.get("tweet_id") or "").strip()
            if not tid.isdigit():
                yield Skip(name, "row without a post id")
                continue
            body = html.unescape(row.get("text") or "").strip()
            for url in (row.get("expanded_urls") or "").split(","):
                if url.strip():
                    body = re.sub(r"https?://t\.co/\w+", url.strip(), body, count=1)
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
        Media(uri=f"data/tweets_media/{tid}-{str(m.get('media_url_https') or m.get('media_url') or '').rsplit('/', 1)[-1]}",
              kind=str(m.get("type") or "photo"))
        for m in found
        if isinstance(m, dict)
    )


def _text_or_none(value: Any) -> str | None:
    """A screen name or similar label; numbers become text, anything else is dropped."""
    if isinstance(value, str):
        return value or None
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _replace_time(item: Item, created: datetime | None) -> Item:
    from dataclasses import replace

    return replace(item, created_at=created) if created else item


def _edit_group(tweet: dict[str, Any]) -> str | None:
    info = tweet.get("edit_info")
    if not isinstance(info, dict):
        return None
    edit = info.get("edit")
    if isinstance(edit, dict) and edit.get("initialTweetId"):
        return str(edit["initialTweetId"])
    return None


def _post_id(tweet: Any) -> str | None:
    """The post's id as text, or None for a record that has none."""
    if not isinstance(tweet, dict):
        return None
    tid = tweet.get("id_str") or tweet.get("id")
    return str(tid) if tid else None


def _id_order(tid: str) -> int:
    """Snowflake ids grow with time; anything else (or absurdly long) sorts first."""
    return int(tid) if len(tid) < 30 and tid.isascii() and tid.isdigit() else 0


def _note_key(text: str) -> str:
    return " ".join(text.split())[:40]


def _merge_note(text: str, created: datetime | None, notes: dict[str, list[tuple[datetime | None, str]]]) -> str:
    """Swap a cut long post for its whole text from note-tweet.js (same start, close in time)."""
    if not notes:
        return text
    candidates = notes.get(_note_key(text))
    if not candidates:
        return text
    def distance(note: tuple[datetime | None, str]) -> float:
        when = note[0]
        return abs((when - created).total_seconds()) if when and created else 0.0

    best = min(candidates, key=distance)
    return best[1] if distance(best) <= 600 and len(best[1]) >= len(text.rstrip("…")) else text
