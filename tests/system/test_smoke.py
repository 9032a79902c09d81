from adapters.testing import TestingAdapter


async def test_help_answers_in_a_private_chat(bot: TestingAdapter) -> None:
    replies = await bot.say("alice", "/help")
    assert len(replies) == 1
    assert "/help" in replies[0].text and "/start" in replies[0].text
    assert "/project" not in replies[0].text  # a group command is not offered in private


async def test_unknown_command_gets_a_pointer_to_help(bot: TestingAdapter) -> None:
    replies = await bot.say("alice", "/frobnicate now")
    assert replies[-1].text.startswith("I don't know /frobnicate")
