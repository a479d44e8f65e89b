"""The `backscroll` command line.

Unusable input ends with exit status 2 and one plain line naming the file and
the problem; nothing is written outside `--out`.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import click

from audit.context import Context
from audit.errors import ExportError
from reports.links import printable


class _Progress:
    """A tqdm bar on stderr per stage; silent with --quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bars: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if self.quiet:
            return
        from tqdm import tqdm

        bar = self.bars.get(stage)
        if bar is None:
            # Starting at `done`: the work before the first report took time the bar never saw,
            # and counting it in an instant showed a rate of millions of items a second.
            bar = self.bars[stage] = tqdm(total=total, initial=done, desc=f"{stage:>9}", unit=" items", file=sys.stderr,
                                          leave=True)
        bar.total = total
        bar.n = done
        bar.refresh()

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()

    def note(self, text: str) -> None:
        """A note printed above the bars as soon as it is known: a split export is worth stopping for."""
        from tqdm import tqdm

        tqdm.write(f"backscroll: note: {printable(text)}", file=sys.stderr)


def _context(workplace: tuple[str, ...], unit: tuple[str, ...], city: tuple[str, ...], colleague: tuple[str, ...],
             timezone: str | None) -> Context:
    from audit.posted import zone

    try:
        zone(timezone or "")
    except ValueError as exc:
        _fail(f"--timezone: {exc}")
    return Context(workplaces=workplace, units=unit, places=city, people=colleague, timezone=timezone or "")


def _check_out(out: Path) -> None:
    """Refuse an output folder that cannot be made before spending minutes on the scan."""
    existing = out
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        _fail(f"{out}: cannot create the output folder ({existing} is not a folder)")
    if not os.access(existing, os.W_OK | os.X_OK):
        _fail(f"{out}: cannot create the output folder (no permission to write in {existing})")
    if existing == out:
        # Whoever else can write in the folder could swap a report or the decisions file for a link.
        info = out.stat()
        if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
            _fail(f"{out}: the output folder belongs to another user; name a folder of your own")
        if info.st_mode & 0o002:  # group-writable is common (a private group per user); anyone-writable is not
            _fail(f"{out}: other users can write in the output folder; name a private folder (it is created readable by you alone)")


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def _fail(message: str) -> None:
    click.echo(f"backscroll: {printable(message)}", err=True)
    sys.exit(2)


context_options = [
    click.option("--workplace", multiple=True, help="A hospital or practice you work at; repeat for several."),
    click.option("--unit", multiple=True, help="A unit or ward name (e.g. '6 West', 'PICU')."),
    click.option("--city", multiple=True, help="The town or city you work in."),
    click.option("--colleague", multiple=True, help="A colleague's name that should count as an identifier."),
    click.option("--timezone", metavar="ZONE", help="Where you posted from (e.g. America/Chicago), to read post times as local hours; "
                                                    "default: this computer's zone."),
]


def with_context(fn: Any) -> Any:
    for option in reversed(context_options):
        fn = option(fn)
    return fn


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="backscroll")
def cli() -> None:
    """Audit your own social media exports for posts that could hurt a patient or your career.

    Everything happens on this computer: backscroll makes no network call.
    """


