"""Read an export in place, zip or unpacked folder, without extracting anything.

Every name an importer sees is relative to the export's root (a single wrapping
folder such as `twitter-2024-01-01-abc/` is stripped), uses forward slashes,
and is checked: a member that climbs out of the archive makes the whole input
unusable, because nothing honest produces one.
"""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from audit.errors import ExportError

# A single JSON file larger than this is not a social media export: 200,000
# tweets fill about 400 MB. Refusing early keeps memory bounded on a laptop.
MAX_MEMBER_BYTES = 1536 * 1024 * 1024
# Text compresses about 10:1 and JSON up to 30:1; far beyond that is a zip bomb.
MAX_RATIO = 250
MAX_MEMBERS = 2_000_000
IGNORED_PREFIXES = ("__MACOSX/",)


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
        self._real: dict[str, tuple[str, str]] = {}
        for path in self.paths:
            self._add(path)

    @property
    def label(self) -> str:
        return ", ".join(os.path.basename(p.rstrip("/")) for p in self.paths)

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
            if not rel or rel.endswith("/") or rel in self._entries:
                continue
            self._entries[rel] = Entry(rel, size, compressed, encrypted, path)
            self._real[rel] = (path, real)

    def _open_zip(self, path: str) -> Iterator[tuple[str, str, int, int, bool]]:
        try:
            zf = zipfile.ZipFile(path)
            infos = zf.infolist()
        except zipfile.BadZipFile:
            with open(path, "rb") as fh:
                head = fh.read(512).lstrip().lower()
            if head.startswith((b"<!doctype html", b"<html")):
                raise ExportError(path, "is a web page, not an export zip (was the download saved as HTML?)") from None
            if head.startswith(b"pk"):
                raise ExportError(path, "the zip is truncated or damaged (an incomplete download?); download the export again") from None
            raise ExportError(path, "is not a zip archive or an export folder") from None
        except OSError as exc:
            raise ExportError(path, f"cannot be read ({exc.strerror or exc})") from None
        if len(infos) > MAX_MEMBERS:
            raise ExportError(path, f"holds {len(infos):,} files, more than any export ({MAX_MEMBERS:,}); refusing to read it")
        self._zips[path] = zf
        encrypted_count = 0
        for info in infos:
            name = info.filename.replace("\\", "/")
            _check_name(path, name)
            if name.startswith(IGNORED_PREFIXES) or info.is_dir():
                continue
            encrypted = bool(info.flag_bits & 0x1)
            encrypted_count += encrypted
            yield name, info.filename, info.file_size, info.compress_size, encrypted
        if infos and encrypted_count == len([i for i in infos if not i.is_dir()]):
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
        entry = self._entries[name]
        if entry.encrypted:
            raise MemberError("the file is password-protected")
        if entry.size > limit:
            raise MemberError(f"the file is {entry.size / 1e6:,.0f} MB, over the {limit / 1e6:,.0f} MB a data file may have")
        if entry.compressed and entry.size > 50_000_000 and entry.size / entry.compressed > MAX_RATIO:
            raise MemberError("the file expands more than any real export does (a zip bomb?)")
        origin, real = self._real[name]
        zf = self._zips.get(origin)
        try:
            if zf is None:
                with open(real, "rb") as fh:
                    data = fh.read(limit + 1)
            else:
                with zf.open(real) as fh:
                    data = fh.read(limit + 1)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise MemberError(f"the file is damaged inside the zip ({exc})") from None
        if len(data) > limit:
            raise MemberError(f"the file is larger than the {limit / 1e6:,.0f} MB a data file may have")
        return data

    def close(self) -> None:
        for zf in self._zips.values():
            zf.close()
        self._zips.clear()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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


def _common_root(names: list[str]) -> str:
    """The single folder wrapping every member, if there is one, with its slash."""
    firsts = {n.split("/", 1)[0] for n in names}
    if len(firsts) == 1 and all("/" in n for n in names):
        return firsts.pop() + "/"
    return ""
