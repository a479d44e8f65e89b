"""The importers backscroll knows, and how an export is matched to one of them."""

from __future__ import annotations

import re

from audit.archive import Archive
from audit.model import AccountInfo, Platform
from importers import facebook, instagram
from importers.base import Detection, Importer
from importers.facebook import FacebookImporter
from importers.instagram import InstagramImporter
from importers.x import XImporter

IMPORTERS: tuple[Importer, ...] = (XImporter(), FacebookImporter(), InstagramImporter())

# Exports that are recognisable but not readable, with what the user should do.
_UNSUPPORTED: tuple[tuple[str, str], ...] = (
    (r"(?:^|/)(?:start_here|your_posts(?:__check_ins__photos_and_videos)?_\d+|profile_information|personal_information)\.html$",
     "is a Facebook or Instagram export in HTML format; request a new one and choose Format: JSON "
     "(Accounts Center → Your information and permissions → Download your information)"),
    (r"(?:^|/)html/[^/]+\.htm$", "is a pre-2018 Facebook archive (HTML only); request a new export in JSON format"),
    (r"(?:^|/)Takeout/|(?:^|/)archive_browser\.html$", "is a Google Takeout export, which backscroll does not read"),
    (r"(?:^|/)_chat\.txt$|WhatsApp Chat", "is a WhatsApp chat export, which backscroll does not read yet"),
    (r"(?:^|/)(?:Shares|Connections)\.csv$", "is a LinkedIn export, which backscroll does not read yet"),
    (r"(?:^|/)user_data(?:_tiktok)?\.json$", "is a TikTok export, which backscroll does not read yet"),
    (r"(?:^|/)outbox\.json$", "is a Mastodon archive, which backscroll does not read yet"),
)


def choose(archive: Archive) -> tuple[Importer, Detection] | None:
    """The importer whose markers this export carries, or None."""
    for importer in IMPORTERS:
        found = importer.detect(archive)
        if found is not None:
            return importer, found
    return None


def why_unknown(archive: Archive) -> str:
    """A plain sentence saying what this export is, or what backscroll looked for."""
    names = archive.names()
    for pattern, message in _UNSUPPORTED:
        rx = re.compile(pattern)
        if any(rx.search(n) for n in names):
            return message
    return ("is not an export backscroll knows: it looked for an X archive (data/tweets.js, or tweet.js at the top level before 2019), "
            "a Facebook export (your_facebook_activity/) or an Instagram export (your_instagram_activity/)")


MEDIA_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".mp4", ".mov", ".m4a", ".mp3", ".aac", ".wav", ".srt")


def is_media_only(archive: Archive) -> bool:
    """A part of a split Meta export holding only photos and videos."""
    names = archive.names()
    return bool(names) and all(n.lower().endswith(MEDIA_SUFFIXES) for n in names)


def owner(platform: Platform, archive: Archive) -> AccountInfo | None:
    """Whose Meta export this is, from its profile file alone; None when it has none (most parts of a split export)."""
    if platform == Platform.FACEBOOK:
        info = facebook.owner(archive)
    elif platform == Platform.INSTAGRAM:
        info = instagram.owner(archive)
    else:
        return None
    return info if info.user_id or info.username or info.display_name else None
