"""Which URLs may become links: only http and https, so an export cannot smuggle `javascript:`."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_url(url: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    if any(ord(c) < 0x21 for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None
