"""The Instagram importer on every export layout, read from a zip, a wrapped zip and a folder."""

from __future__ import annotations

import zipfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import importing
import pytest
from damage import damaged_copy
from importing import LAYOUT_FORMS, by_text, later_download, layout_opener, skips, unaccounted

import importers
from audit.archive import Archive
from audit.model import AccountInfo, Audience, Connection, FileRead, Item, Kind, Media, Place, Platform
from audit.pipeline import open_inputs
from importers.facebook import FacebookImporter
from importers.instagram import COMMENTS_URL, STORIES_URL, InstagramImporter
from importers.meta import load_meta, short_id

A = "your_instagram_activity/"
RILEY = A + "messages/inbox/rileychen_17841400000000001"
LAYOUTS = {
    "2025": "instagram/2025 (your_instagram_activity/media/)",
    "2024": "instagram/2024 (your_instagram_activity/content/)",
    "2022": "instagram/2021–23 (content/posts_N.json at the root)",
    "2018": "instagram/2018–2020 (media.json)",
}


def when(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def events_of(*paths: Path) -> list[object]:
    return importing.events_of(InstagramImporter, *paths)


@pytest.fixture(params=LAYOUT_FORMS)
def open_layout(request, make_zip, fixtures):
    return layout_opener(request.param, make_zip, fixtures, "instagram", "instagram-sunny.rn-2025-02-20-XyZ12345/")


@pytest.fixture
def ig2025(open_layout) -> list[object]:
    return events_of(open_layout("2025"))


# detection

@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_each_layout_is_detected(layout, open_layout):
    with Archive([open_layout(layout)]) as archive:
        chosen = importers.choose(archive)
        assert FacebookImporter().detect(archive) is None
    assert chosen is not None
    assert isinstance(chosen[0], InstagramImporter)
    assert chosen[1].layout == LAYOUTS[layout]


@pytest.mark.parametrize("layout", ["facebook/2024", "facebook/2019", "x/2024"])
def test_other_exports_are_not_taken_for_instagram(layout, fixtures):
    with Archive([fixtures / layout]) as archive:
        assert InstagramImporter().detect(archive) is None


def test_html_export_is_rejected_with_a_json_hint(open_layout):
    with Archive([open_layout("html")]) as archive:
        assert InstagramImporter().detect(archive) is None
        assert importers.choose(archive) is None
        message = importers.why_unknown(archive)
    assert "HTML" in message and "JSON" in message


# account and connections

@pytest.mark.parametrize(("layout", "expected"), [
    ("2025", AccountInfo(Platform.INSTAGRAM, username="sunny.rn", display_name="Sunny Park",
                         bio="RN at St. Luke’s 🏥 | views my own", protected=False)),
    ("2024", AccountInfo(Platform.INSTAGRAM, username="quinn.np", display_name="Quinn Ng", protected=True)),
    ("2018", AccountInfo(Platform.INSTAGRAM, username="old.nurse.acct", display_name="Jess Tran",
                         bio="Nursing student 📚", protected=False)),
])
def test_account_comes_first(layout, expected, open_layout):
    assert events_of(open_layout(layout))[0] == expected


def test_followers_and_following_by_value_or_title(ig2025):
    assert [e for e in ig2025 if isinstance(e, Connection)] == [
        Connection(Platform.INSTAGRAM, "riley.chen", "follower", when(2024, 10, 27, 3, 33, 20)),
        Connection(Platform.INSTAGRAM, "jo.stranger", "follower", when(2025, 1, 19, 15, 20)),
        Connection(Platform.INSTAGRAM, "nurse.memes", "following", when(2024, 11, 7, 17, 20)),
        Connection(Platform.INSTAGRAM, "st.lukes.hospital", "following", when(2024, 11, 19, 7, 6, 40)),
    ]


# posts, stories, reels

def test_carousel_caption_is_the_top_level_title(ig2025):
    text = "Night shift squad 🌙 can’t wait for spring"
    assert by_text(ig2025)[text] == Item(
        platform=Platform.INSTAGRAM,
        item_id=short_id("post", when(2025, 1, 10, 9, 6, 45), text, ""),
        kind=Kind.CAPTION,
        text=text,
        created_at=when(2025, 1, 10, 9, 6, 45),
        source=A + "media/posts_1.json",
        url="https://www.instagram.com/sunny.rn/",
        audience=Audience.PUBLIC,
        account="sunny.rn",
        media=(Media("media/posts/202501/aaa.jpg"), Media("media/posts/202501/bbb.jpg")),
    )


def test_single_photo_caption_and_exif(ig2025):
    post = by_text(ig2025)["Café break between codes ☕"]
    assert post.created_at == when(2025, 2, 8, 7, 33, 20)
    camera = "Apple iPhone 15 back camera"
    assert post.media == (Media("media/posts/202502/ccc.jpg", "photo", when(2025, 2, 8, 6, 30), 40.7128, -74.006, camera),)


def test_media_written_as_one_object_and_post_without_caption(ig2025):
    video = by_text(ig2025)["Patient transport drill 🚑"]
    assert video.media == (Media("media/posts/202503/ddd.mp4", "video"),)
    bare = [e for e in ig2025 if isinstance(e, Item) and e.kind == Kind.CAPTION and not e.text]
    assert [(b.created_at, b.media) for b in bare] == [(when(2025, 4, 1, 9, 33, 20), (Media("media/posts/202504/eee.jpg"),))]


def test_stories_reels_archived_and_deleted(ig2025):
    items = by_text(ig2025)
    story = items["3am vibes 😵"]
    assert (story.kind, story.url, story.audience, story.media) == (
        Kind.STORY, STORIES_URL, Audience.PUBLIC, (Media("media/stories/202501/s1.mp4", "video"),))
    reel = items["Day in the life of an ER nurse 🩺"]
    assert (reel.kind, reel.url, reel.created_at) == (Kind.REEL, "https://www.instagram.com/sunny.rn/reels/", when(2025, 2, 14, 2, 26, 40))
    archived = items["Throwback to clinicals, the patient in 3B was a legend"]
    assert (archived.kind, archived.audience) == (Kind.CAPTION, Audience.ONLY_ME)
    deleted = skips(ig2025, A + "media/recently_deleted_content.json")
    assert [(s.count, s.error) for s in deleted] == [(2, False)]


def test_threads_posts_and_replies(ig2025):
    source = A + "threads/threads_and_replies.json"
    post = by_text(ig2025)["Hot take: 12-hour shifts are too long 🔥"]
    assert post == Item(
        platform=Platform.INSTAGRAM,
        item_id=short_id("threads", when(2025, 2, 21, 1, 6, 40), post.text, ""),
        kind=Kind.POST,
        text=post.text,
        created_at=when(2025, 2, 21, 1, 6, 40),
        source=source,
        url="https://www.threads.net/@sunny.rn",
        audience=Audience.PUBLIC,
        account="sunny.rn",
    )
    assert by_text(ig2025)["Agreed, our unit tried 8s and loved it"].kind == Kind.REPLY


def test_igtv_and_other_content(open_layout):
    events = events_of(open_layout("2024"))
    video = by_text(events)["How I study for pharmacology 📖"]
    assert (video.kind, video.source, video.media) == (
        Kind.CAPTION, A + "content/igtv_videos.json", (Media("media/igtv/202402/tv.mp4", "video"),))
    other = [e for e in events if isinstance(e, Item) and e.source == A + "content/other_content.json"]
    assert [(o.text, o.media) for o in other] == [("", (Media("media/other/202402/o.jpg"),))]


def test_private_account_posts_reach_followers(open_layout):
    events = events_of(open_layout("2024"))
    assert {e.audience for e in events if isinstance(e, Item) and e.kind in (Kind.CAPTION, Kind.STORY)} == {Audience.FOLLOWERS}
    assert by_text(events)["Finally passed my boards!! 🎉"].source == A + "content/posts_1.json"


# comments

def test_comments_array_with_time_and_reels_comments(ig2025):
    comment = by_text(ig2025)["So proud of you!! 😍"]
    assert comment == Item(
        platform=Platform.INSTAGRAM,
        item_id=short_id("comment", when(2025, 1, 16, 4), "So proud of you!! 😍"),
        kind=Kind.COMMENT,
        text="So proud of you!! 😍",
        created_at=when(2025, 1, 16, 4),
        source=A + "comments/post_comments_1.json",
        url=COMMENTS_URL,
        account="sunny.rn",
        counterpart="riley.chen",
    )
    reel = by_text(ig2025)["This is so accurate 😂"]
    assert (reel.source, reel.counterpart, reel.created_at) == (
        A + "comments/reels_comments.json", "nurse.memes", when(2025, 1, 27, 17, 46, 40))
    assert [s.reason for s in skips(ig2025, A + "comments/post_comments_1.json")] == ["comment without text"]


def test_comments_file_with_a_single_object(open_layout):
    comment = by_text(events_of(open_layout("2024")))["Thank you all 🙏"]
    assert (comment.kind, comment.counterpart, comment.created_at) == (Kind.COMMENT, "quinn.np", when(2024, 3, 10, 19, 46, 40))


def test_2022_comments_and_broken_stories_file(open_layout):
    events = events_of(open_layout("2022"))
    comment = by_text(events)["Great shot 📸"]
    assert (comment.source, comment.counterpart, comment.created_at) == (
        "comments/post_comments.json", "friend.account", when(2022, 6, 23, 16))
    broken = [s for s in skips(events) if s.reason.startswith("file not readable")]
    assert [(s.source, s.error) for s in broken] == [("content/stories.json", True)]
    assert by_text(events)["First week of residency ✔️"].audience == Audience.PUBLIC


# messages

def test_sent_and_received_messages(ig2025):
    items = by_text(ig2025)
    received = "My blood pressure was 150/95 this morning, should I worry?"
    assert items[received] == Item(
        platform=Platform.INSTAGRAM,
        item_id=short_id("dm", "rileychen_17841400000000001", 1737100100000, "Riley Chen", received),
        kind=Kind.DM_RECEIVED,
        text=received,
        created_at=when(2025, 1, 17, 7, 48, 20),
        source=RILEY + "/message_1.json",
        url="https://www.instagram.com/direct/inbox/",
        audience=Audience.PRIVATE_MESSAGE,
        account="sunny.rn",
        counterpart="Riley Chen",
        conversation=RILEY,
    )
    assert (items["Ok I’ll check"].kind, items["Ok I’ll check"].counterpart) == (Kind.DM, "Riley Chen")
    assert items["https://www.instagram.com/reel/Cxyz123/"].kind == Kind.DM_RECEIVED
    assert [s.reason for s in skips(ig2025, RILEY + "/message_1.json")] == ["reaction to a message, not a message"]
    request = items["Hi! Were you my nurse at St. Luke’s last week?"]
    assert (request.kind, request.counterpart, request.url) == (Kind.DM_RECEIVED, "Jo Stranger", "https://www.instagram.com/direct/requests/")


def test_2022_messages_use_the_display_name(open_layout):
    items = by_text(events_of(open_layout("2022")))
    assert items["Go to urgent care if it gets worse"].kind == Kind.DM
    assert items["My ankle is still swollen 😕"].kind == Kind.DM_RECEIVED


# 2018–2020

def test_2018_media_json(open_layout):
    events = events_of(open_layout("2018"))
    post = by_text(events)["Clinical rotation #1 done! 💪"]
    assert post == Item(
        platform=Platform.INSTAGRAM,
        item_id=short_id("post", when(2018, 5, 1, 12), "Clinical rotation #1 done! 💪", ""),
        kind=Kind.CAPTION,
        text="Clinical rotation #1 done! 💪",
        created_at=when(2018, 5, 1, 12),
        source="media.json",
        url="https://www.instagram.com/old.nurse.acct/",
        audience=Audience.PUBLIC,
        account="old.nurse.acct",
        media=(Media("photos/201805/a.jpg"), Media("photos/201805/b.jpg")),
        place=Place("St. Mary’s Hospital"),
    )
    assert by_text(events)["Skills lab 🎥"].media == (Media("videos/201807/v.mp4", "video"),)
    assert sorted(s.reason for s in skips(events, "media.json")) == [
        "another photo of the same post; merged into it",
        "photo sent in a direct message (the messages are read from messages.json)",
        "profile photo, not a post",
    ]
    kinds = Counter(e.kind for e in events if isinstance(e, Item) and e.source == "media.json")
    assert kinds == {Kind.CAPTION: 3, Kind.STORY: 1}


def test_2018_comments_messages_and_connections(open_layout):
    events = events_of(open_layout("2018"))
    comment = by_text(events)["Thanks everyone! ❤️"]
    assert (comment.source, comment.counterpart, comment.created_at) == ("comments.json", "best.friend", when(2018, 5, 2, 9))
    sent, received = by_text(events)["Send a pic"], by_text(events)["Can you check my wound? lol"]
    assert (sent.kind, sent.counterpart, sent.created_at) == (Kind.DM, "best.friend", when(2018, 5, 3, 10, 5))
    assert (received.kind, received.counterpart) == (Kind.DM_RECEIVED, "best.friend")
    assert [(c.name, c.relation) for c in events if isinstance(c, Connection)] == [
        ("best.friend", "follower"), ("best.friend", "following"), ("nursing.school", "following")]


# every layout

@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_record_is_accounted_for(layout, open_layout):
    events = events_of(open_layout(layout))
    assert any(isinstance(e, FileRead) for e in events)
    assert unaccounted(events) == {}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_items_are_clean_and_ids_unique(layout, open_layout):
    items = [e for e in events_of(open_layout(layout)) if isinstance(e, Item)]
    assert items
    assert len({i.item_id for i in items}) == len(items)
    for item in items:
        assert item.platform == Platform.INSTAGRAM
        assert item.created_at is not None and item.created_at.tzinfo == UTC
        assert item.url and item.url.startswith(("https://www.instagram.com/", "https://www.threads.net/"))
        assert not any(bad in item.text for bad in ("â€", "Ã", "ð\u009f")), item.text


def _split(folder: Path, dest: Path, keep) -> Path:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(dest, "w") as zf:
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder).as_posix()
            if path.is_file() and keep(name):
                zf.write(path, name)
    return dest


