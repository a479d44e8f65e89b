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
from audit.model import CATEGORIES, Finding
from audit.pipeline import ScanResult, risk_order
from audit.triage import recommend
from reports import clock

Progress = Callable[[str, int, int | None], None]
# How strong an action is: what a photo gives away can only make an item's action stronger.
STRENGTH = {"keep": 0, "review": 1, "lock": 2, "delete": 3}


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
    """Analyse every item's photos and videos; raise risk, flags and action where they give something away."""
    classifier = load_classifier(context)
    found: dict[str, MediaFinding] = {}
    for account in result.accounts:
        mine = [f for f in result.findings if f.item.platform == account.platform and f.item.media]
        if not mine:
            continue
        with Archive(account.inputs) as archive:
            found.update(analyse_media(archive, [f.item for f in mine], ocr=ocr, classifier=classifier,
                                       workplace_location=workplace_location, progress=progress,
                                       verdicts={f.item.key: f.verdict for f in mine}, zone=clock.zone(result)))
    for f in result.findings:
        media = found.get(f.item.key)
        if media is not None:
            fold(f, media)
    result.findings.sort(key=risk_order)
    notes = tuple(sorted({n.split(": ", 1)[-1] for m in found.values() for n in m.notes}))
    return MediaSummary(
        items=len(found),
        files=sum(len(m.files) for m in found.values()),
        flagged=sum(1 for m in found.values() if m.evidence),
        notes=notes,
    )


def fold(f: Finding, media: MediaFinding) -> None:
    """Put what the photos give away into the item's verdict and action, as if the post's words had said it.

    A picture showing a patient's details flags the item for it, with that evidence (span-less: it points
    into no post text), and the action follows the same rule as for text; anything a photo gives away
    (where, when, a screen) makes the item at least one to look at again, so no finding is left out of
    the report and the checklist.
    """
    f.media = media
    if not media.evidence:
        return
    v = f.verdict
    scores = dict(v.scores)
    for category in media.flags:
        scores[category] = max(scores.get(category, 0.0), media.risk / 100)
    shown = tuple(replace(e, start=0, end=0, text="") for e in media.shows)
    summary = v.summary if media.summary in v.summary else "; ".join(p for p in (v.summary, f"photo: {media.summary}") if p)
    f.verdict = replace(v, flags=tuple(c for c in CATEGORIES if c in v.flags or c in media.flags), scores=scores,
                        risk=max(v.risk, media.risk), evidence=v.evidence + shown, summary=summary)
    wanted = max(recommend(f.item, f.verdict), "review", key=STRENGTH.__getitem__)
    if STRENGTH[wanted] > STRENGTH.get(f.action, 0):
        f.action = wanted
