"""What the user tells backscroll about their work, so those names count as identifiers."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from audit.model import AccountInfo

# Capitalised runs in a bio ("EM resident @ Mercy General") name places and employers.
_PROPER = re.compile(r"\b[A-Z][\w'&-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w'&-]*)+")
_CLAUSES = re.compile(r"[.!?|•·/,;:@()\[\]]+")
_BIO_NOISE = frozenset({"Opinions Mine", "Views Mine", "Tweets Mine", "He Him", "She Her", "They Them"})


@dataclass(frozen=True, slots=True)
class Context:
    workplaces: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    timezone: str = ""  # IANA name for reading post times as local hours; "" is the computer's own zone

    def with_account(self, info: AccountInfo) -> Context:
        """Add names found in the profile bio and location of an export."""
        clauses = _CLAUSES.split(info.bio or "")
        found = [m.group(0).strip() for clause in clauses for m in _PROPER.finditer(clause)]
        found = [f for f in found if f not in _BIO_NOISE and len(f) > 3]
        places = (info.location,) if info.location and len(info.location) > 2 else ()
        return replace(self, workplaces=_merge(self.workplaces, found), places=_merge(self.places, places))

    def terms(self) -> list[tuple[str, str]]:
        """(term, what it is) pairs, longest first so `Mercy General` wins over `Mercy`."""
        pairs = [(t, "your workplace") for t in self.workplaces]
        pairs += [(t, "your unit") for t in self.units]
        pairs += [(t, "your town") for t in self.places]
        pairs += [(t, "a colleague's name") for t in self.people]
        return sorted({(t.strip(), what) for t, what in pairs if t.strip()}, key=lambda p: -len(p[0]))


def _merge(old: tuple[str, ...], new: object) -> tuple[str, ...]:
    out = list(old)
    for term in new:  # type: ignore[attr-defined]
        if term and term.lower() not in {o.lower() for o in out}:
            out.append(term)
    return tuple(out)
