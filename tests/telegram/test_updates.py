"""Update kinds beyond commands: membership, migration, buttons, replies, activity, polling."""

from __future__ import annotations

from sqlmodel import col, select

from storage.db import session_scope
from storage.models import ActivityDay, Chat, Identity, Project
from tests.telegram.conftest import Harness
from tests.telegram.payloads import GROUP_ID, PEOPLE, SUPERGROUP_ID, Updates


async def registered_group(tg: Harness) -> None:
    await tg.say("fiona", f"/start {tg.invite('Fran Fowler', 'facilitator')}")
    await tg.say("fiona", "/project Fremont Garden", Updates.group())


def chat_row(tg: Harness, chat_id: int) -> Chat | None:
    with session_scope(tg.core.engine) as s:
        found = s.exec(select(Chat).where(Chat.platform_chat_id == str(chat_id))).first()
        if found is not None:
            s.expunge(found)
        return found


async def test_the_bot_added_to_a_group_says_hello_and_removed_stops_posting(tg: Harness) -> None:
    group = Updates.group()
    assert await tg.post(tg.u.bot_membership("fiona", group, "left", "member")) == 200
    assert "A facilitator can register this chat" in tg.api.sent(chat_id=GROUP_ID)[-1].text
    assert await tg.post(tg.u.bot_membership("fiona", group, "member", "administrator")) == 200
    assert len(tg.api.sent(chat_id=GROUP_ID)) == 1  # a promotion is not an arrival
    assert await tg.post(tg.u.bot_membership("fiona", group, "administrator", "kicked")) == 200
    row = chat_row(tg, GROUP_ID)
    assert row is not None and row.gone_at is not None


async def test_a_group_upgraded_to_a_supergroup_keeps_its_project(tg: Harness) -> None:
    await registered_group(tg)
    old = Updates.group()
    assert await tg.post(tg.u.migrated_to("fiona", old, SUPERGROUP_ID)) == 200
    # Telegram also sends the other side of the move into the new supergroup: no second effect.
    new = Updates.group(SUPERGROUP_ID)
    assert await tg.post(tg.u.migrated_from("fiona", new, GROUP_ID)) == 200
    await tg.say("alice", "/scope", new)
    reply = tg.api.sent(chat_id=SUPERGROUP_ID)[-1]
    assert "Fremont Garden has no scope statement yet" in reply.text
    moved = chat_row(tg, SUPERGROUP_ID)
    assert moved is not None and moved.project_id is not None and moved.gone_at is None
    old_row = chat_row(tg, GROUP_ID)  # renamed; at most a gone row, with no project, remains
    assert old_row is None or (old_row.gone_at is not None and old_row.project_id is None)


async def test_a_message_to_a_group_that_moved_follows_it(tg: Harness) -> None:
    await registered_group(tg)
    tg.api.fail("sendMessage", 400, "Bad Request: group chat was upgraded to a supergroup chat",
                chat_id=GROUP_ID, migrate_to_chat_id=SUPERGROUP_ID)
    await tg.say("alice", "/help", Updates.group())
    assert "Commands you can use here" in tg.api.sent(chat_id=SUPERGROUP_ID)[-1].text


async def test_every_button_press_is_answered_a_stale_one_with_a_notice(tg: Harness) -> None:
    shown = tg.u.message_body("alice", "an old message")
    press = tg.u.callback("alice", "nosuchthing:42", shown)
    assert await tg.post(press) == 200
    answers = tg.api.sent("answerCallbackQuery")
    assert [a.params.get("text") for a in answers] == ["That button is no longer active."]
    assert await tg.post(press) == 200  # a retried press: answered again, without effect
    assert len(tg.api.sent("answerCallbackQuery")) == 2
    assert tg.api.sent() == []


async def test_ordinary_group_messages_count_as_activity_without_their_text(tg: Harness) -> None:
    await registered_group(tg)
    for who in ("alice", "bob", "carol"):
        await tg.say(who, "Shall we meet at the allotments on Saturday?", Updates.group())
    await tg.say("dan", "/weather@some_other_bot", Updates.group())  # still someone speaking
    with session_scope(tg.core.engine) as s:
        project = s.exec(select(Project)).one()
        assert project.became_active_at is not None
        day = s.exec(select(ActivityDay)).one()
        assert day.messages == 4
    sent = tg.api.sent(chat_id=GROUP_ID)
    assert len(sent) == 1  # only the registration answer: the talk itself is not answered


async def test_long_polling_receives_updates_through_get_updates(polling: Harness) -> None:
    code = polling.invite("Jane Doe", "councillor", wards=["Fremont"])
    await polling.api.push(polling.u.message("jane", f"/start {code}"))
    replies = await polling.api.wait_sent(chat_id=PEOPLE["jane"]["id"])
    assert "Welcome, Jane Doe" in replies[0].text
    assert polling.api.webhook is None  # polling removed any webhook first
    gets = polling.api.sent("getUpdates")
    assert gets and gets[0].params.get("allowed_updates")
    ok, detail = await polling.adapter.health()
    assert ok and detail == "polling"


async def test_polling_confirms_what_it_handled_and_skips_edits(polling: Harness) -> None:
    await polling.api.push(polling.u.edited("alice", "/help"))
    second = polling.u.message("alice", "/help")
    await polling.api.push(second)
    await polling.api.wait_sent(chat_id=PEOPLE["alice"]["id"])
    await polling.api.wait_for(lambda: any(
        int(c.params.get("offset") or 0) > second["update_id"]
        for c in polling.api.sent("getUpdates")))
    assert len(polling.api.sent(chat_id=PEOPLE["alice"]["id"])) == 1


async def test_polled_group_talk_is_counted_and_then_confirmed(polling: Harness) -> None:
    """Ordinary messages fetched by long polling (read without python-telegram-bot's objects)
    count as activity, with their writers' names, before getUpdates confirms them."""
    await registered_group(polling)
    updates = [polling.u.message(who, "See you at the allotments", Updates.group())
               for who in ("alice", "bob", "carol")]
    for update in updates:
        await polling.api.push(update)
    await polling.api.wait_for(lambda: any(
        int(c.params.get("offset") or 0) > updates[-1]["update_id"]
        for c in polling.api.sent("getUpdates")))
    with session_scope(polling.core.engine) as s:
        assert s.exec(select(ActivityDay)).one().messages == 3
        names = set(s.exec(select(Identity.display_name).where(
            col(Identity.user_id).in_(["1001", "1002", "1003"]))))
    assert names == {"Alice Able", "Bob", "Carol"}
