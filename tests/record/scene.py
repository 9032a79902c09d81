"""A public project with a challenge in every state and a poll of every kind, and a web client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from aiohttp.test_utils import TestClient, TestServer

from adapters.testing import TestingAdapter
from adapters.web import record_app
from storage.db import session_scope
from storage.models import Project
from tests.challenge_setup import garden, notice_to, raise_challenge
from tests.helpers import project_in

# Residents who raise, support and vote: distinctive names, so that a page naming one is caught.
RAISERS = ["quillon", "rosamund", "saoirse", "thaddeus", "ulrika", "valentin", "wystan"]
ERASED = "yevgenia"
VOTERS = ["zebulon", "quillon", "rosamund"]

OUTCOMES = ("in_scope", "forward", "referred", "declined")


async def busy_public_project(bot: TestingAdapter) -> dict[str, int]:
    """Fremont Garden on the record; returns the challenge number of each state."""
    await garden(bot)  # Fran facilitates, Cllr Jane Doe is linked
    await bot.say("fran", "/public on", chat="garden")
    numbers: dict[str, int] = {}

    async def raised(state: str, user: str) -> int:
        card = await raise_challenge(bot, f"Challenge meant to end {state}: the bus route cuts us off",
                                     user=user)
        number = int(card.text.split("#")[1].split()[0])
        numbers[state] = number
        return number

    # Answered with each outcome; the last is reopened by its raiser's "Not really".
    for i, outcome in enumerate(OUTCOMES):
        n = await raised(f"answered_{outcome}", RAISERS[i % 3])
        await bot.press(RAISERS[(i + 1) % 3], _support(bot, n), chat="garden")
        await bot.say("jane", f"/answer {n} {outcome.replace('_', '-')} Explanation for {outcome}.")
    n = await raised("reopened", "thaddeus")
    await bot.say("jane", f"/answer {n} forward I will take it to the transport committee.")
    n = await raised("withdrawn", "ulrika")
    await bot.say("ulrika", f"/withdraw {n}", chat="garden")
    await raised("erased_raiser", ERASED)
    await _forget(bot, ERASED)
    await bot.core.advance_clock(timedelta(days=14, minutes=5))  # follow-ups are asked
    await bot.press("quillon", _followup(bot, "quillon"), chat=None)
    await bot.press("thaddeus", _followup(bot, "thaddeus", "Not really"), chat=None)
    await raised("escalated", "valentin")
    await bot.core.advance_clock(timedelta(days=5))
    await raised("reminded", "wystan")
    await raised("acknowledged", "rosamund")
    await bot.press("jane", notice_to(bot, "jane", numbers["acknowledged"]).button("Acknowledge"))
    await bot.core.advance_clock(timedelta(days=2, hours=1))  # reminded; escalated after 7 days
    await raised("open", "saoirse")
    await _polls(bot)
    return numbers


def _support(bot: TestingAdapter, number: int) -> str:
    for message in reversed(bot.to_chat("garden")):
        if f"#{number} " in message.text and "Support" in message.button_labels:
            return message.button("Support")
    raise AssertionError(f"no card for #{number}")


def _followup(bot: TestingAdapter, user: str, label: str = "Yes") -> str:
    for message in reversed(bot.to_user(user)):
        if label in message.button_labels:
            return message.button(label)
    raise AssertionError(f"{user} was not asked")


async def _forget(bot: TestingAdapter, user: str) -> None:
    ask = (await bot.say(user, "/forgetme"))[-1]
    await bot.press(user, ask.button(ask.button_labels[0]))


async def _polls(bot: TestingAdapter) -> None:
    """#1 named, closed, outcome; #2 anonymous, closed; #3 named, open; #4 anonymous, open."""
    say = bot.say
    await say("fran", "/poll Where should the bench go? | By the pond | Under the oak --closes 2d",
              chat="garden")
    await say("fran", "/poll Which day suits the work party? | Saturday | Sunday --anonymous "
              "--closes 2d", chat="garden")
    await say("fran", "/poll Should we plant fruit trees? | Yes | No --closes 30d", chat="garden")
    await say("fran", "/poll Who should chair the next meeting? | The facilitator | Someone new --anonymous "
              "--closes 30d", chat="garden")
    for i, voter in enumerate(VOTERS):
        for poll in (1, 2, 3, 4):
            await say(voter, f"/vote {poll} {1 + (i % 2)}", chat="garden")
    await say("fran", "/closepoll 1", chat="garden")
    await say("fran", "/closepoll 2", chat="garden")
    await say("fran", "/outcome 1 The bench goes by the pond in March.", chat="garden")


def project_code(bot: TestingAdapter) -> str:
    return project_in(bot, "garden").code


@asynccontextmanager
async def web_client(bot: TestingAdapter) -> AsyncIterator[TestClient]:
    core = bot.core
    app = record_app(engine=core.engine, settings=core.settings, clock=core.clock)
    async with TestClient(TestServer(app)) as client:
        yield client


def publish_projects(scene: TestingAdapter, names: list[str]) -> None:
    """Public projects without challenges (for the index's pages), and one that is not public."""
    now = scene.core.clock.now()
    with session_scope(scene.core.engine) as s:
        for n, name in enumerate(names):
            s.add(Project(code=f"IDX{n}", name=name, created_at=now, public_since=now))
        s.add(Project(code="HIDDEN", name="Aardvark Hidden", created_at=now))
