"""Write a scan's outputs: report.html, checklist.md, findings.csv, findings.jsonl.

The HTML is rendered by Jinja2 with autoescaping on: post text is untrusted,
and a post that says `<script>` must show as text. The page carries its own
CSS and a little script, and loads nothing from anywhere.
"""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from audit.model import CATEGORIES, CATEGORY_TITLES, Finding, Kind
from audit.pipeline import ScanResult
from reports.checklist import ACCOUNT_STEPS, write_checklist

CSV_FIELDS = (
    "platform", "kind", "item_id", "created_at", "text", "url", "risk", "flags", "action", "source",
    "audience", "account", "counterpart", "summary",
    *[f"score_{c}" for c in CATEGORIES],
)
# The page stays fast on a laptop: items past this are in findings.csv.
MAX_RENDERED = 3000


def environment() -> Environment:
    env = Environment(loader=PackageLoader("reports", "templates"), autoescape=select_autoescape(["html", "j2"]))
    env.globals.update(CATEGORIES=CATEGORIES, TITLES=CATEGORY_TITLES)
    env.filters["basename"] = lambda p: os.path.basename(str(p).rstrip("/"))
    return env


def iso(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def write_all(result: ScanResult, out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "report": out / "report.html",
        "checklist": out / "checklist.md",
        "csv": out / "findings.csv",
        "jsonl": out / "findings.jsonl",
    }
    write_csv(result, paths["csv"])
    write_jsonl(result, paths["jsonl"])
    write_checklist(result, paths["checklist"])
    write_html(result, paths["report"])
    return paths


def write_csv(result: ScanResult, path: Path) -> None:
    with _private_open(path, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_FIELDS)
        for f in result.findings:
            writer.writerow(_row(f))


def _row(f: Finding) -> list[Any]:
    item, v = f.item, f.verdict
    return [
        item.platform, item.kind, item.item_id, iso(item.created_at), item.text, item.url or "", v.risk,
        ";".join(v.flags), f.action, item.source, item.audience, item.account or "", item.counterpart or "", v.summary,
        *[f"{v.scores[c]:.3f}" for c in CATEGORIES],
    ]


def finding_json(f: Finding) -> dict[str, Any]:
    item, v = f.item, f.verdict
    return {
        "type": "item",
        "key": item.key,
        "platform": str(item.platform),
        "kind": str(item.kind),
        "item_id": item.item_id,
        "created_at": iso(item.created_at),
        "text": item.text,
        "url": item.url,
        "audience": str(item.audience),
        "account": item.account,
        "counterpart": item.counterpart,
        "source": item.source,
        "risk": v.risk,
        "flags": list(v.flags),
        "scores": v.scores,
        "action": f.action,
        "summary": v.summary,
        "evidence": [{"category": e.category, "start": e.start, "end": e.end, "text": e.text, "reason": e.reason} for e in v.evidence],
        "media": [{"uri": m.uri, "kind": m.kind, "latitude": m.latitude, "longitude": m.longitude} for m in item.media],
    }


def write_jsonl(result: ScanResult, path: Path) -> None:
    with _private_open(path) as fh:
        for f in result.findings:
            fh.write(json.dumps(finding_json(f), ensure_ascii=False) + "\n")
        for account in result.accounts:
            for ledger in account.ledgers.values():
                fh.write(json.dumps({
                    "type": "file",
                    "platform": str(account.platform),
                    "source": ledger.source,
                    "records": ledger.records,
                    "imported": ledger.imported,
                    "skipped": dict(ledger.skipped),
                    "errors": dict(ledger.errors),
                }, ensure_ascii=False) + "\n")


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    reason: str | None = None
    category: str | None = None


def segments(f: Finding) -> list[Segment]:
    """The text cut into plain runs and highlighted evidence spans (overlaps: first wins)."""
    text = f.item.text
    out: list[Segment] = []
    at = 0
    for ev in sorted(f.verdict.evidence, key=lambda e: (e.start, -e.end)):
        if ev.start < at or ev.end > len(text):
            continue
        if ev.start > at:
            out.append(Segment(text[at:ev.start]))
        out.append(Segment(text[ev.start:ev.end], ev.reason, ev.category))
        at = ev.end
    if at < len(text):
        out.append(Segment(text[at:]))
    return out


def summary(result: ScanResult) -> dict[str, Any]:
    findings = result.findings
    flagged = [f for f in findings if f.verdict.flags]
    return {
        "items": len(findings),
        "flagged": len(flagged),
        "by_category": {c: sum(c in f.verdict.flags for f in findings) for c in CATEGORIES},
        "by_platform": Counter(str(f.item.platform) for f in findings),
        "flagged_by_platform": Counter(str(f.item.platform) for f in flagged),
        "by_action": Counter(f.action for f in findings),
        "by_year": sorted(Counter(f.item.created_at.year for f in flagged if f.item.created_at).items()),
        "by_kind": Counter(str(f.item.kind) for f in flagged),
    }


def likely_patients(result: ScanResult) -> list[dict[str, Any]]:
    """People who sent the owner messages that read like health questions or reveal care."""
    people: dict[str, dict[str, Any]] = {}
    for f in result.findings:
        item = f.item
        if item.kind != Kind.DM_RECEIVED or not item.counterpart:
            continue
        scores = f.verdict.scores
        if not (f.verdict.flags or scores["medical_advice"] >= 0.4 or scores["patient_reference"] >= 0.4):
            continue
        entry = people.setdefault(f"{item.platform}:{item.counterpart}", {
            "platform": str(item.platform), "name": item.counterpart, "messages": 0, "example": item.text, "url": item.url,
        })
        entry["messages"] += 1
    return sorted(people.values(), key=lambda p: -p["messages"])


def write_html(result: ScanResult, path: Path) -> None:
    env = environment()
    shown = [f for f in result.findings if f.verdict.flags or f.action != "keep"][:MAX_RENDERED]
    html = env.get_template("report.html").render(
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        result=result,
        summary=summary(result),
        shown=shown,
        hidden=max(0, sum(1 for f in result.findings if f.verdict.flags or f.action != "keep") - len(shown)),
        segments=segments,
        iso=iso,
        patients=likely_patients(result),
        steps=ACCOUNT_STEPS,
    )
    with _private_open(path) as fh:
        fh.write(html)


def _private_open(path: Path, newline: str | None = None):  # type: ignore[no-untyped-def]
    """Outputs hold sensitive text: readable by the owner only (0600) where the OS allows."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return os.fdopen(fd, "w", encoding="utf-8", newline=newline)
