"""The command-line contract that other tools and users rely on."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from importing import facebook_downloads_a_year_apart, someone_elses

from audit.cli import cli

REQUIRED_COLUMNS = ["platform", "kind", "item_id", "created_at", "text", "url", "risk", "flags", "action", "source"]


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_scan_writes_every_output(make_zip, tmp_path):
    out = tmp_path / "out"
    result = run("scan", str(make_zip("x/2024")), "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} >= {"report.html", "checklist.md", "findings.csv", "findings.jsonl"}
    rows = read_csv(out / "findings.csv")
    assert list(rows[0])[: len(REQUIRED_COLUMNS)] == REQUIRED_COLUMNS
    # one row per imported item, flagged or not: 6 posts and 3 messages
    assert len(rows) == 9
    by_id = {r["item_id"]: r for r in rows}
    first = by_id["1700000000000000001"]
    assert first["created_at"] == "2024-11-07T03:12:50Z"
    assert "& he still" in first["text"] and "&amp;" not in first["text"]
    assert first["source"] == "data/tweets.js"
    assert first["url"] == "https://x.com/nightshift_doc/status/1700000000000000001"
    for row in rows:
        assert 0 <= int(row["risk"]) <= 100
        assert row["action"] in {"delete", "lock", "review", "keep"}
        flags = filter(None, row["flags"].split(";"))
        assert all(flag in {"patient_reference", "venting", "grand_rounds", "medical_advice"} for flag in flags)


def test_scan_flags_the_obvious_patient_story_with_evidence(make_zip, tmp_path):
    out = tmp_path / "out"
    run("scan", str(make_zip("x/2024")), "--out", str(out), "-q")
    lines = [json.loads(line) for line in (out / "findings.jsonl").read_text().splitlines()]
    story = next(x for x in lines if x.get("item_id") == "1700000000000000001")
    assert "patient_reference" in story["flags"]
    assert story["action"] == "delete"
    spans = {e["text"] for e in story["evidence"]}
    assert {"52M", "bed 7", "3am"} <= spans
    assert all(story["text"][e["start"]:e["end"]] == e["text"] for e in story["evidence"])
    files = [x for x in lines if x["type"] == "file"]
    deleted = next(f for f in files if f["source"] == "data/deleted-tweets.js")
    assert (deleted["records"], deleted["imported"]) == (1, 0)
    assert deleted["skipped"] == {"already deleted on X (the archive keeps them for 14 days)": 1}


def test_report_shows_hostile_text_as_text(make_zip, tmp_path):
    out = tmp_path / "out"
    run("scan", str(make_zip("x/2024")), "--out", str(out), "-q")
    page = (out / "report.html").read_text()
    assert "<script>alert" not in page
    unmarked = re.sub(r"</?mark[^>]*>", "", page)  # evidence highlights may split the text; the escaping must hold across them
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in unmarked
    assert page.count("<script>") == 1  # the report's own filter script, nothing else
    assert "http://" not in page.replace("http://www.w3.org", "")  # no external resources
    assert "This report contains sensitive text" in page


def test_checklist_lists_flagged_items_with_links(make_zip, tmp_path):
    out = tmp_path / "out"
    run("scan", str(make_zip("x/2024")), "--out", str(out), "-q")
    checklist = (out / "checklist.md").read_text()
    assert "Protect your posts" in checklist
    assert "<https://x.com/nightshift_doc/status/1700000000000000001>" in checklist
    assert "\\<script\\>" in checklist or "<script>" not in checklist


def unusable(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    cases: dict[str, tuple[Path, str]] = {}
    text = tmp_path / "notes.zip"
    text.write_text("just some text")
    cases["not a zip"] = (text, "is not a zip archive")
    empty = tmp_path / "empty.zip"
    zipfile.ZipFile(empty, "w").close()
    cases["empty zip"] = (empty, "is empty")
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w") as zf:
        zf.writestr("data/tweets.js", "window.YTD.tweets.part0 = []" + " " * 5000)
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(good.read_bytes()[:200])
    cases["truncated zip"] = (truncated, "truncated or damaged")
    unsafe = tmp_path / "unsafe.zip"
    with zipfile.ZipFile(unsafe, "w") as zf:
        zf.writestr("data/tweets.js", "window.YTD.tweets.part0 = []")
        zf.writestr("../../evil.js", "x")
    cases["unsafe name"] = (unsafe, "unsafe file name")
    html_export = tmp_path / "facebook-html.zip"
    with zipfile.ZipFile(html_export, "w") as zf:
        zf.writestr("start_here.html", "<html></html>")
        zf.writestr("your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.html", "<html></html>")
    cases["meta html"] = (html_export, "Format: JSON")
    takeout = tmp_path / "takeout.zip"
    with zipfile.ZipFile(takeout, "w") as zf:
        zf.writestr("Takeout/archive_browser.html", "<html></html>")
    cases["google takeout"] = (takeout, "Google Takeout")
    unknown = tmp_path / "photos.zip"
    with zipfile.ZipFile(unknown, "w") as zf:
        zf.writestr("notes/readme.txt", "hello")
    cases["unknown"] = (unknown, "not an export backscroll knows")
    cases["missing"] = (tmp_path / "nope.zip", "no such file")
    encrypted = tmp_path / "encrypted.zip"
    with zipfile.ZipFile(encrypted, "w") as zf:
        zf.writestr("data/tweets.js", "window.YTD.tweets.part0 = []")
    raw = bytearray(encrypted.read_bytes())
    # set the "encrypted" flag bit in the local and central headers, as a password-protected zip has
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        at = raw.find(sig)
        offset = 6 if sig == b"PK\x03\x04" else 8
        raw[at + offset] |= 0x01
    encrypted.write_bytes(bytes(raw))
    cases["encrypted"] = (encrypted, "password-protected")
    cut_posts = tmp_path / "cut-posts.zip"
    with zipfile.ZipFile(cut_posts, "w") as zf:  # a whole zip whose only posts file stops halfway
        zf.writestr("data/tweets.js", 'window.YTD.tweets.part0 = [ {"tweet": {"id_str": "1", "full_text": "52M in bed')
    cases["nothing readable"] = (cut_posts, "data/tweets.js: file not readable")
    return cases


CASES = ["not a zip", "empty zip", "truncated zip", "unsafe name", "meta html", "google takeout", "unknown", "missing", "encrypted",
         "nothing readable"]


@pytest.mark.parametrize("case", CASES)
def test_unusable_input_exits_2_with_one_plain_line(case, tmp_path):
    path, expected = unusable(tmp_path)[case]
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "audit", "scan", str(path), "--out", str(out), "-q"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert path.name in lines[0] and expected in lines[0]
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_classify_reads_and_writes_json_lines_in_order():
    stdin = "\n".join(json.dumps(r) for r in [
        {"id": "a", "text": "38F in room 12 at 2am, overdose, mom is the principal at Lincoln High"},
        {"id": "b", "text": "grabbing coffee with friends before the game", "kind": "post"},
        {"id": 3, "text": "@sam just take 2 of my leftover oxycodone, no need for the ER", "kind": "reply"},
    ])
    result = run("classify", stdin=stdin)
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", 3]
    for row in rows:
        assert set(row) == {"id", "scores", "flags", "risk", "summary", "evidence"}
        assert set(row["scores"]) == {"patient_reference", "venting", "grand_rounds", "medical_advice"}
        assert all(0.0 <= s <= 1.0 for s in row["scores"].values())
    assert "patient_reference" in rows[0]["flags"]
    assert rows[1]["flags"] == []
    assert "medical_advice" in rows[2]["flags"]
    ev = rows[0]["evidence"][0]
    assert set(ev) == {"category", "start", "end", "text", "reason", "learned"}
    assert all(e["learned"] == e["reason"].startswith("wording typical of") for e in rows[0]["evidence"])
    assert not all(e["learned"] for e in rows[0]["evidence"])  # "52M", "bed 7": a rule's findings
    assert "together point to one patient" in rows[0]["summary"]
    assert rows[1]["summary"] == ""


def test_classify_reads_the_posting_time_in_the_given_zone():
    text = "3am and the family finally agreed to comfort care"
    line = json.dumps({"id": 1, "text": text, "created_at": "2021-03-02T09:40:00Z"})
    chicago = json.loads(run("classify", "--timezone", "America/Chicago", stdin=line).output)
    london = json.loads(run("classify", "--timezone", "Europe/London", stdin=line).output)
    assert [e["text"] for e in chicago["evidence"] if "posted at 03:40" in e["reason"]] == ["3am"]
    assert not any("posted at" in e["reason"] for e in london["evidence"])
    assert chicago["scores"]["patient_reference"] > london["scores"]["patient_reference"]


@pytest.mark.parametrize(("args", "line", "message"), [
    (["--timezone", "Mars/Base"], '{"text": "ok"}', "--timezone: unknown time zone 'Mars/Base'"),
    ([], '{"text": "ok", "created_at": "last tuesday"}', "stdin line 1: created_at 'last tuesday' is not an ISO 8601 time"),
    ([], '{"text": "ok", "created_at": 1614678000}', "stdin line 1: created_at 1614678000 is not an ISO 8601 time"),
])
def test_classify_refuses_a_bad_zone_or_time(args, line, message):
    result = CliRunner().invoke(cli, ["classify", *args], input=line + "\n")
    assert result.exit_code == 2
    assert message in result.output


def test_classify_rejects_bad_input_line():
    result = CliRunner().invoke(cli, ["classify"], input='{"id": 1, "text": "ok"}\nnot json\n')
    assert result.exit_code == 2
    assert "stdin line 2" in result.output


def test_classify_rejects_an_unknown_kind():
    result = CliRunner().invoke(cli, ["classify"], input='{"id": 1, "text": "ok", "kind": "tweet"}\n')
    assert result.exit_code == 2
    assert "stdin line 1" in result.output and "'tweet'" in result.output and "reply" in result.output


def test_classify_uses_the_users_workplace():
    line = json.dumps({"id": 1, "text": "long night at Oakridge again, the usual chaos"})
    plain = json.loads(run("classify", stdin=line).output)
    told = json.loads(run("classify", "--workplace", "Oakridge", stdin=line).output)
    assert told["scores"]["patient_reference"] > plain["scores"]["patient_reference"]


def test_demo_writes_a_report(tmp_path):
    result = run("demo", "--out", str(tmp_path / "demo"), "-q")
    assert result.exit_code == 0
    page = (tmp_path / "demo" / "report.html").read_text()
    assert "demo_resident" in page
    rows = read_csv(tmp_path / "demo" / "findings.csv")
    assert len(rows) == 27
    flagged = {r["item_id"] for r in rows if "patient_reference" in r["flags"].split(";")}
    assert "1170000000000004000" in flagged  # the PICU burn story
    assert "Read 27 items; " in result.output


def test_counts_are_spelled_for_one_and_many():
    from audit.cli import _count
    assert (_count(1, "item"), _count(2, "item"), _count(1, "record or file", "records or files")) == (
        "1 item", "2 items", "1 record or file")
    assert _count(12000, "earlier decision") == "12,000 earlier decisions"


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert len(cli.commands[command].help or "") > 20


def test_python_dash_m_is_the_same_program():
    proc = subprocess.run([sys.executable, "-m", "audit", "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "scan" in proc.stdout and "classify" in proc.stdout


def test_scan_refuses_an_unknown_zone_before_reading_anything(make_zip, tmp_path):
    out = tmp_path / "report"
    result = run("scan", str(make_zip("x/2024")), "--out", str(out), "-q", "--timezone", "Nowhere/Special")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == ["backscroll: --timezone: unknown time zone 'Nowhere/Special' "
                                                  "(use a name like Europe/London or America/Chicago)"]
    assert not out.exists()


def test_progress_claims_no_rate_before_it_has_timed_any_work(capsys):
    from audit.cli import _Progress

    progress = _Progress(quiet=False)
    progress("classify", 4000, 10000)
    first = capsys.readouterr().err
    assert "4000/10000" in first
    # The first 4000 were done before the bar existed; a rate over them would be invented.
    assert re.search(r"[\d.]+[kMG]? items/s", first) is None, first
    progress("classify", 10000, 10000)
    progress.close()
    assert "10000/10000" in capsys.readouterr().err


def test_an_export_with_nothing_in_it_says_nothing_was_checked(tmp_path):
    empty = tmp_path / "x.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("data/tweets.js", "window.YTD.tweets.part0 = []")
    result = run("scan", str(empty), "--out", str(tmp_path / "out"), "-q")
    assert result.exit_code == 0 and "Read 0 items" in result.output and "Nothing was checked" in result.output


def test_two_x_archives_in_one_scan_are_refused_in_one_line(make_zip, tmp_path):
    # Merged by file name, the second archive's data/tweets.js was hidden behind the first's: never read, never said.
    first, second = make_zip("x/2024", name="x-work.zip"), make_zip("x/2024", name="x-personal.zip")
    result = run("scan", str(first), str(second), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert line == (f"backscroll: {second}: a second X archive beside {first}; backscroll reads one X archive per scan: "
                    "scan each with its own --out")
    assert not (tmp_path / "out").exists()


def test_one_part_of_a_split_meta_export_is_said_to_be_only_a_part(make_zip, tmp_path):
    whole = run("scan", str(make_zip("facebook/2024", name="facebook-dana-2025-01-20-Ab3dEf9h.zip")), "--out", str(tmp_path / "a"), "-q")
    assert whole.exit_code == 0 and "note:" not in whole.output
    assert "Not the whole export" not in (tmp_path / "a" / "report.html").read_text()
    part = make_zip("facebook/2024", name="facebook-dana-2025-01-20-part2.zip")
    result = run("scan", str(part), "--out", str(tmp_path / "b"), "-q")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    note = [line for line in lines if "note:" in line]
    assert note == ["backscroll: note: facebook-dana-2025-01-20-part2.zip looks like part 2 of a Facebook export Meta split "
                    "into several zips, but part 1 was not given. The scan covers only what was given: download every part "
                    "(Meta's download page lists them) and scan them together."]
    # said as soon as it is known, before the scan's summary: someone can stop and add the missing parts
    assert lines.index(note[0]) < next(i for i, line in enumerate(lines) if line.startswith("Read "))
    report = (tmp_path / "b" / "report.html").read_text()
    assert "Not the whole export.</strong> facebook-dana-2025-01-20-part2.zip looks like part 2" in report

ANOTHER_PERSON = {
    "facebook/2024": ("Dana Whitfield", {"Dana Whitfield": "Robin Vance", "dana.whitfield": "robin.vance"}, "Facebook"),
    "instagram/2025": ("Sunny Park", {"Sunny Park": "Robin Vance", "sunny.rn": "robin.vance"}, "Instagram"),
}


@pytest.mark.parametrize("layout", list(ANOTHER_PERSON))
def test_two_people_s_meta_exports_in_one_scan_are_refused_in_one_line(make_zip, tmp_path, layout):
    # Read as one account, the two people's posts were mixed, and the second's files named like the first's never read.
    owner, rename, name = ANOTHER_PERSON[layout]
    first = make_zip(layout, name="mine.zip")
    second = someone_elses(first, tmp_path / "theirs.zip", rename)
    result = run("scan", str(first), str(second), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert line == (f"backscroll: {second}: a {name} export of another account (Robin Vance) beside {first} ({owner}); "
                    f"backscroll reads one {name} account per scan: scan each export on its own")
    assert not (tmp_path / "out").exists()
    # Two downloads of the same person's export are not two people.
    same = someone_elses(first, tmp_path / "again.zip", {})
    assert run("scan", str(first), str(same), "--out", str(tmp_path / "out"), "-q").exit_code == 0


def test_two_downloads_of_one_meta_account_are_both_read_and_said_so(make_zip, tmp_path):
    older, newer = facebook_downloads_a_year_apart(make_zip, tmp_path)
    result = run("scan", str(older), str(newer), "--out", str(tmp_path / "out"), "-q")
    assert result.exit_code == 0
    assert [line for line in result.output.splitlines() if "note:" in line] == [
        "backscroll: note: Some inputs hold different versions of the same Facebook files: facebook-dana-2025-01-20.zip and "
        "facebook-dana-2026-01-20.zip (1 file). They look like two downloads of your account, not parts of one. Both were read, "
        "and what appears in both is listed once; what only the older download holds may already be deleted from Facebook."]
    report = (tmp_path / "out" / "report.html").read_text()
    assert "<strong>Two downloads of one account.</strong> Some inputs hold different versions" in report
    findings = [json.loads(line) for line in (tmp_path / "out" / "findings.jsonl").read_text().splitlines()]
    assert "A year on <b>4 West</b>" in [f.get("text") for f in findings]
