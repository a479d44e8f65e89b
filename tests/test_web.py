"""The local web app through Flask's test client: every route, every guard, bad uploads, decisions."""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import re
import signal
import socket
import sqlite3
import stat
import struct
import subprocess
import sys
import threading
import time
import urllib.request
import zipfile
from http.client import HTTPConnection
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytest.importorskip("flask", reason="the web app needs Flask")

from flask.testing import FlaskClient

from audit.classifier import load_classifier
from audit.errors import ExportError
from audit.web import Settings, create_app
from audit.web.security import TOKEN_HEADER, host_allowed

PORT = 5123
HOST = f"127.0.0.1:{PORT}"
KEY = "access-key-for-tests"
TOKEN = "csrf-token-for-tests"
LIMIT = 2 * 1024 * 1024


class Client(FlaskClient):
    """Reads every response to the end, so files sent with send_file are closed."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


def make(tmp_path: Path, scan_fn=None):  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path / "data", port=PORT, access_key=KEY, token=TOKEN, max_upload=LIMIT)
    app = create_app(settings, scan_fn)
    app.test_client_class = Client
    app.config["SERVER_NAME"] = HOST  # the test client's Host header
    return app


@pytest.fixture
def app(tmp_path):  # type: ignore[no-untyped-def]
    app = make(tmp_path)
    yield app
    app.extensions["backscroll"].close()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    c = app.test_client()
    login = c.get(f"/?key={KEY}")
    assert login.status_code == 302  # sets the access cookie, kept when the browser is closed and opened again
    assert "Max-Age=604800" in login.headers["Set-Cookie"] and "HttpOnly" in login.headers["Set-Cookie"]
    return c


def post(client, url: str, **kw):  # type: ignore[no-untyped-def]
    headers = {TOKEN_HEADER: TOKEN, "Accept": "application/json", **kw.pop("headers", {})}
    return client.post(url, headers=headers, **kw)


def upload(client, *paths: Path, **fields: str):  # type: ignore[no-untyped-def]
    load_classifier()  # trained before the scan starts: under load, training alone can outlast `wait`
    files = [(io.BytesIO(p.read_bytes()), p.name) for p in paths]
    return post(client, "/scans", data={"export": files, **fields}, content_type="multipart/form-data")


def wait(client, scan_id: str, timeout: float = 60) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/scans/{scan_id}/status").get_json()
        if status["status"] not in ("queued", "scanning"):
            return status
        time.sleep(0.05)
    raise AssertionError("scan did not finish")


def scanned(client, make_zip) -> str:  # type: ignore[no-untyped-def]
    response = upload(client, make_zip("x/2024", name="twitter-2024.zip"))
    assert response.status_code == 202, response.data
    scan_id = response.get_json()["id"]
    assert wait(client, scan_id)["status"] == "done"
    return scan_id


def test_index_page_has_the_upload_form_and_strict_headers(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="export"' in html and "multiple" in html and TOKEN in html
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "<script>" not in html  # no inline script on the app's pages
    assert client.get("/static/app.js").status_code == 200


def test_without_the_access_key_nothing_is_shown(app):
    c = app.test_client()
    assert c.get("/").status_code == 403
    assert c.get("/?key=wrong").status_code == 403
    first = c.get(f"/?key={KEY}")
    assert first.status_code == 302 and "HttpOnly" in first.headers["Set-Cookie"] and "SameSite=Strict" in first.headers["Set-Cookie"]
    assert c.get("/").status_code == 200


@pytest.mark.parametrize("host", ["evil.example:5123", "localhost.evil.example:5123", "127.0.0.1:80", "127.0.0.1", "10.0.0.2:5123"])
def test_foreign_host_headers_are_refused(client, host):
    assert client.get("/", headers={"Host": host}).status_code == 400
    assert post(client, "/delete-everything", headers={"Host": host}).status_code == 400


@pytest.mark.parametrize("host", ["127.0.0.1:5123", "localhost:5123", "[::1]:5123", "LOCALHOST:5123"])
def test_loopback_host_headers_are_accepted(app, host):
    assert app.test_client().get(f"/?key={KEY}", headers={"Host": host}).status_code == 302  # a fresh run's key


def test_the_printed_key_works_once(client, app):
    assert client.get(f"/?key={KEY}").status_code == 302  # the browser that traded it may open the link again
    other = app.test_client()
    assert other.get(f"/?key={KEY}").status_code == 403
    assert other.get("/", headers={"Cookie": f"backscroll_key={KEY}"}).status_code == 403


def test_the_server_mounts_the_app_under_a_random_path_its_cookie_is_limited_to(tmp_path):
    from werkzeug.test import Client

    from audit.web.server import build, url

    settings = Settings(data_dir=tmp_path / "data", port=0, access_key=KEY, token=TOKEN)
    httpd = build(settings, port_given=True)
    try:
        host = {"Host": f"127.0.0.1:{settings.port}"}
        assert re.fullmatch(r"/b-[\w-]{16}", settings.prefix) and f"{settings.prefix}/?key={KEY}" in url(settings)
        c = Client(httpd.app)
        assert c.get(f"/?key={KEY}", headers=host).status_code == 404  # nothing at the root, the key is not even read
        first = c.get(f"{settings.prefix}/?key={KEY}", headers=host)
        assert first.status_code == 302 and first.headers["Location"].endswith(f"{settings.prefix}/")
        # Browsers send a 127.0.0.1 cookie to every port; the path keeps it from other local servers.
        assert f"Path={settings.prefix}/" in first.headers["Set-Cookie"]
        assert c.get(f"{settings.prefix}/", headers=host).status_code == 200
        # Browsers ask for the icon at the root, never under the app's path: no icon, and no 404 in their console.
        icon = c.get("/favicon.ico", headers=host)
        assert icon.status_code == 204 and icon.data == b"" and settings.prefix not in str(icon.headers)
        assert c.get("/favicon.png", headers=host).status_code == 404
    finally:
        httpd.server_close()
        httpd.app.extensions["backscroll"].close()  # type: ignore[attr-defined]


def test_remote_hosts_need_allow_remote_and_never_a_name(tmp_path):
    settings = Settings(data_dir=tmp_path, port=PORT, allow_remote=True)
    assert host_allowed("192.168.1.5:5123", settings)
    assert not host_allowed("rebind.example:5123", settings)
    assert not host_allowed("192.168.1.5:80", settings)


def test_state_changes_need_the_token(client, make_zip, app):
    zipped = make_zip("x/2024")
    no_token = client.post("/scans", data={"export": (io.BytesIO(zipped.read_bytes()), "x.zip")},
                           content_type="multipart/form-data", headers={"Accept": "application/json"})
    assert no_token.status_code == 403 and "Reload" in no_token.get_json()["error"]
    wrong = post(client, "/delete-everything", headers={TOKEN_HEADER: "nope"})
    assert wrong.status_code == 403
    foreign = post(client, "/delete-everything", headers={"Origin": "http://evil.example"})
    assert foreign.status_code == 403
    assert app.extensions["backscroll"].listing() == []
    assert not list((app.extensions["backscroll"].incoming).iterdir())  # refused uploads are not kept
    # the token in a plain form field works too (the pages work without script)
    form = client.post("/delete-everything", data={"token": TOKEN})
    assert form.status_code == 303


def test_upload_scan_report_decide_download_delete(client, make_zip, app, tmp_path):
    store = app.extensions["backscroll"]
    scan_id = scanned(client, make_zip)
    data_dir = tmp_path / "data"
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    upload_file = data_dir / "scans" / scan_id / "uploads" / "twitter-2024.zip"
    assert upload_file.is_file() and stat.S_IMODE(upload_file.stat().st_mode) == 0o600

    status = client.get(f"/scans/{scan_id}/status").get_json()
    assert status["items"] > 0 and status["flagged"] > 0 and status["names"] == ["twitter-2024.zip"]
    assert client.get(f"/scans/{scan_id}").status_code == 302  # done: straight to the report

    report = client.get(f"/scans/{scan_id}/report")
    assert report.status_code == 200
    html = report.get_data(as_text=True)
    csp = report.headers["Content-Security-Policy"]
    assert "connect-src 'self'" in csp and "frame-ancestors 'none'" in csp and "'sha256-" in csp
    assert '"served":true' in html and 'href="files/checklist.html"' in html

    listing = client.get(f"/scans/{scan_id}/decisions").get_json()
    assert listing["token"] == TOKEN and listing["decisions"] == {}
    key = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', html).group(1))["items"][0]["k"]
    set_ = post(client, f"/scans/{scan_id}/decisions", json={"key": key, "status": "keep"})
    assert set_.status_code == 200 and set_.get_json()["status"] == "keep"
    with sqlite3.connect(data_dir / "decisions.sqlite") as db:  # the CLI's database, the CLI's format
        assert db.execute("SELECT status, origin FROM decisions WHERE key = ?", (key,)).fetchone() == ("keep", "web")
    assert client.get(f"/scans/{scan_id}/decisions").get_json()["decisions"][key]["status"] == "keep"  # after a reload

    csv_text = client.get(f"/scans/{scan_id}/files/findings.csv").get_data(as_text=True)
    assert any(line.startswith("x,") and line.endswith(",keep") for line in csv_text.splitlines())  # rewritten with it
    checklist = client.get(f"/scans/{scan_id}/files/checklist.md")
    assert checklist.status_code == 200 and "attachment" in checklist.headers["Content-Disposition"]
    # downloads name no command or folder of the app's data: its user has neither, and mark would miss its database
    offline = client.get(f"/scans/{scan_id}/files/report.html").get_data(as_text=True)
    for text in (offline, checklist.get_data(as_text=True)):
        assert "--out" not in text and str(tmp_path) not in text and "backscroll app" in text
    printable = client.get(f"/scans/{scan_id}/files/checklist.html")
    assert printable.status_code == 200 and "style-src 'sha256-" in printable.headers["Content-Security-Policy"]
    ids = client.get(f"/scans/{scan_id}/files/x-delete-ids.txt")
    assert ids.status_code == 200 and key.split(":", 1)[1] not in ids.get_data(as_text=True)  # kept: not to delete
    assert client.get(f"/scans/{scan_id}/files/facebook-activity-log.csv").status_code == 404
    assert client.get(f"/scans/{scan_id}/files/decisions.sqlite").status_code == 404
    assert client.get(f"/scans/{scan_id}/files/..%2Fscan.json").status_code == 404

    cleared = post(client, f"/scans/{scan_id}/decisions", json={"key": key, "status": None})
    assert cleared.get_json()["status"] is None
    assert post(client, f"/scans/{scan_id}/decisions", json={"key": key, "status": "burn"}).status_code == 400
    assert post(client, f"/scans/{scan_id}/decisions", json={"key": "nonsense", "status": "keep"}).status_code == 400

    assert scan_id in client.get("/").get_data(as_text=True)
    gone = post(client, f"/scans/{scan_id}/delete")
    assert gone.status_code == 200
    assert not (data_dir / "scans" / scan_id).exists()
    assert store.listing() == []
    assert client.get(f"/scans/{scan_id}/report").status_code == 404
    assert (data_dir / "decisions.sqlite").is_file()  # decisions outlive a scan unless the user asks


def test_the_report_in_the_app_names_no_command_line_flag(client, make_zip, tmp_path):
    """The report the app shows told its reader to "use --redact", a flag for a terminal they never open. The app offers
    no redacted copy to name instead, so there the sentence is left out; the command line's report keeps it."""
    from click.testing import CliRunner

    from audit.cli import cli
    from audit.web.store import DOWNLOADS

    scan_id = scanned(client, make_zip)
    served = client.get(f"/scans/{scan_id}/report").get_data(as_text=True)
    downloaded = client.get(f"/scans/{scan_id}/files/report.html").get_data(as_text=True)
    for page in (served, downloaded):
        assert "This report contains sensitive text" in page and "--redact" not in page
    assert not [name for name in DOWNLOADS if "redact" in name]  # an app download of one would be named here instead
    out = tmp_path / "cli-out"
    assert CliRunner().invoke(cli, ["scan", str(make_zip("x/2024")), "--out", str(out), "-q"]).exit_code == 0
    assert "To show it to a mentor, use <code>--redact</code>." in (out / "report.html").read_text()


