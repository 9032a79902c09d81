"""Answering: Acknowledge, the form, the private conversation, the one-line /answer, refusals."""

from __future__ import annotations

from adapters.testing import TestingAdapter
from tests.challenge_setup import challenge_row, garden, notice_to, raise_challenge
from tests.helpers import make_active, make_councillor, make_project

EXPLANATION = "I will take the bus route to the transport committee on 4 May."


async def test_the_form_on_platforms_that_have_forms(bot: TestingAdapter) -> None:
    await garden(bot)
    await raise_challenge(bot)
    result = await bot.press("jane", notice_to(bot, "jane").button("Answer"), forms=True)
    form = result.form
    assert form is not None and form.title == "Answer challenge #1"
    assert [f.name for f in form.fields] == ["outcome", "explanation"]
    assert [v for v, _ in form.fields[0].choices] == ["in_scope", "forward", "referred", "declined"]

    bad = await bot.submit("jane", form.action, {"outcome": "maybe", "explanation": "ok"})
    assert set(bad.field_errors) == {"outcome", "explanation"}
    assert "at least 20 characters" in bad.field_errors["explanation"]
    assert challenge_row(bot).status == "open"

    good = await bot.submit("jane", form.action, {"outcome": "referred",
                                                  "explanation": "Referred to Arriva, who run it."})
    assert good.field_errors == {}
    assert "from Cllr Jane Doe — referred:" in bot.last(chat="garden").text
    again = await bot.submit("jane", form.action, {"outcome": "referred",
                                                   "explanation": "Referred to Arriva, who run it."})
    assert again.field_errors == {"_": "#1 has already been answered."}


async def test_the_conversation_refuses_a_short_explanation_and_can_be_cancelled(
    bot: TestingAdapter,
) -> None:
    await garden(bot)
    await raise_challenge(bot)
    await bot.press("jane", notice_to(bot, "jane").button("Answer"))
    choose = bot.last(user="jane")
    assert choose.text.startswith("How do you answer #1 in Fremont Garden?")
    assert choose.button_labels == ["In scope", "Taken forward", "Referred",
                                    "Declined", "Cancel"]
    confused = await bot.say("jane", "hmm, not sure")
    assert confused[-1].text == "Please choose an outcome with the buttons above, or send /cancel."
    typed = await bot.say("jane", "declined")
    assert typed[-1].text.startswith("Outcome: declined.")
    short = await bot.say("jane", "No.")
    assert short[-1].text == "An answer must explain itself: please write at least 20 characters."
    empty = await bot.say("jane", "   ")
    assert "at least 20 characters" in empty[-1].text
    preview = await bot.say("jane", "The council has no budget line for it this year.")
    assert preview[-1].text.startswith("Your answer to #1 in Fremont Garden:\ndeclined")
    assert preview[-1].button_labels == ["Confirm", "Cancel"]
    nudge = await bot.say("jane", "also this")
    assert nudge[-1].text.startswith("Press Confirm to send your answer")
    await bot.press("jane", preview[-1].button("Cancel"))
    assert bot.last(user="jane").text == "Cancelled. Nothing was changed."
    assert challenge_row(bot).status == "open"
    stale = await bot.press("jane", preview[-1].button("Confirm"))
    assert stale.notice and stale.notice.startswith("That answer is no longer in progress.")


async def test_one_line_answer(bot: TestingAdapter) -> None:
    await garden(bot)
    await raise_challenge(bot)
    replies = await bot.say("jane", f"/answer 1 forward {EXPLANATION}")
    assert replies[-1].text.startswith("Thank you. Your answer to #1 is posted in Fremont Garden")
    assert bot.last(chat="garden").text.startswith(
        "Answer to scope challenge #1 from Cllr Jane Doe — taken forward:\n" + EXPLANATION
    )
    assert EXPLANATION in bot.last(user="kim").text
    double = await bot.say("jane", f"/answer 1 declined {EXPLANATION}")
    assert double[-1].text == "#1 has already been answered."


