"""Decisions the user made about items, kept in SQLite so they survive re-scans.

A clean-up of a few hundred posts takes several evenings; every scan re-reads
the export, so what was decided must live outside the outputs that a scan
rewrites. Rows are keyed by `Item.key` (`platform:item_id`), which is stable
across exports. Nothing is removed unless the user asks (`forget`), and every
change is appended to a history table so a mistaken import can be traced.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from audit.model import AccountInfo, Finding

STATUSES: tuple[str, ...] = ("delete", "lock", "keep", "not_a_problem")
DISMISSED: frozenset[str] = frozenset({"keep", "not_a_problem"})
CLEAR = "clear"  # not stored: removes a decision, only when the user asks for it
FILENAME = "decisions.sqlite"
EXPORT_FORMAT = "backscroll-decisions"
EXPORT_VERSION = 1
MAX_EXPORT_BYTES = 64 * 1024 * 1024  # a million decisions is about 80 MB; nobody marks that many by hand

_SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    key TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    origin TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    status TEXT,
    decided_at TEXT NOT NULL,
    origin TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS accounts (
    platform TEXT PRIMARY KEY,
    username TEXT,
    user_id TEXT,
    seen_at TEXT NOT NULL
);
"""


class StateError(Exception):
    """A decisions file or import that cannot be used; the CLI turns it into exit status 2."""


@dataclass(frozen=True, slots=True)
class Decision:
    key: str
    status: str
    decided_at: str
    origin: str


@dataclass(slots=True)
class ImportCount:
    """What an import did, so the user can see nothing was silently dropped."""

    applied: int = 0
    unchanged: int = 0
    older: int = 0


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def default_path(out: Path) -> Path:
    return out / FILENAME


def check_status(status: str) -> str:
    normal = status.strip().lower().replace(" ", "_").replace("-", "_")
    if normal not in STATUSES:
        raise StateError(f"unknown decision {status!r}; use one of {', '.join(STATUSES)}")
    return normal


def check_key(key: str) -> str:
    platform, sep, item_id = key.partition(":")
    if not sep or platform not in ("x", "facebook", "instagram") or not item_id:
        raise StateError(f"{key!r} is not an item key; keys look like x:1700000000000000001 (see the report or findings.csv)")
    return key


def _refuse_planted(path: Path) -> None:
    """SQLite follows links: a link planted in a shared folder would carry every decision to someone else's file."""
    for name in (path, path.with_name(path.name + "-journal"), path.with_name(path.name + "-wal")):
        try:
            info = name.lstat()
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
            raise StateError(f"{name}: not a regular file (a link or something else); remove it and run again")
        if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
            raise StateError(f"{name}: belongs to another user; remove it or choose another folder")


