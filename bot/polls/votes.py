"""Voting: /vote, the option buttons, and votes and counts from native platform polls.

One vote per person per poll, over every chat of the project, and one per platform account for
the poll's life (also after /forgetme): the database decides (storage/repo/polls.py,
``take_voice``), so two presses at once on two processes still count once. A named vote can be
changed or withdrawn until the close; an anonymous ballot is counted once and is final, because
the bot keeps no record of what an anonymous voter chose (see docs/polls.md).
"""

from __future__ import annotations

import logging

from bot.kernel import texts as K
from bot.kernel.context import Ctx, Work, chat_address
from bot.kernel.errors import Refusal, UsageError
from bot.kernel.events import PollCounted, PollVoted
from bot.kernel.rich import Rich, render
from bot.polls import texts as T
from bot.polls.ballots import ballot_waits
from bot.polls.cards import PollCards
from bot.polls.drafts import BallotDrafts
from bot.polls.parser import parse_choices
from bot.polls.results import builds_ballots
from storage.models import Poll, PollOption
from storage.repo import poll_messages, polls

log = logging.getLogger(__name__)

QUIET_SECONDS = 10.0  # a vote's confirmation in a group, where it cannot be private, then goes


def is_open(w: Work, poll: Poll) -> bool:
    return poll.closed_at is None and poll.closes_at > w.now


def refuse_if_shut(w: Work, poll: Poll) -> None:
    """A vote for a withdrawn or closed poll is refused, saying which."""
    if poll.withdrawn_at is not None:
        raise Refusal(T.VOTE_POLL_WITHDRAWN, number=poll.number, reason=poll.withdrawn_reason or "")
    if not is_open(w, poll):
        raise Refusal(T.VOTE_CLOSED, number=poll.number)


def record_vote(ctx: Ctx, poll: Poll, positions: list[int], *, toggle: bool = False,
                options: list[PollOption] | None = None) -> Rich:
    """Apply a vote (``positions`` 1-based; empty withdraws) and say what happened.

    ``toggle``: a button press, which adds or removes one option instead of replacing the vote.
    ``options``: the poll's options when the caller has read them already.
    """
    assert poll.id is not None
    refuse_if_shut(ctx, poll)
    if options is None:
        options = polls.poll_options(ctx.session, poll_id=poll.id)
    option_ids = [o.id for o in options]
    if poll.anonymous:
        message = _anonymous(ctx, poll, [option_ids[p - 1] for p in positions], toggle)
    else:
        message = _named(ctx, poll, options, positions, toggle)
    ctx.core.service(PollCards).changed(ctx, poll)
    return message


def _anonymous(ctx: Ctx, poll: Poll, chosen: list[int | None], toggle: bool) -> Rich:
    assert poll.id is not None
    if polls.has_voted(ctx.session, poll_id=poll.id, person_id=ctx.person_id):
        raise Refusal(T.VOTE_ANONYMOUS_FINAL, number=poll.number)
    if not chosen:
        raise Refusal(T.VOTE_NOTHING_TO_WITHDRAW, number=poll.number)
    assert not (toggle and poll.multiple)  # such presses build a draft (vote_button)
    if not poll.multiple and len(chosen) > 1:
        raise Refusal(T.VOTE_ONE_ONLY, number=poll.number)
    voice = polls.take_voice(ctx.session, poll_id=poll.id, person_id=ctx.person_id)
    if voice == "held":  # their other press, on another process, came first
        raise Refusal(T.VOTE_ANONYMOUS_FINAL, number=poll.number)
    if voice == "spent":
        raise Refusal(T.VOTE_ACCOUNT_SPENT, number=poll.number)
    waiting = polls.cast_anonymous(ctx.session, poll_id=poll.id,
                                   option_ids=[i for i in chosen if i is not None])
    ballot_waits(ctx, poll.id, waiting)
    return render(T.VOTE_ANONYMOUS_COUNTED, number=poll.number)


