"""Classify in worker processes while the import is still running.

A scan is import (one core, Python) then classification (CPU-bound, per item).
On a large export the first worker is forked before the import starts, while
the process is still small, and loads the model there, then classifies beside
the import. On the first scan on a computer it trains the model first, and the
import waits for it: training beside the import held both in memory at once
(1.1 GB on the 200,000-post benchmark) to save the few seconds the import takes.
Once the import is over it forks a second worker, which inherits
the model instead of training it again; started earlier, three busy processes
on two cores only slowed each other (the import took half as long again). The
importing process sends chunks of text as soon as it has read them and gets
compact verdicts back, in chunk order, so the result is the same as classifying
in one process. If a worker dies, its chunks are classified in-process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

from audit import modelcache
from audit.context import Context
from audit.model import Evidence, Item, Verdict, item_columns

CHUNK = 2000
Progress = Callable[[str, int, int | None], None]
Compact = tuple[tuple[tuple[str, float], ...], tuple[str, ...], int, tuple[tuple[Any, ...], ...], str]


class Classification:
    """Verdicts for a growing list of items: `feed` while importing, `finish` once it is complete."""

    def __init__(self, workers: int, progress: Progress | None = None) -> None:
        self.workers = workers
        self.progress = progress
        self.context: Context | None = None
        self.sent = 0
        self.chunks: list[tuple[int, int, Context]] = []
        self.results: dict[int, tuple[Context, list[Compact]]] = {}
        self._zygote: Any = None
        if workers:
            self._start()

    def _start(self) -> None:
        # Where forking is unsafe the first worker starts fresh instead, which costs a second.
        ctx = multiprocessing.get_context("fork" if fork_is_safe() else "spawn")
        self._tasks: Any = ctx.Queue()
        self._done: Any = ctx.Queue()
        self._imported: Any = ctx.Event()
        self._trained: Any = ctx.Event()  # kept here: a spawned child unpickles it after this call returns
        self._zygote = ctx.Process(target=_zygote, args=(self._tasks, self._done, self._imported, self._trained, self.workers,
                                                         os.getpid()), daemon=False)
        self._zygote.start()
        if not self._model_ready():
            self._say("model")
            while not self._trained.wait(0.5) and self._zygote.is_alive():
                pass

    def set_context(self, context: Context) -> None:
        """What the profiles read so far say; chunks sent under an older context are redone at the end."""
        self.context = context

    def feed(self, items: Sequence[Item]) -> bool:
        """Send the next full chunk to the workers; True once per chunk, for progress."""
        if len(items) - self.sent < CHUNK:
            return False
        if self.workers and self.context is not None:
            self._send(items, self.sent, self.sent + CHUNK, self.context)
        self.sent += CHUNK
        return True

    def _send(self, items: Sequence[Item], start: int, end: int, context: Context) -> None:
        chunk = items[start:end]
        self._tasks.put((len(self.chunks), context, *item_columns(chunk)))
        self.chunks.append((start, end, context))

    def finish(self, items: Sequence[Item], context: Context) -> list[Verdict]:
        """Every item's verdict under the final context, in item order."""
        if not self.workers:
            from audit.classifier import load_classifier

            self._say_if_training()
            return load_classifier(context).classify_items(items, progress=self.progress)
        covered = 0
        for start, end, used in list(self.chunks):
            if used != context:
                self._send(items, start, end, context)
            covered = max(covered, end)
        for start in range(covered, len(items), CHUNK):
            self._send(items, start, min(start + CHUNK, len(items)), context)
        for _ in range(self.workers):
            self._tasks.put(None)
        self._imported.set()
        self._say_if_training()  # the first worker may still be training: no verdict comes back until it is done
        self._collect(items, context)
        return self._assemble(items, context)

    def _say_if_training(self) -> None:
        """The first scan on a computer trains the model before anything is classified, for up to two minutes:
        say so, so the progress display does not sit on "opening" or "reading" all that time."""
        if not self._model_ready():
            self._say("model")

    def _say(self, stage: str) -> None:
        if self.progress is not None:
            self.progress(stage, 0, None)

    @staticmethod
    def _model_ready() -> bool:
        # With workers this process never classifies: importing the classifier here would load scikit-learn for
        # nothing (about 100 MB). The workers save the model to the cache once trained.
        classifier = sys.modules.get("audit.classifier")
        return classifier.model_ready() if classifier is not None else modelcache.path().exists()

    def _wanted(self, context: Context) -> set[int]:
        """Chunk ids whose verdicts are still missing under the final context."""
        have = {self.chunks[i][:2] for i, (used, _) in self.results.items() if used == context}
        return {i for i, (start, end, used) in enumerate(self.chunks) if used == context and (start, end) not in have}

    def _collect(self, items: Sequence[Item], context: Context) -> None:
        total = len(items)
        while self._wanted(context):
            try:
                message = self._done.get(timeout=0.5)
            except queue.Empty:
                if self._zygote.is_alive():
                    continue
                break
            if message[0] == "ok":
                _, chunk_id, verdicts = message
                self.results[chunk_id] = (self.chunks[chunk_id][2], verdicts)
                if self.progress:
                    self.progress("classify", min(total, sum(len(v) for used, v in self.results.values() if used == context)), total)

    def _assemble(self, items: Sequence[Item], context: Context) -> list[Verdict]:
        by_range = {self.chunks[i][:2]: v for i, (used, v) in self.results.items() if used == context}
        out: list[Verdict] = []
        for start in range(0, len(items), CHUNK):
            end = min(start + CHUNK, len(items))
            compact = by_range.get((start, end))
            if compact is None:  # a worker died or failed: classify here, same result
                out += _local(items[start:end], context)
            else:
                out += [_expand(c) for c in compact]
        return out

    def close(self) -> None:
        if self._zygote is None:
            return
        if self._zygote.is_alive():
            for _ in range(self.workers):
                self._tasks.put(None)
            self._zygote.join(timeout=5)
        if self._zygote.is_alive():
            self._zygote.terminate()
            self._zygote.join(timeout=5)
        for channel in (self._tasks, self._done):
            channel.close()
            channel.cancel_join_thread()
        if not self._zygote.is_alive():
            self._zygote.close()
        self._zygote = None

    def __enter__(self) -> Classification:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def usable_cores() -> int:
    """The cores this process may run on (a container or `taskset` can allow fewer than the machine has)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def fork_is_safe() -> bool:
    """Only a single-threaded process may fork: a thread holding a lock (the web app scans in one)
    would leave the child's copy of it held forever."""
    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()


