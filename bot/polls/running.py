"""Quick polls: start one in every chat of a project, close it on time, ask for its outcome."""

from __future__ import annotations

from typing import Any

from bot.kernel.context import Ctx, Work, chat_address
from bot.kernel.durations import parse_deadline, parse_duration
from bot.kernel.errors import Refusal, UsageError
from bot.kernel.rich import Rich, render
from bot.polls import texts as T
from bot.polls.ballots import scrub_after_commit
from bot.polls.cards import refresh_poll_messages
from bot.polls.drafts import BallotDrafts
from bot.polls.outcome import ask_for_outcome, may_manage, poll_by_number
from bot.polls.parser import MAX_OPEN, PollLineError, parse_poll_line
from bot.polls.results import format_when, native_poll, poll_message, results_text
from storage.models import Chat, Poll, Project
from storage.repo import ballots, poll_messages, polls, projects


def _require_starter(ctx: Ctx, project: Project) -> None:
    """A facilitator of this project, an admin, or (if allowed) a councillor linked to it."""
    assert project.id is not None
    if "admin" in ctx.roles or projects.is_project_facilitator(
        ctx.session, project_id=project.id, person_id=ctx.person_id
    ):
        return
    councillors_may = ctx.settings.polls.councillors_may_start
    if councillors_may and "councillor" in ctx.roles and polls.is_linked_councillor(
        ctx.session, project_id=project.id, person_id=ctx.person_id
    ):
        return
    raise Refusal(T.POLL_NOT_ALLOWED,
                  councillors=T.POLL_NOT_ALLOWED_COUNCILLORS if councillors_may else "")



async def poll_command(ctx: Ctx, args: str) -> None:
    """/poll <question> | <option> | <option> [| ...] with flags anywhere on the line."""
    project = ctx.project
    assert project is not None and project.id is not None
    _require_starter(ctx, project)
    if not args:
        raise UsageError(render(T.POLL_USAGE_HINT))
    try:
        spec = parse_poll_line(args, now=ctx.now, tz=ctx.tz)
    except PollLineError as exc:
        raise UsageError(exc.message) from None
    poll = polls.create_poll(
        ctx.session,
        project_id=project.id,
        question=spec.question,
        options=spec.options,
        multiple=spec.multiple,
        anonymous=spec.anonymous,
        hide_results=spec.hide_results,
        created_by=ctx.person_id,
        now=ctx.now,
        closes_at=spec.closes_at or ctx.now + ctx.settings.polls.default_timedelta,
    )
    assert poll.id is not None
    text, buttons = poll_message(ctx, poll)
    chats = ctx.post_to_project(project.id, text, buttons, ref=f"poll:{poll.id}",
                                poll=native_poll(poll, list(spec.options)))
    for chat in chats:
        assert chat.id is not None
        poll_messages.add_poll_message(ctx.session, poll_id=poll.id, chat_id=chat.id)
    _schedule(ctx, poll)


def _schedule(w: Work, poll: Poll) -> None:
    """The deadline (and the "closing soon" notice) as timer rows."""
    payload = {"poll_id": poll.id}
    w.schedule("poll.close", f"poll:{poll.id}:close", poll.closes_at, payload)
    before = w.settings.polls.remind_before
    delta = parse_duration(before) if before else None
    if delta is not None and poll.closes_at - delta > w.now:
        w.schedule("poll.remind", f"poll:{poll.id}:remind", poll.closes_at - delta, payload)
    else:
        w.cancel_timer(f"poll:{poll.id}:remind")


async def closepoll_command(ctx: Ctx, args: str) -> None:
    words = args.split()
    if len(words) != 1:
        raise UsageError()
    poll = poll_by_number(ctx, words[0])
    if not may_manage(ctx, poll):
        raise Refusal(T.POLL_MANAGE_NOT_ALLOWED, number=poll.number)
    if poll.closed_at is not None:
        raise Refusal(T.POLL_ALREADY_CLOSED, number=poll.number)
    close_poll(ctx, poll)


