"""What happens next after a poll: asked of its starter privately, previewed, confirmed, posted.

The prompt names its poll. The starter's next private message is a draft: with one poll waiting
it is previewed for that poll; with several, they choose which poll it is for (buttons). Nothing is
posted before Confirm. ``/outcome N text`` posts at once, or corrects a posted outcome in place:
the outcome message is edited in every chat and the poll records when it was corrected. The
outcome stays on the poll (``outcome``, ``outcome_at``, ``outcome_corrected_at``) for the digests.
"""

from __future__ import annotations

from typing import Any

from bot.kernel import texts as K
from bot.kernel.context import Ctx, Work, chat_address, loads
from bot.kernel.errors import Refusal, UsageError
from bot.kernel.events import Button
from bot.kernel.rich import PersonName, Rich, render
from bot.kernel.visible import shortened, visible_length
from bot.polls import texts as T
from storage.models import Poll, Project
from storage.repo import people, poll_messages, polls, projects, work

MAX_OUTCOME = 2000
OUTCOME_CONVERSATION = "poll.outcome"
ACTION = "pollout"  # pollout:<for|confirm|cancel>:<poll id>


def may_manage(ctx: Ctx, poll: Poll) -> bool:
    return (
        "admin" in ctx.roles
        or poll.created_by == ctx.person_id
        or projects.is_project_facilitator(
            ctx.session, project_id=poll.project_id, person_id=ctx.person_id
        )
    )


def may_write_outcome(ctx: Ctx, poll: Poll) -> bool:
    """Its starter or the project's facilitators, while they hold a role (a revoked one cannot)."""
    return ctx.has_role("facilitator", "councillor") and may_manage(ctx, poll)


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


def project_name(w: Work, poll: Poll) -> str:
    project = w.session.get(Project, poll.project_id)
    return project.name if project else "the project"


def label(w: Work, poll: Poll) -> str:
    """How a button names a poll: its number, question and project."""
    return f"#{poll.number} {shortened(poll.question, 40)} ({project_name(w, poll)})"


# ---- asking, after the close -----------------------------------------------------------------


def waiting_polls(w: Work, ids: list[int]) -> list[Poll]:
    """The polls of ``ids`` that still wait for an outcome."""
    found = [w.session.get(Poll, i) for i in ids]
    return [p for p in found if p is not None and p.closed_at is not None and p.outcome is None
            and p.withdrawn_at is None]


def outcome_state(ctx: Ctx) -> dict[str, Any] | None:
    conv = work.get_conversation(ctx.session, platform=ctx.identity.platform,
                                 user_id=ctx.identity.user_id)
    if conv is None or conv.kind != OUTCOME_CONVERSATION:
        return None
    return normalised(loads(conv.state))


def normalised(state: dict[str, Any]) -> dict[str, Any]:
    waiting = [int(i) for i in state.get("waiting", [])]
    if "poll_id" in state and not waiting:  # a question asked before drafts: one poll
        waiting = [int(state["poll_id"])]
    return {**state, "waiting": waiting}


def ask_for_outcome(w: Work, poll: Poll, results: Rich) -> None:
    if poll.created_by is None:
        return
    identity = people.reachable_identity(w.session, person_id=poll.created_by)
    if identity is None:
        return
    values: dict[str, Any] = {"number": poll.number, "project": project_name(w, poll),
                              "question": poll.question, "results": results}
    # Do not take over another exchange they are in the middle of; /outcome works either way.
    busy = work.get_conversation(w.session, platform=identity.platform, user_id=identity.user_id)
    if busy is not None and busy.kind != OUTCOME_CONVERSATION:
        w.tell(poll.created_by, T.POLL_ASK_OUTCOME_BY_COMMAND, **values)
        return
    state = normalised(loads(busy.state)) if busy is not None else {"waiting": []}
    others = [p for p in waiting_polls(w, state["waiting"]) if p.id != poll.id]
    state = {**state, "waiting": [p.id for p in others] + [poll.id]}  # a draft stays previewed
    also = render(T.POLL_OUTCOME_ALSO_WAITING, polls=", ".join(label(w, p) for p in others))
    w.tell(poll.created_by, T.POLL_ASK_OUTCOME, also=also if others else "", **values)
    work.set_conversation(w.session, platform=identity.platform, user_id=identity.user_id,
                          kind=OUTCOME_CONVERSATION, state=state, now=w.now)


async def outcome_reply(ctx: Ctx, state: dict[str, Any], text: str) -> None:
    """A private message while outcomes wait: a draft, previewed for its poll (or chosen)."""
    state = normalised(state)
    text = text.strip()
    if not visible_length(text):
        raise Refusal(T.POLL_OUTCOME_EMPTY)
    if visible_length(text) > MAX_OUTCOME:
        raise Refusal(K.TOO_LONG, limit=MAX_OUTCOME)
    waiting = [p for p in waiting_polls(ctx, state["waiting"]) if may_write_outcome(ctx, p)]
    if not waiting:
        # Not a refusal: that would roll back the end of the conversation too.
        ctx.end_conversation()
        ctx.reply(T.POLL_OUTCOME_NOTHING_WAITING)
        return
    state = {"waiting": [p.id for p in waiting], "draft": text}
    if len(waiting) == 1:
        preview(ctx, waiting[0], state)
        return
    ctx.set_conversation(OUTCOME_CONVERSATION, state)
    buttons = [[Button(label(ctx, p), f"{ACTION}:for:{p.id}")] for p in waiting]
    ctx.reply(T.POLL_OUTCOME_WHICH_POLL, buttons, outcome=text)