def test_the_same_export_uploaded_again_is_not_kept_twice(client, make_zip, app, tmp_path):
    store = app.extensions["backscroll"]
    scan_id = scanned(client, make_zip)
    again = tmp_path / "twitter-2024 (1).zip"  # the browser's name for a second download of the same file
    again.write_bytes((tmp_path / "twitter-2024.zip").read_bytes())
    response = upload(client, again)
    assert response.status_code == 200 and response.get_json() == {"id": scan_id, "url": f"/?same={scan_id}", "same": True}
    assert [s.id for s in store.listing()] == [scan_id]
    assert len(list((tmp_path / "data" / "scans").glob("*/uploads/*"))) == 1 and not any(store.incoming.iterdir())
    assert store.get(scan_id).sha256 == [hashlib.sha256(again.read_bytes()).hexdigest()]  # hashed as it was spooled
    page = client.get(response.get_json()["url"]).get_data(as_text=True)
    assert "did not keep a second copy" in page and f'href="/scans/{scan_id}/report"' in page
    assert "second copy" not in client.get("/").get_data(as_text=True)

    form = client.post("/scans", data={"export": [(io.BytesIO(again.read_bytes()), again.name)], "token": TOKEN},
                       content_type="multipart/form-data")  # the page without script
    assert form.status_code == 303 and form.headers["Location"].endswith(f"/?same={scan_id}")
    # Other names change what is flagged: that is a new scan.
    other = upload(client, again, workplace="Mercy General")
    assert other.status_code == 202 and other.get_json()["id"] != scan_id
    assert wait(client, other.get_json()["id"])["status"] == "done" and len(store.listing()) == 2


