"""One voice per person and per account, for a poll's (and a challenge's) life.

Erasing oneself and coming back, a second account of the same person, linking two accounts
that both voted: none of them adds a vote or a support. The account's mark outlives the person
(storage/repo/voices.py); the wrong-invite-code limit survives erasure the same way.
"""

from __future__ import annotations

from sqlmodel import select

from adapters.testing import TestingAdapter
from bot.people import texts as P
from bot.polls import texts as T
from storage.db import session_scope
from storage.models import Identity, PollVoice, PollVoter, SupportVoice
from storage.repo import challenges, people, polls
from tests import challenge_setup
from tests.people.test_privacy import forget, my_data, person_of
from tests.polls.test_poll_anonymity import poll_message
from tests.polls.test_polls import LINE, counts, garden


async def test_vote_forget_vote_again_in_a_named_poll(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE, chat="garden")
    await bot.say("rita", "/vote 1 2", chat="garden")
    await forget(bot, "rita")
    [refused] = await bot.say("rita", "/vote 1 3", chat="garden")
    assert refused.text == T.VOTE_ACCOUNT_SPENT.format(number=1)
    result = await bot.press("rita", poll_message(bot).button("oak"), chat="garden")
    assert result.notice == T.VOTE_ACCOUNT_SPENT.format(number=1)
    assert counts(bot) == [0, 1, 0]


async def test_vote_forget_vote_again_in_an_anonymous_poll(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE + " --anonymous", chat="garden")
    for _ in range(3):
        await bot.press("rita", poll_message(bot).button("oak"), chat="garden")
        await forget(bot, "rita")
    assert counts(bot) == [0, 1, 0]
    with session_scope(bot.core.engine) as s:
        marks = s.exec(select(PollVoice)).all()
        assert len(marks) == 1 and "rita" not in marks[0].account


async def test_a_withdrawn_named_vote_may_be_given_again(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE, chat="garden")
    await bot.say("rita", "/vote 1 2", chat="garden")
    await bot.say("rita", "/vote 1 none", chat="garden")
    *_, again = await bot.say("rita", "/vote 1 3", chat="garden")
    assert again.text == "Your vote in poll #1: Near the gate."
    assert counts(bot) == [0, 0, 1]


async def test_each_account_of_an_erased_person_keeps_its_mark(bot: TestingAdapter) -> None:
    """Rita voted from one account; her second account, erased with her, cannot vote either."""
    await garden(bot)
    await bot.say("fran", LINE, chat="garden")
    await bot.say("rita", "/vote 1 1", chat="garden")
    rita = person_of(bot, "rita")
    with session_scope(bot.core.engine) as s:  # her second account, linked to her
        s.add(Identity(person_id=rita, platform="test", user_id="rita-phone"))
    await forget(bot, "rita")
    [refused] = await bot.say("rita-phone", "/vote 1 3", chat="garden")
    assert refused.text == T.VOTE_ACCOUNT_SPENT.format(number=1)
    assert counts(bot) == [1, 0, 0]


async def test_a_second_account_of_a_voter_cannot_vote_again(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE + " --anonymous", chat="garden")
    await bot.say("rita", "/vote 1 1", chat="garden")
    with session_scope(bot.core.engine) as s:
        s.add(Identity(person_id=person_of(bot, "rita"), platform="test", user_id="rita-phone"))
    [refused] = await bot.say("rita-phone", "/vote 1 3", chat="garden")
    assert refused.text.startswith("You have already voted in anonymous poll #1")
    assert counts(bot) == [1, 0, 0]


async def test_linking_two_accounts_that_both_voted_keeps_one_vote(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE, chat="garden")
    await bot.say("rita", "/vote 1 1", chat="garden")
    await bot.say("rita2", "/vote 1 2", chat="garden")
    await bot.say("sam", "/vote 1 2", chat="garden")
    into, other = person_of(bot, "rita"), person_of(bot, "rita2")
    with session_scope(bot.core.engine) as s:
        people.merge_person(s, from_id=other, into_id=into)
    assert counts(bot) == [1, 1, 0]  # Rita's own vote stands; the linked account's is gone
    with session_scope(bot.core.engine) as s:
        assert polls.named_choices(s, poll_id=1, person_id=into) == [1]
        assert len(s.exec(select(PollVoter)).all()) == 2
    *_, moved = await bot.say("rita2", "/vote 1 3", chat="garden")  # one vote, changed
    assert moved.text == "Your vote in poll #1: Near the gate."
    assert counts(bot) == [0, 1, 1]


async def test_support_forget_support_again(bot: TestingAdapter) -> None:
    await challenge_setup.garden(bot)
    card = await challenge_setup.raise_challenge(bot)
    await bot.press("lee", card.button("Support"), chat="garden")
    await forget(bot, "lee")
    again = await bot.press("lee", card.button("Support"), chat="garden")
    assert again.notice == "You support #1 already; each person counts once."
    with session_scope(bot.core.engine) as s:
        assert challenges.support_count(s, challenge_id=1) == 1
        marks = s.exec(select(SupportVoice)).all()
        assert len(marks) == 1 and "lee" not in marks[0].account


async def test_an_erased_raiser_cannot_support_their_own_challenge(bot: TestingAdapter) -> None:
    await challenge_setup.garden(bot)
    card = await challenge_setup.raise_challenge(bot)
    await forget(bot, "kim")
    result = await bot.press("kim", card.button("Support"), chat="garden")
    assert result.notice == "You support #1 already; each person counts once."
    with session_scope(bot.core.engine) as s:
        assert challenges.support_count(s, challenge_id=1) == 0


async def test_linking_two_supporters_keeps_one_support(bot: TestingAdapter) -> None:
    await challenge_setup.garden(bot)
    card = await challenge_setup.raise_challenge(bot)
    await bot.press("lee", card.button("Support"), chat="garden")
    await bot.press("max", card.button("Support"), chat="garden")
    with session_scope(bot.core.engine) as s:
        people.merge_person(s, from_id=person_of(bot, "max"), into_id=person_of(bot, "lee"))
    with session_scope(bot.core.engine) as s:
        assert challenges.support_count(s, challenge_id=1) == 1


async def test_forgetme_does_not_reset_the_wrong_code_limit(bot: TestingAdapter) -> None:
    limit = bot.core.settings.invites.max_failed_per_hour
    for i in range(limit):
        await bot.say("mallory", f"/start WRONGCODE{i}")
    [stopped] = await bot.say("mallory", "/start WRONGCODEX")
    assert stopped.text == P.INVITE_TOO_MANY
    await forget(bot, "mallory")
    [still] = await bot.say("mallory", "/start WRONGCODEY")
    assert still.text == P.INVITE_TOO_MANY


async def test_mydata_names_the_marks_and_what_they_are(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE + " --anonymous", chat="garden")
    await bot.say("rita", "/vote 1 2", chat="garden")
    data = await my_data(bot, "rita")
    [marked] = data["voice_marks"]["polls"]
    assert marked.startswith("poll #1 in Fremont Community Garden")
    assert "keyed hash" in data["voice_marks"]["what"]
    assert "keyed hash" in data["about"]["pollvoice"]["on_erasure"]
