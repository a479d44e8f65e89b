"""The scans the web app keeps: uploads, outputs and a small record each, in a private data dir.

Layout of the data dir (mode 0700, files 0600):

    decisions.sqlite         one decisions database for every scan, the CLI's format,
                             so a newer export of the same account keeps what was decided
    incoming/                uploads while they arrive; emptied at start
    scans/ID/scan.json       the record shown in the list
    scans/ID/uploads/        the zips as uploaded, read in place by the pipeline
    scans/ID/out/            report, checklist, CSV, deleter lists (reports.render.write_all)

Scans run one at a time in a background thread: the pipeline already uses
several processes for a large export, and two at once would only compete.
Deleting a scan removes its folder; nothing else is kept about it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from audit import state as decisions_db
from audit.context import Context
from audit.errors import ExportError
from audit.pipeline import ScanResult, problems

log = logging.getLogger(__name__)

SCAN_ID = re.compile(r"^[0-9a-f]{16}$")
RUNNING = frozenset({"queued", "scanning"})
# Files of a scan's out/ folder the app offers, with what the user sees.
DOWNLOADS: dict[str, str] = {
    "checklist.html": "Checklist to print",
    "checklist.md": "Checklist (Markdown)",
    "findings.csv": "Every item (CSV)",
    "x-delete-ids.txt": "X post ids to delete (one per line)",
    "x-delete.csv": "X posts to delete (CSV)",
    "facebook-activity-log.csv": "Facebook items to find in the activity log (CSV)",
    "instagram-activity-log.csv": "Instagram items to find in the activity log (CSV)",
    "report.html": "This report as a file (opens offline)",
    "findings.jsonl": "Every item (JSON lines)",
}
APP_REPORT = "report-app.html"
_CACHE = 2  # scan results kept in memory, so a download after new decisions is quick


@dataclass
class Scan:
    """What the list and the progress page show about one scan."""

    id: str
    created: str
    names: list[str]
    status: str = "queued"  # queued, scanning, done, failed, interrupted
    stage: str = ""
    done: int = 0
    total: int | None = None
    error: str = ""
    items: int = 0
    flagged: int = 0
    problems: int = 0
    context: dict[str, list[str]] = field(default_factory=dict)
    written_at: int = -1  # decisions history id the outputs were written with
    discard: bool = False
    sha256: list[str] = field(default_factory=list)  # of the uploads, sorted: the same export uploaded again
    incomplete: list[str] = field(default_factory=list)  # why the uploads look like only some parts of an export
    overlap: list[str] = field(default_factory=list)  # uploads that look like two downloads of one account

    def public(self) -> dict[str, Any]:
        data = asdict(self)
        for private in ("context", "written_at", "discard", "sha256"):
            data.pop(private)
        return data


_INTERRUPTED = "backscroll stopped before this scan finished; delete it and upload again."


class _Stopped(Exception):
    """Raised from a scan's progress report to end a scan that was deleted or whose server is stopping."""


def private_dir(path: Path) -> Path:
    """Create `path` readable by the owner only; the uploads are someone's whole social life."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    return path


def safe_name(name: str) -> str:
    """A file name for an upload: the user's own name where harmless, never a path."""
    base = os.path.basename(name.replace("\\", "/")).strip()
    base = re.sub(r"[^\w.\- ()]+", "_", base).strip(". ") or "export.zip"
    return base[:120]