def test_json_and_media_in_separate_zips(tmp_path, fixtures):
    folder = fixtures / "instagram/2025"
    json_part = _split(folder, tmp_path / "instagram-sunny.rn-2025-02-20-json.zip", lambda n: n.endswith(".json"))
    media_part = _split(folder, tmp_path / "instagram-sunny.rn-2025-02-20-media.zip", lambda n: not n.endswith(".json"))
    with Archive([media_part]) as archive:
        assert InstagramImporter().detect(archive) is None and importers.is_media_only(archive)
    whole = [e for e in events_of(folder) if isinstance(e, Item)]
    assert [e for e in events_of(json_part, media_part) if isinstance(e, Item)] == whole


def test_part_with_only_messages_is_instagrams(tmp_path, fixtures):
    """All its members sit under `your_instagram_activity/`, an export folder the archive keeps, so the path tells."""
    folder = fixtures / "instagram/2025"
    rest = _split(folder, tmp_path / "instagram-sunny.rn-2025-02-20-part1.zip", lambda n: "/messages/" not in n)
    threads = _split(folder, tmp_path / "instagram-sunny.rn-2025-02-20-part2.zip", lambda n: "/messages/" in n)
    with Archive([threads]) as archive:
        assert FacebookImporter().detect(archive) is None
        found = InstagramImporter().detect(archive)
    assert found is not None and found.layout.startswith("instagram/")
    opened = open_inputs([str(rest), str(threads)])
    try:
        assert [(type(i).__name__, inputs) for i, _, _, inputs in opened] == [("InstagramImporter", [str(rest), str(threads)])]
    finally:
        for _, _, archive, _ in opened:
            archive.close()
    events = events_of(rest, threads)
    kinds = {e.text: e.kind for e in events if isinstance(e, Item) and e.audience == Audience.PRIVATE_MESSAGE}
    assert kinds["Ok I’ll check"] == Kind.DM
    assert unaccounted(events) == {}


