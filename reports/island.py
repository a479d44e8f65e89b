"""The report's data island: flagged items as JSON inside <script type="application/json">.

The page draws items from this data on demand, so a 200,000-item archive
does not mean 200,000 DOM nodes. Post text is hostile input: every `<`, `>`
and `&` is written as a JSON escape, so no post can close the script element
or open a comment, and U+2028/2029 are escaped for old JavaScript parsers.
"""

from __future__ import annotations

import json
from datetime import tzinfo
from typing import Any

from audit.model import CATEGORIES, CATEGORY_TITLES, Finding
from audit.state import Decision
from reports import clock
from reports.links import item_url

_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def script_json(data: Any) -> str:
    """JSON that is safe verbatim between <script type="application/json"> and </script>."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_ESCAPES)


def learned_intro(category: str) -> str:
    """Heads the learned words of one category: weaker evidence than a rule's, and said so."""
    return f"Words the model links with {CATEGORY_TITLES[category].lower()} (learned from examples, not a specific finding):"


def segments(f: Finding) -> list[tuple[str, int, int] | str]:
    """The text as plain runs and (span, category index, evidence index) highlights.

    Highlights cannot overlap. A rule's span wins over learned wording it overlaps, so the
    specific reason (a bed number, a slur) is the one highlighted; among spans of the same
    kind the earlier wins. The evidence list itself keeps every span.
    """
    text = f.item.text
    evidence = f.verdict.evidence
    order = sorted(range(len(evidence)), key=lambda i: (evidence[i].learned, evidence[i].start, -evidence[i].end))
    taken: list[tuple[int, int]] = []
    chosen: list[int] = []
    for i in order:
        ev = evidence[i]
        if ev.start < 0 or ev.end > len(text) or ev.end <= ev.start:
            continue
        if any(start < ev.end and ev.start < end for start, end in taken):
            continue
        taken.append((ev.start, ev.end))
        chosen.append(i)
    out: list[tuple[str, int, int] | str] = []
    at = 0
    for i in sorted(chosen, key=lambda i: evidence[i].start):
        ev = evidence[i]
        if ev.start > at:
            out.append(text[at:ev.start])
        out.append((text[ev.start:ev.end], CATEGORIES.index(ev.category) if ev.category in CATEGORIES else 0, i))
        at = ev.end
    if at < len(text):
        out.append(text[at:])
    return out


class Island:
    """Builds the compact records; reasons are shared through one table to keep the page small."""

    def __init__(self, tz: tzinfo | None = None) -> None:
        self.tz = tz
        self.reasons: list[str] = []
        self._reason_ids: dict[str, int] = {}

    def reason(self, text: str) -> int:
        if text not in self._reason_ids:
            self._reason_ids[text] = len(self.reasons)
            self.reasons.append(text)
        return self._reason_ids[text]

    def record(self, f: Finding, decision: Decision | None) -> dict[str, Any]:
        item, v = f.item, f.verdict
        # [text, category, reason, 1 if learned]: the page shows learned wording more quietly than a rule's finding.
        why = [[ev.text, CATEGORIES.index(ev.category) if ev.category in CATEGORIES else 0, self.reason(ev.reason), int(ev.learned)]
               for ev in v.evidence]
        segs: list[Any] = []
        for s in segments(f):
            segs.append(s if isinstance(s, str) else [s[0], s[1], why[s[2]][2], why[s[2]][3]])
        rec: dict[str, Any] = {
            "k": item.key,
            "p": str(item.platform),
            "n": str(item.kind),
            "t": segs,
            "d": clock.iso(item.created_at, self.tz),
            "a": str(item.audience),
            "r": v.risk,
            "f": [CATEGORIES.index(c) for c in v.flags if c in CATEGORIES],
            "s": [round(v.scores.get(c, 0.0), 2) for c in CATEGORIES],
            "x": f.action,
            "w": why,
        }
        url = item_url(item)
        if url:
            rec["u"] = url
        if item.counterpart:
            rec["c"] = item.counterpart
        if item.likes is not None:
            rec["l"] = item.likes
        if item.shares is not None:
            rec["h"] = item.shares
        if v.summary:
            rec["m"] = v.summary
        if decision:
            rec["dc"] = decision.status
            rec["da"] = decision.decided_at
        if f.media is not None:
            rec["g"] = media_record(f.media)
        return rec


def media_record(media: Any) -> dict[str, Any]:
    """What the photo checks found, for the page: thumbnails stay blurred until clicked."""
    return {
        "s": media.summary,
        "x": media.action or "",
        "f": [
            {
                "u": f.uri,
                "th": f.thumbnail if f.thumbnail and f.thumbnail.startswith("data:image/") else "",
                "o": f.ocr_text,
                "a": f.action or "",
                "w": [ev.reason for ev in f.evidence],
                "n": list(f.notes),
            }
            for f in media.files
        ],
    }