def preview(ctx: Ctx, poll: Poll, state: dict[str, Any]) -> None:
    ctx.set_conversation(OUTCOME_CONVERSATION, {**state, "poll_id": poll.id})
    buttons = [[Button(T.BUTTON_CONFIRM, f"{ACTION}:confirm:{poll.id}"),
                Button(T.BUTTON_CANCEL, f"{ACTION}:cancel:{poll.id}")]]
    ctx.reply(T.POLL_OUTCOME_PREVIEW, buttons, number=poll.number, project=project_name(ctx, poll),
              question=poll.question, outcome=state["draft"])


async def outcome_button(ctx: Ctx, parts: list[str]) -> None:
    """pollout:for:<id> (this draft is for that poll), pollout:confirm:<id>, pollout:cancel:<id>."""
    if len(parts) != 2 or parts[0] not in ("for", "confirm", "cancel") or not parts[1].isdigit():
        raise Refusal(K.STALE_BUTTON)
    verb, poll = parts[0], ctx.session.get(Poll, int(parts[1]))
    if poll is None or poll.id is None:
        raise Refusal(K.STALE_BUTTON)
    if not may_write_outcome(ctx, poll):
        raise Refusal(T.POLL_OUTCOME_NOT_ALLOWED, number=poll.number)
    if not ctx.is_private:
        raise Refusal(K.BUTTON_PRIVATE_ONLY)
    state = outcome_state(ctx)
    if state is None or not state.get("draft") or poll.id not in state["waiting"]:
        raise Refusal(T.POLL_OUTCOME_NOT_IN_PROGRESS, number=poll.number)
    if verb == "for":
        preview(ctx, poll, state)
        return
    if state.get("poll_id") != poll.id:  # a preview of another poll is the one to confirm
        raise Refusal(T.POLL_OUTCOME_NOT_IN_PROGRESS, number=poll.number)
    if verb == "cancel":
        ctx.set_conversation(OUTCOME_CONVERSATION, {"waiting": state["waiting"]})
        ctx.reply(T.POLL_OUTCOME_DISCARDED, number=poll.number)
        return
    set_outcome(ctx, poll, state["draft"])


# ---- posting and correcting -------------------------------------------------------------------


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
                if p.closed_at is not None and p.withdrawn_at is None and may_manage(ctx, p)]
        if not mine:
            raise Refusal(T.POLL_OUTCOME_NONE, number=number)
        if len(mine) > 1:
            raise Refusal(T.POLL_OUTCOME_WHICH, number=number)
        poll = mine[0]
    set_outcome(ctx, poll, words[1])


def set_outcome(ctx: Ctx, poll: Poll, text: str) -> None:
    """Post the outcome to every chat of the project; a second one corrects the first in place."""
    assert poll.id is not None
    if not may_write_outcome(ctx, poll):
        raise Refusal(T.POLL_OUTCOME_NOT_ALLOWED, number=poll.number)
    if poll.withdrawn_at is not None:
        raise Refusal(T.POLL_OUTCOME_WITHDRAWN, number=poll.number)
    if poll.closed_at is None:
        raise Refusal(T.POLL_OUTCOME_STILL_OPEN, number=poll.number)
    text = text.strip()
    if not visible_length(text):
        raise Refusal(T.POLL_OUTCOME_EMPTY)
    if visible_length(text) > MAX_OUTCOME:
        raise Refusal(K.TOO_LONG, limit=MAX_OUTCOME)
    correcting = poll.outcome is not None
    poll.outcome, poll.outcome_at = text, ctx.now  # a correction goes into the next digests too
    if correcting:
        poll.outcome_corrected_at = ctx.now
    name = PersonName(ctx.person.name or ctx.identity.display_name, ctx.person_id)
    card = render(T.POLL_OUTCOME_CORRECTED_POSTED if correcting else T.POLL_OUTCOME_POSTED,
                  number=poll.number, question=poll.question, outcome=text, name=name)
    for chat in projects.project_chats(ctx.session, project_id=poll.project_id):
        ref = f"{ACTION}:{poll.id}@{chat.id}"
        status, _ = poll_messages.delivery_of(ctx.session, ref=ref)
        if correcting and status not in ("missing", "parked"):
            ctx.send(chat_address(chat), card, edit_of=ref)
        else:  # the first outcome (or one posted before outcomes could be edited)
            ctx.send(chat_address(chat), card, ref=ref)
    state = outcome_state(ctx)
    still: list[Poll] = []
    if state is not None:
        still = [p for p in waiting_polls(ctx, state["waiting"]) if p.id != poll.id]
        if still:
            ctx.set_conversation(OUTCOME_CONVERSATION, {"waiting": [p.id for p in still]})
        else:
            ctx.end_conversation()
    if ctx.is_private:
        done = render(T.POLL_OUTCOME_CORRECTED if correcting else T.POLL_OUTCOME_SAVED,
                      number=poll.number, project=project_name(ctx, poll))
        if still:
            done = done + "\n" + render(T.POLL_OUTCOME_STILL_WAITING,
                                        polls=", ".join(label(ctx, p) for p in still))
        ctx.reply(done)