class _Stopped(BaseException):
    """SIGTERM or SIGHUP, raised where the scan is so every `with` block cleans up; a BaseException, so the
    per-file `except Exception` of the media checks cannot swallow it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextmanager
def _stoppable(unfinished: str = " before the scan finished") -> Iterator[None]:
    """End the scan (or the web app) on SIGTERM or SIGHUP (`kill`, a closed terminal, a logout) as Ctrl+C ends it:
    by an exception.

    Killed by the signal's default action, the process left the private copy of a video it was reading
    (up to 300 MB) in the temporary folder. Exit status is 128 + the signal, as a shell reports it.
    """
    if threading.current_thread() is not threading.main_thread():  # signal handlers can only be set there
        yield
        return
    owner = os.getpid()

    def stop(signum: int, frame: object) -> None:
        if os.getpid() != owner:  # a forked worker inherited this handler: die as before
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise _Stopped(signum)

    wanted = [s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {s: signal.signal(s, stop) for s in wanted}
    try:
        yield
    except _Stopped as exc:
        click.echo(f"backscroll: stopped by {signal.Signals(exc.signum).name}{unfinished}", err=True)
        sys.exit(128 + exc.signum)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def run_scan(exports: tuple[str, ...], out: Path, context: Context, quiet: bool,
             state: Path | None = None, redact: bool = False, media: MediaOptions | None = None) -> None:
    with _stoppable():
        _run_scan(exports, out, context, quiet, state, redact, media)


def _run_scan(exports: tuple[str, ...], out: Path, context: Context, quiet: bool,
              state: Path | None, redact: bool, media: MediaOptions | None) -> None:
    from audit import state as decisions_db
    from audit.pipeline import problems as unreadable
    from audit.pipeline import scan
    from reports.render import write_all

    _check_out(out)
    progress = _Progress(quiet)
    try:
        result = scan(list(exports), context, progress=progress, on_incomplete=progress.note)
    except ExportError as exc:
        progress.close()
        _fail(str(exc))
        return
    if media is not None:
        _attach_media(result, context, media, progress)
    progress.close()
    try:
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        _fail(f"{out}: cannot create the output folder ({exc.strerror or exc})")
    try:
        with decisions_db.Decisions(state or decisions_db.default_path(out)) as db:
            stored = db.all()
            db.remember_accounts(a.info for a in result.accounts)
    except decisions_db.StateError as exc:
        _fail(str(exc))
        return
    decisions_db.apply(result.findings, stored)
    try:
        paths = write_all(result, out, decisions=stored, redact=redact)
    except OSError as exc:
        where = exc.filename or out
        if exc.errno == errno.ELOOP:
            _fail(f"{where}: is a link, and the report is never written through one; remove it and run again")
        _fail(f"{where}: cannot write the report ({exc.strerror or exc})")
        return
    flagged = sum(1 for f in result.findings if f.verdict.flags)
    problems = sum(n for _, _, n in unreadable(result))
    click.echo(f"Read {_count(len(result.findings), 'item')}; {flagged} flagged{_todo(result.findings)}.", err=True)
    if problems:
        click.echo(f"{_count(problems, 'record or file', 'records or files')} could not be read; the report lists them.", err=True)
    for account in result.accounts:
        if account.overlap:
            click.echo(f"backscroll: note: {printable(account.overlap)}", err=True)
    if not result.findings:
        click.echo("Nothing was checked: the export holds no posts, comments or messages. If you asked for only some of "
                   "your information, request the whole export.", err=True)
    if stored:
        click.echo(f"Kept {_count(len(stored), 'earlier decision')}.", err=True)
    click.echo(f"Report: {paths['report']}", err=True)
    if "redacted" in paths:
        click.echo(f"Redacted report: {paths['redacted']}", err=True)


def _todo(findings: list[Any]) -> str:
    """What the checklist lists, counted as it counts: borderline items and photo findings have no flag but are listed."""
    from reports.checklist import GROUP_TITLES, todo_action

    counts = Counter(todo_action(f) for f in findings)
    words = {"delete": "to delete", "lock": "to lock", "review": "to look at again"}
    parts = [f"{counts[a]} {words[a]}" for a in GROUP_TITLES if counts[a]]
    return f"; checklist: {', '.join(parts)}" if parts else ""


@dataclass(frozen=True, slots=True)
class MediaOptions:
    ocr: bool
    workplace_location: tuple[float, float, float] | None


def _attach_media(result: Any, context: Context, options: MediaOptions, progress: _Progress) -> None:
    try:
        from audit.media.attach import attach_media
    except ImportError as exc:
        _fail(f"--media: {exc}")
        return
    summary = attach_media(result, context, ocr=options.ocr, workplace_location=options.workplace_location, progress=progress)
    progress.close()
    click.echo(f"Checked {_count(summary.files, 'photo or video', 'photos and videos')} in {_count(summary.items, 'item')}; "
               f"{summary.flagged} give{'s' if summary.flagged == 1 else ''} something away.", err=True)
    for line in summary.unavailable:
        click.echo(f"  note: {line}", err=True)
    if summary.unchecked:
        reasons = Counter(n for f in summary.unchecked for n in f.reasons)
        click.echo(f"  {_count(len(summary.unchecked), 'file was', 'files were')} not checked, or not fully; the report and "
                   "findings.jsonl list which and why:", err=True)
        for reason, n in reasons.most_common(5):
            click.echo(f"  {n} × {printable(reason)}", err=True)


def _location(value: str | None) -> tuple[float, float, float] | None:
    """`LAT,LON[,RADIUS_M]` → (lat, lon, radius); 250 m when the radius is left out."""
    if not value:
        return None
    try:
        parts = [float(p) for p in value.split(",")]
    except ValueError:
        parts = []
    if len(parts) not in (2, 3) or not (-90 <= parts[0] <= 90 and -180 <= parts[1] <= 180) or (len(parts) == 3 and parts[2] <= 0):
        raise click.BadParameter("expected LAT,LON or LAT,LON,RADIUS_METRES, e.g. 40.7411,-73.9897,300")
    return parts[0], parts[1], parts[2] if len(parts) == 3 else 250.0


@cli.command()
@click.argument("exports", nargs=-1, required=True, type=click.Path())
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="Folder for the report and findings.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@click.option("--state", "state", type=click.Path(dir_okay=False, path_type=Path),
              help="Decisions database (default: OUT/decisions.sqlite). Kept across scans.")
@click.option("--redact", is_flag=True, help="Also write report-redacted.html, identifiers masked, to show a mentor.")
@click.option("--media", is_flag=True, help="Check photos and videos too: location and time metadata, text in the picture (needs Pillow).")
@click.option("--ocr/--no-ocr", default=True, show_default=True, help="With --media, read text in photos (Tesseract, if installed).")
@click.option("--workplace-location", metavar="LAT,LON[,RADIUS]", help="With --media, flag photos taken near work (250 m).")
@with_context
def scan(exports: tuple[str, ...], out: Path, quiet: bool, workplace: tuple[str, ...], unit: tuple[str, ...],
         city: tuple[str, ...], colleague: tuple[str, ...], timezone: str | None, state: Path | None = None, redact: bool = False,
         media: bool = False, ocr: bool = True, workplace_location: str | None = None) -> None:
    """Scan one or more exports (zip files or unpacked folders) and write the report.

    \b
    Example:
        backscroll scan twitter-2024-11-16-abc.zip --out ~/backscroll-report
        backscroll scan facebook-part1.zip facebook-part2.zip --out report --workplace "Mercy General"
    """
    location = _location(workplace_location)
    options = MediaOptions(ocr=ocr, workplace_location=location) if media else None
    run_scan(exports, out, _context(workplace, unit, city, colleague, timezone), quiet, state, redact, options)


@cli.command()
@click.argument("key", required=False)
@click.argument("status", required=False)
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="The folder a scan wrote.")
@click.option("--state", "state", type=click.Path(dir_okay=False, path_type=Path),
              help="Decisions database (default: OUT/decisions.sqlite).")
@click.option("--import", "import_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A decisions file saved from the report (backscroll-decisions.json).")
def mark(key: str | None, status: str | None, out: Path, state: Path | None, import_file: Path | None) -> None:
    """Record a decision about an item: delete, lock, keep, not_a_problem (or clear to remove it).

    Decisions survive re-scans, show in the report, findings.csv and the
    checklist, and are what `verify` checks. Keys are platform:item_id, as
    shown in the report and the checklist.

    \b
    Example:
        backscroll mark x:1700000000000000001 delete --out ~/backscroll-report
        backscroll mark --import ~/Downloads/backscroll-decisions.json --out ~/backscroll-report
    """
    from audit import state as decisions_db

    if bool(import_file) == bool(key):
        _fail("give either KEY STATUS or --import FILE")
    try:
        with decisions_db.Decisions(state or decisions_db.default_path(out)) as db:
            if import_file:
                entries = decisions_db.read_export(import_file)
                count = db.import_entries(entries, origin=f"import {import_file.name}")
                click.echo(f"Imported {len(entries)} decisions: {count.applied} new or changed, {count.unchanged} unchanged, "
                           f"{count.older} older than the stored decision (kept the stored one).", err=True)
                _warn_unknown_keys(out, [k for k, _, _ in entries])
            else:
                if status is None:
                    _fail("give a STATUS: delete, lock, keep, not_a_problem or clear")
                assert key is not None and status is not None
                key = decisions_db.check_key(key)
                if status.strip().lower() == decisions_db.CLEAR:
                    changed = db.forget(key)
                    click.echo(f"{key}: decision removed." if changed else f"{key}: had no decision.", err=True)
                else:
                    status = decisions_db.check_status(status)
                    _warn_unknown_keys(out, [key])
                    changed = db.set(key, status)
                    click.echo(f"{key}: {status}" + ("" if changed else " (already so)"), err=True)
    except decisions_db.StateError as exc:
        _fail(str(exc))
    click.echo("Re-run the same scan to refresh the report, checklist and deletion lists.", err=True)


def _warn_unknown_keys(out: Path, keys: list[str]) -> None:
    """A typo in a key, a folder never scanned or another report's decisions would silently decide nothing: say so."""
    from audit.verify import earlier_items

    known = earlier_items(out)
    if known is None:
        click.echo(f"backscroll: note: no scan has been written to {out} yet; the decisions wait for one.", err=True)
        return
    unknown = [k for k in keys if k not in known]
    if len(unknown) == 1:
        click.echo(f"backscroll: note: {unknown[0]} is not in {out / 'findings.jsonl'}; recorded anyway.", err=True)
    elif unknown:
        click.echo(f"backscroll: note: {len(unknown)} of these decisions are for items not in {out / 'findings.jsonl'} "
                   "(decisions from another report?); recorded anyway.", err=True)


