"""The scan pipeline: classifying in worker processes gives exactly what one process gives; inputs merged without loss."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from importing import later_download

from audit import parallel
from audit.context import Context
from audit.pipeline import ScanResult, scan

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import generate  # bench/ is a folder of scripts, not a package


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "x-3000.zip"
    generate.x_archive(path, posts=3000, media_mb=1)
    return path


def summary(result: ScanResult) -> list[tuple[object, ...]]:
    return [(f.item.key, f.item.text, f.verdict.scores, f.verdict.flags, f.verdict.risk, f.verdict.evidence, f.verdict.summary, f.action)
            for f in result.findings]


def ledgers(result: ScanResult) -> list[tuple[object, ...]]:
    return [(a.platform, name, lg.records, lg.imported, dict(lg.skipped), dict(lg.errors)) for a in result.accounts
            for name, lg in a.ledgers.items()]


@pytest.fixture(scope="module")
def serial(archive) -> ScanResult:
    return scan([str(archive)], Context(workplaces=("Mercy General",)), workers=0)


def test_generated_archive_is_complete_and_accounted(serial):
    posts = [f for f in serial.findings if f.item.kind in ("post", "reply", "repost")]
    messages = [f for f in serial.findings if f.item.kind in ("dm", "dm_received")]
    assert len(posts) == 3000
    assert len(messages) == 30 * 5 + 3 * 10  # one-to-one and group chats
    assert all(lg.unaccounted == 0 for a in serial.accounts for lg in a.ledgers.values())
    group = next(lg for a in serial.accounts for name, lg in a.ledgers.items() if name.endswith("direct-messages-group.js"))
    assert sum(group.skipped.values()) == 3 * 3  # join, rename and leave events are not messages
    # Each post's own time reaches the classifier: stories posted within hours after the "4am" they tell say so.
    assert any(e.reason.startswith("posted at") for f in serial.findings for e in f.verdict.evidence)


def test_two_workers_give_identical_findings_in_identical_order(archive, serial, monkeypatch):
    monkeypatch.setattr(parallel, "CHUNK", 500)
    result = scan([str(archive)], Context(workplaces=("Mercy General",)), workers=2)
    assert summary(result) == summary(serial)
    assert ledgers(result) == ledgers(serial)


def test_a_dead_worker_is_replaced_by_classifying_here(archive, serial, monkeypatch):
    monkeypatch.setattr(parallel, "CHUNK", 500)
    started = parallel.Classification._start

    def start_then_kill(self: parallel.Classification) -> None:
        started(self)
        os.kill(self._zygote.pid, signal.SIGKILL)

    monkeypatch.setattr(parallel.Classification, "_start", start_then_kill)
    result = scan([str(archive)], Context(workplaces=("Mercy General",)), workers=2)
    assert summary(result) == summary(serial)


def test_chunks_sent_under_an_older_context_are_redone(serial, monkeypatch):
    """An importer may read the profile (and so the user's town) after some items went out."""
    monkeypatch.setattr(parallel, "CHUNK", 500)
    items = [f.item for f in serial.findings]
    early, final = Context(), Context(workplaces=("Mercy General",), places=("Springfield",))
    with parallel.Classification(2) as work:
        work.set_context(early)
        for n in range(1, len(items) + 1):
            work.feed(items[:n])
        verdicts = work.finish(items, final)
    with parallel.Classification(0) as work:
        expected = work.finish(items, final)
    assert verdicts == expected
    assert verdicts != parallel.Classification(0).finish(items, early)


def test_media_files_are_never_read(archive, monkeypatch):
    from audit.archive import Archive

    read: list[str] = []
    original = Archive.read

    def spy(self, name, *args, **kwargs):  # type: ignore[no-untyped-def]
        read.append(name)
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(Archive, "read", spy)
    scan([str(archive)], workers=0)
    assert read and all(name.endswith(".js") for name in read)
    assert not [name for name in read if "media" in name]


def test_the_first_scan_on_a_computer_says_it_is_training_the_model(make_zip, tmp_path, monkeypatch):
    """Training takes about a minute; without its own stage the web page said "Opening the export…" all along."""
    from audit import classifier

    classifier.load_classifier()
    assert classifier.model_ready()
    stages: list[str] = []
    scan([str(make_zip("x/2024"))], progress=lambda stage, done, total: stages.append(stage))
    assert "model" not in stages
    monkeypatch.setattr(classifier, "model_ready", lambda: False)
    stages.clear()
    scan([str(make_zip("x/2024"))], progress=lambda stage, done, total: stages.append(stage))
    assert stages[0] == "model" and "classify" in stages[stages.index("model"):]


def test_a_scan_with_workers_also_says_it_is_training_the_model(make_zip, monkeypatch):
    """With workers the first one trains before the import runs; the web page sat on "Reading your posts" until that
    worker's first verdicts came back. A real first training takes minutes on this machine, so a
    `model_ready` that says no stands in for an empty cache; the worker itself loads the suite's cached model."""
    from audit import classifier

    classifier.load_classifier()
    export = str(make_zip("x/2024"))
    stages: list[str] = []
    scan([export], progress=lambda stage, done, total: stages.append(stage), workers=2)
    assert "classify" in stages and "model" not in stages  # verdicts came from the workers, and nothing was trained
    monkeypatch.setattr(classifier, "model_ready", lambda: False)
    trained_before_import: list[bool] = []
    told = parallel.Classification.set_context

    def spy(self: parallel.Classification, context: Context) -> None:
        trained_before_import.append(self._trained.is_set())
        told(self, context)

    monkeypatch.setattr(parallel.Classification, "set_context", spy)
    stages.clear()
    scan([export], progress=lambda stage, done, total: stages.append(stage), workers=2)
    assert "model" in stages, stages
    assert "classify" not in stages[: stages.index("model")] and "classify" in stages[stages.index("model"):]
    # Training beside the import held both in memory at once: the first scan on a computer waits for the model.
    assert trained_before_import and trained_before_import[0] is True


def test_a_scan_with_workers_keeps_scikit_learn_out_of_the_importing_process(make_zip):
    """The workers classify; scikit-learn imported in the parent cost a large scan about 100 MB, twice so far
    (the second time through the check that says the model is being trained, which a progress callback turns on)."""
    export = str(make_zip("x/2024"))
    expected = len(scan([export]).findings)  # also puts the model in the suite's cache: the worker reads it
    code = ("import sys; from audit.pipeline import scan; "
            "result = scan([sys.argv[1]], workers=2, progress=lambda *a: None); "
            "print(len(result.findings), 'sklearn' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code, export], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [str(expected), "False"]


def test_a_model_is_ready_when_this_process_or_the_cache_holds_it(tmp_path, monkeypatch):
    from audit import classifier

    classifier.load_classifier()
    monkeypatch.setenv("BACKSCROLL_CACHE", str(tmp_path / "empty-cache"))
    assert classifier.model_ready()  # trained in this process already
    classifier._trained_base.cache_clear()  # the next load reads the suite's cache again, once the variable is restored
    assert not classifier.model_ready()


POSTS = "posts/your_posts__check_ins__photos_and_videos_1.json"
THREAD = "inbox/samortiz_10158000000000001/message_1.json"


def _newer(posts: list[dict], thread: dict) -> tuple[list[dict], dict]:
    """What a download a year later holds: a new post, the oldest post deleted since, a new message in the thread."""
    new_post = {"timestamp": 1767225600, "data": [{"post": "New year, new unit. Grateful for this team"}]}
    new_message = {"sender_name": "Sam Ortiz", "timestamp_ms": 1767225600000, "content": "Thank you again for everything"}
    return [new_post, *sorted(posts, key=lambda p: p["timestamp"])[1:]], {**thread, "messages": [new_message, *thread["messages"]]}


def test_two_downloads_of_one_account_are_both_read_and_what_both_hold_kept_once(make_zip, tmp_path):
    # Merged by file name as parts of one export, the second download's posts file was hidden behind the first's:
    # a year of posts never read, and nothing said.
    older = make_zip("facebook/2024", name="facebook-dana-2025-01-20.zip")
    newer = later_download(older, tmp_path / "facebook-dana-2026-01-20.zip",
                           {POSTS: lambda p: _newer(p, {"messages": []})[0], THREAD: lambda t: _newer([], t)[1]})
    first = scan([str(older)], workers=0)
    alone = {f.item.text for f in first.findings}
    both = scan([str(older), str(newer)], workers=0)
    assert {f.item.text for f in both.findings} == alone | {"New year, new unit. Grateful for this team", "Thank you again for everything"}
    assert len(both.findings) == len(first.findings) + 2  # what both downloads hold, once
    # The post deleted since the first download is still there: it may be on the platform yet, or gone; the note says.
    (account,) = both.accounts
    assert account.overlap == (
        "Some inputs hold different versions of the same Facebook files: facebook-dana-2025-01-20.zip and "
        "facebook-dana-2026-01-20.zip (2 files). They look like two downloads of your account, not parts of one. Both were "
        "read, and what appears in both is listed once; what only the older download holds may already be deleted from "
        "Facebook.")
    # One conversation, not one per download.
    thread = {f.item.conversation for f in both.findings if "samortiz" in f.item.source}
    assert thread == {"your_facebook_activity/messages/inbox/samortiz_10158000000000001"}
    # In either order.
    assert {f.item.key for f in scan([str(newer), str(older)], workers=0).findings} == {f.item.key for f in both.findings}


def test_the_same_download_given_twice_is_read_once(make_zip, tmp_path):
    export = make_zip("facebook/2024", name="facebook-dana.zip")
    copy = tmp_path / "copy.zip"
    copy.write_bytes(export.read_bytes())
    once, twice = scan([str(export)], workers=0), scan([str(export), str(copy)], workers=0)
    assert [f.item.key for f in twice.findings] == [f.item.key for f in once.findings]
    assert twice.accounts[0].overlap is None and twice.accounts[0].duplicates == 0
    assert twice.accounts[0].connections == once.accounts[0].connections

