"""What each account holds and what it gives away: the per-account section of the report.

A pseudonymous account is only as anonymous as its least careful post: one
mention of the program, another of the city, a third of the call schedule,
and colleagues (and patients) know who wrote it. People who sent health
questions by direct message are likely patients who can still read the account.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from audit.model import Audience, Finding, Kind, Platform

if TYPE_CHECKING:
    from audit.pipeline import AccountScan, ScanResult

# What a reader needs to place the author. Identity, not patients: these are about the clinician.
# Words are matched on the lowercased text (2-3x faster than re.IGNORECASE over 200,000 posts);
# specialty acronyms are matched as written, since "em" and "ed" are ordinary words.
EXPOSURE: dict[str, str] = {
    "training program": r"\b(?:residency|resident|intern(?:ship| year)?|pgy-?\d|fellowship|fellow|med school|medical school|"
                        r"nursing school|clinicals|rotation|match day|matched at|my program|program director|attending)\b",
    "specialty": r"\b(?:emergency medicine|surgery|surgical|peds|pediatrics?|ob/?gyn|obstetrics|anesthesia|anesthesiology|"
                 r"psych(?:iatry)?|internal medicine|family medicine|radiology|cardiology|oncology|neurology|ortho(?:pedics)?|"
                 r"derm(?:atology)?|paramedic|pharmacy|pharmacist|nurse|nursing)\b",
    "call schedule": r"\b(?:on call|on-call|post-?call|q\d call|night float|nights this week|\d+ (?:nights|shifts) in a row|"
                     r"(?:12|24|28)[- ]?(?:hour|hr)s? (?:shift|call)|call schedule|night shift|day shift|overnight shift)\b",
}
_ACRONYMS = re.compile(r"\b(?:EM|ER|ED|NICU|PICU|MICU|SICU|ICU|L&D|EMS|CRNA)\b")
# One pass over each text instead of one per pattern.
_GROUPS = {f"g{i}": what for i, what in enumerate(EXPOSURE)}
_ANY = re.compile("|".join(f"(?P<g{i}>{rx})" for i, rx in enumerate(EXPOSURE.values())))
PLACE = "workplace or city"  # from the scan's context evidence, named hospitals and places, and the account location
_PLACE_REASONS = ("names your workplace", "names your unit", "names your town", "a named hospital", "place")


@dataclass(slots=True)
class Exposure:
    what: str
    count: int = 0
    examples: list[tuple[str, str]] = field(default_factory=list)  # (item key, excerpt)


@dataclass(slots=True)
class AccountView:
    platform: str
    name: str
    layout: str
    inputs: list[str]
    visibility: str
    kinds: list[tuple[str, int, int]]  # kind, items, flagged
    first: str
    last: str
    connections: list[tuple[str, int]]
    patients: list[dict[str, Any]]
    exposure: list[Exposure]


def excerpt(text: str, limit: int = 140) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def likely_patients(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """People who sent the owner messages that read like health questions or reveal care."""
    people: dict[str, dict[str, Any]] = {}
    for f in findings:
        item = f.item
        if item.kind != Kind.DM_RECEIVED or not item.counterpart:
            continue
        scores = f.verdict.scores
        if not (f.verdict.flags or scores.get("medical_advice", 0) >= 0.4 or scores.get("patient_reference", 0) >= 0.4):
            continue
        entry = people.setdefault(f"{item.platform}:{item.counterpart}", {
            "platform": str(item.platform), "name": item.counterpart, "messages": 0, "example": item.text, "url": item.url,
        })
        entry["messages"] += 1
    return sorted(people.values(), key=lambda p: -p["messages"])


def visibility(account: AccountScan, findings: Sequence[Finding]) -> str:
    """What the export says about who can see the account; never a guess stated as fact."""
    protected = account.info.protected
    audiences = Counter(f.item.audience for f in findings if f.item.kind not in (Kind.DM, Kind.DM_RECEIVED))
    if account.platform == Platform.X:
        if protected or (audiences and audiences.most_common(1)[0][0] == Audience.FOLLOWERS):
            return "protected: posts visible to approved followers only (as of the export)"
        return "public: anyone can read the posts (the export records no protection)"
    if account.platform == Platform.INSTAGRAM:
        if protected is True:
            return "private: followers only (as of the export)"
        if protected is False:
            return "public: anyone can see the posts (as of the export)"
        return "the export does not say whether the account is private"
    return ("Facebook exports do not record each post's audience; backscroll assumes Friends. "
            "Public posts and posts in groups are visible more widely.")


def exposure(findings: Sequence[Finding], location: str | None, places: Sequence[str] = ()) -> list[Exposure]:
    """Own posts that mention the program, specialty, call schedule, workplace or city.

    `places` are the workplaces, units and towns the user named (`--workplace`, `--city`, the bio):
    a post naming them gives the author away whether or not it was flagged.
    """
    found = {what: Exposure(what) for what in (*EXPOSURE, PLACE)}
    names = [location.split(",")[0].strip()] if location and location.strip() else []
    names += [p.strip() for p in places if p.strip()]
    city = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(set(names), key=len, reverse=True))) + r")\b",
                      re.IGNORECASE) if names else None
    for f in findings:
        item = f.item
        if item.kind == Kind.DM_RECEIVED or not item.text:
            continue
        hits = {_GROUPS[m.lastgroup] for m in _ANY.finditer(item.text.lower()) if m.lastgroup}
        if _ACRONYMS.search(item.text):
            hits.add("specialty")
        if any(ev.reason.startswith(_PLACE_REASONS) or ev.reason.startswith("names your") for ev in f.verdict.evidence) or (
                city and city.search(item.text)):
            hits.add(PLACE)
        for what in sorted(hits, key=list(found).index):
            e = found[what]
            e.count += 1
            if len(e.examples) < 3:
                e.examples.append((item.key, excerpt(item.text)))
    return [e for e in found.values() if e.count]


def views(result: ScanResult, findings: Sequence[Finding] | None = None) -> list[AccountView]:
    findings = result.findings if findings is None else findings
    patients = likely_patients(findings)
    out = []
    for account in result.accounts:
        own = [f for f in findings if f.item.platform == account.platform]
        kinds: Counter[str] = Counter(str(f.item.kind) for f in own)
        flagged: Counter[str] = Counter(str(f.item.kind) for f in own if f.verdict.flags)
        dates = sorted(f.item.created_at for f in own if f.item.created_at)
        relations = Counter(c.relation for c in account.connections)
        connected = {c.name.lower(): c.relation for c in account.connections}
        out.append(AccountView(
            platform=str(account.platform),
            name=account.info.username or account.info.display_name or "unknown owner",
            layout=account.layout,
            inputs=account.inputs,
            visibility=visibility(account, own),
            kinds=[(k, n, flagged.get(k, 0)) for k, n in kinds.most_common()],
            first=dates[0].strftime("%Y-%m-%d") if dates else "",
            last=dates[-1].strftime("%Y-%m-%d") if dates else "",
            connections=relations.most_common(),
            patients=[{**p, "connected": connected.get(p["name"].lower(), "")} for p in patients
                      if p["platform"] == str(account.platform)],
            exposure=exposure(own, account.info.location, (*result.context.workplaces, *result.context.units, *result.context.places)),
        ))
    return out