# the real sample files, when this machine has them

SAMPLE_PATHS = {  # where each sample sat in its export (../shared/samples/README.md)
    "followers_1.json": "connections/followers_and_following/followers_1.json",
    "following.json": "connections/followers_and_following/following.json",
    "liked_posts.json": "your_instagram_activity/likes/liked_posts.json",
    "personal_information.json": "personal_information/personal_information/personal_information.json",
}


def test_shared_samples(shared_samples, tmp_path):
    """The sanitised 2025 test export, rebuilt in its real layout in a temporary folder (never copied into the repo)."""
    for name, path in SAMPLE_PATHS.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes((shared_samples / "instagram" / name).read_bytes())
    with Archive([tmp_path]) as archive:
        likes = load_meta(archive, SAMPLE_PATHS["liked_posts.json"])
        assert likes["likes_media_likes"][0]["string_list_data"][0]["value"] == "👍"
    events = events_of(tmp_path)
    assert events[0] == AccountInfo(Platform.INSTAGRAM, username="bla", display_name="bla", protected=True)
    connections = [(c.name, c.relation) for c in events if isinstance(c, Connection)]
    assert connections == [("test", "follower"), ("bsc", "follower"), ("bsc", "follower"), ("test", "following"), ("bsc", "following")]
    # The sanitised following.json cut its timestamps to 8 digits: those dates are dropped, not invented.
    assert [c.since for c in events if isinstance(c, Connection) and c.relation == "following"] == [None, None]
    assert not skips(events)


