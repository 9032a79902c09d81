"""Digest cadences in local wall time: parsing, the next due instant, periods, daylight saving.

A schedule says "08:00 local"; every due instant is computed from the local calendar date and
that wall time, then converted to UTC, so 08:00 stays 08:00 across the clock changes. A wall
time that does not exist on the spring-forward day (01:30 in London) falls an hour later; one
that happens twice in autumn is taken the first time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Cadence:
    """daily, weekly (with a weekday, 0 = Monday) or off; ``at`` is local wall time."""

    kind: str
    at: time = time(8, 0)
    weekday: int | None = None

    @property
    def is_off(self) -> bool:
        return self.kind == "off"

    @property
    def length(self) -> timedelta:
        return timedelta(days=7 if self.kind == "weekly" else 1)

    @property
    def at_text(self) -> str:
        return self.at.strftime("%H:%M")

    def spec(self) -> str:
        """The command form, e.g. ``weekly mon 08:00`` (what /digest takes)."""
        if self.kind == "weekly":
            return f"weekly {DAYS[self.weekday or 0]} {self.at_text}"
        return f"daily {self.at_text}" if self.kind == "daily" else "off"

    def matches(self, day: date) -> bool:
        return self.kind == "daily" or (self.kind == "weekly" and day.weekday() == self.weekday)


OFF = Cadence("off")


def parse_time(text: str) -> time | None:
    m = _HHMM.match(text.strip())
    return time(int(m.group(1)), int(m.group(2))) if m else None


def parse_day(text: str) -> int | None:
    word = text.strip().lower()
    for i, (short, full) in enumerate(zip(DAYS, DAY_NAMES, strict=True)):
        if word in (short, full.lower()):
            return i
    return None


def parse_cadence(text: str) -> Cadence | None:
    """``daily HH:MM``, ``weekly <day> HH:MM`` or ``off``; None when it reads as none of them."""
    words = text.lower().split()
    if words == ["off"]:
        return OFF
    if len(words) == 2 and words[0] == "daily":
        at = parse_time(words[1])
        return Cadence("daily", at) if at else None
    if len(words) == 3 and words[0] == "weekly":
        day, at = parse_day(words[1]), parse_time(words[2])
        return Cadence("weekly", at, day) if day is not None and at else None
    return None


def occurrence_on(day: date, cadence: Cadence, tz: ZoneInfo) -> datetime:
    """The UTC instant of the cadence's wall time on a local date."""
    # fold=0: a wall time in the spring gap is read with the winter offset (so an hour later
    # by the new clock); one that occurs twice in autumn is taken the first time.
    return datetime.combine(day, cadence.at, tzinfo=tz).astimezone(UTC)


def next_due(cadence: Cadence, after: datetime, tz: ZoneInfo) -> datetime | None:
    """The first due instant strictly after ``after``; None when off."""
    if cadence.is_off:
        return None
    day = after.astimezone(tz).date() - timedelta(days=1)
    for _ in range(10):
        if cadence.matches(day):
            due = occurrence_on(day, cadence, tz)
            if due > after:
                return due
        day += timedelta(days=1)
    raise AssertionError("a daily or weekly cadence always falls within ten days")


def latest_due(cadence: Cadence, at_or_before: datetime, tz: ZoneInfo) -> datetime | None:
    """The last due instant at or before the given one; None when off."""
    if cadence.is_off:
        return None
    day = at_or_before.astimezone(tz).date() + timedelta(days=1)
    for _ in range(10):
        if cadence.matches(day):
            due = occurrence_on(day, cadence, tz)
            if due <= at_or_before:
                return due
        day -= timedelta(days=1)
    raise AssertionError("a daily or weekly cadence always falls within ten days")


def period_key(cadence: Cadence, due: datetime, tz: ZoneInfo) -> str:
    """The period a due instant belongs to: its local day, or its ISO week for weekly digests."""
    day = due.astimezone(tz).date()
    if cadence.kind == "weekly":
        year, week, _ = day.isocalendar()
        return f"week:{year}-W{week:02d}"
    return f"day:{day.isoformat()}"


def describe_day(cadence: Cadence) -> str:
    return DAY_NAMES[cadence.weekday or 0]
