"""Scope challenges: raising, routing, the card and Support, listing, showing, withdrawing."""

from __future__ import annotations

from datetime import timedelta

from adapters.testing import TestingAdapter
from bot.challenges import export_challenges
from storage.db import session_scope
from storage.repo import links
from tests.challenge_setup import (
    SCOPE,
    answer_by_buttons,
    challenge_row,
    garden,
    notice_to,
    raise_challenge,
    recipient_reasons,
)
from tests.helpers import make_councillor, make_project, project_in


async def test_the_whole_lifecycle(bot: TestingAdapter) -> None:
    await garden(bot)
    card = await raise_challenge(bot, "The bus route cuts the allotments off from the estate")
    assert card.text == (
        "Scope challenge #1 raised by Kim:\n"
        "The bus route cuts the allotments off from the estate\n"
        "Sent to Cllr Jane Doe.\n"
        "Supporters: 0"
    )
    assert card.button_labels == ["Support"]

    notice = notice_to(bot, "jane")
    assert "Scope challenge #1 — Fremont Garden" in notice.text
    assert SCOPE in notice.text and "Raised by Kim:" in notice.text
    assert "The bus route cuts the allotments off" in notice.text
    assert "Supporters so far: 0" in notice.text
    assert notice.button_labels == ["Acknowledge", "Answer"]

    result = await bot.press("lee", card.button("Support"), chat="garden")
    assert result.notice == "Thank you: your support for #1 is counted."
    edited = bot.last(chat="garden")
    assert edited.edit_of_id == card.message_id and "Supporters: 1" in edited.text

    await bot.press("jane", notice.button("Acknowledge"))
    assert "Acknowledged #1 in Fremont Garden" in bot.last(user="jane").text
    assert bot.last(user="kim").text == (
        "Cllr Jane Doe has acknowledged your scope challenge #1 in Fremont Garden."
    )
    assert "Acknowledged by Cllr Jane Doe" in bot.last(chat="garden").text

    await answer_by_buttons(bot, "jane", "Taken forward",
                            "I will raise the route at the transport committee on 4 May.")
    posted = bot.last(chat="garden")
    assert posted.text.startswith(
        "Answer to scope challenge #1 from Cllr Jane Doe — taken forward:\n"
        "I will raise the route at the transport committee on 4 May."
    )
    assert "Your scope challenge #1 in Fremont Garden has an answer" in bot.last(user="kim").text
    assert bot.last(user="jane").text.startswith("Thank you. Your answer to #1 is posted")
    assert challenge_row(bot).status == "answered"

    listing = await bot.say("max", "/challenges", chat="garden")
    assert "#1 answered · under an hour old · supporters: 1 — The bus route" in listing[-1].text
    shown = await bot.say("max", "/challenge 1", chat="garden")
    assert "Answer from Cllr Jane Doe (taken forward" in shown[-1].text


