"""Ordinary group messages read straight from Telegram's JSON give the event ``translate`` gives."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import Bot, Update

from adapters.telegram.translate import BotSelf, plain_group_message, translate
from bot.kernel.events import MessagePosted
from tests.fuzzing import examples
from tests.telegram.payloads import GROUP_ID, SUPERGROUP_ID, Updates

ME = BotSelf(7000000001, "ncbot_test_bot", "Networked Councillor")
BOT = Bot("123456789:AAHfakefakefakefakefakefakefake_tst")
u = Updates()


def full_reading(update: dict[str, Any]) -> Any:
    return translate(Update.de_json(copy.deepcopy(update), BOT), ME)


def plain(who: str, text: str, **extra: Any) -> dict[str, Any]:
    return u.message(who, text, Updates.group(SUPERGROUP_ID, "Harbour Walk"), **extra)


@pytest.mark.parametrize("update", [
    plain("alice", "Thanks all, good meeting tonight."),  # first, last and user name
    plain("bob", "I can bring the leaflets"),  # no last name
    plain("carol", ""),  # no user name, empty text
    u.message("dan", "Shall we vote on it?", Updates.group(GROUP_ID, "Fremont Garden")),
    plain("alice", "see https://example.org", link_preview_options={"is_disabled": True}),
    plain("alice", "bold", entities=[{"type": "bold", "offset": 0, "length": 4}]),
], ids=["named", "no-last-name", "empty", "basic-group", "link-preview", "entities"])
def test_an_ordinary_group_message_is_read_as_translate_reads_it(update: dict[str, Any]) -> None:
    event = plain_group_message(update)
    assert isinstance(event, MessagePosted)
    assert event == full_reading(update)


@pytest.mark.parametrize("update", [
    u.message("alice", "hello"),  # a private chat
    plain("alice", "/help"),  # a command
    plain("alice", "/help@other_bot"),  # a command for another bot
    plain("alice", "quoting", reply_to_message={"message_id": 1, "date": 1, "chat":
                                               Updates.group(SUPERGROUP_ID), "text": "hi"}),
    plain("alice", "a photo", photo=[]),
    plain("alice", "", new_chat_title="Renamed"),
    u.message("alice", "in a channel", {"id": -1009, "type": "channel", "title": "News"}),
    {**plain("alice", "edited"), "edited_message": {}},
    {"update_id": 1, "message": {**plain("alice", "x")["message"], "chat": {
        "id": "-1001", "type": "supergroup"}}},  # an id that is not Telegram's number
    {"update_id": 1, "message": {**plain("alice", "x")["message"], "text": 5}},
], ids=["private", "command", "other-bot", "reply", "photo", "service", "channel",
        "two-kinds", "string-id", "number-text"])
def test_anything_else_is_left_to_the_full_reading(update: dict[str, Any]) -> None:
    assert plain_group_message(update) is None


names = st.text(min_size=1, max_size=12)


@settings(max_examples=examples(100))
@given(first=names, last=st.one_of(st.none(), st.text(max_size=12)),
       username=st.one_of(st.none(), names), text=st.text(max_size=40),
       title=st.one_of(st.none(), st.text(max_size=20)), group=st.booleans())
def test_read_directly_or_fully_the_event_is_the_same(
        first: str, last: str | None, username: str | None, text: str, title: str | None,
        group: bool) -> None:
    person: dict[str, Any] = {"id": 4242, "is_bot": False, "first_name": first}
    if last is not None:
        person["last_name"] = last
    if username is not None:
        person["username"] = username
    chat: dict[str, Any] = {"id": GROUP_ID if group else SUPERGROUP_ID,
                            "type": "group" if group else "supergroup"}
    if title is not None:
        chat["title"] = title
    update = {"update_id": 77, "message": {"message_id": 1, "date": 1767603600, "chat": chat,
                                           "from": person, "text": text}}
    event = plain_group_message(update)
    if text.startswith("/"):
        assert event is None
    else:
        assert event == full_reading(update)

