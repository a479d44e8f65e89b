"""Text in photos, read by Tesseract, and the photo-specific clues in it.

Tesseract runs as a subprocess (Debian's `tesseract-ocr`), fed a PNG on stdin
and answering TSV on stdout, so no image is written to disk and a hung run is
killed by its timeout. pytesseract would add a dependency that writes temp
files for what is one subprocess call here.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass

from PIL import Image, ImageOps

from audit.model import Evidence

# Tesseract's word confidence is unreliable on photos (a correctly read "Maria Lopez" scores 18), so
# only words it rejects outright are dropped; texture read as letters is filtered by its shape instead.
MIN_CONFIDENCE = 0.0
OCR_MIN_SIDE, OCR_MAX_SIDE = 1000, 2400
PATIENT = "patient_reference"


class OcrUnavailable(Exception):
    """Tesseract is not installed; media analysis goes on without reading text."""


@dataclass(frozen=True, slots=True)
class OcrResult:
    text: str
    words: int
    region: float  # share of the image inside the box around the words read


def tesseract_path() -> str | None:
    return shutil.which("tesseract")


def read_text(img: Image.Image, *, timeout: float, dark: bool = False, light_print: bool = False, lang: str = "eng") -> OcrResult:
    """Words Tesseract is confident about, line by line; raises OcrUnavailable or subprocess.TimeoutExpired.

    Sparse-text layout (--psm 11) finds text scattered about a photo but skips light print in coloured chat
    bubbles on a white page; with `light_print` (the cheap check saw such print) the automatic layout
    (--psm 3), which reads those bubbles, runs too, within the same `timeout`, and adds the lines it read.
    """
    exe = tesseract_path()
    if exe is None:
        raise OcrUnavailable("Tesseract is not installed (Debian: apt-get install tesseract-ocr)")
    prepared = prepare(img, dark=dark)
    buf = io.BytesIO()
    prepared.save(buf, "PNG", compress_level=1)
    deadline = time.monotonic() + timeout
    found = _tesseract(exe, buf.getvalue(), "11", lang, timeout, prepared.size)
    if light_print:
        found = _merge(found, _tesseract(exe, buf.getvalue(), "3", lang, max(deadline - time.monotonic(), 0.1), prepared.size))
    return found


def _tesseract(exe: str, png: bytes, psm: str, lang: str, timeout: float, size: tuple[int, int]) -> OcrResult:
    # One thread per Tesseract: its OpenMP threads fight each other and the rest of the scan.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    done = subprocess.run([exe, "stdin", "stdout", "-l", lang, "--psm", psm, "tsv"], input=png,
                          capture_output=True, timeout=timeout, env=env, check=False)
    if done.returncode != 0:
        raise OSError(f"Tesseract failed: {done.stderr.decode('utf-8', 'replace').strip()[:200]}")
    return parse_tsv(done.stdout.decode("utf-8", "replace"), size)


def _merge(first: OcrResult, second: OcrResult) -> OcrResult:
    """The first pass's lines, then the second's that the first did not read."""
    seen = set(first.text.splitlines())
    extra = [line for line in second.text.splitlines() if line not in seen]
    return OcrResult("\n".join([first.text, *extra]).strip("\n"), first.words + second.words, max(first.region, second.region))


def prepare(img: Image.Image, *, dark: bool) -> Image.Image:
    """Grey, dark text on light, 1000-2400 px on the long side: what Tesseract reads best and fastest."""
    grey = ImageOps.exif_transpose(img).convert("L")
    long_side = max(grey.size)
    if long_side < OCR_MIN_SIDE:
        factor = OCR_MIN_SIDE / long_side
        grey = grey.resize((round(grey.width * factor), round(grey.height * factor)), Image.Resampling.BICUBIC)
    elif long_side > OCR_MAX_SIDE:
        grey.thumbnail((OCR_MAX_SIDE, OCR_MAX_SIDE), Image.Resampling.LANCZOS)
    mean = sum(i * n for i, n in enumerate(grey.histogram())) / max(grey.width * grey.height, 1)
    if dark or mean < 100:  # monitors: light digits on black
        grey = ImageOps.invert(grey)
    return ImageOps.autocontrast(grey, cutoff=1)


def parse_tsv(tsv: str, size: tuple[int, int]) -> OcrResult:
    """Confident words grouped into Tesseract's lines, and how much of the image they span."""
    lines: dict[tuple[str, str, str], list[str]] = {}
    box = [size[0], size[1], 0, 0]
    count = 0
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        try:
            conf = float(cols[10])
            left, top, width, height = (int(c) for c in cols[6:10])
        except ValueError:
            continue
        word = cols[11].strip()
        if conf < MIN_CONFIDENCE or not _wordlike(word):
            continue
        lines.setdefault((cols[1], cols[2], cols[3]), []).append(word)
        box = [min(box[0], left), min(box[1], top), max(box[2], left + width), max(box[3], top + height)]
        count += 1
    text = "\n".join(" ".join(words) for words in lines.values() if _linelike(words))
    area = max(box[2] - box[0], 0) * max(box[3] - box[1], 0) / max(size[0] * size[1], 1)
    return OcrResult(text, count, round(area, 3))


