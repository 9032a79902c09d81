"""Read-only queries for the public record: projects with ``public_since`` set, in bulk.

Each function is one statement whatever the number of rows, so a page costs a fixed number of
queries however many challenges, polls or projects there are.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.models import (
    ActivityDay,
    Challenge,
    ChallengeAnswer,
    ChallengeFollowup,
    ChallengeRecipient,
    ChallengeSupport,
    CouncillorLink,
    CouncillorWard,
    Person,
    Poll,
    PollMessage,
    PollOption,
    PollVote,
    PollVoter,
    Project,
    ProjectTopic,
    ProjectWard,
    RoleGrant,
    Ward,
)

PUBLIC = col(Project.public_since).is_not(None)
Rows = Sequence[Any]  # rows of columns, read by name (``row.answered_at``)


def set_public(session: Session, *, project_id: int, since: datetime | None) -> None:
    project = session.get(Project, project_id)
    assert project is not None
    project.public_since = since
    session.flush()


# ---- projects ------------------------------------------------------------------------------


def public_projects(session: Session, *, offset: int = 0, limit: int | None = None
                    ) -> list[Project]:
    """Public projects by name (and code, so that a page break between equal names is stable)."""
    query = select(Project).where(PUBLIC).order_by(col(Project.name), col(Project.code))
    if limit is not None:
        query = query.offset(offset).limit(limit)
    return list(session.exec(query))


def count_public_projects(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(Project).where(PUBLIC)).one())


def public_project(session: Session, *, code: str) -> Project | None:
    # Codes are made upper case, so the code's index finds them; a code stored otherwise (by
    # hand) is still found by the slower comparison.
    found = session.exec(select(Project).where(PUBLIC, Project.code == code.upper())).first()
    if found is not None:
        return found
    return session.exec(
        select(Project).where(PUBLIC, func.upper(Project.code) == code.upper())
    ).first()


def ward_names(session: Session, *, project_id: int | None = None,
               project_ids: list[int] | None = None) -> dict[int, list[str]]:
    """Ward names per project: one project's, these projects', or every public project's."""
    query = (
        select(ProjectWard.project_id, Ward.name)
        .join(Ward, col(Ward.id) == col(ProjectWard.ward_id))
        .join(Project, col(Project.id) == col(ProjectWard.project_id))
        .where(PUBLIC if project_id is None else col(ProjectWard.project_id) == project_id)
        .order_by(col(Ward.name))
    )
    if project_ids is not None:
        query = query.where(col(ProjectWard.project_id).in_(project_ids))
    found: dict[int, list[str]] = defaultdict(list)
    for pid, name in session.exec(query):
        found[pid].append(name)
    return found


def topic_names(session: Session, *, project_id: int | None = None,
                project_ids: list[int] | None = None) -> dict[int, list[str]]:
    query = (
        select(ProjectTopic.project_id, ProjectTopic.topic)
        .join(Project, col(Project.id) == col(ProjectTopic.project_id))
        .where(PUBLIC if project_id is None else col(ProjectTopic.project_id) == project_id)
        .order_by(col(ProjectTopic.topic))
    )
    if project_ids is not None:
        query = query.where(col(ProjectTopic.project_id).in_(project_ids))
    found: dict[int, list[str]] = defaultdict(list)
    for pid, topic in session.exec(query):
        found[pid].append(topic)
    return found


def messages_since(session: Session, *, since: date, project_ids: list[int] | None = None
                   ) -> dict[int, int]:
    """Messages counted per public project since ``since`` (counts only, never text)."""
    query = (
        select(ActivityDay.project_id, func.sum(ActivityDay.messages))
        .join(Project, col(Project.id) == col(ActivityDay.project_id))
        .where(PUBLIC, col(ActivityDay.day) >= since)
        .group_by(col(ActivityDay.project_id))
    )
    if project_ids is not None:
        query = query.where(col(ActivityDay.project_id).in_(project_ids))
    return {pid: int(n or 0) for pid, n in session.exec(query)}


