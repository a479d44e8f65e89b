"""Property tests of the X parsers: whatever an export holds, they return or skip, never raise.

Bounded (a few hundred examples each) so CI stays fast; run with
`--hypothesis-seed=N` or a larger `max_examples` to search harder.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.archive import Archive, MemberError
from audit.model import Item
from audit.pipeline import AccountScan, Ledger, _record
from importers.base import EARLIEST, BadFile, as_int, fix_meta, from_iso, from_unix, load_json, records
from importers.x import XImporter, clean_text, parse_x_time

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                           max_leaves=20)
x_times = st.builds(
    lambda day, mon, d, h, m, s, off, year: f"{day} {mon} {d:02d} {h:02d}:{m:02d}:{s:02d} {off} {year}",
    st.sampled_from(["Mon", "Thu", "Xyz"]), st.sampled_from(["Jan", "Nov", "Foo", ""]), st.integers(-5, 40), st.integers(-1, 30),
    st.integers(0, 70), st.integers(0, 70), st.sampled_from(["+0000", "-0500", "+1400", "-9999", "+", "0"]), st.integers(-10, 10_000),
)


def in_range(moment: datetime | None) -> bool:
    return moment is None or (moment.tzinfo is not None and EARLIEST <= moment <= datetime.now(UTC))


@FAST
@given(st.one_of(x_times, st.text(max_size=80), json_values))
def test_parse_x_time_never_raises(value):
    assert in_range(parse_x_time(value))


@FAST
@given(st.one_of(st.text(max_size=80), json_values, st.integers(), st.floats()))
def test_time_and_number_helpers_never_raise(value):
    assert in_range(from_iso(value))
    assert in_range(from_unix(value))
    assert in_range(from_unix(value, millis=True))
    assert as_int(value) is None or isinstance(as_int(value), int)


url_entities = st.dictionaries(st.sampled_from(["urls", "media", "hashtags"]),
                               st.lists(st.dictionaries(st.sampled_from(["url", "expanded_url", "expanded"]), json_values, max_size=3),
                                        max_size=3) | json_values, max_size=3)


@FAST
@given(st.one_of(st.text(max_size=200), json_values), st.one_of(url_entities, json_values))
def test_clean_text_never_raises(raw, entities):
    assert isinstance(clean_text(raw, entities), str)


@FAST
@given(json_values)
def test_fix_meta_never_raises(value):
    fix_meta(value)


class OneFile:
    """Just enough of an Archive for load_json and records: one member with the given bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, name: str) -> bytes:
        if self.data == b"\x00MEMBER-ERROR":
            raise MemberError("unreadable")
        return self.data


js_bytes = st.one_of(
    st.binary(max_size=200),
    st.builds(lambda prefix, body, tail: prefix + body + tail,
              st.sampled_from([b"", b"window.YTD.tweets.part0 = ", b"var x = ", b"\xef\xbb\xbf", b"  window.a.b = "]),
              st.builds(lambda v: json.dumps(v).encode(), json_values) | st.binary(max_size=60),
              st.sampled_from([b"", b";", b" ;\n", b"\n\n", b"]"])),
)


@FAST
@given(js_bytes, st.booleans())
def test_load_json_raises_only_badfile(data, js):
    try:
        load_json(OneFile(data), "data/tweets.js", js=js)  # type: ignore[arg-type]
    except BadFile as exc:
        assert "\n" not in str(exc)


@FAST
@given(js_bytes, st.sampled_from([None, "comments_v2"]))
def test_records_never_raise_and_count_what_they_yield(data, key):
    events = list(records(OneFile(data), "f.json", js=True, key=key))  # type: ignore[arg-type]
    counts = [e for e in events if not isinstance(e, tuple)]
    pairs = [e for e in events if isinstance(e, tuple)]
    assert len(counts) == 1
    assert getattr(counts[0], "records", len(pairs)) == len(pairs)


tweet_keys = ["id_str", "id", "full_text", "text", "created_at", "entities", "extended_entities", "edit_info", "favorite_count",
              "retweet_count", "in_reply_to_status_id_str", "in_reply_to_screen_name", "retweeted_status"]
plausible = {
    "id_str": st.one_of(st.integers(0, 10**20).map(str), json_values),
    "full_text": st.one_of(st.text(max_size=60), json_values),
    "created_at": st.one_of(x_times, json_values),
    "entities": st.one_of(url_entities, json_values),
    "edit_info": st.one_of(json_values, st.builds(lambda i: {"edit": {"initialTweetId": i}}, json_values),
                           st.builds(lambda ids: {"initial": {"editTweetIds": ids}}, st.lists(st.integers(0, 5).map(str), max_size=3))),
}
tweets = st.dictionaries(st.sampled_from(tweet_keys), json_values, max_size=8).flatmap(
    lambda base: st.fixed_dictionaries({}, optional={k: v for k, v in plausible.items()}).map(lambda extra: {**base, **extra}))
record = st.one_of(tweets.map(lambda t: {"tweet": t}), tweets, json_values)
message_keys = st.sampled_from(["id", "text", "senderId", "createdAt", "urls", "mediaUrls"])
message = st.one_of(st.builds(lambda m: {"messageCreate": m}, st.dictionaries(message_keys, json_values, max_size=6)), json_values)
conversation = st.one_of(st.builds(lambda cid, msgs: {"dmConversation": {"conversationId": cid, "messages": msgs}},
                                   json_values, st.lists(message, max_size=4) | json_values), json_values)


def write_archive(folder: Path, files: dict[str, str]) -> Path:
    path = folder / "x.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Your archive.html", "<html></html>")
        for name, content in files.items():
            zf.writestr(name, content)
    return path


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(record, max_size=6), st.lists(record, max_size=4), st.lists(conversation, max_size=3),
       st.one_of(json_values, st.just([{"account": {"username": "doc", "accountId": "42"}}])))
def test_the_importer_never_raises_and_accounts_for_every_record(part0, part1, dms, account):
    files = {
        "data/account.js": "window.YTD.account.part0 = " + json.dumps(account),
        "data/tweets.js": "window.YTD.tweets.part0 = " + json.dumps(part0),
        "data/tweets-part1.js": "window.YTD.tweets.part1 = " + json.dumps(part1),
        "data/direct-messages.js": "window.YTD.direct_messages.part0 = " + json.dumps(dms),
    }
    with tempfile.TemporaryDirectory() as folder, Archive([write_archive(Path(folder), files)]) as archive:
        importer = XImporter()
        found = importer.detect(archive)
        assert found is not None
        account_scan = AccountScan(importer.platform, ["x.zip"], found.layout, importer._account(archive))
        items: list[Item] = []
        for event in importer.iter_events(archive, found):
            _record(event, account_scan, items, set())
    for name in files:
        ledger = account_scan.ledgers.get(name, Ledger(name))
        if name == "data/account.js":
            continue
        whole_file = ledger.records == 0 and ledger.imported == 0 and sum(ledger.errors.values()) + sum(ledger.skipped.values()) <= 1
        assert whole_file or ledger.unaccounted == 0, (name, ledger)
    for item in items:
        assert isinstance(item.text, str) and isinstance(item.item_id, str) and len(item.item_id) < 100
        assert item.counterpart is None or isinstance(item.counterpart, str)
        assert in_range(item.created_at)
