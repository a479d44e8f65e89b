"""The Facebook importer on every export layout, read from a zip, a wrapped zip and a folder."""

from __future__ import annotations

import zipfile
from collections import Counter
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import importing
import pytest
from damage import damaged_copy
from importing import LAYOUT_FORMS, by_text, layout_opener, skips, unaccounted

import importers
from audit.archive import Archive
from audit.model import AccountInfo, Audience, Connection, FileRead, Item, Kind, Media, Place, Platform
from audit.pipeline import open_inputs
from importers import parts
from importers.facebook import FacebookImporter
from importers.instagram import InstagramImporter
from importers.meta import short_id

A24 = "your_facebook_activity/"
POSTS24 = A24 + "posts/your_posts__check_ins__photos_and_videos_1.json"
SAM = A24 + "messages/inbox/samortiz_10158000000000001"
LAYOUTS = {
    "2024": "facebook/2024–25 (your_facebook_activity/)",
    "2022": "facebook/2022–23 (your_activity_across_facebook/)",
    "2021": "facebook/2021–22 (posts/ and comments_and_reactions/ at the root)",
    "2019": "facebook/2018–2020 (posts/ and comments/ at the root)",
    "2025_profile": "facebook/2025 profile (this_profile's_activity_across_facebook/)",
}


