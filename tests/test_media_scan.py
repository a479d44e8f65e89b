"""`backscroll scan --media`: photo findings reach the risk, the action, the report and the checklist."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from click.testing import CliRunner

pytest.importorskip("PIL", reason="media analysis needs Pillow: pip install -e '.[media]'")

import media_images as draw

from audit.cli import cli

WORK = (51.50740, -0.12780)


def scan(tmp_path, files, *args):
    tmp_path.mkdir(parents=True, exist_ok=True)
    export = draw.x_export(tmp_path / "x.zip", files)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["scan", str(export), "--out", str(out), "-q", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (out / "findings.jsonl").read_text().splitlines()]
    return out, {r["key"]: r for r in rows if r["type"] == "item"}


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
