"""What the council officer does from the command line: wards, invites, people, projects."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot import challenges, digests, polls
from bot.challenges import councillor_figures
from bot.kernel.config import Settings
from bot.kernel.visible import visible_length, without_bidi_controls
from bot.people import LINK, issue_invite, normalise_code
from storage.models import Person, Project
from storage.repo import links, people, projects, work

ROLES = ("councillor", "facilitator", "admin")


class AdminError(Exception):
    """A command-line request that cannot be done; the message says why in one line."""


def add_ward(session: Session, *, name: str) -> dict[str, Any]:
    name = " ".join(without_bidi_controls(name).split())
    if not visible_length(name):
        raise AdminError("a ward needs a name")
    if people.find_ward(session, name=name) is not None:
        raise AdminError(f"ward {name!r} exists already")
    try:
        ward = people.add_ward(session, name=name)
    except IntegrityError as exc:
        raise AdminError(f"ward {name!r} exists already") from exc
    return {"id": ward.id, "name": ward.name}


def list_wards(session: Session) -> list[dict[str, Any]]:
    return [{"id": w.id, "name": w.name} for w in people.list_wards(session)]


@dataclass(frozen=True)
class InviteResult:
    code: str
    person_id: int
    name: str
    role: str
    expires_at: str
    deep_link: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def invite(
    session: Session,
    *,
    settings: Settings,
    now: datetime,
    role: str,
    name: str | None = None,
    wards: list[str] | None = None,
    portfolios: list[str] | None = None,
    person: str | None = None,
) -> InviteResult:
    """A single-use invite for a new person with a role, or (``LINK``, with ``person``) one more
    platform for an existing person, which grants nothing."""
    if role not in ROLES and not (role == LINK and person is not None):
        raise AdminError(f"role must be one of {', '.join(ROLES)}")
    if person is not None:
        target = find_person(session, key=person)
    else:
        name = without_bidi_controls(name or "")
        if not visible_length(name):
            raise AdminError("--name is required")
        target = people.create_person(session, name=" ".join(name.split()), now=now)
    assert target.id is not None
    if role == "councillor" and (wards or portfolios or person is None):
        ward_rows = []
        for ward_name in wards or []:
            ward = people.find_ward(session, name=ward_name)
            if ward is None:
                known = ", ".join(w.name for w in people.list_wards(session)) or "none yet"
                raise AdminError(
                    f"unknown ward {ward_name!r} (known: {known}); add it with 'ncbot admin ward add'"
                )
            ward_rows.append(ward)
        if person is None and not ward_rows and not portfolios:
            raise AdminError("a councillor needs --ward or --portfolio")
        people.set_councillor_areas(
            session,
            person_id=target.id,
            ward_ids=[w.id for w in ward_rows if w.id is not None],
            portfolios=[" ".join(p.lower().split()) for p in portfolios or []],
        )
    issued = issue_invite(
        session,
        role=role,
        person_id=target.id,
        now=now,
        ttl=timedelta(days=settings.invites.expire_days),
    )
    username = settings.telegram.bot_username
    return InviteResult(
        code=issued.code,
        person_id=target.id,
        name=target.name or "",
        role=role,
        expires_at=issued.expires_at.isoformat(timespec="minutes"),
        deep_link=f"https://t.me/{username}?start={issued.code}" if username else None,
    )


def link_invite(session: Session, *, settings: Settings, now: datetime, person: str
                ) -> InviteResult:
    """An invite that adds an account on another platform to ``person`` and grants no role."""
    return invite(session, settings=settings, now=now, role=LINK, person=person)


def pending_invites(session: Session, *, now: datetime) -> list[dict[str, Any]]:
    """Invites nobody has redeemed yet and that have not expired."""
    return [
        {"code": i.code, "role": i.role, "person_id": i.person_id, "name": p.name or "",
         "created_at": i.created_at.isoformat(timespec="minutes"),
         "expires_at": i.expires_at.isoformat(timespec="minutes")}
        for i, p in people.pending_invites(session, now=now)
    ]


def cancel_invite(session: Session, *, code: str) -> dict[str, Any]:
    """Void an invite that has not been redeemed; a redeemed one is undone by ``revoke``."""
    found = people.find_invite(session, code=normalise_code(code))
    if found is None:
        raise AdminError(f"no invite {code!r} (see ncbot admin invites)")
    if found.used_at is not None:
        when = found.used_at.isoformat(timespec="minutes")
        raise AdminError(f"invite {found.code} was redeemed at {when}; "
                         f"use 'ncbot admin revoke {found.person_id}' to take the role back")
    person = session.get(Person, found.person_id)
    result = {"code": found.code, "role": found.role, "person_id": found.person_id,
              "name": person.name if person else None, "cancelled": True}
    session.delete(found)
    session.flush()
    return result


def find_person(session: Session, *, key: str) -> Person:
    """A person by id, or by exact (case-insensitive) name when that is unambiguous."""
    if key.isdigit():
        found = session.get(Person, int(key))
        if found is not None:
            return found
    matches = [p for p in people.list_people(session) if (p.name or "").lower() == key.lower()]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise AdminError(f"{len(matches)} people are called {key!r}; use the id (ncbot admin people)")
    raise AdminError(f"no person {key!r} (see ncbot admin people)")


def list_people(session: Session) -> list[dict[str, Any]]:
    out = []
    for person in people.list_people(session):
        assert person.id is not None
        out.append(
            {
                "id": person.id,
                "name": person.name,
                "roles": sorted(people.roles_of(session, person_id=person.id)),
                "identities": [
                    f"{i.platform}:{i.username or i.user_id}"
                    for i in people.identities_of(session, person_id=person.id)
                ],
                "wards": [w.name for w in people.councillor_wards(session, person_id=person.id)],
                "portfolios": people.councillor_portfolios(session, person_id=person.id),
            }
        )
    return out


def revoke(session: Session, *, person: str, now: datetime) -> dict[str, Any]:
    """Take every role from a person at once; their identities and record stay.

    Whatever could give a role back or act with it later goes too: their unused invites (a link
    invite included) and the exchanges they are in the middle of (a poll outcome, an answer).
    """
    target = find_person(session, key=person)
    assert target.id is not None
    roles = sorted(people.roles_of(session, person_id=target.id))
    if not roles:
        raise AdminError(f"{target.name or target.id} has no role to revoke")
    people.revoke_roles(session, person_id=target.id)
    voided = people.delete_unused_invites(session, person_id=target.id)
    conversations = sum(
        work.end_conversation(session, platform=i.platform, user_id=i.user_id)
        for i in people.identities_of(session, person_id=target.id)
    )
    # Without the role they cannot act, so nothing may still be routed to them or list them:
    # their links end and they stop facilitating projects.
    ended = 0
    for link, _project in links.links_of_councillor(
        session, councillor_id=target.id, statuses=("proposed", "accepted")
    ):
        link.status, link.decided_at = "left", now
        ended += 1
    left = projects.remove_facilitator_everywhere(session, person_id=target.id)
    return {"id": target.id, "name": target.name, "revoked": roles, "links_ended": ended,
            "projects_left": left, "invites_voided": voided,
            "conversations_ended": conversations}


def list_projects(session: Session, *, settings: Settings, now: datetime) -> list[dict[str, Any]]:
    from zoneinfo import ZoneInfo

    today = now.astimezone(ZoneInfo(settings.bot.timezone)).date()
    since = today - timedelta(days=settings.activity.window_days - 1)
    out = []
    for project in projects.list_projects(session):
        assert project.id is not None
        participants = projects.participants_since(session, project_id=project.id, since=since)
        out.append(
            {
                "id": project.id,
                "code": project.code,
                "name": project.name,
                "chats": len(projects.project_chats(session, project_id=project.id)),
                "wards": [w.name for w in projects.project_wards(session, project_id=project.id)],
                "topics": projects.project_topics(session, project_id=project.id),
                "messages": projects.messages_since(session, project_id=project.id, since=since),
                "participants": participants,
                "active": participants >= settings.activity.min_participants,
            }
        )
    return out


def find_project(session: Session, *, key: str) -> Project:
    project = projects.find_project(session, key=key)
    if project is None:
        raise AdminError(f"no project {key!r} (see ncbot admin projects)")
    return project


def list_councillors(session: Session, *, now: datetime) -> list[dict[str, Any]]:
    """Every councillor with their response figures (median times, before escalation, follow-ups)."""

    out = []
    for person in people.people_with_role(session, role="councillor"):
        assert person.id is not None
        figures = councillor_figures(session, person_id=person.id, now=now)
        row = figures.to_json()
        row["wards"] = [w.name for w in people.councillor_wards(session, person_id=person.id)]
        row["summary"] = figures.summary()
        out.append(row)
    return out


def export_challenges(session: Session, *, project: str) -> list[dict[str, Any]]:
    """The public record of one project's challenges, answers and outcomes."""

    found = find_project(session, key=project)
    assert found.id is not None
    return challenges.export_challenges(session, project_id=found.id)


def export_polls(session: Session, *, project: str) -> list[dict[str, Any]]:
    """One project's polls with per-option totals (no names in anonymous polls)."""

    found = find_project(session, key=project)
    assert found.id is not None
    return polls.export_polls(session, project_id=found.id)


def preview_digest(
    session: Session, *, settings: Settings, now: datetime, person: str | None, project: str | None
) -> list[str]:
    """A digest as it would read now, one string per message; [] when nothing is new."""

    if project is not None:
        found = find_project(session, key=project)
        messages = digests.preview_group_digest(session, project_id=found.id or 0, now=now, settings=settings)
    else:
        target = find_person(session, key=person or "")
        messages = digests.preview_digest(session, person_id=target.id or 0, now=now, settings=settings)
    return [m.text for m in messages]
