"""Scope challenges: raising, answering, states, views, chasing, follow-up, response figures."""

from __future__ import annotations

from bot import groups, people
from bot.challenges import answers, chasing, daily_chase, figures, raising, timeline
from bot.challenges.figures import (
    CouncillorFigures,
    Given,
    Received,
    answer_times,
    councillor_figures,
    export_challenges,
    figures_from,
)
from bot.challenges.states import public_state
from bot.challenges.texts import OUTCOME_KEYWORDS, OUTCOME_WORDS
from bot.challenges.views import CARD_LINES
from bot.kernel.routing import COUNCILLOR, FACILITATOR, GROUP, PRIVATE, Command, Routes

__all__ = [
    "CARD_LINES", "OUTCOME_WORDS", "CouncillorFigures", "Given", "Received", "answer_times",
    "councillor_figures", "export_challenges", "figures_from", "public_state", "register",
]


def register(routes: Routes) -> None:
    routes.add_commands(
        Command("challenge", raising.challenge_command,
                "raise a scope challenge (also as a reply to a message), or show one by number",
                "/challenge <text> | /challenge (replying to a message) | /challenge <number>",
                "/challenge The bus route cuts the allotments off from the estate",
                chats=GROUP, needs_project=True),
        Command("challenges", raising.challenges_command,
                "this project's scope challenges with their status and age",
                "/challenges", "/challenges", chats=GROUP, needs_project=True),
        Command("withdraw", raising.withdraw_command, "withdraw a scope challenge you raised",
                "/withdraw <number>", "/withdraw 3"),
        Command("answer", answers.answer_command, "answer a scope challenge in one line",
                f"/answer <number | project-code#number> <{OUTCOME_KEYWORDS}> <explanation>",
                "/answer 3 taken-forward I will raise the bus route at the transport committee on 4 May",
                roles=COUNCILLOR | FACILITATOR, chats=PRIVATE),
    )
    routes.add_button("chal", raising.support_button)
    routes.add_button("chalans", answers.answer_button)
    routes.add_button("chalfup", chasing.followup_button)
    routes.add_form("chalanswer", answers.answer_form)
    routes.add_conversation(answers.CONVERSATION, answers.answer_conversation)
    routes.add_timer("challenge_remind", chasing.remind)
    routes.add_timer("challenge_escalate", chasing.escalate)
    routes.add_timer("challenge_followup", chasing.ask_followup)
    routes.add_timer(daily_chase.TIMER, daily_chase.send_chase)
    routes.add_hook(CARD_LINES, timeline.card_line)  # how it was chased, under the card
    routes.add_hook(groups.COUNCILLOR_FIGURES, figures.figures_line)  # shown by /councillors
    routes.add_hook(people.PERSON_ERASED, raising.on_person_erased)
