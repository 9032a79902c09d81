"""Setting people and projects up for tests: through the storage repos and the real commands."""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import aiohttp
from sqlmodel import col, select

from adapters.http import HttpServer
from adapters.testing import TestingAdapter
from bot.kernel.core import Core
from bot.kernel.ports import FakeClock
from bot.people.invites import issue_invite
from storage.db import session_scope
from storage.models import OutboundMessage, Project
from storage.repo import people, projects


def user_of(name: str) -> str:
    """The test user id for a name: its first word, lower case ("Jane Doe" -> "jane")."""
    return name.split()[0].lower()


def add_ward(bot: TestingAdapter, name: str) -> int:
    with session_scope(bot.core.engine) as s:
        ward = people.find_ward(s, name=name) or people.add_ward(s, name=name)
        assert ward.id is not None
        return ward.id


def _invite(bot: TestingAdapter, name: str, role: str, wards: Iterable[str] = (),
            portfolios: Iterable[str] = ()) -> tuple[int, str]:
    core = bot.core
    with session_scope(core.engine) as s:
        person = people.create_person(s, name=name, now=core.clock.now())
        assert person.id is not None
        ward_ids = []
        for ward in wards:
            found = people.find_ward(s, name=ward) or people.add_ward(s, name=ward)
            assert found.id is not None
            ward_ids.append(found.id)
        if role == "councillor":
            people.set_councillor_areas(
                s, person_id=person.id, ward_ids=ward_ids, portfolios=list(portfolios)
            )
        invite = issue_invite(
            s, role=role, person_id=person.id, now=core.clock.now(), ttl=timedelta(days=14)
        )
        return person.id, invite.code


async def make_councillor(bot: TestingAdapter, name: str, wards: Iterable[str] = (),
                          portfolios: Iterable[str] = (), *, user: str | None = None) -> int:
    """A councillor invited by the admin and redeemed in a private chat; returns the person id."""
    person_id, code = _invite(bot, name, "councillor", wards, portfolios)
    await bot.say(user or user_of(name), f"/start {code}")
    return person_id


async def make_facilitator(bot: TestingAdapter, name: str, *, user: str | None = None) -> int:
    person_id, code = _invite(bot, name, "facilitator")
    await bot.say(user or user_of(name), f"/start {code}")
    return person_id


async def make_project(bot: TestingAdapter, facilitator: str, chat: str, name: str, *,
                       wards: Iterable[str] = (), topics: Iterable[str] = (),
                       scope: str | None = None) -> Project:
    """A project registered in ``chat`` by ``facilitator`` (a user id), with wards and topics."""
    await bot.say(facilitator, f"/project {name}", chat=chat)
    if scope:
        await bot.say(facilitator, f"/scope {scope}", chat=chat)
    wards = list(wards)
    for ward in wards:
        add_ward(bot, ward)
    if wards:
        await bot.say(facilitator, f"/ward {', '.join(wards)}", chat=chat)
    topics = list(topics)
    if topics:
        await bot.say(facilitator, f"/topics {', '.join(topics)}", chat=chat)
    return project_in(bot, chat)


def project_in(bot: TestingAdapter, chat: str) -> Project:
    with session_scope(bot.core.engine) as s:
        found = projects.find_chat(s, platform=bot.platform, platform_chat_id=chat)
        assert found is not None and found.project_id is not None, f"{chat} is not a project"
        project = s.get(Project, found.project_id)
        assert project is not None
        s.expunge(project)
        return project


async def make_active(bot: TestingAdapter, chat: str, residents: Iterable[str] = ()) -> None:
    """Enough distinct people speak in ``chat`` for its project to count as active."""
    needed = bot.core.settings.activity.min_participants
    speakers = list(residents) or [f"resident{i}" for i in range(1, needed + 1)]
    for user in speakers:
        await bot.say(user, "hello everyone", chat=chat)


async def drain(core: Core, clock: FakeClock, *, rounds: int = 3000) -> None:
    """Let time pass until the outbox is empty: each round jumps to the next retry."""
    for _ in range(rounds):
        await core.outbox.flush()
        wait = await core.outbox.next_attempt_in()
        if wait is None:
            return
        clock.advance(timedelta(seconds=max(wait, 0.001)))
    raise AssertionError("the outbox did not drain")


def outbox_rows(core: Core) -> list[OutboundMessage]:
    """Every row of the outbox, oldest first."""
    with session_scope(core.engine) as s:
        return list(s.exec(select(OutboundMessage).order_by(col(OutboundMessage.id))))


async def healthz(http: HttpServer) -> tuple[int, dict[str, Any], float]:
    """/healthz: status, body and how long it took to answer."""
    started = time.monotonic()
    async with aiohttp.ClientSession() as client, client.get(
            f"http://127.0.0.1:{http.bound_port}/healthz") as response:
        return response.status, await response.json(), time.monotonic() - started
