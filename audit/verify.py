"""Proof that the clean-up worked: compare a newer export with the decisions made.

The newer export is read with the importers only (no classifier): what
matters is whether each item marked `delete` is still in it, and what it says
about the audience of each item marked `lock`. An export of a different
account is refused, since "not found" would then prove nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from audit.errors import ExportError
from audit.model import AccountInfo, Audience, Item, Platform
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
        return not self.failed


def _same_owner(before: dict[str, tuple[str | None, str | None]], info: AccountInfo, source: str) -> None:
    known = before.get(str(info.platform))
    if not known:
        return
    username, user_id = known
    by_id = bool(user_id and info.user_id)
    if (by_id and user_id != info.user_id) or (
            not by_id and username and info.username and username.lower() != info.username.lower()):
        raise ExportError(source, f"is an export of {info.username or info.user_id}, not of {username or user_id} "
                                  "whose decisions these are")


def read_new(paths: Sequence[str], before: dict[str, tuple[str | None, str | None]]) -> tuple[dict[str, Item], list[str]]:
    """Every item of the newer exports by key, and the platforms they cover."""
    items: dict[str, Item] = {}
    platforms: list[str] = []
    for importer, found, archive, inputs in open_inputs(list(paths)):
        platforms.append(str(importer.platform))
        with archive:
            for event in importer.iter_events(archive, found):
                if isinstance(event, Item):
                    items.setdefault(event.key, event)
                elif isinstance(event, AccountInfo):
                    _same_owner(before, event, inputs[0])
    return items, platforms


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
    items, platforms = read_new(paths, owners)
    report = Report(platforms=platforms)
    for key, d in sorted(decisions.items()):
        if d.status not in ("delete", "lock"):
            continue
        platform = key.partition(":")[0]
        if platform not in platforms:
            report.checks.append(Check(key, d.status, "not checked", f"no newer {platform} export given"))
            continue
        item = items.get(key)
        if item is None:
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
    return report


def _describe(item: Item) -> str:
    when = item.created_at.strftime("%Y-%m-%d") if item.created_at else "undated"
    flat = " ".join(item.text.split())
    text = flat if len(flat) <= 80 else flat[:79] + "…"
    return f"{when} {item.kind} audience {item.audience}: “{text}” {item.url or ''}".rstrip()