def test_an_export_that_failed_can_be_uploaded_again(client, tmp_path):
    broken = tmp_path / "notes.zip"
    broken.write_text("just some text")
    first = upload(client, broken).get_json()["id"]
    assert wait(client, first)["status"] == "failed"
    second = upload(client, broken)
    assert second.status_code == 202 and second.get_json()["id"] != first


def test_two_people_s_facebook_exports_in_one_upload_are_refused_with_both_names(client, make_zip, tmp_path):
    from importing import someone_elses

    mine = make_zip("facebook/2024", name="facebook-dana.zip")
    theirs = someone_elses(mine, tmp_path / "facebook-robin.zip", {"Dana Whitfield": "Robin Vance", "dana.whitfield": "robin.vance"})
    status = wait(client, upload(client, mine, theirs).get_json()["id"])
    assert status["status"] == "failed"
    assert status["error"] == ("facebook-robin.zip: a Facebook export of another account (Robin Vance) beside facebook-dana.zip "
                               "(Dana Whitfield); backscroll reads one Facebook account per scan: scan each export on its own")


def test_one_part_of_a_split_export_is_said_to_be_only_a_part(client, make_zip):
    part = make_zip("facebook/2024", name="facebook-dana-2025-01-20-part2.zip")
    scan_id = upload(client, part).get_json()["id"]
    status = wait(client, scan_id)
    assert status["status"] == "done"
    (note,) = status["incomplete"]
    assert note.startswith("facebook-dana-2025-01-20-part2.zip looks like part 2 of a Facebook export") and "part 1 was not given" in note
    assert "Not the whole export.</strong> " + note.replace("'", "&#39;") in client.get(f"/scans/{scan_id}/report").get_data(as_text=True)
    assert "Not the whole export: " + note.replace("'", "&#39;") in client.get("/").get_data(as_text=True)


