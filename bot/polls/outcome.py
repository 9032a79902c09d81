"""What happens next after a poll: asked of its starter privately, posted to the project, kept.

The outcome stays on the poll (``outcome``, ``outcome_at``) for the councillors' digests.
"""

from __future__ import annotations

from typing import Any

from bot.kernel import texts as K
from bot.kernel.context import Ctx, Work, loads
from bot.kernel.errors import Refusal, UsageError
from bot.kernel.rich import Rich
from bot.polls import texts as T
from storage.models import Poll, Project
from storage.repo import people, polls, projects, work

MAX_OUTCOME = 2000
OUTCOME_CONVERSATION = "poll.outcome"


def may_manage(ctx: Ctx, poll: Poll) -> bool:
    return (
        "admin" in ctx.roles
        or poll.created_by == ctx.person_id
        or projects.is_project_facilitator(
            ctx.session, project_id=poll.project_id, person_id=ctx.person_id
        )
    )


def poll_by_number(ctx: Ctx, text: str) -> Poll:
    project = ctx.project
    assert project is not None and project.id is not None
    number = text.lstrip("#")
    if not number.isdigit() or len(number) > 9:
        raise UsageError()
    poll = polls.find_poll(ctx.session, project_id=project.id, number=int(number))
    if poll is None:
        raise Refusal(T.VOTE_NO_SUCH_POLL, number=number)
    return poll


def ask_for_outcome(w: Work, poll: Poll, results: Rich) -> None:
    if poll.created_by is None:
        return
    project = w.session.get(Project, poll.project_id)
    assert project is not None
    identity = people.reachable_identity(w.session, person_id=poll.created_by)
    if identity is None:
        return
    # Do not take over another exchange they are in the middle of; /outcome works either way.
    busy = work.get_conversation(w.session, platform=identity.platform, user_id=identity.user_id)
    by_reply = busy is None or busy.kind == OUTCOME_CONVERSATION
    w.tell(poll.created_by, T.POLL_ASK_OUTCOME if by_reply else T.POLL_ASK_OUTCOME_BY_COMMAND,
           number=poll.number, project=project.name, results=results)
    if by_reply:
        work.set_conversation(w.session, platform=identity.platform, user_id=identity.user_id,
                              kind=OUTCOME_CONVERSATION, state={"poll_id": poll.id}, now=w.now)


async def outcome_command(ctx: Ctx, args: str) -> None:
    """/outcome <n> <text>: in the project's group, or privately by its starter."""
    words = args.split(None, 1)
    if len(words) != 2 or not words[0].lstrip("#").isdigit():
        raise UsageError()
    number = int(words[0].lstrip("#")[:9])
    if ctx.project is not None:
        poll = poll_by_number(ctx, words[0])
    else:
        mine = [p for p in polls.polls_numbered(ctx.session, number=number)
                if p.closed_at is not None and may_manage(ctx, p)]
        if not mine:
            raise Refusal(T.POLL_OUTCOME_NONE, number=number)
        if len(mine) > 1:
            raise Refusal(T.POLL_OUTCOME_WHICH, number=number)
        poll = mine[0]
    set_outcome(ctx, poll, words[1])


async def outcome_reply(ctx: Ctx, state: dict[str, Any], text: str) -> None:
    """The starter's reply to "what happens next?" in the private chat."""
    poll = ctx.session.get(Poll, int(state.get("poll_id", 0)))
    if poll is None:
        ctx.end_conversation()
        return
    if not text.strip():
        raise Refusal(T.POLL_OUTCOME_EMPTY)
    set_outcome(ctx, poll, text)


def set_outcome(ctx: Ctx, poll: Poll, text: str) -> None:
    if not may_manage(ctx, poll):
        raise Refusal(T.POLL_OUTCOME_NOT_ALLOWED, number=poll.number)
    if poll.closed_at is None:
        raise Refusal(T.POLL_OUTCOME_STILL_OPEN, number=poll.number)
    text = text.strip()
    if len(text) > MAX_OUTCOME:
        raise Refusal(K.TOO_LONG, limit=MAX_OUTCOME)
    poll.outcome, poll.outcome_at = text, ctx.now
    ctx.post_to_project(poll.project_id, T.POLL_OUTCOME_POSTED, number=poll.number,
                        question=poll.question, outcome=text,
                        name=ctx.person.name or ctx.identity.display_name)
    conv = work.get_conversation(ctx.session, platform=ctx.identity.platform,
                                 user_id=ctx.identity.user_id)
    if conv is not None and conv.kind == OUTCOME_CONVERSATION and loads(conv.state).get(
        "poll_id"
    ) == poll.id:
        ctx.end_conversation()
    if ctx.is_private:
        project = ctx.session.get(Project, poll.project_id)
        ctx.reply(T.POLL_OUTCOME_SAVED, number=poll.number,
                  project=project.name if project else "the project")
