"""Projects, their chats, wards, topics, facilitators and activity counts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import bindparam, delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import (
    ActivityDay,
    ActivityParticipant,
    Challenge,
    Chat,
    CouncillorLink,
    Project,
    ProjectFacilitator,
    ProjectTopic,
    ProjectWard,
    Ward,
)
from storage.repo import activity


def ensure_chat(
    session: Session, *, platform: str, platform_chat_id: str, kind: str, title: str | None,
    known: dict[str, Chat | None] | None = None,
) -> Chat:
    """The chat, recorded on first sight. ``known``: the platform's chats this session has read
    already (``None``: read, and not there); one recorded here is put in."""
    if known is not None and platform_chat_id in known:
        chat = known[platform_chat_id]
    else:
        chat = session.exec(
            select(Chat).where(Chat.platform == platform, Chat.platform_chat_id == platform_chat_id)
        ).first()
    if chat is None:
        try:
            with session.begin_nested():
                chat = Chat(
                    platform=platform, platform_chat_id=platform_chat_id, kind=kind, title=title
                )
                session.add(chat)
                session.flush()
            if known is not None:
                known[platform_chat_id] = chat
            return chat
        except IntegrityError:
            # Two events from a chat new to us reached two processes at once.
            chat = find_chat(session, platform=platform, platform_chat_id=platform_chat_id)
            if chat is None:
                raise
    if title and chat.title != title:
        chat.title = title
    return chat


def chats_with_projects(session: Session, *, platform: str,
                        chat_ids: Iterable[str]) -> tuple[dict[str, Chat | None], list[Project]]:
    """These chats (``None`` for one not seen before) and their projects, in two statements:
    what ``ensure_chat`` takes as ``known``; ``session.get`` finds the projects while the caller
    holds them."""
    found: dict[str, Chat | None] = dict.fromkeys(sorted(set(chat_ids)))
    found.update(activity.chats_by_platform_id(session, platform=platform, chat_ids=list(found)))
    ids = {c.project_id for c in found.values() if c is not None and c.project_id is not None}
    held = list(session.exec(_PROJECTS, params={"ids": sorted(ids)})) if ids else []
    return found, held


# Built once: each batch of events runs it (building an ORM statement cost as much).
_PROJECTS = select(Project).where(col(Project.id).in_(bindparam("ids", expanding=True)))


def find_chat(session: Session, *, platform: str, platform_chat_id: str) -> Chat | None:
    return session.exec(
        select(Chat).where(Chat.platform == platform, Chat.platform_chat_id == platform_chat_id)
    ).first()


def create_project(
    session: Session, *, name: str, code: str, created_by: int, now: datetime
) -> Project:
    project = Project(name=name, code=code, created_by=created_by, created_at=now)
    session.add(project)
    session.flush()
    return project


def find_project_by_code(session: Session, *, code: str) -> Project | None:
    return session.exec(select(Project).where(func.upper(Project.code) == code.upper())).first()


def find_project(session: Session, *, key: str) -> Project | None:
    """By id, code or exact name (for the command line)."""
    if key.isdigit():
        found = session.get(Project, int(key))
        if found:
            return found
    return find_project_by_code(session, code=key) or session.exec(
        select(Project).where(func.lower(Project.name) == key.lower())
    ).first()


def list_projects(session: Session) -> list[Project]:
    return list(session.exec(select(Project).order_by(col(Project.id))))


def project_chats(session: Session, *, project_id: int) -> list[Chat]:
    return list(
        session.exec(
            select(Chat)
            .where(Chat.project_id == project_id, col(Chat.gone_at).is_(None))
            .order_by(col(Chat.id))
        )
    )


def add_facilitator(session: Session, *, project_id: int, person_id: int) -> None:
    if session.get(ProjectFacilitator, (project_id, person_id)) is None:
        session.add(ProjectFacilitator(project_id=project_id, person_id=person_id))
        session.flush()


def project_facilitators(session: Session, *, project_id: int) -> list[int]:
    return list(
        session.exec(
            select(ProjectFacilitator.person_id).where(ProjectFacilitator.project_id == project_id)
        )
    )


def remove_facilitator_everywhere(session: Session, *, person_id: int) -> int:
    result = session.execute(
        delete(ProjectFacilitator).where(col(ProjectFacilitator.person_id) == person_id)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def is_project_facilitator(session: Session, *, project_id: int, person_id: int) -> bool:
    return session.get(ProjectFacilitator, (project_id, person_id)) is not None


def takes_part(session: Session, *, project_id: int, person_id: int) -> bool:
    """Whether a person belongs to a project: has spoken in one of its chats, raised a challenge
    in it, facilitates it, or is a councillor linked to it."""
    checks = (
        select(ActivityParticipant.person_id).where(
            ActivityParticipant.project_id == project_id, ActivityParticipant.person_id == person_id),
        select(Challenge.id).where(Challenge.project_id == project_id,
                                   Challenge.raised_by == person_id),
        select(CouncillorLink.id).where(CouncillorLink.project_id == project_id,
                                        CouncillorLink.councillor_id == person_id,
                                        CouncillorLink.status == "accepted"),
    )
    return is_project_facilitator(session, project_id=project_id, person_id=person_id) or any(
        session.exec(query.limit(1)).first() is not None for query in checks
    )


def set_project_wards(session: Session, *, project_id: int, ward_ids: Iterable[int]) -> None:
    session.execute(delete(ProjectWard).where(col(ProjectWard.project_id) == project_id))
    for ward_id in dict.fromkeys(ward_ids):
        session.add(ProjectWard(project_id=project_id, ward_id=ward_id))
    session.flush()


def project_wards(session: Session, *, project_id: int) -> list[Ward]:
    return list(
        session.exec(
            select(Ward)
            .join(ProjectWard, col(ProjectWard.ward_id) == col(Ward.id))
            .where(ProjectWard.project_id == project_id)
            .order_by(col(Ward.name))
        )
    )


def set_project_topics(session: Session, *, project_id: int, topics: Iterable[str]) -> None:
    session.execute(delete(ProjectTopic).where(col(ProjectTopic.project_id) == project_id))
    for topic in dict.fromkeys(topics):
        session.add(ProjectTopic(project_id=project_id, topic=topic))
    session.flush()


def project_topics(session: Session, *, project_id: int) -> list[str]:
    return list(
        session.exec(
            select(ProjectTopic.topic)
            .where(ProjectTopic.project_id == project_id)
            .order_by(col(ProjectTopic.topic))
        )
    )


def participants_since(session: Session, *, project_id: int, since: date) -> int:
    return int(
        session.exec(
            select(func.count(func.distinct(ActivityParticipant.person_id))).where(
                ActivityParticipant.project_id == project_id,
                col(ActivityParticipant.day) >= since,
            )
        ).one()
    )


def messages_since(session: Session, *, project_id: int, since: date) -> int:
    return int(
        session.exec(
            select(func.coalesce(func.sum(ActivityDay.messages), 0)).where(
                ActivityDay.project_id == project_id, col(ActivityDay.day) >= since
            )
        ).one()
    )
