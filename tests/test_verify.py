"""`backscroll verify`: a newer export proves what was deleted; exit 0 done, 1 still there, 2 unusable."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit.cli import cli
from tests.conftest import FIXTURES

STORY = "x:1700000000000000001"
REPLY = "x:1700000000000000002"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def newer_export(tmp_path: Path, *, remove: str, username: str | None = None) -> Path:
    """fixtures/x/2024 copied, with one post gone, as the next archive after deleting it would be."""
    copy = tmp_path / "x-newer"
    shutil.copytree(FIXTURES / "x" / "2024", copy)
    path = copy / "data" / "tweets.js"
    prefix, _, body = path.read_text(encoding="utf-8").partition("= ")
    tweets = [t for t in json.loads(body) if t["tweet"]["id_str"] != remove]
    assert len(tweets) == len(json.loads(body)) - 1
    path.write_text(prefix + "= " + json.dumps(tweets, indent=1), encoding="utf-8")
    if username:
        account = copy / "data" / "account.js"
        text = account.read_text(encoding="utf-8")
        text = re.sub(r'"accountId" : "\d+"', '"accountId" : "999"', text).replace("nightshift_doc", username)
        account.write_text(text, encoding="utf-8")
    return copy


@pytest.fixture
def before(make_zip, tmp_path) -> Path:
    out = tmp_path / "before"
    assert run("scan", str(make_zip("x/2024")), "--out", str(out), "-q").exit_code == 0
    return out


def test_exit_0_when_everything_marked_is_gone(before, tmp_path):
    run("mark", STORY, "delete", "--out", str(before))
    result = run("verify", "--before", str(before), str(newer_export(tmp_path, remove="1700000000000000001")))
    assert result.exit_code == 0, result.output
    assert "1 gone" in result.output and "still there" not in result.output


def test_exit_1_lists_what_is_still_there(before, tmp_path):
    run("mark", STORY, "delete", "--out", str(before))
    run("mark", REPLY, "delete", "--out", str(before))
    run("mark", "x:1700000000000000003", "lock", "--out", str(before))
    run("mark", "x:1700000000000000004", "keep", "--out", str(before))  # kept items are not checked
    result = run("verify", "--before", str(before), str(newer_export(tmp_path, remove="1700000000000000001")))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(REPLY in line and "still there" in line and "double your lisinopril" in line for line in lines)
    assert any("x:1700000000000000003" in line and "still public" in line for line in lines)
    assert not any(STORY in line for line in lines)
    assert "1 gone" in result.output and "1 still there" in result.output and "1 still public" in result.output
    assert "x:1700000000000000004" not in result.output


def test_exit_2_for_unusable_input(before, tmp_path):
    run("mark", STORY, "delete", "--out", str(before))
    junk = tmp_path / "notes.zip"
    junk.write_text("not a zip")
    proc = subprocess.run([sys.executable, "-m", "audit", "verify", "--before", str(before), str(junk)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "notes.zip" in proc.stderr and "Traceback" not in proc.stderr
    empty = tmp_path / "empty-before"
    empty.mkdir()
    no_state = run("verify", "--before", str(empty), str(newer_export(tmp_path, remove="1700000000000000001")))
    assert no_state.exit_code == 2 and "no decisions" in no_state.output


def test_exit_2_for_someone_elses_export(before, tmp_path):
    run("mark", STORY, "delete", "--out", str(before))
    other = newer_export(tmp_path, remove="1700000000000000001", username="someone_else")
    result = run("verify", "--before", str(before), str(other))
    assert result.exit_code == 2 and "someone_else" in result.output and "not of nightshift_doc" in result.output


def test_items_of_platforms_not_given_are_listed_as_not_checked(before, tmp_path):
    run("mark", STORY, "delete", "--out", str(before))
    run("mark", "facebook:123", "delete", "--out", str(before))
    result = run("verify", "--before", str(before), str(newer_export(tmp_path, remove="1700000000000000001")))
    assert result.exit_code == 1  # not checked is not proved done
    assert "not checked  facebook:123" in result.output and "no newer facebook export given" in result.output


def test_exit_2_when_the_newer_export_checks_nothing_marked(before, make_zip):
    run("mark", STORY, "delete", "--out", str(before))
    result = run("verify", "--before", str(before), str(make_zip("facebook/2024")))
    assert result.exit_code == 2 and "nothing could be checked: no newer x export given" in result.output


def test_a_key_the_earlier_scan_never_had_is_not_proved_gone(before, tmp_path):
    run("mark", STORY, "delete", "--out", str(before))
    run("mark", "x:170000000000000001", "delete", "--out", str(before))  # one digit short
    result = run("verify", "--before", str(before), str(newer_export(tmp_path, remove="1700000000000000001")))
    assert result.exit_code == 1 and "1 gone" in result.output
    assert "not checked  x:170000000000000001" in result.output and "not an item of the earlier scan" in result.output


def test_an_export_without_the_items_file_proves_nothing_about_its_items(before, tmp_path):
    run("mark", STORY, "delete", "--out", str(before))
    run("mark", "x:dm-5001", "delete", "--out", str(before))
    partial = newer_export(tmp_path, remove="1700000000000000001")
    for name in ("tweets.js", "tweets-part1.js", "note-tweet.js"):
        (partial / "data" / name).unlink()
    (partial / "data" / "tweet.js").write_text("window.YTD.tweet.part0 = []")  # still an X archive, with no posts file family
    result = run("verify", "--before", str(before), str(partial))
    assert "not checked  x:1700000000000000001" in result.output and "holds no tweets.js" in result.output


def test_an_export_that_names_no_owner_is_refused(before, tmp_path):
    run("mark", STORY, "delete", "--out", str(before))
    anonymous = newer_export(tmp_path, remove="1700000000000000001")
    for name in ("account.js", "manifest.js", "profile.js"):
        (anonymous / "data" / name).unlink()
    result = run("verify", "--before", str(before), str(anonymous))
    assert result.exit_code == 2 and "does not say whose export it is" in result.output


def test_exit_2_when_nothing_is_marked_delete_or_lock(before, tmp_path):
    run("mark", STORY, "keep", "--out", str(before))
    result = run("verify", "--before", str(before), str(newer_export(tmp_path, remove="1700000000000000001")))
    assert result.exit_code == 2
    assert "no item is marked delete or lock" in result.output
