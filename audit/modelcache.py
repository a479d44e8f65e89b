"""The trained model kept between scans, so only the first scan on a computer pays for training.

Training takes a few seconds; on a large export that is a fifth of the scan.
The cache holds only what was learned from the team's corpus (vocabularies,
weights, thresholds), never anything of the user's. It is a NumPy archive read
with `allow_pickle=False`, so a planted file cannot run code, and its name is a
hash of everything training depends on (corpus, classifier and rule sources,
library versions): any change trains afresh. A file that cannot be read is
ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from audit import corpus

if TYPE_CHECKING:
    import numpy as np

_SOURCES = ("classifier.py", "rules.py", "prefilter.py", "corpus.py", "modelcache.py")


def directory() -> Path:
    """`BACKSCROLL_CACHE`, else the user's cache folder (`XDG_CACHE_HOME` or ~/.cache)."""
    explicit = os.environ.get("BACKSCROLL_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "backscroll"


def key() -> str:
    """From the installed versions, not the imported modules: a scan's parent process checks the cache without
    loading scikit-learn, which costs it about 100 MB while workers do the classifying."""
    digest = hashlib.sha256(f"{metadata.version('scikit-learn')}|{metadata.version('numpy')}".encode())
    here = Path(__file__).resolve().parent
    for name in _SOURCES:
        digest.update(name.encode() + b"\0" + (here / name).read_bytes())
    for path in corpus.training_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:24]


def path() -> Path:
    return directory() / f"model-{key()}.npz"


def load(where: Path) -> dict[str, np.ndarray] | None:
    """The arrays of a cached model, or None when there is none or it cannot be read."""
    import numpy as np

    try:
        with open(where, "rb") as fh:
            archive = np.load(fh, allow_pickle=False)
            if not isinstance(archive, np.lib.npyio.NpzFile):
                return None
            with archive:
                return {name: archive[name] for name in archive.files}
    except Exception:  # missing, truncated, not a zip: train again
        return None


def save(where: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write atomically and privately; a cache that cannot be written is simply not kept."""
    import numpy as np

    try:
        where.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=where.parent, prefix=".model-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)
            os.replace(tmp, where)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        return