async def test_one_line_answer_refusals(bot: TestingAdapter) -> None:
    await garden(bot)
    await raise_challenge(bot)
    usage = await bot.say("jane", "/answer 1")
    assert usage[-1].text.startswith("Usage: /answer")
    outcome = await bot.say("jane", f"/answer 1 perhaps {EXPLANATION}")
    assert outcome[-1].text.startswith("I don't know the outcome perhaps.")
    missing = await bot.say("jane", "/answer 1 forward")
    assert "at least 20 characters" in missing[-1].text
    unknown = await bot.say("jane", f"/answer 5 forward {EXPLANATION}")
    assert unknown[-1].text == "You have no challenge #5 to answer."
    bad = await bot.say("jane", f"/answer five forward {EXPLANATION}")
    assert bad[-1].text.startswith("five is not a challenge number.")
    in_group = await bot.say("jane", f"/answer 1 forward {EXPLANATION}", chat="garden")
    assert in_group[-1].text == "Please use /answer in a private chat with me."
    resident = await bot.say("kim", f"/answer 1 forward {EXPLANATION}")
    assert resident[-1].text == "Only councillors and facilitators can use /answer."
    assert challenge_row(bot).status == "open"


async def test_a_councillor_not_linked_nor_routed_cannot_answer(bot: TestingAdapter) -> None:
    await garden(bot)
    await make_councillor(bot, "Omar Hale", wards=["Riverside"])
    card = await raise_challenge(bot)
    assert card.text.endswith("Sent to Cllr Jane Doe.\nSupporters: 0")
    refused = await bot.say("omar", f"/answer 1 forward {EXPLANATION}")
    assert refused[-1].text == "You have no challenge #1 to answer."
    pressed = await bot.press("omar", notice_to(bot, "jane").button("Answer"))
    assert pressed.notice == (
        "Only the councillors #1 was sent to, or who are linked to its project, can answer it."
    )
    acked = await bot.press("omar", notice_to(bot, "jane").button("Acknowledge"))
    assert acked.notice and acked.notice.startswith("Only the councillors #1 was sent to")


async def test_answering_a_withdrawn_challenge_is_refused(bot: TestingAdapter) -> None:
    await garden(bot)
    await raise_challenge(bot)
    await bot.press("jane", notice_to(bot, "jane").button("Answer"))
    await bot.say("kim", "/withdraw 1", chat="garden")
    by_line = await bot.say("jane", f"/answer 1 forward {EXPLANATION}")
    assert by_line[-1].text == (
        "#1 was withdrawn by the person who raised it and cannot be answered."
    )
    typed = await bot.say("jane", "forward")
    assert typed[-1].text == "#1 was withdrawn by the person who raised it and cannot be answered."
    pressed = await bot.press("jane", notice_to(bot, "jane").button("Acknowledge"))
    assert pressed.notice == (
        "#1 was withdrawn by the person who raised it; nothing to acknowledge."
    )


async def test_acknowledging_twice_is_refused(bot: TestingAdapter) -> None:
    await garden(bot)
    await raise_challenge(bot)
    action = notice_to(bot, "jane").button("Acknowledge")
    await bot.press("jane", action)
    twice = await bot.press("jane", action)
    assert twice.notice == "#1 is acknowledged already."


async def test_same_number_in_two_projects_is_disambiguated(bot: TestingAdapter) -> None:
    await garden(bot)
    library = await make_project(bot, "fran", "library", "Library Friends", wards=["Fremont"])
    await make_active(bot, "library", ["ann", "bob", "cat"])
    await bot.press("jane", bot.last(user="jane").button("Accept"))
    await raise_challenge(bot, "The garden challenge number one")
    await raise_challenge(bot, "The library challenge number one", user="ann", chat="library")
    ambiguous = await bot.say("jane", f"/answer 1 forward {EXPLANATION}")
    assert ambiguous[-1].text.startswith("Several of your projects have a challenge #1")
    assert f"{library.code}#1 (Library Friends)" in ambiguous[-1].text
    await bot.say("jane", f"/answer {library.code.lower()}#1 forward {EXPLANATION}")
    assert bot.last(chat="library").text.startswith("Answer to scope challenge #1")
    assert challenge_row(bot).status == "open"  # the garden's is untouched


async def test_a_challenge_withdrawn_while_confirming_ends_the_answer(bot: TestingAdapter) -> None:
    await garden(bot)
    await raise_challenge(bot)
    await bot.press("jane", notice_to(bot, "jane").button("Answer"))
    await bot.press("jane", bot.last(user="jane").button("Referred"))
    preview = await bot.say("jane", "Referred to the bus operator, who decides the route.")
    await bot.say("kim", "/withdraw 1", chat="garden")
    await bot.press("jane", preview[-1].button("Confirm"))
    assert bot.last(user="jane").text == (
        "#1 was withdrawn by the person who raised it and cannot be answered."
    )
    [after] = await bot.say("jane", "hello?")
    # The conversation is over: she is told that nothing was sent, and how to answer again.
    assert after.text.startswith("Nothing was sent")
    assert "/inbox" in after.text and "/answer" in after.text
    assert challenge_row(bot).status == "withdrawn"