def challenge_rows(session: Session, *, project_ids: list[int] | None = None
                   ) -> list[tuple[int, str, datetime | None, datetime, datetime | None]]:
    """(project, status, escalated_at, raised_at, first answer) of every public challenge (of
    these projects)."""
    query = (
        sa_select(col(Challenge.project_id), col(Challenge.status), col(Challenge.escalated_at),
                  col(Challenge.raised_at), col(Challenge.first_answered_at))
        .join(Project, col(Project.id) == col(Challenge.project_id))
        .where(PUBLIC)
    )
    if project_ids is not None:
        query = query.where(col(Challenge.project_id).in_(project_ids))
    rows = session.connection().execute(query)
    return [(pid, status, escalated, raised, first) for pid, status, escalated, raised, first in rows]


# ---- challenges of one project -------------------------------------------------------------
# Rows of columns, not model instances: a page reads thousands of them, and building an ORM
# object per row would cost more than the whole page may take.

CHALLENGE_COLUMNS = (col(Challenge.id), col(Challenge.project_id), col(Challenge.number),
                     col(Challenge.text), col(Challenge.raised_at), col(Challenge.status),
                     col(Challenge.routed_to), col(Challenge.acknowledged_at),
                     col(Challenge.acknowledged_by), col(Challenge.reminded_at),
                     col(Challenge.escalated_at), col(Challenge.reopened_at))
ANSWER_COLUMNS = (col(ChallengeAnswer.id), col(ChallengeAnswer.challenge_id),
                  col(ChallengeAnswer.councillor_id), col(ChallengeAnswer.outcome),
                  col(ChallengeAnswer.explanation), col(ChallengeAnswer.answered_at))
FOLLOWUP_COLUMNS = (col(ChallengeFollowup.challenge_id), col(ChallengeFollowup.answer_id),
                    col(ChallengeFollowup.asked_at), col(ChallengeFollowup.reply),
                    col(ChallengeFollowup.replied_at))
RECIPIENT_COLUMNS = (col(ChallengeRecipient.challenge_id), col(ChallengeRecipient.person_id),
                     col(ChallengeRecipient.notified_at), col(ChallengeRecipient.reason))


def challenges_with_support(session: Session, *, project_id: int,
                            number: int | None = None, ids: list[int] | Any = None) -> Rows:
    """A project's challenges (the one numbered ``number``, those with these ``ids``: a list or
    a query of them), each with ``supporters``."""
    return session.connection().execute(challenges_query(project_id, number, ids)).all()


def challenges_query(project_id: int | Any, number: int | None = None, ids: list[int] | Any = None
                     ) -> Any:
    """The statement of ``challenges_with_support`` (``project_id`` may be a bound parameter)."""
    supporters = (
        sa_select(func.count())
        .where(col(ChallengeSupport.challenge_id) == col(Challenge.id))
        .scalar_subquery()
        .label("supporters")
    )
    query = (
        sa_select(*CHALLENGE_COLUMNS, supporters)
        .where(col(Challenge.project_id) == project_id)
        .order_by(col(Challenge.number))
    )
    if number is not None:
        query = query.where(col(Challenge.number) == number)
    if ids is not None:
        query = query.where(col(Challenge.id).in_(ids))
    return query


def answers_in(session: Session, *, project_id: int, challenge_id: int | None = None,
               ids: list[int] | None = None) -> Rows:
    """A project's answers (to one challenge, to these challenges), oldest first."""
    query = (
        sa_select(*ANSWER_COLUMNS)
        .join(Challenge, col(Challenge.id) == col(ChallengeAnswer.challenge_id))
        .where(col(Challenge.project_id) == project_id)
        .order_by(col(ChallengeAnswer.answered_at), col(ChallengeAnswer.id))
    )
    if challenge_id is not None:
        query = query.where(col(ChallengeAnswer.challenge_id) == challenge_id)
    if ids is not None:
        query = query.where(col(ChallengeAnswer.challenge_id).in_(ids))
    return session.connection().execute(query).all()


