"""Account marks: one voice per platform account per poll and per challenge, also after erasure.

A mark is HMAC-SHA256 over "<scope>:<platform>:<user id>" (the scope names the poll, the
challenge or the invite limit), cut to 128 bits. The rows keep marks, never the account, so they
can stay when a person is erased and still refuse that account a second vote.

The secret is made once at random and kept in the database (``voicekey``), not in the
configuration: the marks must be made with the same secret by every process for as long as the
rows exist, and a backup restores both together; a key in the configuration that was lost,
rotated or set differently in a second process would quietly let erased accounts vote again.
The price: whoever holds a copy of the database and already knows an account id can test whether
that account took part in a poll (never what it chose in an anonymous poll).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.models import (
    Challenge,
    ChallengeSupport,
    Identity,
    PollVoice,
    PollVoter,
    SupportVoice,
    VoiceKey,
)

Account = tuple[str, str]  # (platform, user id)


def _insert(session: Session, model: Any) -> Any:
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return module.insert(model.__table__)


def insert_new(session: Session, model: Any, **values: Any) -> bool:
    """Insert a row unless one with its key exists (the database decides, also against another
    transaction doing the same at once); True when this one was inserted."""
    key = next(iter(model.__table__.primary_key.columns))
    stmt = _insert(session, model).on_conflict_do_nothing().values(**values).returning(key)
    # (``rowcount`` is no answer here: SQLAlchemy's PostgreSQL inserts report -1.)
    return session.execute(stmt).first() is not None


def _secret(session: Session) -> bytes:
    cached = session.info.get("voice_secret")
    if cached is None:
        row = session.get(VoiceKey, 1)
        if row is None:  # the first mark of this database; two processes may race to make it
            session.execute(_insert(session, VoiceKey).on_conflict_do_nothing()
                            .values(id=1, secret=secrets.token_hex(32)))
            row = session.get(VoiceKey, 1)
            assert row is not None
        cached = session.info["voice_secret"] = bytes.fromhex(row.secret)
    assert isinstance(cached, bytes)
    return cached


def mark(session: Session, scope: str, account: Account) -> str:
    platform, user_id = account
    message = f"{scope}:{platform}:{user_id}".encode()
    return hmac.new(_secret(session), message, hashlib.sha256).hexdigest()[:32]


def accounts_of(session: Session, *, person_id: int) -> list[Account]:
    return [(i.platform, i.user_id)
            for i in session.exec(select(Identity).where(Identity.person_id == person_id))]


def _spend(session: Session, model: Any, owner: dict[str, int], scope: str,
           accounts: Iterable[Account]) -> bool:
    """Mark every account as having given its voice; False (and nothing marked) when one had."""
    with session.begin_nested() as savepoint:
        for account in accounts:
            if not insert_new(session, model, **owner, account=mark(session, scope, account)):
                savepoint.rollback()
                return False
    return True


def spend_poll_voice(session: Session, *, poll_id: int, accounts: Iterable[Account]) -> bool:
    return _spend(session, PollVoice, {"poll_id": poll_id}, f"poll:{poll_id}", accounts)


def release_poll_voice(session: Session, *, poll_id: int, accounts: Iterable[Account]) -> None:
    """A named vote withdrawn by the person who holds it: their accounts may vote again."""
    marks = [mark(session, f"poll:{poll_id}", a) for a in accounts]
    session.execute(delete(PollVoice).where(col(PollVoice.poll_id) == poll_id,
                                            col(PollVoice.account).in_(marks)))


def spend_support_voice(
    session: Session, *, challenge_id: int, accounts: Iterable[Account]
) -> bool:
    return _spend(session, SupportVoice, {"challenge_id": challenge_id},
                  f"challenge:{challenge_id}", accounts)


def keep_voices_of(session: Session, *, person_id: int, accounts: list[Account]) -> int:
    """Before erasure: mark every account of the person in every poll they hold a vote in and
    every challenge they supported or raised, so none of those accounts gets a second voice."""
    kept = 0
    poll_ids = session.exec(select(PollVoter.poll_id).where(PollVoter.person_id == person_id))
    for poll_id in list(poll_ids):
        for account in accounts:
            row = {"poll_id": poll_id, "account": mark(session, f"poll:{poll_id}", account)}
            session.execute(_insert(session, PollVoice).on_conflict_do_nothing().values(**row))
            kept += 1
    supported = set(session.exec(
        select(ChallengeSupport.challenge_id).where(ChallengeSupport.person_id == person_id)))
    raised = set(session.exec(select(Challenge.id).where(Challenge.raised_by == person_id)))
    for challenge_id in sorted(i for i in supported | raised if i is not None):
        for account in accounts:
            row = {"challenge_id": challenge_id,
                   "account": mark(session, f"challenge:{challenge_id}", account)}
            session.execute(_insert(session, SupportVoice).on_conflict_do_nothing().values(**row))
            kept += 1
    return kept



def has_poll_mark(session: Session, *, poll_id: int, accounts: Iterable[Account]) -> bool:
    return any(session.get(PollVoice, (poll_id, mark(session, f"poll:{poll_id}", a)))
               for a in accounts)


def has_support_mark(session: Session, *, challenge_id: int, accounts: Iterable[Account]) -> bool:
    return any(session.get(SupportVoice, (challenge_id, mark(session, f"challenge:{challenge_id}", a)))
               for a in accounts)