def test_two_downloads_of_one_account_are_said_so_on_the_list_of_scans(client, make_zip, tmp_path):
    from importing import facebook_downloads_a_year_apart

    older, newer = facebook_downloads_a_year_apart(make_zip, tmp_path)
    status = wait(client, upload(client, older, newer).get_json()["id"])
    assert status["status"] == "done" and status["incomplete"] == []
    (note,) = status["overlap"]
    assert note.startswith("Some inputs hold different versions of the same Facebook files: facebook-dana-2025-01-20.zip and "
                           "facebook-dana-2026-01-20.zip (1 file).")
    assert "Two downloads of one account: " + note in client.get("/").get_data(as_text=True)


def scanned_before_a_restart(tmp_path: Path, make_zip) -> str:  # type: ignore[no-untyped-def]
    """Scan in one run of the app and close it; the id of the scan left in the data folder."""
    first = make(tmp_path)
    c = first.test_client()
    c.get(f"/?key={KEY}")
    scan_id = scanned(c, make_zip)
    first.extensions["backscroll"].close()
    return scan_id


def first_tweet_key(tmp_path: Path, scan_id: str) -> str:
    """The highest-ranked finding a tweet deleter can act on (messages are not in its id list)."""
    lines = (tmp_path / "data" / "scans" / scan_id / "out" / "findings.jsonl").read_text().splitlines()
    findings = [json.loads(line) for line in lines]
    return next(f["key"] for f in findings if f.get("type") != "file" and f["kind"] in ("post", "reply"))


def test_outputs_are_rewritten_after_a_restart(tmp_path, make_zip):
    scan_id = scanned_before_a_restart(tmp_path, make_zip)
    second = make(tmp_path)  # a new run: nothing in memory, same data dir
    c = second.test_client()
    c.get(f"/?key={KEY}")
    assert scan_id in c.get("/").get_data(as_text=True)
    key = next(iter(second.extensions["backscroll"].results), None)
    assert key is None
    item = first_tweet_key(tmp_path, scan_id)
    post(c, f"/scans/{scan_id}/decisions", json={"key": item, "status": "delete"})
    assert item.split(":", 1)[1] in c.get(f"/scans/{scan_id}/files/x-delete-ids.txt").get_data(as_text=True)
    second.extensions["backscroll"].close()


