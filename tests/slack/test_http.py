"""Signed requests into the running Bolt app: signatures, the slash command, DMs, retries."""

from __future__ import annotations

import asyncio
import json
import time

from bot.kernel.events import ChatKind, CommandIssued, MessagePosted
from tests.slack.conftest import Rig


async def test_bad_signature_is_refused_with_401(rig: Rig) -> None:
    status, _ = await rig.slack.command("help", secret="not-the-secret")
    assert status == 401
    assert rig.processed.empty()


async def test_stale_timestamp_is_refused(rig: Rig) -> None:
    status, _ = await rig.slack.command("help", timestamp=time.time() - 60 * 10)
    assert status == 401
    assert rig.processed.empty()


async def test_url_verification_is_answered(rig: Rig) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "t"})
    status, text = await rig.slack.post(body, "application/json")
    assert status == 200 and "c-123" in text


async def test_slash_command_becomes_a_command_and_is_answered(rig: Rig) -> None:
    status, _ = await rig.slack.command("help scope", channel="C1", channel_name="garden")
    assert status == 200
    event, _result = await rig.next_processed()
    assert isinstance(event, CommandIssued)
    assert (event.name, event.args, event.chat.chat_id) == ("help", "scope", "C1")
    [post] = (await rig.api.wait_for("chat.postEphemeral"))  # help is for the one who asked
    assert post.params["channel"] == "C1" and post.params["user"] == "U1"
    assert "/ncbot scope" in post.params["text"]  # commands read the Slack way
    assert post.token == "xoxb-1-test"


async def test_bare_slash_command_is_help(rig: Rig) -> None:
    await rig.slack.command("", channel="C1")
    event, _ = await rig.next_processed()
    assert isinstance(event, CommandIssued) and event.name == "help"
    [post] = await rig.api.wait_for("chat.postEphemeral")
    assert "Commands you can use here" in post.params["text"]


async def test_slash_command_in_a_dm_is_answered_in_the_bots_own_dm(rig: Rig) -> None:
    await rig.slack.command("help", user="U7", channel="D999", channel_name="directmessage")
    event, _ = await rig.next_processed()
    assert event.chat.kind == ChatKind.PRIVATE and event.chat.chat_id == "D7"
    [post] = await rig.api.wait_for("chat.postMessage")
    assert post.params["channel"] == "D7"


async def test_dm_starting_with_a_command_word_is_a_command(rig: Rig) -> None:
    await rig.slack.event({"type": "message", "channel": "D5", "channel_type": "im",
                           "user": "U5", "text": "help scope", "ts": "1.1"})
    event, _ = await rig.next_processed()
    assert isinstance(event, CommandIssued) and (event.name, event.args) == ("help", "scope")
    await rig.slack.event({"type": "message", "channel": "D5", "channel_type": "im",
                           "user": "U5", "text": "/help", "ts": "1.2"})
    event, _ = await rig.next_processed()
    assert isinstance(event, CommandIssued) and event.name == "help"
    await rig.slack.event({"type": "message", "channel": "D5", "channel_type": "im",
                           "user": "U5", "text": "thanks a lot", "ts": "1.3"})
    event, _ = await rig.next_processed()
    assert isinstance(event, MessagePosted)


async def test_channel_message_counts_as_activity_and_names_are_looked_up(rig: Rig) -> None:
    rig.api.names["U8"] = "Priya Shah"
    message = {"type": "message", "channel": "C2", "channel_type": "channel", "user": "U8",
               "text": "hello", "ts": "2.1"}
    await rig.slack.event(message)
    event, _ = await rig.next_processed()
    assert isinstance(event, MessagePosted) and event.chat.kind == ChatKind.GROUP
    assert event.sender.display_name == "U8"  # an event carries no name: Slack is asked after
    await rig.adapter.names.settled()
    await rig.slack.event(message | {"ts": "2.2"})
    event, _ = await rig.next_processed()
    assert event.sender.display_name == "Priya Shah"


async def test_app_mention_is_a_command(rig: Rig) -> None:
    await rig.slack.event({"type": "app_mention", "channel": "C3", "user": "U1",
                           "text": "<@UBOT> help", "ts": "3.1"})
    event, _ = await rig.next_processed()
    assert isinstance(event, CommandIssued) and event.name == "help" and event.args == ""


async def test_a_retried_event_has_one_effect(rig: Rig) -> None:
    dm = {"type": "message", "channel": "D5", "channel_type": "im", "user": "U5",
          "text": "help", "ts": "4.1"}
    first, _ = await rig.slack.event(dm, event_id="Ev-same")
    again, _ = await rig.slack.event(dm, event_id="Ev-same", retry_num=1)
    assert (first, again) == (200, 200)
    _, one = await rig.next_processed()
    _, two = await rig.next_processed()
    await rig.core.outbox.flush()
    assert [one.duplicate, two.duplicate].count(True) == 1
    assert len(rig.posts("D5")) == 1


async def test_the_bots_own_messages_are_ignored(rig: Rig) -> None:
    await rig.slack.event({"type": "message", "channel": "C2", "channel_type": "channel",
                           "user": "UBOT", "text": "me", "ts": "5.1"})
    await rig.slack.event({"type": "message", "subtype": "bot_message", "channel": "C2",
                           "bot_id": "B9", "text": "other bot", "ts": "5.2"})
    await rig.slack.event({"type": "message", "channel": "C2", "channel_type": "channel",
                           "user": "U1", "text": "a person", "ts": "5.3"})
    event, _ = await rig.next_processed()
    assert isinstance(event, MessagePosted) and event.text == "a person"


