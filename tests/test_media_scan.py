"""`backscroll scan --media`: photo findings reach the risk, the action, the report and the checklist."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("PIL", reason="media analysis needs Pillow: pip install -e '.[media]'")

import media_images as draw

from audit.cli import cli
from audit.media import ocr as ocr_mod
from audit.media import video

WORK = (51.50740, -0.12780)


def scan(tmp_path, files, *args):
    tmp_path.mkdir(parents=True, exist_ok=True)
    out, rows, _ = scan_export(tmp_path, draw.x_export(tmp_path / "x.zip", files), *args)
    return out, rows


def scan_export(tmp_path, export, *args):
    """(output folder, findings.jsonl items by key, what the command printed)."""
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["scan", str(export), "--out", str(out), "-q", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (out / "findings.jsonl").read_text().splitlines()]
    return out, {r["key"]: r for r in rows if r["type"] == "item"}, result.output


def island(page: str) -> dict:
    raw = re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S).group(1)
    return json.loads(raw)


def test_photo_taken_at_work_with_gps_raises_the_items_risk(tmp_path):
    near_work = draw.jpeg(draw.holiday(1), gps=(WORK[0] + 0.0005, WORK[1]))
    files = {"1": ("great coffee today", near_work), "2": ("great coffee today", draw.jpeg(draw.holiday(2)))}
    _, plain = scan(tmp_path / "a", files)
    out, rows = scan(tmp_path / "b", files, "--media", "--no-ocr", "--workplace-location", f"{WORK[0]},{WORK[1]},300")
    assert rows["x:1"]["risk"] > plain["x:1"]["risk"]
    assert rows["x:1"]["action"] != "keep"
    assert rows["x:2"]["risk"] == plain["x:2"]["risk"]
    page = (out / "report.html").read_text()
    record = next(r for r in island(page)["items"] if r["k"] == "x:1")
    (photo,) = record["g"]["f"]
    assert photo["th"].startswith("data:image/jpeg;base64,")
    assert any("workplace" in reason for reason in photo["w"])
    assert "img-src data:" in page
    checklist = (out / "checklist.md").read_text()
    assert "Photo: remove the location before keeping" in checklist


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed (.ci/run installs tesseract-ocr)")
def test_whiteboard_names_read_by_ocr_become_evidence(tmp_path):
    out, rows = scan(tmp_path, {"7": ("team pic before the holidays 🎄", draw.jpeg(draw.whiteboard()))}, "--media")
    assert rows["x:7"]["action"] in ("delete", "review")
    record = next(r for r in island((out / "report.html").read_text())["items"] if r["k"] == "x:7")
    (photo,) = record["g"]["f"]
    assert photo["o"].strip()
    assert photo["a"] in ("delete photo", "crop or blur before keeping")


def test_redacted_report_carries_no_photos(tmp_path):
    near_work = draw.jpeg(draw.holiday(3), gps=(WORK[0], WORK[1]))
    out, _ = scan(tmp_path, {"1": ("coffee", near_work)}, "--media", "--no-ocr", "--redact",
                  "--workplace-location", f"{WORK[0]},{WORK[1]}")
    page = (out / "report-redacted.html").read_text()
    assert "data:image/" not in page and '"g"' not in island(page)["items"].__repr__()


@pytest.mark.parametrize("bad", ["nowhere", "91,0", "10,200", "1,2,-5", "1,2,3,4"])
def test_bad_workplace_location_is_a_usage_error(tmp_path, bad):
    export = draw.x_export(tmp_path / "x.zip", {"1": ("x", draw.jpeg(draw.holiday(1)))})
    result = CliRunner().invoke(cli, ["scan", str(export), "--out", str(tmp_path / "o"), "--media", "--workplace-location", bad])
    assert result.exit_code == 2
    assert "LAT,LON" in result.output
    assert not (tmp_path / "o").exists()


def by_text(rows: dict, start: str) -> dict:
    (row,) = [r for r in rows.values() if r["text"].startswith(start)]
    return row


def test_a_photo_taken_at_work_at_night_puts_the_post_in_the_report_and_the_checklist(tmp_path):
    # Meta keeps the place and time in its JSON only: neither finding has anything to strip from the file,
    # and both once left the post at risk 70 marked "keep", out of the report and the checklist.
    night = int(datetime(2024, 3, 5, 3, 5, tzinfo=UTC).timestamp())
    at_work = {"latitude": WORK[0] + 0.0003, "longitude": WORK[1]}
    export = draw.fb_export(tmp_path / "fb.zip", {
        "h1.jpg": ("survived another night shift", draw.jpeg(draw.holiday(8)), {"taken_timestamp": night, **at_work}),
        "h2.jpg": ("great coffee", draw.jpeg(draw.holiday(9)), at_work),
        "h3.jpg": ("sunset", draw.jpeg(draw.holiday(10)), {}),
    })
    out, rows, printed = scan_export(tmp_path, export, "--media", "--no-ocr", "--timezone", "UTC",
                                     "--workplace-location", f"{WORK[0]},{WORK[1]},300")
    night_shift, coffee, sunset = by_text(rows, "survived"), by_text(rows, "great coffee"), by_text(rows, "sunset")
    assert night_shift["risk"] >= 70 and night_shift["action"] == "delete"
    assert coffee["action"] == "review" and sunset["action"] == "keep"
    assert "photo: taken 33 m from your workplace" in coffee["summary"]
    shown = {r["k"] for r in island((out / "report.html").read_text())["items"]}
    assert {night_shift["key"], coffee["key"]} <= shown and sunset["key"] not in shown
    checklist = (out / "checklist.md").read_text()
    assert night_shift["key"] in checklist and coffee["key"] in checklist and sunset["key"] not in checklist
    assert "Photo: check what it shows before keeping (taken 33 m from your workplace" in checklist
    assert "0 flagged; checklist: 1 to delete, 1 to look at again." in printed


def test_a_photo_showing_patient_details_flags_the_post_as_a_patient_reference(tmp_path, monkeypatch):
    # OCR is faked so the test needs no Tesseract: the text is what it reads off draw.chart_screenshot().
    chart = "Patient Chart\nName: Lopez, Maria\nDOB: 03/14/1958 MRN 4402913\nDx: NSTEMI"
    badge = "Dana Whitfield\nRN"  # a name beside a clinical word, alone: the user's own badge, not a patient
    read = {(1080, 2340): chart, (1400, 900): badge}
    monkeypatch.setattr(ocr_mod, "read_text", lambda img, **kwargs: ocr_mod.OcrResult(read[img.size], 10, 0.8))
    files = {"1": ("coffee break", draw.jpeg(draw.chart_screenshot())), "2": ("coffee break", draw.jpeg(draw.holiday(2))),
             "3": ("new job!", draw.jpeg(draw.whiteboard()))}
    out, rows, printed = scan_export(tmp_path, draw.x_export(tmp_path / "x.zip", files), "--media")
    row = rows["x:1"]
    assert row["flags"] == ["patient_reference"] and row["action"] == "delete" and row["risk"] >= 70
    assert row["scores"]["patient_reference"] >= 0.7
    photo = [e for e in row["evidence"] if e["reason"].startswith("text in the photo: ")]
    assert {e["reason"] for e in photo} >= {"text in the photo: a date of birth (DOB: 03/14/1958)",
                                            "text in the photo: a record or account number (MRN 4402913)"}
    assert all(e["start"] == e["end"] == 0 and e["text"] == "" for e in photo)  # no span in the post's own words
    assert rows["x:2"]["flags"] == [] and rows["x:2"]["action"] == "keep"
    assert rows["x:3"]["flags"] == [] and rows["x:3"]["action"] == "review"
    assert "Read 3 items; 1 flagged; checklist: 1 to delete, 1 to look at again." in printed
    checklist = (out / "checklist.md").read_text()
    line = next(ln for ln in checklist.splitlines() if "`x:1`" in ln)
    assert line.startswith("- [ ] **delete**") and "Patient reference" in line
    assert "Maria" not in checklist and "Dana" not in checklist  # the summary names what was read, not the name read


def test_facebook_photo_times_are_read_in_the_scans_time_zone(tmp_path):
    # Meta's taken_timestamp is a Unix time: 20:30 UTC is 14:30 in Chicago, an afternoon; 12:30 UTC is 06:30 there.
    afternoon = int(datetime(2024, 3, 5, 20, 30, tzinfo=UTC).timestamp())
    early = int(datetime(2024, 3, 6, 12, 30, tzinfo=UTC).timestamp())
    export = draw.fb_export(tmp_path / "fb.zip", {
        "f1.jpg": ("after my shift, coffee", draw.jpeg(draw.holiday(8)), {"taken_timestamp": afternoon}),
        "f2.jpg": ("end of my shift, coffee", draw.jpeg(draw.holiday(9)), {"taken_timestamp": early}),
    })
    out, rows, _ = scan_export(tmp_path, export, "--media", "--no-ocr", "--timezone", "America/Chicago")
    records = {r["k"]: r for r in island((out / "report.html").read_text())["items"]}
    assert by_text(rows, "after my shift")["key"] not in records  # 14:30 is no night-shift hour
    (photo,) = records[by_text(rows, "end of my shift")["key"]]["g"]["f"]
    assert photo["w"] == ["taken at 06:30, a night-shift hour; the post mentions “shift”"]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_scan_stopped_while_reading_a_video_leaves_no_copy_behind(tmp_path, signum):
    # The video is copied to a private temporary folder for ffmpeg; killed by the signal's default action,
    # the scan left that copy (up to 300 MB) behind. A fake ffmpeg says when it started, then hangs.
    export, env, tmp = draw.held_in_a_video(tmp_path, 60)
    root = Path(__file__).resolve().parent.parent
    scan = subprocess.Popen([sys.executable, "-m", "audit", "scan", str(export), "--out", str(tmp_path / "out"), "-q",
                             "--media", "--no-ocr"], cwd=root, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 600  # the first scan of a test run may train the model
        while not list(tmp.glob("backscroll-video-*/in.mp4.started")):
            assert scan.poll() is None and time.monotonic() < deadline, "the fake ffmpeg never started"
            time.sleep(0.1)
        scan.send_signal(signum)
        _, err = scan.communicate(timeout=60)
    finally:
        scan.kill()
    assert scan.returncode == 128 + signum, err
    assert f"stopped by {signal.Signals(signum).name}" in err
    assert list(tmp.iterdir()) == []


def test_the_report_lists_every_file_not_checked_and_the_checkers_it_went_without(tmp_path, monkeypatch):
    # Notes once went to stderr only (the first five, without file names): a skipped photo read as a clean one.
    monkeypatch.setattr(ocr_mod, "tesseract_path", lambda: None)
    monkeypatch.setattr(video, "decoder", lambda: None)
    tweets = {"1": [("board.jpg", "photo")], "2": [("gone.jpg", "photo")], "3": [("broken.jpg", "photo")],
              "4": [("POSTER.jpg", "video")], "5": [("beach.jpg", "photo")]}
    files = {"data/tweets_media/1-board.jpg": draw.jpeg(draw.whiteboard()), "data/tweets_media/3-broken.jpg": b"not a picture",
             "data/tweets_media/4-clip.mp4": b"\x00\x00\x00\x18ftypmp42", "data/tweets_media/5-beach.jpg": draw.jpeg(draw.holiday(1))}
    out, _, printed = scan_export(tmp_path, draw.x_archive(tmp_path / "x.zip", tweets, files), "--media")
    lines = [json.loads(line) for line in (out / "findings.jsonl").read_text().splitlines()]
    (head,) = [r for r in lines if r["type"] == "media"]
    assert head["files"] == 5 and head["not_checked"] == 4
    assert [u.split(":")[0] for u in head["unavailable"]] == ["Tesseract is not installed (Debian", "ffmpeg is not installed"]
    listed = {r["key"]: r for r in lines if r["type"] == "media_file"}
    assert set(listed) == {"x:1", "x:2", "x:3", "x:4"}  # the beach photo was checked in full
    assert listed["x:1"]["member"] == "data/tweets_media/1-board.jpg" and listed["x:1"]["reasons"][0].startswith("text not read: Tesseract")
    assert listed["x:2"]["member"] is None and listed["x:2"]["reasons"][0].startswith("file not in the export")
    assert listed["x:3"]["reasons"][0].startswith("could not be read as an image")
    assert listed["x:4"]["reasons"][0].startswith("video not analysed: no decoder available")
    page = (out / "report.html").read_text()
    section = page[page.index('id="media-checked"'):]
    section = section[:section.index("</details>")]
    assert "Tesseract is not installed" in section and "ffmpeg is not installed" in section
    assert "4 files not checked, or not fully" in section
    for row in listed.values():
        assert f"<code>{row['key']}</code></td><td>{row['member'] or row['uri']}</td>" in section
    assert "4 files were not checked, or not fully; the report and findings.jsonl list which and why" in printed
    assert "note: Tesseract is not installed" in printed


def test_the_redacted_report_numbers_conversation_folders_in_the_files_not_checked():
    from audit.pipeline import MediaCheck, ScanResult, UncheckedFile
    from reports.redact import redact

    photo = "your_facebook_activity/messages/inbox/samortiz_1/photos/3301.jpg"
    media = MediaCheck(1, 1, 0, (), (UncheckedFile("facebook:dm-1", photo, None, ("file not in the export",)),))
    (unchecked,) = redact(ScanResult([], [], media=media)).media.unchecked
    assert unchecked.uri == "your_facebook_activity/messages/inbox/[conversation 1]/photos/3301.jpg"
