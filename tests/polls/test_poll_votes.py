"""Vote rules: one vote per person, changed or withdrawn; many voters; native poll events."""

from __future__ import annotations

import pytest

from adapters.testing import TestingAdapter
from bot.kernel.events import PollCounted, PollVoted
from storage.db import session_scope
from storage.models import PollMessage
from storage.repo import polls
from tests.polls.test_polls import LINE, counts, garden, poll_message, poll_row


async def test_change_and_withdraw_a_named_vote(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE, chat="garden")
    replies = await bot.say("rita", "/vote 1 2", chat="garden")
    assert replies[-1].text == "Your vote in poll #1: Under the oak."
    replies = await bot.say("rita", "/vote 1 near the gate", chat="garden")
    assert replies[-1].text == "Your vote in poll #1: Near the gate."
    assert counts(bot) == [0, 0, 1]
    replies = await bot.say("rita", "/vote 1 none", chat="garden")
    assert replies[-1].text == "Your vote in poll #1 is withdrawn."
    assert counts(bot) == [0, 0, 0]
    replies = await bot.say("rita", "/vote 1 none", chat="garden")
    assert replies[-1].text == "You have not voted in poll #1."


async def test_one_option_unless_multi(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE, chat="garden")
    replies = await bot.say("rita", "/vote 1 1,2", chat="garden")
    assert replies[-1].text == "Poll #1 takes one option: /vote 1 <option number>."
    await bot.say("fran", LINE.replace("/poll", "/poll Second:") + " --multi", chat="garden")
    replies = await bot.say("rita", "/vote 2 1,3", chat="garden")
    assert replies[-1].text == "Your vote in poll #2: By the pond, Near the gate."
    # a button adds or removes one option of a multi-choice vote
    result = await bot.press("rita", poll_message(bot).button("oak"), chat="garden")
    assert result.notice == "Your vote in poll #2: By the pond, Under the oak, Near the gate."
    result = await bot.press("rita", poll_message(bot).button("pond"), chat="garden")
    assert result.notice == "Your vote in poll #2: Under the oak, Near the gate."
    assert counts(bot, 2) == [0, 1, 1]
    replies = await bot.say("rita", "/vote 2 2", chat="garden")  # /vote replaces the whole vote
    assert counts(bot, 2) == [0, 1, 0]


async def test_single_choice_buttons_switch(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE, chat="garden")
    await bot.press("rita", poll_message(bot).button("pond"), chat="garden")
    await bot.press("rita", poll_message(bot).button("gate"), chat="garden")
    assert counts(bot) == [0, 0, 1]


async def test_bad_votes_say_why(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE, chat="garden")
    replies = await bot.say("rita", "/vote 1 9", chat="garden")
    assert replies[-1].text == (
        'Poll #1 has no option "9". Its options: 1. By the pond; 2. Under the oak; 3. Near the gate'
    )
    replies = await bot.say("rita", "/vote 4 1", chat="garden")
    assert replies[-1].text == "This project has no poll #4."
    replies = await bot.say("rita", "/vote pond", chat="garden")
    assert replies[-1].text.startswith("Usage: /vote")
    replies = await bot.say("rita", "/vote 1 2")
    assert replies[-1].text == "/vote works in a project group chat."
    result = await bot.press("rita", "poll:1:9", chat="garden")
    assert result.notice == "That button is no longer active."
    result = await bot.press("rita", "poll:1:x", chat="garden")
    assert result.notice == "That button is no longer active."
    result = await bot.press("rita", poll_message(bot).button("pond"), chat="elsewhere")
    assert result.notice == "That button is no longer active."
    assert counts(bot) == [0, 0, 0]


@pytest.mark.timeout(900)  # 1,100 events through the core: minutes on a busy PostgreSQL
async def test_a_thousand_voters_give_exact_counts(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE, chat="garden")
    action = {i: poll_message(bot).button(str(i)) for i in (1, 2, 3)}
    expected = [0, 0, 0]
    for n in range(1000):
        choice = n % 7 % 3 + 1  # uneven: 1, 2, 3, 1, 2, 3, 1, ...
        if n % 2:
            await bot.say(f"voter{n}", f"/vote 1 {choice}", chat="garden")
        else:
            await bot.press(f"voter{n}", action[choice], chat="garden")
        expected[choice - 1] += 1
    # a tenth change their minds, to the next option
    for n in range(0, 1000, 10):
        old = n % 7 % 3 + 1
        new = old % 3 + 1
        await bot.say(f"voter{n}", f"/vote 1 {new}", chat="garden")
        expected[old - 1] -= 1
        expected[new - 1] += 1
    assert counts(bot) == expected
    assert sum(expected) == 1000
    await bot.say("fran", "/closepoll 1", chat="garden")
    text = bot.last(chat="garden").text
    for option, count in zip(("By the pond", "Under the oak", "Near the gate"), expected,
                             strict=True):
        assert f"{option}\n" in text and f" {count} ({round(count / 10)}%)" in text
    assert "1000 votes in all." in text


# ---- native platform polls --------------------------------------------------------------------


def _platform_poll_id(bot: TestingAdapter, chat: str = "garden") -> str:
    return f"poll-{poll_message(bot, chat).message_id}"  # what the testing adapter reports


