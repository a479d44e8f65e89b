"""Read an export in place, zip or unpacked folder, without extracting anything.

Every name an importer sees is relative to the export's root (a single wrapping
folder such as `twitter-2024-01-01-abc/` is stripped), uses forward slashes,
and is checked: a member that climbs out of the archive makes the whole input
unusable, because nothing honest produces one.
"""

from __future__ import annotations

import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO

from audit.errors import ExportError

# A single JSON file larger than this is not a social media export: 200,000
# tweets fill about 400 MB. Refusing early keeps memory bounded on a laptop.
MAX_MEMBER_BYTES = 1536 * 1024 * 1024
# Text compresses about 10:1 and JSON up to 30:1; far beyond that is a zip bomb.
MAX_RATIO = 250
# zipfile holds every entry of the central directory in memory (~0.5 KB each), so the
# count is checked from the end record before it is read. The largest real exports
# (a Facebook account with every photo) hold about 100,000 files.
MAX_MEMBERS = 500_000
# Every data file is read whole, one at a time; together they are bounded too.
MAX_TOTAL_BYTES = 12 * 1024 * 1024 * 1024
IGNORED_PREFIXES = ("__MACOSX/",)
# What importers parse. A photo named like one in an earlier input is the same photo; a data file may not be.
DATA_SUFFIXES = (".json", ".js", ".csv")


def input_name(path: str) -> str:
    """An input as the user knows it: the zip's or the folder's own name."""
    return os.path.basename(path.rstrip("/"))


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    size: int
    compressed: int
    encrypted: bool
    origin: str


