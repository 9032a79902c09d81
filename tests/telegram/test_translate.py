"""Updates, in Telegram's shapes, to the neutral events the core takes."""

from __future__ import annotations

from typing import Any

from telegram import Bot, Update

from adapters.telegram.translate import BotSelf, translate
from bot.kernel.events import (
    ButtonPressed,
    ChatKind,
    CommandIssued,
    MemberChange,
    MembershipChanged,
    MessagePosted,
    PollCounted,
    PollVoted,
)
from tests.telegram.payloads import GROUP_ID, PEOPLE, SUPERGROUP_ID, Updates

ME = BotSelf(7000000001, "ncbot_test_bot", "Networked Councillor")
BOT = Bot("123456789:AAHfakefakefakefakefakefakefake_tst")
u = Updates()


def event_of(update: dict[str, Any]) -> Any:
    return translate(Update.de_json(update, BOT), ME)


def test_a_command_with_arguments_over_several_lines() -> None:
    update = u.message("alice", "/scope Redesign the allotments\nwith residents", Updates.group())
    event = event_of(update)
    assert isinstance(event, CommandIssued)
    assert (event.name, event.args) == ("scope", "Redesign the allotments\nwith residents")
    assert event.event_id == f"tg:{update['update_id']}"
    assert event.chat.kind == ChatKind.GROUP and event.chat.chat_id == str(GROUP_ID)
    assert event.sender.user_id == "1001" and event.sender.display_name == "Alice Able"


def test_commands_addressed_by_name() -> None:
    ours = event_of(u.message("alice", "/Help@NCBot_Test_Bot scope", Updates.group()))
    assert isinstance(ours, CommandIssued) and (ours.name, ours.args) == ("help", "scope")
    theirs = event_of(u.message("alice", "/help@other_bot", Updates.group()))
    assert isinstance(theirs, MessagePosted)  # someone spoke in the group; not to us
    assert event_of(u.message("alice", "/help@other_bot")) is None  # in private: nothing


def test_start_with_a_deep_link_code() -> None:
    event = event_of(u.message("jane", "/start K7Q4MZPA2B"))
    assert isinstance(event, CommandIssued) and event.args == "K7Q4MZPA2B"
    assert event.chat.kind == ChatKind.PRIVATE and event.chat.chat_id == str(PEOPLE["jane"]["id"])


def test_a_reply_carries_the_quoted_text_but_a_forum_topic_does_not() -> None:
    quoted = u.message_body("bob", "The bus route cuts us off", Updates.group())
    event = event_of(u.message("alice", "/challenge", Updates.group(), reply_to_message=quoted))
    assert event.reply_to_text == "The bus route cuts us off"
    topic = u.message_body("bob", "", Updates.group(SUPERGROUP_ID),
                           forum_topic_created={"name": "Garden", "icon_color": 7322096})
    del topic["text"]
    event = event_of(u.message("alice", "/challenge", Updates.group(SUPERGROUP_ID),
                               reply_to_message=topic, is_topic_message=True))
    assert event.reply_to_text is None


def test_edits_channel_posts_and_private_stickers_mean_nothing() -> None:
    assert event_of(u.edited("alice", "/help")) is None
    channel = {"id": -1009999, "type": "channel", "title": "News"}
    post = u.message_body("alice", "hello", channel)
    assert event_of({"update_id": 1, "channel_post": post}) is None
    sticker = u.message_body("alice", "")
    del sticker["text"]
    sticker["sticker"] = {"file_id": "s1", "file_unique_id": "su1", "type": "regular",
                          "width": 512, "height": 512, "is_animated": False, "is_video": False}
    assert event_of({"update_id": 2, "message": sticker}) is None


def test_button_presses_and_poll_updates() -> None:
    shown = u.message_body("alice", "Accept?")
    press = event_of(u.callback("jane", "link:accept:3", shown))
    assert isinstance(press, ButtonPressed) and press.action == "link:accept:3"
    assert press.supports_forms is False
    vote = event_of(u.poll_answer("bob", "5000042", [0, 2]))
    assert isinstance(vote, PollVoted) and vote.option_indexes == (0, 2)
    assert vote.platform_poll_id == "5000042" and vote.sender.user_id == "1002"
    counted = event_of(u.poll_state("5000042", "Bench?", [3, 1]))
    assert isinstance(counted, PollCounted) and counted.counts == (3, 1)
    assert event_of(u.poll_state("5000042", "Bench?", [3, 1], anonymous=False)) is None


def test_membership_and_migration() -> None:
    added = event_of(u.bot_membership("fiona", Updates.group(), "left", "member"))
    assert isinstance(added, MembershipChanged) and added.change == MemberChange.BOT_ADDED
    removed = event_of(u.bot_membership("fiona", Updates.group(), "member", "kicked"))
    assert removed.change == MemberChange.BOT_REMOVED
    assert event_of(u.bot_membership("fiona", Updates.group(), "member", "administrator")) is None
    blocked = event_of(u.bot_membership("alice", Updates.private_chat("alice"), "member", "kicked"))
    assert blocked is None
    moved = event_of(u.migrated_to("fiona", Updates.group(), SUPERGROUP_ID))
    assert moved.change == MemberChange.CHAT_MIGRATED
    assert (moved.chat.chat_id, moved.new_chat_id) == (str(GROUP_ID), str(SUPERGROUP_ID))
    other_side = event_of(u.migrated_from("fiona", Updates.group(SUPERGROUP_ID), GROUP_ID))
    assert (other_side.chat.chat_id, other_side.new_chat_id) == (str(GROUP_ID), str(SUPERGROUP_ID))


def test_a_renamed_group_is_told_to_the_core() -> None:
    body = u.message_body("fiona", "", Updates.group(title="Fremont Community Garden"),
                          new_chat_title="Fremont Community Garden")
    del body["text"]
    event = event_of({"update_id": 9, "message": body})
    assert isinstance(event, MembershipChanged) and event.change == MemberChange.CHAT_RENAMED
    assert event.chat.title == "Fremont Community Garden"