async def test_health_reports_slack(rig: Rig) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as s, s.get(
        f"http://127.0.0.1:{rig.http.bound_port}/healthz"
    ) as resp:
        body = await resp.json()
    assert body["checks"]["slack"]["ok"] is True
    rig.api.fail("auth.test", "invalid_auth")
    rig.time.advance(31)  # the last answer is reused for 30 seconds
    async with aiohttp.ClientSession() as s, s.get(
        f"http://127.0.0.1:{rig.http.bound_port}/healthz"
    ) as resp:
        assert resp.status == 503
        assert (await resp.json())["checks"]["slack"]["ok"] is False


async def test_a_command_in_a_channel_without_the_bot_asks_to_add_it(rig: Rig) -> None:
    rig.api.outside.add("C9")
    await rig.slack.command("project Fremont Garden", channel="C9", channel_name="garden")
    [answer] = await rig.api.wait_for("response_url")
    assert answer.params["response_type"] == "ephemeral"
    assert "add me" in answer.params["text"]
    assert rig.processed.empty() and not rig.posts()
    rig.api.outside.discard("C9")
    await rig.slack.event({"type": "member_joined_channel", "user": "UBOT", "channel": "C9"})
    await rig.next_processed()
    await rig.slack.command("help", channel="C9", channel_name="garden")
    event, _ = await rig.next_processed()
    assert isinstance(event, CommandIssued) and event.chat.chat_id == "C9"


async def test_membership_of_a_channel_is_asked_once_for_commands_arriving_together(
    rig: Rig,
) -> None:
    await asyncio.gather(*(rig.slack.command("help", user=f"U{i}", channel="C44",
                                             channel_name="garden") for i in range(6)))
    for _ in range(6):
        await rig.next_processed()
    assert len(rig.api.called("conversations.info")) == 1
    await rig.slack.command("help", user="U9", channel="C44", channel_name="garden")
    await rig.next_processed()
    assert len(rig.api.called("conversations.info")) == 1  # kept


async def test_a_message_in_a_channel_shows_the_bot_is_in_it(rig: Rig) -> None:
    await rig.slack.event({"type": "message", "channel": "C45", "channel_type": "channel",
                           "user": "U8", "text": "hello", "ts": "2.1"})
    await rig.next_processed()
    await rig.slack.command("help", user="U8", channel="C45", channel_name="garden")
    event, _ = await rig.next_processed()
    assert isinstance(event, CommandIssued) and event.chat.chat_id == "C45"
    assert rig.api.called("conversations.info") == []


async def test_slack_markup_arrives_as_typed(rig: Rig) -> None:
    await rig.slack.event({"type": "message", "channel": "D5", "channel_type": "im", "user": "U5",
                           "text": "help a &lt;b&gt; &amp; <@U7|jo> <https://x.org|site> <!here>",
                           "ts": "6.1"})
    event, _ = await rig.next_processed()
    assert isinstance(event, CommandIssued)
    assert event.args == "a <b> & @jo site @here"


async def test_a_mention_in_a_thread_takes_the_threads_first_message(rig: Rig) -> None:
    rig.api.threads["7.0"] = "The bus route &lt;42&gt; cuts the garden off"
    await rig.slack.event({"type": "app_mention", "channel": "C3", "user": "U1",
                           "text": "<@UBOT> challenge", "ts": "7.5", "thread_ts": "7.0"})
    event, _ = await rig.next_processed()
    assert isinstance(event, CommandIssued) and event.name == "challenge"
    assert event.reply_to_text == "The bus route <42> cuts the garden off"


async def test_slack_gets_its_answer_before_the_slow_work_is_done(rig: Rig) -> None:
    # The answer's post is held: the command's HTTP answer must not wait for it.
    rig.api.gates["chat.postEphemeral"] = held = asyncio.Event()
    status, _ = await rig.slack.command("help", channel="C1")
    assert status == 200
    await rig.api.wait_for("chat.postEphemeral")
    assert not held.is_set()  # the post was still pending when Slack had its 200
    held.set()
    await rig.next_processed()


async def test_while_the_bot_awaits_an_answer_a_dm_is_the_answer(rig: Rig) -> None:
    from storage.db import session_scope
    from storage.repo import work

    with session_scope(rig.core.engine) as s:
        work.set_conversation(s, platform="slack", user_id="U5", kind="poll_outcome",
                              state={}, now=rig.core.clock.now())

    async def dm(text: str) -> object:
        await rig.slack.event({"type": "message", "channel": "D5", "channel_type": "im",
                               "user": "U5", "text": text, "ts": "8.1"})
        event, _ = await rig.next_processed()
        return event

    answer = await dm("Help desk opens on Saturday")
    assert isinstance(answer, MessagePosted) and answer.text == "Help desk opens on Saturday"
    assert isinstance(await dm("/help"), CommandIssued)
    assert isinstance(await dm("cancel"), CommandIssued)


async def test_commands_still_work_when_lookups_fail(rig: Rig) -> None:
    rig.api.fail("conversations.open", status=404)
    rig.api.fail("users.info", status=500)
    await rig.slack.command("help", user="U7", channel="D999", channel_name="directmessage")
    event, _ = await rig.next_processed()
    assert event.chat.chat_id == "U7" and event.sender.display_name == "alice"
    [post] = await rig.api.wait_for("chat.postMessage")
    assert post.params["channel"] == "U7"  # Slack takes a user id as the bot's DM with them
