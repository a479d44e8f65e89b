"""What every importer shares: the protocol, JSON/JS readers, time parsing, Meta text repair.

Importers never raise halfway through an archive. They yield `Item`s, a
`FileRead` per data file (how many records it held) and a `Skip` for every
record or file they could not use, so the report can account for all of them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any, ClassVar, Protocol

from audit.archive import Archive, MemberError
from audit.model import ImportEvent, Platform, Skip

# Posts dated before social media existed, or after today, are exporter bugs.
EARLIEST = datetime(2004, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Detection:
    """Which layout an importer recognised, and the data files it will read."""

    layout: str
    members: tuple[str, ...]


class Importer(Protocol):
    platform: ClassVar[Platform]

    def detect(self, archive: Archive) -> Detection | None:
        """Cheap: looks at member names only."""
        ...

    def iter_events(self, archive: Archive, found: Detection, tz: tzinfo | None = None) -> Iterator[ImportEvent]:
        """Items and problems in file order; `tz` is the owner's zone (None: this computer's), for pages that
        the platform lays out by local date."""
        ...


class BadFile(Exception):
    """A data file that cannot be parsed; its records are skipped, the rest goes on."""


# Synthetic and hand-edited files end the assignment with `;`.
_TRAILER = re.compile(rb"\s*;?\s*\Z")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_JS_PREFIX = re.compile(rb"^\s*(?:window\.[\w.$]+|var\s+\w+|Grailbird\.data\.\w+)\s*=\s*")


def load_json(archive: Archive, name: str, *, js: bool = False) -> Any:
    """Parse a member as JSON; `js` strips a `window.YTD.x.part0 = ` style prefix."""
    try:
        data = archive.read(name)
    except MemberError as exc:
        raise BadFile(str(exc)) from None
    if not data.strip():
        raise BadFile("the file is empty")
    start, end = 0, len(data)
    if js:
        match = _JS_PREFIX.match(data)
        if match is None:
            stripped = data[:4096].lstrip()
            if not stripped.startswith((b"[", b"{")):
                raise BadFile("it does not start with the expected `window.YTD.… =` line")
        else:
            start = match.end()
        tail = data[-4096:]
        end = len(data) - len(tail) + _TRAILER.search(tail).start()  # type: ignore[union-attr]  # always matches
    if data[start:start + 3] == b"\xef\xbb\xbf":
        start += 3
    try:
        # Decoding a view of the bytes avoids one more copy of a file that can be hundreds of MB.
        text = str(memoryview(data)[start:end], "utf-8")
    except UnicodeDecodeError as exc:
        raise BadFile(f"it is not valid UTF-8 text (byte {start + exc.start})") from None
    del data
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadFile(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise BadFile("the JSON is nested too deeply to be an export") from None
    if _SURROGATE_ESCAPE.search(text):
        # Half an emoji (a tweet cut mid-character) parses to a lone surrogate, which no UTF-8 output can hold.
        data = map_strings(data, _no_lone_surrogates)
    return data


def records(archive: Archive, name: str, *, js: bool = False, key: str | None = None) -> Iterator[ImportEvent | tuple[int, Any]]:
    """Yield `FileRead`, then `(index, record)` pairs; a broken file becomes one `Skip`."""
    from audit.model import FileRead

    try:
        data = load_json(archive, name, js=js)
    except BadFile as exc:
        yield Skip(name, f"file not readable: {exc}", count=1)
        return
    if key is not None:
        data = data.get(key) if isinstance(data, dict) else None
        if data is None:
            yield Skip(name, f"file not readable: no `{key}` list in it", count=1)
            return
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        yield Skip(name, "file not readable: expected a list of records", count=1)
        return
    yield FileRead(name, len(data))
    yield from enumerate(data)


def as_int(value: Any) -> int | None:
    """X writes every number as a string; Meta sometimes as float. Anything else (inf, 5,000 digits) is None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str) and len(value) > 40:
        return None
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        try:
            return int(float(value))
        except (TypeError, ValueError, OverflowError):
            return None


def from_unix(value: Any, *, millis: bool = False) -> datetime | None:
    """A unix timestamp as aware UTC, or None when absent or absurd."""
    number = as_int(value)
    if number is None or number <= 0:
        return None
    if millis:
        number //= 1000
    try:
        moment = datetime.fromtimestamp(number, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment if EARLIEST <= moment <= datetime.now(UTC) else None


def from_iso(value: Any) -> datetime | None:
    """ISO 8601 with `Z` or an offset (X DMs, notes, account); other short forms via dateutil."""
    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        moment = _dateutil(value)
        if moment is None:
            return None
    try:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        moment = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return moment if EARLIEST <= moment <= datetime.now(UTC) else None


def _dateutil(value: str) -> datetime | None:
    from dateutil import parser

    try:
        return parser.parse(value)
    except (ValueError, OverflowError, TypeError, LookupError):
        return None


def fix_meta_text(value: str) -> str:
    """Undo Meta's habit of writing each UTF-8 byte as its own `\\u00XX` escape.

    A string that is not mangled (it has a character above U+00FF, or its
    bytes are not valid UTF-8) is returned untouched.
    """
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def fix_meta(data: Any) -> Any:
    """`fix_meta_text` applied to every string, key and value, of parsed Meta JSON."""
    return map_strings(data, fix_meta_text)


def map_strings(data: Any, fix: Callable[[str], str]) -> Any:
    """`fix` applied to every string, key and value, of parsed JSON.

    Iterative, not recursive: JSON nested just under the parser's limit must not
    overflow the stack here.
    """
    if not isinstance(data, (list, dict)):
        return fix(data) if isinstance(data, str) else data
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(root, 0, data)]
    while stack:
        parent, key, value = stack.pop()
        if isinstance(value, list):
            fixed: Any = [None] * len(value)
            stack += [(fixed, i, v) for i, v in enumerate(value)]
        elif isinstance(value, dict):
            fixed = {fix(k): None for k in value}
            # Reversed, so that of two keys that repair to the same text the later one wins, as in a dict literal.
            stack += [(fixed, fix(k), v) for k, v in reversed(value.items())]
        else:
            fixed = fix(value) if isinstance(value, str) else value
        parent[key] = fixed
    return root[0]


def _no_lone_surrogates(value: str) -> str:
    return _LONE_SURROGATE.sub("\ufffd", value)


def find(archive: Archive, pattern: str) -> list[str]:
    """Members whose path ends with the regex `pattern`, matched at a folder boundary."""
    rx = re.compile(r"(?:^|/)" + pattern + r"$")
    return sorted((n for n in archive.names() if rx.search(n)), key=_natural)


def _natural(name: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]
