"""Answers for one person in a channel are ephemeral on Slack; what the project sees is posted."""

from __future__ import annotations

from datetime import timedelta

from bot.kernel.context import Work
from bot.kernel.events import Address, Outbound
from bot.kernel.ports import FakeClock
from bot.kernel.rich import plain
from storage.db import session_scope
from storage.repo import people
from tests.slack.conftest import Rig


def ephemerals(rig: Rig) -> list[dict]:
    return [c.params for c in rig.api.called("chat.postEphemeral")]


def make_facilitator(rig: Rig, user: str) -> None:
    now = rig.core.clock.now()
    with session_scope(rig.core.engine) as s:
        _identity, person = people.ensure_identity(s, platform="slack", user_id=user,
                                                  display_name="Fiona", username=None, now=now)
        assert person.id is not None
        people.grant_role(s, person_id=person.id, role="facilitator", now=now)


async def test_help_in_a_channel_is_shown_only_to_who_asked(rig: Rig) -> None:
    status, _ = await rig.slack.command("help", user="U2", channel="C1")
    assert status == 200
    [help_answer] = await rig.api.wait_for("chat.postEphemeral")
    assert help_answer.params["user"] == "U2" and help_answer.params["channel"] == "C1"
    assert "/ncbot help" in help_answer.params["text"]
    assert rig.posts("C1") == []


async def test_a_refusal_in_a_channel_is_ephemeral(rig: Rig) -> None:
    await rig.slack.command("frobnicate", user="U3", channel="C1")
    [refusal] = await rig.api.wait_for("chat.postEphemeral")
    assert (refusal.params["user"], refusal.params["channel"]) == ("U3", "C1")
    assert "frobnicate" in refusal.params["text"]
    assert rig.posts("C1") == []


async def test_a_shown_scope_is_ephemeral_and_a_changed_scope_is_posted(rig: Rig) -> None:
    make_facilitator(rig, "UF")
    await rig.slack.command("project Allotments", user="UF", channel="C7")
    await rig.api.wait_until(lambda: len(rig.posts("C7")) == 1)  # registered: the project sees it
    await rig.slack.command("scope Plots and water", user="UF", channel="C7")
    await rig.api.wait_until(lambda: len(rig.posts("C7")) == 2)
    assert "Plots and water" in rig.posts("C7")[-1]["text"]
    await rig.slack.command("scope", user="U5", channel="C7")
    [shown] = await rig.api.wait_for("chat.postEphemeral")
    assert (shown.params["user"], shown.params["channel"]) == ("U5", "C7")
    assert "Plots and water" in shown.params["text"]
    assert len(rig.posts("C7")) == 2


async def test_help_in_a_direct_message_is_an_ordinary_message(rig: Rig) -> None:
    await rig.slack.command("help", user="U2", channel="D2", channel_name="directmessage")
    [posted] = await rig.api.wait_for("chat.postMessage")
    assert posted.params["channel"] == "D2"
    assert ephemerals(rig) == []


async def test_an_ephemeral_message_cannot_be_edited_or_deleted(rig: Rig) -> None:
    message = Outbound(Address("slack", chat_id="C1"), plain("only you"), ephemeral_to="U9",
                       delete_after=5)
    delivered = await rig.adapter.send(message)
    assert ":" not in delivered.message_id  # an edit of it is refused, never sent to Slack
    assert ephemerals(rig)[0]["user"] == "U9"
    assert rig.adapter.delivery.expiry.pending == 0


async def test_a_short_lived_message_is_deleted_after_its_delay(rig: Rig) -> None:
    message = Outbound(Address("slack", chat_id="C1"), plain("gone soon"), delete_after=5)
    delivered = await rig.adapter.send(message)
    await rig.time.slept.wait()
    assert rig.api.called("chat.delete") == []
    rig.time.advance(5)
    [deleted] = await rig.api.wait_for("chat.delete")
    assert f"{deleted.params['channel']}:{deleted.params['ts']}" == delivered.message_id


def whisper(rig: Rig, clock: FakeClock, text: str, to: str, chat: str = "C1") -> None:
    with session_scope(rig.core.engine) as s:
        w = Work(rig.core, s, clock.now())
        w.send(Address("slack", chat_id=chat), text, ephemeral_to=to)
        taken = rig.core.outbox.take_written(s, w.written)
    rig.core.outbox.committed(taken)


async def test_an_answer_for_one_person_does_not_wait_behind_the_channel(
    rig: Rig, clock: FakeClock
) -> None:
    rig.api.fail("chat.postMessage", status=429, retry_after=30)
    with session_scope(rig.core.engine) as s:
        Work(rig.core, s, clock.now()).send(Address("slack", chat_id="C1"), "for everyone")
    assert await rig.core.outbox.flush() == 0  # the channel's message waits 30 s
    await rig.slack.command("help", user="U2", channel="C1")
    [answer] = await rig.api.wait_for("chat.postEphemeral")
    assert (answer.params["user"], answer.params["channel"]) == ("U2", "C1")
    assert len(rig.posts("C1")) == 1  # only the try that was rate limited


async def test_one_persons_answers_in_a_channel_stay_in_order(rig: Rig, clock: FakeClock) -> None:
    rig.api.fail("chat.postEphemeral", status=429, retry_after=30)
    whisper(rig, clock, "first", "U2")
    assert await rig.core.outbox.flush() == 0
    whisper(rig, clock, "second", "U2")
    whisper(rig, clock, "for someone else", "U3")
    await rig.core.outbox.flush()
    assert [(p["user"], p["text"]) for p in ephemerals(rig)] == [
        ("U2", "first"), ("U3", "for someone else")]  # "second" waits behind "first"
    clock.advance(timedelta(seconds=31))
    await rig.core.outbox.flush()
    assert [p["text"] for p in ephemerals(rig) if p["user"] == "U2"] == ["first", "first",
                                                                          "second"]
