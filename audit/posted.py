"""The post's own time as evidence: a post sent during the night it describes dates the encounter.

"3am and bed 4 is pulling out his lines" is an identifier already; posted at
03:40 it is worse, because the post's timestamp now confirms that the story is
real and pins it to a date and hour anyone with the admission log can match.
The text's clock times are read with the `time_exact` rule's own pattern, and
the post's UTC time is turned into the user's local time (the computer's zone,
or the one given with `--timezone`) before the two are compared.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from audit.model import Evidence
from audit.rules import PATIENT, RULES_BY_NAME, lower_keeping_spans

# How long after the clock time it mentions a post still counts as written during the event.
WINDOW_HOURS = 3
LABEL = "posting time"

_CLOCK = RULES_BY_NAME["time_exact"].regex
_PARTS = re.compile(r"(\d{1,2}):?(\d{2})?\s?([ap])?")


def zone(name: str) -> tzinfo | None:
    """The named IANA zone, or None for the computer's own; raises ValueError for an unknown name."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r} (use a name like Europe/London or America/Chicago)") from exc


def _minutes(mention: str) -> int | None:
    """Minutes after midnight of "3am", "11:40 p.m.", "0300 hrs"; None for what is not a time."""
    m = _PARTS.match(mention)
    if m is None:
        return None
    digits, minutes, half = m.group(1), m.group(2), m.group(3)
    if half is None and minutes is None and len(digits) == 2:  # "0300 hrs" reads as 03 + 00
        return None
    hour = int(digits)
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    return hour * 60 + int(minutes or 0)


def posted_during(text: str, created_at: datetime | None, tz: tzinfo | None = None) -> Evidence | None:
    """Evidence on the clock time the post mentions when the post was sent within hours after it."""
    if created_at is None or _CLOCK is None:
        return None
    lowered = lower_keeping_spans(text)
    local = created_at.astimezone(tz)
    posted = local.hour * 60 + local.minute
    for match in _CLOCK.finditer(lowered):
        said = _minutes(match.group(0))
        if said is None:
            continue
        after = (posted - said) % (24 * 60)
        if after <= WINDOW_HOURS * 60:
            reason = (f"posted at {local:%H:%M} local time, within {WINDOW_HOURS} hours after the {match.group(0).strip()} "
                      "it describes: the post's own timestamp dates the encounter")
            return Evidence(PATIENT, match.start(), match.end(), text[match.start():match.end()], reason)
    return None
