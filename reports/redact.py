"""A copy of the scan with identifiers masked, for a report that can be shown to a mentor.

Only spans backscroll recognised as identifiers are masked ("52M" becomes
"[age + sex]", "bed 7" becomes "[bed/room]"), in every post, flagged or not,
plus the names you gave backscroll, other people's @handles and the names of
people who sent messages. What the rules missed stays visible, so the page
still says to read it before sharing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace

from audit.model import Evidence, Finding, Item, Kind, Verdict
from audit.pipeline import ScanResult
from audit.rules import CONTEXT_RULE, RULES, compile_context, find_evidence, fired

# reason text -> label, for the rules that find identifiers
_LABELS: dict[str, str] = {r.reason: r.label for r in RULES if r.identifier}
_IDENTIFYING = frozenset(r.name for r in (*RULES, CONTEXT_RULE) if r.identifier)
PERSON = "[person]"
HANDLE = "[@handle]"
_HANDLE = re.compile(r"(?<![\w@])@\w(?:[\w.]{0,28}\w)?")  # Instagram handles hold dots, never at the end
# Meta names each conversation's folder after the other person: messages/inbox/<name>_<id>/message_1.json
_THREAD = re.compile(r"(?<=messages/)([a-z_0-9]+/)([^/]+)(?=/)")


def label_for(ev: Evidence) -> str | None:
    """The mask for an identifier span, or None for wording that is not an identifier."""
    if ev.reason in _LABELS:
        return f"[{_LABELS[ev.reason]}]"
    if ev.reason.startswith("names ") and "identifies you" in ev.reason:
        what = ev.reason[len("names "):].split(",")[0].replace("your ", "").replace("a ", "", 1)
        return f"[{what}]"
    return None


def redact_finding(f: Finding, found: Sequence[Evidence] = (), own: Collection[str] = ()) -> Finding:
    """Replace identifier spans in the text and move every other evidence span to its new place.

    `found` adds identifiers the verdict does not show (a colleague's name in a post
    flagged only for venting); `own` are the owner's handles, the only ones kept.
    """
    text = f.item.text
    spans = [(ev.start, ev.end, label) for ev in (*f.verdict.evidence, *found) if (label := label_for(ev))]
    spans += [(m.start(), m.end(), HANDLE) for m in _HANDLE.finditer(text) if m.group(0)[1:].lower() not in own]
    masks: list[tuple[int, int, str]] = []
    for start, end, label in sorted(spans, key=lambda s: (s[0], -s[1])):
        if end > len(text) or end <= start:
            continue
        if masks and start < masks[-1][1]:  # overlaps the previous mask: widen it
            s, e, lab = masks[-1]
            masks[-1] = (s, max(e, end), lab)
            continue
        masks.append((start, end, label))
    pieces: list[str] = []
    at = 0
    shift: list[tuple[int, int, int, int]] = []  # old start, old end, new start, new end
    out_len = 0
    for start, end, label in masks:
        pieces.append(text[at:start])
        out_len += start - at
        shift.append((start, end, out_len, out_len + len(label)))
        pieces.append(label)
        out_len += len(label)
        at = end
    pieces.append(text[at:])
    new_text = "".join(pieces)

    def move(pos: int) -> int:
        """Where an offset of the original text lands; inside a mask it moves to the mask's end."""
        delta = 0
        for s, e, _ns, ne in shift:
            if pos >= e:
                delta = ne - e
            elif pos > s:
                return ne
            else:
                break
        return pos + delta

    evidence = []
    for ev in f.verdict.evidence:
        if ev.end > len(text):
            continue
        mask = next(((ns, ne) for s, e, ns, ne in shift if s <= ev.start and ev.end <= e), None)
        if mask:
            evidence.append(replace(ev, start=mask[0], end=mask[1], text=new_text[mask[0]:mask[1]]))
            continue
        start, end = move(ev.start), move(ev.end)
        if end > start:
            evidence.append(replace(ev, start=start, end=end, text=new_text[start:end]))
    item: Item = replace(f.item, text=new_text, counterpart=PERSON if f.item.counterpart else None)
    if item.kind in (Kind.DM, Kind.DM_RECEIVED):
        item = replace(item, url=None)  # an X conversation link holds the other person's account id
    verdict: Verdict = replace(f.verdict, evidence=tuple(evidence))
    # Photos and the text read from them are left out: they are what needs hiding.
    return Finding(item, verdict, f.action, f.decision, media=None)


def identifiers(result: ScanResult) -> Callable[[str], list[Evidence]]:
    """Every identifier the rules find in a text, the scan's own names included, whatever the verdict kept."""
    terms, compiled = compile_context(result.context)

    def find(text: str) -> list[Evidence]:
        names = fired(text, compiled)
        if names.isdisjoint(_IDENTIFYING):
            return []
        return [ev for rule, ev in find_evidence(text, terms, compiled, only=names) if rule.identifier]
    return find


def thread_names() -> Callable[[str], str]:
    """A file name with its conversation folder numbered instead of named, the same number for the same folder."""
    numbers: dict[str, int] = {}

    def number(m: re.Match[str]) -> str:
        return f"{m.group(1)}[conversation {numbers.setdefault(m.group(2), len(numbers) + 1)}]"
    return lambda source: _THREAD.sub(number, source)


def redact(result: ScanResult) -> ScanResult:
    """Every finding redacted; the owner's own handle is kept (it is not a patient identifier)."""
    find = identifiers(result)
    own = {a.info.username.lower() for a in result.accounts if a.info.username}
    rename = thread_names()
    accounts = [replace(a, ledgers={rename(k): replace(v, source=rename(v.source)) for k, v in a.ledgers.items()})
                for a in result.accounts]
    findings = []
    for f in result.findings:
        masked = redact_finding(f, find(f.item.text), own)
        findings.append(replace(masked, item=replace(masked.item, source=rename(masked.item.source))))
    # A message's photo is filed under the conversation's folder, named after the other person.
    media = result.media and replace(result.media, unchecked=tuple(
        u._replace(uri=rename(u.uri), member=u.member and rename(u.member)) for u in result.media.unchecked))
    return ScanResult(accounts, findings, result.context, media)
