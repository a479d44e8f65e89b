"""A headless Chromium for tests that measure the written pages as drawn: layout, computed styles, focus.

Uses Playwright's Python package with the system Chromium (Debian's `chromium`; Playwright's
own browser downloads are not used). Tests that need it are skipped when either is missing.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("BACKSCROLL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run"]

# Where `text` is drawn inside `root`: the box of its first occurrence in the text nodes, or null.
WORD_BOX = """(root, text) => {
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walk.nextNode(); node; node = walk.nextNode()) {
        const at = node.data.indexOf(text);
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + text.length);
        const box = range.getBoundingClientRect();
        return {left: box.left, right: box.right, top: box.top, bottom: box.bottom};
    }
    return null;
}"""


@contextmanager
def chromium() -> Iterator[Any]:
    """A launched browser, or a skip when Playwright or Chromium is missing."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright's Python package is not installed")
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser: Any, path: Path, *, width: int = 1280, height: int = 900, js: bool = True) -> Any:
    """`path` in a fresh context (its own localStorage); page errors and CSP refusals are collected in `page.problems`."""
    context = browser.new_context(viewport={"width": width, "height": height}, java_script_enabled=js)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.problems = problems
    page.goto(path.as_uri())
    return page


def word_box(page: Any, root: str, text: str) -> dict[str, float]:
    """The drawn box of `text` inside the element `root` (a selector)."""
    box = page.locator(root).evaluate(WORD_BOX, text)
    assert box is not None, f"{text!r} not drawn in {root}"
    return box
