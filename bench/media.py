"""Photos per second through media analysis, with and without OCR, and how many holiday photos reach OCR.

    python bench/media.py              # 200 photos: 170 holiday-like, 30 screens/whiteboards/charts
    python bench/media.py --photos 60  # a quicker run
    python bench/media.py --photos-dir ~/Pictures  # what the cheap check makes of real photos, yours included

All images are drawn at run time (tests/media_images.py) and zipped in the X
layout as 1200x800-ish JPEGs; the holiday set is synthetic (gradients, hills,
foliage, waves, night lights), so the share sent to OCR is a floor check, not
a measurement on real camera rolls. `--photos-dir` gives that measurement on any
folder of photos, on this computer only: how many the cheap check would send to OCR
and how many it would report as a patient monitor (a finding on its own).
"""

from __future__ import annotations

import argparse
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import media_images as draw  # noqa: E402

from audit.archive import Archive  # noqa: E402
from audit.media import analyse_media  # noqa: E402
from audit.model import Item, Kind, Media, Platform  # noqa: E402


def build(folder: Path, n: int) -> tuple[Path, list[Item], set[str]]:
    """An X-layout zip of `n` photos; about one in seven is clinical (monitor, whiteboard, chart, or one in a scene)."""
    files: dict[str, tuple[str, bytes]] = {}
    clinical: set[str] = set()
    makers = (lambda i: draw.monitor(seed=i), lambda i: draw.whiteboard(), lambda i: draw.chart_screenshot().resize((540, 1170)),
              lambda i: draw.in_scene(draw.whiteboard(), 0.4, seed=i), lambda i: draw.in_scene(draw.monitor(seed=i), 0.5, seed=i))
    for i in range(n):
        tid = str(1000 + i)
        if i % 7 == 3:
            img = makers[(i // 7) % len(makers)](i)
            clinical.add(f"x:{tid}")
        else:
            img = draw.holiday(i)
        files[tid] = ("", draw.jpeg(img, quality=85))
    zip_path = draw.x_export(folder / "media.zip", files)
    items = [Item(Platform.X, tid, Kind.POST, "", None, "data/tweets.js", media=(Media(uri=f"data/tweets_media/{tid}-{tid}x.jpg"),))
             for tid in files]
    return zip_path, items, clinical


def timed(zip_path: Path, items: list[Item], *, ocr: bool) -> tuple[float, dict]:
    from audit.classifier import load_classifier

    classifier = load_classifier()  # trained before the clock starts
    with Archive([zip_path]) as archive:
        start = time.perf_counter()
        result = analyse_media(archive, items, ocr=ocr, classifier=classifier)
        return time.perf_counter() - start, result


def real_photos(folder: Path) -> None:
    """The cheap check on every photo under `folder`, file by file, then the totals."""
    from PIL import Image

    from audit.media.analyse import upright_small
    from audit.media.screen import detect

    kinds: dict[str, int] = {}
    for path in sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp")):
        try:
            with Image.open(path) as img:
                found = detect(upright_small(img))  # as a scan reads it
        except (OSError, ValueError) as exc:
            print(f"{path.relative_to(folder)}: unreadable ({exc})")
            continue
        kinds[found.kind] = kinds.get(found.kind, 0) + 1
        print(f"{path.relative_to(folder)}: {found.kind}; {found.reason}")
    total = sum(kinds.values())
    sent = total - kinds.get("none", 0)
    print(f"{total} photos: {sent} sent to OCR ({kinds.get('monitor', 0)} as a patient monitor, "
          f"{kinds.get('screen or text', 0)} as screen or text, {kinds.get('whiteboard or document', 0)} as whiteboard or document)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--photos-dir", type=Path, help="judge the photos in this folder instead of generated ones")
    args = parser.parse_args()
    if args.photos_dir:
        real_photos(args.photos_dir)
        return
    with tempfile.TemporaryDirectory(prefix="backscroll-bench-media-") as tmp:
        zip_path, items, clinical = build(Path(tmp), args.photos)
        size = zip_path.stat().st_size
        print(f"{args.photos} photos ({len(clinical)} clinical), zip {size / 1e6:.1f} MB; {platform.processor() or platform.machine()}, "
              f"tesseract {'yes' if shutil.which('tesseract') else 'no'}")
        for ocr in (False, True):
            seconds, result = timed(zip_path, items, ocr=ocr)
            sent = {k for k, f in result.items() if any(x.screen and x.screen.send_to_ocr for x in f.files)}
            holiday = [k for k in result if k not in clinical]
            flagged = {k for k, f in result.items() if f.evidence}
            print(f"ocr={'on ' if ocr else 'off'}: {seconds:6.2f} s, {args.photos / seconds:6.1f} photos/s; "
                  f"sent to OCR: {len(sent & clinical)}/{len(clinical)} clinical, {len(sent - clinical)}/{len(holiday)} holiday; "
                  f"with evidence: {len(flagged & clinical)}/{len(clinical)} clinical, {len(flagged - clinical)}/{len(holiday)} holiday")


if __name__ == "__main__":
    main()
