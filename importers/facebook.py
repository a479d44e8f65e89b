"""Facebook "Download Your Information" exports in JSON, every layout still in users' hands.

Layouts, newest first. Files are matched by path suffix: parts of one export
nest oddly (`personal_information/profile_information/your_facebook_activity/...`).
- 2025 profile accounts: `this_profile's_activity_across_facebook/posts/profile_posts_N.json`.
- 2024–25: `your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_N.json`,
  `comments_and_reactions/comments.json`, `groups/`, `messages/`; friends in `connections/friends/`.
- 2022–23: the same files under `your_activity_across_facebook/`.
- 2021–22: `posts/your_posts_N.json`, `comments_and_reactions/comments.json` (`comments_v2`) at the root.
- 2018–2020: `posts/your_posts_N.json`, `comments/comments.json` (`comments`), `friends/friends.json`.
Direct messages use the Messenger schema read by `importers.meta.MessageReader`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import tzinfo
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

from audit.archive import Archive
from audit.model import AccountInfo, Audience, Connection, ImportEvent, Item, Kind, Media, Place, Platform, Skip
from importers.base import BadFile, Detection, find, from_unix
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
    parse_coordinates,
    place_of,
    short_id,
    text_of,
)

POST_FILES = r"posts/(?:your_posts(?:__check_ins__photos_and_videos)?(?:_\d+)?|profile_posts_\d+)\.json"
COMMENT_FILES = r"(?:comments_and_reactions|comments)/comments(?:_\d+)?\.json"
GROUP_POST_FILES = r"groups/(?:group_posts_and_comments|your_posts_in_groups|your_posts_and_comments_in_groups)\.json"
GROUP_COMMENT_FILES = r"groups/your_comments_in_groups\.json"
CHECKIN_FILES = r"posts/check-ins\.json"
# 2024+: what you wrote on other people's profiles and on pages (a hospital's, a patient's), label_values style.
OTHER_PAGES_FILES = r"posts/posts_on_other_pages_and_profiles\.json"
# Album photos moved from `photos_and_videos/` (until 2020) to `posts/`.
ALBUM_FILES = r"(?:posts|photos_and_videos)/album/\d+\.json"
LOOSE_MEDIA_FILES = r"(?:posts|photos_and_videos)/(?:your_uncategorized_photos|your_videos)\.json"
PROFILE_FILES = r"profile_information/profile_information\.json"
# (pattern, relation, list keys): `_v2` keys since 2021, plain keys before.
CONNECTION_FILES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (r"(?:friends|friends_and_followers)/(?:your_)?friends\.json", "friend", ("friends_v2", "friends")),
    (r"(?:friends|friends_and_followers)/(?:sent_friend_requests|friend_requests_sent)\.json",
     "friend_request_sent", ("sent_requests_v2", "sent_requests")),
    (r"(?:friends|friends_and_followers)/(?:received_friend_requests|friend_requests_received)\.json",
     "friend_request_received", ("received_requests_v2", "received_requests")),
)
DATA_FILES = (POST_FILES, GROUP_POST_FILES, GROUP_COMMENT_FILES, COMMENT_FILES, CHECKIN_FILES, OTHER_PAGES_FILES, ALBUM_FILES,
              LOOSE_MEDIA_FILES)
FACEBOOK_MARKERS = (
    r"(?:your_facebook_activity|your_activity_across_facebook|this_profile's_activity_across_facebook)/.+\.json",
    PROFILE_FILES, *DATA_FILES, *(c[0] for c in CONNECTION_FILES),
)
_ERAS = (
    ("your_facebook_activity/", "facebook/2024–25 (your_facebook_activity/)"),
    ("this_profile's_activity_across_facebook/", "facebook/2025 profile (this_profile's_activity_across_facebook/)"),
    ("your_activity_across_facebook/", "facebook/2022–23 (your_activity_across_facebook/)"),
)
# Titles are written in the account's language; these English forms are a best effort.
_TIMELINE_TITLE = re.compile(r" wrote on (.+?)['’]s? timeline\.?$")
_COMMENT_TITLE = re.compile(r" (?:commented on|replied to) (.+?)['’]s? (?:[\w ]+)\.?$")
_GROUP_TITLE = re.compile(r" (?:posted|shared .+?|commented) in (.+?)\.?$")

# `status_updates` and `group_posts` are pre-2021 names; the 2019 group file nests its list one level deeper.
POST_KEYS = ("group_posts_v2", "group_posts", "status_updates")
MERGED = "another record of the same post (Facebook writes one per photo); merged into it"


_ACTIVITY_LOG = "https://www.facebook.com/me/allactivity/?category_key="


def activity_url(category: str) -> str:
    """The owner's activity log: the one Facebook page that lists a post the export gives no link for."""
    return _ACTIVITY_LOG + category


