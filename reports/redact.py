"""A copy of the scan with identifiers masked, for a report that can be shown to a mentor.

Only spans backscroll recognised as identifiers are masked ("52M" becomes
"[age + sex]", "bed 7" becomes "[bed/room]"), plus the names of people who
sent messages. What the rules missed stays visible, so the page still says
to read it before sharing.
"""

from __future__ import annotations

from dataclasses import replace

from audit.model import Evidence, Finding, Item, Verdict
from audit.pipeline import ScanResult
from audit.rules import RULES

# reason text -> label, for the rules that find identifiers
_LABELS: dict[str, str] = {r.reason: r.label for r in RULES if r.identifier}
PERSON = "[person]"


def label_for(ev: Evidence) -> str | None:
    """The mask for an identifier span, or None for wording that is not an identifier."""
    if ev.reason in _LABELS:
        return f"[{_LABELS[ev.reason]}]"
    if ev.reason.startswith("names ") and "identifies you" in ev.reason:
        what = ev.reason[len("names "):].split(",")[0].replace("your ", "").replace("a ", "", 1)
        return f"[{what}]"
    return None


def redact_finding(f: Finding) -> Finding:
    """Replace identifier spans in the text and move every other evidence span to its new place."""
    text = f.item.text
    masks: list[tuple[int, int, str]] = []
    for ev in sorted(f.verdict.evidence, key=lambda e: (e.start, -e.end)):
        label = label_for(ev)
        if label is None or ev.end > len(text) or ev.end <= ev.start:
            continue
        if masks and ev.start < masks[-1][1]:  # overlaps the previous mask: widen it
            s, e, lab = masks[-1]
            masks[-1] = (s, max(e, ev.end), lab)
            continue
        masks.append((ev.start, ev.end, label))
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
    verdict: Verdict = replace(f.verdict, evidence=tuple(evidence))
    # Photos and the text read from them are left out: they are what needs hiding.
    return Finding(item, verdict, f.action, f.decision, media=None)


def redact(result: ScanResult) -> ScanResult:
    """Every finding redacted; accounts are kept (the clinician's own handle is not a patient identifier)."""
    return ScanResult(result.accounts, [redact_finding(f) for f in result.findings])
