"""Data rights: /mydata exports every table about a person; /forgetme erases and anonymises."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlmodel import SQLModel, select

from adapters.testing import TestingAdapter
from bot.challenges import texts as CHALLENGES_T
from bot.kernel import texts as T
from bot.kernel.events import Attachment
from bot.people import texts as PEOPLE_T
from storage.db import session_scope
from storage.models import (
    ActivityParticipant,
    Challenge,
    ChallengeAnswer,
    ChallengeSupport,
    Chat,
    Conversation,
    CouncillorLink,
    CouncillorWard,
    DigestSchedule,
    Identity,
    Invite,
    InviteAttempt,
    OutboundMessage,
    Person,
    PollOption,
    PollVote,
    PollVoter,
    RoleGrant,
    Timer,
)
from storage.repo import ballots, polls
from storage.repo.privacy import PERSONAL_TABLES
from tests.challenge_setup import garden, raise_challenge

CHALLENGE = "The bus route cuts the garden off"
EXPLANATION = "I will take this to the transport committee on the 12th."


async def busy_resident(bot: TestingAdapter) -> int:
    """Kim raises a challenge Lee supports, Jane answers, Kim votes named and anonymously."""
    await garden(bot)
    card = await raise_challenge(bot, CHALLENGE)
    await bot.press("lee", card.button("Support"), chat="garden")
    await bot.say("jane", f"/answer 1 forward {EXPLANATION}")
    await bot.say("fran", "/poll Where should the bench go? | By the pond | Under the oak",
                  chat="garden")
    await bot.say("fran", "/poll Which day? | Monday | Friday --anonymous", chat="garden")
    await bot.say("kim", "/vote 1 1", chat="garden")
    await bot.say("kim", "/vote 2 2", chat="garden")
    await bot.say("kim", "/timezone Europe/Paris")
    await bot.say("kim", "/start WRONGCODE1")
    await bot.core.advance_clock(timedelta(days=bot.core.settings.challenges.followup_after_days))
    followup = next(m for m in reversed(bot.to_user("kim")) if "Was this answered?" in m.text)
    await bot.press("kim", followup.button("Yes"))
    return person_of(bot, "kim")


def person_of(bot: TestingAdapter, user: str) -> int:
    with session_scope(bot.core.engine) as s:
        identity = s.exec(select(Identity).where(Identity.user_id == user)).one()
        return identity.person_id


async def my_data(bot: TestingAdapter, user: str) -> dict[str, Any]:
    replies = await bot.say(user, "/mydata")
    files = [m.message.attachment for m in replies if m.message.attachment is not None]
    assert len(files) == 1, [m.text for m in replies]
    attachment: Attachment = files[0]
    assert attachment.filename.endswith(".json")
    assert replies[-1].text == PEOPLE_T.MYDATA_SENT
    data = json.loads(attachment.content)
    assert isinstance(data, dict)
    return data


async def forget(bot: TestingAdapter, user: str) -> None:
    ask = (await bot.say(user, "/forgetme"))[-1]
    assert ask.button_labels == [PEOPLE_T.FORGET_BUTTON_CONFIRM, PEOPLE_T.FORGET_BUTTON_CANCEL]
    await bot.press(user, ask.button(PEOPLE_T.FORGET_BUTTON_CONFIRM))
    assert bot.last(user=user).text == PEOPLE_T.FORGET_DONE


def personal_tables() -> set[str]:
    """Tables that point at a person, or hold a platform user id or a chat id."""
    found = set()
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == "person" for fk in column.foreign_keys):
                found.add(table.name)
            if column.name in ("user_id", "recipient_id", "platform_chat_id"):
                found.add(table.name)
    return found


def test_every_table_with_personal_data_is_accounted_for() -> None:
    missing = personal_tables() - set(PERSONAL_TABLES)
    assert not missing, f"say what /mydata and /forgetme do with {missing}"


async def test_mydata_holds_everything_stored_about_the_person(bot: TestingAdapter) -> None:
    await busy_resident(bot)
    data = await my_data(bot, "kim")
    for section, _ in PERSONAL_TABLES.values():
        assert section in data, section
    assert data["person"]["name"] == "Kim"
    assert data["person"]["timezone"] == "Europe/Paris"
    assert [(i["platform"], i["user_id"]) for i in data["identities"]] == [("test", "kim")]
    assert data["private_chats"] == [{"platform": "test", "chat_id": "dm-kim"}]
    [raised] = data["challenges_raised"]
    assert raised["text"] == CHALLENGE and raised["followup_reply"] == "yes"
    assert [v["option"] for v in data["named_votes"]] == ["By the pond"]
    assert len(data["polls_voted_in"]) == 2  # the anonymous ballot: took part, never what
    assert "Friday" not in json.dumps(data["polls_voted_in"])
    assert data["activity_days"] and data["failed_invite_attempts"]
    assert any("has an answer" in m["text"] for m in data["messages_to_you"])
    assert data["about"]["pollvote"]["on_erasure"].startswith("moved into")


async def test_mydata_of_a_councillor_has_answers_links_and_digest(bot: TestingAdapter) -> None:
    await busy_resident(bot)
    data = await my_data(bot, "jane")
    assert data["roles"][0]["role"] == "councillor" and data["wards"] == ["Fremont"]
    assert data["answers_given"][0]["explanation"] == EXPLANATION
    assert data["councillor_links"][0]["status"] == "accepted"
    assert data["challenges_received"] and data["digest_schedule"] is not None


async def test_an_earlier_export_is_not_repeated_in_the_next(bot: TestingAdapter) -> None:
    await garden(bot)
    first = await my_data(bot, "kim")
    second = await my_data(bot, "kim")
    assert len(json.dumps(second)) < 2 * len(json.dumps(first)) + 2000
    assert any("[file: " in m["text"] for m in second["messages_to_you"])


async def test_data_rights_commands_are_private(bot: TestingAdapter) -> None:
    await garden(bot)
    for name in ("mydata", "forgetme"):
        [reply] = await bot.say("kim", f"/{name}", chat="garden")
        assert reply.text == T.PRIVATE_ONLY.format(name=name)
        assert reply.message.attachment is None


async def test_cancel_erases_nothing(bot: TestingAdapter) -> None:
    await garden(bot)
    kim = person_of(bot, "kim")
    ask = (await bot.say("kim", "/forgetme"))[-1]
    await bot.press("kim", ask.button(PEOPLE_T.FORGET_BUTTON_CANCEL))
    assert bot.last(user="kim").text == PEOPLE_T.FORGET_CANCELLED
    with session_scope(bot.core.engine) as s:
        person = s.get(Person, kim)
        assert person is not None and person.name == "Kim" and person.erased_at is None


async def test_someone_else_cannot_confirm_an_erasure(bot: TestingAdapter) -> None:
    await garden(bot)
    kim = person_of(bot, "kim")
    ask = (await bot.say("kim", "/forgetme"))[-1]
    result = await bot.press("lee", ask.button(PEOPLE_T.FORGET_BUTTON_CONFIRM), chat="garden")
    assert result.notice == PEOPLE_T.FORGET_NOT_YOURS
    result = await bot.press("lee", ask.button(PEOPLE_T.FORGET_BUTTON_CONFIRM))
    assert result.notice == T.STALE_BUTTON
    with session_scope(bot.core.engine) as s:
        assert s.get(Person, kim).erased_at is None  # type: ignore[union-attr]


async def test_forgetme_erases_identity_and_name_and_keeps_the_record(bot: TestingAdapter) -> None:
    kim = await busy_resident(bot)
    with session_scope(bot.core.engine) as s:
        [named] = s.exec(select(PollVote).where(PollVote.person_id == kim)).all()
        counts_before = {p: polls.option_counts(s, poll_id=p) for p in (named.poll_id, named.poll_id + 1)}
    await forget(bot, "kim")
    with session_scope(bot.core.engine) as s:
        person = s.get(Person, kim)
        assert person is not None and person.name is None and person.timezone is None
        assert person.erased_at is not None
        for model, column in ((Identity, Identity.person_id), (RoleGrant, RoleGrant.person_id),
                              (PollVote, PollVote.person_id), (Invite, Invite.person_id)):
            assert not s.exec(select(model).where(column == kim)).all(), model.__name__
        # Failed invite codes stay (the limit holds) under the account's mark, not its id.
        attempts = s.exec(select(InviteAttempt)).all()
        assert attempts and all("kim" not in a.account for a in attempts)
        assert not s.exec(select(Conversation).where(Conversation.user_id == "kim")).all()
        assert not s.exec(select(Chat).where(Chat.platform_chat_id == "dm-kim")).all()
        # The record stays: the challenge, the votes in the counts, who took part.
        challenge = s.exec(select(Challenge)).one()
        assert challenge.raised_by == kim and challenge.text == CHALLENGE
        for poll_id, before in counts_before.items():
            assert polls.option_counts(s, poll_id=poll_id) == before
        # Her named vote is a ballot without a name now: waiting to be mixed, or mixed already.
        pond = s.exec(select(PollOption).where(PollOption.text == "By the pond")).one()
        assert pond.id is not None
        assert pond.tally + ballots.pending_counts(s, poll_id=pond.poll_id)[pond.id] == 1
        assert len(s.exec(select(PollVoter).where(PollVoter.person_id == kim)).all()) == 2
        assert s.exec(select(ActivityParticipant).where(ActivityParticipant.person_id == kim)).all()
        # Nothing delivered still names her or was addressed to her.
        for row in s.exec(select(OutboundMessage).where(OutboundMessage.status == "sent")):
            assert '"Kim' not in row.payload and "Kim " not in row.payload, row.payload
    await bot.core.run_due()


async def test_erased_raiser_shows_as_a_former_member(bot: TestingAdapter) -> None:
    await busy_resident(bot)
    await forget(bot, "kim")
    [shown] = await bot.say("lee", "/challenge 1", chat="garden")
    assert f"raised by {CHALLENGES_T.FORMER_MEMBER}" in shown.text and CHALLENGE in shown.text
    assert "Kim" not in shown.text
    [listing] = await bot.say("lee", "/challenges", chat="garden")
    assert "Kim" not in listing.text


async def test_after_erasure_the_same_account_is_someone_new(bot: TestingAdapter) -> None:
    kim = await busy_resident(bot)
    await forget(bot, "kim")
    data = await my_data(bot, "kim")
    assert data["person"]["id"] != kim
    assert not data["challenges_raised"] and not data["named_votes"] and not data["roles"]
    # pressing Confirm on the old question again does nothing
    ask = next(m for m in reversed(bot.to_user("kim")) if m.text.startswith("Erase your data?"))
    result = await bot.press("kim", ask.button(PEOPLE_T.FORGET_BUTTON_CONFIRM))
    assert result.notice == T.STALE_BUTTON


async def test_forgetting_a_councillor_ends_links_and_roles(bot: TestingAdapter) -> None:
    await busy_resident(bot)
    jane = person_of(bot, "jane")
    await forget(bot, "jane")
    with session_scope(bot.core.engine) as s:
        link = s.exec(select(CouncillorLink).where(CouncillorLink.councillor_id == jane)).one()
        assert link.status == "left"
        assert not s.exec(select(RoleGrant).where(RoleGrant.person_id == jane)).all()
        assert not s.exec(select(CouncillorWard).where(CouncillorWard.person_id == jane)).all()
        assert not s.exec(
            select(DigestSchedule).where(DigestSchedule.recipient_kind == "person",
                                         DigestSchedule.recipient_id == jane)).all()
        assert not s.exec(select(Timer).where(Timer.key == f"digest:person:{jane}")).all()
        answer = s.exec(select(ChallengeAnswer)).one()
        assert answer.councillor_id == jane and answer.explanation == EXPLANATION
        assert s.exec(select(ChallengeSupport)).all()
    [shown] = await bot.say("lee", "/challenge 1", chat="garden")
    assert "Jane" not in shown.text and EXPLANATION in shown.text
    [councillors] = await bot.say("lee", "/councillors", chat="garden")
    assert "Jane" not in councillors.text
    # a new challenge no longer goes to her
    before = len(bot.sent)
    await raise_challenge(bot, "The library hours are too short for workers", user="lee")
    assert not [m for m in bot.sent[before:] if m.to.user_id == "jane"]
