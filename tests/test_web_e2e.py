"""The web app in a real headless Chromium: upload, scan, decide, reload, download; drop a bad file.

Needs Playwright's Python package and a Chromium binary (Debian's `chromium`;
Playwright's own browser downloads are not used). Skipped when either is missing.
"""

from __future__ import annotations

import base64
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("flask", reason="the web app needs Flask")
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright's Python package is not installed (pip install playwright)")

from audit.web.security import Settings  # noqa: E402
from audit.web.server import build, url  # noqa: E402

CHROMIUM = os.environ.get("BACKSCROLL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run"]
SCREENSHOT = Path("/tmp/backscroll-web.png")

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).is_file(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture
def httpd(tmp_path: Path) -> Iterator[Any]:
    """The real server on a free port of 127.0.0.1, in a thread, with the model trained before the clock starts."""
    from audit.classifier import load_classifier

    load_classifier()  # training takes longer than the page's 20 s timeout when this file runs alone
    settings = Settings(data_dir=tmp_path / "data", port=0, max_upload=50 * 1024 * 1024)
    httpd = build(settings, port_given=True)
    httpd.settings = settings  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    httpd.app.extensions["backscroll"].close()  # type: ignore[attr-defined]


@pytest.fixture
def server(httpd: Any) -> Settings:
    return httpd.settings  # type: ignore[no-any-return]


@pytest.fixture
def page(server: Settings) -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 1400})
        page = context.new_page()
        page.set_default_timeout(20_000)
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.problems = problems  # type: ignore[attr-defined]
        page.goto(url(server))
        yield page
        browser.close()


def test_upload_scan_decide_reload_download(page: Any, server: Settings, make_zip: Any, tmp_path: Path) -> None:
    assert page.url.endswith(f":{server.port}{server.prefix}/")  # the key went into a cookie and out of the address bar
    assert [c["path"] for c in page.context.cookies()] == [f"{server.prefix}/"]  # no other local server receives it
    page.set_input_files("#export", str(make_zip("x/2024", name="twitter-2024-11-16.zip")))
    page.click("#start")
    page.wait_for_url("**/report")
    page.wait_for_selector("#list article .decide button.d-delete")

    first = page.locator('#list article:not([data-key*=":dm-"])').first  # a tweet: messages are not in the deleter's id list
    key = first.get_attribute("data-key")
    with page.expect_response(lambda r: r.url.endswith("/decisions") and r.request.method == "POST") as saved:
        first.locator("button.d-delete").click()
    assert saved.value.ok
    page.reload()
    page.wait_for_selector("#list article .decide button")
    item = page.locator(f'#list article[data-key="{key}"]')
    assert item.locator("button.d-delete").get_attribute("aria-pressed") == "true"
    assert "decided: delete" in item.inner_text()
    assert page.inner_text("#count-delete") == "1"

    page.screenshot(path=str(tmp_path / "report-top.png"))
    page.evaluate("document.getElementById('items-h').scrollIntoView()")
    page.screenshot(path=str(tmp_path / "report.png"))
    shutil.copy(tmp_path / "report.png", SCREENSHOT)
    shutil.copy(tmp_path / "report-top.png", SCREENSHOT.with_name("backscroll-web-top.png"))

    with page.expect_download() as download:
        page.click("nav.app-nav >> text=Checklist (Markdown)")
    saved_to = tmp_path / "checklist.md"
    download.value.save_as(saved_to)
    checklist = saved_to.read_text(encoding="utf-8")
    assert checklist.startswith("# backscroll clean-up checklist") and key.split(":", 1)[1] in checklist
    with page.expect_download() as ids:
        page.click("nav.app-nav >> text=X post ids to delete (one per line)")
    ids.value.save_as(tmp_path / "ids.txt")
    assert key.split(":", 1)[1] in (tmp_path / "ids.txt").read_text().split()
    assert not [p for p in page.problems if "Content Security Policy" in p or "Refused" in p], page.problems

    page.click("nav.app-nav >> text=All scans")
    page.screenshot(path=str(tmp_path / "index.png"))
    shutil.copy(tmp_path / "index.png", SCREENSHOT.with_name("backscroll-web-index.png"))
    page.once("dialog", lambda d: d.accept())
    page.click("form.delete >> nth=0 >> button")
    page.wait_for_selector("text=No scans yet.")
    assert not any((server.data_dir / "scans").iterdir())


