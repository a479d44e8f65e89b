"""Substrings every match of a regex must contain, so a rule's regex runs only on texts that have them.

Twenty-odd rule regexes scanned every post and were half of the classifier's
time, though each matches only a few posts in a hundred. A gate is a list of
clauses; each clause is a set of substrings of which a match must contain at
least one (`DIGIT` stands for any decimal digit). It is read off the parsed
pattern, never written by hand, so it cannot drift from the regex: literal runs
in a sequence, a union over alternatives, repeats of at least one. Anything the
reader does not understand (lookarounds, case-insensitive groups) adds no
clause, which keeps the gate sound: it can let a text through needlessly, but
never stop one the regex would have matched.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

try:  # Python 3.11+: the parser moved under re; without it, rules simply run ungated.
    from re import _constants as _c
    from re import _parser as _p
except ImportError:  # pragma: no cover
    _c = _p = None  # type: ignore[assignment]

DIGIT = r"\d"
MAX_CLAUSES = 3
# Checking a clause of many substrings costs more than the regex it would spare.
MAX_ALTERNATIVES = 12

_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT) if _c else ()

Clause = frozenset[str]
Gate = tuple[re.Pattern[str], ...]


def clauses(pattern: re.Pattern[str]) -> list[Clause]:
    """The most selective clauses every match of `pattern` satisfies; empty means "always run"."""
    if _p is None or pattern.flags & re.IGNORECASE:
        return []
    try:
        found = _sequence(_p.parse(pattern.pattern, pattern.flags))
    except Exception:  # an unknown construct: run the regex on every text, as before
        return []
    cheap = [c for c in set(found) if len(c) <= MAX_ALTERNATIVES]
    return sorted(cheap, key=_strength, reverse=True)[:MAX_CLAUSES]


def gate(pattern: re.Pattern[str]) -> Gate:
    """Each clause as one search (`\\d|yo`): a few substring tests in C instead of a loop in Python."""
    return tuple(re.compile("|".join(DIGIT if s == DIGIT else re.escape(s) for s in sorted(c))) for c in clauses(pattern))


def passes(gate: Gate, text: str) -> bool:
    """Whether `text` could hold a match of the regex the gate was made for."""
    return all(clause.search(text) is not None for clause in gate)


def _strength(clause: Clause) -> tuple[float, int]:
    """Longer shortest alternative first, then fewer alternatives: "trauma" rules out more posts than "a".

    A digit counts between one and two letters: most posts have an "e", far fewer a digit.
    """
    return min(1.5 if s == DIGIT else len(s) for s in clause), -len(clause)


def _sequence(items: Sequence[tuple[Any, Any]]) -> list[Clause]:
    """Consecutive literals form one substring; every other element adds its own clauses."""
    clauses: list[Clause] = []
    run: list[str] = []
    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        if op in _REPEATS and av[0] >= 1 and len(av[2]) == 1 and av[2][0][0] is _c.LITERAL:
            run.append(chr(av[2][0][1]) * av[0])  # `r\*+` must contain "r*"
            if av[1] != av[0]:  # more may follow: the next literal is not adjacent
                clauses.append(frozenset({"".join(run)}))
                run = []
            continue
        if run:
            clauses.append(frozenset({"".join(run)}))
            run = []
        clauses += _element(op, av)
    if run:
        clauses.append(frozenset({"".join(run)}))
    return clauses


def _element(op: Any, av: Any) -> list[Clause]:
    if op is _c.SUBPATTERN:
        _, add_flags, _, sub = av
        return [] if add_flags & re.IGNORECASE else _sequence(sub)
    if op is _c.ATOMIC_GROUP:
        return _sequence(av)
    if op in _REPEATS:
        low, _, sub = av
        return _sequence(sub) if low >= 1 else []
    if op is _c.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            options = _sequence(branch)
            if not options:
                return []
            union |= max(options, key=_strength)
        return [frozenset(union)]
    if op is _c.IN:
        if all(kind is _c.LITERAL for kind, _ in av):
            return [frozenset(chr(c) for _, c in av)]
        if av in ([(_c.CATEGORY, _c.CATEGORY_DIGIT)], [(_c.RANGE, (48, 57))]):
            return [frozenset({DIGIT})]
    return []
