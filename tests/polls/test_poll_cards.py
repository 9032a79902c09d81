"""Poll cards while running: a burst of votes becomes one card edit per window."""

from __future__ import annotations

import asyncio

from adapters.testing import TestingAdapter
from bot.kernel.core import Core
from bot.polls import PollCards
from tests.polls.test_polls import ButtonsOnly, buttons_chat, counts, poll_message


def _edits(slack: ButtonsOnly) -> list[str]:
    return [m.text for m in slack.to_chat("C1") if m.message.edit_of]


async def test_votes_in_a_window_make_one_edit_with_the_latest_counts(
    core: Core, bot: TestingAdapter
) -> None:
    slack = await buttons_chat(core, bot)
    core.service(PollCards).window = 3600.0  # nothing goes out until the flush below
    card = poll_message(slack, "C1")
    for voter, option in (("sue", "oak"), ("sam", "oak"), ("sid", "pond"), ("sal", "gate")):
        result = await slack.press(voter, card.button(option), chat="C1")
        assert result.notice and result.notice.startswith("Your vote in poll #1")
    assert counts(bot) == [1, 2, 1]  # every vote is written at once
    assert _edits(slack) == [] and core.service(PollCards).pending == 1
    await core.service(PollCards).flush()
    edits = [m for m in slack.to_chat("C1") if m.message.edit_of]
    assert len(edits) == 1 and "Voted: 4." in edits[0].text
    assert edits[0].button_labels[1] == "2. Under the oak (2)"
    await core.service(PollCards).flush()  # nothing new: nothing sent
    assert len(_edits(slack)) == 1


async def test_the_window_passes_by_itself(core: Core, bot: TestingAdapter) -> None:
    slack = await buttons_chat(core, bot)
    core.service(PollCards).window = 0.01
    edited = asyncio.Event()
    core.outbox.on_sent.append(lambda row: edited.set() if '"edit_of"' in row.payload else None)
    await slack.press("sue", poll_message(slack, "C1").button("oak"), chat="C1")
    await asyncio.wait_for(edited.wait(), 10)
    assert "Voted: 1." in _edits(slack)[-1]


async def test_a_poll_closed_within_the_window_keeps_its_closing_note(
    core: Core, bot: TestingAdapter
) -> None:
    slack = await buttons_chat(core, bot)
    core.service(PollCards).window = 3600.0
    await slack.press("sue", poll_message(slack, "C1").button("oak"), chat="C1")
    await bot.say("fran", "/closepoll 1", chat="garden")
    closing = _edits(slack)
    assert len(closing) == 1 and "closed" in closing[0].lower()
    await core.service(PollCards).flush()
    assert _edits(slack) == closing  # the card is not drawn again over the note


async def test_at_once_without_a_window(core: Core, bot: TestingAdapter) -> None:
    slack = await buttons_chat(core, bot)
    assert core.service(PollCards).window == 0  # tests and the console: the vote's own transaction
    await slack.press("sue", poll_message(slack, "C1").button("oak"), chat="C1")
    assert "Voted: 1." in _edits(slack)[-1] and core.service(PollCards).pending == 0


async def test_the_text_above_a_native_poll_is_edited_at_a_slower_pace(
    core: Core, bot: TestingAdapter
) -> None:
    slack = await buttons_chat(core, bot)  # "garden" shows a native poll, C1 buttons
    cards = core.service(PollCards)
    cards.window = 3600.0

    def native_edits() -> list[str]:
        return [m.text for m in bot.to_chat("garden") if m.message.edit_of]

    await slack.press("sue", poll_message(slack, "C1").button("oak"), chat="C1")
    await cards.flush(due_only=True)
    assert len(_edits(slack)) == 1 and len(native_edits()) == 1  # the first one goes at once
    await slack.press("sam", poll_message(slack, "C1").button("pond"), chat="C1")
    await cards.flush(due_only=True)
    assert len(_edits(slack)) == 2 and len(native_edits()) == 1  # its turn has not come
    assert cards.pending == 1
    await cards.flush()  # at a stop, everything goes
    assert native_edits()[-1] == _edits(slack)[-1] and "1. By the pond — 1" in native_edits()[-1]
    assert cards.pending == 0
