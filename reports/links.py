"""Which URLs may become links: only http and https, so an export cannot smuggle `javascript:`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from audit.model import Item

# scheme, then a host; no spaces or control characters anywhere (they hide a second URL or a script).
# Quotes and angle brackets would end the link in Markdown (`<url>`) or an attribute.
_SAFE = re.compile(r"https?://[^\s/?#\x00-\x20\x7f<>\"'`]+(?:[/?#][^\s\x00-\x20\x7f<>\"'`]*)?", re.IGNORECASE)
# The sites each platform's items live on (Threads is part of an Instagram export), as a link's whole host: nothing
# but subdomains before it and a port, a path or the end after it, so "x.com@elsewhere" or "x.com.elsewhere" is not X.
_HOSTS = {"x": ("x.com", "twitter.com"), "facebook": ("facebook.com", "fb.com"),
          "instagram": ("instagram.com", "threads.net", "threads.com")}
_ON_PLATFORM = {
    platform: re.compile(r"https?://(?:[a-z0-9-]+\.)*(?:" + "|".join(map(re.escape, hosts)) + r")(?::[0-9]{1,5})?(?=[/?#]|$)", re.I)
    for platform, hosts in _HOSTS.items()
}
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
# C0 controls but tab and newlines, DEL, and C1 controls: an ESC sequence in a post would clear the
# terminal or retitle it when someone runs `cat checklist.md`.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _picture(m: re.Match[str]) -> str:
    code = ord(m.group(0))
    return chr(0x2400 + code) if code < 0x20 else "\u2421" if code == 0x7F else "\ufffd"


def printable(text: str) -> str:
    """Control characters shown as their symbols (ESC as ␛), so text files and terminal lines cannot act on them."""
    if text.isprintable():  # most cells: one pass in C, no control character possible
        return text
    return _CONTROLS.sub(_picture, text)


def sheet_safe(text: str) -> str:
    """A cell a spreadsheet would run as a formula (`=HYPERLINK(...)` in someone's DM) gets a leading quote."""
    text = printable(text)
    return "'" + text if text.startswith(_FORMULA) else text


def sheet_row(cells: Sequence[Any]) -> list[Any]:
    """Every text cell of a CSV row defused: links, names and ids come from the export as much as post text does."""
    return [sheet_safe(c) if isinstance(c, str) else c for c in cells]


def code_span(text: str) -> str:
    """Markdown inline code that no backtick in `text` can close early (CommonMark: a longer fence)."""
    text = printable(text)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}" if "`" in text else f"{fence}{text}{fence}"


def safe_url(url: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    return url if _SAFE.fullmatch(url) else None


def item_url(item: Item) -> str | None:
    """The item's link when it leads to its own platform: the report labels it "open on facebook", so an export's
    check-in URL pointing anywhere else is no link at all."""
    url = safe_url(item.url)
    on_platform = _ON_PLATFORM.get(str(item.platform))
    return url if url and on_platform and on_platform.match(url) else None
