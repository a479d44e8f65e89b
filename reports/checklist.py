"""The clean-up checklist: account-level steps first, then each post to delete, lock or review.

Work is grouped the way it is done: all deletions of one account together,
then what to lock, then what to look at again, each group split by kind
(posts, replies, comments, messages) and in date order, which is how the
platforms' activity logs are browsed. A decision the user made overrides the
recommendation; dismissed items (keep, not a problem) are left out.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from audit.model import CATEGORY_TITLES, Audience, Finding, Kind, Platform
from audit.pipeline import date_key
from audit.state import DISMISSED
from reports import clock
from reports.links import code_span, item_url, printable

if TYPE_CHECKING:
    from audit.pipeline import AccountScan, ScanResult

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
_STEP_IF_DONE = {  # steps the export may show are already done, and what to say instead
    ACCOUNT_STEPS[Platform.X][0]: "Your posts are protected (as of the export): keep them so until you finish.",
    ACCOUNT_STEPS[Platform.INSTAGRAM][0]: "Your account is private (as of the export): keep it so until you finish.",
}
_MESSAGE_STEP = ACCOUNT_STEPS[Platform.X][1]
ACTION_ORDER = {"delete": 0, "lock": 1, "review": 2}
GROUP_TITLES = {"delete": "Delete", "lock": "Lock (limit the audience or archive)", "review": "Look at again"}
# X has no audience per post: a post marked lock stays hidden only while the whole account is protected.
X_LOCK_TITLE = "Lock: X cannot limit one post, so these stay hidden only while your account is protected (step above); else delete them"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def group_title(platform: Platform, action: str) -> str:
    return X_LOCK_TITLE if platform == Platform.X and action == "lock" else GROUP_TITLES[action]


def md_escape(text: str) -> str:
    """Post text in Markdown must not become links, markup or HTML in a viewer."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(printable(text).split()))


def excerpt(text: str, limit: int = 140) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def quote(f: Finding, limit: int = 140) -> str:
    """The excerpt that shows why: in a long post the flagged words can come after the first 140 characters.

    Centred on a rule's finding when there is one: "bed 7" says why, a learned "honestly" does not."""
    text, evidence = f.item.text, f.verdict.evidence
    starts = [(e.learned, e.start) for e in evidence if 0 <= e.start < len(text)]
    first = min(starts)[1] if starts else 0  # a rule's finding before learned wording
    if len(" ".join(text[:first].split())) < limit - 40:
        return excerpt(text, limit)
    return "…" + excerpt(text[max(0, first - 30):], limit - 1)


def todo_action(f: Finding) -> str | None:
    """What is left to do with an item: the user's decision first, else the recommendation."""
    if f.decision in DISMISSED:
        return None
    action = f.decision or f.action
    return action if action in ACTION_ORDER else None


@dataclass(slots=True)
class AccountTodo:
    platform: str
    name: str
    steps: tuple[str, ...]
    groups: dict[str, dict[str, list[Finding]]] = field(default_factory=dict)  # action -> kind -> findings
    dismissed: int = 0

    def count(self, action: str) -> int:
        return sum(len(v) for v in self.groups.get(action, {}).values())


def account_steps(account: AccountScan, findings: Sequence[Finding]) -> tuple[str, ...]:
    """The platform's steps, fitted to what the export shows: no message step without messages,
    no "make it private" for an account that already is."""
    own = [f for f in findings if f.item.platform == account.platform]
    posts = [f for f in own if f.item.kind not in (Kind.DM, Kind.DM_RECEIVED)]
    protected = account.info.protected is True or (
        account.platform == Platform.X and bool(posts) and all(f.item.audience == Audience.FOLLOWERS for f in posts))
    has_messages = len(posts) < len(own)
    steps = []
    for step in ACCOUNT_STEPS[account.platform]:
        if step == _MESSAGE_STEP and not has_messages:
            continue
        steps.append(_STEP_IF_DONE[step] if protected and step in _STEP_IF_DONE else step)
    return tuple(steps)