def _named(ctx: Ctx, poll: Poll, options: list[PollOption], positions: list[int],
           toggle: bool) -> Rich:
    assert poll.id is not None
    option_ids = [o.id for o in options]
    # The voice first: it locks the person's vote, so their other press waits for this one.
    voice = polls.take_voice(ctx.session, poll_id=poll.id, person_id=ctx.person_id)
    if voice == "spent":
        raise Refusal(T.VOTE_ACCOUNT_SPENT, number=poll.number)
    current = polls.named_choices(ctx.session, poll_id=poll.id, person_id=ctx.person_id)
    wanted = [option_ids[p - 1] for p in positions]
    if toggle:
        pressed = wanted[0]
        if pressed in current:
            wanted = [i for i in current if i != pressed]
        else:
            wanted = [*current, pressed] if poll.multiple else [pressed]
    if not poll.multiple and len(wanted) > 1:
        raise Refusal(T.VOTE_ONE_ONLY, number=poll.number)
    if not wanted and not current:  # (a voice taken just now goes with the refusal's rollback)
        raise Refusal(T.VOTE_NOTHING_TO_WITHDRAW, number=poll.number)
    polls.set_named_choices(ctx.session, poll_id=poll.id, person_id=ctx.person_id,
                            option_ids=[i for i in wanted if i is not None], now=ctx.now,
                            current=current)
    if not wanted:
        return render(T.VOTE_WITHDRAWN, number=poll.number)
    names = [o.text for o in options if o.id in wanted]
    return render(T.VOTE_RECORDED, number=poll.number, choices=", ".join(names))


async def vote_command(ctx: Ctx, args: str) -> None:
    """/vote <poll> <option number(s) or text>; /vote <poll> none withdraws."""
    project = ctx.project
    assert project is not None and project.id is not None
    words = args.split(None, 1)
    if len(words) != 2 or not words[0].lstrip("#").isdigit() or len(words[0]) > 9:
        raise UsageError()
    number = int(words[0].lstrip("#"))
    poll = polls.find_poll(ctx.session, project_id=project.id, number=number)
    if poll is None:
        raise Refusal(T.VOTE_NO_SUCH_POLL, number=number)
    assert poll.id is not None
    refuse_if_shut(ctx, poll)
    options = [o.text for o in polls.poll_options(ctx.session, poll_id=poll.id)]
    positions = parse_choices(words[1], options)
    if positions is None:
        listing = "; ".join(f"{i}. {o}" for i, o in enumerate(options, 1))
        raise Refusal(T.VOTE_NO_SUCH_OPTION, number=poll.number, choice=words[1][:40],
                      options=listing)
    confirm_quietly(ctx, record_vote(ctx, poll, positions))


def confirm_quietly(ctx: Ctx, message: Rich) -> None:
    """A typed vote's confirmation, never a public message per vote: in a group it is shown to
    the voter alone where the platform can (Slack), else sent privately where the bot can write
    to them, else a short reply deleted after ``QUIET_SECONDS``."""
    if ctx.is_private:
        ctx.reply(message)
    elif ctx.core.outbox.whispers(ctx.identity.platform):
        ctx.send(chat_address(ctx.chat), message, ephemeral_to=ctx.identity.user_id)
    elif ctx.identity.private_chat_id and ctx.identity.unreachable_at is None:
        ctx.reply_privately(message)
    else:
        ctx.send(chat_address(ctx.chat), message, delete_after=QUIET_SECONDS)


async def vote_button(ctx: Ctx, parts: list[str]) -> None:
    """An option button: "poll:<poll id>:<position>", or "poll:<poll id>:confirm" under an
    anonymous poll with several choices; the answer is a short notice."""
    if len(parts) != 2 or not parts[0].isdigit() or len(parts[0]) >= 10 or not (
            parts[1] == "confirm" or (parts[1].isdigit() and len(parts[1]) < 10)):
        raise Refusal(K.STALE_BUTTON)
    poll = ctx.session.get(Poll, int(parts[0]))
    if poll is None or ctx.chat.project_id != poll.project_id:
        raise Refusal(K.STALE_BUTTON)
    assert poll.id is not None
    options = polls.poll_options(ctx.session, poll_id=poll.id)
    if parts[1] == "confirm":
        if not builds_ballots(poll):
            raise Refusal(K.STALE_BUTTON)
        ctx.result.notice = _confirm(ctx, poll, options).text
        return
    position = int(parts[1])
    if not 1 <= position <= len(options):
        raise Refusal(K.STALE_BUTTON)
    if builds_ballots(poll):
        ctx.result.notice = _draft(ctx, poll, options, position).text
        return
    ctx.result.notice = record_vote(ctx, poll, [position], toggle=True, options=options).text


