"""Rows the digests read (links, challenges, answers, supports, polls, activity), written directly."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.engine import Engine

from storage.db import session_scope
from storage.models import (
    ActivityDay,
    ActivityParticipant,
    Challenge,
    ChallengeAnswer,
    ChallengeSupport,
    CouncillorLink,
    Person,
    Poll,
    PollOption,
)


def link(engine: Engine, project_id: int, councillor_id: int, at: datetime) -> None:
    with session_scope(engine) as s:
        s.add(CouncillorLink(project_id=project_id, councillor_id=councillor_id, status="accepted",
                             reason="ward", proposed_at=at, decided_at=at))


def challenge(engine: Engine, project_id: int, number: int, text: str, at: datetime, *,
              status: str = "open", supporters: Sequence[tuple[int, datetime]] = ()) -> int:
    with session_scope(engine) as s:
        row = Challenge(project_id=project_id, number=number, text=text, raised_at=at,
                        status=status)
        s.add(row)
        s.flush()
        assert row.id is not None
        for person_id, when in supporters:
            s.add(ChallengeSupport(challenge_id=row.id, person_id=person_id, at=when))
        return row.id


def answer(engine: Engine, challenge_id: int, councillor_id: int | None, at: datetime, *,
           outcome: str = "forward", explanation: str = "Taken to the transport committee.") -> None:
    with session_scope(engine) as s:
        row = s.get(Challenge, challenge_id)
        assert row is not None
        row.status, row.answered_at = "answered", at
        s.add(ChallengeAnswer(challenge_id=challenge_id, councillor_id=councillor_id,
                              outcome=outcome, explanation=explanation, answered_at=at))


def poll(engine: Engine, project_id: int, number: int, question: str, options: dict[str, int], *,
         created: datetime, closed: datetime | None, outcome: str | None = None) -> int:
    with session_scope(engine) as s:
        row = Poll(project_id=project_id, number=number, question=question, created_at=created,
                   closes_at=closed or created, closed_at=closed, outcome=outcome,
                   outcome_at=closed if outcome else None, anonymous=True)
        s.add(row)
        s.flush()
        assert row.id is not None
        for i, (text, tally) in enumerate(options.items()):
            s.add(PollOption(poll_id=row.id, position=i, text=text, tally=tally))
        return row.id


def activity(engine: Engine, project_id: int, day: date, messages: int,
             people: Sequence[int] = ()) -> None:
    with session_scope(engine) as s:
        s.add(ActivityDay(project_id=project_id, day=day, messages=messages))
        for person_id in people:
            s.add(ActivityParticipant(project_id=project_id, day=day, person_id=person_id))


def resident(engine: Engine, name: str, at: datetime) -> int:
    with session_scope(engine) as s:
        person = Person(name=name, created_at=at)
        s.add(person)
        s.flush()
        assert person.id is not None
        return person.id
