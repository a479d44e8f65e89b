"""Times shown as the user lived them: in the zone post times were read in (`--timezone`, else this computer's).

The evidence says "posted at 03:40 local time"; the card beside it must not say 08:40,
and a post sent at 23:10 belongs to that day in the checklist, not the next.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from audit import posted
from audit.pipeline import ScanResult


def zone(result: ScanResult) -> tzinfo | None:
    """The scan's zone; None is this computer's own (the name was checked when the scan started)."""
    try:
        return posted.zone(result.context.timezone)
    except ValueError:
        return None


def offset_label(offset: timedelta | None) -> str:
    """`UTC` or `UTC-05:00`: a reader comparing with the platform's own dates needs to know which clock this is."""
    if not offset:
        return "UTC"
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def stamp(moment: datetime | None, tz: tzinfo | None, *, clock: bool = True) -> str:
    """`2019-07-03 03:40 UTC-05:00`, or just the day."""
    if moment is None:
        return "undated"
    local = moment.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {offset_label(local.utcoffset())}" if clock else f"{local:%Y-%m-%d}"


def shown(iso_text: str) -> str:
    """A time from the report's data (`iso`), as `stamp` shows it; report.js does the same in the browser."""
    if not iso_text:
        return "undated"
    moment = datetime.fromisoformat(iso_text)
    return stamp(moment, moment.tzinfo)


def iso(moment: datetime | None, tz: tzinfo | None) -> str:
    """Local time with its offset (`2019-07-03T03:40:00-05:00`), for the report's data and its sorting."""
    return moment.astimezone(tz).isoformat(timespec="seconds") if moment is not None else ""
