"""Time `backscroll scan` on large synthetic exports against the floor of merely parsing them.

    python bench/run.py                 # generates bench/out/*.zip on first use
    python bench/run.py --posts 50000   # a quicker run

For each export it runs, each in a fresh process:
- floor: open the zip and json-parse every data file, nothing else;
- scan: `python -m audit scan EXPORT --out DIR -q` end to end (import, classify, every output);
and reports seconds, posts per second, scan / floor and peak memory (max RSS).
It also times the classifier alone, pinned to one core, on the labelled corpus texts.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

FLOOR = r"""
import json, re, sys, zipfile
prefix = re.compile(rb"^\s*window\.[\w.$]+\s*=\s*")
with zipfile.ZipFile(sys.argv[1]) as zf:
    for name in zf.namelist():
        if name.endswith((".js", ".json")):
            data = zf.read(name)
            m = prefix.match(data)
            json.loads(data[m.end():] if m else data)
"""

CLASSIFIER = r"""
import os, sys, time
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
from audit import corpus
from audit.classifier import load_classifier
clf = load_classifier()
texts = [e.text for e in corpus.load(heldout=False)]
texts = (texts * (20000 // len(texts) + 1))[:20000]
start = time.perf_counter()
clf.classify_texts(texts, ["post"] * len(texts))
print(len(texts) / (time.perf_counter() - start))
"""


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB and stdout of one child process (rusage from wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{err.read().decode()[-2000:]}")
        return elapsed, usage.ru_maxrss / 1024, out.read().decode()


def run_one(export: Path, posts: int) -> dict[str, float]:
    floor_s, floor_mb, _ = timed([sys.executable, "-c", FLOOR, str(export)])
    out = Path(tempfile.mkdtemp(prefix="backscroll-bench-"))
    try:
        scan_s, scan_mb, _ = timed([sys.executable, "-m", "audit", "scan", str(export), "--out", str(out), "-q"])
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {"posts": posts, "floor_s": floor_s, "scan_s": scan_s, "ratio": scan_s / floor_s, "rate": posts / scan_s, "peak_mb": scan_mb,
            "floor_mb": floor_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--fb-posts", type=int, default=50_000)
    parser.add_argument("--media-mb", type=int, default=2048)
    parser.add_argument("--skip-facebook", action="store_true")
    args = parser.parse_args()
    outdir = HERE / "out"
    outdir.mkdir(exist_ok=True)
    exports = [("x", outdir / f"x-{args.posts}.zip", args.posts, args.posts + args.posts // 100 * 5)]
    if not args.skip_facebook:
        exports.append(("facebook", outdir / f"facebook-{args.fb_posts}.zip", args.fb_posts, args.fb_posts + args.fb_posts // 2))
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("| export | items | scan s | items/s | floor s | scan / floor | peak MB |")
    print("|---|---|---|---|---|---|---|")
    for name, path, posts, items in exports:
        if not path.exists():
            media = str(args.media_mb // (2 if name == "facebook" else 1))
            subprocess.run([sys.executable, str(HERE / "generate.py"), name, "--posts", str(posts), "--media-mb", media, "--out", str(path)],
                           check=True, stdout=subprocess.DEVNULL)
        r = run_one(path, items)
        size = path.stat().st_size / 1e9
        print(f"| {name} ({size:.1f} GB zip) | {items:,} | {r['scan_s']:.1f} | {r['rate']:,.0f} | {r['floor_s']:.1f} | "
              f"{r['ratio']:.2f} | {r['peak_mb']:,.0f} |")
    rate = float(timed([sys.executable, "-c", CLASSIFIER])[2].strip())
    print(f"\nclassifier alone, one core: {rate:,.0f} posts/s")


if __name__ == "__main__":
    main()
