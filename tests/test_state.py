"""Decisions: kept in SQLite, surviving re-scans, imported from the report's saved file."""

from __future__ import annotations

import csv
import json
import sqlite3

import pytest
from click.testing import CliRunner

from audit.cli import cli
from audit.state import Decisions, StateError, read_export

STORY = "x:1700000000000000001"
REPLY = "x:1700000000000000002"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def decisions_in_csv(out) -> dict[str, str]:
    with (out / "findings.csv").open(newline="", encoding="utf-8") as fh:
        return {f"{r['platform']}:{r['item_id']}": r["decision"] for r in csv.DictReader(fh)}


def test_set_keeps_history_and_forget_only_when_asked(tmp_path):
    with Decisions(tmp_path / "d.sqlite") as db:
        assert db.set(STORY, "delete")
        assert not db.set(STORY, "delete")  # unchanged: no new history row
        assert db.set(STORY, "not a problem")  # spelled as on the button
        assert db.get(STORY).status == "not_a_problem"
        with pytest.raises(StateError):
            db.set(STORY, "nuke")
        with pytest.raises(StateError):
            db.set("1700000000000000001", "delete")
        assert db.forget(STORY) and db.get(STORY) is None
        assert [h[1] for h in db.history(STORY)] == ["delete", "not_a_problem", None]
    assert (tmp_path / "d.sqlite").stat().st_mode & 0o777 == 0o600


def test_import_applies_newer_entries_and_keeps_newer_stored_ones(tmp_path):
    with Decisions(tmp_path / "d.sqlite") as db:
        db.set(STORY, "lock", at="2025-03-01T10:00:00Z")
        db.set(REPLY, "delete", at="2025-03-01T10:00:00Z")
        count = db.import_entries([(STORY, "delete", "2025-02-01T00:00:00Z"),  # older than stored: loses
                                  (REPLY, "clear", "2025-04-01T00:00:00Z"),  # cleared on the page later: removed
                                  ("x:3", "keep", None)], origin="test")
        assert (count.applied, count.older, count.unchanged) == (2, 1, 0)
        assert db.get(STORY).status == "lock" and db.get(REPLY) is None and db.get("x:3").status == "keep"
        with pytest.raises(StateError):  # one bad entry rejects the whole file
            db.import_entries([("x:4", "delete", None), ("x:5", "burn", None)], origin="test")
        assert db.get("x:4") is None


def test_import_is_one_transaction_all_or_nothing(tmp_path, monkeypatch):
    """One commit for the whole file: fast on a slow disk, and a failure halfway leaves nothing half-applied."""
    with Decisions(tmp_path / "d.sqlite") as db:
        db.set(STORY, "lock", at="2025-03-01T10:00:00Z")
        real_set, calls = Decisions.set, []

        def failing_set(self, key, status, **kw):
            calls.append(key)
            if len(calls) == 4:
                raise sqlite3.OperationalError("disk I/O error")
            return real_set(self, key, status, **kw)

        monkeypatch.setattr(Decisions, "set", failing_set)
        entries = [(STORY, "clear", "2025-04-01T00:00:00Z")] + [(f"x:{i}", "delete", None) for i in range(10, 20)]
        with pytest.raises(sqlite3.OperationalError):
            db.import_entries(entries, origin="test")
        assert len(calls) == 4
    with Decisions(tmp_path / "d.sqlite") as db:  # reopened: nothing of the failed import was committed
        assert db.get(STORY).status == "lock" and db.get("x:10") is None
        assert [h[1] for h in db.history(STORY)] == ["lock"]


def test_read_export_accepts_the_pages_format_and_rejects_junk(tmp_path):
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"format": "backscroll-decisions", "version": 1, "decisions": {
        STORY: {"status": "delete", "at": "2025-01-01T00:00:00Z"}, REPLY: {"status": None, "at": "2025-01-02T00:00:00Z"}}}))
    assert read_export(page) == [(STORY, "delete", "2025-01-01T00:00:00Z"), (REPLY, "clear", "2025-01-02T00:00:00Z")]
    junk = tmp_path / "junk.json"
    junk.write_text("[1, 2")
    with pytest.raises(StateError, match="not a decisions file"):
        read_export(junk)


