"""Broken and hostile exports.

Each case ends either with exit status 2 and one plain line naming the file, or
with a partial import whose findings.jsonl accounts for every record of every
file. Never a traceback, a hang, or a file written outside --out.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from audit import archive as archive_module
from audit.cli import cli

SHORT_TIMEOUT = 120
ROOT = Path(__file__).resolve().parent.parent


# building exports


def js(global_name: str, data: Any) -> str:
    return f"window.YTD.{global_name}.part0 = " + json.dumps(data, indent=2)


def tweet(n: int, text: str = "lovely hike with the dog", **extra: Any) -> dict[str, Any]:
    record = {"id_str": str(1_700_000_000_000_000_000 + n), "full_text": text, "created_at": "Thu Nov 07 18:26:50 +0000 2024",
              "entities": {"urls": [], "user_mentions": [], "hashtags": []}, "favorite_count": "1", "retweet_count": "0"}
    return {"tweet": {**record, **extra}}


def dm(mid: int, text: str = "see you at noon", **extra: Any) -> dict[str, Any]:
    return {"messageCreate": {"id": str(mid), "text": text, "senderId": "42", "recipientId": "7",
                              "createdAt": "2024-10-01T18:00:00.000Z", **extra}}


ACCOUNT = js("account", [{"account": {"username": "doc", "accountId": "42", "accountDisplayName": "Doc"}}])


def x_files(**overrides: str | bytes) -> dict[str, str | bytes]:
    """A small healthy 2024 archive: 3 posts in tweets.js, 2 in tweets-part1.js, 2 messages."""
    files: dict[str, str | bytes] = {
        "Your archive.html": "<html></html>",
        "data/account.js": ACCOUNT,
        "data/tweets.js": js("tweets", [tweet(1), tweet(2, "coffee is a food group"), tweet(3, "passed boards!!!")]),
        "data/tweets-part1.js": js("tweets", [tweet(4), tweet(5, "new glasses")]),
        "data/direct-messages.js": js("direct_messages", [{"dmConversation": {"conversationId": "42-7", "messages": [dm(10), dm(11)]}}]),
    }
    files.update(overrides)
    return files


def make_zip(path: Path, files: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return path


def patch_central(path: Path, name: str, offset: int, fmt: str, value: int) -> None:
    """Rewrite one field of a member's central directory header (sizes, flags, method)."""
    raw = bytearray(path.read_bytes())
    at = raw.find(b"PK\x01\x02")
    encoded = name.encode()
    while at != -1:
        length = struct.unpack_from("<H", raw, at + 28)[0]
        if raw[at + 46: at + 46 + length] == encoded:
            struct.pack_into(fmt, raw, at + offset, value)
            path.write_bytes(bytes(raw))
            return
        at = raw.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"{name} not in {path}")


# running


def scan_exit_2(path: Path, tmp_path: Path) -> str:
    """Scan in a fresh process; return its one line of error."""
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "audit", "scan", str(path), "--out", str(out), "-q"],
                          capture_output=True, text=True, timeout=SHORT_TIMEOUT, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert path.name in lines[0]
    assert not out.exists()
    return lines[0]