class Archive:
    """One or more zips or folders presented as one tree of named members."""

    def __init__(self, paths: Iterable[str | os.PathLike[str]]) -> None:
        self.paths = [str(p) for p in paths]
        self._entries: dict[str, Entry] = {}
        self._zips: dict[str, zipfile.ZipFile] = {}
        self._real: dict[str, tuple[str, str | zipfile.ZipInfo]] = {}
        self._read_total = 0
        # Data files named like an earlier input's but holding something else, kept as
        # "<input>/<name>" (see `_add`): prefixed name -> the name both inputs use.
        self._copies: dict[str, str] = {}
        # (earlier input, later input) -> how many of their data files differ.
        self.overlaps: dict[tuple[str, str], int] = {}
        for path in self.paths:
            self._add(path)

    @property
    def label(self) -> str:
        return ", ".join(input_name(p) for p in self.paths)

    def _add(self, path: str) -> None:
        p = Path(path)
        if p.is_dir():
            raw = list(_walk_folder(p))
            origin = "folder"
        elif p.is_file():
            raw = list(self._open_zip(path))
            origin = "zip"
        else:
            raise ExportError(path, "no such file or folder")
        if not raw:
            raise ExportError(path, f"the {origin} is empty")
        names = [r[0] for r in raw]
        prefix = _common_root(names)
        for name, real, size, compressed, encrypted in raw:
            rel = name[len(prefix):]
            if not rel or rel.endswith("/"):
                continue
            if rel in self._entries:
                earlier = self._entries[rel]
                if earlier.origin == path or not rel.endswith(DATA_SUFFIXES) or self._same(rel, path, real, size):
                    continue
                # Two downloads of one account: each input's version is read, and the items in both are kept once.
                self.overlaps[(earlier.origin, path)] = self.overlaps.get((earlier.origin, path), 0) + 1
                copy = f"{input_name(path)}/{rel}"
                self._copies[copy] = rel
                rel = copy
                if rel in self._entries:
                    continue
            self._entries[rel] = Entry(rel, size, compressed, encrypted, path)
            self._real[rel] = (path, real)

    def _same(self, rel: str, path: str, real: str | zipfile.ZipInfo, size: int) -> bool:
        """Whether input `path`'s `real` holds the bytes of the member already named `rel` (the same file given twice)."""
        if self._entries[rel].size != size:
            return False
        _, earlier = self._real[rel]
        if isinstance(earlier, zipfile.ZipInfo) and isinstance(real, zipfile.ZipInfo):
            return earlier.CRC == real.CRC
        try:
            with self._member(rel) as fh, self._open(path, real) as other:
                while chunk := fh.read(1 << 20):
                    if chunk != other.read(len(chunk)):
                        return False
            return True
        except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, EOFError):
            return False  # unreadable: reported when it is read; keeping both loses nothing

    def canonical(self, name: str) -> str:
        """The name a member has in its own input: a later download's copy without its "<input>/" prefix."""
        return self._copies.get(name, name)

    def versions(self, name: str) -> list[str]:
        """`name` and every later input's different file of that name, as the members to read: none if absent."""
        return ([name] if name in self._entries else []) + [c for c, rel in self._copies.items() if rel == name]

    def _open_zip(self, path: str) -> Iterator[tuple[str, zipfile.ZipInfo, int, int, bool]]:
        zf = _zipfile(path)
        self._zips[path] = zf
        encrypted_count = files = 0
        for info in zf.infolist():
            name = info.filename.replace("\\", "/")
            _check_name(path, name)
            if name.startswith(IGNORED_PREFIXES) or info.is_dir():
                continue
            files += 1
            encrypted = bool(info.flag_bits & 0x1)
            encrypted_count += encrypted
            yield name, info, info.file_size, info.compress_size, encrypted
        if files and encrypted_count == files:
            raise ExportError(path, "the zip is password-protected; backscroll reads only unencrypted exports")

    def names(self) -> list[str]:
        return list(self._entries)

    def __contains__(self, name: str) -> bool:
        return name in self._entries

    def entry(self, name: str) -> Entry:
        return self._entries[name]

    def origin(self, name: str) -> str:
        return self._entries[name].origin

    def read(self, name: str, limit: int = MAX_MEMBER_BYTES) -> bytes:
        """The member's bytes, refusing sizes and ratios no honest export has."""
        entry = self._admit(name, limit)
        with self._reading(), self._member(name) as fh:
            # The declared size bounds the read; zipfile stops there and checks the CRC.
            data = fh.read(min(limit, entry.size) + 1)
        if len(data) > limit:
            raise MemberError(f"the file is larger than the {limit / 1e6:,.0f} MB a data file may have")
        if len(data) > entry.size:
            raise MemberError("the file grew while it was being read")
        return data

    def copy_to(self, name: str, dest: IO[bytes], limit: int) -> int:
        """Stream the member into `dest` a mebibyte at a time (a video for ffmpeg), never whole in memory."""
        entry = self._admit(name, limit)
        copied = 0
        with self._reading(), self._member(name) as fh:
            while chunk := fh.read(1 << 20):
                copied += len(chunk)
                if copied > min(limit, entry.size):
                    raise MemberError("the file is larger than it says, or than the limit")
                dest.write(chunk)
        return copied

    def _admit(self, name: str, limit: int) -> Entry:
        """The member's entry, if reading it stays within what an honest export needs."""
        entry = self._entries[name]
        if entry.encrypted:
            raise MemberError("the file is password-protected")
        if entry.size > limit:
            raise MemberError(f"the file is {entry.size / 1e6:,.0f} MB, over the {limit / 1e6:,.0f} MB a data file may have")
        if entry.compressed and entry.size > 50_000_000 and entry.size / entry.compressed > MAX_RATIO:
            raise MemberError("the file expands more than any real export does (a zip bomb?)")
        if self._read_total + entry.size > MAX_TOTAL_BYTES:
            raise MemberError(f"the export's data files together exceed the {MAX_TOTAL_BYTES / 1e9:,.0f} GB any real export has")
        self._read_total += entry.size
        return entry

    def _member(self, name: str) -> IO[bytes]:
        return self._open(*self._real[name])

    def _open(self, origin: str, real: str | zipfile.ZipInfo) -> IO[bytes]:
        """A file of input `origin`: a path in its folder, or a member of its zip."""
        zf = self._zips.get(origin)
        if zf is None or isinstance(real, str):
            return open(real, "rb")
        return zf.open(real)

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Whatever a damaged member raises while it is read, as one MemberError with a plain reason."""
        try:
            yield
        except MemberError:
            raise
        except NotImplementedError:
            raise MemberError("the file is compressed with a method backscroll cannot read; re-zip the export with ordinary zip") from None
        except RuntimeError:  # after NotImplementedError, its subclass; a password is needed
            raise MemberError("the file is password-protected") from None
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, struct.error, zlib.error, MemoryError) as exc:
            raise MemberError(f"the file is damaged inside the zip ({exc})") from None

    def close(self) -> None:
        for zf in self._zips.values():
            zf.close()
        self._zips.clear()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _zipfile(path: str) -> zipfile.ZipFile:
    """Open a zip after checking its end record, with one plain sentence for every way it can be wrong."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(512)
            count = _declared_members(fh)
    except OSError as exc:
        raise ExportError(path, f"cannot be read ({exc.strerror or exc})") from None
    if count is not None and count > MAX_MEMBERS:
        raise ExportError(path, f"holds {count:,} files, more than any export ({MAX_MEMBERS:,}); refusing to read it")
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ExportError(path, _not_a_zip(head)) from None
    except UnicodeDecodeError:
        raise ExportError(path, "contains a file name that is not valid UTF-8; refusing to read it") from None
    except OSError as exc:
        raise ExportError(path, f"cannot be read ({exc.strerror or exc})") from None
    except (ValueError, EOFError, NotImplementedError, struct.error, IndexError, OverflowError, MemoryError):
        raise ExportError(path, "the zip is damaged (its table of contents cannot be read); download the export again") from None


