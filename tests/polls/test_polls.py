"""Quick polls through the core: starting, who may start, closing, extending and the outcome."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from adapters.testing import SentMessage, TestingAdapter
from bot.app import build_core
from bot.kernel.config import Settings
from bot.kernel.core import Core
from bot.kernel.events import Outbound
from bot.kernel.ports import Delivered, FakeClock
from storage.db import session_scope
from storage.models import Conversation, CouncillorLink, Poll, Timer
from storage.repo import polls, projects
from tests.helpers import make_councillor, make_facilitator, make_project

QUESTION = "Where should the new bench go?"
LINE = f"/poll {QUESTION} | By the pond | Under the oak | Near the gate"


async def garden(bot: TestingAdapter) -> int:
    """Fran facilitates the garden project; returns its id."""
    await make_facilitator(bot, "Fran Smith")
    project = await make_project(bot, "fran", "garden", "Fremont Community Garden")
    assert project.id is not None
    return project.id


def poll_row(bot: TestingAdapter, number: int = 1) -> Poll:
    with session_scope(bot.core.engine) as s:
        project_id = s.exec(select(Poll.project_id)).first()
        assert project_id is not None
        poll = polls.find_poll(s, project_id=project_id, number=number)
        assert poll is not None
        s.expunge(poll)
        return poll


def counts(bot: TestingAdapter, number: int = 1) -> list[int]:
    poll = poll_row(bot, number)
    with session_scope(bot.core.engine) as s:
        return polls.option_counts(s, poll_id=poll.id or 0)


def poll_message(bot: TestingAdapter, chat: str = "garden") -> SentMessage:
    return [m for m in bot.to_chat(chat) if m.message.ref and m.message.ref.startswith("poll:")][-1]


async def buttons_chat(core: Core, bot: TestingAdapter) -> ButtonsOnly:
    """The garden project with a second chat, C1, on a platform that shows option buttons;
    Fran starts the poll of LINE."""
    project_id = await garden(bot)
    slack = ButtonsOnly(core, platform="buttons")
    with session_scope(core.engine) as s:
        chat = projects.ensure_chat(s, platform="buttons", platform_chat_id="C1", kind="group",
                                    title="officers")
        chat.project_id = project_id
    await bot.say("fran", LINE, chat="garden")
    return slack


class ButtonsOnly(TestingAdapter):
    """A platform without native polls (as Slack): it shows the option buttons."""

    __test__ = False

    async def send(self, message: Outbound, *, edit_message_id: str | None = None) -> Delivered:
        delivered = await super().send(message, edit_message_id=edit_message_id)
        return Delivered(delivered.message_id)


# ---- starting ---------------------------------------------------------------------------------


async def test_facilitator_starts_a_poll(bot: TestingAdapter, clock: FakeClock) -> None:
    await garden(bot)
    await bot.say("fran", LINE + " --closes 2d", chat="garden")
    sent = poll_message(bot)
    assert sent.text.startswith(f"Poll #1 from Fran Smith:\n{QUESTION}")
    assert sent.text.endswith(
        "\nCloses Wed 7 Jan at 09:00. Named: the project sees who voted for what. "
        "More: /help poll")
    assert "Closes Wed 7 Jan at 09:00" in sent.text
    assert sent.button_labels == ["1. By the pond (0)", "2. Under the oak (0)",
                                  "3. Near the gate (0)"]
    assert sent.message.poll is not None and sent.message.poll.options == (
        "By the pond", "Under the oak", "Near the gate")
    assert not sent.message.poll.anonymous
    with session_scope(bot.core.engine) as s:
        timers = {t.key: t.due_at for t in s.exec(select(Timer))}
    assert timers["poll:1:close"] == clock.now() + timedelta(days=2)
    assert timers["poll:1:remind"] == clock.now() + timedelta(days=2) - timedelta(hours=2)


async def test_default_duration_from_config(bot: TestingAdapter, clock: FakeClock) -> None:
    await garden(bot)
    await bot.say("fran", LINE, chat="garden")
    assert poll_row(bot).closes_at == clock.now() + timedelta(days=3)


async def test_anonymous_poll_says_who_can_see(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE + " --anonymous", chat="garden")
    sent = poll_message(bot)
    assert "Anonymous: nobody sees who voted for what; votes are final." in sent.text
    assert "\n1. By the pond\n" in sent.text  # no counts until the close
    assert sent.button_labels[0] == "1. By the pond"  # no live counts
    assert sent.message.poll is not None and sent.message.poll.anonymous


async def test_hidden_results_use_buttons_not_a_native_poll(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE + " --hide-results", chat="garden")
    sent = poll_message(bot)
    assert sent.message.poll is None
    assert "Counts at the close." in sent.text
    assert sent.button_labels == ["1. By the pond", "2. Under the oak", "3. Near the gate"]


async def test_a_resident_may_not_start_a_poll(bot: TestingAdapter) -> None:
    await garden(bot)
    replies = await bot.say("rita", LINE, chat="garden")
    assert replies[-1].text == "Only councillors and facilitators can use /poll."
    with session_scope(bot.core.engine) as s:
        assert s.exec(select(Poll)).first() is None


async def test_a_facilitator_of_another_project_may_not(bot: TestingAdapter) -> None:
    await garden(bot)
    await make_facilitator(bot, "Olga Other")
    replies = await bot.say("olga", LINE, chat="garden")
    assert replies[-1].text == "Only this project's facilitators can start a poll here."


async def _linked_councillor(bot: TestingAdapter, project_id: int) -> None:
    person_id = await make_councillor(bot, "Jane Doe", ["Fremont"])
    with session_scope(bot.core.engine) as s:
        s.add(CouncillorLink(project_id=project_id, councillor_id=person_id, status="accepted",
                             proposed_at=bot.core.clock.now()))


async def test_a_linked_councillor_starts_polls_only_when_allowed(
    bot: TestingAdapter, settings: Settings
) -> None:
    project_id = await garden(bot)
    await _linked_councillor(bot, project_id)
    replies = await bot.say("jane", LINE, chat="garden")
    assert replies[-1].text == "Only this project's facilitators can start a poll here."
    allowed = settings.model_copy(
        update={"polls": settings.polls.model_copy(update={"councillors_may_start": True})}
    )
    bot.core.settings = allowed
    await bot.say("jane", LINE, chat="garden")
    assert poll_message(bot).text.startswith("Poll #1 from Jane Doe")


async def test_an_unlinked_councillor_may_not_even_when_allowed(
    bot: TestingAdapter, settings: Settings
) -> None:
    await garden(bot)
    await make_councillor(bot, "Jane Doe", ["Fremont"])
    bot.core.settings = settings.model_copy(
        update={"polls": settings.polls.model_copy(update={"councillors_may_start": True})}
    )
    replies = await bot.say("jane", LINE, chat="garden")
    assert replies[-1].text == (
        "Only this project's facilitators and linked councillors can start a poll here."
    )


async def test_a_bad_line_gets_the_reason_and_the_usage(bot: TestingAdapter) -> None:
    await garden(bot)
    replies = await bot.say("fran", "/poll Bench? | pond", chat="garden")
    assert replies[-1].text.startswith("A poll needs at least 2 options, separated by |.\nUsage: /poll")
    replies = await bot.say("fran", "/poll", chat="garden")
    assert "separated by |" in replies[-1].text and "Example: /poll" in replies[-1].text


async def test_user_text_with_markers_stays_plain(bot: TestingAdapter) -> None:
    await garden(bot)
    replies = await bot.say("fran", "/poll **Bold** {x}? | {y} | a --closes {z}", chat="garden")
    assert 'can\'t read "{z}"' in replies[-1].text
    await bot.say("fran", "/poll **Bold** {x}? | {y} | a", chat="garden")
    assert "**Bold** {x}?" in poll_message(bot).text


async def test_poll_outside_a_project(bot: TestingAdapter) -> None:
    await make_facilitator(bot, "Fran Smith")
    replies = await bot.say("fran", LINE, chat="somewhere")
    assert "not a project group yet" in replies[-1].text


# ---- closing ----------------------------------------------------------------------------------


async def test_closes_on_time_after_a_restart(core: Core, settings: Settings,
                                              clock: FakeClock) -> None:
    bot = TestingAdapter(core)
    await garden(bot)
    await bot.say("fran", LINE + " --closes 1d", chat="garden")
    await bot.say("rita", "/vote 1 2", chat="garden")
    await bot.say("sam", "/vote 1 2", chat="garden")
    await bot.say("tom", "/vote 1 1", chat="garden")
    # The bot is down past the deadline; a new process on the same database starts.
    clock.advance(timedelta(days=2))
    later = build_core(settings=settings, engine=core.engine, clock=clock, worker_id="second")
    again = TestingAdapter(later)
    assert await later.run_due() >= 1
    results = again.to_chat("garden")
    assert results[0].message.edit_of == f"poll:1@{_chat_id(again)}"
    assert results[0].text.startswith("Poll #1 has closed:")
    text = results[1].text
    assert text.startswith(f"Results of poll #1: {QUESTION}")
    assert "By the pond\n███░░░░░░░ 1 (33%)\n   Tom" in text
    assert "Under the oak\n███████░░░ 2 (67%)\n   Rita, Sam" in text
    assert "Near the gate\n░░░░░░░░░░ 0 (0%)" in text
    assert "3 votes in all." in text and "Most votes: Under the oak." in text
    assert poll_row(again).closed_at == clock.now()
    asked = again.last(user="fran")
    assert "What happens next after poll #1?" in asked.text and "Under the oak" in asked.text


def _chat_id(bot: TestingAdapter) -> int:
    with session_scope(bot.core.engine) as s:
        chat = projects.find_chat(s, platform="test", platform_chat_id="garden")
        assert chat is not None and chat.id is not None
        return chat.id


async def test_closing_soon_notice_then_close(bot: TestingAdapter) -> None:
    """A named poll reminds, privately, those of the project who have not voted."""
    await garden(bot)
    await bot.say("fran", LINE + " --closes 1d", chat="garden")
    for user in ("rita", "sam", "tom"):
        await bot.say(user, "/start")  # the bot can write to them privately
        await bot.say(user, "hello", chat="garden")
    await bot.say("rita", "/vote 1 2", chat="garden")
    before = len(bot.sent)
    await bot.core.advance_clock(timedelta(hours=23))
    reminded = bot.sent[before:]
    assert sorted(m.to.user_id or "" for m in reminded) == ["fran", "sam", "tom"]
    assert reminded[0].text == (
        f"Poll #1 in Fremont Community Garden closes Tue 6 Jan at 09:00, and you have not voted: "
        f"{QUESTION}\nVote in the poll in the group, or send /vote 1 <option number> there.")
    await bot.core.advance_clock(timedelta(hours=1))
    assert bot.last(chat="garden").text.startswith("Results of poll #1")
    assert bot.last(chat="garden").text.endswith("Most votes: Under the oak.")


async def test_an_anonymous_poll_reminds_the_group(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE + " --closes 1d --anonymous", chat="garden")
    await bot.say("rita", "/start")
    await bot.say("rita", "hello", chat="garden")
    before = len(bot.sent)
    await bot.core.advance_clock(timedelta(hours=23))
    [notice] = bot.sent[before:]
    assert notice.to.chat_id == "garden"
    assert notice.text.startswith("Poll #1 closes Tue 6 Jan at 09:00")


async def test_close_early(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE, chat="garden")
    await bot.say("rita", "/vote 1 3", chat="garden")
    replies = await bot.say("rita", "/closepoll 1", chat="garden")
    assert replies[-1].text == "Only councillors and facilitators can use /closepoll."
    await bot.say("fran", "/closepoll 1", chat="garden")
    assert bot.last(chat="garden").text.startswith("Results of poll #1")
    with session_scope(bot.core.engine) as s:
        assert s.exec(select(Timer).where(Timer.key == "poll:1:close")).first() is None
    replies = await bot.say("fran", "/closepoll 1", chat="garden")
    assert replies[-1].text == "Poll #1 has already closed."
    replies = await bot.say("sam", "/vote 1 1", chat="garden")
    assert replies[-1].text == "Sorry, this poll has closed (poll #1)."
    result = await bot.press("sam", poll_message(bot).button("pond"), chat="garden")
    assert result.notice == "Sorry, this poll has closed (poll #1)."
    assert counts(bot) == [0, 0, 1]


async def test_closepoll_of_an_unknown_poll(bot: TestingAdapter) -> None:
    await garden(bot)
    assert (await bot.say("fran", "/closepoll 7", chat="garden"))[-1].text == (
        "This project has no poll #7.")
    assert (await bot.say("fran", "/closepoll x", chat="garden"))[-1].text.startswith("Usage:")


async def test_extend(bot: TestingAdapter, clock: FakeClock) -> None:
    await garden(bot)
    start = clock.now()
    await bot.say("fran", LINE + " --closes 1d", chat="garden")
    replies = await bot.say("fran", "/extendpoll 1 2d", chat="garden")
    assert replies[-1].text == f"Poll #1 now closes Thu 8 Jan at 09:00: {QUESTION}"
    assert poll_row(bot).closes_at == start + timedelta(days=3)
    with session_scope(bot.core.engine) as s:
        timer = s.exec(select(Timer).where(Timer.key == "poll:1:close")).one()
        assert timer.due_at == start + timedelta(days=3)
    await bot.core.advance_clock(timedelta(days=2))
    assert poll_row(bot).closed_at is None
    await bot.core.advance_clock(timedelta(days=1))
    assert poll_row(bot).closed_at == start + timedelta(days=3)


async def test_extend_refusals(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE + " --closes 1d", chat="garden")
    replies = await bot.say("fran", "/extendpoll 1 later", chat="garden")
    assert replies[-1].text.startswith('I can\'t read "later"')
    replies = await bot.say("fran", "/extendpoll 1 2026-01-05T12:00", chat="garden")
    assert replies[-1].text.startswith("The new deadline must be later than the current one")
    replies = await bot.say("fran", "/extendpoll 1 100d", chat="garden")
    assert replies[-1].text == "A quick poll can run for at most 90 days."
    replies = await bot.say("fran", "/extendpoll 1", chat="garden")
    assert replies[-1].text.startswith("Usage: /extendpoll")
    await bot.say("fran", "/closepoll 1", chat="garden")
    replies = await bot.say("fran", "/extendpoll 1 2d", chat="garden")
    assert replies[-1].text == "Poll #1 has already closed."


async def test_a_poll_past_its_deadline_cannot_be_extended(bot: TestingAdapter,
                                                           clock: FakeClock) -> None:
    await garden(bot)
    await bot.say("fran", LINE + " --closes 2h", chat="garden")
    clock.advance(timedelta(hours=3))  # the timer has not run yet (the bot was down)
    replies = await bot.say("fran", "/extendpoll 1 1d", chat="garden")
    assert replies[-1].text == "Poll #1 has already closed."
    replies = await bot.say("rita", "/vote 1 1", chat="garden")
    assert replies[-1].text == "Sorry, this poll has closed (poll #1)."


async def test_extend_to_a_time_of_day(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE + " --closes 2h", chat="garden")
    await bot.say("fran", "/extendpoll 1 18:00", chat="garden")
    assert poll_row(bot).closes_at.hour == 18


# ---- the outcome ------------------------------------------------------------------------------


async def test_outcome_by_private_reply_is_previewed_then_posted(bot: TestingAdapter,
                                                               clock: FakeClock) -> None:
    await garden(bot)
    await bot.say("fran", LINE, chat="garden")
    await bot.say("rita", "/vote 1 1", chat="garden")
    replies = await bot.say("fran", "/outcome 1 Too early", chat="garden")
    assert replies[-1].text.startswith("Poll #1 is still open")
    await bot.say("fran", "/closepoll 1", chat="garden")
    asked = bot.last(user="fran")
    assert asked.text.startswith(f"Poll #1 in Fremont Community Garden has closed: {QUESTION}")
    assert "What happens next after poll #1?" in asked.text
    [preview] = await bot.say("fran", "The bench goes by the pond; we order it next week.")
    assert preview.text == (
        f"The outcome of poll #1 in Fremont Community Garden ({QUESTION}), as it will be posted:\n"
        "The bench goes by the pond; we order it next week.\nPost it?"
    )
    assert preview.button_labels == ["Confirm", "Cancel"]
    assert poll_row(bot).outcome is None and not bot.to_chat("garden")[-1].text.startswith(
        "What happens next")  # nothing posted before Confirm
    before = len(bot.sent)
    await bot.press("fran", preview.button("Confirm"))
    replies = bot.sent[before:]
    posted = [m for m in replies if m.to.chat_id == "garden"]
    assert posted[0].text == (
        f"What happens next, after poll #1 ({QUESTION}):\n"
        "The bench goes by the pond; we order it next week.\n— Fran Smith"
    )
    assert replies[-1].text == "Thank you. The outcome of poll #1 is posted to Fremont Community Garden."
    poll = poll_row(bot)
    assert poll.outcome == "The bench goes by the pond; we order it next week."
    assert poll.outcome_at == clock.now() and poll.outcome_corrected_at is None
    with session_scope(bot.core.engine) as s:
        assert s.exec(select(Conversation)).first() is None
    result = await bot.press("fran", preview.button("Confirm"))  # twice: nothing more
    assert result.notice == "No outcome of poll #1 is waiting to be confirmed. " \
        "Write it here again, or send /outcome 1 <text>."


async def test_cancel_on_the_preview_posts_nothing_and_waits_for_another_draft(
    bot: TestingAdapter,
) -> None:
    await garden(bot)
    await bot.say("fran", LINE, chat="garden")
    await bot.say("fran", "/closepoll 1", chat="garden")
    [preview] = await bot.say("fran", "Pond, I think")
    await bot.press("fran", preview.button("Cancel"))
    assert bot.last(user="fran").text.startswith("Nothing was posted. Write the outcome of poll #1")
    assert poll_row(bot).outcome is None
    [again] = await bot.say("fran", "The bench goes by the pond.")
    await bot.press("fran", again.button("Confirm"))
    assert poll_row(bot).outcome == "The bench goes by the pond."


async def test_outcome_by_command_in_group_then_corrected_in_place(bot: TestingAdapter) -> None:
    await garden(bot)
    with session_scope(bot.core.engine) as s:
        code = projects.list_projects(s)[0].code
    await bot.say("fran", f"/project join {code}", chat="officers")
    await bot.say("fran", LINE, chat="garden")
    await bot.say("fran", "/closepoll 1", chat="garden")
    await bot.say("fran", "/outcome 1 We will ask the council for two benches.", chat="garden")
    first = {c: bot.last(chat=c) for c in ("garden", "officers")}
    for message in first.values():
        assert message.text.startswith("What happens next, after poll #1")
        assert message.edit_of_id is None
    assert poll_row(bot).outcome == "We will ask the council for two benches."
    with session_scope(bot.core.engine) as s:
        assert s.exec(select(Conversation)).first() is None  # the question was answered
    sent = len(bot.sent)
    replies = await bot.say("fran", "/outcome 1 One bench, by the pond.")
    assert replies[-1].text == (
        "Thank you. The outcome of poll #1 is corrected in every chat of Fremont Community Garden.")
    for chat, message in first.items():
        [edit] = [m for m in bot.sent[sent:] if m.to.chat_id == chat]
        assert edit.edit_of_id == message.message_id  # the same message, edited: no second post
        assert edit.text == (f"What happens next, after poll #1 ({QUESTION}), corrected:\n"
                             "One bench, by the pond.\n— Fran Smith")
    poll = poll_row(bot)
    assert poll.outcome == "One bench, by the pond." and poll.outcome_corrected_at is not None


async def test_outcome_refusals(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE, chat="garden")
    await bot.say("fran", "/closepoll 1", chat="garden")
    await make_facilitator(bot, "Olga Other")
    replies = await bot.say("olga", "/outcome 1 Mine now", chat="garden")
    assert replies[-1].text.startswith("Only the person who started poll #1")
    replies = await bot.say("olga", "/outcome 1 Mine now")
    assert replies[-1].text == "None of your projects has a closed poll #1."
    replies = await bot.say("rita", "/outcome 1 x", chat="garden")
    assert replies[-1].text == "Only councillors and facilitators can use /outcome."
    replies = await bot.say("fran", "/outcome 1", chat="garden")
    assert replies[-1].text.startswith("Usage: /outcome")
    assert poll_row(bot).outcome is None


async def test_with_two_polls_waiting_the_facilitator_chooses_which(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE, chat="garden")
    await bot.say("fran", LINE.replace("/poll", "/poll Second:"), chat="garden")
    await bot.say("fran", "/closepoll 1", chat="garden")
    await bot.say("fran", "/closepoll 2", chat="garden")
    asked = bot.last(user="fran")
    assert "What happens next after poll #2?" in asked.text
    assert f"Also waiting for an outcome: #1 {QUESTION[:39]}" in asked.text
    [which] = await bot.say("fran", "Two benches then.")
    assert which.text == "Which poll is this the outcome of?\nTwo benches then."
    assert [label.split(" ")[0] for label in which.button_labels] == ["#1", "#2"]
    assert poll_row(bot, 1).outcome is None and poll_row(bot, 2).outcome is None
    await bot.press("fran", which.button("#1"))
    preview = bot.last(user="fran")
    assert preview.text.startswith("The outcome of poll #1 in Fremont Community Garden")
    await bot.press("fran", preview.button("Confirm"))
    assert poll_row(bot, 1).outcome == "Two benches then." and poll_row(bot, 2).outcome is None
    assert bot.last(user="fran").text.endswith(
        "Still waiting for an outcome: #2 Second: Where should the new bench go? "
        "(Fremont Community Garden). Write it here when ready.")
    [preview] = await bot.say("fran", "No second bench.")  # one poll left: straight to preview
    assert preview.text.startswith("The outcome of poll #2")
    await bot.press("fran", preview.button("Confirm"))
    assert poll_row(bot, 2).outcome == "No second bench."


async def test_a_revoked_starter_cannot_confirm_a_previewed_outcome(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE, chat="garden")
    await bot.say("fran", "/closepoll 1", chat="garden")
    [preview] = await bot.say("fran", "The bench goes by the pond.")
    with session_scope(bot.core.engine) as s:
        from bot.admin import operations as admin

        admin.revoke(s, person="Fran Smith", now=bot.core.clock.now())
    result = await bot.press("fran", preview.button("Confirm"))
    assert result.notice == (
        "Only the person who started poll #1 or the project's facilitators can write its outcome.")
    assert poll_row(bot).outcome is None


async def test_another_exchange_is_not_taken_over(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE, chat="garden")
    with session_scope(bot.core.engine) as s:
        from storage.repo import work

        work.set_conversation(s, platform="test", user_id="fran", kind="something.else",
                              state={}, now=bot.core.clock.now())
    await bot.say("fran", "/closepoll 1", chat="garden")
    asked = bot.last(user="fran")
    assert "Send /outcome 1 <text>" in asked.text and "Reply here" not in asked.text
    with session_scope(bot.core.engine) as s:
        conv = s.exec(select(Conversation)).one()
        assert conv.kind == "something.else"


async def test_cancel_leaves_the_outcome_to_the_command(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE, chat="garden")
    await bot.say("fran", "/closepoll 1", chat="garden")
    await bot.say("fran", "/cancel")
    await bot.say("fran", "just chatting")
    assert poll_row(bot).outcome is None


# ---- several chats ----------------------------------------------------------------------------


async def test_one_poll_in_two_chats_is_counted_together(bot: TestingAdapter) -> None:
    await garden(bot)
    with session_scope(bot.core.engine) as s:
        code = projects.list_projects(s)[0].code
    await bot.say("fran", f"/project join {code}", chat="officers")
    await bot.say("fran", LINE + " --multi", chat="garden")
    assert poll_message(bot, "garden").message.poll is not None
    assert poll_message(bot, "officers").message.poll is not None
    await bot.say("rita", "/vote 1 1,2", chat="garden")
    await bot.say("oscar", "/vote 1 2", chat="officers")
    await bot.press("olive", poll_message(bot, "officers").button("gate"), chat="officers")
    # the same person in the other chat changes, not adds, their vote
    await bot.say("rita", "/vote 1 1", chat="officers")
    assert counts(bot) == [1, 1, 1]
    await bot.say("fran", "/closepoll 1", chat="officers")
    for chat in ("garden", "officers"):
        text = bot.last(chat=chat).text
        assert "3 choices from 3 people." in text, text


async def test_buttons_show_live_counts_where_there_is_no_native_poll(
    core: Core, bot: TestingAdapter
) -> None:
    slack = await buttons_chat(core, bot)
    result = await slack.press("sue", poll_message(slack, "C1").button("oak"), chat="C1")
    assert result.notice == "Your vote in poll #1: Under the oak."
    edited = slack.to_chat("C1")[-1]
    assert edited.edit_of_id == poll_message(slack, "C1").message_id
    assert edited.button_labels[1] == "2. Under the oak (1)"
    assert "Voted: 1." in edited.text
    # A native poll's chat: the text above it gets the project's counts; the poll runs on
    # (the edit carries it, so no adapter stops it) and has no buttons to show.
    [above] = [m for m in bot.to_chat("garden") if m.message.edit_of]
    assert above.message.poll is not None and above.message.buttons == ()
    assert above.text == edited.text and "2. Under the oak — 1" in above.text
    # pressing again withdraws; another option changes the vote
    await slack.press("sue", poll_message(slack, "C1").button("oak"), chat="C1")
    assert counts(bot) == [0, 0, 0]
    await slack.press("sue", poll_message(slack, "C1").button("oak"), chat="C1")
    result = await slack.press("sue", poll_message(slack, "C1").button("pond"), chat="C1")
    assert result.notice == "Your vote in poll #1: By the pond."
    assert counts(bot) == [1, 0, 0]
    assert slack.to_chat("C1")[-1].button_labels[0] == "1. By the pond (1)"


async def test_no_closing_soon_notice_for_a_short_poll_or_when_off(
    bot: TestingAdapter, settings: Settings
) -> None:
    await garden(bot)
    await bot.say("fran", LINE + " --closes 1h", chat="garden")
    bot.core.settings = settings.model_copy(
        update={"polls": settings.polls.model_copy(update={"remind_before": None})}
    )
    await bot.say("fran", LINE.replace("/poll", "/poll Second:") + " --closes 3d", chat="garden")
    with session_scope(bot.core.engine) as s:
        keys = {t.key for t in s.exec(select(Timer))}
    assert {"poll:1:close", "poll:2:close"} <= keys
    assert not {k for k in keys if k.endswith(":remind")}


async def test_a_poll_is_closed_once(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE, chat="garden")
    poll = poll_row(bot)
    with session_scope(bot.core.engine) as s:
        assert polls.mark_closed(s, poll_id=poll.id or 0, now=bot.core.clock.now())
        assert not polls.mark_closed(s, poll_id=poll.id or 0, now=bot.core.clock.now())
    # the deadline timer that fires later finds it closed and posts nothing
    before = len(bot.to_chat("garden"))
    await bot.core.advance_clock(timedelta(days=4))
    assert len(bot.to_chat("garden")) == before
