"""The outputs quote patients' words: they stay private, cannot be redirected, and cannot attack their reader."""

from __future__ import annotations

import csv
import json
import os
import re
import stat
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit.cli import cli
from reports.links import safe_url, sheet_safe


def scan(*args: str):
    return CliRunner().invoke(cli, ["scan", *args, "-q"], catch_exceptions=False)


def test_output_folder_and_files_are_private(make_zip, tmp_path):
    out = tmp_path / "out"
    assert scan(str(make_zip("x/2024")), "--out", str(out)).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    for path in out.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_a_file_already_in_the_folder_is_made_private(make_zip, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    stale = out / "report.html"
    stale.write_text("old")
    stale.chmod(0o666)
    assert scan(str(make_zip("x/2024")), "--out", str(out)).exit_code == 0
    assert stat.S_IMODE(stale.stat().st_mode) == 0o600


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="this OS has no O_NOFOLLOW")
def test_a_planted_symlink_does_not_receive_the_report(make_zip, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "elsewhere.md"
    victim.write_text("untouched")
    (out / "checklist.md").symlink_to(victim)
    result = scan(str(make_zip("x/2024")), "--out", str(out))
    assert result.exit_code == 2 and "checklist.md: is a link" in result.output
    assert len(result.output.strip().splitlines()) == 1 and victim.read_text() == "untouched"


def test_a_planted_link_does_not_receive_the_decisions(make_zip, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "shared.db"
    victim.write_bytes(b"")
    (out / "decisions.sqlite").symlink_to(victim)
    result = scan(str(make_zip("x/2024")), "--out", str(out))
    assert result.exit_code == 2 and "decisions.sqlite: not a regular file" in result.output
    assert victim.read_bytes() == b""


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="no file owners on this OS")
def test_an_output_folder_others_can_write_in_is_refused(make_zip, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    result = scan(str(make_zip("x/2024")), "--out", str(shared))
    assert result.exit_code == 2 and "other users can write in the output folder" in result.output
    assert list(shared.iterdir()) == []


def test_an_output_path_that_is_a_file_gets_one_line(make_zip, tmp_path):
    afile = tmp_path / "afile.txt"
    afile.write_text("")
    result = CliRunner().invoke(cli, ["scan", str(make_zip("x/2024")), "--out", str(afile), "-q"])
    assert result.exit_code == 2 and result.output.strip().splitlines() == [
        f"backscroll: {afile}: cannot create the output folder ({afile} is not a folder)"]


def test_an_output_folder_that_cannot_exist_is_refused_before_scanning(make_zip, tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("")
    result = CliRunner().invoke(cli, ["scan", str(make_zip("x/2024")), "--out", str(blocker / "out"), "-q"])
    assert result.exit_code == 2
    assert "cannot create the output folder" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(("text", "expected"), [
    ('=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'),
    ("+1 for the new rota", "'+1 for the new rota"),
    ("@sam see you friday", "'@sam see you friday"),
    ("ordinary post", "ordinary post"),
])
def test_spreadsheet_formulas_are_defused(text, expected):
    assert sheet_safe(text) == expected


def x_with_one_dm(archive: Path, message: dict[str, str], username: str = "me") -> Path:
    """An X archive of account 1 with no posts and one direct message between accounts 1 and 2."""
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("data/account.js", "window.YTD.account.part0 = "
                    + json.dumps([{"account": {"username": username, "accountId": "1"}}]))
        zf.writestr("data/tweets.js", "window.YTD.tweets.part0 = []")
        zf.writestr("data/direct-messages.js", "window.YTD.direct_messages.part0 = "
                    + json.dumps([{"dmConversation": {"conversationId": "1-2", "messages": [{"messageCreate": message}]}}]))
    return archive


def test_findings_csv_defuses_a_formula_in_a_received_message(tmp_path):
    archive = x_with_one_dm(tmp_path / "x.zip", {"id": "9", "senderId": "2", "recipientId": "1",
                                                 "createdAt": "2024-01-01T00:00:00.000Z",
                                                 "text": '=HYPERLINK("http://evil.example","hi")'})
    out = tmp_path / "out"
    assert scan(str(archive), "--out", str(out)).exit_code == 0
    with (out / "findings.csv").open(newline="") as fh:
        (row,) = csv.DictReader(fh)
    assert row["text"].startswith("'=HYPERLINK(") and row["kind"] == "dm_received"


def test_names_and_ids_from_the_export_cannot_become_formulas_or_markup(tmp_path):
    msg = {"id": "9` <img src=x onerror=alert(1)> `", "senderId": "1", "recipientId": "2", "createdAt": "2024-01-01T03:00:00.000Z",
           "text": "52M in bed 7 at 3am coded twice, his wife still doesn't know"}
    archive = x_with_one_dm(tmp_path / "x.zip", msg, username="=HYPERLINK(1)")
    out = tmp_path / "out"
    assert scan(str(archive), "--out", str(out)).exit_code == 0
    with (out / "findings.csv").open(newline="") as fh:
        (row,) = csv.DictReader(fh)
    assert row["account"] == "'=HYPERLINK(1)"
    line = next(x for x in (out / "checklist.md").read_text().splitlines() if "x:dm-9" in x)
    assert line.rstrip().endswith("`` x:dm-9` <img src=x onerror=alert(1)> ` ``")  # one code span: the tag stays text


def test_terminal_controls_in_the_export_cannot_act_on_a_terminal(tmp_path):
    """`cat checklist.md` or a CSV in a terminal must not clear the screen or retitle the window."""
    esc = "\x1b[2J\x1b]0;pwned\x07\x9b1m"
    msg = {"id": f"9{esc}", "senderId": "1", "recipientId": "2", "createdAt": "2024-01-01T03:00:00.000Z",
           "text": f"52M in bed 7 at 3am coded twice{esc}, his wife still doesn't know"}
    archive = x_with_one_dm(tmp_path / "x.zip", msg)
    out = tmp_path / "out"
    assert scan(str(archive), "--out", str(out)).exit_code == 0
    for name in ("checklist.md", "findings.csv", "x-delete.csv"):
        written = (out / name).read_text(encoding="utf-8")
        assert not any(c in written for c in "\x1b\x07\x9b"), name
    assert "coded twice␛\\[2J␛\\]0;pwned␇\ufffd1m," in (out / "checklist.md").read_text(encoding="utf-8")
    unusable = tmp_path / f"notes{esc}.zip"
    unusable.write_bytes(b"not a zip")
    result = CliRunner().invoke(cli, ["scan", str(unusable), "--out", str(tmp_path / "o2"), "-q"])
    assert result.exit_code == 2 and "\x1b" not in result.output and "notes␛[2J" in result.output


@pytest.mark.parametrize("url", [
    "https://x.com/a>[x](javascript:alert(1))</status/1", 'https://x.com/a"onmouseover=1', "javascript:alert(1)",
])
def test_links_that_could_break_out_of_markup_are_not_links(url):
    assert safe_url(url) is None


def test_redacted_report_keeps_people_apart_and_their_connections(make_zip, tmp_path):
    from audit.pipeline import scan as run_scan
    from reports import accounts

    export = make_zip("facebook/2024")
    names = {p["name"] for view in accounts.views(run_scan([str(export)])) for p in view.patients}
    assert "Pat Jones" in names
    out = tmp_path / "out"
    assert scan(str(export), "--out", str(out), "--redact").exit_code == 0
    masked = (out / "report-redacted.html").read_text()
    assert set(re.findall(r"\[person \d+\]", masked)) == {f"[person {n}]" for n in range(1, len(names) + 1)}
    assert not any(name in masked for name in names)
    assert "[withheld in the redacted report]" in masked
    # Meta names each conversation's folder after the other person; the files-read table numbers them instead.
    assert "patjones" not in masked and "samortiz" not in masked and "messages/inbox/[conversation " in masked
    assert "patjones" in (out / "report.html").read_text()


def test_redacted_report_drops_conversation_links_that_hold_the_other_persons_id(make_zip, tmp_path):
    out = tmp_path / "out"
    assert scan(str(make_zip("x/2024")), "--out", str(out), "--redact").exit_code == 0
    full, masked = (out / "report.html").read_text(), (out / "report-redacted.html").read_text()
    assert "x.com/messages/" in full and "x.com/messages/" not in masked
