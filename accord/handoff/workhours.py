"""A rep's working calendar: working hours on working days in the rep's timezone, minus time off.

SLA clocks run only inside it: :func:`add_working_minutes` finds when an SLA falls due,
:func:`working_minutes_between` measures what is left, :func:`is_available` tells routing whether
the rep is at work now. Pure functions over a :class:`Calendar`; no database access.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_DAYS = 3 * 366  # never search further ahead than this for working time


@dataclass(frozen=True)
class Calendar:
    tz: str = "UTC"
    work_days: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    start: time = time(9, 0)
    end: time = time(17, 0)
    time_off: tuple[tuple[datetime, datetime], ...] = field(default_factory=tuple)

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")


def calendar_for(profile: object | None, time_off: Sequence[tuple[datetime, datetime]] = ()) -> Calendar:
    """The calendar of a RepProfile (or the default 9–17 Monday–Friday UTC one for None)."""
    if profile is None:
        return Calendar(time_off=tuple(sorted(time_off)))
    return Calendar(
        tz=getattr(profile, "timezone", "UTC") or "UTC",
        work_days=frozenset(int(d) for d in getattr(profile, "work_days", None) or ()),
        start=getattr(profile, "work_start", time(9, 0)),
        end=getattr(profile, "work_end", time(17, 0)),
        time_off=tuple(sorted(time_off)),
    )


def _subtract(
    window: tuple[datetime, datetime], offs: Sequence[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    pieces = [window]
    for off_start, off_end in offs:
        nxt = []
        for a, b in pieces:
            if off_end <= a or off_start >= b:
                nxt.append((a, b))
                continue
            if a < off_start:
                nxt.append((a, off_start))
            if off_end < b:
                nxt.append((off_end, b))
        pieces = nxt
    return pieces


def _windows(cal: Calendar, since: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Working intervals (aware datetimes) ending after ``since``, in order, clipped to start at ``since``."""
    if not cal.work_days or cal.end <= cal.start:
        return
    zone = cal.zone
    day: date = since.astimezone(zone).date()
    for _ in range(MAX_DAYS):
        if day.isoweekday() in cal.work_days:
            a = datetime.combine(day, cal.start, tzinfo=zone)
            b = datetime.combine(day, cal.end, tzinfo=zone)
            if b > since:
                for piece_a, piece_b in _subtract((max(a, since), b), cal.time_off):
                    if piece_b > piece_a:
                        yield piece_a, piece_b
        day += timedelta(days=1)


def add_working_minutes(cal: Calendar, start: datetime, minutes: int) -> datetime:
    """The moment ``minutes`` of working time after ``start``."""
    left = timedelta(minutes=minutes)
    last = start
    for a, b in _windows(cal, start):
        if b - a >= left:
            return a + left
        left -= b - a
        last = b
    # no working time in sight (no working days): the clock runs in plain time from the last window
    return last + left


def working_minutes_between(cal: Calendar, start: datetime, end: datetime) -> int:
    """Whole working minutes in [start, end) (negative when ``end`` is before ``start``)."""
    if end < start:
        return -working_minutes_between(cal, end, start)
    total = timedelta()
    for a, b in _windows(cal, start):
        if a >= end:
            break
        total += min(b, end) - a
    return int(total.total_seconds() // 60)


def is_available(cal: Calendar, at: datetime) -> bool:
    """At work at ``at``: inside working hours on a working day and not on time off."""
    for a, _b in _windows(cal, at):
        return a <= at
    return False


def describe_minutes(minutes: int) -> str:
    """``3 h 20 min`` style, for SLA time left."""
    sign = "-" if minutes < 0 else ""
    minutes = abs(minutes)
    hours, mins = divmod(minutes, 60)
    if hours and mins:
        return f"{sign}{hours} h {mins} min"
    if hours:
        return f"{sign}{hours} h"
    return f"{sign}{mins} min"
