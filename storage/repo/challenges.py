"""Scope challenges, their supporters, recipients, answers and follow-ups."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import (
    Challenge,
    ChallengeAnswer,
    ChallengeFollowup,
    ChallengeRecipient,
    ChallengeSupport,
    CouncillorLink,
    Project,
)
from storage.repo import voices

OPEN_STATUSES = ("open", "acknowledged")


def create_challenge(
    session: Session,
    *,
    project_id: int,
    text: str,
    raised_by: int,
    chat_id: int | None,
    now: datetime,
    comment: str | None = None,
) -> Challenge:
    """A new challenge with the project's next number (retried if another writer took it)."""
    while True:
        number = 1 + int(
            session.exec(
                select(func.coalesce(func.max(Challenge.number), 0)).where(
                    Challenge.project_id == project_id
                )
            ).one()
        )
        challenge = Challenge(
            project_id=project_id,
            number=number,
            text=text,
            comment=comment,
            raised_by=raised_by,
            raised_in_chat_id=chat_id,
            raised_at=now,
        )
        try:
            with session.begin_nested():
                session.add(challenge)
                session.flush()
        except IntegrityError:
            continue
        return challenge


def get_challenge(session: Session, *, challenge_id: int) -> Challenge | None:
    return session.get(Challenge, challenge_id)


def find_challenge(session: Session, *, project_id: int, number: int) -> Challenge | None:
    return session.exec(
        select(Challenge).where(Challenge.project_id == project_id, Challenge.number == number)
    ).first()


def project_challenges(session: Session, *, project_id: int) -> list[Challenge]:
    return list(
        session.exec(
            select(Challenge)
            .where(Challenge.project_id == project_id)
            .order_by(col(Challenge.number))
        )
    )


def open_challenges(session: Session, *, project_id: int) -> list[Challenge]:
    """Challenges still awaiting an answer, oldest first."""
    return list(
        session.exec(
            select(Challenge)
            .where(Challenge.project_id == project_id, col(Challenge.status).in_(OPEN_STATUSES))
            .order_by(col(Challenge.raised_at), col(Challenge.number))
        )
    )


def raised_with_number(
    session: Session, *, person_id: int, number: int
) -> list[tuple[Challenge, Project]]:
    return [
        (c, p)
        for c, p in session.exec(
            select(Challenge, Project)
            .join(Project, col(Project.id) == col(Challenge.project_id))
            .where(Challenge.raised_by == person_id, Challenge.number == number)
            .order_by(col(Project.name))
        )
    ]


def answerable_with_number(
    session: Session, *, person_id: int, number: int
) -> list[tuple[Challenge, Project]]:
    """Challenges numbered ``number`` sent to this person or in a project they are linked to."""
    sent = select(ChallengeRecipient.challenge_id).where(ChallengeRecipient.person_id == person_id)
    linked = select(CouncillorLink.project_id).where(
        CouncillorLink.councillor_id == person_id, CouncillorLink.status == "accepted"
    )
    return [
        (c, p)
        for c, p in session.exec(
            select(Challenge, Project)
            .join(Project, col(Project.id) == col(Challenge.project_id))
            .where(
                Challenge.number == number,
                or_(col(Challenge.id).in_(sent), col(Challenge.project_id).in_(linked)),
            )
            .order_by(col(Project.name))
        )
    ]


# ---- supporters, recipients ---------------------------------------------------------------


def add_support(session: Session, *, challenge_id: int, person_id: int, now: datetime) -> bool:
    """Count a supporter once; False when they, or one of their accounts as a person since
    erased, had supported it (or raised it) already.

    The primary key (one row per person) and the accounts' marks (storage/repo/voices.py) decide,
    so two presses at once, on two processes, still count once.
    """
    with session.begin_nested() as savepoint:
        if not voices.insert_new(session, ChallengeSupport, challenge_id=challenge_id,
                                 person_id=person_id, at=now):
            return False
        accounts = voices.accounts_of(session, person_id=person_id)
        if not voices.spend_support_voice(session, challenge_id=challenge_id, accounts=accounts):
            savepoint.rollback()
            return False
    return True


def support_count(session: Session, *, challenge_id: int) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(ChallengeSupport)
            .where(ChallengeSupport.challenge_id == challenge_id)
        ).one()
    )


def add_recipient(
    session: Session, *, challenge_id: int, person_id: int, reason: str, now: datetime
) -> bool:
    if session.get(ChallengeRecipient, (challenge_id, person_id)) is not None:
        return False
    session.add(
        ChallengeRecipient(
            challenge_id=challenge_id, person_id=person_id, notified_at=now, reason=reason
        )
    )
    session.flush()
    return True


def recipients(session: Session, *, challenge_id: int) -> list[ChallengeRecipient]:
    return list(
        session.exec(
            select(ChallengeRecipient)
            .where(ChallengeRecipient.challenge_id == challenge_id)
            .order_by(col(ChallengeRecipient.notified_at), col(ChallengeRecipient.person_id))
        )
    )


def get_recipient(
    session: Session, *, challenge_id: int, person_id: int
) -> ChallengeRecipient | None:
    return session.get(ChallengeRecipient, (challenge_id, person_id))


def received_by(session: Session, *, person_id: int) -> list[tuple[ChallengeRecipient, Challenge]]:
    return [
        (r, c)
        for r, c in session.exec(
            select(ChallengeRecipient, Challenge)
            .join(Challenge, col(Challenge.id) == col(ChallengeRecipient.challenge_id))
            .where(ChallengeRecipient.person_id == person_id)
            .order_by(col(Challenge.id))
        )
    ]


# ---- answers, follow-ups ------------------------------------------------------------------


def add_answer(
    session: Session,
    *,
    challenge_id: int,
    councillor_id: int,
    outcome: str,
    explanation: str,
    now: datetime,
) -> ChallengeAnswer:
    answer = ChallengeAnswer(
        challenge_id=challenge_id,
        councillor_id=councillor_id,
        outcome=outcome,
        explanation=explanation,
        answered_at=now,
    )
    session.add(answer)
    session.flush()
    return answer


def answers_to(session: Session, *, challenge_id: int) -> list[ChallengeAnswer]:
    return list(
        session.exec(
            select(ChallengeAnswer)
            .where(ChallengeAnswer.challenge_id == challenge_id)
            .order_by(col(ChallengeAnswer.answered_at), col(ChallengeAnswer.id))
        )
    )


def answers_by(session: Session, *, councillor_id: int) -> list[tuple[ChallengeAnswer, Challenge]]:
    return [
        (a, c)
        for a, c in session.exec(
            select(ChallengeAnswer, Challenge)
            .join(Challenge, col(Challenge.id) == col(ChallengeAnswer.challenge_id))
            .where(ChallengeAnswer.councillor_id == councillor_id)
            .order_by(col(ChallengeAnswer.answered_at))
        )
    ]


def create_followup(session: Session, *, challenge_id: int, answer_id: int) -> ChallengeFollowup:
    followup = ChallengeFollowup(challenge_id=challenge_id, answer_id=answer_id)
    session.add(followup)
    session.flush()
    return followup


def followup_of_answer(session: Session, *, answer_id: int) -> ChallengeFollowup | None:
    return session.exec(
        select(ChallengeFollowup).where(ChallengeFollowup.answer_id == answer_id)
    ).first()
