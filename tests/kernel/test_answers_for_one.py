"""Answers meant for one person carry who they are for; what the project should see does not."""

from __future__ import annotations

from adapters.testing import TestingAdapter
from bot.kernel.events import Address, Outbound
from bot.kernel.rich import plain


async def test_help_in_a_group_is_for_the_one_who_asked(bot: TestingAdapter) -> None:
    [answer] = await bot.say("ann", "/help", chat="g1")
    assert answer.to.chat_id == "g1" and answer.message.ephemeral_to == "ann"


async def test_help_in_private_is_an_ordinary_reply(bot: TestingAdapter) -> None:
    [answer] = await bot.say("ann", "/help")
    assert answer.message.ephemeral_to is None


async def test_a_refusal_in_a_group_is_for_the_one_who_asked(bot: TestingAdapter) -> None:
    [refusal] = await bot.say("bob", "/frobnicate", chat="g1")
    assert refusal.message.ephemeral_to == "bob" and "frobnicate" in refusal.text


async def test_a_usage_error_in_a_group_is_for_the_one_who_asked(bot: TestingAdapter) -> None:
    [refusal] = await bot.say("bob", "/project join", chat="g1")
    assert refusal.message.ephemeral_to == "bob"


def test_the_outbox_keeps_who_it_is_for_and_how_long_it_lives() -> None:
    message = Outbound(Address("slack", chat_id="C1"), plain("hi"), ephemeral_to="U1",
                       delete_after=6.0)
    assert Outbound.from_json(message.to, message.to_json()) == message
    ordinary = Outbound(Address("slack", chat_id="C1"), plain("hi"))
    assert "ephemeral_to" not in ordinary.to_json()
    assert Outbound.from_json(ordinary.to, ordinary.to_json()) == ordinary
