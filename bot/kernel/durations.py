"""Durations and deadlines as people write them: 30m, 2h, 3d, 1w, 18:00, 2026-12-01T18:00."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.kernel import texts as T
from bot.kernel.rich import render

_DURATION = re.compile(r"^(\d{1,4})\s*(m|min|mins|h|hr|hrs|d|day|days|w|wk|weeks?)$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta | None:
    m = _DURATION.match(text.strip())
    if not m:
        return None
    amount = int(m.group(1))
    if amount == 0:
        return None
    unit = _UNITS[m.group(2)[0].lower()]
    return timedelta(**{unit: amount})


def parse_deadline(text: str, *, now: datetime, tz: ZoneInfo) -> datetime | None:
    """A duration from now, a time of day (the next one), or a local date-time; None if unreadable."""
    text = text.strip()
    delta = parse_duration(text)
    if delta is not None:
        return now + delta
    m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", text)
    if m:
        local = now.astimezone(tz)
        at = local.replace(hour=int(m.group(1)), minute=int(m.group(2)), second=0, microsecond=0)
        if at <= local:
            at += timedelta(days=1)
        return at.astimezone(now.tzinfo)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=tz)
    return when.astimezone(now.tzinfo)


def describe_age(delta: timedelta) -> str:
    """'3 days', '5 hours', 'under an hour'."""
    seconds = int(delta.total_seconds())
    if seconds >= 86400:
        return render(T.AGE_DAYS, count=seconds // 86400).text
    if seconds >= 3600:
        return render(T.AGE_HOURS, count=seconds // 3600).text
    return T.AGE_UNDER_AN_HOUR