async def test_native_named_votes_count_per_person(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE + " --multi", chat="garden")
    pid = _platform_poll_id(bot)
    for user, picks in (("rita", (0, 2)), ("sam", (2,)), ("rita", (1,))):
        await bot.push(PollVoted(chat=bot.dm(user), sender=bot.sender(user), platform_poll_id=pid,
                                 option_indexes=picks, event_id=f"pv-{user}-{picks}"))
    assert counts(bot) == [0, 1, 1]
    # the same person by text in the chat: one vote per person, so it replaces
    await bot.say("sam", "/vote 1 1", chat="garden")
    assert counts(bot) == [1, 1, 0]
    # a retraction on the platform, and out-of-range indexes, are handled
    await bot.push(PollVoted(chat=bot.dm("rita"), sender=bot.sender("rita"), platform_poll_id=pid,
                             option_indexes=(), event_id="pv-retract"))
    await bot.push(PollVoted(chat=bot.dm("tom"), sender=bot.sender("tom"), platform_poll_id=pid,
                             option_indexes=(7, -1), event_id="pv-bad"))
    assert counts(bot) == [1, 0, 0]
    with session_scope(bot.core.engine) as s:
        message = s.get(PollMessage, 1)
        assert message is not None and message.platform_poll_id == pid


async def test_native_anonymous_counts_join_the_totals(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE + " --anonymous", chat="garden")
    pid = _platform_poll_id(bot)
    for n, tally in enumerate(((1, 0, 0), (3, 1, 0), (2, 4, 1))):
        await bot.push(PollCounted(chat=bot.dm("updates"), sender=bot.sender("updates"),
                                   platform_poll_id=pid, counts=tally, event_id=f"pc-{n}"))
    await bot.say("rita", "/vote 1 3", chat="garden")  # a button/text ballot from elsewhere
    assert counts(bot) == [2, 4, 2]
    # a named vote event for an anonymous poll names nobody and counts nothing
    await bot.push(PollVoted(chat=bot.dm("sam"), sender=bot.sender("sam"), platform_poll_id=pid,
                             option_indexes=(0,), event_id="pv-anon"))
    assert counts(bot) == [2, 4, 2]
    await bot.say("fran", "/closepoll 1", chat="garden")
    text = bot.last(chat="garden").text
    assert "Under the oak\n█████░░░░░ 4 (50%)" in text and "8 votes in all." in text


async def test_native_events_for_unknown_or_closed_polls_are_ignored(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE, chat="garden")
    pid = _platform_poll_id(bot)
    before = len(bot.sent)
    await bot.push(PollVoted(chat=bot.dm("rita"), sender=bot.sender("rita"),
                             platform_poll_id="nope", option_indexes=(0,), event_id="x1"))
    assert len(bot.sent) == before and counts(bot) == [0, 0, 0]
    await bot.say("fran", "/closepoll 1", chat="garden")
    await bot.push(PollVoted(chat=bot.dm("rita"), sender=bot.sender("rita"), platform_poll_id=pid,
                             option_indexes=(0,), event_id="x2"))
    assert counts(bot) == [0, 0, 0]
    assert poll_row(bot).closed_at is not None


async def test_counts_from_native_events_ignore_a_named_poll(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE, chat="garden")
    await bot.push(PollCounted(chat=bot.dm("updates"), sender=bot.sender("updates"),
                               platform_poll_id=_platform_poll_id(bot), counts=(5, 5, 5),
                               event_id="pc"))
    assert counts(bot) == [0, 0, 0]
    with session_scope(bot.core.engine) as s:
        assert not polls.has_native_counts(s, poll_id=1)


async def test_random_vote_sequences_match_a_model(bot: TestingAdapter) -> None:
    """Many people vote, change, withdraw, by buttons and /vote: counts always match a model."""
    import random

    await garden(bot)
    await bot.say("fran", LINE + " --multi", chat="garden")
    await bot.say("fran", LINE.replace("/poll", "/poll Single:"), chat="garden")
    rng = random.Random(20261128)
    people = [f"p{i}" for i in range(8)]
    model: dict[tuple[int, str], set[int]] = {}
    for _ in range(150):
        number, who = rng.choice((1, 2)), rng.choice(people)
        mine = model.setdefault((number, who), set())
        action = rng.choice(("press", "vote", "none"))
        option = rng.randint(1, 3)
        if action == "press":
            sent = [m for m in bot.to_chat("garden")
                    if (m.message.ref or "").startswith(f"poll:{number}@")][-1]
            await bot.press(who, sent.button(f"{option}."), chat="garden")
            if option in mine:
                mine.discard(option)
            elif number == 1:
                mine.add(option)
            else:
                mine.clear()
                mine.add(option)
        elif action == "vote":
            picks = sorted(rng.sample((1, 2, 3), rng.randint(1, 3 if number == 1 else 1)))
            await bot.say(who, f"/vote {number} {','.join(map(str, picks))}", chat="garden")
            mine.clear()
            mine.update(picks)
        else:
            await bot.say(who, f"/vote {number} none", chat="garden")
            mine.clear()
        for n in (1, 2):
            expected = [sum(1 for (m, _), s in model.items() if m == n and o in s)
                        for o in (1, 2, 3)]
            assert counts(bot, n) == expected
    assert all(len(s) <= 1 for (m, _), s in model.items() if m == 2)