def test_an_upload_unreadable_after_a_restart_gives_a_message_not_a_crash(tmp_path, make_zip):
    scan_id = scanned_before_a_restart(tmp_path, make_zip)
    for upload_file in (tmp_path / "data" / "scans" / scan_id / "uploads").iterdir():
        upload_file.write_bytes(b"damaged on disk")
    second = make(tmp_path)
    c = second.test_client()
    c.get(f"/?key={KEY}")
    item = first_tweet_key(tmp_path, scan_id)
    post(c, f"/scans/{scan_id}/decisions", json={"key": item, "status": "delete"})
    response = c.get(f"/scans/{scan_id}/files/x-delete-ids.txt")
    assert response.status_code == 409
    assert "could not be read again" in response.get_data(as_text=True)
    assert c.get("/").status_code == 200  # the app keeps working
    second.extensions["backscroll"].close()


def bad_uploads(tmp_path: Path, make_zip) -> dict[str, tuple[Path, str]]:  # type: ignore[no-untyped-def]
    cases: dict[str, tuple[Path, str]] = {}
    text = tmp_path / "notes.zip"
    text.write_text("just some text")
    cases["not a zip"] = (text, "notes.zip: is not a zip archive")
    page = tmp_path / "download.zip"
    page.write_text("<!DOCTYPE html><html><body>Sign in</body></html>")
    cases["web page"] = (page, "is a web page")
    html_export = tmp_path / "facebook-html.zip"
    with zipfile.ZipFile(html_export, "w") as zf:
        zf.writestr("start_here.html", "<html></html>")
        zf.writestr("your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.html", "<html></html>")
    cases["meta html"] = (html_export, "Format: JSON")
    good = make_zip("x/2024")
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    cases["truncated"] = (truncated, "truncated or damaged")
    nested = tmp_path / "nested.zip"
    with zipfile.ZipFile(nested, "w") as zf:
        zf.write(good, "twitter.zip")
    cases["zip of zips"] = (nested, "zips inside zips")
    return cases


@pytest.mark.parametrize("case", ["not a zip", "web page", "meta html", "truncated", "zip of zips"])
def test_bad_uploads_give_a_plain_message_and_the_app_keeps_working(client, make_zip, tmp_path, case):
    path, expected = bad_uploads(tmp_path, make_zip)[case]
    response = upload(client, path)
    assert response.status_code == 202
    scan_id = response.get_json()["id"]
    status = wait(client, scan_id)
    assert status["status"] == "failed" and expected in status["error"]
    assert str(tmp_path) not in status["error"]  # the user's file name, not the data dir
    assert not (tmp_path / "data" / "scans" / scan_id / "uploads").exists()  # useless uploads are removed at once
    page = client.get(f"/scans/{scan_id}").get_data(as_text=True)
    assert expected.split(": ")[-1] in page.replace("&#39;", "'")
    assert client.get(f"/scans/{scan_id}/report").status_code == 302
    assert scanned(client, make_zip)  # and the next upload works


def test_a_zip_bomb_member_is_refused_and_the_rest_is_read(client, make_zip):
    bomb = make_zip("x/2024", name="bomb.zip")
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("data/tweets-part9.js", b"window.YTD.tweets.part9 = [" + b" " * (1 << 20) + b"]")
    raw = bytearray(bomb.read_bytes())
    at = raw.rfind(b"PK\x01\x02")  # the last member's central header: declare 4 GB uncompressed
    assert raw[at + 46: at + 46 + 20] == b"data/tweets-part9.js"
    struct.pack_into("<I", raw, at + 24, 0xFFFF_FFF0)
    bomb.write_bytes(bytes(raw))
    status = wait(client, upload(client, bomb).get_json()["id"])
    assert status["status"] == "done" and status["items"] > 0 and status["problems"] == 1
    assert "1 records could not be read" in client.get("/").get_data(as_text=True)


def test_an_upload_of_incompressible_megabytes_under_the_limit_is_accepted(client, make_zip, tmp_path):
    """Real exports are photos: random-looking bytes with line breaks, which werkzeug buffers chunk by chunk."""
    export = tmp_path / "twitter-photos.zip"
    with zipfile.ZipFile(make_zip("x/2024")) as src, zipfile.ZipFile(export, "w") as zf:
        for info in src.infolist():
            zf.writestr(info, src.read(info))
        zf.writestr("data/tweets_media/1700000000000000001-photo.jpg", random.Random(7).randbytes(1_500_000))
    assert LIMIT > export.stat().st_size > 1_400_000
    response = upload(client, export)
    response.request.environ["wsgi.input"].close()  # the test client spooled this body to a file of its own
    assert response.status_code == 202, response.get_json()
    assert wait(client, response.get_json()["id"])["status"] == "done"


def test_uploads_over_the_limit_are_refused(client, tmp_path, app):
    big = tmp_path / "big.zip"
    big.write_bytes(b"PK" + bytes(LIMIT + 10))
    response = upload(client, big)
    response.request.environ["wsgi.input"].close()  # the test client spooled the body; the server never read it
    assert response.status_code == 413
    assert "larger than the limit of 2 MB" in response.get_json()["error"]
    assert app.extensions["backscroll"].listing() == []
    assert not list(app.extensions["backscroll"].incoming.iterdir())