def plan(result: ScanResult) -> list[AccountTodo]:
    """Per account: steps, then items grouped by action and kind, each group in date order."""
    todo: dict[str, dict[str, dict[str, list[Finding]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    dismissed: dict[str, int] = defaultdict(int)
    for f in result.findings:
        action = todo_action(f)
        if f.decision in DISMISSED:
            dismissed[str(f.item.platform)] += 1
        if action:
            todo[str(f.item.platform)][action][str(f.item.kind)].append(f)
    plans = []
    for account in result.accounts:
        platform = str(account.platform)
        groups = {a: {k: sorted(v, key=date_key) for k, v in sorted(todo[platform][a].items())}
                  for a in ACTION_ORDER if todo[platform].get(a)}
        plans.append(AccountTodo(platform, account.info.username or account.info.display_name or "your account",
                                 account_steps(account, result.findings), groups, dismissed[platform]))
    return plans


def why(f: Finding) -> str:
    """The verdict's summary (an unflagged item sent for review says which risk it came close to)."""
    return f.verdict.summary or flag_titles(f)


def flag_titles(f: Finding) -> str:
    """The flags as the report names them, in both checklists."""
    return ", ".join(CATEGORY_TITLES[c] for c in f.verdict.flags) or "borderline"


def _line(f: Finding, action: str, tz: tzinfo | None) -> str:
    item, v = f.item, f.verdict
    when = clock.stamp(item.created_at, tz, clock=False)
    flags = flag_titles(f)
    url = item_url(item)
    link = f"<{url}>" if url else "(no link: find it by date in the activity log)"
    reason = md_escape(why(f))
    source = "your decision" if f.decision else "recommended"
    photo = f"  \n  Photo: {md_escape(f.media.action)} ({md_escape(f.media.summary)})" if f.media is not None and f.media.action else ""
    return (f"- [ ] **{action}** ({source}) · risk {v.risk} · {when} · {item.kind} · {flags} · {code_span(' '.join(item.key.split()))}  \n"
            f"  {link}  \n  Why: {reason}  \n  “{md_escape(quote(f))}”{photo}")


def write_checklist(result: ScanResult, path: Path, *, in_app: bool = False) -> None:
    from reports.render import _private_open

    progress = ("Mark progress on the scan's page in the backscroll app; the checklist you download next follows it." if in_app
                else "Mark progress with `backscroll mark KEY STATUS --out DIR`; prove it with `backscroll verify`.")
    lines = ["# backscroll clean-up checklist", "",
             "This file quotes your posts, including ones about patients. Keep it private and delete it when you are done.", "",
             f"Items you marked keep or not a problem are left out. {progress}", ""]
    tz = clock.zone(result)
    for account in plan(result):
        lines += [f"## {account.platform.title()} · {md_escape(account.name)}", "", "### Account-level steps", ""]
        lines += [f"- [ ] {step}" for step in account.steps]
        counts = {a: account.count(a) for a in ACTION_ORDER}
        lines += ["", f"### Items ({counts['delete']} to delete, {counts['lock']} to lock, {counts['review']} to review"
                      f"{f', {account.dismissed} dismissed' if account.dismissed else ''})", ""]
        if not account.groups:
            lines += ["Nothing left to do on this account.", ""]
        for action, kinds in account.groups.items():
            lines += [f"#### {group_title(account.platform, action)}", ""]
            for kind, findings in kinds.items():
                lines += [f"##### {kind.replace('_', ' ')} ({len(findings)})", ""]
                for f in findings:
                    lines += [_line(f, action, tz), ""]
        lines.append("")
    with _private_open(path) as fh:
        fh.write("\n".join(lines))


def write_checklist_html(result: ScanResult, path: Path) -> None:
    """The same plan as a page to print and tick by hand."""
    from reports.render import _private_open, _raw, csp_hash, environment

    env = environment()
    style = _raw(env, "checklist.css")
    html = env.get_template("checklist.html").generate(
        plans=plan(result), group_title=group_title, quote=quote, item_url=item_url, style=style, why=why,
        flag_titles=flag_titles, when=functools.partial(clock.stamp, tz=clock.zone(result)),
        csp=f"default-src 'none'; style-src {csp_hash(style)}; img-src 'none'; base-uri 'none'; form-action 'none'",
    )
    with _private_open(path) as fh:
        fh.writelines(html)