def _in_month(item: Item, tz: tzinfo | None) -> Item:
    """Open the activity log at the item's month as Facebook shows it: in the owner's zone, not UTC
    (a post at 20:00 on 31 December in New York is in January in UTC)."""
    if item.created_at is None or not item.url or not item.url.startswith(_ACTIVITY_LOG):
        return item
    local = item.created_at.astimezone(tz)
    return replace(item, url=f"{item.url}&year={local.year}&month={local.month}")


@dataclass(slots=True)
class _Seen:
    """Timestamps and photos of posts already imported, so check-ins and albums do not repeat them."""

    stamps: set[int] = field(default_factory=set)
    uris: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _Draft:
    """One post record, before records of the same post (one per photo) are merged."""

    source: str
    stamp: int | None
    title: str
    text: str
    descriptions: list[str] = field(default_factory=list)
    media: list[Media] = field(default_factory=list)
    place: Place | None = None
    link: str = ""


class FacebookImporter:
    platform: ClassVar[Platform] = Platform.FACEBOOK

    def detect(self, archive: Archive) -> Detection | None:
        names = archive.names()
        if not has_marker(names, FACEBOOK_MARKERS) and not _only_facebook_threads(archive, names):
            return None
        members = tuple(n for pattern in (*DATA_FILES, MESSAGE_FILES) for n in find(archive, pattern))
        return Detection(_layout(names), members)

    def iter_events(self, archive: Archive, found: Detection, tz: tzinfo | None = None) -> Iterator[ImportEvent]:
        for event in self._events(archive):
            yield _in_month(event, tz) if isinstance(event, Item) else event

    def _events(self, archive: Archive) -> Iterator[ImportEvent]:
        account, owner_names, problems = _account(archive)
        yield account
        yield from problems
        user = account.username
        seen = _Seen()
        # Group files first: a group post also listed among the posts keeps its group audience.
        yield from self._groups(archive, user, seen)
        yield from self._posts(archive, find(archive, POST_FILES), user, seen)
        yield from self._checkins(archive, user, seen.stamps)
        yield from self._other_pages(archive, user, seen.stamps)
        yield from self._photos(archive, user, seen.uris)
        for name in find(archive, COMMENT_FILES):
            yield from self._comments(archive, name, user, Audience.UNKNOWN)
        context = MessageContext(Platform.FACEBOOK, owner_names, user, lambda _folder: "https://www.facebook.com/messages/")
        yield from MessageReader(archive, context).events()
        yield from _connections(archive)

    # posts

    def _posts(
        self, archive: Archive, names: list[str], user: str | None, seen: _Seen,
        kind: Kind = Kind.POST, audience: Audience = Audience.FRIENDS,
    ) -> Iterator[ImportEvent]:
        """Posts of every file, merged by (timestamp, text) since a post with several photos is several records."""
        posts: dict[tuple[Any, ...], list[_Draft]] = {}
        for name in names:
            for event in meta_records(archive, name, POST_KEYS):
                if not isinstance(event, tuple):
                    yield event
                    continue
                index, record = event
                if _comment_of(record) is not None:
                    # 2019 group files list the owner's group comments among the posts.
                    yield _comment_item(record, name, user, audience)
                    continue
                draft = _draft(record, name)
                if draft is None:
                    yield Skip(name, "post record with an unexpected shape")
                    continue
                key = (draft.stamp, draft.text) if draft.stamp else (name, index)
                posts.setdefault(key, []).append(draft)
        for drafts in posts.values():
            yield from _post_item(drafts, user, kind, audience)
            seen.stamps.update(d.stamp for d in drafts if d.stamp)
            seen.uris.update(m.uri for d in drafts for m in d.media)

    def _groups(self, archive: Archive, user: str | None, seen: _Seen) -> Iterator[ImportEvent]:
        """Posts and comments in groups; a closed group is still read by every member."""
        yield from self._posts(archive, find(archive, GROUP_POST_FILES), user, seen, Kind.GROUP_POST, Audience.GROUP)
        for name in find(archive, GROUP_COMMENT_FILES):
            yield from self._comments(archive, name, user, Audience.GROUP)

    def _checkins(self, archive: Archive, user: str | None, stamps: set[int]) -> Iterator[ImportEvent]:
        """2024+ `check-ins.json` (label_values); most are also posts and were imported from there."""
        yield from _beside_posts(archive, CHECKIN_FILES, ("checkins_v2", "check_ins_v2"), stamps,
                                 lambda r, name: _checkin_item(r, name, user), shape="check-in record with an unexpected shape",
                                 repeat="same check-in as a post, imported from your posts")

    def _other_pages(self, archive: Archive, user: str | None, stamps: set[int]) -> Iterator[ImportEvent]:
        """Posts on other profiles and pages; older exports list them among your posts, imported from there."""
        yield from _beside_posts(archive, OTHER_PAGES_FILES, ("posts_on_other_pages_and_profiles_v2", "wall_posts_sent_to_others_v2"),
                                 stamps, lambda r, name: _other_page_item(r, name, user), shape="post record with an unexpected shape",
                                 repeat="same post as one in your posts, imported from there")

    def _photos(self, archive: Archive, user: str | None, post_uris: set[str]) -> Iterator[ImportEvent]:
        """Captions written on album photos and videos; a photo that belongs to a post came with the post."""
        for name in find(archive, ALBUM_FILES) + find(archive, LOOSE_MEDIA_FILES):
            keys = ("photos", "other_photos_v2", "other_photos", "videos_v2", "videos")
            for event in meta_records(archive, name, keys):
                if not isinstance(event, tuple):
                    yield event
                    continue
                yield _photo_item(event[1], name, user, post_uris)

    def _comments(self, archive: Archive, name: str, user: str | None, audience: Audience) -> Iterator[ImportEvent]:
        keys = ("comments_v2", "group_comments_v2", "comments", "group_comments")
        for event in meta_records(archive, name, keys):
            yield _comment_item(event[1], name, user, audience) if isinstance(event, tuple) else event