def followups_in(session: Session, *, project_id: int, challenge_id: int | None = None,
                 ids: list[int] | None = None) -> Rows:
    query = (
        sa_select(*FOLLOWUP_COLUMNS)
        .join(Challenge, col(Challenge.id) == col(ChallengeFollowup.challenge_id))
        .where(col(Challenge.project_id) == project_id)
        .order_by(col(ChallengeFollowup.id))
    )
    if challenge_id is not None:
        query = query.where(col(ChallengeFollowup.challenge_id) == challenge_id)
    if ids is not None:
        query = query.where(col(ChallengeFollowup.challenge_id).in_(ids))
    return session.connection().execute(query).all()


def recipients_in(session: Session, *, project_id: int, challenge_id: int | None = None,
                  person_ids: list[int] | None = None) -> Rows:
    query = (
        sa_select(*RECIPIENT_COLUMNS)
        .join(Challenge, col(Challenge.id) == col(ChallengeRecipient.challenge_id))
        .where(col(Challenge.project_id) == project_id)
        .order_by(col(ChallengeRecipient.notified_at), col(ChallengeRecipient.person_id))
    )
    if challenge_id is not None:
        query = query.where(col(ChallengeRecipient.challenge_id) == challenge_id)
    if person_ids is not None:
        query = query.where(col(ChallengeRecipient.person_id).in_(person_ids))
    return session.connection().execute(query).all()


# ---- councillors ---------------------------------------------------------------------------