def _draft(ctx: Ctx, poll: Poll, options: list[PollOption], position: int) -> Rich:
    """A press on an anonymous poll with several choices: the draft in memory changes."""
    assert poll.id is not None
    refuse_if_shut(ctx, poll)
    if polls.has_voted(ctx.session, poll_id=poll.id, person_id=ctx.person_id):
        raise Refusal(T.VOTE_ANONYMOUS_FINAL, number=poll.number)
    chosen = ctx.core.service(BallotDrafts).toggle(poll.id, ctx.person_id, position, ctx.now)
    if not chosen:
        return render(T.VOTE_DRAFT_EMPTY, number=poll.number)
    return render(T.VOTE_DRAFT, number=poll.number,
                  choices=", ".join(options[p - 1].text for p in chosen))


def _confirm(ctx: Ctx, poll: Poll, options: list[PollOption]) -> Rich:
    """Confirm my choices: the draft is cast as one anonymous ballot, then forgotten."""
    assert poll.id is not None
    drafts = ctx.core.service(BallotDrafts)
    chosen = drafts.chosen(poll.id, ctx.person_id, ctx.now)
    if not chosen:
        refuse_if_shut(ctx, poll)
        raise Refusal(T.VOTE_DRAFT_NOTHING, number=poll.number)
    message = record_vote(ctx, poll, chosen, options=options)
    poll_id, person_id = poll.id, ctx.person_id

    async def forget() -> None:  # once the ballot is safely stored; a failure keeps the draft
        drafts.discard(poll_id, person_id)

    ctx.after_commit.append(forget)
    return message


async def native_vote(ctx: Ctx) -> None:
    """A vote (named polls) or counts (anonymous polls) from a platform's own poll.

    There is no chat to answer in, so problems are logged, not told.
    """
    event = ctx.event
    assert isinstance(event, (PollVoted, PollCounted))
    message = poll_messages.find_native_message(
        ctx.session, platform=event.chat.platform, platform_poll_id=event.platform_poll_id
    )
    poll = ctx.session.get(Poll, message.poll_id) if message else None
    if message is None or poll is None or poll.id is None:
        log.info("a native poll event for an unknown poll %s", event.platform_poll_id)
        return
    if not is_open(ctx, poll):
        return
    options = polls.poll_options(ctx.session, poll_id=poll.id)
    if isinstance(event, PollCounted):
        if poll.anonymous and message.id is not None:  # a named poll is counted per person
            poll_messages.set_native_counts(ctx.session, message_id=message.id,
                                    counts=list(event.counts)[: len(options)])
        return
    if poll.anonymous:
        return  # its counts arrive as PollCounted; a platform should not name anonymous voters
    picked = sorted({i for i in event.option_indexes if 0 <= i < len(options)})
    if not poll.multiple:
        picked = picked[:1]
    ids = [option.id for i, option in enumerate(options) if i in picked and option.id is not None]
    voice = polls.take_voice(ctx.session, poll_id=poll.id, person_id=ctx.person_id)
    if voice == "spent":
        log.info("a native vote from an account whose voice in poll %s is given", poll.id)
        return
    current = polls.named_choices(ctx.session, poll_id=poll.id, person_id=ctx.person_id)
    if not ids and not current:
        polls.set_named_choices(ctx.session, poll_id=poll.id, person_id=ctx.person_id,
                                option_ids=[], now=ctx.now, current=[])
        return  # a retraction of nothing: the voice just taken is given back
    polls.set_named_choices(ctx.session, poll_id=poll.id, person_id=ctx.person_id,
                            option_ids=ids, now=ctx.now, current=current)
    ctx.core.service(PollCards).changed(ctx, poll)
