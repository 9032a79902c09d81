"""Nothing typed in private meets silence: a hello, "nothing was sent", the nearest command."""

from __future__ import annotations

from adapters.testing import TestingAdapter
from tests.helpers import make_councillor, make_facilitator


async def test_a_stranger_gets_a_two_line_hello(bot: TestingAdapter) -> None:
    [hello] = await bot.say("stranger", "hello")
    lines = hello.text.splitlines()
    assert len(lines) == 2
    assert "connect project groups with their councillors" in lines[0]
    assert "/help" in lines[1] and "/start <code>" in lines[1]


async def test_a_stranger_in_a_group_is_not_answered(bot: TestingAdapter) -> None:
    assert await bot.say("stranger", "hello all", chat="garden") == []


async def test_a_councillor_with_no_answer_under_way_is_told_nothing_was_sent(
    bot: TestingAdapter,
) -> None:
    await make_councillor(bot, "Jane Doe", ["Fremont"])
    [reply] = await bot.say("jane", "The bus route is decided by the operator.")
    assert reply.text.startswith("Nothing was sent")
    assert "/inbox" in reply.text and "/answer" in reply.text


async def test_a_facilitator_is_told_nothing_was_sent_and_how_to_record_an_outcome(
    bot: TestingAdapter,
) -> None:
    await make_facilitator(bot, "Fiona Green")
    [reply] = await bot.say("fiona", "we agreed on option 2")
    assert reply.text.startswith("Nothing was sent") and "/outcome" in reply.text


async def test_an_unknown_command_in_private_suggests_the_nearest(bot: TestingAdapter) -> None:
    [reply] = await bot.say("ann", "/halp")
    assert reply.text == "I don't know /halp. Did you mean /help? Send /help for all commands."
    await make_councillor(bot, "Jane Doe", ["Fremont"])
    [reply] = await bot.say("jane", "/inbx")
    assert "Did you mean /inbox?" in reply.text


async def test_an_unknown_command_far_from_any_gets_the_plain_answer(bot: TestingAdapter) -> None:
    [reply] = await bot.say("ann", "/xyzzyq")
    assert reply.text == "I don't know /xyzzyq. Send /help for the commands you can use here."


async def test_help_for_an_unknown_command_suggests_the_nearest(bot: TestingAdapter) -> None:
    [reply] = await bot.say("ann", "/help mydate")
    assert "Did you mean /mydata?" in reply.text
