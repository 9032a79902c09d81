"""Chasing in one message a day: reminders and escalation notices to a person are gathered.

Each reminder or escalation still happens on time (the challenge is marked, new recipients are
added, the card changes); only the private notice waits in the person's ``chase:<person>`` timer,
whose payload holds what is new for them. The timer fires at ``chase_time`` on a ``chase_days``
day; on such a day, someone who has had no chasing message yet gets a new item the same day
(at once when ``chase_time`` has passed). So nobody gets more than one chasing message a day.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.challenges import texts as T
from bot.challenges.states import ACKNOWLEDGED, OPEN
from bot.challenges.views import name_of, names, original_recipients, project_of
from bot.kernel.config import WEEKDAYS
from bot.kernel.context import Work
from bot.kernel.durations import describe_age
from bot.kernel.events import Button
from bot.kernel.rich import Rich, join, render
from bot.kernel.visible import shortened
from storage.models import Challenge
from storage.repo import challenges, work

TIMER = "challenge_chase"
SHOWN = 8  # lines listed in one message; the rest are behind /inbox
WITH_BUTTONS = 3  # challenges that get their own Acknowledge / Answer buttons
TEXT_SHOWN = 90  # characters of each challenge's text
REMIND, ESCALATED, TOLD, NOBODY_ELSE = "remind", "escalated", "told", "nobody_else"
# A later notice about the same challenge replaces an earlier one in the same message.
RANK = {REMIND: 0, TOLD: 1, NOBODY_ELSE: 1, ESCALATED: 1}


def key_of(person_id: int) -> str:
    return f"chase:{person_id}"


def gather(w: Work, person_id: int, kind: str, challenge: Challenge, **extra: Any) -> None:
    """Add a notice to the person's next chasing message (and arm it when it was not)."""
    row = work.get_timer(w.session, key=key_of(person_id))
    payload = json.loads(row.payload) if row is not None else {}
    pending = row is not None and row.done_at is None
    items: list[dict[str, Any]] = list(payload.get("items", [])) if pending else []
    items.append({"challenge_id": challenge.id, "kind": kind, **extra})
    due = row.due_at if pending and row is not None else next_slot(w, payload.get("sent_on"))
    w.schedule(TIMER, key_of(person_id), due, {"person_id": person_id, "items": items,
                                               "sent_on": payload.get("sent_on")})


def next_slot(w: Work, sent_on: str | None) -> datetime:
    """When a new item goes: today if it is a chasing day and nothing went yet, else the next
    chasing day at ``chase_time``."""
    c = w.settings.challenges
    hour, minute = (int(x) for x in c.chase_time.split(":"))
    local = w.now.astimezone(w.tz)
    today = local.date()
    if _chasing_day(today, c.chase_days) and sent_on != today.isoformat():
        return max(w.now, _at(today, hour, minute, w))
    day = today + timedelta(days=1)
    while not _chasing_day(day, c.chase_days):
        day += timedelta(days=1)
    return _at(day, hour, minute, w)


def _chasing_day(day: date, days: list[str]) -> bool:
    return WEEKDAYS[day.weekday()] in days


def _at(day: date, hour: int, minute: int, w: Work) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=w.tz)


async def send_chase(w: Work, key: str, payload: dict[str, Any]) -> None:
    """The day's chasing message: what is new, newest state first checked, buttons for a few."""
    person_id = int(payload["person_id"])
    latest: dict[int, dict[str, Any]] = {}
    for item in payload.get("items", []):
        cid = int(item["challenge_id"])
        if cid not in latest or RANK[item["kind"]] >= RANK[latest[cid]["kind"]]:
            latest[cid] = item
    lines: list[Rich] = []
    buttons: list[list[Button]] = []
    facilitator_steps: list[int] = []
    for cid, item in latest.items():
        challenge = challenges.get_challenge(w.session, challenge_id=cid)
        if challenge is None or challenge.status not in (OPEN, ACKNOWLEDGED):
            continue  # answered or withdrawn since: nothing to chase
        lines.append(_line(w, challenge, item))
        acts = item["kind"] in (REMIND, NOBODY_ELSE) or item.get("may_answer", False)
        if acts and len(buttons) < WITH_BUTTONS:
            buttons.append(_buttons(challenge))
        if item["kind"] == ESCALATED and not item.get("may_answer", False):
            facilitator_steps.append(challenge.number)
    sent = bool(lines)
    if sent:
        text = [render(T.CHASE_HEADER, count=len(lines)), *lines[:SHOWN]]
        if len(lines) > SHOWN:
            text.append(render(T.CHASE_MORE, more=len(lines) - SHOWN))
        if facilitator_steps:
            text.append(render(T.CHASE_FACILITATOR_STEPS, number=facilitator_steps[0]))
        text.append(render(T.CHASE_FOOTER))
        sent = w.tell(person_id, join(text), buttons)
    today = w.now.astimezone(w.tz).date().isoformat()
    row = work.get_timer(w.session, key=key)
    if row is not None:  # done now; its payload remembers the day something last went
        row.payload = json.dumps({"person_id": person_id, "items": [],
                                  "sent_on": today if sent else payload.get("sent_on")})


def _line(w: Work, challenge: Challenge, item: dict[str, Any]) -> Rich:
    project = project_of(w, challenge)
    since = challenge.reopened_at or challenge.raised_at
    values: dict[str, Any] = {"number": challenge.number, "project": project.name,
                              "age": describe_age(w.now - since),
                              "text": shortened(challenge.text, TEXT_SHOWN)}
    kind = item["kind"]
    if kind == REMIND:
        return render(T.CHASE_LINE_REMIND, **values)
    if kind == ESCALATED:
        first = original_recipients(w, challenge)
        assert challenge.id is not None
        return render(T.CHASE_LINE_ESCALATED, names=names(w, first) or T.FORMER_MEMBER,
                      raiser=name_of(w, challenge.raised_by),
                      supporters=challenges.support_count(w.session, challenge_id=challenge.id),
                      **values)
    if kind == TOLD:
        told = " and ".join(T.CHASE_TOLD_WHO[who] for who in item.get("told", []))
        return render(T.CHASE_LINE_TOLD, told=told, **values)
    return render(T.CHASE_LINE_NOBODY_ELSE, **values)


def _buttons(challenge: Challenge) -> list[Button]:
    return [Button(T.CHASE_BUTTON_ACKNOWLEDGE.format(number=challenge.number),
                   f"chalans:ack:{challenge.id}"),
            Button(T.CHASE_BUTTON_ANSWER.format(number=challenge.number),
                   f"chalans:answer:{challenge.id}")]
