"""Meta's mojibake: every UTF-8 byte written as its own `\\u00XX` escape, repaired after parsing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from importers.base import fix_meta, fix_meta_text
from importers.meta import unwrap


@pytest.mark.parametrize(("mangled", "expected"), [
    ("don\u00e2\u0080\u0099t", "don’t"),
    ("caf\u00c3\u00a9", "café"),
    ("\u00f0\u009f\u0091\u008d", "👍"),
    ("night shift \u00f0\u009f\u0098\u00a9 again", "night shift 😩 again"),
    ("Tobias L\u00c3\u00b8ye", "Tobias Løye"),
    ("\u00c5\u0081\u00c3\u00b3d\u00c5\u00ba", "Łódź"),
])
def test_mangled_text_is_repaired(mangled, expected):
    assert fix_meta_text(mangled) == expected


@pytest.mark.parametrize("text", [
    "plain ascii, untouched",
    "café",  # a lone latin-1 é is not valid UTF-8 once turned back into bytes
    "Łódź",  # code points above U+00FF cannot be mojibake
    "naïve café 👍",
    "",
])
def test_text_that_was_not_mangled_stays_untouched(text):
    assert fix_meta_text(text) == text


def test_raw_meta_bytes_parse_and_repair():
    """The escapes as they appear in a real file, through json.loads, keys included."""
    raw = b'{"caf\\u00c3\\u00a9": ["don\\u00e2\\u0080\\u0099t", {"n": 3, "ok": true, "e": "\\u00f0\\u009f\\u0091\\u008d"}]}'
    assert fix_meta(json.loads(raw)) == {"café": ["don’t", {"n": 3, "ok": True, "e": "👍"}]}


def test_every_meta_fixture_is_ascii_like_a_real_export(fixtures: Path):
    """Fixtures must carry the byte escapes, or the repair path is never exercised."""
    files = [p for platform in ("facebook", "instagram") for p in (fixtures / platform).rglob("*.json")]
    assert files
    for path in files:
        path.read_bytes().decode("ascii")


def test_fixtures_hold_mangled_text(fixtures: Path):
    text = (fixtures / "facebook/2024/your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json").read_text()
    assert "Can\\u00e2\\u0080\\u0099t" in text


@pytest.mark.parametrize(("data", "keys", "expected"), [
    ([1, 2], (), [1, 2]),
    ({"comments_v2": [1]}, ("comments_v2", "comments"), [1]),
    ({"comments": [1]}, ("comments_v2", "comments"), [1]),
    # 2019 group posts: {"group_posts": {"activity_log_data": [...]}}
    ({"group_posts": {"activity_log_data": [1, 2]}}, ("group_posts_v2", "group_posts"), [1, 2]),
    # a file with a single record and no list (Instagram comments, check-ins)
    ({"string_map_data": {"Comment": {"value": "x"}}}, (), [{"string_map_data": {"Comment": {"value": "x"}}}]),
    ({"unknown": 1, "other": 2}, ("comments_v2",), None),
    ("text", (), None),
])
def test_unwrap_finds_the_record_list(data, keys, expected):
    assert unwrap(data, keys) == expected