def _local(items: Sequence[Item], context: Context) -> list[Verdict]:
    from audit.classifier import load_classifier

    return load_classifier(context).classify_texts(*item_columns(items))


def _compact(v: Verdict) -> Compact:
    """A verdict as plain tuples: a fifth of the pickling cost of the dataclasses."""
    evidence = tuple((e.category, e.start, e.end, e.text, e.reason, e.weight) for e in v.evidence)
    return tuple(v.scores.items()), v.flags, v.risk, evidence, v.summary


def _expand(c: Compact) -> Verdict:
    scores, flags, risk, evidence, summary = c
    return Verdict(dict(scores), flags, risk, tuple(Evidence(*e) for e in evidence) if evidence else (), summary)


def _zygote(tasks: Any, done: Any, imported: Any, trained: Any, workers: int, parent: int) -> None:
    """Train once, classify beside the import, and fork the other workers once the import is over."""
    from audit.classifier import _trained_base

    _trained_base()
    trained.set()
    gc.freeze()  # the model is built for good: never scan it again, nor copy its pages into the forked workers
    siblings: list[Any] = []

    def grow() -> None:
        if imported.is_set() and not siblings:
            for _ in range(workers - 1):
                sibling = multiprocessing.get_context("fork").Process(target=_serve, args=(tasks, done, os.getpid()), daemon=False)
                sibling.start()
                siblings.append(sibling)

    _serve(tasks, done, parent, grow)
    for sibling in siblings:
        sibling.join()


def _serve(tasks: Any, done: Any, parent: int, between: Callable[[], None] | None = None) -> None:
    """Classify chunks until told to stop, or until the process that started us is gone."""
    from audit.classifier import load_classifier

    bound: dict[Context, Any] = {}
    while True:
        if between is not None:
            between()
        try:
            task = tasks.get(timeout=1.0)
        except queue.Empty:
            if os.getppid() != parent:
                return
            continue
        if task is None:
            return
        chunk_id, context, texts, kinds, times = task
        try:
            classifier = bound.get(context) or bound.setdefault(context, load_classifier(context))
            verdicts = classifier.classify_texts(texts, kinds, times)
        except Exception as exc:  # the parent redoes the chunk and reports the error itself
            done.put(("error", chunk_id, repr(exc)))
            continue
        done.put(("ok", chunk_id, [_compact(v) for v in verdicts]))
