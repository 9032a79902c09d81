"""A typed /vote is confirmed to the voter alone, never as a public message per vote."""

from __future__ import annotations

from adapters.testing import TestingAdapter
from bot.kernel.core import Core
from storage.db import session_scope
from storage.repo import projects
from tests.polls.test_polls import LINE, garden, poll_message
from tests.polls.votes_helpers import public_replies


class Whispering(TestingAdapter):
    """A platform that can show a message in a group to one person alone (as Slack)."""

    __test__ = False
    whispers = True


async def test_a_voter_the_bot_can_write_to_hears_privately(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE, chat="garden")
    await bot.say("rita", "/start")  # her private chat with the bot
    sent = await bot.say("rita", "/vote 1 2", chat="garden")
    [private] = [m for m in sent if m.to.chat_id == "dm-rita"]
    assert private.text == "Your vote in poll #1: Under the oak."
    assert public_replies(sent, "garden") == []  # only the card's edit is seen in the group


async def test_otherwise_a_short_reply_that_goes_again(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE + " --anonymous", chat="garden")
    sent = await bot.say("sam", "/vote 1 1", chat="garden")
    [short] = public_replies(sent, "garden")
    assert short.text == "Your anonymous vote in poll #1 is counted. It cannot be changed."
    assert short.message.delete_after == 10.0 and short.message.ephemeral_to is None


async def test_where_the_platform_can_only_the_voter_sees_it(core: Core, bot: TestingAdapter
                                                             ) -> None:
    slack = await poll_seen_in_a_whispering_chat(core, bot)
    await slack.say("sue", "/start")  # even one the bot can write to privately
    sent = await slack.say("sue", "/vote 1 3", chat="C1")
    [answer] = [m for m in sent if not m.message.edit_of]
    assert answer.to.chat_id == "C1" and answer.message.ephemeral_to == "sue"
    assert answer.text == "Your vote in poll #1: Near the gate."
    assert poll_message(slack, "C1").message.ephemeral_to is None  # the card is for everyone


async def test_polls_answers_the_asker_alone_where_the_platform_can(
        core: Core, bot: TestingAdapter) -> None:
    slack = await poll_seen_in_a_whispering_chat(core, bot)
    [listing] = await slack.say("sue", "/polls", chat="C1")
    assert listing.text.startswith("Polls in Fremont Community Garden")
    assert listing.message.ephemeral_to == "sue"


async def poll_seen_in_a_whispering_chat(core: Core, bot: TestingAdapter) -> Whispering:
    """The garden's poll, with a group "C1" of the project on a platform that can whisper."""
    project_id = await garden(bot)
    slack = Whispering(core, platform="whisper")
    with session_scope(core.engine) as s:
        chat = projects.ensure_chat(s, platform="whisper", platform_chat_id="C1", kind="group",
                                    title="officers")
        chat.project_id = project_id
    await bot.say("fran", LINE, chat="garden")
    return slack
