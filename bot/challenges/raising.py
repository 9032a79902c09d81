"""Scope challenges: raising, routing, the group card with its Support button, listing, withdrawing."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import or_
from sqlmodel import col, select

from bot.challenges import texts as T
from bot.challenges.states import Move, apply, can, refusal
from bot.challenges.timeline import full_timeline
from bot.challenges.views import (
    card,
    card_ref,
    name_of,
    notice,
    original_recipients,
    project_of,
    refresh_card,
    said,
    status_words,
)
from bot.kernel import texts as K
from bot.kernel.context import Ctx, Work
from bot.kernel.durations import describe_age
from bot.kernel.errors import Refusal, UsageError
from bot.kernel.rich import join, render
from bot.kernel.visible import shortened, visible_length
from storage.models import Challenge, ChallengeAnswer, Project
from storage.repo import challenges, links, people, projects

MIN_TEXT = 10
MAX_TEXT = 2000
NUMBER = re.compile(r"^#?(\d{1,6})$")
# A challenge named across projects: "<project-code>#<number>".
QUALIFIED = re.compile(r"^([A-Za-z0-9]{2,20})#(\d{1,6})$")


# ---- routing and the group card --------------------------------------------------------------


def route(w: Work, project: Project) -> tuple[str, list[int]]:
    """Linked councillors; else the ward's councillors; else the facilitators."""
    assert project.id is not None
    linked = links.linked_councillors(w.session, project_id=project.id)
    if linked:
        return "linked", linked
    ward_ids = [x.id for x in projects.project_wards(w.session, project_id=project.id) if x.id]
    ward = people.councillors_of_wards(w.session, ward_ids=ward_ids)
    if ward:
        return "ward", sorted(ward)
    return "facilitators", projects.project_facilitators(w.session, project_id=project.id)


def arm_chasing(w: Work, challenge: Challenge, *, remind: bool = True) -> None:
    c = w.settings.challenges
    key = f"challenge:{challenge.id}"
    payload = {"challenge_id": challenge.id}
    if remind:
        w.schedule("challenge_remind", f"{key}:remind",
                   w.now + timedelta(hours=c.remind_after_hours), payload)
    w.schedule("challenge_escalate", f"{key}:escalate",
               w.now + timedelta(days=c.escalate_after_days), payload)


def stop_chasing(w: Work, challenge: Challenge) -> None:
    w.cancel_timer(f"challenge:{challenge.id}:remind")
    w.cancel_timer(f"challenge:{challenge.id}:escalate")


# ---- commands ------------------------------------------------------------------------------


async def challenge_command(ctx: Ctx, args: str) -> None:
    """/challenge <text>, /challenge as a reply, or /challenge <number> to show one."""
    project = ctx.project
    assert project is not None and project.id is not None
    number = NUMBER.match(args)
    if number:
        show(ctx, project, int(number.group(1)))
        return
    # As a reply, the message replied to is the challenge and the raiser's own words go beside it.
    quoted = (getattr(ctx.event, "reply_to_text", None) or "").strip()
    text, comment = (quoted, args or None) if quoted else (args, None)
    if not visible_length(text):
        raise UsageError()
    if visible_length(text) < MIN_TEXT:
        raise Refusal(T.CHALLENGE_TOO_SHORT, minimum=MIN_TEXT)
    if visible_length(text) > MAX_TEXT or visible_length(comment or "") > MAX_TEXT:
        raise Refusal(K.TOO_LONG, limit=MAX_TEXT)
    challenge = challenges.create_challenge(
        ctx.session, project_id=project.id, text=text, raised_by=ctx.person_id,
        chat_id=ctx.chat.id, now=ctx.now, comment=comment,
    )
    assert challenge.id is not None
    challenge.routed_to, sent_to = route(ctx, project)
    reason = {"linked": "linked", "ward": "ward", "facilitators": "facilitator"}[challenge.routed_to]
    for person_id in sent_to:
        challenges.add_recipient(ctx.session, challenge_id=challenge.id, person_id=person_id,
                                 reason=reason, now=ctx.now)
    text_card, buttons = card(ctx, challenge)
    ctx.post_to_project(project.id, text_card, buttons, ref=card_ref(challenge))
    for person_id in sent_to:
        message, notice_buttons = notice(ctx, challenge, reason)
        ctx.tell(person_id, message, notice_buttons)
    arm_chasing(ctx, challenge)


async def on_person_erased(w: Work, person_id: int) -> None:
    """The cards that named an erased person (raiser or answerer) now say "a former member"."""
    answered = select(ChallengeAnswer.challenge_id).where(ChallengeAnswer.councillor_id == person_id)
    for challenge in w.session.exec(select(Challenge).where(
            or_(col(Challenge.raised_by) == person_id, col(Challenge.id).in_(answered)))):
        refresh_card(w, challenge)


def show(ctx: Ctx, project: Project, number: int) -> None:
    assert project.id is not None
    challenge = challenges.find_challenge(ctx.session, project_id=project.id, number=number)
    if challenge is None:
        raise Refusal(T.CHALLENGE_UNKNOWN, number=number, project=project.name)
    assert challenge.id is not None
    lines = [render(
        T.CHALLENGE_SHOW, number=number, project=project.name,
        raiser=name_of(ctx, challenge.raised_by), age=describe_age(ctx.now - challenge.raised_at),
        text=said(challenge), status=status_words(challenge),
        supporters=challenges.support_count(ctx.session, challenge_id=challenge.id),
    )]
    for answer in challenges.answers_to(ctx.session, challenge_id=challenge.id):
        lines.append(render(
            T.CHALLENGE_SHOW_ANSWER, name=name_of(ctx, answer.councillor_id),
            outcome=T.OUTCOME_WORDS[answer.outcome],
            when=answer.answered_at.astimezone(ctx.tz).date().isoformat(),
            explanation=answer.explanation,
        ))
    lines.append(full_timeline(ctx, challenge))
    ctx.answer(join(lines))