def test_an_upload_without_a_file_is_refused(client):
    response = post(client, "/scans", data={"export": []}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose" in response.get_json()["error"]


def test_several_files_and_context_reach_the_pipeline(tmp_path, make_zip):
    seen: dict = {}  # type: ignore[type-arg]

    def fake(paths, context, progress, **hooks):  # type: ignore[no-untyped-def]
        seen.update(paths=paths, context=context)
        raise ExportError(paths[0], "stop here")

    app = make(tmp_path, fake)
    c = app.test_client()
    c.get(f"/?key={KEY}")
    a = make_zip("x/2024", name="part.zip")
    (tmp_path / "other").mkdir()
    b = make_zip("x/2021", name="other/part.zip")
    response = upload(c, a, b, workplace="Mercy General; St Elsewhere", unit="6 West")
    wait(c, response.get_json()["id"])
    assert [Path(p).name for p in seen["paths"]] == ["part.zip", "part (2).zip"]
    assert seen["context"].workplaces == ("Mercy General", "St Elsewhere") and seen["context"].units == ("6 West",)
    app.extensions["backscroll"].close()


def reaching(tmp_path: Path, make_zip, scan_fn, stage: str, timeout: float = 60, export: Path | None = None):  # type: ignore[no-untyped-def]
    """An app whose scan (`scan_fn`, a stand-in for the pipeline) has reported `stage`: its client and scan id."""
    app = make(tmp_path, scan_fn)
    c = app.test_client()
    c.get(f"/?key={KEY}")
    scan_id = upload(c, export or make_zip("x/2024")).get_json()["id"]
    deadline = time.monotonic() + timeout
    while c.get(f"/scans/{scan_id}/status").get_json()["stage"] != stage:
        assert time.monotonic() < deadline, f"the scan never reached {stage!r}"
        time.sleep(0.02)
    return app, c, scan_id


def test_progress_is_reported_and_a_running_scan_can_be_deleted(tmp_path, make_zip):
    release, went_on = threading.Event(), []

    def slow(paths, context, progress, **hooks):  # type: ignore[no-untyped-def]
        progress("classify", 3, 10)
        release.wait(10)
        progress("classify", 4, 10)  # deleted by now: this ends the scan
        went_on.append(True)
        return None

    app, c, scan_id = reaching(tmp_path, make_zip, slow, "classify")
    status = c.get(f"/scans/{scan_id}/status").get_json()
    assert (status["status"], status["done"], status["total"]) == ("scanning", 3, 10)
    assert "Scanning your export" in c.get(f"/scans/{scan_id}").get_data(as_text=True)
    # the list of scans follows it too, through the same status (in a browser: test_web_e2e)
    assert f'data-status="/scans/{scan_id}/status"' in c.get("/").get_data(as_text=True)
    post(c, f"/scans/{scan_id}/delete")
    assert c.get(f"/scans/{scan_id}/status").status_code == 404
    folder = tmp_path / "data" / "scans" / scan_id
    assert not (folder / "uploads").exists() and not (folder / "scan.json").exists()  # gone before the scan stops
    release.set()
    app.extensions["backscroll"].close()
    assert not folder.exists() and not went_on


def test_the_progress_page_says_an_export_is_only_a_part_while_it_scans(tmp_path, make_zip):
    """The note was kept only once the scan was done, so the progress page, watched for minutes on a large export,
    never showed it; it is known before the import starts."""
    from audit.pipeline import scan

    release = threading.Event()

    def held(paths, context, progress, **hooks):  # type: ignore[no-untyped-def]
        def paused(stage: str, done: int, total: int | None) -> None:
            progress(stage, done, total)
            if stage == "classify":
                release.wait(30)
        return scan(paths, context, paused, **hooks)  # the real pipeline, held while it classifies

    part = make_zip("facebook/2024", name="facebook-dana-2025-01-20-part2.zip")
    app, c, scan_id = reaching(tmp_path, make_zip, held, "classify", export=part)
    try:
        status = c.get(f"/scans/{scan_id}/status").get_json()
        assert status["status"] == "scanning"
        (note,) = status["incomplete"]
        assert note.startswith("facebook-dana-2025-01-20-part2.zip looks like part 2 of a Facebook export")  # no data-dir path
        page = c.get(f"/scans/{scan_id}").get_data(as_text=True)
        assert "Scanning your export" in page and "Not the whole export: " + note.replace("'", "&#39;") in page  # escaped
        assert 'id="scan-incomplete"' in page  # where the page's script adds a note that comes later
    finally:
        release.set()
    done = wait(c, scan_id)
    assert done["status"] == "done" and done["incomplete"] == [note]  # kept once, not again at the end
    app.extensions["backscroll"].close()


def test_a_scan_left_by_a_stop_during_deletion_is_removed_at_the_next_start(tmp_path, make_zip):
    release = threading.Event()

    def slow(paths, context, progress, **hooks):  # type: ignore[no-untyped-def]
        progress("import", 1, None)
        release.wait(10)
        raise ExportError(paths[0], "never reached")

    app, c, scan_id = reaching(tmp_path, make_zip, slow, "import")
    post(c, f"/scans/{scan_id}/delete")
    folder = tmp_path / "data" / "scans" / scan_id
    (folder / "out").mkdir()  # what a killed server leaves: the scan's folder without its record
    again = make(tmp_path)  # started again on the same data while the first never cleaned up
    assert again.extensions["backscroll"].listing() == [] and not folder.exists()
    again.extensions["backscroll"].close()
    release.set()
    app.extensions["backscroll"].close()


def test_stopping_the_server_interrupts_a_running_scan_at_once(tmp_path, make_zip):
    def endless(paths, context, progress, **hooks):  # type: ignore[no-untyped-def]
        for n in range(10_000):
            progress("classify", n, 10_000)
            time.sleep(0.01)
        raise AssertionError("the scan ignored the stop")

    app, _, _ = reaching(tmp_path, make_zip, endless, "classify")
    app.extensions["backscroll"].close()  # a scan that ignored the stop would end "failed", 100 s later
    again = make(tmp_path)
    (scan,) = again.extensions["backscroll"].listing()
    assert scan.status == "interrupted" and "stopped before this scan finished" in scan.error
    again.extensions["backscroll"].close()


def test_delete_everything_removes_scans_and_decisions(client, make_zip, tmp_path):
    scan_id = scanned(client, make_zip)
    post(client, f"/scans/{scan_id}/decisions", json={"key": "x:1", "status": "lock"})
    assert post(client, "/delete-everything").status_code == 200
    assert not (tmp_path / "data" / "decisions.sqlite").exists()
    assert not any((tmp_path / "data" / "scans").iterdir())


def test_unknown_scans_and_ids_are_404(client):
    for url in ("/scans/0123456789abcdef", "/scans/../../etc", "/scans/0123456789abcdef/status", "/scans/zz/report"):
        assert client.get(url).status_code == 404
    assert post(client, "/scans/0123456789abcdef/delete").status_code == 404


def test_the_static_report_is_unchanged_by_the_app_hook(make_zip, tmp_path):
    from audit.pipeline import scan
    from reports.render import write_html

    result = scan([str(make_zip("x/2024"))])
    write_html(result, tmp_path / "static.html")
    html = (tmp_path / "static.html").read_text()
    assert "connect-src" not in html and '"served"' not in html and "app-nav" not in html.split("<style>")[1].split("</style>")[1]


def test_photos_are_checked_by_default(client, tmp_path):
    pytest.importorskip("PIL", reason="photo checks need Pillow")
    import media_images as draw

    export = draw.x_export(tmp_path / "photos.zip", {"5": ("coffee", draw.jpeg(draw.holiday(1), gps=(51.5074, -0.1278)))})
    response = upload(client, export)
    assert response.status_code == 202, response.data
    scan_id = response.get_json()["id"]
    assert wait(client, scan_id)["status"] == "done"
    report = client.get(f"/scans/{scan_id}/report")
    html = report.get_data(as_text=True)
    data = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', html).group(1))
    (photo,) = next(r for r in data["items"] if r["k"] == "x:5")["g"]["f"]
    assert any("still carries the location" in reason for reason in photo["w"])
    assert "img-src data:" in report.headers["Content-Security-Policy"]


def multipart(name: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = "backscroll-test-boundary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/zip\r\n\r\n").encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def printed_link(serve: subprocess.Popen) -> str:  # type: ignore[type-arg]
    """The address a running `backscroll serve` printed, read from its standard error."""
    assert serve.stderr is not None
    line = serve.stderr.readline()
    while "running at" not in line:
        assert line, "serve ended before it printed its link"
        line = serve.stderr.readline()
    return line.split("running at ", 1)[1].strip()


def test_serve_port_0_listens_on_a_free_port_and_prints_and_opens_that_address(tmp_path):
    """`--port 0` was taken for "no port given" and meant 8765, which another run may hold: it must mean any free port,
    and the link printed and opened must name the port actually bound."""
    from click.testing import CliRunner

    from audit.cli import cli

    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser"  # what webbrowser runs when $BROWSER names it: records the address it was given
    browser.write_text(f'#!/bin/sh\nprintf %s "$1" > "{opened}.part" && mv "{opened}.part" "{opened}"\n')
    browser.chmod(0o700)
    with socket.socket() as default:
        try:  # the default port held, so landing on it cannot pass for a free one
            default.bind(("127.0.0.1", 8765))
            default.listen()
        except OSError:
            pass  # held already by someone else: just as good
        serve = subprocess.Popen([sys.executable, "-m", "audit", "serve", "--port", "0", "--data-dir", str(tmp_path / "data")],
                                 cwd=Path(__file__).resolve().parent.parent, env={**os.environ, "BROWSER": str(browser)},
                                 stderr=subprocess.PIPE, text=True)
        try:
            link = printed_link(serve)
            assert urlsplit(link).port not in (None, 0, 8765), link
            wait_for(opened.exists, "the browser was never opened", serve, 30)
            assert opened.read_text() == link
            page = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar())).open(link, timeout=30)
            assert page.status == 200 and 'name="export"' in page.read().decode()
        finally:
            serve.terminate()
            serve.communicate(timeout=60)
    refused = CliRunner().invoke(cli, ["serve", "--port", "70000"])  # was a traceback from the socket layer
    assert refused.exit_code == 2 and "--port" in refused.output