def when(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def log(category: str, year: int, month: int) -> str:
    return f"https://www.facebook.com/me/allactivity/?category_key={category}&year={year}&month={month}"


def events_of(*paths: Path, tz: tzinfo = UTC) -> list[object]:
    return importing.events_of(FacebookImporter, *paths, tz=tz)


@pytest.fixture(params=LAYOUT_FORMS)
def open_layout(request, make_zip, fixtures):
    return layout_opener(request.param, make_zip, fixtures, "facebook", "facebook-danawhitfield-2025-01-20-AbCdEfGh/")


@pytest.fixture
def fb2024(open_layout) -> list[object]:
    return events_of(open_layout("2024"))


# detection

@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_each_layout_is_detected(layout, open_layout):
    with Archive([open_layout(layout)]) as archive:
        chosen = importers.choose(archive)
    assert chosen is not None
    assert isinstance(chosen[0], FacebookImporter)
    assert chosen[1].layout == LAYOUTS[layout]


@pytest.mark.parametrize("layout", ["instagram/2025", "instagram/2024", "instagram/2022", "instagram/2018", "x/2024", "x/2019"])
def test_other_exports_are_not_taken_for_facebook(layout, fixtures):
    with Archive([fixtures / layout]) as archive:
        assert FacebookImporter().detect(archive) is None


def test_facebook_exports_are_not_taken_for_instagram(fixtures):
    for layout in LAYOUTS:
        with Archive([fixtures / "facebook" / layout]) as archive:
            assert InstagramImporter().detect(archive) is None


def test_html_export_is_rejected_with_a_json_hint(open_layout):
    with Archive([open_layout("html")]) as archive:
        assert FacebookImporter().detect(archive) is None
        assert InstagramImporter().detect(archive) is None
        assert importers.choose(archive) is None
        assert not importers.is_media_only(archive)
        message = importers.why_unknown(archive)
    assert "HTML" in message and "JSON" in message


# account and connections

def test_account_comes_first_with_the_owner(fb2024):
    assert fb2024[0] == AccountInfo(
        Platform.FACEBOOK, username="dana.whitfield", display_name="Dana Whitfield", location="Springfield, Illinois",
    )


def test_account_from_2021_profile_uri_and_2019_plain_name(open_layout):
    assert events_of(open_layout("2021"))[0] == AccountInfo(Platform.FACEBOOK, display_name="Jamie L. Rivera", user_id="100001234567890")
    assert events_of(open_layout("2019"))[0] == AccountInfo(Platform.FACEBOOK, username="chris.novak", display_name="Chris Novak")


@pytest.mark.parametrize(("layout", "expected"), [
    ("2024", [("Sam Ortiz", "friend", when(2020, 9, 13, 12, 26, 40)), ("Riley Chen", "friend", when(2022, 4, 15, 5, 20)),
              ("Amara Okafor", "friend_request_sent", when(2023, 11, 14, 22, 13, 20)),
              ("Pat Jones", "friend_request_received", when(2025, 1, 15, 0, 13, 20))]),
    ("2021", [("Sam Ortiz", "friend", when(2017, 7, 14, 2, 40)),
              ("Dr. Amara Okafor", "friend_request_sent", when(2021, 4, 9, 20, 26, 40)),
              ("Leslie Ward", "friend_request_received", when(2021, 3, 29, 6, 40))]),
    ("2019", [("Alex Kim", "friend", when(2014, 5, 13, 16, 53, 20)),
              ("Jo Bright", "friend_request_sent", when(2019, 2, 24, 9, 20)),
              ("Morgan Fields", "friend_request_received", when(2019, 2, 12, 19, 33, 20))]),
])
def test_friends_and_friend_requests(layout, expected, open_layout):
    found = [e for e in events_of(open_layout(layout)) if isinstance(e, Connection)]
    assert found == [Connection(Platform.FACEBOOK, *row) for row in expected]


# posts

def test_text_post_with_mangled_text(fb2024):
    text = "Can’t believe the night we had on 4 West 😩 three codes before midnight"
    assert by_text(fb2024)[text] == Item(
        platform=Platform.FACEBOOK,
        item_id=short_id("post", 1704070800, text),
        kind=Kind.POST,
        text=text,
        created_at=when(2024, 1, 1, 1),
        source=POSTS24,
        url=log("MANAGEPOSTSPHOTOSANDVIDEOS", 2024, 1),
        audience=Audience.FRIENDS,
        account="dana.whitfield",
    )


def test_activity_log_opens_at_the_month_facebook_shows_in_the_owners_zone(fixtures):
    """01:00 UTC on 1 January is New Year's Eve in New York: Facebook lists it under December 2023."""
    events = events_of(fixtures / "facebook" / "2024", tz=ZoneInfo("America/New_York"))
    post = by_text(events)["Can’t believe the night we had on 4 West 😩 three codes before midnight"]
    assert post.created_at == when(2024, 1, 1, 1)
    assert post.url == log("MANAGEPOSTSPHOTOSANDVIDEOS", 2023, 12)


def test_records_of_one_multi_photo_post_are_one_item_with_exif(fb2024):
    post = by_text(fb2024)["Team lunch after our last shift together 🎉"]
    assert post.created_at == when(2024, 2, 1, 13)
    assert post.media == (
        Media(A24 + "posts/media/Mobileuploads_1/lunch1.jpg", "photo", when(2024, 2, 1, 12), 39.7817, -89.6501, "Apple iPhone 13"),
        Media(A24 + "posts/media/Mobileuploads_1/lunch2.mp4", "video"),
    )
    merged = [s for s in skips(fb2024) if "merged" in s.reason]
    assert [(s.source, s.error) for s in merged] == [(POSTS24, False)]


def test_checkin_post_keeps_its_place(fb2024):
    post = by_text(fb2024)["First day back at Mercy General. The café is still terrible ☕"]
    assert post.kind == Kind.CHECKIN
    assert post.place == Place("Mercy General Hospital", 39.8017, -89.6436, "701 N First St, Springfield")
    assert post.url == log("MANAGEPOSTSPHOTOSANDVIDEOS", 2024, 3)


def test_text_only_in_the_photo_description(fb2024):
    post = by_text(fb2024)["Our unit’s whiteboard at 3am (names blurred)"]
    assert post.kind == Kind.POST
    assert [m.uri for m in post.media] == [A24 + "posts/media/Mobileuploads_1/whiteboard.jpg"]


def test_post_on_a_friends_timeline_names_the_friend(fb2024):
    assert by_text(fb2024)["Happy birthday Sam! 🎂"].counterpart == "Sam Ortiz"


def test_posts_on_other_pages_and_profiles(fb2024):
    source = A24 + "posts/posts_on_other_pages_and_profiles.json"
    post = by_text(fb2024)["Mrs K in room 12, you were so brave after the amputation ❤️ see you at follow-up!"]
    assert (post.item_id, post.kind, post.source, post.counterpart) == ("other-555000111", Kind.POST, source, "Mercy General Hospital")
    assert post.created_at == datetime.fromtimestamp(1725000000, UTC) and post.audience == Audience.UNKNOWN
    # Labels are localised: without an English "Message" the longest value is the text.
    assert "Gute Besserung, die Werte von heute sehen schon viel besser aus!" in by_text(fb2024)
    reasons = [s.reason for s in skips(fb2024, source)]
    assert reasons == ["same post as one in your posts, imported from there", "post on another page without text",
                       "post record with an unexpected shape"]
    assert unaccounted(fb2024) == {}


def test_shared_link_and_life_event(fb2024):
    assert by_text(fb2024)["https://example.org/nurse-burnout-study"].created_at == when(2024, 7, 1, 9)
    assert any(s.source == POSTS24 and "life event" in s.reason and not s.error for s in skips(fb2024))


def test_checkins_file_adds_new_checkins_only(fb2024):
    source = A24 + "posts/check-ins.json"
    assert by_text(fb2024)["Coffee before the double 💪"] == Item(
        platform=Platform.FACEBOOK,
        item_id="checkin-987654321",
        kind=Kind.CHECKIN,
        text="Coffee before the double 💪",
        created_at=when(2024, 8, 1, 9),
        source=source,
        url="https://www.facebook.com/checkin/987654321",
        audience=Audience.FRIENDS,
        account="dana.whitfield",
        place=Place("Springfield Café", 39.799, -89.644, "12 Main St"),
    )
    assert [s.reason for s in skips(fb2024) if s.source == source] == ["same check-in as a post, imported from your posts"]


def test_album_captions_not_already_in_a_post(fb2024):
    source = A24 + "posts/album/0.json"
    caption = by_text(fb2024)["New badge, who dis 😎"]
    assert (caption.kind, caption.source, caption.created_at) == (Kind.CAPTION, source, when(2024, 9, 1, 9))
    assert caption.media == (Media(A24 + "posts/media/Mobileuploads_1/badge.jpg", "photo", when(2024, 9, 1, 8)),)
    assert sorted(s.reason for s in skips(fb2024) if s.source == source) == [
        "photo of a post, imported with the post", "photo without a caption"]


def test_2019_photo_metadata_without_exif_data_list(open_layout):
    post = by_text(events_of(open_layout("2019")))["Sunset from the helipad"]
    assert post.media == (
        Media("photos_and_videos/MobileUploads_abc/sunset.jpg", "photo", when(2019, 3, 31, 22, 6, 40), 41.8781, -87.6298, "Google Pixel 3"),
    )


def test_2021_three_records_one_post_and_a_broken_record(open_layout):
    events = events_of(open_layout("2021"))
    post = by_text(events)["Vaccine clinic day 3 💉 so proud of this team"]
    assert [m.uri.rsplit("/", 1)[1] for m in post.media] == ["v1.jpg", "v2.jpg", "v3.jpg"]
    assert [(m.latitude, m.longitude) for m in post.media] == [(None, None), (34.0522, -118.2437), (None, None)]
    reasons = Counter((s.reason, s.error) for s in skips(events) if s.source == "posts/your_posts_1.json")
    assert reasons == {("post record with an unexpected shape", True): 1, (
        "another record of the same post (Facebook writes one per photo); merged into it", False): 2}


def test_2025_profile_posts(open_layout):
    post = by_text(events_of(open_layout("2025_profile")))["Reminder: flu shots at the clinic this Friday 💉"]
    assert (post.source, post.account, post.created_at) == (
        "this_profile's_activity_across_facebook/posts/profile_posts_1.json", "quinn.harper.np", when(2025, 2, 19, 21, 20))


# groups and comments

def test_group_post_is_group_audience(fb2024):
    text = "Anyone else’s unit short-staffed tonight? We have 1 RN for 9 patients"
    assert by_text(fb2024)[text] == Item(
        platform=Platform.FACEBOOK,
        item_id=short_id("post", 1733043600, text),
        kind=Kind.GROUP_POST,
        text=text,
        created_at=when(2024, 12, 1, 9),
        source=A24 + "groups/group_posts_and_comments.json",
        url=log("GROUPPOSTS", 2024, 12),
        audience=Audience.GROUP,
        account="dana.whitfield",
        conversation="Night Shift Nurses",
    )


def test_comment_names_the_post_owner(fb2024):
    text = "Don’t let them see you cry in the med room lol"
    assert by_text(fb2024)[text] == Item(
        platform=Platform.FACEBOOK,
        item_id=short_id("comment", 1727773200, text),
        kind=Kind.COMMENT,
        text=text,
        created_at=when(2024, 10, 1, 9),
        source=A24 + "comments_and_reactions/comments.json",
        url=log("COMMENTSCLUSTER", 2024, 10),
        audience=Audience.UNKNOWN,
        account="dana.whitfield",
        counterpart="Sam Ortiz",
    )


def test_comments_in_groups_are_group_audience(fb2024):
    in_comments = by_text(fb2024)["Same here, our ICU is at 150% census"]
    assert (in_comments.audience, in_comments.conversation, in_comments.counterpart) == (
        Audience.GROUP, "Springfield Healthcare Workers", "Lee Park")
    in_groups = by_text(fb2024)["Bed 12 finally went home today, best feeling"]
    assert (in_groups.kind, in_groups.audience, in_groups.source, in_groups.conversation) == (
        Kind.COMMENT, Audience.GROUP, A24 + "groups/your_comments_in_groups.json", "Night Shift Nurses")
    gif = [s for s in skips(fb2024) if s.source.endswith("comments.json")]
    assert [(s.reason, s.error) for s in gif] == [("comment with only a sticker or GIF", False)]


def test_2019_comments_key_and_nested_group_file(open_layout):
    events = events_of(open_layout("2019"))
    comment = by_text(events)["Thanks, it’s been a long year"]
    assert (comment.kind, comment.source, comment.counterpart, comment.created_at) == (
        Kind.COMMENT, "comments/comments.json", None, when(2019, 5, 1))
    group_post = by_text(events)["Does anyone have a good handover template?"]
    group_comment = by_text(events)["We use SBAR, works fine"]
    assert (group_post.kind, group_post.audience, group_post.conversation) == (Kind.GROUP_POST, Audience.GROUP, "ICU Nurses Network")
    assert (group_comment.kind, group_comment.audience, group_comment.conversation) == (
        Kind.COMMENT, Audience.GROUP, "ICU Nurses Network")


# messages

def test_sent_and_received_messages(fb2024):
    items = by_text(fb2024)
    sent = "Call your surgeon’s office tomorrow, redness after a week isn’t normal"
    received = "Is it normal for my incision to still be red after a week? 😬"
    assert items[sent] == Item(
        platform=Platform.FACEBOOK,
        item_id=short_id("dm", "samortiz_10158000000000001", 1736172000000, "Dana Whitfield", sent),
        kind=Kind.DM,
        text=sent,
        created_at=when(2025, 1, 6, 14),
        source=SAM + "/message_1.json",
        url="https://www.facebook.com/messages/",
        audience=Audience.PRIVATE_MESSAGE,
        account="dana.whitfield",
        counterpart="Sam Ortiz",
        conversation=SAM,
    )
    assert (items[received].kind, items[received].counterpart) == (Kind.DM_RECEIVED, "Sam Ortiz")


def test_photo_message_and_what_is_not_a_message(fb2024):
    photo = [e for e in fb2024 if isinstance(e, Item) and e.kind == Kind.DM and not e.text]
    assert [p.media for p in photo] == [(Media(SAM + "/photos/3301.jpg", "photo"),)]
    reasons = sorted((s.reason, s.error) for s in skips(fb2024) if s.source == SAM + "/message_1.json")
    assert reasons == [
        ("call, not a message", False),
        ("message unsent by its sender", False),
        ("message without text or attachment (a sticker, reaction or call)", False),
    ]


def test_message_requests_and_e2ee_cutover_threads(fb2024):
    items = by_text(fb2024)
    request = items["Are you the nurse who looked after my mum in bed 4? 🙏"]
    assert (request.kind, request.counterpart, request.conversation) == (
        Kind.DM_RECEIVED, "Pat Jones", A24 + "messages/message_requests/patjones_10159000000000002")
    group = A24 + "messages/e2ee_cutover/4westcrew_10160000000000003"
    mine, theirs = items["I can take Saturday if someone swaps Sunday"], items["Who’s covering Saturday?"]
    assert (mine.kind, mine.counterpart, mine.source) == (Kind.DM, "4 West Crew", group + "/message_2.json")
    assert (theirs.kind, theirs.counterpart, theirs.source) == (Kind.DM_RECEIVED, "Riley Chen", group + "/message_1.json")


def test_owner_inferred_without_a_profile_and_broken_file_skipped(open_layout):
    """2022 fixture: no profile_information.json; the owner is the one person in every thread."""
    events = events_of(open_layout("2022"))
    assert events[0] == AccountInfo(Platform.FACEBOOK)
    kinds = {text: item.kind for text, item in by_text(events).items() if item.audience == Audience.PRIVATE_MESSAGE}
    assert kinds == {
        "Sure, bring it by": Kind.DM,
        "Can you look at my rash tomorrow?": Kind.DM_RECEIVED,
        "See you at the conference": Kind.DM,
        "Hi doc, quick question about my meds": Kind.DM_RECEIVED,
    }
    broken = "your_activity_across_facebook/messages/inbox/brokenthread_400/message_1.json"
    assert [(s.source, s.error) for s in skips(events) if s.reason.startswith("file not readable")] == [(broken, True)]
    assert by_text(events)["Résumé updated, wish me luck! 🤞"].created_at == when(2022, 4, 15, 5, 20)


def test_2021_group_chat_share_and_join_event(open_layout):
    """The profile's full name has a middle name; Messenger signs the owner's messages with first and last name only."""
    events = events_of(open_layout("2021"))
    share = by_text(events)["Sign-up sheet for Saturday\nhttps://example.org/signup"]
    assert (share.kind, share.counterpart) == (Kind.DM, "Vaccine Volunteers")
    assert by_text(events)["thx"].counterpart == "Casey Doe"
    assert any(s.reason == "someone joined or left a group chat" for s in skips(events))


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
        assert item.platform == Platform.FACEBOOK
        assert item.created_at is not None and item.created_at.tzinfo == UTC
        assert item.url and item.url.startswith("https://www.facebook.com/")
        assert not any(bad in item.text for bad in ("â€", "Ã", "ð\u009f")), item.text


def test_ids_are_the_same_from_zip_and_folder(make_zip, fixtures):
    from_zip = [e.item_id for e in events_of(make_zip("facebook/2024")) if isinstance(e, Item)]
    from_folder = [e.item_id for e in events_of(fixtures / "facebook/2024") if isinstance(e, Item)]
    assert from_zip == from_folder


# exports in several parts

def _split(folder: Path, dest: Path, keep) -> Path:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(dest, "w") as zf:
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder).as_posix()
            if path.is_file() and keep(name):
                zf.write(path, name)
    return dest