@cli.command()
@click.argument("exports", nargs=-1, required=True, type=click.Path())
@click.option("--before", "before", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder of the earlier scan, holding your decisions.")
@click.option("--state", "state", type=click.Path(dir_okay=False, path_type=Path),
              help="Decisions database (default: BEFORE/decisions.sqlite).")
def verify(exports: tuple[str, ...], before: Path, state: Path | None) -> None:
    """Check a newer export: is every item marked delete gone, and every item marked lock no longer public?

    Exit status 0 when everything marked is done, 1 when something is still
    there (listed), 2 when the input cannot be used.

    \b
    Example:
        backscroll verify --before ~/backscroll-report twitter-2025-02-01-def.zip
    """
    from audit.state import StateError
    from audit.verify import verify as run

    try:
        report = run(before, exports, state)
    except (ExportError, StateError) as exc:
        _fail(str(exc))
        return
    counts: dict[str, int] = {}
    for check in report.checks:
        counts[check.outcome] = counts.get(check.outcome, 0) + 1
    for check in report.checks:
        if check.outcome != "gone":
            click.echo(printable(f"{check.outcome:>16}  {check.key}  marked {check.status}  {check.detail}".rstrip()))
    click.echo("; ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "0 checked")
    sys.exit(0 if report.ok else 1)


@cli.command()
@click.option("--out", "out", default="backscroll-demo", show_default=True, type=click.Path(path_type=Path),
              help="Folder for the demo report.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
def demo(out: Path, quiet: bool) -> None:
    """Scan the made-up sample export that ships with backscroll, to see what a report looks like."""
    sample = Path(str(resources.files("audit") / "demo" / "x-archive"))
    run_scan((str(sample),), out, Context(workplaces=("Mercy General",)), quiet)
    click.echo(f"Open {(out / 'report.html').resolve()} in your browser.")


@cli.command()
@with_context
def classify(workplace: tuple[str, ...], unit: tuple[str, ...], city: tuple[str, ...], colleague: tuple[str, ...],
             timezone: str | None) -> None:
    """Classify JSON lines from stdin: {"id", "text", "kind"?, "created_at"?} in, one verdict per line out.

    \b
    Example:
        echo '{"id": "1", "text": "52M in bed 7 at 3am"}' | backscroll classify
    """
    from audit.classifier import KINDS, load_classifier
    from reports.render import evidence_json

    rows: list[dict[str, Any]] = []
    times: list[datetime | None] = []
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise ValueError("needs an object with a string `text`")
            if row.get("kind") is not None and row["kind"] not in KINDS:
                raise ValueError(f"unknown kind {row['kind']!r}; one of: {', '.join(KINDS)}")
            times.append(_posted_at(row.get("created_at")))
        except (json.JSONDecodeError, ValueError) as exc:
            _fail(f"stdin line {number}: {exc}")
        rows.append(row)
    classifier = load_classifier(_context(workplace, unit, city, colleague, timezone))
    verdicts = classifier.classify_texts([r["text"] for r in rows], [str(r.get("kind") or "post") for r in rows], times)
    for row, v in zip(rows, verdicts, strict=True):
        click.echo(json.dumps({
            "id": row.get("id"),
            "scores": v.scores,
            "flags": list(v.flags),
            "risk": v.risk,
            "summary": v.summary,
            "evidence": evidence_json(v.evidence),
        }, ensure_ascii=False))


def _posted_at(value: object) -> datetime | None:
    """`created_at` of a `classify` line: ISO 8601, read as UTC when it has no offset."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise ValueError(f"created_at {value!r} is not an ISO 8601 time such as 2021-03-02T09:40:00Z")
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port to listen on (default 8765, or a free one if taken; 0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on; only this computer by default.")
@click.option("--allow-remote", is_flag=True, help="Allow a --host other than this computer (not recommended: no encryption).")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Private folder for uploads, reports and decisions (default: your application-data folder).")
@click.option("--max-upload-gb", type=float, default=20.0, show_default=True, help="Largest upload accepted, in GB.")
@click.option("--no-browser", is_flag=True, help="Do not open the browser; open the printed link yourself.")
def serve(port: int | None, host: str, allow_remote: bool, data_dir: Path | None, max_upload_gb: float, no_browser: bool) -> None:
    """Start the local web app and open it in your browser: upload an export, review, decide, download.

    Everything stays on this computer; the app listens on 127.0.0.1 only.

    \b
    Example:
        backscroll serve
        backscroll serve --port 9000 --no-browser
    """
    from audit.web.security import Settings
    from audit.web.server import DEFAULT_PORT, RemoteRefused, default_data_dir, run

    # 0 is a port the user asked for (any free one), not a missing value: only None means the default.
    settings = Settings(data_dir=data_dir or default_data_dir(), port=DEFAULT_PORT if port is None else port, host=host,
                        max_upload=int(max_upload_gb * 1024**3), allow_remote=allow_remote)
    try:
        # `run` stops its scans and removes half-received uploads in its `finally`, whatever ends it.
        with _stoppable(""):
            run(settings, port_given=port is not None, open_browser=not no_browser, echo=lambda line: click.echo(line, err=True))
    except RemoteRefused as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot listen on {host}:{settings.port}: {exc.strerror or exc}")


@cli.command()
def evaluate() -> None:
    """Precision, recall and F1 per category on the held-out posts, next to a keyword baseline."""
    from audit.evaluation import evaluate as run

    click.echo(run())


def main() -> None:
    cli(prog_name="backscroll")