def wait_for(condition, what: str, process: subprocess.Popen, timeout: float = 600) -> None:  # type: ignore[no-untyped-def,type-arg]
    deadline = time.monotonic() + timeout  # the first scan of a test run may train the model
    while not condition():
        assert process.poll() is None and time.monotonic() < deadline, what
        time.sleep(0.1)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_serve_stopped_by_a_signal_stops_its_scan_and_leaves_no_temporary_file(tmp_path, signum):
    """Killed by the signal's default action, `serve` left the video copy of a running scan in the temporary folder,
    a half-received upload in incoming/ and the scan recorded as still running."""
    pytest.importorskip("PIL", reason="photo checks need Pillow")
    import media_images as draw

    load_classifier()  # cached for the server, which would otherwise train it first
    data = tmp_path / "data"
    export, env, tmp = draw.held_in_a_video(tmp_path, 3)
    root = Path(__file__).resolve().parent.parent
    serve = subprocess.Popen([sys.executable, "-m", "audit", "serve", "--no-browser", "--port", "0", "--data-dir", str(data)],
                             cwd=root, env=env, stderr=subprocess.PIPE, text=True)
    try:
        link = printed_link(serve)
        port = urlsplit(link).port
        jar = CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = browser.open(link).read().decode()
        token = re.search(r'name="backscroll-token" content="([^"]+)"', page).group(1)
        body, content_type = multipart("export", "x.zip", export.read_bytes())
        start = urllib.request.Request(link.split("?", 1)[0] + "scans", data=body, method="POST", headers={
            "Content-Type": content_type, TOKEN_HEADER: token, "Accept": "application/json"})
        scan_id = json.loads(browser.open(start).read())["id"]
        wait_for(lambda: list(tmp.glob("backscroll-video-*/in.mp4.started")), "the scan never reached the video", serve)

        # A second upload, cut off halfway by the stop (a megabyte arrives: the server reads 64 KiB at a time).
        big, content_type = multipart("export", "big.zip", random.Random(5).randbytes(2_000_000))
        cut = HTTPConnection("127.0.0.1", port, timeout=30)
        cut.putrequest("POST", link.split(str(port), 1)[1].split("?", 1)[0] + "scans")
        for header, value in (("Content-Type", content_type), ("Content-Length", str(len(big))), (TOKEN_HEADER, token),
                              ("Cookie", "; ".join(f"{c.name}={c.value}" for c in jar))):
            cut.putheader(header, value)
        cut.endheaders()
        cut.send(big[: len(big) // 2])
        wait_for(lambda: any((data / "incoming").iterdir()), "the second upload never arrived", serve, 30)

        serve.send_signal(signum)
        _, err = serve.communicate(timeout=60)
        cut.close()
    finally:
        serve.kill()
    assert serve.returncode == 128 + signum, err
    assert "backscroll stopped." in err and f"stopped by {signal.Signals(signum).name}" in err and "Traceback" not in err
    assert list(tmp.iterdir()) == []  # the video's private copy
    assert not (data / "incoming").exists() or not any((data / "incoming").iterdir())
    record = json.loads((data / "scans" / scan_id / "scan.json").read_text())
    assert record["status"] == "interrupted"  # recorded as what it is, not as still running
