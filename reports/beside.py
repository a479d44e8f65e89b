"""Write some outputs in a forked copy of this process while this one writes the others.

After a large scan, writing the report and the CSV/JSON files is ten seconds of
single-core work while the second core idles. A forked child sees the finished
scan without copying or pickling it, writes its share and exits. A child that
fails says nothing (no traceback on the user's terminal): the parent writes its
share again itself, so any error surfaces where the CLI reports errors.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable

from audit.parallel import fork_is_safe, usable_cores

# Below this many items the outputs take well under a second: not worth a process.
MIN_ITEMS = 20_000


def can_fork(items: int) -> bool:
    """Worth it for a large scan on more than one core, and safe only in a single-threaded process."""
    return items >= MIN_ITEMS and usable_cores() > 1 and fork_is_safe()


def beside(task: Callable[[], None], fork: bool) -> Callable[[], None]:
    """Start `task` in a child when `fork`; the returned function waits for it, redoing the task here if the child failed."""
    if not fork:
        return task
    child = multiprocessing.get_context("fork").Process(target=_run, args=(task,), daemon=False)
    child.start()

    def wait() -> None:
        child.join()
        failed = child.exitcode != 0
        child.close()
        if failed:
            task()

    return wait


def _run(task: Callable[[], None]) -> None:
    try:
        task()
    except BaseException:
        os._exit(1)
    os._exit(0)
