"""Write a scan's outputs: report.html, checklist.md/.html, findings.csv/.jsonl and deleter files.

The report carries the flagged items as a JSON data island and draws them on
demand, 50 to a page, so an archive of 200,000 items still opens fast; items
nobody needs to look at stay in findings.csv. Post text is untrusted: the
island escapes every character that could end the script element, the page
script builds DOM with textContent only, and a strict Content-Security-Policy
(hashes of the page's own script and style, nothing else) backs both up.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import os
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from audit.model import CATEGORIES, CATEGORY_TITLES, Evidence, Finding, Media
from audit.pipeline import MediaCheck, ScanResult, gc_paused, risk_order
from audit.state import DISMISSED, Decision
from reports import accounts, clock, timeline
from reports.beside import beside, can_fork
from reports.checklist import account_steps, write_checklist, write_checklist_html
from reports.deleters import deleter_paths, write_deleters
from reports.island import Island, learned_intro, script_json
from reports.links import sheet_row

CSV_FIELDS = (
    "platform", "kind", "item_id", "created_at", "text", "url", "risk", "flags", "action", "source",
    "audience", "account", "counterpart", "summary",
    *[f"score_{c}" for c in CATEGORIES],
    "decision",
)
PAGE_SIZE = 50
# Past this many flagged items the rest (lowest risk) are only in findings.csv, so the page stays openable.
MAX_EMBEDDED = 50_000
MEDIA_ROWS = 500  # files not checked listed in the page; all of them are in findings.jsonl


def environment() -> Environment:
    env = Environment(loader=PackageLoader("reports", "templates"), autoescape=select_autoescape(["html", "j2"]))
    env.globals.update(CATEGORIES=CATEGORIES, TITLES=CATEGORY_TITLES, learned_intro=learned_intro)
    env.filters["basename"] = lambda p: os.path.basename(str(p).rstrip("/"))
    return env


def iso(moment: datetime | None) -> str:
    """UTC to the second, as `2019-03-02T03:14:00Z` (isoformat is a third faster than strftime)."""
    if moment is None:
        return ""
    return (moment if moment.tzinfo is UTC else moment.astimezone(UTC)).isoformat(timespec="seconds")[:19] + "Z"


def write_all(result: ScanResult, out: Path, *, decisions: dict[str, Decision] | None = None,
              redact: bool = False, in_app: bool = False) -> dict[str, Path]:
    """Every output of one scan; `decisions` are the stored ones, already copied onto the findings.

    `in_app`: written for the web app's downloads, whose readers have no output folder to name in a command.
    """
    with gc_paused():
        return _write_all(result, out, decisions or {}, redact, in_app)


def _write_all(result: ScanResult, out: Path, decisions: dict[str, Decision], redact: bool, in_app: bool) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "report": out / "report.html",
        "checklist": out / "checklist.md",
        "checklist_html": out / "checklist.html",
        "csv": out / "findings.csv",
        "jsonl": out / "findings.jsonl",
    }
    if redact:
        paths["redacted"] = out / "report-redacted.html"

    def pages() -> None:
        write_html(result, paths["report"], decisions, in_app=in_app)
        write_checklist_html(result, paths["checklist_html"])
        write_deleters(result.findings, out, _private_open, clock.zone(result))
        if redact:
            _write_redacted(result, paths["redacted"], decisions)

    # The pages and the data files take about as long each on a large scan: one is written beside the other.
    wait = beside(pages, can_fork(len(result.findings)))
    write_csv(result, paths["csv"])
    write_jsonl(result, paths["jsonl"])
    write_checklist(result, paths["checklist"], in_app=in_app)
    wait()
    paths.update(deleter_paths(result.findings, out))
    return paths


def _write_redacted(result: ScanResult, path: Path, decisions: dict[str, Decision]) -> None:
    from reports.redact import redact as redacted

    masked = redacted(result)
    views = accounts.views(masked)
    # Who wrote to the user is worked out on the real names (redaction makes everyone "[person]"),
    # then numbered; the examples come from the redacted text.
    for view, full in zip(views, accounts.views(result), strict=True):
        view.patients = full.patients
    write_html(masked, path, decisions, redacted=True, views=views)


def write_csv(result: ScanResult, path: Path) -> None:
    with _private_open(path, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_FIELDS)
        for f in result.findings:
            writer.writerow(sheet_row(_row(f)))


def _row(f: Finding) -> list[Any]:
    item, v = f.item, f.verdict
    return [
        item.platform, item.kind, item.item_id, iso(item.created_at), item.text, item.url or "", v.risk,
        ";".join(v.flags), f.action, item.source, item.audience, item.account or "", item.counterpart or "", v.summary,
        *[f"{v.scores[c]:.3f}" for c in CATEGORIES],
        f.decision or "",
    ]


def evidence_json(evidence: Sequence[Evidence]) -> list[dict[str, Any]]:
    """Evidence as `findings.jsonl` and `backscroll classify` give it."""
    return [{"category": e.category, "start": e.start, "end": e.end, "text": e.text, "reason": e.reason, "learned": e.learned}
            for e in evidence]


def media_json(media: Sequence[Media]) -> list[dict[str, Any]]:
    """Photo and video references as `findings.jsonl` gives them."""
    return [{"uri": m.uri, "kind": m.kind, "latitude": m.latitude, "longitude": m.longitude} for m in media]


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
        "decision": f.decision,
        "summary": v.summary,
        "evidence": evidence_json(v.evidence),
        "media": media_json(item.media),
    }


# One encoder for every line: json.dumps with options builds a new one per call.
_JSON = json.JSONEncoder(ensure_ascii=False)
_STR = json.encoder.encode_basestring  # the encoder's own string escaping (ensure_ascii=False)


def _js(value: str | None) -> str:
    return "null" if value is None else _STR(value)


def finding_line(f: Finding) -> str:
    """`finding_json(f)` encoded, byte for byte, without building the dict: a third of the JSONL time
    on 200,000 items. Lists and nested objects, rare on unflagged items, go through the encoder."""
    item, v = f.item, f.verdict
    scores = ", ".join(f"{_STR(c)}: {s!r}" for c, s in v.scores.items())
    evidence = _JSON.encode(evidence_json(v.evidence)) if v.evidence else "[]"
    media = _JSON.encode(media_json(item.media)) if item.media else "[]"
    return (f'{{"type": "item", "key": {_STR(item.key)}, "platform": {_STR(str(item.platform))}, '
            f'"kind": {_STR(str(item.kind))}, "item_id": {_STR(item.item_id)}, "created_at": {_STR(iso(item.created_at))}, '
            f'"text": {_STR(item.text)}, "url": {_js(item.url)}, "audience": {_STR(str(item.audience))}, '
            f'"account": {_js(item.account)}, "counterpart": {_js(item.counterpart)}, "source": {_STR(item.source)}, '
            f'"risk": {v.risk!r}, "flags": [{", ".join(_STR(c) for c in v.flags)}], "scores": {{{scores}}}, '
            f'"action": {_STR(f.action)}, "decision": {_js(f.decision)}, "summary": {_STR(v.summary)}, '
            f'"evidence": {evidence}, "media": {media}}}')


def write_jsonl(result: ScanResult, path: Path) -> None:
    with _private_open(path) as fh:
        for f in result.findings:
            fh.write(finding_line(f) + "\n")
        for account in result.accounts:
            for ledger in account.ledgers.values():
                fh.write(_JSON.encode({
                    "type": "file",
                    "platform": str(account.platform),
                    "source": ledger.source,
                    "records": ledger.records,
                    "imported": ledger.imported,
                    "skipped": dict(ledger.skipped),
                    "errors": dict(ledger.errors),
                }) + "\n")
        if result.media is not None:
            for line in media_lines(result.media):
                fh.write(_JSON.encode(line) + "\n")


def media_lines(media: MediaCheck) -> list[dict[str, Any]]:
    """findings.jsonl's account of `--media`: what it checked, the checkers it went without, each file not checked and why."""
    head = {"type": "media", "items": media.items, "files": media.files, "flagged": media.flagged,
            "unavailable": list(media.unavailable), "not_checked": len(media.unchecked)}
    return [head, *({"type": "media_file", "key": f.key, "uri": f.uri, "member": f.member, "reasons": list(f.reasons)}
                    for f in media.unchecked)]


