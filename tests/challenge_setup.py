"""The scene most challenge tests start from: a project in Fremont with Cllr Jane Doe linked."""

from __future__ import annotations

from sqlmodel import select

from adapters.testing import SentMessage, TestingAdapter
from storage.db import session_scope
from storage.models import Challenge, ChallengeRecipient
from tests.helpers import make_active, make_councillor, make_facilitator, make_project

SCOPE = "Redesign the Fremont Road allotments with residents"


async def garden(bot: TestingAdapter, *, link: bool = True) -> None:
    """Fran facilitates Fremont Garden (chat 'garden'); Jane (Fremont) is linked if ``link``."""
    await make_councillor(bot, "Jane Doe", wards=["Fremont"])
    await make_facilitator(bot, "Fran Fowler")
    await make_project(bot, "fran", "garden", "Fremont Garden", wards=["Fremont"], scope=SCOPE)
    await make_active(bot, "garden", ["kim", "lee", "max"])
    proposal = bot.last(user="jane")
    if link:
        await bot.press("jane", proposal.button("Accept"))
    else:
        await bot.press("jane", proposal.button("Decline"))


async def raise_challenge(bot: TestingAdapter, text: str = "The bus route cuts the garden off",
                          *, user: str = "kim", chat: str = "garden") -> SentMessage:
    """``user`` raises a challenge; returns the card posted in the group."""
    replies = await bot.say(user, f"/challenge {text}", chat=chat)
    cards = [m for m in replies if m.to.chat_id == chat and "Scope challenge #" in m.text]
    assert cards, [m.text for m in replies]
    return cards[-1]


def notice_to(bot: TestingAdapter, user: str, number: int | None = None) -> SentMessage:
    """The last challenge notice (with Acknowledge/Answer) a person got, about #``number``."""
    for message in reversed(bot.to_user(user)):
        if "Acknowledge" in message.button_labels and (
            number is None or f"#{number} " in message.text
        ):
            return message
    raise AssertionError(f"{user} got no challenge notice")


def challenge_row(bot: TestingAdapter, number: int = 1) -> Challenge:
    with session_scope(bot.core.engine) as s:
        found = s.exec(select(Challenge).where(Challenge.number == number)).first()
        assert found is not None
        return found


def recipient_reasons(bot: TestingAdapter, challenge_id: int) -> dict[int, str]:
    with session_scope(bot.core.engine) as s:
        return {
            r.person_id: r.reason
            for r in s.exec(
                select(ChallengeRecipient).where(ChallengeRecipient.challenge_id == challenge_id)
            )
        }


async def answer_by_buttons(bot: TestingAdapter, user: str, outcome: str, explanation: str,
                            *, number: int | None = None) -> None:
    """Answer the last notice ``user`` got (about #``number``), through the conversation."""
    await bot.press(user, notice_to(bot, user, number).button("Answer"))
    await bot.press(user, bot.last(user=user).button(outcome))
    await bot.say(user, explanation)
    await bot.press(user, bot.last(user=user).button("Confirm"))
