"""Run the photo checks on a finished scan and fold what they find into its findings.

Each account's inputs are opened again, read in place, so the import path stays
the same with or without `--media`; only the files that items point to are read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from audit.archive import Archive
from audit.classifier import load_classifier
from audit.context import Context
from audit.media.analyse import analyse_media
from audit.media.findings import MediaFinding
from audit.pipeline import ScanResult, risk_order
from audit.triage import DELETE_AT

Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True, slots=True)
class MediaSummary:
    items: int
    files: int
    flagged: int
    notes: tuple[str, ...]


def attach_media(
    result: ScanResult,
    context: Context,
    *,
    ocr: bool,
    workplace_location: tuple[float, float, float] | None = None,
    progress: Progress | None = None,
) -> MediaSummary:
    """Analyse every item's photos and videos; raise risk and action where they give something away."""
    classifier = load_classifier(context)
    found: dict[str, MediaFinding] = {}
    for account in result.accounts:
        mine = [f for f in result.findings if f.item.platform == account.platform and f.item.media]
        if not mine:
            continue
        with Archive(account.inputs) as archive:
            found.update(analyse_media(archive, [f.item for f in mine], ocr=ocr, classifier=classifier,
                                       workplace_location=workplace_location, progress=progress,
                                       verdicts={f.item.key: f.verdict for f in mine}))
    for f in result.findings:
        media = found.get(f.item.key)
        if media is None:
            continue
        f.media = media
        if media.risk > f.verdict.risk:
            f.verdict = replace(f.verdict, risk=media.risk, summary=f.verdict.summary or media.summary)
        if media.action and f.action in ("keep", "lock"):
            f.action = "delete" if media.risk >= DELETE_AT else "review"
    result.findings.sort(key=risk_order)
    notes = tuple(sorted({n.split(": ", 1)[-1] for m in found.values() for n in m.notes}))
    return MediaSummary(
        items=len(found),
        files=sum(len(m.files) for m in found.values()),
        flagged=sum(1 for m in found.values() if m.evidence),
        notes=notes,
    )
