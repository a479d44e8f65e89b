"""One scan: open the exports, import every item, classify it, decide an action.

Several inputs of one platform (a Meta export split into parts, media in one
zip and JSON in another) are read together as one account.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import importers
from audit.archive import Archive
from audit.context import Context
from audit.errors import ExportError
from audit.model import AccountInfo, Connection, FileRead, Finding, Item, Platform, Skip
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


@dataclass(slots=True)
class ScanResult:
    accounts: list[AccountScan]
    findings: list[Finding]

    @property
    def items(self) -> list[Item]:
        return [f.item for f in self.findings]


def open_inputs(paths: Sequence[str]) -> list[tuple[Importer, Detection, Archive, list[str]]]:
    """Detect each input's platform and merge inputs of one platform into one archive."""
    detected: dict[Platform, tuple[Importer, list[str]]] = {}
    media_parts: list[str] = []
    for path in paths:
        with Archive([path]) as archive:
            chosen = importers.choose(archive)
            if chosen is None:
                if importers.is_media_only(archive):
                    media_parts.append(path)
                    continue
                raise ExportError(path, importers.why_unknown(archive))
            importer, _ = chosen
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


def scan(
    paths: Sequence[str],
    context: Context | None = None,
    progress: Progress | None = None,
) -> ScanResult:
    """Import and classify everything in `paths`; raises ExportError only for unusable input."""
    from audit.classifier import load_classifier
    from audit.triage import recommend

    context = context or Context()
    accounts: list[AccountScan] = []
    items: list[Item] = []
    seen: set[str] = set()
    for importer, found, archive, inputs in open_inputs(paths):
        with archive:
            account = AccountScan(importer.platform, inputs, found.layout, AccountInfo(importer.platform))
            accounts.append(account)
            for event in importer.iter_events(archive, found):
                _record(event, account, items, seen)
                if progress and isinstance(event, Item) and len(items) % 2000 == 0:
                    progress("import", len(items), None)
    for account in accounts:
        context = context.with_account(account.info)
    classifier = load_classifier(context)
    verdicts = classifier.classify_items(items, progress=progress)
    findings = [Finding(item, verdict, recommend(item, verdict)) for item, verdict in zip(items, verdicts, strict=True)]
    findings.sort(key=lambda f: (-f.verdict.risk, f.item.created_at.timestamp() if f.item.created_at else 0.0))
    return ScanResult(accounts, findings)


def _record(event: object, account: AccountScan, items: list[Item], seen: set[str]) -> None:
    ledgers = account.ledgers
    if isinstance(event, Item):
        ledger = ledgers.setdefault(event.source, Ledger(event.source))
        if event.key in seen:
            account.duplicates += 1
            ledger.skipped["same item appears twice in the export (kept once)"] += 1
            return
        seen.add(event.key)
        ledger.imported += 1
        items.append(event)
    elif isinstance(event, FileRead):
        ledgers.setdefault(event.source, Ledger(event.source)).records += event.records
    elif isinstance(event, Skip):
        ledger = ledgers.setdefault(event.source, Ledger(event.source))
        (ledger.errors if event.error else ledger.skipped)[event.reason] += event.count
    elif isinstance(event, Connection):
        account.connections.append(event)
    elif isinstance(event, AccountInfo):
        account.info = event


def problems(result: ScanResult) -> Iterable[tuple[str, str, int]]:
    """(file, reason, count) for every record that could not be read."""
    for account in result.accounts:
        for ledger in account.ledgers.values():
            for reason, count in ledger.errors.items():
                yield ledger.source, reason, count

