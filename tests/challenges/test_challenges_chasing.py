"""Chasing on the fake clock: reminder, escalation, follow-up; figures, export, a restart."""

from __future__ import annotations

from datetime import timedelta

from adapters.testing import TestingAdapter
from bot.app import build_core
from bot.challenges.figures import councillor_figures, export_challenges
from bot.kernel.core import Core
from bot.kernel.ports import RetryLater
from storage.db import session_scope
from tests.challenge_setup import (
    answer_by_buttons,
    challenge_row,
    garden,
    notice_to,
    raise_challenge,
    recipient_reasons,
)
from tests.helpers import make_councillor

EXPLANATION = "I will take the bus route to the transport committee on 4 May."


def texts_since(bot: TestingAdapter, start: int, word: str) -> list[str]:
    return [m.text for m in bot.sent[start:] if word in m.text]


async def test_a_reminder_after_the_set_hours_without_acknowledgement(
    bot: TestingAdapter,
) -> None:
    await garden(bot)
    await raise_challenge(bot)
    start = len(bot.sent)
    await bot.core.advance_clock(timedelta(hours=47))
    assert texts_since(bot, start, "not acknowledged") == []
    await bot.core.advance_clock(timedelta(hours=2))
    reminder = bot.last(user="jane")
    assert reminder.text.startswith("Scope challenges waiting for you (1 new since my last message)")
    assert "• #1 in Fremont Garden: not acknowledged after 2 days." in reminder.text
    assert reminder.button_labels == ["Acknowledge #1", "Answer #1"]
    assert challenge_row(bot).reminded_at is not None
    assert bot.last(chat="garden").text.endswith("\nReminded Cllr Jane Doe on Wed 7 Jan.")
    await bot.core.advance_clock(timedelta(hours=48))
    assert len(texts_since(bot, start, "not acknowledged")) == 1  # once only
    await bot.core.advance_clock(timedelta(days=3))
    assert bot.last(chat="garden").text.endswith(
        "\nReminded Cllr Jane Doe on Wed 7 Jan; escalated to the facilitators on Mon 12 Jan.")
    [shown] = await bot.say("kim", "/challenge 1", chat="garden")
    assert shown.text.endswith(
        "Timeline:\n• Mon 5 Jan: raised by Kim; sent to Cllr Jane Doe\n"
        "• Wed 7 Jan: reminded Cllr Jane Doe\n• Mon 12 Jan: escalated to the facilitators")


async def test_no_reminder_once_acknowledged(bot: TestingAdapter) -> None:
    await garden(bot)
    await raise_challenge(bot)
    await bot.press("jane", notice_to(bot, "jane").button("Acknowledge"))
    start = len(bot.sent)
    await bot.core.advance_clock(timedelta(hours=50))
    assert texts_since(bot, start, "not acknowledged") == []


async def test_escalation_reaches_other_ward_councillors_and_facilitators(
    bot: TestingAdapter,
) -> None:
    await garden(bot)
    raj = await make_councillor(bot, "Raj Patel", wards=["Fremont"])
    await bot.press("raj", bot.last(user="raj").button("Decline"))  # a ward councillor, not linked
    await raise_challenge(bot)
    await bot.press("jane", notice_to(bot, "jane").button("Acknowledge"))
    start = len(bot.sent)
    await bot.core.advance_clock(timedelta(days=6, hours=23))
    assert texts_since(bot, start, "escalated to you") == []
    await bot.core.advance_clock(timedelta(hours=2))
    to_raj = bot.last(user="raj")
    assert ("• #1 in Fremont Garden, escalated to you: no answer after 7 days from "
            "Cllr Jane Doe.") in to_raj.text
    assert to_raj.button_labels == ["Acknowledge #1", "Answer #1"]
    to_fran = bot.last(user="fran")
    assert "• #1 in Fremont Garden, escalated to you" in to_fran.text
    assert to_fran.button_labels == []  # facilitators are told; councillors answer
    assert "Next steps: ask another councillor to take it with /link" in to_fran.text
    assert ("• #1 in Fremont Garden: no answer after 7 days, so I have told the ward's other "
            "councillors and the project's facilitators.") in bot.last(user="jane").text
    assert bot.last(user="kim").text == (
        "Your scope challenge #1 in Fremont Garden has had no answer for 7 days, so I have told "
        "the ward's other councillors and the project's facilitators.")
    card = bot.last(chat="garden").text
    assert card.endswith("\nEscalated to the ward's councillors and the facilitators on Mon 12 Jan.")
    row = challenge_row(bot)
    assert row.escalated_at is not None
    reasons = recipient_reasons(bot, row.id or 0)
    assert reasons[raj] == "escalation"

    fran_tries = await bot.say("fran", f"/answer 1 forward {EXPLANATION}")
    assert fran_tries[-1].text.startswith("Only the councillors #1 was sent to")
    await bot.say("raj", f"/answer 1 forward {EXPLANATION}")
    assert "from Cllr Raj Patel — taken forward" in bot.last(chat="garden").text
    assert bot.last(user="jane").text == (
        "Cllr Raj Patel has answered #1 in Fremont Garden; nothing more is needed from you."
    )