async def challenges_command(ctx: Ctx, args: str) -> None:
    """/challenges: the project's challenges with status and age."""
    project = ctx.project
    assert project is not None and project.id is not None
    found = challenges.project_challenges(ctx.session, project_id=project.id)
    if not found:
        ctx.answer(T.CHALLENGE_NONE, project=project.name)
        return
    lines = [render(T.CHALLENGE_LIST_HEADER, project=project.name)]
    for c in found:
        assert c.id is not None
        lines.append(render(
            T.CHALLENGE_LIST_LINE, number=c.number, status=status_words(c),
            age=describe_age(ctx.now - c.raised_at),
            supporters=challenges.support_count(ctx.session, challenge_id=c.id),
            text=shortened(c.text, 80),
        ))
    ctx.answer(join(lines))


def challenge_from_button(ctx: Ctx, parts: list[str], verbs: tuple[str, ...]) -> Challenge:
    """The challenge a button names (``<verb>:<id>[:...]``), or the stale-button refusal."""
    if len(parts) < 2 or parts[0] not in verbs or not parts[1].isdigit():
        raise Refusal(K.STALE_BUTTON)
    challenge = challenges.get_challenge(ctx.session, challenge_id=int(parts[1]))
    if challenge is None:
        raise Refusal(K.STALE_BUTTON)
    return challenge


async def support_button(ctx: Ctx, parts: list[str]) -> None:
    """chal:support:<id> on the group card.

    Pressed in a chat of the challenge's project, or in the private chat of someone who takes
    part in it; never from anywhere else (platforms let a client send any button action).
    """
    challenge = challenge_from_button(ctx, parts, ("support",))
    assert challenge.id is not None
    in_project_chat = ctx.chat.project_id == challenge.project_id
    if not in_project_chat and not (ctx.is_private and projects.takes_part(
            ctx.session, project_id=challenge.project_id, person_id=ctx.person_id)):
        raise Refusal(T.CHALLENGE_SUPPORT_NOT_HERE, number=challenge.number)
    if not can(challenge, Move.SUPPORT):
        raise refusal(challenge, Move.SUPPORT)
    if challenge.raised_by == ctx.person_id:
        raise Refusal(T.CHALLENGE_SUPPORT_OWN, number=challenge.number)
    if not challenges.add_support(ctx.session, challenge_id=challenge.id,
                                  person_id=ctx.person_id, now=ctx.now):
        raise Refusal(T.CHALLENGE_SUPPORT_TWICE, number=challenge.number)
    refresh_card(ctx, challenge)
    ctx.result.notice = render(T.CHALLENGE_SUPPORTED, number=challenge.number).text


def resolve(ctx: Ctx, ref: str, candidates: list[tuple[Challenge, Project]], move: str
            ) -> Challenge:
    """The one challenge ``ref`` names among ``candidates`` (a number, or <code>#<number>)."""
    qualified = QUALIFIED.match(ref)
    number = NUMBER.match(ref)
    if qualified:
        code, n = qualified.group(1).upper(), int(qualified.group(2))
        found = [c for c, p in candidates if p.code.upper() == code and c.number == n]
    elif number:
        n = int(number.group(1))
        found = [c for c, p in candidates if c.number == n]
    else:
        raise Refusal(T.CHALLENGE_REF_BAD, text=ref[:30], example="ABC123#3")
    if not found:
        raise Refusal(T.CHALLENGE_REF_UNKNOWN, number=n, move=move)
    if len(found) > 1:
        choices = " or ".join(f"{p.code}#{c.number} ({p.name})" for c, p in candidates
                              if c.number == n)
        raise Refusal(T.CHALLENGE_REF_AMBIGUOUS, number=n, choices=choices)
    return found[0]


def ref_number(ref: str) -> int | None:
    m = QUALIFIED.match(ref) or NUMBER.match(ref)
    return None if m is None else int(m.groups()[-1])


async def withdraw_command(ctx: Ctx, args: str) -> None:
    """/withdraw <number>: the raiser takes their challenge back."""
    ref = args.split()[0] if args else ""
    n = ref_number(ref)
    if n is None:
        raise UsageError()
    if ctx.project is not None and ctx.project.id is not None and not QUALIFIED.match(ref):
        challenge = challenges.find_challenge(ctx.session, project_id=ctx.project.id, number=n)
        if challenge is None:
            raise Refusal(T.CHALLENGE_UNKNOWN, number=n, project=ctx.project.name)
    else:
        mine = challenges.raised_with_number(ctx.session, person_id=ctx.person_id, number=n)
        challenge = resolve(ctx, ref, mine, "withdraw")
    if challenge.raised_by != ctx.person_id:
        raise Refusal(T.CHALLENGE_WITHDRAW_NOT_YOURS, number=challenge.number)
    apply(challenge, Move.WITHDRAW)
    stop_chasing(ctx, challenge)
    project = project_of(ctx, challenge)
    refresh_card(ctx, challenge)
    ctx.post_to_project(project.id or 0, T.CHALLENGE_WITHDRAWN_POST, number=challenge.number)
    for person_id in original_recipients(ctx, challenge):
        ctx.tell(person_id, T.CHALLENGE_WITHDRAWN_TELL, number=challenge.number,
                 project=project.name)
    if ctx.project is None or ctx.project.id != project.id:
        ctx.reply(T.CHALLENGE_WITHDRAWN_DONE, number=challenge.number)