# malformed data

SCHEMA_KEYS = (
    "media", "uri", "title", "creation_timestamp", "media_metadata", "photo_metadata", "video_metadata", "exif_data",
    "latitude", "longitude", "date_time_original", "string_map_data", "string_list_data", "Comment", "Media Owner", "Time",
    "value", "timestamp", "href", "sender_name", "timestamp_ms", "content", "share", "link", "participants", "text_app_post",
    "is_reply", "profile_user", "Username", "Name", "Private Account", "caption", "taken_at", "path", "location",
)
@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("layout", ("instagram/2025", "instagram/2018"))
def test_damaged_records_never_stop_the_import(layout, seed, fixtures, tmp_path):
    """A real layout with records damaged at random: items and skips come out, never an exception, and no record is lost."""
    events = events_of(damaged_copy(fixtures / layout, tmp_path, seed, SCHEMA_KEYS))
    assert isinstance(events[0], AccountInfo)
    assert unaccounted(events) == {}
    for item in (e for e in events if isinstance(e, Item)):
        assert isinstance(item.text, str)
        assert item.created_at is None or item.created_at.tzinfo == UTC


def test_an_export_without_posts_does_not_claim_a_posts_folder():
    from importers.instagram import _layout

    names = ["your_instagram_activity/likes/liked_posts.json", "personal_information/personal_information/personal_information.json"]
    assert _layout(names) == "instagram/2024–25 (your_instagram_activity/, no posts)"


