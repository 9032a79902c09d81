"""Rows made as if read (``storage.rows.as_read``) are the rows their constructor makes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, select

from bot.kernel.core import Core
from storage.models import Identity, OutboundMessage, Person
from storage.rows import as_read

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_a_row_as_read_holds_what_the_constructor_would() -> None:
    values: dict[str, Any] = {"platform": "slack", "chat_id": "C1", "user_id": None, "payload": "[]",
              "ref": "poll:1", "next_attempt_at": NOW, "created_at": NOW}
    made, read = OutboundMessage(**values), as_read(OutboundMessage, **values)
    assert read.model_dump() == made.model_dump()
    assert (read.status, read.attempts, read.id) == ("pending", 0, None)
    read.id = 7  # then an ordinary row
    assert read.model_dump()["id"] == 7


def test_a_field_the_model_does_not_have_is_refused() -> None:
    with pytest.raises(TypeError, match="no field colour"):
        as_read(Person, name="Rita", created_at=NOW, colour="red")


def test_a_field_without_a_default_must_be_given() -> None:
    with pytest.raises(TypeError, match="created_at not given"):
        as_read(Person, name="Rita")


def test_a_row_as_read_then_changed_is_updated_on_flush(core: Core) -> None:
    with Session(core.engine) as s:
        s.add(Person(id=3, name="Rita", created_at=NOW))
        s.flush()
        s.add(Identity(id=4, person_id=3, platform="slack", user_id="U1"))
        s.commit()
    with Session(core.engine) as s:
        person = as_read(Person, id=3, name="Rita", created_at=NOW)
        identity = as_read(Identity, id=4, person_id=3, platform="slack", user_id="U1")
        for row in (person, identity):
            make_transient_to_detached(row)
            s.add(row)
        assert not s.dirty and not s.new  # nothing to write: as read
        identity.private_chat_id = "D1"
        assert s.get(Person, 3) is person  # the session's own row, no second read
        s.commit()
    with Session(core.engine) as s:
        stored = s.exec(select(Identity)).one()
        assert (stored.private_chat_id, stored.display_name) == ("D1", "")