async def extendpoll_command(ctx: Ctx, args: str) -> None:
    words = args.split(None, 1)
    if len(words) != 2:
        raise UsageError()
    poll = poll_by_number(ctx, words[0])
    if not may_manage(ctx, poll):
        raise Refusal(T.POLL_MANAGE_NOT_ALLOWED, number=poll.number)
    if poll.closed_at is not None or poll.closes_at <= ctx.now:
        raise Refusal(T.POLL_ALREADY_CLOSED, number=poll.number)
    value = words[1].strip().lstrip("+")
    delta = parse_duration(value)
    try:
        new = poll.closes_at + delta if delta else parse_deadline(value, now=ctx.now, tz=ctx.tz)
    except (ValueError, OverflowError):
        new = None
    if new is None:
        raise Refusal(T.POLL_EXTEND_BAD, value=value[:40])
    if new <= poll.closes_at:
        raise Refusal(T.POLL_EXTEND_EARLIER, when=format_when(poll.closes_at, ctx.tz))
    if new > ctx.now + MAX_OPEN:
        raise Refusal(T.POLL_CLOSES_TOO_FAR, days=MAX_OPEN.days)
    poll.closes_at = new
    ctx.session.flush()
    _schedule(ctx, poll)
    refresh_poll_messages(ctx, poll)
    ctx.post_to_project(poll.project_id, T.POLL_EXTENDED, number=poll.number,
                        when=format_when(new, ctx.tz), question=poll.question)


# ---- closing -------------------------------------------------------------------------------


async def close_due(w: Work, key: str, payload: dict[str, Any]) -> None:
    """The deadline timer: close the poll, unless it closed already or was extended."""
    poll = w.session.get(Poll, int(payload["poll_id"]))
    if poll is None or poll.closed_at is not None:
        return
    if poll.closes_at > w.now:
        _schedule(w, poll)
        return
    close_poll(w, poll)


async def remind_due(w: Work, key: str, payload: dict[str, Any]) -> None:
    poll = w.session.get(Poll, int(payload["poll_id"]))
    if poll is None or poll.closed_at is not None or poll.closes_at <= w.now:
        return
    when = format_when(poll.closes_at, w.tz)
    if poll.anonymous:  # who has not voted is not for the bot to single out: the group hears it
        w.post_to_project(poll.project_id, T.POLL_CLOSING_SOON, number=poll.number, when=when,
                          question=poll.question)
        return
    # A named poll reminds, privately, only those of the project who have not voted.
    project = w.session.get(Project, poll.project_id)
    for person_id in polls.non_voters(w.session, poll=poll):
        w.tell(person_id, T.POLL_CLOSING_SOON_PRIVATE, number=poll.number, when=when,
               question=poll.question, project=project.name if project else "")


def close_poll(w: Work, poll: Poll) -> None:
    """Close now: the poll messages say so, the results go to every chat, the starter is asked."""
    assert poll.id is not None
    if not polls.mark_closed(w.session, poll_id=poll.id, now=w.now):
        return
    end_poll(w, poll, render(T.POLL_CLOSED_NOTE, number=poll.number, question=poll.question))
    results = results_text(w, poll)
    w.post_to_project(poll.project_id, results)
    ask_for_outcome(w, poll, results)


def end_poll(w: Work, poll: Poll, final: Rich) -> None:
    """What every end of a poll does (closed or withdrawn), once it is marked so: waiting ballots
    mixed, its timers and half-built ballots gone, and its message in every chat edited to
    ``final`` (no buttons; an edit of a native poll stops it, the adapters' rule)."""
    assert poll.id is not None
    w.session.refresh(poll)
    # The ballots still waiting are mixed now, in this transaction, which no voter's is.
    if ballots.mix(w.session, poll_id=poll.id):
        scrub_after_commit(w)
    w.cancel_timer(f"poll:{poll.id}:close")
    w.cancel_timer(f"poll:{poll.id}:remind")
    w.core.service(BallotDrafts).forget_poll(poll.id)
    for message in poll_messages.messages_of(w.session, poll_id=poll.id):
        chat = w.session.get(Chat, message.chat_id)
        if chat is None or chat.gone_at is not None:
            continue
        status, _ = poll_messages.delivery_of(w.session, ref=f"poll:{poll.id}@{chat.id}")
        if status in ("missing", "parked"):
            continue
        w.send(chat_address(chat), final, edit_of=f"poll:{poll.id}@{chat.id}")
