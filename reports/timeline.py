"""Posts and flagged posts per month as inline SVG, and a sentence naming the riskiest stretch.

People look before they read: a spike of flagged posts in one year of
training says more than a table. The chart is drawn here, not in the page's
script, so it shows in print and with scripts off, and costs nothing at open.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from audit.model import CATEGORIES, CATEGORY_TITLES, Finding, Kind

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WIDTH, PANEL, GAP, LEFT, BOTTOM = 960, 90, 26, 44, 22
NIGHT = (22, 6)  # 22:00 to 06:00 local time


@dataclass(frozen=True, slots=True)
class Timeline:
    months: list[tuple[int, int]]
    posts: list[int]
    flagged: list[dict[str, int]]  # per month: category -> count (each flagged item under its top category)
    sentence: str
    svg: str


def _month(moment: datetime) -> tuple[int, int]:
    return moment.year, moment.month


def _label(month: tuple[int, int]) -> str:
    return f"{MONTHS[month[1] - 1]} {month[0]}"


def _top_category(f: Finding) -> str:
    return max(f.verdict.flags, key=lambda c: f.verdict.scores.get(c, 0.0))


def build(findings: Sequence[Finding], tz: tzinfo | None = None) -> Timeline:
    """Count own writing per month (received messages are someone else's) and draw it."""
    posts: Counter[tuple[int, int]] = Counter()
    flagged: dict[tuple[int, int], Counter[str]] = {}
    risky_hours: list[tuple[tuple[int, int], int]] = []
    for f in findings:
        if f.item.created_at is None or f.item.kind == Kind.DM_RECEIVED:
            continue
        local = f.item.created_at.astimezone(tz)
        month = _month(local)
        posts[month] += 1
        if f.verdict.flags:
            flagged.setdefault(month, Counter())[_top_category(f)] += 1
            risky_hours.append((month, local.hour))
    if not posts:
        return Timeline([], [], [], "No dated posts to chart.", "")
    first, last = min(posts), max(posts)
    months: list[tuple[int, int]] = []
    y, m = first
    while (y, m) <= last:
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    per_month = [dict(flagged.get(mo, Counter())) for mo in months]
    counts = [posts.get(mo, 0) for mo in months]
    sentence = busiest_sentence(months, per_month, risky_hours, getattr(tz, "key", None) or "this computer's time zone")
    return Timeline(months, counts, per_month, sentence, _svg(months, counts, per_month))


def busiest_sentence(months: list[tuple[int, int]], per_month: list[dict[str, int]],
                     risky_hours: list[tuple[tuple[int, int], int]], zone_name: str) -> str:
    """Name the three-month stretch with most flagged posts, and whether they were written at night."""
    totals = [sum(c.values()) for c in per_month]
    total = sum(totals)
    if total == 0:
        return "Nothing was flagged in any month."
    span = min(3, len(months))
    best = max(range(len(months) - span + 1), key=lambda i: (sum(totals[i:i + span]), -i))
    window = set(months[best:best + span])
    in_window = sum(totals[best:best + span])
    cats: Counter[str] = Counter()
    for c in per_month[best:best + span]:
        cats.update(c)
    hours = [h for mo, h in risky_hours if mo in window]
    night = sum(1 for h in hours if h >= NIGHT[0] or h < NIGHT[1])
    where = _label(months[best]) if span == 1 else f"{_label(months[best])} to {_label(months[best + span - 1])}"
    top = CATEGORY_TITLES[cats.most_common(1)[0][0]].lower()
    text = (f"The busiest risky stretch was {where}: {in_window} flagged posts "
            f"({round(100 * in_window / total)}% of all {total} flagged among your own dated posts), mostly {top}")
    if hours and night / len(hours) >= 0.5:
        text += f", {round(100 * night / len(hours))}% of them written at night (22:00 to 06:00, {zone_name})"
    all_night = sum(1 for _, h in risky_hours if h >= NIGHT[0] or h < NIGHT[1])
    text += "."
    if risky_hours and all_night / len(risky_hours) >= 0.5:
        text += f" Across all years, {round(100 * all_night / len(risky_hours))}% of flagged posts were written at night."
    return text


def _svg(months: list[tuple[int, int]], posts: list[int], flagged: list[dict[str, int]]) -> str:
    """Two stacked panels sharing the month axis: all posts (grey), flagged by category (coloured)."""
    n = len(months)
    plot = WIDTH - LEFT - 8
    bar = plot / n
    height = 2 * PANEL + GAP + BOTTOM + 16
    top_max = max(posts) or 1
    low_max = max((sum(c.values()) for c in flagged), default=0) or 1
    low_y = 16 + PANEL + GAP
    parts = [f'<svg class="timeline" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="tl-title tl-desc" '
             f'xmlns="http://www.w3.org/2000/svg">',
             '<title id="tl-title">Posts and flagged posts per month</title>',
             f'<desc id="tl-desc">{n} months from {_label(months[0])} to {_label(months[-1])}. '
             f'At most {top_max} posts and {low_max} flagged posts in one month.</desc>',
             f'<text x="{LEFT}" y="11" class="tl-label">All posts per month (max {top_max})</text>',
             f'<text x="{LEFT}" y="{low_y - 5}" class="tl-label">Flagged per month by category (max {low_max})</text>']
    w = max(bar - (1 if bar > 3 else 0), 0.5)
    for i, (mo, count) in enumerate(zip(months, posts, strict=True)):
        x = LEFT + i * bar
        flag_total = sum(flagged[i].values())
        tip = f"{_label(mo)}: {count} post{'' if count == 1 else 's'}, {flag_total} flagged"
        if count:
            h = PANEL * count / top_max
            parts.append(f'<rect x="{x:.1f}" y="{16 + PANEL - h:.1f}" width="{w:.1f}" height="{h:.1f}" class="tl-posts">'
                         f'<title>{tip}</title></rect>')
        base = low_y + PANEL
        for cat in CATEGORIES:
            c = flagged[i].get(cat, 0)
            if not c:
                continue
            h = PANEL * c / low_max
            base -= h
            parts.append(f'<rect x="{x:.1f}" y="{base:.1f}" width="{w:.1f}" height="{h:.1f}" class="tl-{cat}">'
                         f'<title>{tip}; {c} {CATEGORY_TITLES[cat].lower()}</title></rect>')
    for y0 in (16 + PANEL, low_y + PANEL):
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - 8}" y1="{y0}" y2="{y0}" class="tl-axis"/>')
    step = max(1, round(n / 12 / 12)) * 12  # a label every year, or every few years for long histories
    for i, mo in enumerate(months):
        if mo[1] == 1 or i == 0:
            if i and (mo[0] - months[0][0]) % (step // 12):
                continue
            x = LEFT + i * bar
            parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="16" y2="{low_y + PANEL + 4}" class="tl-tick"/>')
            if x + 30 <= WIDTH:  # a year label cut off at the right edge reads as a wrong year
                parts.append(f'<text x="{x + 2:.1f}" y="{low_y + PANEL + 16}" class="tl-year">{mo[0]}</text>')
    parts.append("</svg>")
    return "".join(parts)
