"""The labelled posts the team wrote, and the split between training and held-out."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from audit.model import CATEGORIES

HELDOUT = "heldout.jsonl"
# Sixteen writers who wrote to the same brief as the last training rounds, kept out of training:
# a larger, more varied test of posts by strangers than the single held-out writer.
HELDOUT_WRITERS = "heldout_writers"


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    kind: str
    platform: str
    labels: frozenset[str]
    origin: str

    @property
    def writer(self) -> str:
        """Each file is one writer's: the unit that evaluation and threshold choice hold out."""
        return self.origin.split(":", 1)[0]


def corpus_dir() -> Path:
    return Path(str(resources.files("audit") / "corpus"))


def training_files() -> list[Path]:
    """Every `*.jsonl` in the corpus folder but the held-out file: what the model learns from and its cache key hashes."""
    folder = corpus_dir()
    return sorted(p for p in folder.glob("*.jsonl") if p.name != HELDOUT)


def load(*, heldout: bool) -> list[Example]:
    """Training files, or the held-out file alone."""
    return _read([corpus_dir() / HELDOUT] if heldout else training_files())


def load_heldout_writers() -> list[Example]:
    """The held-out writers' posts (never trained on), each file one writer."""
    return _read(sorted((corpus_dir() / HELDOUT_WRITERS).glob("*.jsonl")))


def _read(files: list[Path]) -> list[Example]:
    examples: list[Example] = []
    for path in files:
        if not path.exists():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            labels = frozenset(row.get("labels") or ())
            unknown = labels - set(CATEGORIES)
            if unknown:
                raise ValueError(f"{path.name}:{number}: unknown labels {sorted(unknown)}")
            examples.append(Example(row["text"], row.get("kind", "post"), row.get("platform", "x"), labels, f"{path.name}:{number}"))
    return examples
