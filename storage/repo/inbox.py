"""What waits for one person across projects: the queries behind a person's inbox."""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.models import Challenge, CouncillorLink, Poll, Project, ProjectFacilitator
from storage.repo.challenges import OPEN_STATUSES


def link_proposals(session: Session, *, councillor_id: int) -> list[tuple[CouncillorLink, Project]]:
    """Links proposed to a councillor and not yet accepted or declined, oldest first."""
    return list(session.exec(
        select(CouncillorLink, Project)
        .join(Project, col(Project.id) == col(CouncillorLink.project_id))
        .where(CouncillorLink.councillor_id == councillor_id, CouncillorLink.status == "proposed")
        .order_by(col(CouncillorLink.id))
    ).all())


def escalated_in_facilitated(session: Session, *, person_id: int) -> list[tuple[Challenge, Project]]:
    """Escalated, unanswered challenges of the projects a person facilitates, oldest first."""
    return list(session.exec(
        select(Challenge, Project)
        .join(Project, col(Project.id) == col(Challenge.project_id))
        .join(ProjectFacilitator, col(ProjectFacilitator.project_id) == col(Project.id))
        .where(ProjectFacilitator.person_id == person_id,
               col(Challenge.escalated_at).is_not(None),
               col(Challenge.status).in_(OPEN_STATUSES))
        .order_by(col(Challenge.raised_at), col(Challenge.id))
    ).all())


def polls_awaiting_outcome(session: Session, *, person_id: int) -> list[tuple[Poll, Project]]:
    """Closed polls a person started that have no outcome statement yet, oldest first."""
    return list(session.exec(
        select(Poll, Project)
        .join(Project, col(Project.id) == col(Poll.project_id))
        .where(Poll.created_by == person_id, col(Poll.closed_at).is_not(None),
               col(Poll.withdrawn_at).is_(None), col(Poll.outcome).is_(None))
        .order_by(col(Poll.closed_at), col(Poll.id))
    ).all())