async def test_follow_up_yes(bot: TestingAdapter) -> None:
    await garden(bot)
    await raise_challenge(bot)
    await bot.say("jane", f"/answer 1 forward {EXPLANATION}")
    start = len(bot.sent)
    await bot.core.advance_clock(timedelta(days=13))
    assert texts_since(bot, start, "Was this answered?") == []
    await bot.core.advance_clock(timedelta(days=1, minutes=1))
    question = bot.last(user="kim")
    assert question.text.startswith(
        "14 days ago Cllr Jane Doe answered your scope challenge #1 in Fremont Garden"
    )
    assert question.text.endswith("Was this answered?")
    assert question.button_labels == ["Yes", "Not really", "Still waiting"]
    other = await bot.press("lee", question.button("Yes"))
    assert other.notice == "This question was for the person who raised the challenge."
    await bot.press("kim", question.button("Yes"))
    assert bot.last(user="kim").text == "Thank you. I have noted that #1 was answered."
    twice = await bot.press("kim", question.button("Not really"))
    assert twice.notice == "You have answered this question already. Thank you."
    assert challenge_row(bot).status == "answered"


async def test_follow_up_not_really_reopens_and_tells_the_councillor(
    bot: TestingAdapter,
) -> None:
    await garden(bot)
    await raise_challenge(bot)
    await bot.say("jane", f"/answer 1 forward {EXPLANATION}")
    await bot.core.advance_clock(timedelta(days=15))
    await bot.press("kim", bot.last(user="kim").button("Not really"))
    assert bot.last(user="kim").text == "I have reopened #1 and told Cllr Jane Doe."
    told = bot.last(user="jane")
    assert "says your answer did not really answer it" in told.text
    assert told.button_labels == ["Acknowledge", "Answer"]
    assert "open again" in bot.last(chat="garden").text
    assert challenge_row(bot).status == "open"
    listing = await bot.say("kim", "/challenges", chat="garden")
    assert "#1 reopened, awaiting an answer" in listing[-1].text

    # Reopened: chased again, and answered again with a second follow-up to come.
    start = len(bot.sent)
    await bot.core.advance_clock(timedelta(days=7, minutes=1))
    assert texts_since(bot, start, "so I have told") != []
    await answer_by_buttons(bot, "jane", "Referred", "Referred to the county's transport team.")
    await bot.core.advance_clock(timedelta(days=15))
    assert bot.last(user="kim").text.endswith("Was this answered?")
    assert "Referred to the county's transport team." in bot.last(user="kim").text


async def test_follow_up_still_waiting_tells_the_councillor(bot: TestingAdapter) -> None:
    await garden(bot)
    await raise_challenge(bot)
    await bot.say("jane", f"/answer 1 forward {EXPLANATION}")
    await bot.core.advance_clock(timedelta(days=15))
    await bot.press("kim", bot.last(user="kim").button("Still waiting"))
    assert bot.last(user="kim").text == "I have told Cllr Jane Doe that you are still waiting."
    assert "is still waiting for what your answer said" in bot.last(user="jane").text
    assert challenge_row(bot).status == "answered"


async def test_no_follow_up_after_a_withdrawal_or_for_an_answered_challenge_reopened(
    bot: TestingAdapter,
) -> None:
    await garden(bot)
    await raise_challenge(bot)
    start = len(bot.sent)
    await bot.say("kim", "/withdraw 1", chat="garden")
    await bot.core.advance_clock(timedelta(days=30))
    assert texts_since(bot, start, "Was this answered?") == []
    assert texts_since(bot, start, "escalated") == []
    assert texts_since(bot, start, "so I have told") == []


