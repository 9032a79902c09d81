"""Invite codes: issued by the admin, redeemed once in a private chat with /start CODE."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.kernel.context import Ctx
from bot.kernel.errors import Refusal
from bot.people import texts as T
from storage.models import Invite, Person
from storage.repo import people

# No 0/O, 1/I/L: codes are read aloud and typed from paper.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
# The "role" of an invite that only adds an account on another platform to a person.
LINK = "link"

# Hook (see Routes.add_hook): someone became a councillor; async (work, person_id).
COUNCILLOR_JOINED = "councillor.joined"


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


@dataclass(frozen=True)
class IssuedInvite:
    code: str
    person_id: int
    role: str
    expires_at: datetime


def issue_invite(
    session: Session, *, role: str, person_id: int, now: datetime, ttl: timedelta
) -> IssuedInvite:
    invite = people.create_invite(
        session, code=new_code(), role=role, person_id=person_id, now=now, ttl=ttl
    )
    return IssuedInvite(invite.code, person_id, role, invite.expires_at)


async def start_command(ctx: Ctx, args: str) -> None:
    """/start (a greeting) or /start CODE (redeem an invite)."""
    if not args:
        ctx.reply(T.WELCOME, name=ctx.identity.display_name or "there", bot=ctx.settings.bot.name)
        return
    limit = ctx.settings.invites.max_failed_per_hour
    failed = people.failed_invites_since(
        ctx.session,
        platform=ctx.identity.platform,
        user_id=ctx.identity.user_id,
        since=ctx.now - timedelta(hours=1),
    )
    if failed >= limit:
        raise Refusal(T.INVITE_TOO_MANY)
    invite = people.find_invite(ctx.session, code=normalise_code(args.split()[0]))
    problem = _problem(invite, ctx.now)
    if problem is not None:
        # Answered, not refused: the failed guess must be committed to count against the limit.
        people.record_failed_invite(
            ctx.session, platform=ctx.identity.platform, user_id=ctx.identity.user_id, now=ctx.now
        )
        ctx.reply(problem)
        return
    assert invite is not None and invite.id is not None
    if not people.mark_invite_used(
        ctx.session, invite_id=invite.id, identity_id=ctx.identity.id or 0, now=ctx.now
    ):
        raise Refusal(T.INVITE_USED)
    await redeem(ctx, invite)


def _problem(invite: Invite | None, now: datetime) -> str | None:
    if invite is None:
        return T.INVITE_UNKNOWN
    if invite.used_at is not None:
        return T.INVITE_USED
    if invite.expires_at <= now:
        return T.INVITE_EXPIRED
    return None


async def redeem(ctx: Ctx, invite: Invite) -> None:
    """Link this identity to the invited person (merging the resident record it had) and grant."""
    target = ctx.session.get(Person, invite.person_id)
    assert target is not None and target.id is not None
    linked_elsewhere = len(people.identities_of(ctx.session, person_id=target.id)) > 0
    old_person_id = ctx.person_id
    if old_person_id != target.id:
        ctx.identity.person_id = target.id
        ctx.session.flush()
        if not people.identities_of(ctx.session, person_id=old_person_id):
            people.merge_person(ctx.session, from_id=old_person_id, into_id=target.id)
        ctx.person = target
    if invite.role != LINK:  # a link adds an account; the roles are the person's own
        people.grant_role(ctx.session, person_id=target.id, role=invite.role, now=ctx.now)
    ctx.roles = people.roles_of(ctx.session, person_id=target.id)
    name = target.name or ctx.identity.display_name
    if linked_elsewhere or invite.role == LINK:
        ctx.reply(T.INVITE_LINKED, name=name)
    elif invite.role == "councillor":
        wards = [w.name for w in people.councillor_wards(ctx.session, person_id=target.id)]
        if wards:
            ctx.reply(T.INVITE_WELCOME_COUNCILLOR, name=name, wards=", ".join(wards))
        else:
            ctx.reply(T.INVITE_WELCOME_COUNCILLOR_NO_WARD, name=name)
    elif invite.role == "facilitator":
        ctx.reply(T.INVITE_WELCOME_FACILITATOR, name=name)
    else:
        ctx.reply(T.INVITE_WELCOME_ADMIN, name=name)
    if invite.role == "councillor":
        for callback in ctx.core.routes.hooked(COUNCILLOR_JOINED):
            await callback(ctx, target.id)