def _only_facebook_threads(archive: Archive, names: list[str]) -> bool:
    """A part of a split export holding only Messenger threads: Facebook's, unless Instagram's name is on it."""
    if has_marker(names, INSTAGRAM_MARKERS):
        return False
    threads = find(archive, MESSAGE_FILES)
    return bool(threads) and download_brand(archive, threads[:1]) != Platform.INSTAGRAM


def _layout(names: list[str]) -> str:
    for folder, layout in _ERAS:
        if any(folder in n for n in names):
            return layout
    if any(n.startswith(("comments_and_reactions/", "friends_and_followers/")) or "/comments_and_reactions/" in n for n in names):
        return "facebook/2021–22 (posts/ and comments_and_reactions/ at the root)"
    if has_marker(names, FACEBOOK_MARKERS):
        return "facebook/2018–2020 (posts/ and comments/ at the root)"
    return "facebook/messages only (messages/<section>/<thread>/message_N.json)"


# account and connections

def owner(archive: Archive) -> AccountInfo:
    """The profile's facts alone: enough to tell two people's exports apart before anything is imported."""
    return _account(archive)[0]


def _account(archive: Archive) -> tuple[AccountInfo, frozenset[str], list[Skip]]:
    """Owner facts from profile_information.json (`profile_v2` since 2021, `profile` before)."""
    problems: list[Skip] = []
    for name in find(archive, PROFILE_FILES):
        try:
            data = load_meta(archive, name)
        except BadFile as exc:
            problems.append(Skip(name, f"file not readable: {exc}"))
            continue
        profile = (data.get("profile_v2") or data.get("profile")) if isinstance(data, dict) else None
        if isinstance(profile, dict):
            return _account_from(profile), _owner_names(profile), problems
    return AccountInfo(Platform.FACEBOOK), frozenset(), problems


