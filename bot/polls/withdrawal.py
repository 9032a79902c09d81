"""/cancelpoll: withdraw a poll posted by mistake, with no results and no outcome.

The poll is closed and marked withdrawn with a short reason; its message in every chat is edited
to say so (buttons removed, a native poll stopped) and a short notice goes to every chat. Ballots
still waiting are mixed as at a close, so their traces go the same way; nothing is published.
"""

from __future__ import annotations

from bot.kernel.context import Ctx, chat_address
from bot.kernel.errors import Refusal, UsageError
from bot.kernel.rich import PersonName, render
from bot.kernel.visible import visible_length
from bot.polls import texts as T
from bot.polls.ballots import scrub_after_commit
from bot.polls.drafts import BallotDrafts
from bot.polls.outcome import may_manage, poll_by_number
from storage.models import Chat
from storage.repo import ballots, poll_messages, polls

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
    ctx.session.refresh(poll)
    if ballots.mix(ctx.session, poll_id=poll.id):  # in no voter's transaction, as at a close
        scrub_after_commit(ctx)
    ctx.cancel_timer(f"poll:{poll.id}:close")
    ctx.cancel_timer(f"poll:{poll.id}:remind")
    ctx.core.service(BallotDrafts).forget_poll(poll.id)
    name = PersonName(ctx.person.name or ctx.identity.display_name, ctx.person_id)
    card = render(T.POLL_WITHDRAWN_CARD, number=poll.number, name=name, question=poll.question,
                  reason=reason)
    for message in poll_messages.messages_of(ctx.session, poll_id=poll.id):
        chat = ctx.session.get(Chat, message.chat_id)
        if chat is None or chat.gone_at is not None:
            continue
        status, _ = poll_messages.delivery_of(ctx.session, ref=f"poll:{poll.id}@{chat.id}")
        if status in ("missing", "parked"):
            continue
        # No buttons: they go; an edit of a native poll stops it (the adapters' rule).
        ctx.send(chat_address(chat), card, edit_of=f"poll:{poll.id}@{chat.id}")
    ctx.post_to_project(poll.project_id, T.POLL_WITHDRAWN_NOTICE, number=poll.number,
                        question=poll.question, reason=reason)
