"""Answering a challenge: Acknowledge, the Answer form or conversation, and the one-line /answer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.challenges import texts as T
from bot.challenges.raising import challenge_from_button, ref_number, resolve, stop_chasing
from bot.challenges.states import Move, apply, can, refusal
from bot.challenges.views import name_of, original_recipients, project_of, refresh_card
from bot.kernel import texts as K
from bot.kernel.context import Ctx, Work, loads
from bot.kernel.errors import Refusal, UsageError
from bot.kernel.events import Button, Form, FormField
from bot.kernel.visible import visible_length
from storage.models import Challenge
from storage.repo import challenges, links, people, work

OUTCOMES = ("in_scope", "forward", "referred", "declined")
# What people type for each outcome.
OUTCOME_ALIASES = {
    "in-scope": "in_scope", "in_scope": "in_scope", "inscope": "in_scope", "scope": "in_scope",
    "forward": "forward", "taken-forward": "forward", "taking-it-forward": "forward", "fwd": "forward",
    "referred": "referred", "refer": "referred",
    "declined": "declined", "decline": "declined", "not-taken-forward": "declined",
}
MIN_EXPLANATION = 20
MAX_EXPLANATION = 3000
CONVERSATION = "challenge_answer"


def parse_outcome(text: str) -> str | None:
    return OUTCOME_ALIASES.get("-".join(text.lower().replace("_", "-").split()))


def check_may_answer(w: Work, challenge: Challenge, person_id: int) -> None:
    """Routed to them (escalated: councillors only), or linked to the project now."""
    assert challenge.id is not None
    got = challenges.get_recipient(w.session, challenge_id=challenge.id, person_id=person_id)
    roles = people.roles_of(w.session, person_id=person_id)
    if not roles & {"councillor", "facilitator"}:  # a revoked role ends the right at once
        raise Refusal(T.CHALLENGE_NOT_RECIPIENT, number=challenge.number)
    if got is not None and (got.reason != "escalation" or "councillor" in roles):
        return
    if person_id in links.linked_councillors(w.session, project_id=challenge.project_id):
        return
    raise Refusal(T.CHALLENGE_NOT_RECIPIENT, number=challenge.number)


def answer_sent(ctx: Ctx, challenge: Challenge) -> None:
    """Thank the councillor, saying truly whether the raiser was told (not after an erasure)."""
    reachable = challenge.raised_by is not None and bool(
        people.identities_of(ctx.session, person_id=challenge.raised_by))  # none after erasure
    sent = T.ANSWER_SENT if reachable else T.ANSWER_SENT_RAISER_GONE
    ctx.reply(sent, number=challenge.number, project=project_of(ctx, challenge).name)


def check_explanation(text: str) -> str:
    text = text.strip()
    if visible_length(text) < MIN_EXPLANATION:
        raise Refusal(T.ANSWER_EXPLANATION_TOO_SHORT, minimum=MIN_EXPLANATION)
    if visible_length(text) > MAX_EXPLANATION:
        raise Refusal(K.TOO_LONG, limit=MAX_EXPLANATION)
    return text


def record_answer(w: Work, challenge: Challenge, person_id: int, outcome: str,
                  explanation: str) -> None:
    """The answer: to every chat of the project, to the raiser, and a follow-up to come."""
    assert challenge.id is not None
    check_may_answer(w, challenge, person_id)
    apply(challenge, Move.ANSWER)
    answer = challenges.add_answer(w.session, challenge_id=challenge.id, councillor_id=person_id,
                                   outcome=outcome, explanation=explanation, now=w.now)
    challenge.answered_at = w.now
    stop_chasing(w, challenge)
    project = project_of(w, challenge)
    name, words = name_of(w, person_id), T.OUTCOME_WORDS[outcome]
    refresh_card(w, challenge)
    w.post_to_project(project.id or 0, T.ANSWER_POSTED, number=challenge.number, name=name,
                      outcome=words, explanation=explanation, challenge=challenge.text)
    if challenge.raised_by is not None:
        w.tell(challenge.raised_by, T.ANSWER_TO_RAISER, number=challenge.number,
               project=project.name, name=name, outcome=words, explanation=explanation)
    for other in original_recipients(w, challenge):
        if other != person_id:
            w.tell(other, T.ANSWER_TOLD_OTHERS, name=name, number=challenge.number,
                   project=project.name)
    followup = challenges.create_followup(w.session, challenge_id=challenge.id,
                                          answer_id=answer.id or 0)
    w.schedule("challenge_followup", f"challenge:{challenge.id}:followup",
               w.now + timedelta(days=w.settings.challenges.followup_after_days),
               {"challenge_id": challenge.id, "followup_id": followup.id})


# ---- buttons: chalans:<verb>:<challenge id>[:<outcome>] --------------------------------------


async def answer_button(ctx: Ctx, parts: list[str]) -> None:
    challenge = challenge_from_button(
        ctx, parts, ("ack", "answer", "outcome", "confirm", "cancel")
    )
    verb = parts[0]
    if not ctx.is_private:  # the notice is private; an answer is never started in a group
        raise Refusal(K.BUTTON_PRIVATE_ONLY)
    check_may_answer(ctx, challenge, ctx.person_id)
    if verb == "cancel":
        ctx.end_conversation()
        ctx.reply(K.CANCELLED)
        return
    if verb == "ack":
        acknowledge(ctx, challenge)
    elif verb == "answer":
        start_answer(ctx, challenge)
    elif verb == "outcome":
        outcome = parts[2] if len(parts) == 3 and parts[2] in OUTCOMES else None
        if outcome is None:
            raise Refusal(K.STALE_BUTTON)
        choose_outcome(ctx, challenge, outcome)
    else:
        confirm(ctx, challenge)


def acknowledge(ctx: Ctx, challenge: Challenge) -> None:
    apply(challenge, Move.ACKNOWLEDGE)
    if challenge.acknowledged_at is None:  # a reopened challenge keeps its first acknowledgement
        challenge.acknowledged_at, challenge.acknowledged_by = ctx.now, ctx.person_id
    ctx.cancel_timer(f"challenge:{challenge.id}:remind")
    project = project_of(ctx, challenge)
    refresh_card(ctx, challenge)
    ctx.reply(T.CHALLENGE_ACKNOWLEDGED, number=challenge.number, project=project.name)
    if challenge.raised_by is not None:
        ctx.tell(challenge.raised_by, T.CHALLENGE_ACK_TOLD, name=name_of(ctx, ctx.person_id),
                 number=challenge.number, project=project.name)


def start_answer(ctx: Ctx, challenge: Challenge) -> None:
    """A form where the platform has them; otherwise a short private conversation."""
    if not can(challenge, Move.ANSWER):
        raise refusal(challenge, Move.ANSWER)
    project = project_of(ctx, challenge)
    if getattr(ctx.event, "supports_forms", False):
        ctx.result.form = Form(
            title=T.ANSWER_FORM_TITLE.format(number=challenge.number),
            action=f"chalanswer:{challenge.id}",
            fields=(
                FormField("outcome", T.ANSWER_FORM_OUTCOME,
                          choices=tuple((o, T.OUTCOME_BUTTONS[o]) for o in OUTCOMES)),
                FormField("explanation", T.ANSWER_FORM_EXPLANATION, multiline=True),
            ),
            submit_label=T.ANSWER_FORM_SUBMIT,
            intro=challenge.text[:500],
        )
        return
    ctx.set_conversation(CONVERSATION, {"challenge_id": challenge.id, "step": "outcome"})
    buttons = [[Button(T.OUTCOME_BUTTONS[o], f"chalans:outcome:{challenge.id}:{o}")
                for o in OUTCOMES[:2]],
               [Button(T.OUTCOME_BUTTONS[o], f"chalans:outcome:{challenge.id}:{o}")
                for o in OUTCOMES[2:]],
               [Button(T.BUTTON_CANCEL, f"chalans:cancel:{challenge.id}")]]
    ctx.reply(T.ANSWER_CHOOSE_OUTCOME, buttons, number=challenge.number, project=project.name,
              challenge=challenge.text)


def choose_outcome(ctx: Ctx, challenge: Challenge, outcome: str) -> None:
    if not can(challenge, Move.ANSWER):
        raise refusal(challenge, Move.ANSWER)
    ctx.set_conversation(CONVERSATION, {"challenge_id": challenge.id, "step": "explanation",
                                        "outcome": outcome})
    ctx.reply(T.ANSWER_ASK_EXPLANATION, outcome=T.OUTCOME_WORDS[outcome])


async def answer_conversation(ctx: Ctx, state: dict[str, Any], text: str) -> None:
    """Typed input while answering: an outcome word, the explanation, or a nudge to confirm."""
    challenge = challenges.get_challenge(ctx.session, challenge_id=int(state["challenge_id"]))
    if challenge is None or not can(challenge, Move.ANSWER):
        # Not a refusal: that would roll back the end of the conversation too.
        ctx.end_conversation()
        ctx.reply(T.ANSWER_NOT_IN_PROGRESS if challenge is None
                  else refusal(challenge, Move.ANSWER).message)
        return
    step = state.get("step")
    if step == "outcome":
        outcome = parse_outcome(text)
        if outcome is None:
            raise Refusal(T.ANSWER_PICK_WITH_BUTTONS)
        choose_outcome(ctx, challenge, outcome)
    elif step == "explanation":
        explanation = check_explanation(text)
        ctx.set_conversation(CONVERSATION, {**state, "step": "confirm", "explanation": explanation})
        project = project_of(ctx, challenge)
        ctx.reply(T.ANSWER_PREVIEW,
                  [[Button(T.BUTTON_CONFIRM, f"chalans:confirm:{challenge.id}"),
                    Button(T.BUTTON_CANCEL, f"chalans:cancel:{challenge.id}")]],
                  number=challenge.number, project=project.name,
                  outcome=T.OUTCOME_WORDS[state["outcome"]], explanation=explanation)
    else:
        raise Refusal(T.ANSWER_PRESS_CONFIRM)


def confirm(ctx: Ctx, challenge: Challenge) -> None:
    conv = work.get_conversation(ctx.session, platform=ctx.identity.platform,
                                 user_id=ctx.identity.user_id)
    state = {} if conv is None or conv.kind != CONVERSATION else loads(conv.state)
    if state.get("challenge_id") != challenge.id or state.get("step") != "confirm":
        raise Refusal(T.ANSWER_NOT_IN_PROGRESS)
    ctx.end_conversation()
    if not can(challenge, Move.ANSWER):  # answered or withdrawn meanwhile: nothing left to confirm
        ctx.reply(refusal(challenge, Move.ANSWER).message)
        return
    record_answer(ctx, challenge, ctx.person_id, state["outcome"], state["explanation"])
    answer_sent(ctx, challenge)


# ---- the form (chalanswer:<id>) and the one-line /answer ------------------------------------


async def answer_form(ctx: Ctx, parts: list[str], values: dict[str, str]) -> None:
    if len(parts) != 1 or not parts[0].isdigit():
        raise Refusal(K.STALE_BUTTON)
    challenge = challenges.get_challenge(ctx.session, challenge_id=int(parts[0]))
    if challenge is None:
        raise Refusal(K.STALE_BUTTON)
    outcome = values.get("outcome", "")
    explanation = values.get("explanation", "").strip()
    errors: dict[str, str] = {}
    if outcome not in OUTCOMES:
        errors["outcome"] = T.ANSWER_FORM_PICK_OUTCOME
    try:
        explanation = check_explanation(explanation)
    except Refusal as exc:
        errors["explanation"] = exc.message.text
    if errors:
        ctx.result.field_errors = errors
        return
    record_answer(ctx, challenge, ctx.person_id, outcome, explanation)
    answer_sent(ctx, challenge)


async def answer_command(ctx: Ctx, args: str) -> None:
    """/answer <number> <outcome> <explanation> (number may be <project-code>#<number>)."""
    words = args.split(maxsplit=2)
    if len(words) < 2:
        raise UsageError()
    ref, outcome_word = words[0], words[1]
    outcome = parse_outcome(outcome_word)
    if outcome is None:
        raise Refusal(T.ANSWER_OUTCOME_UNKNOWN, outcome=outcome_word[:30])
    explanation = check_explanation(words[2] if len(words) == 3 else "")
    number = ref_number(ref)
    if number is None:
        raise Refusal(T.CHALLENGE_REF_BAD, text=ref[:30], example="ABC123#3")
    candidates = challenges.answerable_with_number(ctx.session, person_id=ctx.person_id,
                                                   number=number)
    challenge = resolve(ctx, ref, candidates, "answer")
    ctx.end_conversation()  # a half-finished answer by buttons is replaced by this one
    record_answer(ctx, challenge, ctx.person_id, outcome, explanation)
    answer_sent(ctx, challenge)
