"""/polls: a project's open polls and those closed lately, one line each."""

from __future__ import annotations

from datetime import timedelta

from bot.kernel.context import Ctx
from bot.kernel.rich import Rich, join, render
from bot.kernel.visible import shortened
from bot.polls import texts as T
from bot.polls.results import format_when, standing
from storage.models import Poll
from storage.repo import polls

RECENT = timedelta(days=30)
MOST_CLOSED = 5
QUESTION_SHOWN = 60


def votes_given(ctx: Ctx, poll: Poll) -> int:
    """How many have voted: people, or (one-choice polls) choices, which also counts the voters
    of an anonymous native poll, whom the bot never sees."""
    now = standing(ctx, poll)
    return now.voters if poll.multiple else max(now.voters, now.choices)


def poll_line(ctx: Ctx, poll: Poll) -> Rich:
    question = shortened(poll.question, QUESTION_SHOWN)
    if poll.withdrawn_at is not None:
        return render(T.POLLS_WITHDRAWN_LINE, number=poll.number, question=question,
                      when=format_when(poll.withdrawn_at, ctx.tz),
                      reason=poll.withdrawn_reason or "")
    if poll.closed_at is None:
        return render(T.POLLS_OPEN_LINE, number=poll.number, question=question,
                      voters=votes_given(ctx, poll), when=format_when(poll.closes_at, ctx.tz))
    outcome = (render(T.POLLS_OUTCOME, outcome=shortened(poll.outcome, QUESTION_SHOWN)) if poll.outcome
               else render(T.POLLS_WAITING))
    return render(T.POLLS_CLOSED_LINE, number=poll.number, question=question,
                  voters=votes_given(ctx, poll), when=format_when(poll.closed_at, ctx.tz),
                  outcome=outcome)


async def polls_command(ctx: Ctx, args: str) -> None:
    """/polls: open polls, closing soonest first, then the latest closed in the last 30 days."""
    project = ctx.project
    assert project is not None and project.id is not None
    open_polls, closed = polls.listed_polls(ctx.session, project_id=project.id,
                                            closed_since=ctx.now - RECENT, most_closed=MOST_CLOSED)
    if not open_polls and not closed:
        starts = ctx.has_role("facilitator", "councillor")
        ctx.answer(render(T.POLLS_NONE, project=project.name, days=RECENT.days)
                  + (render(T.POLLS_NONE_START) if starts else Rich()))
        return
    lines = [render(T.POLLS_HEADER, project=project.name)]
    if open_polls:
        lines.append(render(T.POLLS_OPEN))
        lines += [poll_line(ctx, p) for p in open_polls]
    if closed:
        lines.append(render(T.POLLS_RECENT, days=RECENT.days))
        lines += [poll_line(ctx, p) for p in closed]
    if open_polls:
        lines.append(render(T.POLLS_MORE))
    ctx.answer(join(lines))  # for the asker: on Slack, shown to them alone
