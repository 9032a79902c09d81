"""A platform user's identity and person: created once, with plain inserts; a race is survived."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import func, select

from bot.kernel.core import Core
from storage.db import session_scope
from storage.models import Identity, Person
from storage.repo import people

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def count(core: Core, model: type) -> int:
    with session_scope(core.engine) as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


def test_a_newcomer_is_created_once_and_usable_in_the_same_transaction(core: Core) -> None:
    with session_scope(core.engine) as s:
        identity, person = people.ensure_identity(s, platform="slack", user_id="U1",
                                                  display_name="priya", username="priya", now=NOW)
        identity.private_chat_id = "D1"  # changed like any row read from the database
    with session_scope(core.engine) as s:
        again, same = people.ensure_identity(s, platform="slack", user_id="U1",
                                             display_name="priya", username="priya", now=NOW)
        assert (again.id, same.id, same.name) == (identity.id, person.id, "priya")
        assert again.private_chat_id == "D1"
    assert (count(core, Person), count(core, Identity)) == (1, 1)


def test_an_identity_another_process_created_meanwhile_is_taken(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    with session_scope(core.engine) as s:
        theirs, _ = people.ensure_identity(s, platform="slack", user_id="U1",
                                           display_name="priya", username=None, now=NOW)
    real = people.get_identity
    reads = iter([None])  # the first read missed it: the other process had not committed yet
    monkeypatch.setattr(people, "get_identity", lambda s, **kw: next(reads, None) or real(s, **kw))
    with session_scope(core.engine) as s:
        identity, person = people.ensure_identity(s, platform="slack", user_id="U1",
                                                  display_name="priya", username=None, now=NOW)
        assert (identity.id, person.id) == (theirs.id, theirs.person_id)
    assert (count(core, Person), count(core, Identity)) == (1, 1)  # the person made is gone
