"""/cancelpoll: withdraw a poll posted by mistake, with no results and no outcome.

The poll is closed and marked withdrawn with a short reason; its message in every chat is edited
to say so (buttons removed, a native poll stopped) and a short notice goes to every chat. Ballots
still waiting are mixed as at a close, so their traces go the same way; nothing is published.
"""

from __future__ import annotations

from bot.kernel.context import Ctx
from bot.kernel.errors import Refusal, UsageError
from bot.kernel.rich import PersonName, render
from bot.kernel.visible import visible_length
from bot.polls import texts as T
from bot.polls.outcome import may_manage, poll_by_number
from bot.polls.running import end_poll
from storage.repo import polls

MAX_REASON = 200


async def cancelpoll_command(ctx: Ctx, args: str) -> None:
    """/cancelpoll <poll> <reason>."""
    words = args.split(None, 1)
    if not words:
        raise UsageError()
    poll = poll_by_number(ctx, words[0])
    assert poll.id is not None
    if not may_manage(ctx, poll):
        raise Refusal(T.POLL_MANAGE_NOT_ALLOWED, number=poll.number)
    if poll.closed_at is not None:
        raise Refusal(T.POLL_CANCEL_CLOSED, number=poll.number)
    reason = " ".join(words[1].split()) if len(words) == 2 else ""
    if not visible_length(reason):
        raise Refusal(T.POLL_CANCEL_USAGE, number=poll.number)
    if visible_length(reason) > MAX_REASON:
        raise Refusal(T.POLL_CANCEL_REASON_TOO_LONG, limit=MAX_REASON)
    if not polls.mark_withdrawn(ctx.session, poll_id=poll.id, now=ctx.now, reason=reason):
        raise Refusal(T.POLL_CANCEL_CLOSED, number=poll.number)
    name = PersonName(ctx.person.name or ctx.identity.display_name, ctx.person_id)
    end_poll(ctx, poll, render(T.POLL_WITHDRAWN_CARD, number=poll.number, name=name,
                               question=poll.question, reason=reason))
    ctx.post_to_project(poll.project_id, T.POLL_WITHDRAWN_NOTICE, number=poll.number,
                        question=poll.question, reason=reason)
