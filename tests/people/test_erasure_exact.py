"""Erasure touches only what it names: the spans that are the person's name, found by structure.

Names that are also words, JSON keys or LIKE wildcards (``%%%``, ``text``, ``Ann``, ``Jo_``) must
not reach into anyone else's messages or data.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from adapters.testing import SentMessage, TestingAdapter
from bot.kernel.events import CommandIssued, Sender
from storage.db import session_scope
from storage.models import MessageMention, OutboundMessage
from storage.repo.privacy import FORMER_MEMBER
from tests.challenge_setup import garden, raise_challenge
from tests.people.test_privacy import forget, my_data, person_of

OTHERS = ("kim", "lee", "fran", "jane")


async def say_named(bot: TestingAdapter, user: str, name: str, line: str,
                    chat: str | None = None) -> list[SentMessage]:
    """``user``, whose platform display name is ``name``, types a command."""
    before = len(bot.sent)
    head, _, args = line[1:].partition(" ")
    await bot.push(CommandIssued(chat=bot._where(user, chat), sender=Sender(bot.platform, user, name),
                                 name=head, args=args, event_id=f"n{len(bot.sent)}-{user}"))
    return bot.sent[before:]


def outbox(bot: TestingAdapter) -> dict[int, str]:
    with session_scope(bot.core.engine) as s:
        return {m.id or 0: m.payload
                for m in s.exec(select(OutboundMessage).order_by(col(OutboundMessage.id)))}


def without_time(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "exported_at"}


@pytest.mark.parametrize("name", ["%%%", "text", "Ann", "Jo_"])
async def test_erasure_changes_only_the_spans_that_name_the_person(
    bot: TestingAdapter, name: str
) -> None:
    await garden(bot)
    # Other people's words that a text match would catch: annual, planning, "text", %, _.
    await raise_challenge(bot, "The annual planning text cuts 100% of the Jo_ allotments")
    await bot.say("fran", "/poll Annual text? | 50% | Jo_hn", chat="garden")
    [card] = [m for m in await say_named(bot, "newbie", name,
                                         "/challenge The bus stop moved away from the school",
                                         chat="garden") if m.to.chat_id == "garden"]
    assert f"raised by {name}" in card.text
    await bot.press("lee", card.button("Support"), chat="garden")
    await say_named(bot, "newbie", name, "/mydata")
    exports = {user: without_time(await my_data(bot, user)) for user in OTHERS}
    before = outbox(bot)
    newbie = person_of(bot, "newbie")
    with session_scope(bot.core.engine) as s:
        named = {m.outbound_id for m in s.exec(
            select(MessageMention).where(MessageMention.person_id == newbie))}
    assert named  # the card, its edit after Lee's support, Jane's notice
    await forget(bot, "newbie")
    after = outbox(bot)
    for row_id, payload in before.items():
        if row_id not in after:
            continue  # a delivered private message to the erased person
        if row_id not in named:
            assert after[row_id] == payload, "a message not naming them changed"
            continue
        old, new = json.loads(payload), json.loads(after[row_id])
        spans = [[FORMER_MEMBER, span[1]] if span[2:] == [newbie] else span
                 for span in old["text"]]
        assert new["text"] == spans
        assert [newbie] in [span[2:] for span in old["text"]]
        assert {k: v for k, v in new.items() if k != "text"} == {
            k: v for k, v in old.items() if k != "text"}
    for user in OTHERS:
        now = without_time(await my_data(bot, user))
        earlier = exports[user]
        # The same, but for the export asked for before (a message to them now), and in Jane's
        # notice of #2 the raiser is a former member now.
        for message in earlier["messages_to_you"]:
            message["text"] = message["text"].replace(f"Raised by {name}:",
                                                      f"Raised by {FORMER_MEMBER}:")
        assert now.pop("messages_to_you")[:-1] == earlier.pop("messages_to_you"), user
        assert now == earlier, user
    [shown] = await bot.say("kim", "/challenge 1", chat="garden")
    assert "The annual planning text cuts 100% of the Jo_ allotments" in shown.text
    with session_scope(bot.core.engine) as s:
        assert not s.exec(select(MessageMention).where(MessageMention.person_id == newbie)).all()


async def test_erasure_finds_a_voter_a_poll_starter_and_a_councillor_by_structure(
    bot: TestingAdapter,
) -> None:
    await garden(bot)
    await raise_challenge(bot)
    await bot.say("jane", "/answer 1 forward I will take this to the transport committee in May.")
    await bot.say("fran", "/poll Bench? | Pond | Oak", chat="garden")
    await bot.say("kim", "/vote 1 1", chat="garden")
    await bot.say("fran", "/closepoll 1", chat="garden")
    await bot.say("fran", "/digest daily 08:00", chat="garden")
    await bot.core.advance_clock(timedelta(days=1))
    texts = "\n".join(m.text for m in bot.sent)
    assert "   kim" in texts.lower() and "Poll #1 from Fran Fowler" in texts
    digest = next(m.text for m in bot.sent if m.text.startswith("Digest for"))
    assert "Linked councillors: Cllr Jane Doe" in digest and "   Cllr Jane Doe: " in digest
    for user in ("kim", "fran", "jane"):
        await forget(bot, user)
    with session_scope(bot.core.engine) as s:
        stored = [json.loads(m.payload) for m in s.exec(select(OutboundMessage))]
    flat = "\n".join("".join(span[0] for span in d["text"]) for d in stored)
    for name in ("Kim", "Fran Fowler", "Jane Doe"):
        assert name not in flat, name
    assert "Pond" in flat and "Bench?" in flat  # the record is still there
