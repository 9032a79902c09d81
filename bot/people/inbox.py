"""/inbox: what waits for one person across their projects, oldest first, page by page."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel import texts as K
from bot.kernel.context import Ctx, Work
from bot.kernel.durations import describe_age
from bot.kernel.errors import Refusal
from bot.kernel.events import Button
from bot.kernel.rich import Rich, join, render
from bot.kernel.visible import shortened
from bot.people import texts as T
from storage.models import Challenge, Project
from storage.repo import challenges, inbox, people

AWAITING = ("open", "acknowledged")
PAGE = 8  # items a page; each may bring a row of buttons
TEXT_CHARS = 140
ACTION = "inbox"


@dataclass(frozen=True)
class Item:
    """One thing waiting, under its section's title, with the buttons that act on it."""

    section: str
    text: Rich
    buttons: tuple[Button, ...] = ()


def items(w: Work, person_id: int) -> list[Item]:
    """Everything waiting for ``person_id``, section by section, each oldest first."""
    found: list[Item] = []
    mine: set[int] = set()
    # Escalations wait on a councillor (facilitators find theirs in their own section).
    councillor = "councillor" in people.roles_of(w.session, person_id=person_id)
    received = [c for r, c in challenges.received_by(w.session, person_id=person_id)
                if c.status in AWAITING and (r.reason != "escalation" or councillor)]
    for challenge in sorted(received, key=lambda c: (c.raised_at, c.id or 0)):
        if challenge.id in mine:
            continue
        mine.add(challenge.id or 0)
        project = w.session.get(Project, challenge.project_id)
        found.append(Item(T.INBOX_CHALLENGES, _challenge_line(w, challenge, project),
                          _answer_buttons(challenge)))
    for link, project in inbox.link_proposals(w.session, councillor_id=person_id):
        found.append(Item(T.INBOX_PROPOSALS,
                          render(T.INBOX_PROPOSAL_LINE, project=project.name, code=project.code,
                                 scope=shortened(project.scope or K.NO_SCOPE_YET, TEXT_CHARS)),
                          (Button(f"{T.INBOX_ACCEPT} {project.name}"[:60], f"link:accept:{link.id}"),
                           Button(f"{T.INBOX_DECLINE} {project.name}"[:60],
                                  f"link:decline:{link.id}"))))
    for poll, project in inbox.polls_awaiting_outcome(w.session, person_id=person_id):
        closed = poll.closed_at or w.now
        found.append(Item(T.INBOX_POLLS, render(
            T.INBOX_POLL_LINE, number=poll.number, project=project.name,
            age=describe_age(w.now - closed), question=shortened(poll.question, TEXT_CHARS))))
    for challenge, project in inbox.escalated_in_facilitated(w.session, person_id=person_id):
        if challenge.id in mine:
            continue
        found.append(Item(T.INBOX_ESCALATED, render(
            T.INBOX_ESCALATED_LINE, number=challenge.number, project=project.name,
            age=describe_age(w.now - (challenge.reopened_at or challenge.raised_at)),
            text=shortened(challenge.text, TEXT_CHARS))))
    return found


def page_text(w: Work, person_id: int, page: int) -> tuple[Rich, list[list[Button]]]:
    """One page of the inbox: its lines, a row of buttons per item, and Next page."""
    everything = items(w, person_id)
    if not everything:
        return render(T.INBOX_EMPTY), []
    pages = (len(everything) + PAGE - 1) // PAGE
    page = min(max(page, 1), pages)
    shown = everything[(page - 1) * PAGE: page * PAGE]
    header = T.INBOX_HEADER if pages == 1 else T.INBOX_HEADER_PAGED
    lines = [render(header, count=len(everything), page=page, pages=pages)]
    section = ""
    for item in shown:
        if item.section != section:
            section = item.section
            lines.append(render(section))
            if section == T.INBOX_POLLS:
                lines.append(render(T.INBOX_POLLS_HOW))
            elif section == T.INBOX_ESCALATED:
                lines.append(render(T.INBOX_ESCALATED_HOW))
        lines.append(item.text)
    buttons = [list(item.buttons) for item in shown if item.buttons]
    nav = []
    if page > 1:
        nav.append(Button(T.INBOX_PREVIOUS, f"{ACTION}:page:{page - 1}"))
    if page < pages:
        nav.append(Button(T.INBOX_NEXT, f"{ACTION}:page:{page + 1}"))
    if nav:
        buttons.append(nav)
    return join(lines), buttons


async def inbox_command(ctx: Ctx, args: str) -> None:
    page = int(args) if args.isdigit() else 1
    text, buttons = page_text(ctx, ctx.person_id, page)
    ctx.reply(text, buttons)


async def inbox_button(ctx: Ctx, parts: list[str]) -> None:
    """inbox:page:<n>: another page, as a new message (the list may have changed meanwhile)."""
    if len(parts) != 2 or parts[0] != "page" or not parts[1].isdigit():
        raise Refusal(K.STALE_BUTTON)
    if not ctx.is_private:  # an inbox is shown only in the presser's private chat
        raise Refusal(K.BUTTON_PRIVATE_ONLY)
    # The presser's own inbox, whoever the button was shown to: it names no one else's.
    text, buttons = page_text(ctx, ctx.person_id, int(parts[1]))
    ctx.reply_privately(text, buttons)


def _challenge_line(w: Work, challenge: Challenge, project: Project | None) -> Rich:
    return render(
        T.INBOX_CHALLENGE_LINE, number=challenge.number,
        project=project.name if project else "?",
        age=describe_age(w.now - (challenge.reopened_at or challenge.raised_at)),
        supporters=challenges.support_count(w.session, challenge_id=challenge.id or 0),
        status=T.INBOX_ACKNOWLEDGED if challenge.status == "acknowledged" else "",
        text=shortened(challenge.text, TEXT_CHARS))


def _answer_buttons(challenge: Challenge) -> tuple[Button, ...]:
    # The same actions as on the challenge notice ("chalans" in the button table).
    answer = Button(f"{K.BUTTON_ANSWER} #{challenge.number}", f"chalans:answer:{challenge.id}")
    if challenge.status == "acknowledged":
        return (answer,)
    return (Button(f"{K.BUTTON_ACKNOWLEDGE} #{challenge.number}", f"chalans:ack:{challenge.id}"),
            answer)
