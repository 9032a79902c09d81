"""The records agree: for every state a challenge passes through, the export, the card in the chat
and the group's digest say the same thing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from adapters.testing import TestingAdapter
from bot.challenges import export_challenges
from bot.challenges.texts import ANSWER_SENT_RAISER_GONE, CHALLENGE_STATUS_WORDS
from bot.record.texts import STATE_WORDS as RECORD_STATE_WORDS
from storage.db import session_scope
from tests.challenge_setup import answer_by_buttons, challenge_row, garden, notice_to, raise_challenge

EXPLANATION = "I will take the bus route to the transport committee on 4 May."
Step = Callable[[TestingAdapter], Awaitable[None]]


async def nothing(bot: TestingAdapter) -> None:
    return None


async def acknowledge(bot: TestingAdapter) -> None:
    await bot.press("jane", notice_to(bot, "jane").button("Acknowledge"))


async def escalate(bot: TestingAdapter) -> None:
    await bot.core.advance_clock(timedelta(days=7, hours=1))


async def answer_forward(bot: TestingAdapter) -> None:
    await answer_by_buttons(bot, "jane", "Taken forward", EXPLANATION)


async def reopen(bot: TestingAdapter) -> None:
    await answer_by_buttons(bot, "jane", "Declined", EXPLANATION)
    await bot.core.advance_clock(timedelta(days=14, hours=1))
    await bot.press("kim", bot.last(user="kim").button("Not really"))


async def withdraw(bot: TestingAdapter) -> None:
    await bot.say("kim", "/withdraw 1", chat="garden")


async def answered_by_a_former_member(bot: TestingAdapter) -> None:
    await answer_forward(bot)
    await erase(bot, "jane")


async def raised_by_a_former_member(bot: TestingAdapter) -> None:
    await erase(bot, "kim")
    await answer_forward(bot)


async def erase(bot: TestingAdapter, user: str) -> None:
    await bot.say(user, "/forgetme")
    await bot.press(user, bot.last(user=user).button("Erase my data"))


@dataclass(frozen=True)
class State:
    name: str
    step: Step
    status: str  # the export's status
    outcome: str | None  # the export's outcome
    card: str  # the card's status line
    digest: str  # what the group's digest says of #1
    raised_by: str = "Kim"
    answered_by: str | None = None


BUS = "• #1 The bus route cuts the garden off — "
TABLE = [
    State("open", nothing, "open", None, "Sent to Cllr Jane Doe.",
          BUS + "awaiting an answer for under a day\n"),
    State("acknowledged", acknowledge, "acknowledged", None,
          "Acknowledged by Cllr Jane Doe, awaiting an answer.",
          BUS + "awaiting an answer for under a day\n"),
    State("escalated", escalate, "escalated", None,
          "Sent to Cllr Jane Doe, Fran Fowler: still awaiting an answer.",
          BUS + "awaiting an answer for 7 days (escalated)"),
    State("answered", answer_forward, "answered", "taken forward",
          "Answered by Cllr Jane Doe: taken forward.", "Cllr Jane Doe: taken forward.",
          answered_by="Jane Doe"),
    State("reopened", reopen, "reopened", "declined",
          "Reopened: its raiser says it was not really answered.",
          BUS + "awaiting an answer for 14 days (reopened)",
          answered_by="Jane Doe"),
    State("withdrawn", withdraw, "withdrawn", None, "Withdrawn by the person who raised it.",
          BUS + "0 supporters (withdrawn)"),
    State("answered by a former member", answered_by_a_former_member, "answered",
          "taken forward", "Answered by a former member: taken forward.",
          "a former member: taken forward.", answered_by="a former member"),
    State("raised by a former member", raised_by_a_former_member, "answered", "taken forward",
          "Answered by Cllr Jane Doe: taken forward.", "Cllr Jane Doe: taken forward.",
          raised_by="a former member", answered_by="Jane Doe"),
]


@pytest.mark.parametrize("state", TABLE, ids=[s.name for s in TABLE])
async def test_the_records_agree(bot: TestingAdapter, state: State) -> None:
    await garden(bot)
    await raise_challenge(bot)
    await state.step(bot)
    row = challenge_row(bot)
    with session_scope(bot.core.engine) as s:
        [exported] = export_challenges(s, project_id=row.project_id)
    assert (exported["status"], exported["outcome"]) == (state.status, state.outcome)
    assert (exported["raised_by"], exported["answered_by"]) == (state.raised_by, state.answered_by)
    [card] = [m for m in bot.to_chat("garden") if m.text.startswith("Scope challenge #1 raised")][-1:]
    assert card.text.splitlines()[2] == state.card, card.text
    assert card.text.startswith(f"Scope challenge #1 raised by {state.raised_by}:")
    if state.status == "escalated":  # how it got there: the card's timeline line
        assert "scalated to the facilitators on " in card.text, card.text
    # Something new for the digest to carry, so that it is sent and lists what still waits.
    await raise_challenge(bot, "The path from the car park floods", user="lee")
    await bot.core.advance_clock(timedelta(minutes=1))  # the digest covers up to now
    digest = "\n".join(m.text for m in await bot.say("fran", "/digest now", chat="garden"))
    assert state.digest in digest, digest
    words = CHALLENGE_STATUS_WORDS[state.status]
    assert words == RECORD_STATE_WORDS[state.status]  # the public record says the same
    shown = (await bot.say("lee", "/challenge 1", chat="garden"))[-1].text
    assert f"Status: {words} ·" in shown, shown
    listed = (await bot.say("lee", "/challenges", chat="garden"))[-1].text
    assert f"#1 {words} ·" in listed, listed


def test_the_answerer_is_told_truly_whether_the_raiser_heard() -> None:
    assert "sent to the person who raised it" not in ANSWER_SENT_RAISER_GONE


@pytest.mark.parametrize(("outcome", "buttons"), [
    ("In scope", ["Yes", "Not really"]), ("Declined", ["Yes", "Not really"]),
    ("Taken forward", ["Yes", "Not really", "Still waiting"]),
    ("Referred", ["Yes", "Not really", "Still waiting"]),
])
async def test_still_waiting_is_offered_only_when_something_was_promised(
        bot: TestingAdapter, outcome: str, buttons: list[str]) -> None:
    await garden(bot)
    await raise_challenge(bot)
    await answer_by_buttons(bot, "jane", outcome, EXPLANATION)
    await bot.core.advance_clock(timedelta(days=14, hours=1))
    question = bot.last(user="kim")
    assert "Was this answered?" in question.text and question.button_labels == buttons


async def test_an_answer_to_an_erased_raiser_is_not_said_to_reach_them(bot: TestingAdapter) -> None:
    await garden(bot)
    await raise_challenge(bot)
    await erase(bot, "kim")
    await answer_forward(bot)
    assert bot.last(user="jane").text == (
        "Thank you. Your answer to #1 is posted in Fremont Garden. The person who raised it has "
        "since erased their data, so it is not sent to them.")