def _account_from(profile: dict[str, Any]) -> AccountInfo:
    name = profile.get("name")
    full = text_of(name.get("full_name") if isinstance(name, dict) else name) or None
    user_id, vanity = _profile_uri(text_of(profile.get("profile_uri")))
    bio = profile.get("intro_bio") or profile.get("about_me") or profile.get("bio")
    if isinstance(bio, dict):
        bio = bio.get("bio") or bio.get("name") or bio.get("value")
    city = profile.get("current_city")
    location = text_of(city.get("name") if isinstance(city, dict) else city) or None
    return AccountInfo(
        Platform.FACEBOOK,
        username=text_of(profile.get("username")) or vanity,
        display_name=full,
        user_id=user_id,
        bio=text_of(bio) or None,
        location=location,
    )


def _profile_uri(uri: str) -> tuple[str | None, str | None]:
    """(numeric id, vanity name) from `https://www.facebook.com/profile.php?id=…` or `https://www.facebook.com/<name>`."""
    try:
        parsed = urlparse(uri)
    except ValueError:
        return None, None
    path = parsed.path.strip("/")
    return (parse_qs(parsed.query).get("id") or [None])[0], path if path not in ("", "profile.php") else None


def _owner_names(profile: dict[str, Any]) -> frozenset[str]:
    """Every name the owner's messages may be signed with: the current one and earlier ones."""
    name = profile.get("name")
    names = {text_of(name.get("full_name") if isinstance(name, dict) else name)}
    if isinstance(name, dict):
        # Messenger signs with first and last name; full_name may carry a middle name too.
        names.add(f"{text_of(name.get('first_name'))} {text_of(name.get('last_name'))}".strip())
    for key in ("previous_names", "other_names"):
        names.update(text_of(n.get("name")) for n in dicts(profile.get(key)))
    return frozenset(n for n in names if n)


def _connections(archive: Archive) -> Iterator[ImportEvent]:
    """Friends and friend requests; patients and nurses often sit among them."""
    for pattern, relation, keys in CONNECTION_FILES:
        for name in find(archive, pattern):
            for event in meta_records(archive, name, keys):
                if isinstance(event, Skip):
                    yield event
                elif isinstance(event, tuple) and isinstance(event[1], dict) and text_of(event[1].get("name")):
                    person = event[1]
                    yield Connection(Platform.FACEBOOK, text_of(person["name"]), relation, from_unix(person.get("timestamp")))


# records to items

def as_stamp(value: Any) -> int | None:
    moment = from_unix(value)
    return int(moment.timestamp()) if moment else None


def _draft(record: Any, source: str) -> _Draft | None:
    """The parts of a post record; None for a comment or an unknown shape."""
    if not isinstance(record, dict) or _comment_of(record) is not None:
        return None
    texts = [text_of(d.get("post")) for d in dicts(record.get("data"))]
    draft = _Draft(source, as_stamp(record.get("timestamp")), text_of(record.get("title")), "\n\n".join(t for t in texts if t))
    for attachment in dicts(record.get("attachments")):
        for part in dicts(attachment.get("data")):
            _add_attachment(draft, part)
    return draft


