"""A person's name: the payload's handle at once, Slack's own name written after the request."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select

from adapters.slack import names
from storage.db import session_scope
from storage.models import Identity, Person
from tests.slack.conftest import Rig


def names_of(rig: Rig, user_id: str) -> tuple[str, str | None]:
    with session_scope(rig.core.engine) as s:
        identity = s.exec(select(Identity).where(Identity.user_id == user_id)).one()
        person = s.get(Person, identity.person_id)
        assert person is not None
        return identity.display_name, person.name


async def test_a_newcomer_is_answered_before_slack_tells_their_name(rig: Rig) -> None:
    rig.api.names["U9"] = "Priya Shah"
    rig.api.gates["users.info"] = asyncio.Event()  # Slack is slow to tell the name
    await rig.slack.command("help", user="U9", user_name="priya", channel="C1")
    event, _ = await rig.next_processed()
    assert event.sender.display_name == "priya"
    await rig.api.wait_for("chat.postEphemeral")  # answered while users.info is still waiting
    assert names_of(rig, "U9") == ("priya", "priya")
    rig.api.gates["users.info"].set()
    await rig.adapter.names.settled()
    assert names_of(rig, "U9") == ("Priya Shah", "Priya Shah")
    await rig.slack.command("help", user="U9", user_name="priya", channel="C1")
    event, _ = await rig.next_processed()
    assert event.sender.display_name == "Priya Shah"  # known now: no second users.info
    assert len(rig.api.called("users.info")) == 1


async def test_a_name_given_meanwhile_is_kept(rig: Rig) -> None:
    rig.api.names["U9"] = "Priya Shah"
    rig.api.gates["users.info"] = asyncio.Event()
    await rig.slack.command("help", user="U9", user_name="priya", channel="C1")
    await rig.next_processed()
    with session_scope(rig.core.engine) as s:
        identity = s.exec(select(Identity).where(Identity.user_id == "U9")).one()
        person = s.get(Person, identity.person_id)
        assert person is not None
        person.name = "P. Shah"  # what they chose for themselves
    rig.api.gates["users.info"].set()
    await rig.adapter.names.settled()
    assert names_of(rig, "U9") == ("Priya Shah", "P. Shah")


async def test_many_newcomers_get_their_names(rig: Rig) -> None:
    for n in range(5):
        rig.api.names[f"U{n}"] = f"Person {n}"
    await asyncio.gather(*(rig.slack.command("help", user=f"U{n}", user_name=f"p{n}")
                           for n in range(5)))
    for _ in range(5):
        await rig.next_processed()
    await rig.adapter.names.settled()
    assert [names_of(rig, f"U{n}") for n in range(5)] == [(f"Person {n}",) * 2 for n in range(5)]


def known_person(rig: Rig, user_id: str, name: str) -> None:
    """Someone an earlier process knew, with the name Slack gave it then."""
    now = rig.core.clock.now()
    with session_scope(rig.core.engine) as s:
        person = Person(name=name, created_at=now)
        s.add(person)
        s.flush()
        assert person.id is not None
        s.add(Identity(person_id=person.id, platform="slack", user_id=user_id,
                       display_name=name, username="priya", last_seen_at=now))


async def test_a_known_person_keeps_their_name_while_slack_is_asked_again(rig: Rig) -> None:
    known_person(rig, "U9", "Priya Shah")  # this process has not asked Slack about them yet
    rig.api.names["U9"] = "Priya Khan"  # their Slack name changed meanwhile
    rig.api.gates["users.info"] = asyncio.Event()
    await rig.slack.command("help", user="U9", user_name="priya", channel="C1")
    await rig.next_processed()
    await rig.slack.event({"type": "message", "channel": "C1", "channel_type": "channel",
                           "user": "U9", "text": "morning all", "ts": "5.1"})
    await rig.next_processed()
    # Neither the handle nor the bare id stood in for the name they are known by.
    assert names_of(rig, "U9") == ("Priya Shah", "Priya Shah")
    rig.api.gates["users.info"].set()
    await rig.adapter.names.settled()
    # Slack's new name is the identity's; the person's own name is theirs to change.
    assert names_of(rig, "U9") == ("Priya Khan", "Priya Shah")


async def test_names_are_asked_once_newcomers_stop_coming(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a burst of first requests, everyone is answered before Slack is asked their names."""
    monkeypatch.setattr(names, "QUIET", 60.0)  # the burst goes on, as far as the bot can tell
    monkeypatch.setattr(names, "PATIENCE", 60.0)
    for n in range(3):
        rig.api.names[f"U{n}"] = f"Person {n}"
        await rig.slack.command("help", user=f"U{n}", user_name=f"p{n}", channel="C1")
        await rig.next_processed()
    await rig.api.wait_for("chat.postEphemeral", 3)
    assert rig.api.called("users.info") == []
    assert [names_of(rig, f"U{n}") for n in range(3)] == [(f"p{n}",) * 2 for n in range(3)]
    await rig.adapter.names.settled()  # waited for: asked now
    assert len(rig.api.called("users.info")) == 3
    assert [names_of(rig, f"U{n}") for n in range(3)] == [(f"Person {n}",) * 2 for n in range(3)]