def test_your_messages_in_a_chat_you_left_and_shared_captions_and_undated_comments(fixtures, tmp_path):
    import json
    import shutil

    copy = tmp_path / "ig"
    shutil.copytree(fixtures / "instagram" / "2025", copy)
    left = copy / "your_instagram_activity" / "messages" / "inbox" / "nightshift_1784"
    left.mkdir()
    (left / "message_1.json").write_text(json.dumps({
        "participants": [{"name": "Riley Chen"}, {"name": "Jo Lee"}], "title": "Night shift crew", "is_still_participant": False,
        "messages": [
            {"sender_name": "Sunny Park", "timestamp_ms": 1737200000000, "content": "Bed 4 coded again lol"},
            {"sender_name": "Jo Lee", "timestamp_ms": 1737100000000, "content": "",
             "share": {"link": "https://www.instagram.com/p/abc/", "share_text": "someone else's caption", "original_content_owner": "x"}},
        ]}))
    comments = copy / "your_instagram_activity" / "comments" / "post_comments_1.json"
    rows = json.loads(comments.read_text())
    rows += [{"string_map_data": {"Comment": {"value": "\u00f0\u009f\u0094\u00a5"}, "Media Owner": {"value": owner}}}
             for owner in ("a.user", "b.user")]
    comments.write_text(json.dumps(rows))
    events = events_of(copy)
    items = by_text(events)
    mine = items["Bed 4 coded again lol"]
    assert (mine.kind, mine.counterpart) == (Kind.DM, "Night shift crew")  # the profile's name, though no longer a participant
    shared = items["https://www.instagram.com/p/abc/"]
    assert shared.kind == Kind.DM_RECEIVED and "someone else's caption" not in items
    fire = [e for e in events if isinstance(e, Item) and e.text == "🔥"]
    assert sorted(c.counterpart for c in fire) == ["a.user", "b.user"]
    assert unaccounted(events) == {}