class Store:
    """Scans on disk plus the one background worker that runs them."""

    def __init__(self, root: Path, scan_fn: Callable[..., ScanResult] | None = None) -> None:
        self.root = private_dir(root)
        self.scans_dir = private_dir(root / "scans")
        self.incoming = root / "incoming"
        shutil.rmtree(self.incoming, ignore_errors=True)  # half-received uploads of an earlier run
        private_dir(self.incoming)
        self.state_path = root / decisions_db.FILENAME
        self._scan_fn = scan_fn
        self.lock = threading.RLock()
        self.output_lock = threading.Lock()
        self.results: OrderedDict[str, ScanResult] = OrderedDict()
        self.scans: dict[str, Scan] = {}
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="backscroll-scan")
        self.stopping = False
        self._load()

    # -- records --------------------------------------------------------------

    def _load(self) -> None:
        for folder in self.scans_dir.iterdir():
            if folder.is_dir() and not (folder / "scan.json").exists():  # deleted while it ran, before a stop
                shutil.rmtree(folder, ignore_errors=True)
        for record in sorted(self.scans_dir.glob("*/scan.json")):
            try:
                scan = Scan(**json.loads(record.read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError):
                log.warning("ignoring unreadable scan record %s", record)
                continue
            if scan.status in RUNNING:
                scan.status, scan.error = "interrupted", _INTERRUPTED
            self.scans[scan.id] = scan

    def _save(self, scan: Scan) -> None:
        folder = self.scans_dir / scan.id
        if scan.discard or not folder.is_dir():
            return
        tmp = folder / "scan.json.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(asdict(scan), fh)
        os.replace(tmp, folder / "scan.json")

    def get(self, scan_id: str) -> Scan | None:
        return self.scans.get(scan_id) if SCAN_ID.match(scan_id) else None

    def listing(self) -> list[Scan]:
        with self.lock:
            return sorted(self.scans.values(), key=lambda s: s.created, reverse=True)

    def folder(self, scan: Scan) -> Path:
        return self.scans_dir / scan.id

    def out(self, scan: Scan) -> Path:
        return self.scans_dir / scan.id / "out"

    def downloads(self, scan: Scan) -> list[tuple[str, str]]:
        """(file name, label) of the outputs this scan has."""
        out = self.out(scan)
        return [(name, label) for name, label in DOWNLOADS.items() if (out / name).is_file()]

    # -- uploads and jobs -------------------------------------------------------

    def same_as(self, sha256: list[str], context: dict[str, list[str]]) -> Scan | None:
        """A kept scan of exactly these files with the same names given, if there is one.

        Its report already answers the upload; a second copy would only double the disk used and the list.
        Other names (a workplace added) change what is flagged, so those are scanned again.
        """
        with self.lock:
            return next((s for s in self.listing() if s.sha256 == sha256 and s.context == context
                         and s.status in RUNNING | {"done"}), None)

    def create(self, files: Sequence[tuple[str, Path, str]], context: dict[str, list[str]], created: str) -> Scan:
        """Move received uploads (already on disk in incoming/) into a new scan and queue it."""
        scan_id = secrets.token_hex(8)
        uploads = private_dir(self.scans_dir / scan_id / "uploads")
        names: list[str] = []
        for original, received, _ in files:
            name = safe_name(original)
            stem, dot, ext = name.rpartition(".")
            n = 2
            while name in names:
                name = f"{stem} ({n}).{ext}" if dot else f"{ext} ({n})"
                n += 1
            os.replace(received, uploads / name)  # same file system: a rename, no second copy
            (uploads / name).chmod(0o600)
            names.append(name)
        scan = Scan(scan_id, created, names, context=context, sha256=sorted(digest for _, _, digest in files))
        with self.lock:
            self.scans[scan_id] = scan
            self._save(scan)
        self.worker.submit(self._run, scan)
        return scan

    def _progress(self, scan: Scan) -> Callable[[str, int, int | None], None]:
        def report(stage: str, done: int, total: int | None) -> None:
            if scan.discard or self.stopping:  # deleted, or the server is stopping: end the scan here
                raise _Stopped
            with self.lock:
                scan.stage, scan.done, scan.total = stage, done, total
        return report

    def _noting(self, scan: Scan) -> Callable[[str], None]:
        """Keeps a split export's note as soon as the pipeline knows it, so the progress page shows it during the scan."""
        def note(text: str) -> None:
            with self.lock:
                scan.incomplete.append(self._plain(scan, text))
                self._save(scan)
        return note

    def _scan(self, scan: Scan, progress: Callable[[str, int, int | None], None] | None = None,
              on_incomplete: Callable[[str], None] | None = None) -> ScanResult:
        if self._scan_fn is None:
            from audit.pipeline import scan as run

            self._scan_fn = run
        uploads = self.folder(scan) / "uploads"
        ctx = scan.context
        context = Context(workplaces=tuple(ctx.get("workplace", ())), units=tuple(ctx.get("unit", ())),
                          places=tuple(ctx.get("city", ())), people=tuple(ctx.get("colleague", ())))
        result = self._scan_fn([str(uploads / n) for n in scan.names], context, progress, on_incomplete=on_incomplete)
        try:
            from audit.media.attach import attach_media
        except ImportError:  # Pillow not installed: the report says nothing about photos
            return result
        # Photos are checked by default in the app; OCR when Tesseract is installed.
        attach_media(result, context, ocr=shutil.which("tesseract") is not None, progress=progress)
        return result

    def _run(self, scan: Scan) -> None:
        if scan.discard:  # deleted while it waited
            shutil.rmtree(self.folder(scan), ignore_errors=True)
            return
        with self.lock:
            scan.status, scan.stage = "scanning", "open"
            self._save(scan)
        try:
            result = self._scan(scan, self._progress(scan), self._noting(scan))
            if scan.discard:
                return
            with self.lock:
                scan.stage, scan.done, scan.total = "report", 0, None
            self.write_outputs(scan, result)
        except _Stopped:
            if not scan.discard:
                with self.lock:
                    scan.status, scan.stage, scan.error = "interrupted", "", _INTERRUPTED
                    self._save(scan)
        except ExportError as exc:
            self._fail(scan, self._plain(scan, exc))
        except Exception as exc:  # the app must keep working whatever one export does
            log.exception("scan %s failed", scan.id)
            self._fail(scan, f"backscroll could not finish this scan ({type(exc).__name__}: {exc}). "
                             "Please report this; the app is still working.")
        else:
            with self.lock:
                scan.status, scan.stage = "done", ""
                scan.items = len(result.findings)
                scan.flagged = sum(1 for f in result.findings if f.verdict.flags)
                scan.problems = sum(n for _, _, n in problems(result))
                scan.incomplete = [self._plain(scan, a.incomplete) for a in result.accounts if a.incomplete]  # the same notes, kept once
                scan.overlap = [self._plain(scan, a.overlap) for a in result.accounts if a.overlap]
                self._save(scan)
        finally:
            if scan.discard:
                shutil.rmtree(self.folder(scan), ignore_errors=True)

    def _plain(self, scan: Scan, message: ExportError | str) -> str:
        """The message with the user's own file names instead of the paths in the data dir."""
        uploads = str(self.folder(scan) / "uploads") + os.sep
        return str(message).replace(uploads, "")

    def _fail(self, scan: Scan, message: str) -> None:
        """A scan that cannot be used keeps only its message: the uploads are removed at once."""
        shutil.rmtree(self.folder(scan) / "uploads", ignore_errors=True)
        with self.lock:
            scan.status, scan.stage, scan.error = "failed", "", message
            self._save(scan)

    # -- outputs ----------------------------------------------------------------

    def decisions(self) -> decisions_db.Decisions:
        return decisions_db.Decisions(self.state_path)

    @staticmethod
    def version(db: decisions_db.Decisions) -> int:
        """Grows with every decision change: outputs written at an older version are stale."""
        return int(db.db.execute("SELECT COALESCE(MAX(id), 0) FROM history").fetchone()[0])

    def write_outputs(self, scan: Scan, result: ScanResult) -> None:
        """The CLI's outputs plus the app's copy of the report, with the stored decisions."""
        from reports.render import write_all, write_html

        out = self.out(scan)
        with self.output_lock:
            with self.decisions() as db:
                stored = db.all()
                db.remember_accounts(a.info for a in result.accounts)
                version = self.version(db)
            decisions_db.apply(result.findings, stored)
            private_dir(out)
            write_all(result, out, decisions=stored, in_app=True)
            links = [("../../", "All scans")] + [(f"files/{name}", label) for name, label in self.downloads(scan)]
            write_html(result, out / APP_REPORT, stored, app_links=links)
            with self.lock:
                scan.written_at = version
                self.results[scan.id] = result
                self.results.move_to_end(scan.id)
                while len(self.results) > _CACHE:
                    self.results.popitem(last=False)
                self._save(scan)

    def refresh(self, scan: Scan) -> None:
        """Rewrite the checklist and lists when decisions changed since they were written.

        The scan result is usually still in memory; after a restart the uploads are scanned again.
        """
        with self.decisions() as db:
            if self.version(db) == scan.written_at:
                return
        result = self.results.get(scan.id) or self._scan(scan)
        self.write_outputs(scan, result)

    # -- deletion -----------------------------------------------------------------

    def delete(self, scan: Scan) -> None:
        """Forget a scan and remove its uploads and outputs; a running one is removed when it stops."""
        with self.lock:
            self.scans.pop(scan.id, None)
            self.results.pop(scan.id, None)
            running = scan.status in RUNNING
            scan.discard = True
        if not running:
            shutil.rmtree(self.folder(scan), ignore_errors=True)
            return
        # Gone at once, whatever happens next: no record a restart could bring back, no upload left on disk.
        # The scan stops at its next progress report and removes the rest.
        (self.folder(scan) / "scan.json").unlink(missing_ok=True)
        shutil.rmtree(self.folder(scan) / "uploads", ignore_errors=True)

    def delete_everything(self) -> None:
        """Every scan and the decisions database: what a user who is done with backscroll asks for."""
        for scan in list(self.listing()):
            self.delete(scan)
        with self.output_lock:
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(str(self.state_path) + suffix).unlink(missing_ok=True)

    def close(self) -> None:
        """Stop: a running scan ends at its next progress report (kept as interrupted), queued ones never start,
        and uploads cut off by the stop are removed."""
        self.stopping = True
        self.worker.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self.incoming, ignore_errors=True)
