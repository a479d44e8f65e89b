"""Which URLs may become links: only http and https, so an export cannot smuggle `javascript:`."""

from __future__ import annotations

import re

# scheme, then a host; no spaces or control characters anywhere (they hide a second URL or a script).
# Quotes and angle brackets would end the link in Markdown (`<url>`) or an attribute.
_SAFE = re.compile(r"https?://[^\s/?#\x00-\x20\x7f<>\"'`]+(?:[/?#][^\s\x00-\x20\x7f<>\"'`]*)?", re.IGNORECASE)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def sheet_safe(text: str) -> str:
    """A cell a spreadsheet would run as a formula (`=HYPERLINK(...)` in someone's DM) gets a leading quote."""
    return "'" + text if text.startswith(_FORMULA) else text


def safe_url(url: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    return url if _SAFE.fullmatch(url) else None
