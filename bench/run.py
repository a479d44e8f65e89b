"""Time `backscroll scan` on large synthetic exports against the floor of merely parsing them.

    python bench/run.py                 # generates bench/out/*.zip on first use
    python bench/run.py --posts 50000   # a quicker run

For each export it runs, each in a fresh process:
- floor: open the zip and json-parse every data file, nothing else;
- scan: `python -m audit scan EXPORT --out DIR -q` end to end (import, classify, every output),
  first with an empty model cache (the first scan on a computer trains the model), then again
  with the model that scan cached, as every later scan runs;
and reports seconds, items per second, scan / floor and peak memory: max RSS of the scan process, and
the peak proportional set size of the scan and its worker processes together (what the machine has to hold).
The Facebook run needs importers/facebook.py; `--skip-facebook` leaves it out.
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
import threading
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


def _tree_pss_kb(pid: int) -> int:
    """Proportional set size of a process and its descendants: shared pages counted once, as the machine feels them."""
    total = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as fh:
                total += next((int(line.split()[1]) for line in fh if line.startswith("Pss:")), 0)
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return total


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float, str]:
    """Wall seconds, peak RSS and peak PSS of the whole process tree in MB, and stdout of one child process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT,
                                env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
        peak_pss = 0
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak_pss
            # Reading smaps_rollup of a large process costs the kernel milliseconds: sampled often, it slowed the scan.
            while not stop.wait(0.25):
                peak_pss = max(peak_pss, _tree_pss_kb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        stop.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{err.read().decode()[-2000:]}")
        return elapsed, usage.ru_maxrss / 1024, peak_pss / 1024, out.read().decode()


def run_one(export: Path, cache: Path) -> dict[str, float]:
    # Twice, keeping the faster: the first read may come from disk, the scan's from the page cache.
    floor_s, floor_mb, _, _ = min(timed([sys.executable, "-c", FLOOR, str(export)]) for _ in range(2))
    out = Path(tempfile.mkdtemp(prefix="backscroll-bench-"))
    try:
        scan_s, scan_mb, scan_pss, _ = timed([sys.executable, "-m", "audit", "scan", str(export), "--out", str(out), "-q"],
                                             env={"BACKSCROLL_CACHE": str(cache)})
        with (out / "findings.jsonl").open(encoding="utf-8") as fh:
            items = sum(1 for line in fh if line.startswith('{"type": "item"'))
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {"items": items, "floor_s": floor_s, "scan_s": scan_s, "ratio": scan_s / floor_s, "rate": items / scan_s,
            "peak_mb": scan_mb, "pss_mb": scan_pss, "floor_mb": floor_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--fb-posts", type=int, default=50_000)
    parser.add_argument("--media-mb", type=int, default=2048)
    parser.add_argument("--skip-facebook", action="store_true")
    args = parser.parse_args()
    outdir = HERE / "out"
    outdir.mkdir(exist_ok=True)
    exports = [("x", outdir / f"x-{args.posts}-v2.zip", args.posts)]
    if not args.skip_facebook and (ROOT / "importers" / "facebook.py").exists():
        exports.append(("facebook", outdir / f"facebook-{args.fb_posts}-v2.zip", args.fb_posts))
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("| export | items | scan s | items/s | floor s | scan / floor | peak RSS MB | peak PSS MB, all processes |")
    print("|---|---|---|---|---|---|---|---|")
    for name, path, posts in exports:
        if not path.exists():
            media = str(args.media_mb // (2 if name == "facebook" else 1))
            generate = [sys.executable, str(HERE / "generate.py"), name, "--posts", str(posts), "--media-mb", media, "--out", str(path)]
            subprocess.run(generate,
                           check=True, stdout=subprocess.DEVNULL)
        size = path.stat().st_size / 1e9
        cache = Path(tempfile.mkdtemp(prefix="backscroll-bench-cache-"))
        try:
            for when in ("first scan, trains the model", "later scans"):
                r = run_one(path, cache)
                print(f"| {name} ({size:.1f} GB zip), {when} | {r['items']:,} | {r['scan_s']:.1f} | {r['rate']:,.0f} | "
                      f"{r['floor_s']:.1f} | {r['ratio']:.2f} | {r['peak_mb']:,.0f} | {r['pss_mb']:,.0f} |", flush=True)
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    fresh = tempfile.mkdtemp(prefix="backscroll-bench-cache-")
    try:
        rate = float(timed([sys.executable, "-c", CLASSIFIER], env={"BACKSCROLL_CACHE": fresh})[3].strip())
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    print(f"\nclassifier alone, one core: {rate:,.0f} posts/s")


if __name__ == "__main__":
    main()