def scan_partial(path: Path, tmp_path: Path) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Scan in this process (the model is trained once per test run); return items and file ledgers."""
    out = tmp_path / "out"
    before = {p for p in tmp_path.rglob("*")}
    result = CliRunner().invoke(cli, ["scan", str(path), "--out", str(out), "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    written = {p for p in tmp_path.rglob("*")} - before
    assert all(out in p.parents or p == out for p in written), written  # nothing outside --out
    lines = [json.loads(line) for line in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    items = [x for x in lines if x["type"] == "item"]
    files = {x["source"]: x for x in lines if x["type"] == "file"}
    assert_accounted(items, files)
    return items, files


def assert_accounted(items: list[dict[str, Any]], files: dict[str, dict[str, Any]]) -> None:
    """Every record of every file was imported, skipped with a reason, or failed with one."""
    for source, f in files.items():
        skipped, errors = sum(f["skipped"].values()), sum(f["errors"].values())
        whole_file = f["records"] == 0 and f["imported"] == 0 and skipped + errors == 1
        assert whole_file or f["records"] == f["imported"] + skipped + errors, (source, f)
        assert f["imported"] == sum(1 for i in items if i["source"] == source), source
        for reason in [*f["skipped"], *f["errors"]]:
            assert "\n" not in reason and len(reason) < 300, reason
    assert len(items) == sum(f["imported"] for f in files.values())


# unusable input: exit 2, one line


def _encrypted_everything(tmp_path: Path) -> Path:
    path = make_zip(tmp_path / "locked.zip", {"data/tweets.js": js("tweets", [])})
    patch_central(path, "data/tweets.js", 8, "<H", 0x1)
    return path


def _bad_utf8_name(tmp_path: Path) -> Path:
    path = make_zip(tmp_path / "badname.zip", {"data/tweets.js": js("tweets", []), "data/QQ.js": "x"})
    raw = path.read_bytes().replace(b"data/QQ.js", b"data/\xff\xfe.js")
    path.write_bytes(raw)
    _set_utf8_flag(path)
    return path


def _set_utf8_flag(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    at = raw.find(b"PK\x01\x02")
    while at != -1:
        struct.pack_into("<H", raw, at + 8, struct.unpack_from("<H", raw, at + 8)[0] | 0x800)
        at = raw.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(raw))


def unusable_cases(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    cases: dict[str, tuple[Path, str]] = {}
    binary = tmp_path / "random.zip"
    binary.write_bytes(bytes(range(256)) * 40)
    cases["random bytes"] = (binary, "is not a zip archive")
    zero = tmp_path / "zero.zip"
    zero.write_bytes(b"")
    cases["zero bytes"] = (zero, "empty file")
    page = tmp_path / "download.zip"
    page.write_text("<!DOCTYPE html><html><body>Sign in</body></html>")
    cases["web page"] = (page, "is a web page")
    big = make_zip(tmp_path / "big.zip", x_files(**{f"data/tweets_media/{n}.jpg": bytes(2000) for n in range(50)}))
    half = tmp_path / "half.zip"
    half.write_bytes(big.read_bytes()[: big.stat().st_size // 2])
    cases["truncated half"] = (half, "truncated or damaged")
    cases["encrypted"] = (_encrypted_everything(tmp_path), "password-protected")
    cases["dot dot"] = (make_zip(tmp_path / "dotdot.zip", x_files(**{"data/../../../etc/cron.d/evil": "x"})), "unsafe file name")
    cases["absolute"] = (make_zip(tmp_path / "absolute.zip", x_files(**{"/etc/passwd": "x"})), "unsafe file name")
    cases["backslash"] = (make_zip(tmp_path / "backslash.zip", x_files(**{"..\\..\\evil.js": "x"})), "unsafe file name")
    cases["drive letter"] = (make_zip(tmp_path / "drive.zip", x_files(**{"C:/Windows/evil.js": "x"})), "unsafe file name")
    cases["invalid utf-8 name"] = (_bad_utf8_name(tmp_path), "not valid UTF-8")
    inner = make_zip(tmp_path / "inner.zip", x_files())
    cases["zip of zips"] = (make_zip(tmp_path / "outer.zip", {"twitter-2024.zip": inner.read_bytes()}), "zips inside zips")
    cases["google takeout"] = (make_zip(tmp_path / "takeout.zip", {"Takeout/archive_browser.html": "<html>",
                                                                   "Takeout/YouTube/history.json": "[]"}), "Google Takeout")
    cases["meta html"] = (make_zip(tmp_path / "facebook-html.zip", {
        "your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.html": "<html>"}), "Format: JSON")
    cases["tiktok"] = (make_zip(tmp_path / "tiktok.zip", {"user_data_tiktok.json": "{}"}), "TikTok")
    cases["whatsapp"] = (make_zip(tmp_path / "whatsapp.zip", {"_chat.txt": "[01/01/2024] hi"}), "WhatsApp")
    cases["unknown"] = (make_zip(tmp_path / "notes.zip", {"notes/a.txt": "hello"}), "not an export backscroll knows")
    return cases


UNUSABLE = ["random bytes", "zero bytes", "web page", "truncated half", "encrypted", "dot dot", "absolute", "backslash",
            "drive letter", "invalid utf-8 name", "zip of zips", "google takeout", "meta html", "tiktok", "whatsapp", "unknown"]


@pytest.mark.parametrize("case", UNUSABLE)
def test_unusable_input_ends_with_one_line(case, tmp_path):
    path, expected = unusable_cases(tmp_path)[case]
    line = scan_exit_2(path, tmp_path)
    assert expected in line


def test_more_members_than_any_export_is_refused_before_reading_the_directory(tmp_path, monkeypatch):
    path = make_zip(tmp_path / "many.zip", x_files(**{f"data/tweets_media/{n}.jpg": b"" for n in range(120)}))
    monkeypatch.setattr(archive_module, "MAX_MEMBERS", 100)
    result = CliRunner().invoke(cli, ["scan", str(path), "--out", str(tmp_path / "out"), "-q"], catch_exceptions=False)
    assert result.exit_code == 2
    assert "more than any export" in result.output and len(result.output.strip().splitlines()) == 1


# partial imports: every record accounted for


def test_a_truncated_file_is_reported_and_the_others_import(tmp_path):
    files = x_files()
    files["data/tweets-part1.js"] = files["data/tweets-part1.js"][:60]  # type: ignore[index]
    items, ledgers = scan_partial(make_zip(tmp_path / "x.zip", files), tmp_path)
    assert len(items) == 5  # 3 posts + 2 messages
    [reason] = ledgers["data/tweets-part1.js"]["errors"]
    assert reason.startswith("file not readable: invalid JSON")


@pytest.mark.parametrize("content, expected", [
    ("window.YTD.tweets.part0 = [{]", "invalid JSON"),
    ("hello world [1, 2]", "does not start with the expected"),
    (b"window.YTD.tweets.part0 = [\"\xff\xfe\"]", "not valid UTF-8"),
    ("window.YTD.tweets.part0 = " + "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("window.YTD.tweets.part0 = 42", "expected a list of records"),
    ("", "the file is empty"),
], ids=["broken JSON", "no JS prefix", "invalid UTF-8", "nested 100,000 deep", "a number", "empty"])
def test_an_unreadable_file_is_one_error_and_the_rest_imports(content, expected, tmp_path):
    items, ledgers = scan_partial(make_zip(tmp_path / "x.zip", x_files(**{"data/tweets-part1.js": content})), tmp_path)
    assert len(items) == 5
    [reason] = ledgers["data/tweets-part1.js"]["errors"]
    assert expected in reason


def test_a_file_without_the_js_prefix_still_imports(tmp_path):
    files = x_files(**{"data/tweets-part1.js": json.dumps([tweet(4), tweet(5)])})
    items, ledgers = scan_partial(make_zip(tmp_path / "x.zip", files), tmp_path)
    assert ledgers["data/tweets-part1.js"]["imported"] == 2 and len(items) == 7


def test_records_with_missing_fields_and_wrong_types(tmp_path):
    odd = [
        {}, [], "a string", 42, None, {"tweet": {}}, {"tweet": {"id_str": "9"}},  # no id / no text
        tweet(20, full_text=42),  # a number where text belongs
        tweet(21, entities=[1, 2], extended_entities="photo", created_at=12345, favorite_count={"a": 1}),
        tweet(22, in_reply_to_screen_name=["x"], in_reply_to_status_id_str={"id": 1}, retweet_count=[1]),
        tweet(23, entities={"urls": [{"url": 5, "expanded_url": None}, "x"], "media": {"url": "y"}}),
        tweet(24, id_str=["1"], id=None), tweet(25, id_str=1234567), tweet(26, id_str=True),
        tweet(27, edit_info={"edit": {"initialTweetId": ["nope"]}}),
    ]
    items, ledgers = scan_partial(make_zip(tmp_path / "x.zip", x_files(**{"data/tweets-part1.js": js("tweets", odd)})), tmp_path)
    ledger = ledgers["data/tweets-part1.js"]
    assert ledger["records"] == len(odd)
    imported = {i["item_id"] for i in items if i["source"] == "data/tweets-part1.js"}
    assert imported == {str(1_700_000_000_000_000_000 + n) for n in (21, 22, 23, 27)} | {"1234567"}
    assert ledger["errors"]["record without a post id"] == 8


def test_strings_of_megabytes_are_skipped_not_classified(tmp_path):
    huge = "a" * 3_000_000
    rows = [tweet(30, huge), tweet(31, "fine"), {"tweet": {"id_str": "9" * 1_000_000, "full_text": "x"}},
            tweet(32, "word " * 15_000)]  # 75,000 characters: long, but a post
    files = x_files(**{"data/tweets-part1.js": js("tweets", rows),
                       "data/profile.js": js("profile", [{"profile": {"description": {"bio": "Mercy General " * 200_000}}}])})
    items, ledgers = scan_partial(make_zip(tmp_path / "x.zip", files), tmp_path)
    errors = ledgers["data/tweets-part1.js"]["errors"]
    assert any("3,000,000 characters" in r for r in errors)
    assert errors["record without a post id"] == 1
    assert {i["item_id"][-2:] for i in items if i["source"] == "data/tweets-part1.js"} == {"31", "32"}


def test_json_nested_just_under_the_parsers_limit(tmp_path):
    deep: Any = "bottom"
    for _ in range(900):
        deep = {"d": deep}
    files = x_files(**{"data/tweets-part1.js": "window.YTD.tweets.part0 = " + json.dumps([tweet(40, entities=deep), tweet(41)])})
    _items, ledgers = scan_partial(make_zip(tmp_path / "x.zip", files), tmp_path)
    assert ledgers["data/tweets-part1.js"]["records"] == 2


def test_half_an_emoji_is_replaced_not_a_crash(tmp_path):
    """A tweet cut mid-emoji holds a lone surrogate escape; every output is UTF-8, which cannot hold one."""
    rows = [tweet(60, "RT @someone: night shift was wild lol \ud83d"), tweet(61, "\ude00 52M in bed 7 at 3am"),
            tweet(62, "whole emoji 😀 stays")]
    dms = [{"dmConversation": {"conversationId": "42-7\udc00", "messages": [dm(12, "see you \ud83d at noon")]}}]
    files = x_files(**{"data/tweets-part1.js": js("tweets", rows), "data/direct-messages.js": js("direct_messages", dms)})
    items, _ = scan_partial(make_zip(tmp_path / "x.zip", files), tmp_path)
    text = {i["item_id"][-2:]: i["text"] for i in items}
    assert text["60"].endswith("lol \ufffd") and text["61"].startswith("\ufffd 52M") and text["62"] == "whole emoji 😀 stays"
    assert text["12"] == "see you \ufffd at noon"
    for name in ("report.html", "checklist.md", "findings.csv"):
        assert "\ufffd" in (tmp_path / "out" / name).read_text(encoding="utf-8")


def test_timestamps_out_of_range_become_unknown_dates(tmp_path):
    times = ["Thu Jan 01 00:00:00 +0000 1970", "Thu Nov 07 18:26:50 +0000 2999", "Mon Jan 01 00:00:00 +0100 0001",
             "Mon Jan 01 00:00:00 -9999 9999", "yesterday", "", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00"]
    rows = [tweet(50 + n, created_at=t) for n, t in enumerate(times)]
    items, _ = scan_partial(make_zip(tmp_path / "x.zip", x_files(**{"data/tweets-part1.js": js("tweets", rows)})), tmp_path)
    dated = {i["item_id"][-2:]: i["created_at"] for i in items if i["source"] == "data/tweets-part1.js"}
    assert len(dated) == len(times) and set(dated.values()) == {""}


def test_odd_direct_messages_are_accounted_for(tmp_path):
    conversations = [
        "not a conversation", {"dmConversation": {"conversationId": "42-7", "messages": "oops"}},
        {"dmConversation": {"conversationId": ["x"], "messages": [dm(60), {"joinConversation": {}}, dm(61, text=None), 7,
                                                                  dm(62, urls="x", mediaUrls="abc", createdAt=5)]}},
    ]
    files = x_files(**{"data/direct-messages.js": js("direct_messages", conversations)})
    _items, ledgers = scan_partial(make_zip(tmp_path / "x.zip", files), tmp_path)
    ledger = ledgers["data/direct-messages.js"]
    assert ledger["records"] == 2 + 5 and ledger["imported"] == 2
    assert ledger["errors"]["conversation record with an unexpected shape"] == 2


def test_zip_bombs_are_refused_file_by_file(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, content in x_files().items():
            zf.writestr(name, content)
        with zf.open("data/tweets-part2.js", "w") as fh:  # 64 MB of spaces: ratio ~1000
            fh.write(b"window.YTD.tweets.part2 = [")
            for _ in range(64):
                fh.write(b" " * (1 << 20))
            fh.write(b"]")
        zf.writestr("data/tweets-part3.js", js("tweets", [tweet(70)]))
        zf.writestr("data/tweets-part4.js", js("tweets", [tweet(71)]))
    patch_central(path, "data/tweets-part3.js", 24, "<I", 0xFFFF_FFF0)  # declares 4 GB
    patch_central(path, "data/tweets-part4.js", 24, "<I", 10)  # declares 10 bytes, holds more
    items, ledgers = scan_partial(path, tmp_path)
    assert len(items) == 7
    assert "a zip bomb" in next(iter(ledgers["data/tweets-part2.js"]["errors"]))
    assert "MB a data file may have" in next(iter(ledgers["data/tweets-part3.js"]["errors"]))
    assert "damaged" in next(iter(ledgers["data/tweets-part4.js"]["errors"]))


def test_one_encrypted_or_unsupported_member(tmp_path):
    path = make_zip(tmp_path / "x.zip", x_files(**{"data/tweets-part2.js": js("tweets", [tweet(80)]),
                                                    "data/tweets-part3.js": js("tweets", [tweet(81)])}))
    patch_central(path, "data/tweets-part2.js", 8, "<H", 0x1)
    patch_central(path, "data/tweets-part3.js", 10, "<H", 97)  # WavPack: a compression method Python does not have
    items, ledgers = scan_partial(path, tmp_path)
    assert len(items) == 7
    assert "password-protected" in next(iter(ledgers["data/tweets-part2.js"]["errors"]))
    assert "compressed with a method" in next(iter(ledgers["data/tweets-part3.js"]["errors"]))


def test_thousands_of_tiny_members_and_odd_names(tmp_path):
    extra: dict[str, str | bytes] = {f"data/tweets_media/{n}-x.jpg": b"" for n in range(20_000)}
    extra["data/tweets_media/na\u0308me \u202e\ngpj.jpg"] = b""
    extra["data/tweets_media/\x01\x7f.jpg"] = b""
    items, _ledgers = scan_partial(make_zip(tmp_path / "x.zip", x_files(**extra)), tmp_path)
    assert len(items) == 7


def test_duplicate_member_names_read_the_entry_that_was_listed(tmp_path):
    path = tmp_path / "dup.zip"
    with zipfile.ZipFile(path, "w") as zf, pytest.warns(UserWarning):
        for name, content in x_files().items():
            zf.writestr(name, content)
        zf.writestr("data/tweets.js", "window.YTD.tweets.part0 = [" + "1," * 5 + "1]")
    _items, ledgers = scan_partial(path, tmp_path)
    assert ledgers["data/tweets.js"]["records"] == 3


def test_every_layout_fixture_accounts_for_every_record(make_zip, tmp_path):
    for layout in ("2024", "2021", "2019", "grailbird", "grailbird_csv"):
        scan_partial(make_zip(f"x/{layout}"), tmp_path / layout)
