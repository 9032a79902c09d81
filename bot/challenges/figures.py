"""How each councillor responds (for /councillors and the admin command line), and the export."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from sqlmodel import Session

from bot.challenges import texts as T
from bot.challenges.states import public_state
from bot.kernel.context import Work
from bot.kernel.durations import describe_age
from bot.kernel.rich import render
from storage.models import Person
from storage.repo import challenges


@dataclass(frozen=True)
class CouncillorFigures:
    """A councillor's record on the challenges sent to them.

    ``answered_before_escalation`` counts, of the challenges sent to them that were answered by
    them or escalated, those they answered before any escalation.
    """

    person_id: int
    name: str
    received: int
    acknowledged: int
    answered: int
    median_acknowledge: timedelta | None
    median_answer: timedelta | None
    answered_before_escalation: int
    answered_or_escalated: int
    followup_replies: int
    followup_satisfied: int
    awaiting: int
    oldest_awaiting: timedelta | None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("median_acknowledge", "median_answer", "oldest_awaiting"):
            value = data[key]
            data[key + "_hours"] = None if value is None else round(value.total_seconds() / 3600, 1)
            del data[key]
        return data

    def summary(self) -> str:
        """One line for /councillors and the admin listing."""
        if not self.received and not self.answered:
            return T.FIGURES_NONE
        parts = []
        if self.median_answer is not None:
            parts.append(render(T.FIGURES_ANSWER, median=describe_age(self.median_answer)).text)
        if self.median_acknowledge is not None:
            parts.append(render(T.FIGURES_ACK, median=describe_age(self.median_acknowledge)).text)
        if self.answered_or_escalated:
            parts.append(render(T.FIGURES_BEFORE_ESCALATION, answered=self.answered_before_escalation,
                                total=self.answered_or_escalated).text)
        if self.followup_replies:
            parts.append(render(T.FIGURES_SATISFIED, yes=self.followup_satisfied,
                                replies=self.followup_replies).text)
        if self.awaiting:
            parts.append(render(T.FIGURES_WAITING, count=self.awaiting).text)
        return "; ".join(parts) or T.FIGURES_NONE


def _median(values: list[timedelta]) -> timedelta | None:
    if not values:
        return None
    return timedelta(seconds=median(v.total_seconds() for v in values))


@dataclass(frozen=True, slots=True)
class Received:
    """A challenge as sent to a councillor (``reason`` "escalation" when only told of it late)."""

    challenge_id: int
    notified_at: datetime
    reason: str
    raised_at: datetime
    status: str
    acknowledged_by: int | None
    acknowledged_at: datetime | None
    escalated_at: datetime | None


@dataclass(frozen=True, slots=True)
class Given:
    """An answer a councillor gave, with the raiser's reply to the follow-up if any."""

    challenge_id: int
    raised_at: datetime
    answered_at: datetime
    reply: str | None


def councillor_figures(session: Session, *, person_id: int, now: datetime) -> CouncillorFigures:
    person = session.get(Person, person_id)
    received = [Received(c.id or 0, r.notified_at, r.reason, c.raised_at, c.status,
                         c.acknowledged_by, c.acknowledged_at, c.escalated_at)
                for r, c in challenges.received_by(session, person_id=person_id)]
    given = []
    for a, c in challenges.answers_by(session, councillor_id=person_id):
        followup = challenges.followup_of_answer(session, answer_id=a.id or 0)
        given.append(Given(c.id or 0, c.raised_at, a.answered_at,
                           followup.reply if followup else None))
    return figures_from(person_id=person_id,
                        name=(person.name if person else None) or T.FORMER_MEMBER,
                        received=received, given=given, now=now)


def answer_times(received: Sequence[Received], given: Sequence[Given]) -> list[timedelta]:
    """From being sent each challenge to the first answer this councillor gave to it."""
    notified = {r.challenge_id: r.notified_at for r in received}
    first: dict[int, Given] = {}
    for g in given:
        first.setdefault(g.challenge_id, g)
    return [g.answered_at - notified.get(g.challenge_id, g.raised_at) for g in first.values()]


def figures_from(*, person_id: int, name: str, received: Sequence[Received],
                 given: Sequence[Given], now: datetime) -> CouncillorFigures:
    """The figures from a councillor's challenges and answers, however they were read."""
    times = answer_times(received, given)
    received = [r for r in received if r.reason != "escalation"]
    ack_times = [r.acknowledged_at - r.notified_at for r in received
                 if r.acknowledged_by == person_id and r.acknowledged_at]
    first_answer: dict[int, datetime] = {}
    for g in given:
        first_answer.setdefault(g.challenge_id, g.answered_at)
    before = decided = 0
    for r in received:
        answered_at = first_answer.get(r.challenge_id)
        if answered_at is not None and (r.escalated_at is None or answered_at < r.escalated_at):
            before += 1
            decided += 1
        elif r.escalated_at is not None:
            decided += 1
    replies = [g.reply for g in given if g.reply is not None]
    waiting = [now - r.raised_at for r in received if r.status in challenges.OPEN_STATUSES]
    return CouncillorFigures(
        person_id=person_id,
        name=name,
        received=len(received),
        acknowledged=len(ack_times),
        answered=len(first_answer),
        median_acknowledge=_median(ack_times),
        median_answer=_median(times),
        answered_before_escalation=before,
        answered_or_escalated=decided,
        followup_replies=len(replies),
        followup_satisfied=replies.count("yes"),
        awaiting=len(waiting),
        oldest_awaiting=max(waiting) if waiting else None,
    )


def export_challenges(session: Session, *, project_id: int) -> list[dict[str, Any]]:
    """The public record of a project's challenges: one flat row each, latest answer included."""

    def name(person_id: int | None) -> str:
        person = None if person_id is None else session.get(Person, person_id)
        return (person.name if person else None) or T.FORMER_MEMBER

    def when(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    rows = []
    for c in challenges.project_challenges(session, project_id=project_id):
        assert c.id is not None
        answers = challenges.answers_to(session, challenge_id=c.id)
        last = answers[-1] if answers else None
        followup = None if last is None else challenges.followup_of_answer(
            session, answer_id=last.id or 0)
        rows.append({
            "number": c.number,
            "raised_at": when(c.raised_at),
            "raised_by": name(c.raised_by),
            "text": c.text,
            "comment": c.comment,
            "status": public_state(c),
            "supporters": challenges.support_count(session, challenge_id=c.id),
            "routed_to": c.routed_to,
            "acknowledged_at": when(c.acknowledged_at),
            "escalated_at": when(c.escalated_at),
            "answered_at": when(last.answered_at if last else None),
            "answered_by": name(last.councillor_id) if last else None,
            "outcome": T.OUTCOME_WORDS[last.outcome] if last else None,
            "explanation": last.explanation if last else None,
            "answers": len(answers),
            "reopened_at": when(c.reopened_at),
            "followup": followup.reply if followup else None,
        })
    return rows


def figures_line(w: Work, person_id: int) -> str:
    return councillor_figures(w.session, person_id=person_id, now=w.now).summary()
