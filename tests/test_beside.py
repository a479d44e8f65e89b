"""Outputs written by a forked child are the same files, and a failing child costs nothing but time."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from audit.pipeline import scan
from reports import beside, render


def _outputs(folder: Path) -> dict[str, bytes]:
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
    for name in ("report.html", "report-redacted.html"):  # the page names its folder and says when it was made
        files[name] = re.sub(rb"Generated [^<]*", b"", files[name].replace(bytes(folder), b"OUT"))
    return files


def test_forked_and_sequential_writing_give_the_same_files(make_zip, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan([str(make_zip("x/2024"))])
    monkeypatch.setattr(render, "can_fork", lambda items: False)
    render.write_all(result, tmp_path / "one", redact=True)
    forks: list[bool] = []
    real = beside.beside

    def spy(task, fork):
        forks.append(fork)
        return real(task, fork)

    monkeypatch.setattr(render, "can_fork", lambda items: True)
    monkeypatch.setattr(render, "beside", spy)
    render.write_all(result, tmp_path / "two", redact=True)
    assert forks == [True]
    one, two = _outputs(tmp_path / "one"), _outputs(tmp_path / "two")
    assert set(one) >= {"report.html", "report-redacted.html", "checklist.html", "findings.csv", "findings.jsonl"}
    assert one == two
    assert all((tmp_path / "two" / name).stat().st_mode & 0o777 == 0o600 for name in two)


def test_a_child_that_fails_leaves_the_work_to_the_parent(tmp_path: Path) -> None:
    parent = os.getpid()
    marker = tmp_path / "written-by"

    def task() -> None:
        if os.getpid() != parent:
            raise RuntimeError("disk full in the child")
        marker.write_text(str(os.getpid()))

    wait = beside.beside(task, fork=True)
    wait()
    assert marker.read_text() == str(parent)


def test_a_child_that_succeeds_is_not_repeated(tmp_path: Path) -> None:
    log = tmp_path / "log"

    def task() -> None:
        with log.open("a") as fh:
            fh.write(f"{os.getpid()}\n")

    beside.beside(task, fork=True)()
    assert log.read_text().split() != [str(os.getpid())]
    assert len(log.read_text().split()) == 1


def test_small_scans_and_threaded_processes_do_not_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not beside.can_fork(beside.MIN_ITEMS - 1)
    monkeypatch.setattr("threading.active_count", lambda: 3)  # the web app scans in a thread
    assert not beside.can_fork(beside.MIN_ITEMS * 10)