def _declared_members(fh: BinaryIO) -> int | None:
    """Entries the zip's end record announces, read without building the table of contents."""
    try:
        end = zipfile._EndRecData(fh)  # type: ignore[attr-defined]  # stable since Python 2; no public equivalent
    except (OSError, struct.error, ValueError, EOFError):
        return None
    return int(end[zipfile._ECD_ENTRIES_TOTAL]) if end else None  # type: ignore[attr-defined]


def _not_a_zip(head: bytes) -> str:
    head = head.lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return "is a web page, not an export zip (was the download saved as HTML?)"
    if head.startswith(b"pk"):
        return "the zip is truncated or damaged (an incomplete download?); download the export again"
    if not head:
        return "is an empty file, not an export zip (an interrupted download?)"
    return "is not a zip archive or an export folder"


class MemberError(Exception):
    """One member cannot be read; the rest of the export still can."""


def _check_name(path: str, name: str) -> None:
    pure = PurePosixPath(name)
    if name.startswith("/") or ".." in pure.parts or (len(name) > 1 and name[1] == ":"):
        raise ExportError(path, f"contains an unsafe file name {name!r}; refusing to read it")
    if "\x00" in name:
        raise ExportError(path, "contains a file name with a NUL byte; refusing to read it")


def _walk_folder(root: Path) -> Iterator[tuple[str, str, int, int, bool]]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for fn in sorted(filenames):
            full = os.path.join(dirpath, fn)
            st = os.lstat(full)
            if not stat.S_ISREG(st.st_mode):
                continue
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            if rel.startswith(IGNORED_PREFIXES):
                continue
            yield rel, full, st.st_size, 0, False


# Top-level folders of the exports themselves: a zip holding only one of them (an X archive
# without `Your archive.html`, one part of a split Meta export) is not wrapped in it.
EXPORT_FOLDERS = frozenset({
    "data", "assets", "your_facebook_activity", "your_activity_across_facebook", "this_profile's_activity_across_facebook",
    "your_instagram_activity", "connections", "personal_information", "logged_information", "security_and_login_information",
    "preferences", "ads_information", "apps_and_websites_off_of_instagram", "apps_and_websites_off_of_facebook",
    "media", "content", "messages", "comments", "posts", "profile_information", "friends", "friends_and_followers",
    "comments_and_reactions", "groups", "followers_and_following", "account_information",
})


def _common_root(names: list[str]) -> str:
    """The single folder wrapping every member, if there is one, with its slash."""
    firsts = {n.split("/", 1)[0] for n in names}
    if len(firsts) == 1 and all("/" in n for n in names):
        first = firsts.pop()
        return "" if first in EXPORT_FOLDERS else first + "/"
    return ""
