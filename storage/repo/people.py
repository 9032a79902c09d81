"""People, their platform identities, roles, wards and portfolios, invites."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, bindparam, delete, func, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, SQLModel, col, select

from storage.models import (
    Challenge,
    ChallengeSupport,
    CouncillorPortfolio,
    CouncillorWard,
    Identity,
    Invite,
    InviteAttempt,
    Person,
    PollVote,
    PollVoter,
    RoleGrant,
    Ward,
)
from storage.repo import activity, voices
from storage.rows import as_read


def get_identity(session: Session, *, platform: str, user_id: str) -> Identity | None:
    return session.exec(
        select(Identity).where(Identity.platform == platform, Identity.user_id == user_id)
    ).first()


def ensure_identity(
    session: Session,
    *,
    platform: str,
    user_id: str,
    display_name: str,
    username: str | None,
    now: datetime,
    provisional: bool = False,
    known: dict[str, Identity | None] | None = None,
    seen: dict[int, datetime] | None = None,
) -> tuple[Identity, Person]:
    """The identity for a platform user, creating it (and a resident person) on first sight.
    A ``provisional`` name (a handle or an id standing in) names a newcomer only. ``known``: the
    platform's identities this session has read already (``None``: read, and not there); one
    made here is put in. ``seen``: where to note the time it was seen, for the caller to write
    for many at once, instead of on the identity."""
    if known is not None and user_id in known:
        identity = known[user_id]
    else:
        identity = get_identity(session, platform=platform, user_id=user_id)
    if identity is None:
        made = add_identities(session, platform=platform, newcomers=[
            activity.Newcomer(user_id, display_name, username, now)]).get(user_id)
        if made is not None:
            if known is not None:
                known[user_id] = made[0]
            return made
        # Their first two events reached two processes at once; the other one created them.
        identity = get_identity(session, platform=platform, user_id=user_id)
        if identity is None:
            raise LookupError(f"the identity of {platform} user {user_id} vanished")
    if identity.display_name != display_name and not provisional:
        identity.display_name = display_name
    if identity.username != username and (username is not None or not provisional):
        identity.username = username
    if seen is None:
        identity.last_seen_at = now
    else:
        assert identity.id is not None
        seen[identity.id] = now
    found = session.get(Person, identity.person_id)
    assert found is not None
    return identity, found


def identities_of_users(session: Session, *, platform: str,
                        user_ids: Iterable[str]
                        ) -> tuple[dict[str, Identity | None], list[Person]]:
    """The identities of these users (``None`` for a user not seen before) and their people,
    read in two statements: what ``ensure_identity`` takes as ``known``. The session finds the
    people while the caller holds them (its identity map holds unchanged rows weakly)."""
    wanted = sorted(set(user_ids))
    found: dict[str, Identity | None] = dict.fromkeys(wanted)
    for identity in session.exec(_IDENTITIES_OF_USERS,
                                 params={"platform": platform, "users": wanted}):
        found[identity.user_id] = identity
    ids = sorted({i.person_id for i in found.values() if i is not None})
    people = list(session.exec(_PEOPLE, params={"ids": ids})) if ids else []
    return found, people


# Built once, as the statements below: each batch of events runs them, and building an ORM
# statement (and its cache key) cost as much as running it.
_IDENTITIES_OF_USERS = select(Identity).where(
    col(Identity.platform) == bindparam("platform"),
    col(Identity.user_id).in_(bindparam("users", expanding=True)))
_PEOPLE = select(Person).where(col(Person.id).in_(bindparam("ids", expanding=True)))


def roles_of_people(session: Session, *, person_ids: Iterable[int]) -> dict[int, set[str]]:
    roles: dict[int, set[str]] = {p: set() for p in person_ids}
    if roles:
        for person_id, role in session.connection().execute(_ROLES_OF_PEOPLE,
                                                             {"people": sorted(roles)}):
            roles[person_id].add(role)
    return roles


def add_identities(session: Session, *, platform: str, newcomers: list[activity.Newcomer]
                   ) -> dict[str, tuple[Identity, Person]]:
    """A resident person and an identity for each newcomer, by user id; one that another
    process made meanwhile is left out (the caller reads it)."""
    made: dict[str, tuple[Identity, Person]] = {}
    # Plain inserts, then the rows as objects without reading them back: an ORM flush with a
    # savepoint cost a fifth of a Slack command's work.
    added = activity.add_newcomers(session, platform=platform, newcomers=newcomers)
    for n in newcomers:
        ids = added.get(n.user_id)
        if ids is None or n.user_id in made:
            continue
        person = as_read(Person, id=ids.person_id, name=n.display_name or None, created_at=n.at)
        identity = as_read(Identity, id=ids.identity_id, person_id=ids.person_id,
                           platform=platform, user_id=n.user_id, display_name=n.display_name,
                           username=n.username, last_seen_at=n.at)
        for row in (person, identity):
            make_transient_to_detached(row)  # as if just read: nothing to insert
            session.add(row)
        made[n.user_id] = (identity, person)
    return made


def complete_names(session: Session, *, platform: str,
                   names: Iterable[tuple[str, str, str]]) -> None:
    """Put in a platform's own names, each ``(user_id, provisional, name)``: always the
    identity's; the person's wherever the provisional name first seen with their event is still
    the one held (a name a person gave themselves is kept). Two statements for all of them."""
    rows = [{"u": u, "p": p, "n": n} for u, p, n in names if p != n]
    if not rows:
        return
    whose = (select(Identity.person_id)
             .where(Identity.platform == platform, Identity.user_id == bindparam("u"))
             .scalar_subquery())
    conn = session.connection()  # plain statements, run once per row (not ORM bulk updates)
    conn.execute(update(Person).where(col(Person.id) == whose, col(Person.name) == bindparam("p"))
                 .values(name=bindparam("n")), rows)
    # The platform's own name is the identity's, whatever stood in for it (a renamed account too).
    conn.execute(update(Identity).where(
        col(Identity.platform) == platform, col(Identity.user_id) == bindparam("u"),
        col(Identity.display_name) != bindparam("n")).values(display_name=bindparam("n")), rows)


def create_person(session: Session, *, name: str, now: datetime) -> Person:
    person = Person(name=name, created_at=now)
    session.add(person)
    session.flush()
    return person


def identities_of(session: Session, *, person_id: int) -> list[Identity]:
    return list(
        session.exec(
            select(Identity)
            .where(Identity.person_id == person_id)
            .order_by(col(Identity.last_seen_at).desc())
        )
    )


def reachable_identity(session: Session, *, person_id: int) -> Identity | None:
    """The identity to message a person on: the most recently seen that is not blocked."""
    for identity in identities_of(session, person_id=person_id):
        if identity.unreachable_at is None:
            return identity
    return None


_ROLES = sa_select(col(RoleGrant.role)).where(col(RoleGrant.person_id) == bindparam("person"))


_ROLES_OF_PEOPLE = sa_select(col(RoleGrant.person_id), col(RoleGrant.role)).where(
    col(RoleGrant.person_id).in_(bindparam("people", expanding=True)))


def roles_of(session: Session, *, person_id: int) -> set[str]:
    # A plain statement built once: every event reads its sender's roles. (Grants are flushed
    # when made, so nothing waits in the session for it.)
    return set(session.connection().execute(_ROLES, {"person": person_id}).scalars())


def grant_role(session: Session, *, person_id: int, role: str, now: datetime) -> None:
    if role not in roles_of(session, person_id=person_id):
        session.add(RoleGrant(person_id=person_id, role=role, granted_at=now))
        session.flush()


def revoke_roles(session: Session, *, person_id: int) -> int:
    result = session.execute(delete(RoleGrant).where(col(RoleGrant.person_id) == person_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def people_with_role(session: Session, *, role: str) -> list[Person]:
    return list(
        session.exec(
            select(Person)
            .join(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
            .where(RoleGrant.role == role)
            .order_by(col(Person.id))
        )
    )


def list_people(session: Session) -> list[Person]:
    return list(session.exec(select(Person).order_by(col(Person.id))))


def merge_person(session: Session, *, from_id: int, into_id: int) -> None:
    """Move everything that refers to ``from_id`` onto ``into_id``, then delete ``from_id``.

    Rows that would collide with one the target already has (a vote on the same option, a
    support of the same challenge) are dropped: the target's own row stands. So does the target's
    whole vote in a poll where both voted, and a support of a challenge the target raised.
    (Anonymous ballots cast by both cannot be told apart, so both stay counted: docs/polls.md.)
    """
    both = select(PollVoter.poll_id).where(PollVoter.person_id == into_id)
    session.execute(delete(PollVote).where(col(PollVote.person_id) == from_id,
                                           col(PollVote.poll_id).in_(both)))
    own = select(Challenge.id).where(Challenge.raised_by == into_id)
    session.execute(delete(ChallengeSupport).where(col(ChallengeSupport.person_id) == from_id,
                                                   col(ChallengeSupport.challenge_id).in_(own)))
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            fk: ForeignKey
            for fk in column.foreign_keys:
                if fk.column.table.name != "person":
                    continue
                rows = session.connection().execute(
                    table.select().where(column == from_id)
                ).fetchall()
                for row in rows:
                    keys = {c.name: row._mapping[c.name] for c in table.primary_key.columns}
                    where = [table.c[k] == v for k, v in keys.items()]
                    try:
                        with session.begin_nested():
                            session.connection().execute(
                                table.update().where(*where).values({column.name: into_id})
                            )
                    except IntegrityError:  # the target already has this row: theirs stands
                        session.connection().execute(table.delete().where(*where))
    session.execute(delete(Person).where(col(Person.id) == from_id))


# ---- wards, councillors ---------------------------------------------------------------------


def add_ward(session: Session, *, name: str) -> Ward:
    ward = Ward(name=name)
    session.add(ward)
    session.flush()
    return ward


def list_wards(session: Session) -> list[Ward]:
    return list(session.exec(select(Ward).order_by(col(Ward.name))))


def find_ward(session: Session, *, name: str) -> Ward | None:
    return session.exec(select(Ward).where(func.lower(Ward.name) == name.strip().lower())).first()


def set_councillor_areas(
    session: Session, *, person_id: int, ward_ids: Iterable[int], portfolios: Iterable[str]
) -> None:
    session.execute(delete(CouncillorWard).where(col(CouncillorWard.person_id) == person_id))
    session.execute(
        delete(CouncillorPortfolio).where(col(CouncillorPortfolio.person_id) == person_id)
    )
    for ward_id in dict.fromkeys(ward_ids):
        session.add(CouncillorWard(person_id=person_id, ward_id=ward_id))
    for topic in dict.fromkeys(portfolios):
        session.add(CouncillorPortfolio(person_id=person_id, topic=topic))
    session.flush()


def councillor_wards(session: Session, *, person_id: int) -> list[Ward]:
    return list(
        session.exec(
            select(Ward)
            .join(CouncillorWard, col(CouncillorWard.ward_id) == col(Ward.id))
            .where(CouncillorWard.person_id == person_id)
            .order_by(col(Ward.name))
        )
    )


def councillor_portfolios(session: Session, *, person_id: int) -> list[str]:
    return list(
        session.exec(
            select(CouncillorPortfolio.topic)
            .where(CouncillorPortfolio.person_id == person_id)
            .order_by(col(CouncillorPortfolio.topic))
        )
    )


def councillors_of_wards(session: Session, *, ward_ids: Iterable[int]) -> list[int]:
    ids = list(ward_ids)
    if not ids:
        return []
    return list(
        session.exec(
            select(CouncillorWard.person_id)
            .join(RoleGrant, col(RoleGrant.person_id) == col(CouncillorWard.person_id))
            .where(col(CouncillorWard.ward_id).in_(ids), RoleGrant.role == "councillor")
            .distinct()
        )
    )


# ---- invites --------------------------------------------------------------------------------


def create_invite(
    session: Session, *, code: str, role: str, person_id: int, now: datetime, ttl: timedelta
) -> Invite:
    invite = Invite(code=code, role=role, person_id=person_id, created_at=now, expires_at=now + ttl)
    session.add(invite)
    session.flush()
    return invite


def find_invite(session: Session, *, code: str) -> Invite | None:
    return session.exec(select(Invite).where(Invite.code == code)).first()


def mark_invite_used(session: Session, *, invite_id: int, identity_id: int, now: datetime) -> bool:
    """Claim the invite; False if another redemption got there first."""
    result = session.execute(
        update(Invite)
        .where(col(Invite.id) == invite_id, col(Invite.used_at).is_(None))
        .values(used_at=now, used_by_identity_id=identity_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def pending_invites(session: Session, *, now: datetime) -> list[tuple[Invite, Person]]:
    """Invites not redeemed and not expired, oldest first, with the person each is for."""
    return [
        (invite, person)
        for invite, person in session.exec(
            select(Invite, Person)
            .join(Person, col(Person.id) == col(Invite.person_id))
            .where(col(Invite.used_at).is_(None), col(Invite.expires_at) > now)
            .order_by(col(Invite.created_at), col(Invite.id))
        )
    ]


def delete_unused_invites(session: Session, *, person_id: int) -> int:
    """Void every invite for a person that nobody has redeemed yet (expired ones too)."""
    result = session.execute(
        delete(Invite).where(col(Invite.person_id) == person_id, col(Invite.used_at).is_(None))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def record_failed_invite(session: Session, *, platform: str, user_id: str, now: datetime) -> None:
    # Under the account's mark: the row may outlive the person's erasure without naming them.
    account = voices.mark(session, "invite", (platform, user_id))
    session.add(InviteAttempt(account=account, at=now))


def failed_invites_since(session: Session, *, platform: str, user_id: str, since: datetime) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(InviteAttempt)
            .where(
                InviteAttempt.account == voices.mark(session, "invite", (platform, user_id)),
                col(InviteAttempt.at) >= since,
            )
        ).one()
    )
