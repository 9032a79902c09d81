"""A council to benchmark against: wards, a councillor, facilitators, project groups, residents.

Everything is set up through the core, the way people would (invites redeemed with /start,
groups registered with /project and /ward), so the benchmarks exercise the real paths.
"""

from __future__ import annotations

import itertools
import random
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

from bot.app import build_core
from bot.kernel.config import Settings, load_settings
from bot.kernel.core import Core
from bot.kernel.events import ChatKind, ChatRef, CommandIssued, Inbound, MessagePosted, Sender
from bot.kernel.ports import Clock, FakeClock
from bot.people.invites import issue_invite
from storage.db import create_db_engine, session_scope
from storage.migrate import upgrade
from storage.repo import people

WARDS = ("Fremont", "Harbour", "Northgate", "Riverside")
CHATTER = (
    "Has anyone heard back about the bus timetable?",
    "I can bring the leaflets on Thursday.",
    "The survey closes on Friday, please share it.",
    "Thanks all, good meeting tonight.",
    "Is the community room booked for next week?",
    "Agreed, let's put that to the councillor.",
)


@dataclass
class World:
    """Ids of the people and chats the benchmarks speak as."""

    platform: str
    groups: list[str]
    residents: list[str]
    facilitator: str
    councillor: str
    _events: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def event_id(self) -> str:
        return f"bench-{next(self._events)}"

    def group(self, chat_id: str) -> ChatRef:
        return ChatRef(self.platform, chat_id, ChatKind.GROUP, f"Project {chat_id}")

    def dm(self, user_id: str) -> ChatRef:
        return ChatRef(self.platform, user_id, ChatKind.PRIVATE)

    def sender(self, user_id: str) -> Sender:
        return Sender(self.platform, user_id, f"Resident {user_id}")

    def message(self, rng: random.Random) -> MessagePosted:
        """An ordinary message by a random resident in a random group."""
        return MessagePosted(
            chat=self.group(rng.choice(self.groups)),
            sender=self.sender(rng.choice(self.residents)),
            text=rng.choice(CHATTER),
            event_id=self.event_id(),
        )


def settings_for(db_path: Path, **environ: str) -> Settings:
    return load_settings(environ={"NCBOT_STORAGE__URL": f"sqlite:///{db_path}", **environ})


@contextmanager
def fresh_core(clock: Clock | None = None, **environ: str) -> Iterator[Core]:
    """A core on a new migrated SQLite file in a temporary directory."""
    with tempfile.TemporaryDirectory(prefix="ncbot-bench-") as tmp:
        settings = settings_for(Path(tmp) / "bench.db", **environ)
        engine = create_db_engine(settings.storage.url)
        upgrade(engine)
        try:
            yield build_core(settings=settings, engine=engine, clock=clock or FakeClock(), worker_id="bench")
        finally:
            engine.dispose()


async def _command(core: Core, world: World, chat: ChatRef, user: str, line: str) -> None:
    name, _, args = line[1:].partition(" ")
    event: Inbound = CommandIssued(
        chat=chat, sender=world.sender(user), name=name, args=args, event_id=world.event_id()
    )
    await core.handle(event)


async def build_world(
    core: Core, *, platform: str, groups: list[str], residents: list[str],
    facilitator: str = "9000001", councillor: str = "9000002",
) -> World:
    """Invite a facilitator and a councillor, register each group as a project in a ward."""
    world = World(platform, groups, residents, facilitator, councillor)
    now = core.clock.now()
    codes = {}
    with session_scope(core.engine) as s:
        wards = [people.find_ward(s, name=w) or people.add_ward(s, name=w) for w in WARDS]
        for user, role in ((facilitator, "facilitator"), (councillor, "councillor")):
            person = people.create_person(s, name=f"Bench {role}", now=now)
            assert person.id is not None and wards[0].id is not None
            if role == "councillor":
                people.set_councillor_areas(
                    s, person_id=person.id, ward_ids=[wards[0].id], portfolios=["transport"]
                )
            codes[user] = issue_invite(
                s, role=role, person_id=person.id, now=now, ttl=timedelta(days=14)
            ).code
    for user, code in codes.items():
        await _command(core, world, world.dm(user), user, f"/start {code}")
    for i, chat_id in enumerate(groups):
        chat = world.group(chat_id)
        await _command(core, world, chat, facilitator, f"/project Bench project {i + 1}")
        await _command(core, world, chat, facilitator, f"/ward {WARDS[i % len(WARDS)]}")
        await _command(core, world, chat, facilitator, "/topics transport, housing")
    return world


class StatementCounter:
    """Counts SQL statements sent on an engine (for statements per message)."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: object) -> None:
        self.count += 1
