"""Councillor links to projects: proposed, accepted, declined or left; one row per pair."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import (
    CouncillorLink,
    CouncillorPortfolio,
    CouncillorWard,
    Person,
    Project,
    ProjectTopic,
    ProjectWard,
    RoleGrant,
    Ward,
)


def get_link(session: Session, *, project_id: int, councillor_id: int) -> CouncillorLink | None:
    return session.exec(
        select(CouncillorLink).where(
            CouncillorLink.project_id == project_id, CouncillorLink.councillor_id == councillor_id
        )
    ).first()


def create_link(
    session: Session,
    *,
    project_id: int,
    councillor_id: int,
    status: str,
    reason: str,
    now: datetime,
) -> CouncillorLink | None:
    """A new link row; None when the pair has one already (the unique row forbids a second)."""
    link = CouncillorLink(
        project_id=project_id,
        councillor_id=councillor_id,
        status=status,
        reason=reason,
        proposed_at=now,
        decided_at=now if status == "accepted" else None,
    )
    try:
        with session.begin_nested():
            session.add(link)
            session.flush()
    except IntegrityError:
        return None
    return link


def linked_councillors(session: Session, *, project_id: int) -> list[int]:
    """People with an accepted link to the project, in the order they were linked."""
    return list(
        session.exec(
            select(CouncillorLink.councillor_id)
            .where(CouncillorLink.project_id == project_id, CouncillorLink.status == "accepted")
            .order_by(col(CouncillorLink.decided_at), col(CouncillorLink.id))
        )
    )


def links_of_councillor(
    session: Session, *, councillor_id: int, statuses: tuple[str, ...] = ("accepted",)
) -> list[tuple[CouncillorLink, Project]]:
    return [
        (link, project)
        for link, project in session.exec(
            select(CouncillorLink, Project)
            .join(Project, col(Project.id) == col(CouncillorLink.project_id))
            .where(
                CouncillorLink.councillor_id == councillor_id,
                col(CouncillorLink.status).in_(statuses),
            )
            .order_by(col(Project.name))
        )
    ]


def councillors_matching_project(session: Session, *, project_id: int) -> list[tuple[int, str]]:
    """(councillor, why) for every councillor sharing a ward or a topic with the project."""
    found: dict[int, str] = {}
    by_ward = session.exec(
        select(CouncillorWard.person_id, Ward.name)
        .join(ProjectWard, col(ProjectWard.ward_id) == col(CouncillorWard.ward_id))
        .join(Ward, col(Ward.id) == col(CouncillorWard.ward_id))
        .join(RoleGrant, col(RoleGrant.person_id) == col(CouncillorWard.person_id))
        .where(ProjectWard.project_id == project_id, RoleGrant.role == "councillor")
        .order_by(col(CouncillorWard.person_id), col(Ward.name))
    )
    for person_id, ward in by_ward:
        found.setdefault(person_id, f"{ward} ward")
    by_topic = session.exec(
        select(CouncillorPortfolio.person_id, ProjectTopic.topic)
        .join(
            ProjectTopic,
            func.lower(ProjectTopic.topic) == func.lower(CouncillorPortfolio.topic),
        )
        .join(RoleGrant, col(RoleGrant.person_id) == col(CouncillorPortfolio.person_id))
        .where(ProjectTopic.project_id == project_id, RoleGrant.role == "councillor")
        .order_by(col(CouncillorPortfolio.person_id), col(ProjectTopic.topic))
    )
    for person_id, topic in by_topic:
        found.setdefault(person_id, f"{topic} portfolio")
    return sorted(found.items())


def active_projects_matching_councillor(
    session: Session, *, councillor_id: int
) -> list[tuple[Project, str]]:
    """(project, why) for every active project sharing a ward or topic with the councillor."""
    out: list[tuple[Project, str]] = []
    for project in session.exec(
        select(Project)
        .where(col(Project.became_active_at).is_not(None))
        .order_by(col(Project.id))
    ):
        assert project.id is not None
        for person_id, why in councillors_matching_project(session, project_id=project.id):
            if person_id == councillor_id:
                out.append((project, why))
    return out


def find_councillor(session: Session, *, name: str) -> list[Person]:
    """Councillors whose name is ``name`` (any case), else those whose name contains it."""
    wanted = " ".join(name.lower().removeprefix("cllr ").split())
    councillors = list(
        session.exec(
            select(Person)
            .join(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
            .where(RoleGrant.role == "councillor", col(Person.name).is_not(None))
            .order_by(col(Person.id))
        )
    )
    exact = [p for p in councillors if (p.name or "").lower() == wanted]
    if exact:
        return exact
    return [p for p in councillors if wanted and wanted in (p.name or "").lower()]
