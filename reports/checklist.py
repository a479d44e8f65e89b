"""The clean-up checklist: account-level steps first, then each post to delete, lock or review."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from audit.model import CATEGORY_TITLES, Finding, Platform

if TYPE_CHECKING:
    from audit.pipeline import ScanResult

ACCOUNT_STEPS: dict[str, tuple[str, ...]] = {
    Platform.X: (
        "Protect your posts while you clean up (Settings → Privacy and safety → Audience and tagging → Protect your posts).",
        "Review your direct messages: delete conversations in which you discussed a patient or gave medical advice.",
        "Check who follows you: remove patients, and colleagues you would not want to read old posts.",
        "Remove your workplace, unit and city from your bio and location if the account is personal.",
    ),
    Platform.FACEBOOK: (
        "Limit the audience of all past posts to Friends (Settings → Privacy → Limit past posts).",
        "Review photos and posts you are tagged in (Activity log → Your activity across Facebook → Photos and videos).",
        "Review your friends list: remove patients, and decide about colleagues and staff.",
        "Leave or review 'closed' groups where you posted about work: closed is not private.",
    ),
    Platform.INSTAGRAM: (
        "Switch to a private account while you clean up (Settings → Account privacy).",
        "Archive posts you want to keep but not show; delete the ones that describe patients.",
        "Remove followers who are patients, and review who from work follows you.",
        "Check story highlights and reels, which stay visible after 24 hours.",
    ),
}
ACTION_ORDER = {"delete": 0, "lock": 1, "review": 2}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md_escape(text: str) -> str:
    """Post text in Markdown must not become links, markup or HTML in a viewer."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def excerpt(text: str, limit: int = 140) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _line(f: Finding) -> str:
    item, v = f.item, f.verdict
    when = item.created_at.strftime("%Y-%m-%d") if item.created_at else "undated"
    flags = ", ".join(CATEGORY_TITLES[c] for c in v.flags) or "borderline"
    link = f"<{item.url}>" if item.url else "(no link: find it by date in the activity log)"
    reason = md_escape(v.summary) if v.summary else flags
    return (f"- [ ] **{f.action}** · risk {v.risk} · {when} · {item.kind} · {flags}  \n"
            f"  {link}  \n  Why: {reason}  \n  “{md_escape(excerpt(item.text))}”")


def write_checklist(result: ScanResult, path: Path) -> None:
    from reports.render import _private_open

    lines = ["# backscroll clean-up checklist", "",
             "This file quotes your posts, including ones about patients. Keep it private and delete it when you are done.", ""]
    todo: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        if f.action in ACTION_ORDER:
            todo[str(f.item.platform)].append(f)
    for account in result.accounts:
        platform = str(account.platform)
        name = account.info.username or account.info.display_name or "your account"
        items = sorted(todo.get(platform, []), key=lambda f: (ACTION_ORDER[f.action], -f.verdict.risk))
        lines += [f"## {platform.title()} · {md_escape(name)}", "", "### Account-level steps", ""]
        lines += [f"- [ ] {step}" for step in ACCOUNT_STEPS[account.platform]]
        counts = {a: sum(f.action == a for f in items) for a in ACTION_ORDER}
        lines += ["", f"### Items ({counts['delete']} to delete, {counts['lock']} to lock, {counts['review']} to review)", ""]
        if not items:
            lines.append("Nothing flagged on this account.")
        for f in items:
            lines += [_line(f), ""]
        lines.append("")
    with _private_open(path) as fh:
        fh.write("\n".join(lines))
