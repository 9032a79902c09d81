"""/polls lists a project's polls; /cancelpoll withdraws one with no results and no outcome."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from adapters.testing import TestingAdapter
from bot.kernel.events import PollVoted
from bot.kernel.ports import FakeClock
from storage.db import session_scope
from storage.models import PendingBallot, Timer
from storage.repo import inbox, record
from tests.helpers import make_facilitator
from tests.polls.test_polls import LINE, buttons_chat, counts, garden, poll_message, poll_row


async def test_polls_lists_open_and_recently_closed(bot: TestingAdapter, clock: FakeClock) -> None:
    await garden(bot)
    [empty] = await bot.say("rita", "/polls", chat="garden")
    assert empty.text == (
        "Fremont Community Garden has no open polls and none closed in the last 30 days.")
    await bot.say("fran", LINE + " --closes 3d", chat="garden")
    await bot.say("fran", "/poll Which day? | Saturday | Sunday --closes 1d", chat="garden")
    await bot.say("fran", "/poll Old one? | Yes | No --closes 1h", chat="garden")
    await bot.say("rita", "/vote 1 2", chat="garden")
    await bot.say("sam", "/vote 1 1", chat="garden")
    await bot.say("fran", "/closepoll 3", chat="garden")
    await bot.say("fran", "/outcome 3 We keep the old one.", chat="garden")
    clock.advance(timedelta(days=4))
    assert await bot.core.run_due() >= 2  # #1 and #2 close on time
    clock.advance(timedelta(days=36))  # #1, #2 and #3 are no longer recent
    await bot.say("fran", "/poll Paint? | Green | Blue --closes 2d", chat="garden")
    await bot.say("fran", "/closepoll 4", chat="garden")
    [listing] = await bot.say("rita", "/polls", chat="garden")
    lines = listing.text.splitlines()
    assert lines[0] == "Polls in Fremont Community Garden"
    assert lines[1] == "Closed in the last 30 days:"
    assert lines[2].startswith("#4 Paint? — voted: 0; closed ")
    assert lines[2].endswith("; waiting for an outcome")
    assert len(lines) == 3


async def test_polls_shows_open_polls_closing_soonest_first(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE + " --closes 3d", chat="garden")
    await bot.say("fran", "/poll Which day? | Saturday | Sunday --closes 1d", chat="garden")
    await bot.say("rita", "/vote 1 2", chat="garden")
    await bot.say("fran", "/poll Old one? | Yes | No --closes 1h", chat="garden")
    await bot.say("fran", "/closepoll 3", chat="garden")
    await bot.say("fran", "/outcome 3 We keep the old one.", chat="garden")
    [listing] = await bot.say("rita", "/polls", chat="garden")
    assert listing.text.splitlines() == [
        "Polls in Fremont Community Garden",
        "Open:",
        "#2 Which day? — voted: 0; closes Tue 6 Jan at 09:00",
        "#1 Where should the new bench go? — voted: 1; closes Thu 8 Jan at 09:00",
        "Closed in the last 30 days:",
        "#3 Old one? — voted: 0; closed Mon 5 Jan at 09:00; outcome: We keep the old one.",
        "Vote with /vote <poll number> <option>; /help poll explains polls.",
    ]


async def test_cancelpoll_withdraws_everywhere(bot: TestingAdapter, clock: FakeClock) -> None:
    slack = await buttons_chat(bot.core, bot)
    await bot.say("rita", "/vote 1 2", chat="garden")
    [refused] = await bot.say("rita", "/cancelpoll 1 typo", chat="garden")
    assert refused.text == "Only councillors and facilitators can use /cancelpoll."
    [no_reason] = await bot.say("fran", "/cancelpoll 1", chat="garden")
    assert no_reason.text == "Say why, in a few words: /cancelpoll 1 <reason>"
    assert poll_row(bot).closed_at is None
    before, before_c1 = len(bot.sent), len(slack.sent)
    await bot.say("fran", "/cancelpoll 1 The options left out the library garden.",
                  chat="garden")
    poll = poll_row(bot)
    assert poll.withdrawn_at == clock.now() and poll.closed_at == clock.now()
    assert poll.withdrawn_reason == "The options left out the library garden."
    sent = bot.sent[before:] + slack.sent[before_c1:]
    edits = [m for m in sent if m.edit_of_id is not None]
    assert {m.to.chat_id for m in edits} == {"garden", "C1"}
    for edit in edits:  # the card says so, without buttons (a native poll is stopped by it)
        assert edit.text.startswith("Poll #1 was withdrawn by Fran Smith:")
        assert "Reason: The options left out the library garden." in edit.text
        assert edit.message.buttons == ()
        assert edit.message.poll is None  # which tells an adapter to stop a native poll
    notices = [m for m in sent if m.edit_of_id is None]
    assert sorted(m.to.chat_id for m in notices) == ["C1", "garden"]
    assert all("Reason: The options left out the library garden." in m.text for m in notices)
    assert not any("Results" in m.text for m in sent)
    assert not any("What happens next" in m.text for m in bot.to_user("fran"))
    with session_scope(bot.core.engine) as s:
        assert not [t for t in s.exec(select(Timer)) if t.key.startswith("poll:1:")]
    # Votes after it are refused, saying why; a native vote is ignored.
    [late] = await bot.say("sam", "/vote 1 1", chat="garden")
    assert late.text == ("Poll #1 was withdrawn and takes no votes. "
                         "Reason: The options left out the library garden.")
    pressed = await slack.press("sam", "poll:1:1", chat="C1")
    assert pressed.notice == late.text
    await bot.push(PollVoted(chat=bot.group("garden"), sender=bot.sender("tom"),
                             platform_poll_id=f"poll-{poll_message(bot).message_id}",
                             option_indexes=(0,)))
    assert counts(bot) == [0, 1, 0]
    # No outcome, and nothing waits for one.
    [outcome] = await bot.say("fran", "/outcome 1 Nothing.", chat="garden")
    assert outcome.text == "Poll #1 was withdrawn; it takes no outcome."
    [again] = await bot.say("fran", "/cancelpoll 1 again", chat="garden")
    assert "has already closed" in again.text
    with session_scope(bot.core.engine) as s:
        assert inbox.polls_awaiting_outcome(s, person_id=poll.created_by or 0) == []
        assert record.project_polls(s, project_id=poll.project_id) == []


async def test_cancelpoll_mixes_waiting_ballots(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE + " --anonymous", chat="garden")
    await bot.say("rita", "/vote 1 2", chat="garden")
    with session_scope(bot.core.engine) as s:
        assert len(s.exec(select(PendingBallot)).all()) == 1
    await bot.say("fran", "/cancelpoll 1 Posted twice.", chat="garden")
    with session_scope(bot.core.engine) as s:
        assert s.exec(select(PendingBallot)).all() == []


async def test_who_may_withdraw(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE, chat="garden")
    await make_facilitator(bot, "Olga Other")
    [refused] = await bot.say("olga", "/cancelpoll 1 mine now", chat="garden")
    assert refused.text == (
        "Only this project's facilitators or the person who started poll #1 can change it.")
    [closed] = await bot.say("fran", "/cancelpoll 2 none", chat="garden")
    assert closed.text == "This project has no poll #2."
    [long] = await bot.say("fran", "/cancelpoll 1 " + "x" * 201, chat="garden")
    assert long.text == "Please keep the reason to 200 characters at most."
    assert poll_row(bot).withdrawn_at is None