def needs_look(f: Finding) -> bool:
    """Items the report shows: flagged, borderline, or already decided."""
    return bool(f.verdict.flags) or f.action != "keep" or f.decision is not None


def report_order(f: Finding) -> tuple[bool, int, float]:
    """Dismissed items last; then highest risk, oldest first (as the pipeline sorts)."""
    return (f.decision in DISMISSED, *risk_order(f))


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
        "by_decision": Counter(f.decision for f in findings if f.decision),
        "by_year": sorted(Counter(f.item.created_at.year for f in flagged if f.item.created_at).items()),
        "by_kind": Counter(str(f.item.kind) for f in flagged),
    }


def report_id(result: ScanResult) -> str:
    """Names the page's saved decisions in the browser, the same for every re-scan of the same accounts."""
    owners = sorted(f"{a.platform}:{a.info.user_id or a.info.username or ''}" for a in result.accounts)
    return hashlib.sha256("|".join(owners).encode()).hexdigest()[:16]


def csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode() + "'"


def island_data(result: ScanResult, decisions: dict[str, Decision], redacted: bool) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    shown = sorted((f for f in result.findings if needs_look(f)), key=report_order)
    embedded = shown[:MAX_EMBEDDED]
    island = Island(clock.zone(result))
    records = [island.record(f, decisions.get(f.item.key)) for f in embedded]
    data = {
        "id": report_id(result) + ("-redacted" if redacted else ""),
        "cats": list(CATEGORIES),
        "titles": [CATEGORY_TITLES[c] for c in CATEGORIES],
        "learned": [learned_intro(c) for c in CATEGORIES],
        "reasons": island.reasons,
        "total": len(result.findings),
        "more": len(shown) - len(embedded),
        "redacted": redacted,
        "items": records,
    }
    return data, records


