"""The X importer on every archive layout, read from a zip and from a folder."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from importing import LAYOUT_FORMS, layout_opener, unaccounted

import importers
from audit.archive import Archive
from audit.model import AccountInfo, Audience, FileRead, Item, Kind, Skip
from importers.x import parse_x_time


def events(path: Path) -> list[object]:
    with Archive([path]) as archive:
        chosen = importers.choose(archive)
        assert chosen is not None
        importer, found = chosen
        return list(importer.iter_events(archive, found))


def items(path: Path) -> dict[str, Item]:
    return {e.item_id: e for e in events(path) if isinstance(e, Item)}


@pytest.fixture(params=LAYOUT_FORMS)
def open_layout(request, make_zip, fixtures):
    return layout_opener(request.param, make_zip, fixtures, "x", "twitter-2024-11-16-abc/")


LAYOUTS = {
    "2024": "x/2022+ (data/tweets.js)",
    "2021": "x/2020–2022 (data/tweet.js)",
    "2019": "x/2019 and earlier (tweet.js at the root)",
    "grailbird": "x/2012–2018 Grailbird (data/js/tweets, tweets.csv)",
    "grailbird_csv": "x/2012–2018 Grailbird (data/js/tweets, tweets.csv)",
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_each_layout_is_detected(layout, open_layout):
    with Archive([open_layout(layout)]) as archive:
        _, found = importers.choose(archive)
    assert found.layout == LAYOUTS[layout]


def test_2024_posts_text_links_and_kinds(open_layout):
    got = items(open_layout("2024"))
    first = got["1700000000000000001"]
    assert first.text == "52M in bed 7 came in at 3am after his tractor rolled on Route 9 & he still cracked jokes. tough guy. #EMtwitter"
    assert first.kind == Kind.POST
    assert first.created_at == datetime(2024, 11, 7, 3, 12, 50, tzinfo=UTC)
    assert first.url == "https://x.com/nightshift_doc/status/1700000000000000001"
    assert first.audience == Audience.PUBLIC
    assert first.likes == 3 and first.shares == 1
    assert first.source == "data/tweets.js"

    reply = got["1700000000000000002"]
    assert reply.kind == Kind.REPLY
    assert reply.counterpart == "drfriend"
    assert reply.text.endswith("you'll be fine https://example.org/bp-guide")

    assert got["1700000000000000003"].kind == Kind.REPOST
    assert got["1700000000000000003"].text.endswith("cut delirium by a third <3 https://t.co/q1")

    photo = got["1700000000000000005"]
    assert photo.text == "<script>alert('pwned')</script> look at this CT from bed 12"
    assert [m.uri for m in photo.media] == ["data/tweets_media/1700000000000000005-AbCdEf.jpg"]


def test_note_tweet_replaces_the_cut_text(open_layout):
    long_post = items(open_layout("2024"))["1700000000000000004"]
    assert not long_post.text.endswith("…")
    assert long_post.text.endswith("The habit is worth more than the likes.")


def test_edited_post_keeps_only_newest_version(open_layout):
    got = items(open_layout("2024"))
    assert "1700000000000000010" not in got
    assert got["1700000000000000011"].text.endswith("going to sleep for a week")


def test_dms_sent_and_received_and_group_events(open_layout):
    evs = events(open_layout("2024"))
    got = {e.item_id: e for e in evs if isinstance(e, Item)}
    sent, received = got["dm-5001"], got["dm-5000"]
    assert sent.kind == Kind.DM and received.kind == Kind.DM_RECEIVED
    assert received.text == "hi dr rivera, it's Dana from bed 12 last week & my incision is red, should I worry?"
    assert sent.audience == Audience.PRIVATE_MESSAGE
    assert sent.counterpart == "3003" and sent.url == "https://x.com/messages/1001-3003"
    assert got["dm-6001"].kind == Kind.DM_RECEIVED
    skipped = {e.reason: e.count for e in evs if isinstance(e, Skip) and e.source == "data/direct-messages-group.js"}
    assert skipped == {"conversation event `conversationNameUpdate`, not a message": 1,
                       "conversation event `joinConversation`, not a message": 1}


def test_account_bio_and_deleted_tweets(open_layout):
    evs = events(open_layout("2024"))
    account = next(e for e in evs if isinstance(e, AccountInfo))
    assert (account.username, account.user_id, account.bio) == ("nightshift_doc", "1001", "EM resident @ Mercy General. Opinions mine.")
    assert Skip("data/deleted-tweets.js", "already deleted on X (the archive keeps them for 14 days)", 1, False) in evs


def test_every_record_is_accounted_for(open_layout):
    for layout in LAYOUTS:
        assert unaccounted(events(open_layout(layout))) == {}, layout


def test_2021_singular_files_and_broken_records(open_layout):
    evs = events(open_layout("2021"))
    got = {e.item_id: e for e in evs if isinstance(e, Item)}
    assert set(got) == {"1300000000000000001", "1300000000000000002", "dm-7001"}
    assert got["dm-7001"].kind == Kind.DM
    reasons = sorted(e.reason for e in evs if isinstance(e, Skip))
    assert reasons == ["post 1300000000000000003 skipped: the post has no text field", "record without a post id"]


def test_2019_unwrapped_records(open_layout):
    got = items(open_layout("2019"))
    assert got["1100000000000000001"].url == "https://x.com/med_student_k/status/1100000000000000001"
    assert got["1100000000000000002"].created_at == datetime(2019, 1, 16, 8, 0, tzinfo=UTC)


def test_grailbird_reads_monthly_files_not_the_duplicate_csv(open_layout):
    evs = events(open_layout("grailbird"))
    got = {e.item_id: e for e in evs if isinstance(e, Item)}
    assert set(got) == {"440000000000000001", "440000000000000002", "441000000000000001"}
    assert got["440000000000000001"].text.startswith("Delivered the Hendersons' third baby at 4am")
    assert got["440000000000000001"].created_at == datetime(2014, 3, 1, 4, 30, tzinfo=UTC)
    assert got["440000000000000002"].text.endswith("MMR & http://example.org/measles")
    assert got["441000000000000001"].kind == Kind.REPOST
    assert got["441000000000000001"].url == "https://x.com/oldschool_md/status/441000000000000001"
    assert FileRead("tweets.csv", 2) in evs
    assert Skip("tweets.csv", "same posts as data/js/tweets/*.js, which are read instead", 2, False) in evs
    assert got["440000000000000001"].audience == Audience.PUBLIC


def test_grailbird_protected_account_is_followers_only(fixtures, tmp_path):
    import shutil

    copy = tmp_path / "gb"
    shutil.copytree(fixtures / "x" / "grailbird", copy)
    month = copy / "data" / "js" / "tweets" / "2014_03.js"
    month.write_text(month.read_text().replace('"protected" : false', '"protected" : true'))
    got = {e.item_id: e for e in events(copy) if isinstance(e, Item)}
    assert got["440000000000000001"].audience == Audience.FOLLOWERS
    assert got["441000000000000001"].audience == Audience.PUBLIC  # its record names no protected author


def test_grailbird_csv_only(open_layout):
    evs = events(open_layout("grailbird_csv"))
    got = {e.item_id: e for e in evs if isinstance(e, Item)}
    assert got["330000000000000001"].text == "Mr. G in room 508 finally went home today, 3 months on the unit & he hugged every one of us"
    assert got["330000000000000002"].kind == Kind.REPLY
    assert got["330000000000000002"].text.endswith("just rest http://example.org/viral")
    assert got["330000000000000003"].kind == Kind.REPOST
    assert Skip("tweets.csv", "row without a post id", 1, True) in evs


@pytest.mark.parametrize(("raw", "expected"), [
    ("Thu Nov 07 18:26:50 +0000 2024", datetime(2024, 11, 7, 18, 26, 50, tzinfo=UTC)),
    ("Thu Nov 07 18:26:50 +1000 2024", datetime(2024, 11, 7, 8, 26, 50, tzinfo=UTC)),
    ("Thu Nov 07 18:26:50 -0130 2024", datetime(2024, 11, 7, 19, 56, 50, tzinfo=UTC)),
    ("Sat Jan 01 00:00:00 +0000 1997", None),
    ("Thu Nov 07 18:26:50 +0000 9999", None),
    ("Thu Nov 07 18:26:50 +9999 2024", None),
    ("Thu Nov 07 18:26:50 -1560 2024", None),
    ("Thu Nov 07 18:26:50 +14 2024", None),
    ("Thu Nov 07 18:26:50 +1400 2024", datetime(2024, 11, 7, 4, 26, 50, tzinfo=UTC)),
    ("garbage", None),
    (None, None),
])
def test_parse_x_time(raw, expected):
    assert parse_x_time(raw) == expected


def test_shared_sample_account_file(shared_samples, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "account.js").write_bytes((shared_samples / "twitter" / "account.js").read_bytes())
    (data / "tweets.js").write_text("window.YTD.tweets.part0 = []")
    evs = events(tmp_path)
    account = next(e for e in evs if isinstance(e, AccountInfo))
    assert account.username == "simonw"


def test_broken_note_tweet_file_is_named_and_the_cut_post_kept(fixtures, tmp_path):
    import shutil

    copy = tmp_path / "x"
    shutil.copytree(fixtures / "x" / "2024", copy)
    (copy / "data" / "note-tweet.js").write_text("window.YTD.note_tweet.part0 = [ {\"noteTweet\" : ")
    evs = events(copy)
    assert any(isinstance(e, Skip) and e.source == "data/note-tweet.js" and e.reason.startswith("file not readable") for e in evs)
    cut = {e.item_id: e for e in evs if isinstance(e, Item)}["1700000000000000004"]
    assert cut.text.endswith("…")


def test_note_tweet_records_are_counted_as_merged(open_layout):
    evs = events(open_layout("2024"))
    assert FileRead("data/note-tweet.js", 1) in evs
    assert Skip("data/note-tweet.js", "whole text of long posts, merged into the posts they belong to", 1, False) in evs


def _x_archive(tmp_path, tweets: list[dict], **files: list[dict]):
    import json
    import zipfile

    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("data/account.js", 'window.YTD.account.part0 = [{"account": {"username": "doc", "accountId": "1"}}]')
        zf.writestr("data/tweets.js", "window.YTD.tweets.part0 = " + json.dumps([{"tweet": t} for t in tweets]))
        for name, rows in files.items():
            zf.writestr(f"data/{name.replace('_', '-')}.js", f"window.YTD.{name}.part0 = " + json.dumps(rows))
    return path


def test_a_reply_merges_with_its_note_and_an_unmatched_note_is_its_own_item(tmp_path):
    whole = "Long thread about the night shift. " * 12 + "The end."
    stray = "A long post whose cut version is not in this archive, about bed 7 at 3am. " * 5
    reply = {"id_str": "1800000000000000001", "created_at": "Thu Nov 07 18:26:50 +0000 2024", "in_reply_to_status_id_str": "17",
             "full_text": "@colleague @other " + whole[:250] + "…"}
    notes = [{"noteTweet": {"noteTweetId": "91", "createdAt": "2024-11-07T18:26:50.000Z", "core": {"text": whole}}},
             {"noteTweet": {"noteTweetId": "92", "createdAt": "2024-11-08T10:00:00.000Z", "core": {"text": stray}}}]
    evs = events(_x_archive(tmp_path, [reply], note_tweet=notes))
    got = {e.item_id: e for e in evs if isinstance(e, Item)}
    assert got["1800000000000000001"].text == "@colleague @other " + whole
    assert got["note-92"].text == stray and got["note-92"].url == "https://x.com/doc"
    assert Skip("data/note-tweet.js", "whole text of long posts, merged into the posts they belong to", 1, False) in evs
    assert unaccounted(evs) == {}


def test_expanded_links_are_not_read_as_html_entities(tmp_path):
    link = "https://news.example.org/story?id=5&region=us&copy=1&times=2&para=3"
    tweet = {"id_str": "1800000000000000002", "created_at": "Thu Nov 07 18:26:50 +0000 2024",
             "full_text": "Read this &amp; share it https://t.co/AbCdEfGhIj",
             "entities": {"urls": [{"url": "https://t.co/AbCdEfGhIj", "expanded_url": link}]}}
    dm = {"dmConversation": {"conversationId": "1-2", "messages": [{"messageCreate": {
        "id": "77", "senderId": "1", "createdAt": "2024-01-01T00:00:00.000Z", "text": "see &lt;this&gt; https://t.co/ZZZZZZZZZZ",
        "urls": [{"url": "https://t.co/ZZZZZZZZZZ", "expanded": link}]}}]}}
    got = {e.item_id: e for e in events(_x_archive(tmp_path, [tweet], direct_messages=[dm])) if isinstance(e, Item)}
    assert got["1800000000000000002"].text == "Read this & share it " + link
    assert got["dm-77"].text == "see <this> " + link


def _dm_archive(tmp_path, conversations: list[tuple[str, str]], tweets: str = "[]"):
    import json
    import zipfile

    body = [{"dmConversation": {"conversationId": cid, "messages": [
        {"messageCreate": {"id": f"{cid}-{sender}", "senderId": sender, "text": "hello", "createdAt": "2024-01-01T00:00:00.000Z"}}]}}
        for cid, sender in conversations]
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("data/tweets.js", "window.YTD.tweets.part0 = " + tweets)
        zf.writestr("data/direct-messages.js", "window.YTD.direct_messages.part0 = " + json.dumps(body))
    return path


def test_without_account_js_the_owner_is_the_one_in_every_conversation(tmp_path):
    got = items(_dm_archive(tmp_path, [("7-100", "7"), ("7-200", "200"), ("300-7", "300")]))
    kinds = {k: v.kind for k, v in got.items()}
    assert kinds == {"dm-7-100-7": Kind.DM, "dm-7-200-200": Kind.DM_RECEIVED, "dm-300-7-300": Kind.DM_RECEIVED}


def test_without_any_way_to_know_the_owner_nothing_is_assumed_sent(tmp_path):
    got = items(_dm_archive(tmp_path, [("7-100", "7")]))
    assert [v.kind for v in got.values()] == [Kind.DM_RECEIVED]


def test_post_ids_that_are_not_digits_are_skipped(tmp_path):
    tweets = '[{"tweet": {"id_str": "1\\n1600000000000000000", "full_text": "x", "created_at": "Thu Nov 07 18:26:50 +0000 2024"}}]'
    evs = events(_dm_archive(tmp_path, [], tweets))
    assert not [e for e in evs if isinstance(e, Item)]
    assert any(isinstance(e, Skip) and e.source == "data/tweets.js" for e in evs)


def test_a_zip_holding_only_the_data_folder_keeps_its_paths(tmp_path):
    evs = events(_dm_archive(tmp_path, [("7-100", "7")]))
    assert {e.source for e in evs if isinstance(e, FileRead)} == {"data/tweets.js", "data/direct-messages.js"}


def test_notes_go_only_to_the_post_they_continue(tmp_path):
    opening = "Reminder for everyone on the night team: "
    whole = opening + "the new sepsis bundle starts Monday and " * 10 + "thanks."
    cut = {"id_str": "1800000000000000011", "created_at": "Thu Nov 07 18:26:50 +0000 2024", "full_text": whole[:270] + "…"}
    short = {"id_str": "1800000000000000012", "created_at": "Thu Nov 07 18:31:50 +0000 2024",
             "full_text": opening + "coffee is in the lounge."}
    # A reply's note may begin with an @name of its own: only the names it answers are left out.
    told = "@StMarys is short of nurses again and " * 10 + "that is the story."
    reply = {"id_str": "1800000000000000013", "created_at": "Thu Nov 07 19:00:00 +0000 2024", "in_reply_to_status_id_str": "9",
             "full_text": "@colleague " + told[:260] + "…"}
    notes = [{"noteTweet": {"noteTweetId": "91", "createdAt": "2024-11-07T18:26:50.000Z", "core": {"text": whole}}},
             {"noteTweet": {"noteTweetId": "92", "createdAt": "2024-11-07T19:00:00.000Z", "core": {"text": told}}}]
    evs = events(_x_archive(tmp_path, [cut, short, reply], note_tweet=notes))
    got = {e.item_id: e for e in evs if isinstance(e, Item)}
    assert got["1800000000000000011"].text == whole
    assert got["1800000000000000012"].text == opening + "coffee is in the lounge."
    assert got["1800000000000000013"].text == "@colleague " + told
    assert not any(i.startswith("note-") for i in got)


def test_the_note_of_a_deleted_long_post_is_not_brought_back(tmp_path):
    whole = "A long story I already took down. " * 12
    gone = {"tweet": {"id_str": "1800000000000000021", "created_at": "Thu Nov 07 18:26:50 +0000 2024", "full_text": whole[:270] + "…"}}
    notes = [{"noteTweet": {"noteTweetId": "95", "createdAt": "2024-11-07T18:26:50.000Z", "core": {"text": whole}}}]
    evs = events(_x_archive(tmp_path, [], note_tweet=notes, deleted_tweets=[gone]))
    assert not [e for e in evs if isinstance(e, Item)]
    assert Skip("data/note-tweet.js", "whole text of long posts already deleted on X", 1, False) in evs
    assert unaccounted(evs) == {}
