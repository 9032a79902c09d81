"""Chasing on timers: the reminder, the escalation, the follow-up question and its replies."""

from __future__ import annotations

from typing import Any

from bot.challenges import daily_chase
from bot.challenges import texts as T
from bot.challenges.raising import arm_chasing
from bot.challenges.states import ACKNOWLEDGED, ANSWERED, OPEN, Move, apply
from bot.challenges.views import (
    answer_buttons,
    name_of,
    original_recipients,
    project_of,
    refresh_card,
)
from bot.kernel import texts as K
from bot.kernel.context import Ctx, Work
from bot.kernel.durations import describe_age
from bot.kernel.errors import Refusal
from bot.kernel.events import Button
from storage.models import Challenge, ChallengeAnswer, ChallengeFollowup
from storage.repo import challenges, people, projects

FOLLOWUP_REPLIES = ("yes", "not_really", "still_waiting")
WAITED_FOR = ("forward", "referred")  # outcomes after which a raiser can be "still waiting"


def _challenge(w: Work, payload: dict[str, Any]) -> Challenge | None:
    return challenges.get_challenge(w.session, challenge_id=int(payload["challenge_id"]))


async def remind(w: Work, key: str, payload: dict[str, Any]) -> None:
    """No acknowledgement yet: remind the people it was sent to, once."""
    challenge = _challenge(w, payload)
    if challenge is None or challenge.status != OPEN or challenge.acknowledged_at is not None:
        return
    challenge.reminded_at = w.now
    for person_id in original_recipients(w, challenge):
        daily_chase.gather(w, person_id, daily_chase.REMIND, challenge)
    refresh_card(w, challenge)


async def escalate(w: Work, key: str, payload: dict[str, Any]) -> None:
    """No answer yet: tell the ward's other councillors and the facilitators."""
    challenge = _challenge(w, payload)
    if challenge is None or challenge.status not in (OPEN, ACKNOWLEDGED):
        return
    assert challenge.id is not None
    project = project_of(w, challenge)
    assert project.id is not None
    first = original_recipients(w, challenge)
    ward_ids = [x.id for x in projects.project_wards(w.session, project_id=project.id) if x.id]
    councillors = [p for p in sorted(people.councillors_of_wards(w.session, ward_ids=ward_ids))
                   if p not in first]
    facilitators = [p for p in projects.project_facilitators(w.session, project_id=project.id)
                    if p not in first and p not in councillors]
    if challenge.escalated_at is None:
        challenge.escalated_at = w.now
    for person_id in councillors + facilitators:
        challenges.add_recipient(w.session, challenge_id=challenge.id, person_id=person_id,
                                 reason="escalation", now=w.now)
        daily_chase.gather(w, person_id, daily_chase.ESCALATED, challenge,
                           may_answer=person_id in councillors)
    told = ["ward"] if councillors else []
    told += ["facilitators"] if facilitators else []
    for person_id in first:
        if told:
            daily_chase.gather(w, person_id, daily_chase.TOLD, challenge, told=told)
        else:  # it went to everyone there is already: they are the ones to act
            daily_chase.gather(w, person_id, daily_chase.NOBODY_ELSE, challenge)
    refresh_card(w, challenge)  # the card says it was escalated, as the records do
    if challenge.raised_by is not None and challenge.raised_by not in first:
        w.tell(challenge.raised_by, T.ESCALATION_RAISER, number=challenge.number,
               project=project.name, age=describe_age(w.now - (challenge.reopened_at
                                                                or challenge.raised_at)),
               told=" and ".join(T.CHASE_TOLD_WHO[who] for who in told) or T.ESCALATION_AGAIN)


async def ask_followup(w: Work, key: str, payload: dict[str, Any]) -> None:
    """Some days after an answer: ask the raiser whether it answered their challenge."""
    challenge = _challenge(w, payload)
    followup = w.session.get(ChallengeFollowup, int(payload["followup_id"]))
    if challenge is None or followup is None or challenge.raised_by is None:
        return
    if challenge.status != ANSWERED or followup.asked_at is not None:
        return  # reopened or withdrawn since, or asked already
    answer = w.session.get(ChallengeAnswer, followup.answer_id)
    assert answer is not None
    followup.asked_at = w.now
    project = project_of(w, challenge)
    # "Still waiting" only where the answer promised something to wait for.
    replies = FOLLOWUP_REPLIES if answer.outcome in WAITED_FOR else FOLLOWUP_REPLIES[:2]
    buttons = [[Button(T.BUTTON_FOLLOWUP[r], f"chalfup:{r}:{followup.id}") for r in replies]]
    w.tell(challenge.raised_by, T.FOLLOWUP_QUESTION, buttons,
           days=w.settings.challenges.followup_after_days, name=name_of(w, answer.councillor_id),
           number=challenge.number, project=project.name,
           outcome=T.OUTCOME_WORDS[answer.outcome], explanation=answer.explanation)


async def followup_button(ctx: Ctx, parts: list[str]) -> None:
    """chalfup:<yes|not_really|still_waiting>:<follow-up id>, pressed by the raiser."""
    if len(parts) != 2 or parts[0] not in FOLLOWUP_REPLIES or not parts[1].isdigit():
        raise Refusal(K.STALE_BUTTON)
    reply = parts[0]
    followup = ctx.session.get(ChallengeFollowup, int(parts[1]))
    challenge = None if followup is None else ctx.session.get(Challenge, followup.challenge_id)
    if followup is None or challenge is None:
        raise Refusal(K.STALE_BUTTON)
    if challenge.raised_by != ctx.person_id:
        raise Refusal(T.FOLLOWUP_NOT_YOURS)
    if not ctx.is_private:  # asked privately; the reply is given there
        raise Refusal(K.BUTTON_PRIVATE_ONLY)
    if followup.reply is not None:
        raise Refusal(T.FOLLOWUP_ALREADY)
    answer = ctx.session.get(ChallengeAnswer, followup.answer_id)
    assert answer is not None
    followup.reply, followup.replied_at = reply, ctx.now
    project = project_of(ctx, challenge)
    councillor = answer.councillor_id
    name = name_of(ctx, councillor)
    if reply == "yes":
        ctx.reply(T.FOLLOWUP_THANKS_YES, number=challenge.number)
    elif reply == "not_really":
        apply(challenge, Move.REOPEN)
        challenge.reopened_at = ctx.now
        arm_chasing(ctx, challenge, remind=False)  # the councillor is told right now instead
        refresh_card(ctx, challenge)
        ctx.post_to_project(project.id or 0, T.FOLLOWUP_REOPENED_POST, number=challenge.number)
        if councillor is not None:
            ctx.tell(councillor, T.FOLLOWUP_REOPENED_TELL, answer_buttons(challenge),
                     number=challenge.number, project=project.name)
        ctx.reply(T.FOLLOWUP_THANKS_REOPENED, number=challenge.number, name=name)
    else:
        if councillor is not None:
            ctx.tell(councillor, T.FOLLOWUP_WAITING_TELL, number=challenge.number,
                     project=project.name)
        ctx.reply(T.FOLLOWUP_THANKS_WAITING, name=name)
