"""How a challenge is shown: the card in the project's chats and the notice its recipients get."""

from __future__ import annotations

from bot.challenges import texts as T
from bot.challenges.states import Move, can, public_state
from bot.kernel import texts as K
from bot.kernel.context import Work
from bot.kernel.events import Button
from bot.kernel.rich import PersonName, Rich, join, render
from storage.models import Challenge, Person, Project
from storage.repo import challenges, people, projects

CARD_LINES = "challenge.card_lines"  # hooks adding a line under a card: (Work, Challenge) -> Rich | None


def name_of(w: Work, person_id: int | None) -> str:
    """How a person is named to others: "Cllr Jane Doe" for councillors; erased: a former member."""
    person = None if person_id is None else w.session.get(Person, person_id)
    if person is None or person.name is None or person.id is None:
        return T.FORMER_MEMBER
    if "councillor" in people.roles_of(w.session, person_id=person.id):
        return PersonName(f"Cllr {person.name}", person.id)
    return PersonName(person.name, person.id)


def project_of(w: Work, challenge: Challenge) -> Project:
    project = w.session.get(Project, challenge.project_id)
    assert project is not None
    return project


def names(w: Work, person_ids: list[int]) -> Rich:
    return join([render("{name}", name=name_of(w, p)) for p in person_ids], ", ")


def original_recipients(w: Work, challenge: Challenge) -> list[int]:
    """Who the challenge went to when raised (not who heard of it by escalation)."""
    assert challenge.id is not None
    return [
        r.person_id
        for r in challenges.recipients(w.session, challenge_id=challenge.id)
        if r.reason != "escalation"
    ]


def card(w: Work, challenge: Challenge) -> tuple[Rich, list[list[Button]]]:
    """The challenge as shown in the project's chats, with Support while it is open."""
    assert challenge.id is not None
    sent_to = original_recipients(w, challenge)
    answers = challenges.answers_to(w.session, challenge_id=challenge.id)
    if challenge.status == "withdrawn":
        status = render(T.CHALLENGE_CARD_WITHDRAWN)
    elif challenge.status == "answered" and answers:
        status = render(T.CHALLENGE_CARD_ANSWERED, name=name_of(w, answers[-1].councillor_id),
                        outcome=T.OUTCOME_WORDS[answers[-1].outcome])
    elif challenge.reopened_at is not None and challenge.status == "open":
        status = render(T.CHALLENGE_CARD_REOPENED)
    elif challenge.escalated_at is not None:
        reached = [r.person_id for r in challenges.recipients(w.session, challenge_id=challenge.id)]
        status = (render(T.CHALLENGE_CARD_ESCALATED, names=names(w, reached)) if reached
                  else render(T.CHALLENGE_CARD_ESCALATED_NOBODY))
    elif challenge.status == "acknowledged":
        status = render(T.CHALLENGE_CARD_ACKNOWLEDGED, name=name_of(w, challenge.acknowledged_by))
    elif not sent_to:
        status = render(T.CHALLENGE_CARD_NOBODY)
    elif challenge.routed_to == "facilitators":
        status = render(T.CHALLENGE_CARD_NO_COUNCILLOR, names=names(w, sent_to))
    else:
        status = render(T.CHALLENGE_CARD_SENT, names=names(w, sent_to))
    text = render(
        T.CHALLENGE_CARD,
        number=challenge.number,
        raiser=name_of(w, challenge.raised_by),
        text=said(challenge),
        status=status,
        supporters=challenges.support_count(w.session, challenge_id=challenge.id),
    )
    for line in w.core.routes.hooked(CARD_LINES):
        extra = line(w, challenge)
        if extra is not None:
            text = text + "\n" + extra
    buttons = []
    if can(challenge, Move.SUPPORT):
        buttons = [[Button(T.BUTTON_SUPPORT, f"chal:support:{challenge.id}")]]
    return text, buttons


def said(challenge: Challenge) -> Rich | str:
    """The challenge's text, with the raiser's own words beside it when it was raised by a reply."""
    if not challenge.comment:
        return challenge.text
    return render(T.CHALLENGE_WITH_COMMENT, text=challenge.text, comment=challenge.comment)


def status_words(challenge: Challenge) -> str:
    return T.CHALLENGE_STATUS_WORDS[public_state(challenge)]


def card_ref(challenge: Challenge) -> str:
    return f"challenge:{challenge.id}"


def refresh_card(w: Work, challenge: Challenge) -> None:
    text, buttons = card(w, challenge)
    w.edit_in_project(challenge.project_id, card_ref(challenge), text, buttons)


def notice(w: Work, challenge: Challenge, reason: str) -> tuple[Rich, list[list[Button]]]:
    """The private message a recipient gets: scope, text, raiser, supporters; Acknowledge/Answer."""
    assert challenge.id is not None
    project = project_of(w, challenge)
    flag: Rich | str = ""
    if reason == "ward":
        ward_names = [x.name for x in projects.project_wards(w.session, project_id=project.id or 0)]
        flag = render(T.CHALLENGE_FLAG_WARD, wards=", ".join(ward_names))
    elif reason == "facilitator":
        flag = render(T.CHALLENGE_FLAG_FACILITATOR)
    text = render(
        T.CHALLENGE_NOTICE,
        number=challenge.number,
        project=project.name,
        flag=flag,
        scope=project.scope or K.NO_SCOPE_YET,
        raiser=name_of(w, challenge.raised_by),
        text=said(challenge),
        supporters=challenges.support_count(w.session, challenge_id=challenge.id),
        keywords=T.OUTCOME_KEYWORDS,
    )
    return text, answer_buttons(challenge)


def answer_buttons(challenge: Challenge) -> list[list[Button]]:
    return [[Button(K.BUTTON_ACKNOWLEDGE, f"chalans:ack:{challenge.id}"),
             Button(K.BUTTON_ANSWER, f"chalans:answer:{challenge.id}")]]