def write_html(result: ScanResult, path: Path, decisions: dict[str, Decision] | None = None, *, redacted: bool = False,
               app_links: list[tuple[str, str]] | None = None, views: list[accounts.AccountView] | None = None,
               in_app: bool = False) -> None:
    """`app_links` ((href, label) for a nav bar) makes the copy the local web app serves: its buttons
    save decisions to the app (fetch to 'self') instead of the browser; None writes the static file."""
    decisions = decisions or {}
    env = environment()
    data, records = island_data(result, decisions, redacted)
    if app_links is not None:
        data["served"] = True
    script = _raw(env, "report.js")
    style = _raw(env, "report.css")
    views = views if views is not None else accounts.views(result)
    if redacted:
        for view in views:
            for n, p in enumerate(view.patients, 1):
                p.update(name=f"[person {n}]", connected=p["connected"] and "yes", example="[withheld in the redacted report]")
    html = env.get_template("report.html").generate(
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        shown=clock.shown,
        result=result,
        summary=summary(result),
        first_page=records[:PAGE_SIZE],
        data=data,
        island=script_json(data),
        reasons=data["reasons"],
        timeline=timeline.build(result.findings, clock.zone(result)),
        accounts=views,
        steps={str(a.platform): account_steps(a, result.findings) for a in result.accounts},
        script=script,
        style=style,
        csp=f"default-src 'none'; script-src {csp_hash(script)}; style-src {csp_hash(style)}; "
            f"img-src {'data:' if any('g' in r for r in records) else chr(39) + 'none' + chr(39)}; "
            "base-uri 'none'; form-action 'none'" + ("; connect-src 'self'" if app_links is not None else ""),
        redacted=redacted,
        media=result.media,
        media_rows=MEDIA_ROWS,
        page_size=PAGE_SIZE,
        # A copy the app serves is in the app too: its readers have no folder to name and cannot use a flag.
        out_dir=None if in_app or app_links is not None else str(path.parent),
        app_links=app_links,
    )
    with _private_open(path) as fh:
        fh.writelines(html)  # streamed: the page is never held whole in memory


def _raw(env: Environment, name: str) -> str:
    """The page's own script and style, verbatim: their CSP hashes must match byte for byte."""
    assert env.loader is not None
    return env.loader.get_source(env, name)[0]


def _private_open(path: Path, newline: str | None = None):  # type: ignore[no-untyped-def]
    """Outputs hold sensitive text: readable by the owner only (0600), never through a planted symlink.

    The mode is set on the open file too, because O_CREAT's mode applies only to
    a new file and one already in the folder keeps whatever mode it had.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    if hasattr(os, "fchmod"):
        os.fchmod(fd, 0o600)
    return os.fdopen(fd, "w", encoding="utf-8", newline=newline)
