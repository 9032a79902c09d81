"""Sending a due digest exactly once: claim the (recipient, period), then build and send.

The claim is committed on its own before anything is built, together with a retry of the timer
at the end of the claim's lease: a process that dies mid-digest leaves an unsent claim that the
retry takes over. The messages go into the outbox in the same transaction that marks the period
sent, and that mark only succeeds while this worker still holds the claim, so a worker that lost
its lease rolls back instead of sending a second copy.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.digests.content import Item, Window, councillor_items, group_items, split_messages
from bot.digests.schedule import Cadence, latest_due, next_due, parse_cadence, parse_time, period_key
from bot.kernel.config import Settings
from bot.kernel.context import Work, chat_address
from bot.kernel.events import Address
from bot.kernel.rich import Rich
from storage.db import begin_again
from storage.models import DigestSchedule, Person, Project
from storage.repo import digests as repo
from storage.repo import people, projects

log = logging.getLogger(__name__)

TIMER_KIND = "digest"
LEASE = timedelta(minutes=5)
MAX_WINDOW = timedelta(days=28)  # a digest never reaches further back than this


class LostClaim(Exception):
    """Another worker took this period over while it was being built: roll back, send nothing."""


def timer_key(kind: str, recipient_id: int) -> str:
    return f"digest:{kind}:{recipient_id}"


def cadence_of(schedule: DigestSchedule) -> Cadence:
    at = parse_time(schedule.at_time)
    if schedule.cadence not in ("daily", "weekly") or at is None:
        return Cadence("off")
    return Cadence(schedule.cadence, at, schedule.weekday if schedule.cadence == "weekly" else None)


def zone_of(session: Session, settings: Settings, kind: str, recipient_id: int) -> ZoneInfo:
    """A person's own time zone, else the bot's (group digests use the bot's)."""
    if kind == "person":
        person = session.get(Person, recipient_id)
        if person is not None and person.timezone:
            try:
                return ZoneInfo(person.timezone)
            except (KeyError, ValueError):
                log.warning("person %s has an unknown time zone %r", recipient_id, person.timezone)
    return ZoneInfo(settings.bot.timezone)


def arm(w: Work, schedule: DigestSchedule, *, after: datetime) -> datetime | None:
    """Put the schedule's next due instant after ``after`` in the timers; None when off."""
    key = timer_key(schedule.recipient_kind, schedule.recipient_id)
    tz = zone_of(w.session, w.settings, schedule.recipient_kind, schedule.recipient_id)
    due = next_due(cadence_of(schedule), after, tz)
    if due is None:
        w.cancel_timer(key)
        return None
    w.schedule(TIMER_KIND, key, due, {"due": due.isoformat()})
    return due


def ensure_schedule(w: Work, kind: str, recipient_id: int) -> DigestSchedule:
    """The recipient's schedule, created from the configured default (and armed) when missing."""
    found = repo.get_schedule(w.session, recipient_kind=kind, recipient_id=recipient_id)
    if found is not None:
        return found
    defaults = w.settings.digests
    spec = defaults.councillor_default if kind == "person" else defaults.group_default
    cadence = parse_cadence(spec) or Cadence("off")
    schedule = repo.set_schedule(
        w.session, recipient_kind=kind, recipient_id=recipient_id, cadence=cadence.kind,
        weekday=cadence.weekday, at_time=cadence.at_text,
    )
    arm(w, schedule, after=w.now)
    return schedule


def ensure_all(w: Work) -> int:
    """At start: defaults for councillors and projects without a schedule, timers for any unarmed.

    Returns how many timers were armed.
    """
    for person_id in repo.councillors_without_schedule(w.session):
        ensure_schedule(w, "person", person_id)
    for project_id in repo.projects_without_schedule(w.session):
        ensure_schedule(w, "project", project_id)
    armed = repo.pending_timer_keys(w.session, kind=TIMER_KIND)
    # A lost timer is re-armed from the grace window's start: a period due while nothing was
    # armed still goes out now, and one that did go out is not sent again (its claim stands).
    since = w.now - timedelta(hours=w.settings.digests.grace_hours)
    count = 0
    for schedule in repo.schedules_on(w.session):
        if timer_key(schedule.recipient_kind, schedule.recipient_id) not in armed:
            count += arm(w, schedule, after=since) is not None
    return count


# ---- the timer ---------------------------------------------------------------------------------


async def on_digest_timer(w: Work, key: str, payload: dict[str, Any]) -> None:
    """A digest is due: send it if still within the grace window, else record the miss."""
    _, kind, raw_id = key.split(":")
    recipient_id = int(raw_id)
    schedule = repo.get_schedule(w.session, recipient_kind=kind, recipient_id=recipient_id)
    if schedule is None or not _still_wanted(w, kind, recipient_id):
        return  # the recipient is gone: the timer is not re-armed
    cadence = cadence_of(schedule)
    if cadence.is_off:
        return
    tz = zone_of(w.session, w.settings, kind, recipient_id)
    due = datetime.fromisoformat(payload["due"]) if "due" in payload else w.now
    latest = latest_due(cadence, w.now, tz) or due
    grace = timedelta(hours=w.settings.digests.grace_hours)
    if latest > due:  # the bot was down over several periods: only the latest may still go
        _record_miss(w, kind, recipient_id, period_key(cadence, due, tz), due)
        due = latest
    if w.now - due > grace:
        _record_miss(w, kind, recipient_id, period_key(cadence, due, tz), due)
        arm(w, schedule, after=w.now)
        return
    await deliver(w, schedule, cadence, tz, due)


def _still_wanted(w: Work, kind: str, recipient_id: int) -> bool:
    if kind == "project":
        return w.session.get(Project, recipient_id) is not None
    person = w.session.get(Person, recipient_id)
    if person is None or person.erased_at is not None:
        return False
    return "councillor" in people.roles_of(w.session, person_id=recipient_id)


def _record_miss(w: Work, kind: str, recipient_id: int, period: str, due: datetime) -> None:
    log.warning(
        "digest for %s %s due %s was missed (more than %sh ago): skipped",
        kind, recipient_id, due.isoformat(), w.settings.digests.grace_hours,
    )
    worker = w.core.worker_id
    if repo.claim_period(
        w.session, recipient_kind=kind, recipient_id=recipient_id, period_key=period,
        worker=worker, now=w.now, lease_until=w.now + LEASE,
    ):
        repo.finish_period(
            w.session, recipient_kind=kind, recipient_id=recipient_id, period_key=period,
            worker=worker, now=w.now,
            skipped=f"missed: due {due.isoformat()}, outside the grace window",
        )


async def deliver(
    w: Work, schedule: DigestSchedule, cadence: Cadence, tz: ZoneInfo, due: datetime
) -> bool:
    """Claim, build, send and mark one period; True when a digest went into the outbox."""
    kind, rid = schedule.recipient_kind, schedule.recipient_id
    key, period, worker = timer_key(kind, rid), period_key(cadence, due, tz), w.core.worker_id
    claimed = repo.claim_period(
        w.session, recipient_kind=kind, recipient_id=rid, period_key=period,
        worker=worker, now=w.now, lease_until=w.now + LEASE,
    )
    if not claimed:
        row = repo.get_period(w.session, recipient_kind=kind, recipient_id=rid, period_key=period)
        if row is not None and row.sent_at is None and row.skipped is None and row.lease_until:
            # Another worker is on it: come back when its lease ends, in case it dies.
            w.schedule(TIMER_KIND, key, row.lease_until, {"due": due.isoformat()})
        else:
            arm(w, schedule, after=max(due, w.now))
        return False
    w.schedule(TIMER_KIND, key, w.now + LEASE, {"due": due.isoformat()})
    w.session.commit()  # the claim and its retry are durable before anything is built
    await begin_again(w.session)  # another process may have the lock now: wait off the loop

    window = Window(since(w.session, schedule, w.now), w.now, tz)
    items = build_items(w.session, kind, rid, window)
    addresses = recipient_addresses(w, kind, rid)
    skipped = "nothing new" if not items else None if addresses else "no reachable chat"
    if skipped is None:
        for text in split_messages(items):
            for to in addresses:
                w.send(to, text)
    if not repo.finish_period(
        w.session, recipient_kind=kind, recipient_id=rid, period_key=period,
        worker=worker, now=w.now, skipped=skipped,
    ):
        raise LostClaim(f"{kind} {rid} {period}")
    if skipped is None:
        schedule.last_sent_at = w.now
    else:
        log.info("digest for %s %s (%s) not sent: %s", kind, rid, period, skipped)
    arm(w, schedule, after=max(due, w.now))
    return skipped is None


def since(session: Session, schedule: DigestSchedule, now: datetime) -> datetime:
    """Where a digest starts: the previous one, else when the recipient joined; at most 4 weeks."""
    start = schedule.last_sent_at
    if start is None:
        joined = (session.get(Person, schedule.recipient_id) if schedule.recipient_kind == "person"
                  else session.get(Project, schedule.recipient_id))
        start = joined.created_at if joined is not None else now
    return max(start, now - MAX_WINDOW)


def build_items(session: Session, kind: str, recipient_id: int, window: Window) -> list[Item]:
    if kind == "person":
        return councillor_items(session, person_id=recipient_id, window=window)
    return group_items(session, project_id=recipient_id, window=window)


def recipient_addresses(w: Work, kind: str, recipient_id: int) -> list[Address]:
    if kind == "person":
        to = w.address_of_person(recipient_id)
        return [to] if to is not None else []
    return [chat_address(c) for c in projects.project_chats(w.session, project_id=recipient_id)]


# ---- previews: what the next digest would say now, without using up a period -----------------


def preview(session: Session, settings: Settings, kind: str, recipient_id: int,
            now: datetime) -> list[Rich]:
    schedule = repo.get_schedule(session, recipient_kind=kind, recipient_id=recipient_id)
    if schedule is None:
        schedule = DigestSchedule(recipient_kind=kind, recipient_id=recipient_id, cadence="off")
    window = Window(since(session, schedule, now), now, zone_of(session, settings, kind, recipient_id))
    items = build_items(session, kind, recipient_id, window)
    return split_messages(items) if items else []


def preview_digest(session: Session, *, person_id: int, now: datetime,
                   settings: Settings) -> list[Rich]:
    """A councillor's digest as it would read now (``ncbot digest preview``); [] if nothing new."""
    return preview(session, settings, "person", person_id, now)


def preview_group_digest(session: Session, *, project_id: int, now: datetime,
                         settings: Settings) -> list[Rich]:
    return preview(session, settings, "project", project_id, now)