def councillor_names(session: Session) -> dict[int, str]:
    """Every councillor who has a name (erased people have none), by person id."""
    rows = session.exec(
        select(Person.id, Person.name)
        .join(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
        .where(RoleGrant.role == "councillor", col(Person.name).is_not(None))
        .order_by(col(Person.name))
    )
    return {pid: name for pid, name in rows if pid is not None and name is not None}


def linked_councillors(session: Session, *, project_id: int | None = None,
                       councillor_id: int | None = None) -> list[tuple[int, int]]:
    """(project, councillor) of accepted links to public projects."""
    query = (
        select(CouncillorLink.project_id, CouncillorLink.councillor_id)
        .join(Project, col(Project.id) == col(CouncillorLink.project_id))
        .where(PUBLIC, CouncillorLink.status == "accepted")
        .order_by(col(Project.name), col(CouncillorLink.id))
    )
    if project_id is not None:
        query = query.where(CouncillorLink.project_id == project_id)
    if councillor_id is not None:
        query = query.where(CouncillorLink.councillor_id == councillor_id)
    return list(session.exec(query))


def councillor_wards(session: Session, *, person_id: int | None = None) -> dict[int, list[str]]:
    query = (
        select(CouncillorWard.person_id, Ward.name)
        .join(Ward, col(Ward.id) == col(CouncillorWard.ward_id))
        .order_by(col(Ward.name))
    )
    if person_id is not None:
        query = query.where(CouncillorWard.person_id == person_id)
    found: dict[int, list[str]] = defaultdict(list)
    for pid, name in session.exec(query):
        found[pid].append(name)
    return found


def answers_in_public(session: Session, *, councillor_id: int, latest: int | None = None
                      ) -> Rows:
    """Answers this person gave in public projects, the latest first (only ``latest`` of them),
    with the challenge's number and text and the project's code and name."""
    query = (
        sa_select(*ANSWER_COLUMNS, col(Challenge.number), col(Challenge.text),
                  col(Project.code), col(Project.name))
        .join(Challenge, col(Challenge.id) == col(ChallengeAnswer.challenge_id))
        .join(Project, col(Project.id) == col(Challenge.project_id))
        .where(PUBLIC, col(ChallengeAnswer.councillor_id) == councillor_id)
        .order_by(col(ChallengeAnswer.answered_at).desc(), col(ChallengeAnswer.id).desc())
    )
    return session.connection().execute(query if latest is None else query.limit(latest)).all()


def count_answers_in_public(session: Session, *, councillor_id: int) -> int:
    return int(session.connection().execute(
        sa_select(func.count()).select_from(ChallengeAnswer)
        .join(Challenge, col(Challenge.id) == col(ChallengeAnswer.challenge_id))
        .join(Project, col(Project.id) == col(Challenge.project_id))
        .where(PUBLIC, col(ChallengeAnswer.councillor_id) == councillor_id)
    ).scalar_one())


def councillor_projects(session: Session, *, councillor_id: int) -> list[tuple[str, str]]:
    """(code, name) of the public projects a councillor is linked to, by name."""
    rows = session.exec(
        select(Project.code, Project.name)
        .join(CouncillorLink, col(CouncillorLink.project_id) == col(Project.id))
        .where(PUBLIC, CouncillorLink.councillor_id == councillor_id,
               CouncillorLink.status == "accepted")
        .order_by(col(Project.name), col(Project.code))
    )
    return [(code, name) for code, name in rows]


# ---- polls ---------------------------------------------------------------------------------


def project_polls(session: Session, *, project_id: int) -> list[Poll]:
    """The project's polls, withdrawn ones left out (they have no results)."""
    return list(
        session.exec(select(Poll).where(Poll.project_id == project_id,
                                        col(Poll.withdrawn_at).is_(None))
                     .order_by(col(Poll.number)))
    )


def poll_counts(session: Session, *, project_id: int) -> dict[int, list[tuple[str, int]]]:
    """(option, count) per poll of a project: anonymous tallies, named votes and native counts,
    in three statements (``polls.option_counts`` for every poll at once, less the ballots still
    waiting: the page shows totals only once a poll is closed or named, and a close mixes them)."""
    options = session.connection().execute(  # rows, not objects: cheaper to build
        sa_select(col(PollOption.id), col(PollOption.poll_id), col(PollOption.text),
                  col(PollOption.tally))
        .join(Poll, col(Poll.id) == col(PollOption.poll_id))
        .where(col(Poll.project_id) == project_id)
        .order_by(col(PollOption.poll_id), col(PollOption.position))
    ).all()
    named = dict(
        session.exec(
            select(PollVote.option_id, func.count())
            .join(Poll, col(Poll.id) == col(PollVote.poll_id))
            .where(Poll.project_id == project_id)
            .group_by(col(PollVote.option_id))
        ).all()
    )
    native: dict[int, list[int]] = defaultdict(list)
    for poll_id, counts in session.exec(
        select(PollMessage.poll_id, PollMessage.native_counts)
        .join(Poll, col(Poll.id) == col(PollMessage.poll_id))
        .where(Poll.project_id == project_id, col(PollMessage.native_counts).is_not(None))
    ):
        extra = native[poll_id]
        for i, n in enumerate(json.loads(counts or "[]")):
            if i >= len(extra):
                extra.append(0)
            extra[i] += max(0, int(n))
    found: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for o in options:
        position = len(found[o.poll_id])
        extra = native.get(o.poll_id, [])
        count = o.tally + int(named.get(o.id or 0, 0)) + (extra[position] if position < len(extra) else 0)
        found[o.poll_id].append((o.text, count))
    return found


def poll_voters(session: Session, *, project_id: int) -> dict[int, int]:
    """People who voted through the bot, per poll."""
    rows = session.exec(
        select(PollVoter.poll_id, func.count())
        .join(Poll, col(Poll.id) == col(PollVoter.poll_id))
        .where(Poll.project_id == project_id)
        .group_by(col(PollVoter.poll_id))
    )
    return {pid: int(n) for pid, n in rows}
