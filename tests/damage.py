"""Copies of fixture exports with records damaged at random, for the importers' robustness tests."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path

SCALARS = (None, True, False, 0, -1, 1.5, 2**70, -(2**70), 1e300, "", "x", "2018-05-01T12:00:00", "1700000000",
           "caf\u00c3\u00a9", "\ud800", "(1, 2)", "(91 , 200)")


def garbage(rng: random.Random, keys: Sequence[str], depth: int = 0) -> object:
    """A JSON value shaped loosely like the platform's records, with the wrong type wherever chance puts it."""
    roll = rng.random()
    if depth > 3 or roll < 0.35:
        return rng.choice(SCALARS)
    if roll < 0.55:
        return [garbage(rng, keys, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(keys): garbage(rng, keys, depth + 1) for _ in range(rng.randint(0, 5))}


def mutate(rng: random.Random, value: object, keys: Sequence[str]) -> object:
    """The value with a few of its parts swapped for garbage, keys dropped, or lists emptied."""
    if rng.random() < 0.08:
        return garbage(rng, keys, 2)
    if isinstance(value, dict):
        return {k: mutate(rng, v, keys) for k, v in value.items() if rng.random() > 0.05}
    if isinstance(value, list):
        return [mutate(rng, v, keys) for v in value if rng.random() > 0.05]
    return value


def damaged_copy(source: Path, dest: Path, seed: int, keys: Sequence[str]) -> Path:
    """Every JSON file of `source` damaged by `mutate`; other files copied as they are."""
    rng = random.Random(seed)
    for path in sorted(source.rglob("*")):
        if not path.is_file():
            continue
        target = dest / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            target.write_text(json.dumps(mutate(rng, json.loads(path.read_text()), keys)))
        except (UnicodeDecodeError, json.JSONDecodeError):
            target.write_bytes(path.read_bytes())
    return dest