async def test_response_figures_in_councillors_and_for_the_command_line(
    bot: TestingAdapter,
) -> None:
    await garden(bot)
    quiet = await bot.say("kim", "/councillors", chat="garden")
    assert "Cllr Jane Doe (Fremont ward) — no challenges yet" in quiet[-1].text

    await raise_challenge(bot, "The first thing out of our scope")
    await bot.core.advance_clock(timedelta(hours=5))
    await bot.press("jane", notice_to(bot, "jane", 1).button("Acknowledge"))
    await bot.core.advance_clock(timedelta(days=1))
    await bot.say("jane", f"/answer 1 forward {EXPLANATION}")
    await raise_challenge(bot, "The second thing out of our scope")
    await bot.core.advance_clock(timedelta(days=8))  # escalated unanswered
    await bot.say("jane", f"/answer 2 declined {EXPLANATION}")
    await bot.core.advance_clock(timedelta(days=15))
    for question in [m for m in bot.to_user("kim") if "Was this answered?" in m.text]:
        await bot.press("kim", question.button("Yes" if "#1" in question.text else "Not really"))

    listing = await bot.say("kim", "/councillors", chat="garden")
    line = listing[-1].text
    assert "Cllr Jane Doe (Fremont ward) — answers in " in line
    assert "acknowledges in 5 hours" in line
    assert "1 of 2 answered before escalation" in line
    assert "1 of 2 raisers satisfied" in line
    assert "1 awaiting an answer" in line  # #2 was reopened

    with session_scope(bot.core.engine) as s:
        jane = challenge_row(bot).acknowledged_by or 0
        figures = councillor_figures(s, person_id=jane, now=bot.core.clock.now())
        assert (figures.received, figures.answered, figures.acknowledged) == (2, 2, 1)
        assert figures.median_acknowledge == timedelta(hours=5)
        assert figures.answered_before_escalation == 1 and figures.answered_or_escalated == 2
        assert (figures.followup_replies, figures.followup_satisfied) == (2, 1)
        data = figures.to_json()
        assert data["median_acknowledge_hours"] == 5.0 and data["name"] == "Jane Doe"


async def test_export_is_the_public_record(bot: TestingAdapter) -> None:
    await garden(bot)
    await raise_challenge(bot, "The bus route cuts the garden off")
    await raise_challenge(bot, "Another thing, withdrawn later")
    await bot.say("jane", f"/answer 1 referred {EXPLANATION}")
    await bot.say("kim", "/withdraw 2", chat="garden")
    with session_scope(bot.core.engine) as s:
        rows = export_challenges(s, project_id=challenge_row(bot).project_id)
    assert [r["number"] for r in rows] == [1, 2]
    first = rows[0]
    assert first["status"] == "answered" and first["outcome"] == "referred"
    assert first["explanation"] == EXPLANATION and first["answered_by"] == "Jane Doe"
    assert first["raised_by"] == "Kim" and first["routed_to"] == "linked"
    assert rows[1]["status"] == "withdrawn" and rows[1]["outcome"] is None
    assert set(first) == set(rows[1])


async def test_a_notice_not_delivered_before_a_restart_is_delivered_after(
    bot: TestingAdapter, core: Core,
) -> None:
    await garden(bot)
    bot.fail_next = [RetryLater("flood control", after=30)] * 3
    await bot.say("kim", "/challenge The bus route cuts the garden off", chat="garden")
    assert challenge_row(bot).status == "open"  # stored even though nothing went out
    assert not [m for m in bot.to_user("jane") if "Acknowledge" in m.button_labels]

    # The process stops; a new core on the same database starts and delivers what is pending.
    fresh = build_core(settings=core.settings, engine=core.engine, clock=core.clock, worker_id="second")
    second = TestingAdapter(fresh)
    await fresh.advance_clock(timedelta(minutes=1))
    notice = [m for m in second.to_user("jane") if "Acknowledge" in m.button_labels]
    assert len(notice) == 1 and "The bus route cuts the garden off" in notice[0].text
    assert [m for m in second.to_chat("garden") if "Scope challenge #1" in m.text]
    # The timers were stored too: the reminder still comes from the new core.
    await fresh.advance_clock(timedelta(hours=48))
    assert "• #1 in Fremont Garden: not acknowledged" in second.last(user="jane").text


async def test_escalation_with_nobody_else_to_tell_presses_the_recipients(
    bot: TestingAdapter,
) -> None:
    from tests.helpers import make_facilitator, make_project

    await make_facilitator(bot, "Fran Fowler")
    await make_project(bot, "fran", "library", "Library Friends")  # no ward, no councillor
    await raise_challenge(bot, "Opening hours are set by the county", chat="library")
    await bot.core.advance_clock(timedelta(days=7, minutes=1))
    pressed = bot.last(user="fran")
    assert ("• #1 in Library Friends: no answer after 7 days, and there is nobody else to "
            "tell: please answer it.") in pressed.text
    assert pressed.button_labels == ["Acknowledge #1", "Answer #1"]
