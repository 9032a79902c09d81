"""Quick polls: the /poll line, votes (buttons and native polls), cards, results, outcomes."""

from __future__ import annotations

from bot.kernel.context import Work
from bot.kernel.rich import Rich, render
from bot.kernel.routing import COUNCILLOR, FACILITATOR, GROUP, Command, Routes
from bot.polls import listing, outcome, running, votes, withdrawal
from bot.polls import texts as T
from bot.polls.ballots import mix_after_commit, scrub_after_commit
from bot.polls.cards import PollCards
from bot.polls.drafts import BallotDrafts
from bot.polls.export import CSV_FIELDS, export_polls, flat_rows
from bot.polls.results import totals_shown

__all__ = ["CSV_FIELDS", "PollCards", "export_polls", "flat_rows", "mix_after_commit", "register",
           "scrub_after_commit", "totals_shown"]


def help_topic(w: Work) -> Rich:
    """/help poll: how voting, secrecy and counts work (kept off the poll cards)."""
    return render(T.POLL_HELP_TOPIC, batch=w.settings.polls.ballot_batch)


def register(routes: Routes) -> None:
    routes.add_commands(
        Command("poll", running.poll_command, "start a poll in every chat of this project",
                "/poll <question> | <option> | <option> [| ...] [--multi] [--anonymous] "
                "[--hide-results] [--closes 2h|3d|18:00|2026-12-01T18:00]",
                "/poll Where should the new bench go? | By the pond | Under the oak --closes 3d",
                roles=FACILITATOR | COUNCILLOR, chats=GROUP, needs_project=True),
        Command("vote", votes.vote_command, "vote in a poll, change or withdraw your vote",
                "/vote <poll number> <option number or text | none>", "/vote 1 2",
                chats=GROUP, needs_project=True),
        Command("closepoll", running.closepoll_command, "close a poll now and post its results",
                "/closepoll <poll number>", "/closepoll 1", roles=FACILITATOR | COUNCILLOR,
                chats=GROUP, needs_project=True),
        Command("polls", listing.polls_command,
                "this project's open polls and those closed lately", "/polls", "/polls",
                chats=GROUP, needs_project=True),
        Command("cancelpoll", withdrawal.cancelpoll_command,
                "withdraw a poll posted by mistake: no results, no outcome",
                "/cancelpoll <poll number> <reason>",
                "/cancelpoll 2 The options left out the library garden; a new poll follows.",
                roles=FACILITATOR | COUNCILLOR, chats=GROUP, needs_project=True),
        Command("extendpoll", running.extendpoll_command, "give a poll more time",
                "/extendpoll <poll number> <2h | 3d | 18:00 | 2026-12-01T18:00>",
                "/extendpoll 1 2d", roles=FACILITATOR | COUNCILLOR, chats=GROUP,
                needs_project=True),
        Command("outcome", outcome.outcome_command,
                "say what happens next after a poll (posted to the project)",
                "/outcome <poll number> <what happens next>",
                "/outcome 1 We will put the bench by the pond in March.",
                roles=FACILITATOR | COUNCILLOR),
    )
    routes.add_help_topic("poll", help_topic)
    routes.add_button("poll", votes.vote_button)
    routes.add_button(outcome.ACTION, outcome.outcome_button)
    routes.add_conversation(outcome.OUTCOME_CONVERSATION, outcome.outcome_reply)
    routes.add_timer("poll.close", running.close_due)
    routes.add_timer("poll.remind", running.remind_due)
    routes.native_poll = votes.native_vote
    routes.services.append(PollCards)  # a burst of votes makes one card edit per window
    routes.services.append(BallotDrafts)  # anonymous ballots built press by press, in memory
