"""Files that hand the deletions to the tools that actually delete.

backscroll never touches an account. For X it writes the post ids to delete
in the shapes archive-based deleters read: one id per line, and a CSV with a
`tweet_id` column. Meta offers no deletion by id, so for Facebook and
Instagram it writes dates and activity-log links to work through by hand.

An item is included when the user decided `delete`, or when backscroll
recommended delete and the user has not decided otherwise. Messages are left
out of the X lists: deleters that read post ids cannot delete messages.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import tzinfo
from pathlib import Path

from audit.model import Finding, Kind, Platform
from audit.pipeline import date_key
from audit.state import DISMISSED
from reports import clock
from reports.links import item_url, sheet_row

X_POST_KINDS = frozenset({Kind.POST, Kind.REPLY, Kind.REPOST})
X_IDS = "x-delete-ids.txt"
X_CSV = "x-delete.csv"
META_CSV = "{platform}-activity-log.csv"


def to_delete(f: Finding) -> bool:
    """Marked delete, or recommended delete and not decided otherwise."""
    if f.decision is not None:
        return f.decision == "delete"
    return f.action == "delete"


def to_act_on(f: Finding) -> bool:
    """Anything the user still has to do by hand: delete or lock, not dismissed."""
    if f.decision in DISMISSED:
        return False
    return (f.decision or f.action) in ("delete", "lock")


def _when(f: Finding, tz: tzinfo | None) -> tuple[str, str, str]:
    """Day, time and offset as the activity log shows them: in the owner's zone (its links open at that month)."""
    if f.item.created_at is None:
        return "", "", ""
    local = f.item.created_at.astimezone(tz)
    return f"{local:%Y-%m-%d}", f"{local:%H:%M}", clock.offset_label(local.utcoffset())


def deleter_paths(findings: Sequence[Finding], out: Path) -> dict[str, Path]:
    """The files `write_deleters` writes: the X pair if any X item was read, one activity-log CSV per Meta platform."""
    present = {f.item.platform for f in findings}
    paths: dict[str, Path] = {}
    if Platform.X in present:
        paths["x_ids"] = out / X_IDS
        paths["x_csv"] = out / X_CSV
    for platform in (Platform.FACEBOOK, Platform.INSTAGRAM):
        if platform in present:
            paths[f"{platform}_csv"] = out / META_CSV.format(platform=platform)
    return paths


def write_deleters(findings: Sequence[Finding], out: Path, opener, tz: tzinfo | None) -> dict[str, Path]:  # type: ignore[no-untyped-def]
    """Write the X id list and CSV (UTC, as X's own dates), and one activity-log CSV per Meta platform in the scan's zone."""
    paths = deleter_paths(findings, out)
    ordered = sorted(findings, key=date_key)
    if "x_ids" in paths:
        # Only real post ids: a long post's text found without its post ("note-…") has no id to delete by.
        x = [f for f in ordered if f.item.platform == Platform.X and f.item.kind in X_POST_KINDS and f.item.item_id.isdigit()
             and to_delete(f)]
        with opener(paths["x_ids"]) as fh:
            fh.write("".join(f"{f.item.item_id}\n" for f in x))
        with opener(paths["x_csv"], newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["tweet_id", "created_at", "kind", "decision", "risk", "url", "text"])
            for f in x:
                when = f.item.created_at.strftime("%Y-%m-%d %H:%M:%S +0000") if f.item.created_at else ""
                writer.writerow(sheet_row([f.item.item_id, when, f.item.kind, f.decision or f"recommended {f.action}",
                                           f.verdict.risk, item_url(f.item) or "", " ".join(f.item.text.split())]))
    for platform in (Platform.FACEBOOK, Platform.INSTAGRAM):
        path = paths.get(f"{platform}_csv")
        if path is None:
            continue
        mine = [f for f in ordered if f.item.platform == platform and to_act_on(f) and f.item.kind != Kind.DM_RECEIVED]
        with opener(path, newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["date", "time", "utc_offset", "action", "kind", "link", "risk", "item_key", "text"])
            for f in mine:
                writer.writerow(sheet_row([*_when(f, tz), f.decision or f.action, f.item.kind, item_url(f.item) or "", f.verdict.risk,
                                           f.item.key, " ".join(f.item.text.split())[:200]]))
    return paths