def _wordlike(word: str) -> bool:
    """Mostly letters and digits: `|{~` and other texture read as print are not."""
    alnum = sum(ch.isalnum() for ch in word)
    return alnum >= 1 and alnum * 2 >= len(word)


def _linelike(words: list[str]) -> bool:
    """A line with a digit or a word of three letters; `oe`, `Se:` alone are leaves and waves read as print."""
    return any(any(ch.isdigit() for ch in w) or sum(ch.isalpha() for ch in w) >= 3 for w in words)


# Clues that only make sense on a screen, chart, whiteboard or label; each a reason a person can check.
_VITALS = re.compile(r"\b(?:HR|SpO2|Sp02|SPO2|NIBP|BP|RR|ABP|ETCO2|EtCO2|Temp|MAP|CVP|Pulse)\b[\s:]*\d{1,3}(?:/\d{2,3})?", re.IGNORECASE)
_DOB = re.compile(r"\b(?:DOB|D\.O\.B\.?|Born)\b[\s:]*\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}", re.IGNORECASE)
_MRN = re.compile(r"\b(?:MRN|MR#|Med\s?Rec|NHS|Acct|Account|CSN|FIN|Patient\s?ID|Pt\s?ID)\b[\s:#]*\d{5,12}", re.IGNORECASE)
_ROOM = re.compile(r"\b(?:Rm|Room|Bed|Bay|Cubicle)\.?\s?#?\s?\d{1,4}[A-Z]?\b", re.IGNORECASE)
_NAME = re.compile(r"\b[A-Z][a-z]{1,20},?[ \t][A-Z][a-z]{1,20}\b|\b[A-Z]{3,20},[ \t]?[A-Z]{3,20}\b|\b[A-Z]\.[ \t]?[A-Z][a-z]{1,20}\b")
_CHART = re.compile(r"\b(?:Allerg(?:y|ies)|Diagnosis|Dx|NPO|DNR|DNAR|Code Status|Fall Risk|Isolation|Admit(?:ted)?|Discharge|"
                    r"Meds?|Attending|MD|RN|Triage|Acuity|Chief Complaint|Specimen|Collected)\b")
_NOT_NAMES = frozenset({"Patient Chart", "Fall Risk", "Code Status", "Chief Complaint"})
# A hotel key card (a name and a room), a ticket or boarding pass (a name and a seat), a receipt (a name and an account):
# the same shapes as a patient's details, off duty. Such wording counts against a patient reference unless a clinical
# word is there too, so a photographed wristband or chart stays flagged.
_OFF_DUTY = re.compile(r"\b(?:hotel|motel|resort|inn|suite|guest|check[\s-]?(?:in|out)|key\s?card|reservation|"
                       r"admit\s+one|tickets?|seat|row|gate|boarding|flight|terminal|concert|stadium|arena|venue|"
                       r"receipt|subtotal|gratuity|menu)\b", re.IGNORECASE)
_CLINICAL_WORDS = re.compile(r"\b(?:patients?|DOB|D\.O\.B|MRN|MR#|NHS|medical record|hospital|clinic|ward|ICU|diagnosis|"
                             r"Dx|allerg(?:y|ies)|meds|medications?|NPO|DNR|DNAR|code status|fall risk|triage|acuity|"
                             r"chief complaint|specimen|attending|nurse|physician|RN|MD)\b", re.IGNORECASE)


def off_duty(text: str) -> bool:
    """Text read off a hotel card, ticket, boarding pass or receipt, with no clinical word beside it."""
    return _OFF_DUTY.search(text) is not None and _CLINICAL_WORDS.search(text) is None


def photo_evidence(text: str) -> list[Evidence]:
    """Identifiers typical of a clinical screen or board; a name counts only beside another clinical clue."""
    if off_duty(text):
        return []
    found: list[Evidence] = []
    for rx, reason in ((_VITALS, "vital signs read off a monitor or chart"), (_DOB, "a date of birth"),
                       (_MRN, "a record or account number"), (_ROOM, "a room or bed number")):
        found += [_ev(m, f"text in the photo: {reason} ({m.group(0)})", 0.5) for m in rx.finditer(text)]
    if found or _CHART.search(text):
        names = [m for m in _NAME.finditer(text) if m.group(0) not in _NOT_NAMES and not any(map(_CHART.fullmatch, m.group(0).split()))]
        found += [_ev(m, f"text in the photo: a name beside clinical details ({m.group(0)})", 0.6) for m in names]
    seen: set[str] = set()
    unique = []
    for ev in sorted(found, key=lambda e: e.start):
        if ev.text.lower() not in seen:
            seen.add(ev.text.lower())
            unique.append(ev)
    return unique


def _ev(m: re.Match[str], reason: str, weight: float) -> Evidence:
    return Evidence(PATIENT, m.start(), m.end(), m.group(0), reason, weight)
