"""One scan: open the exports, import every item, classify it, decide an action.

Several inputs of one platform (a Meta export split into parts, media in one
zip and JSON in another) are read together as one account.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import NamedTuple

import importers
from audit import posted
from audit.archive import Archive
from audit.context import Context
from audit.errors import ExportError
from audit.model import AccountInfo, Connection, FileRead, Finding, Item, Platform, Skip
from audit.parallel import Classification, usable_cores
from importers import parts
from importers.base import Detection, Importer

Progress = Callable[[str, int, int | None], None]


@dataclass(slots=True)
class Ledger:
    """Where every record of one data file went."""

    source: str
    records: int = 0
    imported: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)

    @property
    def unaccounted(self) -> int:
        """Records neither imported nor skipped with a reason; zero for every honest importer."""
        return self.records - self.imported - sum(self.skipped.values()) - sum(self.errors.values())


@dataclass(slots=True)
class AccountScan:
    """One platform account: which inputs held it, what layout, who owns it."""

    platform: Platform
    inputs: list[str]
    layout: str
    info: AccountInfo
    ledgers: dict[str, Ledger] = field(default_factory=dict)
    connections: list[Connection] = field(default_factory=list)
    duplicates: int = 0
    incomplete: str | None = None  # why the inputs look like only some parts of a split Meta export
    overlap: str | None = None  # which inputs look like two downloads of this account, both read


class UncheckedFile(NamedTuple):
    """A photo or video the media checks could not read, or not all of it, and why."""

    key: str  # the item's
    uri: str  # as the export names it
    member: str | None  # the file in the export, None when it was not found
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MediaCheck:
    """What `--media` checked and what it could not, so the report can say so and not imply a clean bill."""

    items: int
    files: int
    flagged: int  # items a photo of which gives something away
    unavailable: tuple[str, ...] = ()  # a checker missing or turned off, and what was therefore not looked at
    unchecked: tuple[UncheckedFile, ...] = ()


@dataclass(slots=True)
class ScanResult:
    accounts: list[AccountScan]
    findings: list[Finding]
    context: Context = field(default_factory=Context)  # the user's names plus the profiles', as classified
    media: MediaCheck | None = None  # None when photos were not checked



def date_key(f: Finding) -> float:
    """When the item was written, as a sort key; undated items first."""
    return f.item.created_at.timestamp() if f.item.created_at else 0.0


def risk_order(f: Finding) -> tuple[int, float]:
    """Findings are ranked by risk, highest first, then oldest first."""
    return -f.verdict.risk, date_key(f)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Hold off Python's cycle collector while building or writing hundreds of thousands of objects.

    Parsing and importing allocate millions of dicts and strings; each full
    collection walks the whole growing heap, which was half of the import time
    on 200,000 posts. Nothing built here forms reference cycles, so reference
    counting still frees everything as it goes; collection resumes afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# Platforms whose export is always one input: two of them are two archives, never parts of one.
ONE_INPUT = frozenset({Platform.X})


def open_inputs(paths: Sequence[str]) -> list[tuple[Importer, Detection, Archive, list[str]]]:
    """Detect each input's platform and merge inputs of one platform (a Meta export's parts) into one archive."""
    detected: dict[Platform, tuple[Importer, list[str]]] = {}
    owners: dict[Platform, tuple[str, AccountInfo]] = {}
    media_parts: list[str] = []
    for path in paths:
        with Archive([path]) as archive:
            chosen = importers.choose(archive)
            if chosen is None:
                if importers.is_media_only(archive):
                    media_parts.append(path)
                    continue
                raise ExportError(path, _why_unknown(archive))
            importer, _ = chosen
            owner = importers.owner(importer.platform, archive)
        if owner is not None:
            # Parts of one export are merged; two people's exports would be too, as one account (and
            # the second's files named like the first's never read).
            first, earlier = owners.setdefault(importer.platform, (path, owner))
            if not _same_owner(earlier, owner):
                name = importer.platform.title()
                raise ExportError(path, f"a {name} export of another account ({_who(owner)}) beside {first} ({_who(earlier)}); "
                                        f"backscroll reads one {name} account per scan: scan each export on its own")
        if importer.platform in ONE_INPUT and importer.platform in detected:
            # Merged by name, a second archive's files were hidden behind the first's: its posts never read.
            first = detected[importer.platform][1][0]
            raise ExportError(path, f"a second {importer.platform.title()} archive beside {first}; backscroll reads one "
                                    f"{importer.platform.title()} archive per scan: scan each with its own --out")
        detected.setdefault(importer.platform, (importer, []))[1].append(path)
    if media_parts and not detected:
        raise ExportError(media_parts[0], "holds only photos and videos; pass it with the part of the export that holds the JSON files")
    opened = []
    for platform, (importer, group) in detected.items():
        # Media-only parts belong to the Meta export they came with.
        extra = media_parts if platform in (Platform.FACEBOOK, Platform.INSTAGRAM) else []
        archive = Archive(group + extra)
        found = importer.detect(archive)
        assert found is not None  # detected on a subset of these very names
        opened.append((importer, found, archive, group + extra))
    return opened


def _same_owner(a: AccountInfo, b: AccountInfo) -> bool:
    """Compared on the strongest fact both profiles give: the account id, the user name, the display name."""
    for field_ in ("user_id", "username", "display_name"):
        x, y = getattr(a, field_), getattr(b, field_)
        if x and y:
            return bool(x == y)
    return True  # nothing to compare: no evidence of two people


def _who(info: AccountInfo) -> str:
    return info.display_name or info.username or info.user_id or "?"


# Below this much JSON the scan classifies in-process: forking would cost more than it saves.
PARALLEL_MIN_BYTES = 16 * 1024 * 1024


def _why_unknown(archive: Archive) -> str:
    """Name what the input is; a zip of zips is never opened (it could be a nested zip bomb)."""
    inner = [n for n in archive.names() if n.lower().endswith(".zip")]
    if inner and len(inner) == len(archive.names()):
        return (f"holds {len(inner)} zip file(s) inside ({inner[0]!r}{', …' if len(inner) > 1 else ''}) and nothing else; "
                "backscroll does not open zips inside zips: unzip it once and pass the inner zip files")
    return importers.why_unknown(archive)


def scan(
    paths: Sequence[str],
    context: Context | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    on_incomplete: Callable[[str], None] | None = None,
) -> ScanResult:
    """Import and classify everything in `paths`; raises ExportError only for unusable input.

    Large exports are classified by worker processes while the import is still
    running: chunks of text go out as soon as they are read, compact verdicts
    come back, and the result is identical to classifying in one process.
    `on_incomplete` hears an account's `incomplete` note as soon as it is known, before
    the import: a progress display can say so during a scan that may take minutes.
    """
    with gc_paused():
        return _scan(paths, context or Context(), progress, workers, on_incomplete)


def _scan(paths: Sequence[str], base: Context, progress: Progress | None, workers: int | None,
          on_incomplete: Callable[[str], None] | None = None) -> ScanResult:
    from audit.triage import recommend

    opened = open_inputs(paths)
    tz = posted.zone(base.timezone)  # checked when the scan started
    size = sum(_expected_bytes(archive, found.members) for _, found, archive, _ in opened)
    accounts: list[AccountScan] = []
    items: list[Item] = []
    seen: set[str] = set()
    with Classification(workers if workers is not None else _default_workers(size), progress) as work:
        for importer, found, archive, inputs in opened:
            with archive:
                account = AccountScan(importer.platform, inputs, found.layout, AccountInfo(importer.platform),
                                      incomplete=parts.incomplete(importer.platform, inputs, archive),
                                      overlap=parts.overlap(importer.platform, archive))
                accounts.append(account)
                if account.incomplete and on_incomplete is not None:
                    on_incomplete(account.incomplete)
                work.set_context(_fold(base, accounts))
                for event in importer.iter_events(archive, found, tz):
                    _record(event, account, items, seen)
                    if isinstance(event, AccountInfo):
                        work.set_context(_fold(base, accounts))
                    elif isinstance(event, Item) and work.feed(items) and progress:
                        progress("import", len(items), None)
                # Two downloads of the account list the same friends.
                account.connections = list(dict.fromkeys(account.connections))
        context = _fold(base, accounts)
        verdicts = work.finish(items, context)
    findings = [Finding(item, verdict, recommend(item, verdict)) for item, verdict in zip(items, verdicts, strict=True)]
    findings.sort(key=risk_order)
    result = ScanResult(accounts, findings, context)
    broken = next(iter(problems(result)), None)
    if not findings and broken is not None:
        # A report saying "nothing flagged" about posts it could not read would be false comfort.
        source, reason, _ = broken
        raise ExportError(" + ".join(paths), f"{source}: {reason}; nothing in the export could be read, so nothing was checked")
    return result


def _expected_bytes(archive: Archive, members: Sequence[str]) -> int:
    """About how much JSON will be parsed: declared sizes, but no more than 20x what is stored (a lying header)."""
    total = 0
    for name in members:
        if name in archive:
            entry = archive.entry(name)
            total += min(entry.size, entry.compressed * 20) if entry.compressed else entry.size
    return total


def _default_workers(size: int) -> int:
    """Two classifier processes on a multi-core machine for a large export, none otherwise."""
    cores = usable_cores()
    return min(cores, 2) if cores > 1 and size >= PARALLEL_MIN_BYTES else 0


def _fold(base: Context, accounts: list[AccountScan]) -> Context:
    """The user's context plus what every account's profile says, in input order."""
    context = base
    for account in accounts:
        context = context.with_account(account.info)
    return context


def _record(event: object, account: AccountScan, items: list[Item], seen: set[str]) -> None:
    ledgers = account.ledgers
    if isinstance(event, Item):
        ledger = _ledger(ledgers, event.source)
        if event.key in seen:
            account.duplicates += 1
            ledger.skipped["same item appears twice in the export (kept once)"] += 1
            return
        seen.add(event.key)
        ledger.imported += 1
        items.append(event)
    elif isinstance(event, FileRead):
        _ledger(ledgers, event.source).records += event.records
    elif isinstance(event, Skip):
        ledger = _ledger(ledgers, event.source)
        (ledger.errors if event.error else ledger.skipped)[event.reason] += event.count
    elif isinstance(event, Connection):
        account.connections.append(event)
    elif isinstance(event, AccountInfo):
        account.info = event


def _ledger(ledgers: dict[str, Ledger], source: str) -> Ledger:
    """The file's ledger, made on first use: building one (two Counters) per event cost 1.5 s on 200,000 posts."""
    ledger = ledgers.get(source)
    if ledger is None:
        ledger = ledgers[source] = Ledger(source)
    return ledger


def problems(result: ScanResult) -> Iterable[tuple[str, str, int]]:
    """(file, reason, count) for every record that could not be read."""
    for account in result.accounts:
        for ledger in account.ledgers.values():
            for reason, count in ledger.errors.items():
                yield ledger.source, reason, count