def test_json_and_media_in_separate_zips(tmp_path, fixtures):
    folder = fixtures / "facebook/2024"
    json_part = _split(folder, tmp_path / "facebook-dana-2025-01-20-part1.zip", lambda n: n.endswith(".json"))
    media_part = _split(folder, tmp_path / "facebook-dana-2025-01-20-part2.zip", lambda n: not n.endswith(".json"))
    with Archive([media_part]) as archive:
        assert FacebookImporter().detect(archive) is None
        assert importers.is_media_only(archive)
    whole = [e for e in events_of(folder) if isinstance(e, Item)]
    assert [e for e in events_of(json_part, media_part) if isinstance(e, Item)] == whole
    opened = open_inputs([str(json_part), str(media_part)])
    try:
        assert [(type(i).__name__, inputs) for i, _, _, inputs in opened] == [
            ("FacebookImporter", [str(json_part), str(media_part)])]
    finally:
        for _, _, archive, _ in opened:
            archive.close()


def test_posts_and_messages_in_separate_zips(tmp_path, fixtures):
    """Each part is recognised on its own (the pipeline detects parts one by one), and together they read as one export."""
    folder = fixtures / "facebook/2024"
    posts = _split(folder, tmp_path / "part1.zip", lambda n: "/messages/" not in n)
    messages = _split(folder, tmp_path / "part2.zip", lambda n: "/messages/" in n)
    for part in (posts, messages):
        with Archive([part]) as archive:
            assert FacebookImporter().detect(archive) is not None
    events = events_of(posts, messages)
    whole = events_of(folder)
    assert sorted(e.item_id for e in events if isinstance(e, Item)) == sorted(e.item_id for e in whole if isinstance(e, Item))
    assert unaccounted(events) == {}