def _add_attachment(draft: _Draft, part: dict[str, Any]) -> None:
    media = media_of(part.get("media"))
    if media is not None:
        draft.media.append(media)
        description = text_of(part["media"].get("description"))
        if description:
            draft.descriptions.append(description)
    place = place_of(part.get("place"))
    if place is not None and draft.place is None:
        draft.place = place
    context = part.get("external_context")
    if isinstance(context, dict) and not draft.link:
        draft.link = text_of(context.get("url"))


def _post_item(drafts: list[_Draft], user: str | None, kind: Kind, audience: Audience) -> Iterator[Item | Skip]:
    first = drafts[0]
    text = _post_text(drafts)
    media = tuple({m.uri: m for d in drafts for m in d.media}.values())
    place = next((d.place for d in drafts if d.place), None)
    if not text and not media and not place:
        for draft in drafts:
            yield Skip(draft.source, "post without text, photo, link or place (a life event or profile change)", error=False)
        return
    created = from_unix(first.stamp)
    if kind == Kind.POST and place is not None:
        kind = Kind.CHECKIN
    wall = _TIMELINE_TITLE.search(first.title)
    group = _GROUP_TITLE.search(first.title) if audience == Audience.GROUP else None
    yield Item(
        platform=Platform.FACEBOOK,
        item_id=short_id("post", first.stamp, text),
        kind=kind,
        text=text,
        created_at=created,
        source=first.source,
        url=activity_url("GROUPPOSTS" if audience == Audience.GROUP else "MANAGEPOSTSPHOTOSANDVIDEOS"),
        audience=audience,
        account=user,
        counterpart=wall.group(1) if wall else None,
        conversation=group.group(1) if group else None,
        media=media,
        place=place,
    )
    for draft in drafts[1:]:
        yield Skip(draft.source, MERGED, error=False)


def _post_text(drafts: list[_Draft]) -> str:
    """The post's words, then any photo caption that says something else; a shared link when that is all."""
    main = drafts[0].text
    extra: list[str] = []
    for description in (d for draft in drafts for d in draft.descriptions):
        if description != main and description not in extra:
            extra.append(description)
    text = "\n\n".join(t for t in (main, *extra) if t)
    return text or next((d.link for d in drafts if d.link), "")


def _comment_of(record: Any) -> dict[str, Any] | None:
    if not isinstance(record, dict):
        return None
    return next((d["comment"] for d in dicts(record.get("data")) if isinstance(d.get("comment"), dict)), None)


def _comment_item(record: Any, source: str, user: str | None, audience: Audience) -> Item | Skip:
    comment = _comment_of(record)
    if comment is None:
        return Skip(source, "comment record with an unexpected shape")
    text = text_of(comment.get("comment"))
    media = tuple(
        m for a in dicts(record.get("attachments")) for p in dicts(a.get("data")) if (m := media_of(p.get("media"))) is not None
    )
    if not text and not media:
        return Skip(source, "comment with only a sticker or GIF", error=False)
    stamp = as_stamp(comment.get("timestamp")) or as_stamp(record.get("timestamp"))
    created = from_unix(stamp)
    group = text_of(comment.get("group")) or None
    owner = _COMMENT_TITLE.search(text_of(record.get("title")))
    return Item(
        platform=Platform.FACEBOOK,
        item_id=short_id("comment", stamp, text),
        kind=Kind.COMMENT,
        text=text,
        created_at=created,
        source=source,
        url=activity_url("COMMENTSCLUSTER"),
        # A comment in a group, even a closed one, is read by every member.
        audience=Audience.GROUP if group else audience,
        account=user,
        counterpart=owner.group(1) if owner else None,
        conversation=group,
        media=media,
    )


def _beside_posts(archive: Archive, pattern: str, keys: tuple[str, ...], stamps: set[int],
                  item: Callable[[dict[str, Any], str], Item | Skip], *, shape: str, repeat: str) -> Iterator[ImportEvent]:
    """Records of a label_values file that may repeat a post already imported (same timestamp): skipped as such."""
    for name in find(archive, pattern):
        for event in meta_records(archive, name, keys):
            if not isinstance(event, tuple):
                yield event
                continue
            record = event[1]
            if not isinstance(record, dict):
                yield Skip(name, shape)
            elif as_stamp(record.get("timestamp")) in stamps:
                yield Skip(name, repeat, error=False)
            else:
                yield item(record, name)