async def test_challenge_as_a_reply_takes_the_quoted_text(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("lee", "/challenge", chat="garden",
                  reply_to="Why can't we choose where the bus stop goes?")
    assert "Why can't we choose where the bus stop goes?" in notice_to(bot, "jane").text
    assert challenge_row(bot).text == "Why can't we choose where the bus stop goes?"


async def test_a_reply_with_words_of_its_own_keeps_both(bot: TestingAdapter) -> None:
    await garden(bot)
    replies = await bot.say("lee", "/challenge This too, please", chat="garden",
                            reply_to="The path from the car park floods every winter")
    row = challenge_row(bot)
    assert row.text == "The path from the car park floods every winter"
    assert row.comment == "This too, please"
    card = next(m for m in replies if m.to.chat_id == "garden")
    notice = notice_to(bot, "jane").text
    for shown in (card.text, notice):
        assert "The path from the car park floods every winter\nWith it they wrote: This too, " \
               "please" in shown, shown
    listed = await bot.say("kim", "/challenge 1", chat="garden")
    assert "With it they wrote: This too, please" in listed[-1].text
    with session_scope(bot.core.engine) as s:
        exported = export_challenges(s, project_id=row.project_id)
    assert exported[0]["text"] == row.text and exported[0]["comment"] == "This too, please"


async def test_numbers_count_per_project(bot: TestingAdapter) -> None:
    await garden(bot)
    await raise_challenge(bot, "First challenge in the garden")
    card = await raise_challenge(bot, "Second challenge in the garden")
    assert card.text.startswith("Scope challenge #2")
    await make_project(bot, "fran", "library", "Library Friends")
    other = await raise_challenge(bot, "First challenge in the library", chat="library")
    assert other.text.startswith("Scope challenge #1")


async def test_routing_falls_back_to_ward_councillors_then_facilitators(
    bot: TestingAdapter,
) -> None:
    await garden(bot, link=False)  # Jane declined the link: she is only a ward councillor
    await raise_challenge(bot, "Nobody is linked but the ward has a councillor")
    notice = notice_to(bot, "jane")
    assert "as a councillor for Fremont" in notice.text
    row = challenge_row(bot)
    assert row.routed_to == "ward"
    assert set(recipient_reasons(bot, row.id or 0).values()) == {"ward"}

    await make_project(bot, "fran", "library", "Library Friends")  # no ward, nobody linked
    card = await raise_challenge(bot, "A project with no councillor at all", chat="library")
    assert "No councillor is linked: sent to the facilitators (Fran Fowler)" in card.text
    flagged = notice_to(bot, "fran")
    assert "No councillor linked:" in flagged.text
    assert challenge_row(bot, 1).routed_to == "ward"  # the garden's, unchanged


async def test_every_linked_councillor_gets_it(bot: TestingAdapter) -> None:
    await garden(bot)
    await make_councillor(bot, "Raj Patel", wards=["Fremont"])
    await bot.press("raj", bot.last(user="raj").button("Accept"))
    card = await raise_challenge(bot)
    assert "Sent to Cllr Jane Doe, Cllr Raj Patel." in card.text
    assert notice_to(bot, "raj").button_labels == ["Acknowledge", "Answer"]
    with session_scope(bot.core.engine) as s:
        assert len(links.linked_councillors(s, project_id=challenge_row(bot).project_id)) == 2


async def test_support_is_counted_once_per_person(bot: TestingAdapter) -> None:
    await garden(bot)
    card = await raise_challenge(bot)
    action = card.button("Support")
    await bot.press("lee", action, chat="garden")
    twice = await bot.press("lee", action, chat="garden")
    assert twice.notice == "You support #1 already; each person counts once."
    own = await bot.press("kim", action, chat="garden")
    assert own.notice == "You raised #1; it counts as yours already."
    await bot.press("max", action, chat="garden")
    assert "Supporters: 2" in bot.last(chat="garden").text


async def test_resident_text_stays_plain(bot: TestingAdapter) -> None:
    await garden(bot)
    await raise_challenge(bot, "**Vote** for __me__ `now` @channel <!here>")
    notice = notice_to(bot, "jane")
    spans = [s for s in notice.message.text.spans if "Vote" in s.text]
    assert spans and all(s.style.value == "plain" for s in spans)
    assert "**Vote** for __me__ `now` @channel <!here>" in spans[0].text


async def test_raising_refusals(bot: TestingAdapter) -> None:
    await garden(bot)
    bare = await bot.say("kim", "/challenge", chat="garden")
    assert bare[-1].text.startswith("Usage: /challenge <text>")
    short = await bot.say("kim", "/challenge why", chat="garden")
    assert short[-1].text == "Please say a little more: a challenge needs at least 10 characters."
    long = await bot.say("kim", "/challenge " + "x" * 2001, chat="garden")
    assert long[-1].text.startswith("That is too long")
    unknown = await bot.say("kim", "/challenge 7", chat="garden")
    assert unknown[-1].text == "There is no challenge #7 in Fremont Garden."
    private = await bot.say("kim", "/challenge The bus route is a problem")
    assert private[-1].text == "/challenge works in a project group chat."
    nowhere = await bot.say("kim", "/challenge The bus route is a problem", chat="pub")
    assert nowhere[-1].text.startswith("This chat is not a project group yet.")
    empty = await bot.say("kim", "/challenges", chat="garden")
    assert empty[-1].text.startswith("No scope challenges in Fremont Garden yet.")


async def test_withdraw_by_the_raiser_only(bot: TestingAdapter) -> None:
    await garden(bot)
    await raise_challenge(bot)
    others = await bot.say("lee", "/withdraw 1", chat="garden")
    assert others[-1].text == "Only the person who raised #1 can withdraw it."
    await bot.say("kim", "/withdraw 1", chat="garden")
    assert bot.last(chat="garden").text == (
        "Scope challenge #1 was withdrawn by the person who raised it."
    )
    assert "no answer is needed" in bot.last(user="jane").text
    assert challenge_row(bot).status == "withdrawn"
    again = await bot.say("kim", "/withdraw 1", chat="garden")
    assert again[-1].text == "#1 is withdrawn already."
    # A withdrawn challenge is not chased.
    before = len(bot.sent)
    await bot.core.advance_clock(timedelta(days=30))
    chased = [m.text for m in bot.sent[before:] if "Reminder" in m.text or "Escalation" in m.text]
    assert chased == []


async def test_withdraw_privately_and_after_an_answer(bot: TestingAdapter) -> None:
    await garden(bot)
    await raise_challenge(bot)
    await raise_challenge(bot, "A second thing out of scope")
    await bot.say("kim", "/withdraw 2")
    assert bot.last(user="kim").text == "You have withdrawn #2."
    await answer_by_buttons(bot, "jane", "In scope", "This is in scope: the group decides it.",
                            number=1)
    answered = await bot.say("kim", "/withdraw 1", chat="garden")
    assert answered[-1].text == "#1 has already been answered, so it can no longer be withdrawn."
    unknown = await bot.say("kim", "/withdraw 9")
    assert unknown[-1].text == "You have no challenge #9 to withdraw."
    bad = await bot.say("kim", "/withdraw soon")
    assert bad[-1].text.startswith("Usage: /withdraw <number>")


async def test_support_after_an_answer_is_refused(bot: TestingAdapter) -> None:
    await garden(bot)
    card = await raise_challenge(bot)
    await answer_by_buttons(bot, "jane", "Referred", "Referred to the bus operator, Arriva.")
    result = await bot.press("lee", card.button("Support"), chat="garden")
    assert result.notice == "#1 has been answered; it takes no more support."
    assert bot.last(chat="garden").button_labels == []


async def test_a_project_with_two_chats_gets_everything_in_both(bot: TestingAdapter) -> None:
    await garden(bot)
    code = project_in(bot, "garden").code
    await bot.say("fran", f"/project join {code}", chat="officers")
    card = await raise_challenge(bot, "Raised in the residents' chat, seen by officers too")
    officers_card = [m for m in bot.to_chat("officers") if "Scope challenge #1" in m.text][-1]
    await bot.press("olga", officers_card.button("Support"), chat="officers")
    edits = [m for m in bot.sent if m.edit_of_id and "Supporters: 1" in m.text]
    assert {m.to.chat_id for m in edits} == {"garden", "officers"}
    assert card.message_id in {m.edit_of_id for m in edits}
    await bot.say("jane", "/answer 1 in-scope The group can decide this itself: it is in scope.")
    for chat in ("garden", "officers"):
        assert bot.last(chat=chat).text.startswith("Answer to scope challenge #1")