def _incomplete(*paths: Path) -> str | None:
    from importers.parts import incomplete

    with Archive(list(paths)) as archive:
        return incomplete(Platform.FACEBOOK, [str(p) for p in paths], archive)


def test_only_some_parts_of_a_split_export_are_said_to_be_so(tmp_path, fixtures):
    # Meta splits a large export into zips listed on its download page; one of them alone was scanned as if whole.
    folder = fixtures / "facebook/2024"
    posts = _split(folder, tmp_path / "facebook-dana-2025-01-20-part1.zip", lambda n: "/messages/" not in n)
    messages = _split(folder, tmp_path / "facebook-dana-2025-01-20-part2.zip", lambda n: "/messages/" in n)
    assert _incomplete(posts, messages) is None  # every part: nothing to say
    assert _incomplete(_split(folder, tmp_path / "facebook-dana-2025-01-20-Ab3dEf9h.zip", lambda n: True)) is None
    assert _incomplete(messages) == (
        "facebook-dana-2025-01-20-part2.zip looks like part 2 of a Facebook export Meta split into several zips, but part 1 "
        "was not given. The scan covers only what was given: download every part (Meta's download page lists them) and "
        "scan them together.")
    third = _split(folder, tmp_path / "facebook-dana 3 of 4.zip", lambda n: n.endswith(".jpg"))
    assert "parts 2 and 3 (of 4) of a Facebook export" in _incomplete(messages, third) and "parts 1 and 4 were not given" in \
        _incomplete(messages, third)
    assert "looks like part 1 of a Facebook export" in _incomplete(posts) and "no other part was given" in _incomplete(posts)
    # Without part numbers, the profile every complete export has, in one part only, is the evidence.
    unnamed = _split(folder, tmp_path / "facebook-dana-2025-01-20-Qx7pLm2w.zip", lambda n: "/messages/" in n)
    assert _incomplete(unnamed) == (
        "facebook-dana-2025-01-20-Qx7pLm2w.zip holds no profile information "
        "(personal_information/profile_information/profile_information.json), which every complete Facebook export has: "
        "this looks like one part of an export Meta split into several zips, or a download of only some of your "
        "information. The scan covers only what was given: download every part (Meta's download page lists them) and "
        "scan them together.")
    for name in ("facebook-dana-2024-01-01-AbCdEfGh.zip", "department-4.zip", "facebook-2024-10-01.zip"):
        assert parts.part_number(name) is None, name


# malformed data

SCHEMA_KEYS = (
    "timestamp", "data", "post", "attachments", "media", "uri", "media_metadata", "photo_metadata", "video_metadata",
    "exif_data", "taken_timestamp", "latitude", "longitude", "place", "coordinate", "name", "address", "description",
    "external_context", "url", "comment", "group", "title", "label_values", "label", "value", "dict", "fbid",
    "sender_name", "timestamp_ms", "content", "photos", "share", "link", "is_unsent", "type", "call_duration",
    "creation_timestamp", "full_name", "username", "profile_uri", "previous_names",
)
@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("layout", ("facebook/2024", "facebook/2019"))
def test_damaged_records_never_stop_the_import(layout, seed, fixtures, tmp_path):
    """A real layout with records damaged at random: items and skips come out, never an exception, and no record is lost."""
    events = events_of(damaged_copy(fixtures / layout, tmp_path, seed, SCHEMA_KEYS))
    assert isinstance(events[0], AccountInfo)
    assert unaccounted(events) == {}
    for item in (e for e in events if isinstance(e, Item)):
        assert isinstance(item.text, str)
        assert item.created_at is None or item.created_at.tzinfo == UTC