def _checkin_item(record: dict[str, Any], source: str, user: str | None) -> Item | Skip:
    """A 2024+ label_values check-in: `Message`, `Place tags` {Name, Address, Coordinates}, `URL`."""
    text, url, stamp = "", None, as_stamp(record.get("timestamp"))
    place: dict[str, str] = {}
    for label in dicts(record.get("label_values")):
        key = text_of(label.get("label")) or text_of(label.get("title"))
        if key == "Message":
            text = text_of(label.get("value"))
        elif key == "URL":
            url = text_of(label.get("href")) or text_of(label.get("value")) or None
        elif key == "Visit time" and not stamp:
            stamp = as_stamp(label.get("timestamp_value"))
        for entry in dicts(label.get("dict")):
            place.setdefault(text_of(entry.get("label")), text_of(entry.get("value")))
    lat, lon = parse_coordinates(place.get("Coordinates"))
    name = place.get("Name") or place.get("Place name") or ""
    if not text and not name:
        return Skip(source, "check-in without a message or a place", error=False)
    created = from_unix(stamp)
    fbid = text_of(record.get("fbid"))
    return Item(
        platform=Platform.FACEBOOK,
        item_id=f"checkin-{fbid}" if fbid else short_id("post", stamp, text),
        kind=Kind.CHECKIN,
        text=text,
        created_at=created,
        source=source,
        url=url or activity_url("MANAGEPOSTSPHOTOSANDVIDEOS"),
        audience=Audience.FRIENDS,
        account=user,
        place=Place(name or place.get("Address", ""), lat, lon, place.get("Address") or None) if name or lat is not None else None,
    )


def _other_page_item(record: dict[str, Any], source: str, user: str | None) -> Item | Skip:
    """`Message` is the text and `Target` where it was posted. Labels are written in the account's
    language, so without an English `Message` the longest text value stands in for it."""
    values: dict[str, str] = {}
    for label in dicts(record.get("label_values")):
        key, value = text_of(label.get("label")), text_of(label.get("value"))
        if key and value:
            values.setdefault(key, value)
    text = values.get("Message") or max(values.values(), key=len, default="")
    if not text:
        return Skip(source, "post on another page without text", error=False)
    stamp = as_stamp(record.get("timestamp"))
    created = from_unix(stamp)
    fbid = text_of(record.get("fbid"))
    target = values.get("Target") or values.get("Posted on") or None
    return Item(
        platform=Platform.FACEBOOK,
        item_id=f"other-{fbid}" if fbid.isdigit() else short_id("other", stamp, text),
        kind=Kind.POST,
        text=text,
        created_at=created,
        source=source,
        url=activity_url("MANAGEPOSTSPHOTOSANDVIDEOS"),
        # A page or someone else's profile shows it to that page's or person's audience, not yours.
        audience=Audience.UNKNOWN,
        account=user,
        counterpart=target if target != text else None,
        media=tuple(m for m in (media_of(x) for x in dicts(record.get("media"))) if m is not None),
    )


def _photo_item(record: Any, source: str, user: str | None, post_uris: set[str]) -> Item | Skip:
    media = media_of(record)
    if media is None:
        return Skip(source, "photo record without a file name")
    if media.uri in post_uris:
        return Skip(source, "photo of a post, imported with the post", error=False)
    text = text_of(record.get("description"))
    if not text:
        return Skip(source, "photo without a caption", error=False)
    created = from_unix(record.get("creation_timestamp"))
    return Item(
        platform=Platform.FACEBOOK,
        item_id=short_id("photo", media.uri),
        kind=Kind.CAPTION,
        text=text,
        created_at=created,
        source=source,
        url=activity_url("MANAGEPOSTSPHOTOSANDVIDEOS"),
        audience=Audience.FRIENDS,
        account=user,
        media=(media,),
    )