def test_the_list_of_scans_follows_a_running_scan_to_its_end(page: Any, httpd: Any, make_zip: Any) -> None:
    from audit.pipeline import scan

    release = threading.Event()

    def held(paths: list[str], context: Any, progress: Any, **hooks: Any) -> Any:
        progress("import", 7, None)
        release.wait(30)
        return scan(paths, context, progress, **hooks)

    httpd.app.extensions["backscroll"]._scan_fn = held
    page.set_input_files("#export", str(make_zip("x/2024", name="twitter-2024-11-16.zip")))
    page.click("#start")
    page.wait_for_url("**/scans/*")
    page.goto(page.url.rsplit("/scans/", 1)[0] + "/")
    card = page.locator("article.scan").first
    card.locator("text=Reading your posts: 7 so far").wait_for()
    page.evaluate("window.notReloaded = true")
    release.set()
    card.locator(".state >> text=flagged").wait_for()
    assert "items read" in card.inner_text() and page.evaluate("window.notReloaded") is True  # updated in place
    card.locator("text=Open the report").click()
    page.wait_for_url("**/report")
    assert not page.problems, page.problems


def test_the_progress_page_shows_a_split_export_s_note_as_soon_as_the_scan_knows_it(page: Any, httpd: Any, make_zip: Any) -> None:
    """The page is open before the scan starts; the note comes through its polling, without a reload."""
    from audit.pipeline import scan

    watching, release = threading.Event(), threading.Event()

    def held(paths: list[str], context: Any, progress: Any, **hooks: Any) -> Any:
        watching.wait(30)

        def paused(stage: str, done: int, total: int | None) -> None:
            progress(stage, done, total)
            if stage == "classify":
                release.wait(30)
        return scan(paths, context, paused, **hooks)

    httpd.app.extensions["backscroll"]._scan_fn = held
    try:
        page.set_input_files("#export", str(make_zip("facebook/2024", name="facebook-dana-2025-01-20-part2.zip")))
        page.click("#start")
        page.wait_for_url("**/scans/*")
        page.wait_for_selector("#scan-progress")
        assert page.locator("#scan-incomplete p").count() == 0  # not known yet
        page.evaluate("window.notReloaded = true")
        watching.set()
        note = page.locator("#scan-incomplete p")
        note.wait_for()
        text = note.inner_text()
        assert text.startswith("Not the whole export: facebook-dana-2025-01-20-part2.zip looks like part 2") and "Meta's" in text
        assert page.evaluate("window.notReloaded") is True and "Scanning your export" in page.inner_text("h1")
        page.goto(page.url.rsplit("/scans/", 1)[0] + "/")  # the list of scans, while the scan still runs
        card = page.locator("article.scan").first
        assert "scanning" in card.get_attribute("class") and card.locator("p", has_text="Not the whole export").count() == 1
        release.set()
        card.locator(".state >> text=flagged").wait_for()
        assert card.locator("p", has_text="Not the whole export").count() == 1  # the same note, not added again when the scan ends
    finally:
        watching.set()
        release.set()
    card.locator("text=Open the report").click()
    page.wait_for_url("**/report")
    page.locator("text=Not the whole export.").wait_for()
    assert not page.problems, page.problems


def test_a_decision_that_fails_to_save_is_said_where_the_user_is_looking(page: Any, make_zip: Any) -> None:
    page.set_input_files("#export", str(make_zip("x/2024", name="twitter-2024-11-16.zip")))
    page.click("#start")
    page.wait_for_url("**/report")
    page.wait_for_selector("#list article .decide button.d-delete")
    page.route("**/decisions", lambda route: route.fulfill(status=503, content_type="application/json",
                                                           body='{"error": "backscroll is not running"}'))
    page.set_viewport_size({"width": 1200, "height": 500})
    last = page.locator("#list article").last
    last.scroll_into_view_if_needed()
    last.locator("button.d-delete").click()
    warning = page.locator("#storage-warn")
    warning.wait_for(state="visible")
    box, height = warning.bounding_box(), page.evaluate("window.innerHeight")
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height  # in the window, not 2,000 px above
    assert "not saved" in warning.inner_text()
    warning.click()
    warning.wait_for(state="hidden")


def test_a_dropped_file_that_is_not_an_export_gets_a_plain_message(page: Any) -> None:
    data = base64.b64encode(b"just some text, not a zip").decode()
    transfer = page.evaluate_handle("""(b64) => {
        const dt = new DataTransfer();
        const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
        dt.items.add(new File([bytes], 'notes.zip', { type: 'application/zip' }));
        return dt;
    }""", data)
    page.dispatch_event("#drop", "drop", {"dataTransfer": transfer})
    page.wait_for_selector("#scan-error:not([hidden])")
    assert "notes.zip: is not a zip archive" in page.inner_text("#scan-error")
    page.click("text=Back to your scans")
    assert "notes.zip" in page.inner_text("main")  # listed with its message; the app still works
    assert page.locator("#export").is_visible()