def test_decisions_survive_a_rescan_and_reach_the_csv(make_zip, tmp_path):
    export, out = str(make_zip("x/2024")), tmp_path / "out"
    run("scan", export, "--out", str(out), "-q")
    assert set(decisions_in_csv(out).values()) == {""}
    assert run("mark", STORY, "keep", "--out", str(out)).exit_code == 0
    assert run("mark", REPLY, "lock", "--out", str(out)).exit_code == 0
    result = run("scan", export, "--out", str(out), "-q")
    assert "Kept 2 earlier decisions" in result.output
    got = decisions_in_csv(out)
    assert got[STORY] == "keep" and got[REPLY] == "lock"
    with (out / "findings.csv").open(newline="") as fh:
        header = next(csv.reader(fh))
    assert header[-1] == "decision" and header[:14] == ["platform", "kind", "item_id", "created_at", "text", "url", "risk", "flags",
                                                        "action", "source", "audience", "account", "counterpart", "summary"]
    lines = [json.loads(line) for line in (out / "findings.jsonl").read_text().splitlines()]
    assert next(x for x in lines if x.get("key") == STORY)["decision"] == "keep"
    # a scan of another export into the same folder removes no decision
    run("scan", str(make_zip("x/2021")), "--out", str(out), "-q")
    with sqlite3.connect(out / "decisions.sqlite") as db:
        assert dict(db.execute("SELECT key, status FROM decisions")) == {STORY: "keep", REPLY: "lock"}


def test_state_option_puts_the_database_elsewhere(make_zip, tmp_path):
    state, out = tmp_path / "elsewhere.sqlite", tmp_path / "out"
    run("scan", str(make_zip("x/2024")), "--out", str(out), "-q", "--state", str(state))
    run("mark", STORY, "delete", "--out", str(out), "--state", str(state))
    assert not (out / "decisions.sqlite").exists()
    run("scan", str(make_zip("x/2024")), "--out", str(out), "-q", "--state", str(state))
    assert decisions_in_csv(out)[STORY] == "delete"


def test_mark_import_round_trip_from_the_page(make_zip, tmp_path):
    out = tmp_path / "out"
    run("scan", str(make_zip("x/2024")), "--out", str(out), "-q")
    saved = tmp_path / "backscroll-decisions.json"
    saved.write_text(json.dumps({"format": "backscroll-decisions", "version": 1, "report": "abc", "decisions": {
        STORY: {"status": "delete", "at": "2025-01-01T00:00:00Z"},
        REPLY: {"status": "not_a_problem", "at": "2025-01-01T00:00:01Z"}}}))
    result = run("mark", "--import", str(saved), "--out", str(out))
    assert result.exit_code == 0 and "2 new or changed" in result.output
    again = run("mark", "--import", str(saved), "--out", str(out))
    assert "0 new or changed, 2 unchanged" in again.output
    run("scan", str(make_zip("x/2024")), "--out", str(out), "-q")
    got = decisions_in_csv(out)
    assert got[STORY] == "delete" and got[REPLY] == "not_a_problem"


def test_mark_rejects_bad_input_with_status_2(tmp_path):
    out = tmp_path / "out"
    assert run("mark", STORY, "obliterate", "--out", str(out)).exit_code == 2
    assert run("mark", "--out", str(out)).exit_code == 2
    missing = run("mark", "--import", str(tmp_path / "nope.json"), "--out", str(out))
    assert missing.exit_code == 2 and "no such file" in missing.output


@pytest.mark.parametrize(("content", "message"), [
    ('{"x:1": ' + "9" * 5001 + "}", "not a decisions file"),  # a number too long for Python to read
    ("[" * 100_000, "not a decisions file"),  # nested beyond the parser's recursion
    ('{"x:1": {"at": "2024-01-01T00:00:00Z"}}', "has no status"),  # a missing status is not an undo
    ('{"x:1": {"status": ""}}', "has no status"),
    ('{"format": "backscroll-decisions", "version": 2, "decisions": {}}', "version 2"),
])
def test_read_export_refuses_broken_files_in_one_line(tmp_path, content, message):
    path = tmp_path / "d.json"
    path.write_text(content)
    with pytest.raises(StateError, match=message):
        read_export(path)


def test_a_decision_time_in_the_future_or_garbled_is_no_time(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"format": "backscroll-decisions", "version": 1, "decisions": {
        "x:1": {"status": "keep", "at": "9999-12-31T00:00:00Z"}, "x:2": {"status": "delete", "at": "zzz"},
        "x:3": {"status": "lock", "at": "2024-05-01T10:00:00.123Z"}, "x:4": {"status": None, "at": "2024-05-01T10:00:00Z"}}}))
    assert read_export(path) == [("x:1", "keep", None), ("x:2", "delete", None), ("x:3", "lock", "2024-05-01T10:00:00Z"),
                                 ("x:4", "clear", "2024-05-01T10:00:00Z")]


def test_mark_says_when_decisions_do_not_match_the_folders_scan(make_zip, tmp_path):
    out = tmp_path / "out"
    first = CliRunner().invoke(cli, ["mark", "x:1700000000000000001", "delete", "--out", str(out)])
    assert first.exit_code == 0 and "no scan has been written" in first.output
    assert CliRunner().invoke(cli, ["scan", str(make_zip("x/2024")), "--out", str(out), "-q"]).exit_code == 0
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"x:1100000000000000001": "delete", "x:1100000000000000002": "keep"}))
    result = CliRunner().invoke(cli, ["mark", "--import", str(other), "--out", str(out)])
    assert result.exit_code == 0 and "2 of these decisions are for items not in" in result.output
