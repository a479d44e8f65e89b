"""Running one importer over a fixture and checking where every record went."""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from collections.abc import Callable
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any

import importers
from audit.archive import Archive
from audit.model import FileRead, Item, Skip


def events_of(importer_type: type, *paths: Path, tz: tzinfo = UTC) -> list[object]:
    """Every event the chosen importer yields for `paths`, asserting it is the expected importer.

    In UTC unless told: the default, this computer's zone, would make the expected links depend on the machine."""
    with Archive(list(paths)) as archive:
        chosen = importers.choose(archive)
        assert chosen is not None
        importer, found = chosen
        assert isinstance(importer, importer_type)
        return list(importer.iter_events(archive, found, tz))


def skips(events: list[object], source: str | None = None) -> list[Skip]:
    """The Skip events, all or those of one file."""
    return [e for e in events if isinstance(e, Skip) and source in (None, e.source)]


def by_text(events: list[object]) -> dict[str, Item]:
    return {e.text: e for e in events if isinstance(e, Item)}


def unaccounted(events: list[object]) -> dict[str, int]:
    """Per file read: records minus items and skipped records; all zero for an honest importer."""
    left = Counter({e.source: e.records for e in events if isinstance(e, FileRead)})
    for event in events:
        if isinstance(event, Item):
            left[event.source] -= 1
        elif isinstance(event, Skip) and event.source in left:
            left[event.source] -= event.count
    return {source: n for source, n in left.items() if n}


LAYOUT_FORMS = ["zip", "folder", "wrapped zip"]


def layout_opener(form: str, make_zip, fixtures: Path, platform: str, wrap: str):  # type: ignore[no-untyped-def]
    """Opens `fixtures/<platform>/<layout>` as a folder, a zip, or a zip inside the download's own folder."""

    def opener(layout: str) -> Path:
        if form == "folder":
            return fixtures / platform / layout
        return make_zip(f"{platform}/{layout}", wrap=wrap if form == "wrapped zip" else "")

    return opener


PROFILE_FILES = ("profile_information.json", "personal_information.json")


def _copy_zip(export: Path, dest: Path, rewrite: Callable[[str, bytes], bytes]) -> Path:
    """A copy of an export zip with each member's bytes passed through `rewrite(name, data)`."""
    with zipfile.ZipFile(export) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info, rewrite(info.filename, src.read(info)))
    return dest


def someone_elses(export: Path, dest: Path, names: dict[str, str]) -> Path:
    """A copy of a Meta export zip whose profile names another person (`names`: old text → new text)."""
    def rename(name: str, data: bytes) -> bytes:
        if name.endswith(PROFILE_FILES):
            for old, new in names.items():
                data = data.replace(old.encode(), new.encode())
        return data

    return _copy_zip(export, dest, rename)


def later_download(export: Path, dest: Path, edits: dict[str, Callable[[Any], Any]]) -> Path:
    """A copy of a Meta export zip as if downloaded again later: each member ending with a key of `edits` rewritten."""
    def edit(name: str, data: bytes) -> bytes:
        for suffix, change in edits.items():
            if name.endswith(suffix):
                data = json.dumps(change(json.loads(data))).encode()
        return data

    return _copy_zip(export, dest, edit)


def facebook_downloads_a_year_apart(make_zip, tmp_path: Path) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    """The 2024 Facebook fixture downloaded twice, a year apart; the later download also holds "A year on <b>4 West</b>"."""
    older = make_zip("facebook/2024", name="facebook-dana-2025-01-20.zip")
    newer = later_download(older, tmp_path / "facebook-dana-2026-01-20.zip", {"posts/your_posts__check_ins__photos_and_videos_1.json":
                           lambda posts: [{"timestamp": 1767225600, "data": [{"post": "A year on <b>4 West</b>"}]}, *posts]})
    return older, newer
