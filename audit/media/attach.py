"""Run the photo checks on a finished scan and fold what they find into its findings.

Each account's inputs are opened again, read in place, so the import path stays
the same with or without `--media`; only the files that items point to are read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from audit.archive import Archive
from audit.classifier import load_classifier
from audit.context import Context
from audit.media import ocr as ocr_mod
from audit.media import video
from audit.media.analyse import analyse_media
from audit.media.findings import MediaFinding
from audit.model import CATEGORIES, Finding
from audit.pipeline import MediaCheck, ScanResult, UncheckedFile, risk_order
from audit.triage import recommend
from reports import clock

Progress = Callable[[str, int, int | None], None]
# How strong an action is: what a photo gives away can only make an item's action stronger.
STRENGTH = {"keep": 0, "review": 1, "lock": 2, "delete": 3}


def attach_media(
    result: ScanResult,
    context: Context,
    *,
    ocr: bool,
    workplace_location: tuple[float, float, float] | None = None,
    progress: Progress | None = None,
) -> MediaCheck:
    """Analyse every item's photos and videos; raise risk, flags and action where they give something away.

    What could not be checked (a file missing or unreadable, OCR or ffmpeg unavailable) goes on `result.media`
    for the report and findings.jsonl: a scan that skipped a file must not read as having cleared it.
    """
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
    files = [(key, f) for key, m in found.items() for f in m.files]
    result.media = MediaCheck(
        items=len(found),
        files=len(files),
        flagged=sum(1 for m in found.values() if m.evidence),
        unavailable=unavailable(ocr, photos=any(f.kind == "photo" for _, f in files), videos=any(f.kind == "video" for _, f in files)),
        unchecked=tuple(UncheckedFile(key, f.uri, f.member, f.notes) for key, f in files if f.notes),
    )
    return result.media


def unavailable(ocr: bool, *, photos: bool, videos: bool) -> tuple[str, ...]:
    """The checkers this scan went without, said once for the whole report rather than only on the files it affected."""
    out = []
    if photos and not ocr:
        out.append("OCR was turned off: text in photos was not read.")
    elif photos and ocr_mod.tesseract_path() is None:
        out.append("Tesseract is not installed (Debian: apt-get install tesseract-ocr): text in photos was not read.")
    if videos and video.decoder() is None:
        out.append("ffmpeg is not installed: no frame of any video was looked at, only captions and metadata.")
    return tuple(out)


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
    said = media.summary if "photo" in media.summary else f"photo: {media.summary}"
    summary = v.summary if said in v.summary else "; ".join(p for p in (v.summary, said) if p)
    f.verdict = replace(v, flags=tuple(c for c in CATEGORIES if c in v.flags or c in media.flags), scores=scores,
                        risk=max(v.risk, media.risk), evidence=v.evidence + shown, summary=summary)
    wanted = max(recommend(f.item, f.verdict), "review", key=STRENGTH.__getitem__)
    if STRENGTH[wanted] > STRENGTH.get(f.action, 0):
        f.action = wanted
