"""A challenge's history: one changing line on its card, the whole timeline for /challenge N."""

from __future__ import annotations

from datetime import datetime

from bot.challenges import texts as T
from bot.challenges.views import name_of, names, original_recipients
from bot.kernel.context import Work
from bot.kernel.rich import Rich, join, render
from storage.models import Challenge
from storage.repo import challenges, people


def day_text(w: Work, when: datetime) -> str:
    """A date as people say it, in the bot's time zone: "Tue 3 Mar"."""
    local = when.astimezone(w.tz)
    return f"{local:%a} {local.day} {local:%b}"


def escalated_to(w: Work, challenge: Challenge) -> list[str]:
    """Who heard of it by escalation: "ward" (councillors) and/or "facilitators"."""
    assert challenge.id is not None
    found: list[str] = []
    for r in challenges.recipients(w.session, challenge_id=challenge.id):
        if r.reason != "escalation":
            continue
        kind = "ward" if "councillor" in people.roles_of(w.session, person_id=r.person_id) \
            else "facilitators"
        if kind not in found:
            found.append(kind)
            if len(found) == 2:  # both kinds: no need to ask the roles of the rest
                break
    return sorted(found, key=["ward", "facilitators"].index)


def card_line(w: Work, challenge: Challenge) -> Rich | None:
    """"Reminded Cllr Jane Doe on Tue 3 Mar; escalated to the ward's councillors and the
    facilitators on Mon 9 Mar." -- None before any chasing."""
    parts: list[Rich] = []
    if challenge.reminded_at is not None:
        parts.append(render(T.TIMELINE_REMINDED, day=day_text(w, challenge.reminded_at),
                            names=names(w, original_recipients(w, challenge))
                            or T.FORMER_MEMBER))
    if challenge.escalated_at is not None:
        who = " and ".join(T.TIMELINE_WHO[k] for k in escalated_to(w, challenge))
        day = day_text(w, challenge.escalated_at)
        if parts:
            parts.append(render(T.TIMELINE_ESCALATED, who=who, day=day) if who
                         else render(T.TIMELINE_ESCALATED_NOBODY, day=day))
        else:
            parts.append(render(T.TIMELINE_ESCALATED_FIRST, who=who, day=day) if who
                         else render(T.TIMELINE_ESCALATED_NOBODY_FIRST, day=day))
    if not parts:
        return None
    return join(parts, "; ") + "."


def full_timeline(w: Work, challenge: Challenge) -> Rich:
    """Every step with its date, oldest first (for /challenge N)."""
    assert challenge.id is not None
    steps: list[tuple[datetime, Rich]] = []
    sent_to = original_recipients(w, challenge)
    raiser = name_of(w, challenge.raised_by)
    raised = day_text(w, challenge.raised_at)
    steps.append((challenge.raised_at,
                  render(T.TIMELINE_RAISED, day=raised, raiser=raiser, names=names(w, sent_to))
                  if sent_to else render(T.TIMELINE_RAISED_NOBODY, day=raised, raiser=raiser)))
    if challenge.acknowledged_at is not None:
        steps.append((challenge.acknowledged_at, render(
            T.TIMELINE_ACKNOWLEDGED, day=day_text(w, challenge.acknowledged_at),
            name=name_of(w, challenge.acknowledged_by))))
    if challenge.reminded_at is not None:
        steps.append((challenge.reminded_at, render(
            T.TIMELINE_REMINDER, day=day_text(w, challenge.reminded_at),
            names=names(w, sent_to) or T.FORMER_MEMBER)))
    if challenge.escalated_at is not None:
        who = " and ".join(T.TIMELINE_WHO[k] for k in escalated_to(w, challenge))
        day = day_text(w, challenge.escalated_at)
        steps.append((challenge.escalated_at,
                      render(T.TIMELINE_ESCALATION, day=day, who=who) if who
                      else render(T.TIMELINE_ESCALATION_NOBODY, day=day)))
    for answer in challenges.answers_to(w.session, challenge_id=challenge.id):
        steps.append((answer.answered_at, render(
            T.TIMELINE_ANSWERED, day=day_text(w, answer.answered_at),
            name=name_of(w, answer.councillor_id), outcome=T.OUTCOME_WORDS[answer.outcome])))
    if challenge.reopened_at is not None:
        steps.append((challenge.reopened_at, render(
            T.TIMELINE_REOPENED, day=day_text(w, challenge.reopened_at))))
    steps.sort(key=lambda step: step[0])
    lines = [render(T.TIMELINE_HEADER), *(render("• ") + line for _, line in steps)]
    if challenge.status == "withdrawn":
        lines.append(render("• ") + render(T.TIMELINE_WITHDRAWN))
    return join(lines)