def test_a_2018_photo_without_a_date_keeps_its_caption(tmp_path):
    import json

    root = tmp_path / "ig2018"
    root.mkdir()
    (root / "media.json").write_text(json.dumps({"photos": [
        {"caption": "my patient in bed 4, no date on this one", "path": "photos/201805/a.jpg"},
        {"caption": "", "path": "photos/201805/b.jpg"}]}))
    (root / "profile.json").write_text(json.dumps({"username": "old.nurse", "name": "Old Nurse"}))
    texts = [e.text for e in events_of(root) if isinstance(e, Item)]
    assert "my patient in bed 4, no date on this one" in texts and len(texts) == 2


def test_a_carousel_takes_its_time_from_the_first_photo_that_has_one():
    from importers.instagram import _Owner, _post_item

    record = {"title": "ward party", "media": [{"uri": "media/a.jpg"}, {"uri": "media/b.jpg", "creation_timestamp": 1737000000}]}
    post = _post_item(record, "your_instagram_activity/media/posts_1.json", Kind.POST, "post", _Owner("sunny", Audience.PUBLIC))
    assert post.created_at == datetime.fromtimestamp(1737000000, UTC)


def test_a_later_download_of_a_2018_export_is_read_beside_the_first(make_zip, tmp_path, fixtures):
    # The 2018 layout's files sit in one folder, found by its media.json: a newer comments.json beside an
    # unchanged media.json was never read.
    older = make_zip("instagram/2018", name="sunny_20190101.zip")
    newer = later_download(older, tmp_path / "sunny_20200101.zip", {"comments.json": lambda c: {
        **c, "media_comments": [["2019-06-01T10:00:00", "Congrats on the new job!", "best.friend"], *c["media_comments"]]}})
    once, both = events_of(older), events_of(older, newer)
    items = [e.text for e in both if isinstance(e, Item)]
    assert sorted(items) == sorted([e.text for e in once if isinstance(e, Item)] + ["Thanks everyone! ❤️", "Congrats on the new job!"])
    assert unaccounted(both) == {}
    # Given folder and zip, the same download is one: nothing read twice.
    same = events_of(older, fixtures / "instagram/2018")
    assert [e for e in same if isinstance(e, Item)] == [e for e in once if isinstance(e, Item)]
