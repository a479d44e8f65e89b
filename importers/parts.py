"""Whether the inputs of a Facebook or Instagram scan look like only some parts of a split export, or like two downloads.

Meta splits a large export into several zips, listed on its download page. A
user who downloads only one gets a scan that silently covers part of the
account. Two kinds of evidence are read, and nothing else:

- part numbers in the file names (`…-part2.zip`, `… 2 of 3.zip`): the parts
  below the highest number, or up to the total, that were not given;
- no profile file: every complete export has one, in exactly one part, so its
  absence means another part (or a download of only some categories) exists.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from audit.archive import Archive, input_name
from audit.model import Platform
from importers.base import find
from importers.facebook import PROFILE_FILES as FACEBOOK_PROFILE
from importers.instagram import PROFILE_FILES as INSTAGRAM_PROFILE

# "part2", "part_2", "Part 2 of 3", "2-of-3", "(2 of 3)"; never a date's digits.
_PART = re.compile(r"(?<![a-z0-9])part[ _-]?(\d{1,2})(?:[ _-]?of[ _-]?(\d{1,2}))?(?!\d)", re.IGNORECASE)
_OF = re.compile(r"(?<!\d)(\d{1,2})[ _-]?of[ _-]?(\d{1,2})(?!\d)", re.IGNORECASE)
_PROFILES = {
    Platform.FACEBOOK: (FACEBOOK_PROFILE, "personal_information/profile_information/profile_information.json"),
    Platform.INSTAGRAM: (rf"(?:{INSTAGRAM_PROFILE}|profile\.json)", "personal_information/personal_information/personal_information.json"),
}
_ADVICE = "The scan covers only what was given: download every part (Meta's download page lists them) and scan them together."


def part_number(name: str) -> tuple[int, int | None] | None:
    """(part, total or None) from a file name, or None when it names no part."""
    stem = os.path.basename(name.rstrip("/\\"))
    found = _PART.search(stem) or _OF.search(stem)
    if found is None or int(found.group(1)) < 1:
        return None
    total = int(found.group(2)) if found.group(2) else None
    return int(found.group(1)), total if total and total >= int(found.group(1)) else None


def missing_by_name(paths: Sequence[str], brand: str) -> str | None:
    """What the numbered file names say is missing, or None when they say nothing."""
    numbered = {p: n for p in paths if (n := part_number(p)) is not None}
    if not numbered:
        return None
    given = {part for part, _ in numbered.values()}
    total = max((t for _, t in numbered.values() if t), default=None)
    names = ", ".join(os.path.basename(p.rstrip("/\\")) for p in numbered)
    missing = [n for n in range(1, (total or max(given)) + 1) if n not in given]
    if missing:
        of = f" (of {total})" if total else ""
        return (f"{names} look{'s' if len(numbered) == 1 else ''} like part{'s' if len(given) > 1 else ''} "
                f"{_join(sorted(given))}{of} of a {brand} export Meta split into several zips, but "
                f"part{'s' if len(missing) > 1 else ''} {_join(missing)} {'were' if len(missing) > 1 else 'was'} not given. {_ADVICE}")
    if given == {1} and total is None and len(paths) == 1:
        return (f"{names} looks like part 1 of a {brand} export Meta split into several zips, and no other part was "
                f"given. If Meta's download page lists more parts, download them and scan them together with it.")
    return None


def missing_profile(platform: Platform, archive: Archive) -> str | None:
    """The profile file every complete export has, when no input holds it."""
    pattern, where = _PROFILES[platform]
    if find(archive, pattern):
        return None
    brand = platform.title()
    return (f"{archive.label} hold{'s' if len(archive.paths) == 1 else ''} no profile information ({where}), which every "
            f"complete {brand} export has: this looks like one part of an export Meta split into several zips, or a "
            f"download of only some of your information. {_ADVICE}")


def incomplete(platform: Platform, paths: Sequence[str], archive: Archive) -> str | None:
    """One plain sentence when a Meta scan's inputs look like only some parts of the export, else None."""
    if platform not in _PROFILES:
        return None
    return missing_by_name(paths, platform.title()) or missing_profile(platform, archive)


def _join(numbers: Sequence[int]) -> str:
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def overlap(platform: Platform, archive: Archive) -> str | None:
    """One plain sentence when inputs hold different files of the same name: two downloads of the account, not parts.

    Parts of one export never share a data file's name; two downloads made on different days do.
    Both versions were read and the items in both kept once, so nothing is lost; what only the
    older download holds may already be gone from the platform.
    """
    if not archive.overlaps:
        return None
    pairs = "; ".join(f"{input_name(a)} and {input_name(b)} ({n} file{'s' if n > 1 else ''})" for (a, b), n in archive.overlaps.items())
    return (f"Some inputs hold different versions of the same {platform.title()} files: {pairs}. They look like two "
            f"downloads of your account, not parts of one. Both were read, and what appears in both is listed once; "
            f"what only the older download holds may already be deleted from {platform.title()}.")
