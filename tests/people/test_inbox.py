"""/inbox: what waits for a councillor or facilitator across projects, with buttons, page by page."""

from __future__ import annotations

from datetime import timedelta

from adapters.testing import TestingAdapter
from tests.challenge_setup import garden, raise_challenge
from tests.helpers import make_active, make_councillor, make_project


async def test_a_councillor_sees_challenges_oldest_first_with_buttons(bot: TestingAdapter) -> None:
    await garden(bot)
    await raise_challenge(bot, "The bus route cuts the garden off")
    await bot.core.advance_clock(timedelta(days=1))
    await bot.say("lee", "/support", chat="garden")
    await raise_challenge(bot, "The allotment rents are set by the county", user="lee")
    [answer] = await bot.say("jane", "/inbox")
    assert answer.text == (
        "Your inbox — 2 waiting, oldest first\n"
        "Scope challenges awaiting your answer\n"
        "• #1 Fremont Garden — 1 day, supporters: 0: The bus route cuts the garden off\n"
        "• #2 Fremont Garden — under an hour, supporters: 0: The allotment rents are set by the "
        "county"
    )
    assert answer.button_labels == ["Acknowledge #1", "Answer #1", "Acknowledge #2", "Answer #2"]
    await bot.press("jane", answer.button("Acknowledge #1"))
    [again] = await bot.say("jane", "/inbox")
    assert "#1 Fremont Garden — 1 day, acknowledged" in again.text
    assert again.button_labels == ["Answer #1", "Acknowledge #2", "Answer #2"]
    await bot.say("jane", "/answer 1 forward I will take the bus route to the committee in May.")
    [after] = await bot.say("jane", "/inbox")
    assert "#1" not in after.text and "#2" in after.text
    [resident] = await bot.say("kim", "/inbox")
    assert resident.text == "Your inbox is empty: nothing is waiting for you."


async def test_proposals_and_a_facilitators_escalations_are_listed(bot: TestingAdapter) -> None:
    await garden(bot)
    await make_councillor(bot, "Raj Patel", wards=["Fremont"])  # proposed Fremont Garden
    [raj] = await bot.say("raj", "/inbox")
    assert "Projects proposed to you\n• Fremont Garden" in raj.text
    await bot.press("raj", raj.button("Accept Fremont Garden"))
    assert "Fremont Garden" not in (await bot.say("raj", "/inbox"))[0].text

    await raise_challenge(bot)
    [fran] = await bot.say("fran", "/inbox")
    assert fran.text == "Your inbox is empty: nothing is waiting for you."
    await bot.core.advance_clock(timedelta(days=7, minutes=1))
    [fran] = await bot.say("fran", "/inbox")
    assert "Escalated challenges in your projects\n" in fran.text
    assert "/link <councillor>" in fran.text
    assert "• #1 Fremont Garden — 7 days without an answer: The bus route" in fran.text
    assert fran.button_labels == []  # facilitators ask councillors; they do not answer


async def test_a_poll_without_an_outcome_waits_in_its_facilitators_inbox(
    bot: TestingAdapter,
) -> None:
    await garden(bot)
    await bot.say("fran", "/poll Where should the bench go? | By the pond | By the gate --closes 2h",
                  chat="garden")
    await bot.core.advance_clock(timedelta(hours=3))
    [fran] = await bot.say("fran", "/inbox")
    assert "Polls waiting for your outcome" in fran.text
    assert "• Poll #1 Fremont Garden — closed 1 hour ago: Where should the bench go?" in fran.text
    await bot.say("fran", "/outcome 1 The bench goes by the pond in March, as most of you chose.")
    for message in reversed(bot.to_user("fran")):
        if "Confirm" in message.button_labels or "Post" in " ".join(message.button_labels):
            await bot.press("fran", message.message.buttons[0][0].action)
            break
    [after] = await bot.say("fran", "/inbox")
    assert "Polls waiting" not in after.text


async def test_a_long_inbox_pages(bot: TestingAdapter) -> None:
    await garden(bot)
    for i in range(11):
        await raise_challenge(bot, f"Challenge number {i + 1} about the bus route")
    [first] = await bot.say("jane", "/inbox")
    assert first.text.startswith("Your inbox — 11 waiting, oldest first (page 1 of 2)")
    assert "#8 " in first.text and "#9 " not in first.text
    assert first.button_labels[-1] == "Next page"
    await bot.press("jane", first.button("Next page"))
    second = bot.last(user="jane")
    assert second.text.startswith("Your inbox — 11 waiting, oldest first (page 2 of 2)")
    assert "#9 " in second.text and "#11 " in second.text and "#1 " not in second.text
    assert second.button_labels[-1] == "Previous page"
    stale = await bot.press("jane", "inbox:page:x")
    assert stale.notice == "That button is no longer active."


async def test_a_councillor_in_two_projects_sees_both(bot: TestingAdapter) -> None:
    await garden(bot)
    await make_project(bot, "fran", "library", "Library Friends", wards=["Fremont"])
    await make_active(bot, "library", ["ann", "bob", "cat"])
    await bot.press("jane", bot.last(user="jane").button("Accept"))
    await raise_challenge(bot, "The library hours are set by the county", chat="library")
    await bot.core.advance_clock(timedelta(hours=1))
    await raise_challenge(bot, "The bus route cuts the garden off")
    [jane] = await bot.say("jane", "/inbox")
    assert jane.text.index("#1 Library Friends") < jane.text.index("#1 Fremont Garden")


async def test_a_forged_page_button_shows_only_the_pressers_own_inbox(bot: TestingAdapter) -> None:
    await garden(bot)
    await raise_challenge(bot, "The bus route cuts the garden off")
    result = await bot.press("kim", "inbox:page:0")  # a resident, in her private chat
    assert result.notice is None
    shown = bot.to_user("kim")[-1]
    assert shown.text == "Your inbox is empty: nothing is waiting for you."
    refused = await bot.press("jane", "inbox:page:0", chat="garden")
    assert refused.notice == "Please use this button in your private chat with me."