class Decisions:
    """The decisions database of one output folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._depth = 0
        # It names the posts the user is ashamed of: private from the first byte, journal included.
        old = os.umask(0o077)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _refuse_planted(path)
            self.db = sqlite3.connect(path)
            self.db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{path}: not a backscroll decisions file ({exc})") from None
        except OSError as exc:
            raise StateError(f"{path}: cannot keep decisions here ({exc.strerror or exc})") from None
        finally:
            os.umask(old)
        with suppress(OSError):
            path.chmod(0o600)

    def __enter__(self) -> Decisions:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One transaction; nested calls join the outer one, so an import commits once, all or nothing."""
        if self._depth:
            yield self.db
            return
        self._depth = 1
        try:
            with self.db:
                yield self.db
        finally:
            self._depth = 0

    def all(self) -> dict[str, Decision]:
        rows = self.db.execute("SELECT key, status, decided_at, origin FROM decisions")
        return {r[0]: Decision(*r) for r in rows}

    def get(self, key: str) -> Decision | None:
        row = self.db.execute("SELECT key, status, decided_at, origin FROM decisions WHERE key = ?", (key,)).fetchone()
        return Decision(*row) if row else None

    def set(self, key: str, status: str, *, origin: str = "cli", at: str | None = None) -> bool:
        """Record a decision; returns False when it was already so (history is not spammed)."""
        status = check_status(status)
        check_key(key)
        current = self.get(key)
        if current and current.status == status:
            return False
        at = at or now()
        with self._tx() as db:
            db.execute("INSERT INTO decisions (key, status, decided_at, origin) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT(key) DO UPDATE SET status = excluded.status, decided_at = excluded.decided_at, "
                       "origin = excluded.origin", (key, status, at, origin))
            db.execute("INSERT INTO history (key, status, decided_at, origin) VALUES (?, ?, ?, ?)", (key, status, at, origin))
        return True

    def forget(self, key: str) -> bool:
        """Remove one decision, only because the user asked; the history keeps a trace."""
        with self._tx() as db:
            gone = db.execute("DELETE FROM decisions WHERE key = ?", (key,)).rowcount
            if gone:
                db.execute("INSERT INTO history (key, status, decided_at, origin) VALUES (?, NULL, ?, 'forget')", (key, now()))
        return bool(gone)

    def history(self, key: str | None = None) -> list[tuple[str, str | None, str, str]]:
        sql = "SELECT key, status, decided_at, origin FROM history"
        rows = self.db.execute(sql + " WHERE key = ? ORDER BY id", (key,)) if key else self.db.execute(sql + " ORDER BY id")
        return list(rows)

    def import_entries(self, entries: Iterable[tuple[str, str, str | None]], origin: str) -> ImportCount:
        """Apply (key, status, decided_at) entries; an entry older than the stored decision loses."""
        count = ImportCount()
        checked = [(check_key(k), s if s == CLEAR else check_status(s), at) for k, s, at in entries]  # all or nothing
        with self._tx():
            for key, status, at in checked:
                current = self.get(key)
                if current and at and current.decided_at > at:
                    count.older += 1
                elif status == CLEAR:
                    if self.forget(key):
                        count.applied += 1
                    else:
                        count.unchanged += 1
                elif self.set(key, status, origin=origin, at=at):
                    count.applied += 1
                else:
                    count.unchanged += 1
        return count

    def remember_accounts(self, infos: Iterable[AccountInfo]) -> None:
        """Which account each platform's export belonged to, so verify can refuse someone else's export."""
        with self._tx() as db:
            for info in infos:
                db.execute("INSERT INTO accounts (platform, username, user_id, seen_at) VALUES (?, ?, ?, ?) "
                           "ON CONFLICT(platform) DO UPDATE SET username = excluded.username, user_id = excluded.user_id, "
                           "seen_at = excluded.seen_at", (str(info.platform), info.username, info.user_id, now()))

    def accounts(self) -> dict[str, tuple[str | None, str | None]]:
        return {r[0]: (r[1], r[2]) for r in self.db.execute("SELECT platform, username, user_id FROM accounts")}


def apply(findings: Iterable[Finding], decisions: dict[str, Decision]) -> None:
    """Copy stored decisions onto this scan's findings."""
    for f in findings:
        d = decisions.get(f.item.key)
        f.decision = d.status if d else None


def read_export(path: Path) -> list[tuple[str, str, str | None]]:
    """Parse a decisions file saved from the report (or a plain {key: status} object)."""
    try:
        size = path.stat().st_size
        if size > MAX_EXPORT_BYTES:
            raise StateError(f"{path}: {size:,} bytes, far larger than any decisions file")
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StateError(f"{path}: no such file") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # ValueError: bad JSON, or a number too long to read
        raise StateError(f"{path}: not a decisions file ({str(exc)[:120]})") from None
    if isinstance(data, dict) and data.get("format") == EXPORT_FORMAT:
        if data.get("version") != EXPORT_VERSION:
            raise StateError(f"{path}: a decisions file of version {data.get('version')!r}; this backscroll reads version {EXPORT_VERSION}")
        data = data.get("decisions")
    entries: list[tuple[str, str, str | None]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str) and value:
                entries.append((key, value, None))
            elif isinstance(value, dict) and "status" in value and (value["status"] is None or _filled(value["status"])):
                # null is the page's "undo"; a missing or empty status is a broken entry, not a request to clear
                entries.append((key, value["status"] or CLEAR, _moment(value.get("at"))))
            else:
                raise StateError(f"{path}: entry {str(key)[:80]!r} has no status")
    elif isinstance(data, list):
        for row in data:
            if not (isinstance(row, dict) and isinstance(row.get("key"), str) and _filled(row.get("status"))):
                raise StateError(f"{path}: every entry needs a key and a status")
            entries.append((row["key"], row["status"], _moment(row.get("at"))))
    else:
        raise StateError(f"{path}: not a decisions file (expected an object of key → decision)")
    return entries


def _filled(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _moment(value: Any) -> str | None:
    """A decision's time as the page writes it (ISO 8601 UTC); a garbled or future one is no time at all.

    Later decisions win, so a time in the future would freeze a decision against every later click.
    """
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None or when > datetime.now(UTC) + timedelta(minutes=5):
        return None
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
