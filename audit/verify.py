"""Proof that the clean-up worked: compare a newer export with the decisions made.

The newer export is read with the importers only (no classifier): what
matters is whether each item marked `delete` is still in it, and what it says
about the audience of each item marked `lock`. An export of a different
account is refused, since "not found" would then prove nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from audit.errors import ExportError
from audit.model import AccountInfo, Audience, FileRead, Item, Platform
from audit.pipeline import open_inputs
from audit.state import Decisions, StateError, default_path

OPEN_AUDIENCES = frozenset({Audience.PUBLIC})


@dataclass(slots=True)
class Check:
    key: str
    status: str
    outcome: str  # gone | still there | locked | still public | audience unknown | not checked
    detail: str = ""
    item: Item | None = None

    @property
    def failed(self) -> bool:
        return self.outcome in ("still there", "still public")


@dataclass(slots=True)
class Report:
    checks: list[Check] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.failed]

    @property
    def ok(self) -> bool:
        """Done only when every item was checked: one not checked is not proved gone."""
        return not self.failed and all(c.outcome != "not checked" for c in self.checks)


def earlier_items(folder: Path) -> dict[str, str] | None:
    """Key → source file of every item the earlier scan wrote to findings.jsonl; None without one."""
    path = folder / "findings.jsonl"
    if not path.is_file():
        return None
    items: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith('{"type": "item"'):
                row = json.loads(line)
                items[row["key"]] = row.get("source") or ""
    return items


def file_family(source: str) -> str:
    """What kind of file an item came from, the same in any export of the account: `data/tweets-part2.js`
    and `tweets.js` are one family, and so are all of Meta's `messages/inbox/<person>/message_N.json`."""
    name = source.rsplit("/", 1)[-1].lower()
    if "/messages/" in f"/{source.lower()}" or name.startswith("message"):
        return "messages"
    return re.sub(r"(?:[-_]part)?[-_]?\d+(?=\.json$|\.js$)", "", name)


def _same_owner(before: dict[str, tuple[str | None, str | None]], info: AccountInfo, source: str) -> None:
    known = before.get(str(info.platform))
    if not known or not any(known):
        return
    username, user_id = known
    if not (info.user_id or info.username):
        # "Not found" in an export that cannot be tied to the owner proves nothing about the owner's posts.
        raise ExportError(source, f"does not say whose export it is (no account file), so it cannot prove anything about "
                                  f"{username or user_id}'s posts; pass the whole export")
    by_id = bool(user_id and info.user_id)
    if (by_id and user_id != info.user_id) or (
            not by_id and username and info.username and username.lower() != info.username.lower()):
        raise ExportError(source, f"is an export of {info.username or info.user_id}, not of {username or user_id} "
                                  "whose decisions these are")


def read_new(paths: Sequence[str], before: dict[str, tuple[str | None, str | None]]) -> tuple[dict[str, Item], list[str], set[str]]:
    """Every item of the newer exports by key, the platforms they cover, and the families of files they hold."""
    items: dict[str, Item] = {}
    platforms: list[str] = []
    families: set[str] = set()
    for importer, found, archive, inputs in open_inputs(list(paths)):
        platforms.append(str(importer.platform))
        with archive:
            for event in importer.iter_events(archive, found):
                if isinstance(event, Item):
                    items.setdefault(event.key, event)
                    families.add(f"{event.platform}:{file_family(event.source)}")
                elif isinstance(event, FileRead):  # read, not merely named (a missing part is reported by name)
                    families.add(f"{importer.platform}:{file_family(event.source)}")
                elif isinstance(event, AccountInfo):
                    _same_owner(before, event, inputs[0])
    return items, platforms, families


def verify(before: Path, paths: Sequence[str], state: Path | None = None) -> Report:
    """Check every `delete` and `lock` decision of the `before` folder against the newer exports."""
    db_path = state or default_path(before)
    if not db_path.is_file():
        raise StateError(f"{db_path}: no decisions here; run `backscroll scan … --out {before}` and mark items first")
    with Decisions(db_path) as db:
        decisions = db.all()
        owners = db.accounts()
    if not any(d.status in ("delete", "lock") for d in decisions.values()):
        # Nothing to prove: saying "all done" here would be a false reassurance.
        raise StateError(f"{db_path}: no item is marked delete or lock; mark items (report buttons or `backscroll mark`) first")
    items, platforms, families = read_new(paths, owners)
    earlier = earlier_items(before)
    report = Report(platforms=platforms)
    for key, d in sorted(decisions.items()):
        if d.status not in ("delete", "lock"):
            continue
        platform = key.partition(":")[0]
        if platform not in platforms:
            report.checks.append(Check(key, d.status, "not checked", f"no newer {platform} export given"))
            continue
        item = items.get(key)
        if item is None and earlier is not None and key not in earlier:
            report.checks.append(Check(key, d.status, "not checked", "not an item of the earlier scan (a mistyped key, or "
                                                                    "a decision from another report?)"))
        elif item is None and earlier is not None and f"{platform}:{file_family(earlier[key])}" not in families:
            report.checks.append(Check(key, d.status, "not checked", f"the newer export holds no {earlier[key].rsplit('/', 1)[-1]} "
                                                                    "(was only part of your information requested?)"))
        elif item is None:
            report.checks.append(Check(key, d.status, "gone"))
        elif d.status == "delete":
            report.checks.append(Check(key, d.status, "still there", _describe(item), item))
        elif item.audience in OPEN_AUDIENCES:
            report.checks.append(Check(key, d.status, "still public", _describe(item), item))
        elif item.audience == Audience.UNKNOWN or (item.platform == Platform.FACEBOOK and item.audience == Audience.FRIENDS):
            # Facebook exports do not record per-post audience; "friends" there is backscroll's assumption.
            report.checks.append(Check(key, d.status, "audience unknown",
                                       "the export does not record who can see it; check it by hand", item))
        else:
            report.checks.append(Check(key, d.status, "locked", f"audience: {item.audience}", item))
    if report.checks and all(c.outcome == "not checked" for c in report.checks):
        raise StateError(f"nothing could be checked: {report.checks[0].detail}; pass the newer export of the account "
                         "whose items you marked")
    return report


def _describe(item: Item) -> str:
    when = item.created_at.strftime("%Y-%m-%d") if item.created_at else "undated"
    flat = " ".join(item.text.split())
    text = flat if len(flat) <= 80 else flat[:79] + "…"
    return f"{when} {item.kind} audience {item.audience}: “{text}” {item.url or ''}".rstrip()
