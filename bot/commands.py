"""The command table, and the tables of buttons, forms, conversations and timers.

One explicit list: a new feature adds its rows here, and /help, the permission checks and the
platform command menus all read from it.
"""

from __future__ import annotations

from bot import (
    challenge_answers,
    challenges,
    chasing,
    digest_delivery,
    digests,
    invites,
    linking,
    poll_outcome,
    poll_votes,
    polls,
    privacy,
    project_groups,
    response_figures,  # noqa: F401  (registers the figures /councillors shows)
    retention,
)
from bot import help as help_
from bot.routing import ANYONE, GROUP, PRIVATE, Command, Routes

FACILITATOR = frozenset({"facilitator"})
COUNCILLOR = frozenset({"councillor"})


def build_routes() -> Routes:
    commands = [
        Command("help", help_.help_command, "list the commands you can use, or explain one",
                "/help [command]", "/help scope"),
        Command("start", invites.start_command, "redeem an invite code",
                "/start <code>", "/start K7Q4MZPA2B", chats=PRIVATE),
        Command("cancel", help_.cancel_command, "stop what you were in the middle of",
                "/cancel", "/cancel", chats=PRIVATE),
        # ---- project groups
        Command("project", project_groups.project_command,
                "register this chat as a project group, or add it to one",
                "/project <name> | /project join <project-code>", "/project Fremont Community Garden",
                chats=GROUP),
        Command("scope", project_groups.scope_command,
                "show the project's scope, or set it (facilitators)",
                "/scope [text]", "/scope Redesign the Fremont Road allotments with residents",
                chats=GROUP, needs_project=True),
        Command("ward", project_groups.ward_command,
                "show the project's wards, or set them (facilitators)",
                "/ward [name, name]", "/ward Fremont, Riverside", chats=GROUP, needs_project=True),
        Command("topics", project_groups.topics_command,
                "show the project's topics, or set them (facilitators)",
                "/topics [topic, topic]", "/topics housing, transport", chats=GROUP,
                needs_project=True),
        Command("councillors", project_groups.councillors_command,
                "the councillors linked to this project and how quickly they answer",
                "/councillors", "/councillors", chats=GROUP, needs_project=True),
        # ---- linking and scope challenges
        Command("link", linking.link_command, "ask a councillor to link to this project",
                "/link <councillor>", "/link Jane Doe", roles=FACILITATOR, chats=GROUP,
                needs_project=True),
        Command("unlink", linking.unlink_command, "unlink a councillor from this project",
                "/unlink <councillor>", "/unlink Jane Doe", roles=FACILITATOR, chats=GROUP,
                needs_project=True),
        Command("mygroups", linking.mygroups_command,
                "the project groups you are linked to (leave one from here)",
                "/mygroups", "/mygroups", roles=COUNCILLOR, chats=PRIVATE),
        Command("challenge", challenges.challenge_command,
                "raise a scope challenge (also as a reply to a message), or show one by number",
                "/challenge <text> | /challenge (replying to a message) | /challenge <number>",
                "/challenge The bus route cuts the allotments off from the estate",
                chats=GROUP, needs_project=True),
        Command("challenges", challenges.challenges_command,
                "this project's scope challenges with their status and age",
                "/challenges", "/challenges", chats=GROUP, needs_project=True),
        Command("withdraw", challenges.withdraw_command, "withdraw a scope challenge you raised",
                "/withdraw <number>", "/withdraw 3"),
        Command("answer", challenge_answers.answer_command, "answer a scope challenge in one line",
                "/answer <number | project-code#number> <in-scope|forward|referred|declined> "
                "<explanation>",
                "/answer 3 forward I will raise the bus route at the transport committee on 4 May",
                roles=COUNCILLOR | FACILITATOR, chats=PRIVATE),
        # ---- polls
        Command("poll", polls.poll_command, "start a poll in every chat of this project",
                "/poll <question> | <option> | <option> [| ...] [--multi] [--anonymous] "
                "[--hide-results] [--closes 2h|3d|18:00|2026-12-01T18:00]",
                "/poll Where should the new bench go? | By the pond | Under the oak --closes 3d",
                roles=FACILITATOR | COUNCILLOR, chats=GROUP, needs_project=True),
        Command("vote", poll_votes.vote_command, "vote in a poll, change or withdraw your vote",
                "/vote <poll number> <option number or text | none>", "/vote 1 2",
                chats=GROUP, needs_project=True),
        Command("closepoll", polls.closepoll_command, "close a poll now and post its results",
                "/closepoll <poll number>", "/closepoll 1", roles=FACILITATOR | COUNCILLOR,
                chats=GROUP, needs_project=True),
        Command("extendpoll", polls.extendpoll_command, "give a poll more time",
                "/extendpoll <poll number> <2h | 3d | 18:00 | 2026-12-01T18:00>",
                "/extendpoll 1 2d", roles=FACILITATOR | COUNCILLOR, chats=GROUP,
                needs_project=True),
        Command("outcome", poll_outcome.outcome_command,
                "say what happens next after a poll (posted to the project)",
                "/outcome <poll number> <what happens next>",
                "/outcome 1 We will put the bench by the pond in March.",
                roles=FACILITATOR | COUNCILLOR),
        # ---- digests
        Command("digest", digests.digest_command,
                "show or set your digest (in a group: the group's digest)",
                "/digest [daily HH:MM | weekly <day> HH:MM | off | now]", "/digest weekly mon 08:00",
                roles=COUNCILLOR | FACILITATOR),
        Command("timezone", digests.timezone_command, "show or set your time zone",
                "/timezone [Area/City]", "/timezone Europe/London", chats=PRIVATE),
        # ---- privacy and data rights
        Command("mydata", privacy.mydata_command,
                "get everything I store about you, as a file", "/mydata", "/mydata",
                chats=PRIVATE),
        Command("forgetme", privacy.forgetme_command,
                "erase your name and accounts (your challenges and votes stay, anonymous)",
                "/forgetme", "/forgetme", chats=PRIVATE),
    ]
    assert ANYONE and FACILITATOR and COUNCILLOR  # role sets used by feature rows below
    return Routes(
        commands=tuple(commands),
        buttons={
            # ---- linking and scope challenges
            "link": linking.link_button,
            "chal": challenges.support_button,
            "chalans": challenge_answers.answer_button,
            "chalfup": chasing.followup_button,
            # ---- polls
            "poll": poll_votes.vote_button,
            # ---- digests
            # ---- privacy and data rights
            privacy.ACTION: privacy.privacy_button,
        },
        forms={
            # ---- linking and scope challenges
            "chalanswer": challenge_answers.answer_form,
        },
        conversations={
            # ---- linking and scope challenges
            challenge_answers.CONVERSATION: challenge_answers.answer_conversation,
            # ---- polls
            poll_outcome.OUTCOME_CONVERSATION: poll_outcome.outcome_reply,
        },
        timers={
            # ---- linking and scope challenges
            "challenge_remind": chasing.remind,
            "challenge_escalate": chasing.escalate,
            "challenge_followup": chasing.ask_followup,
            # ---- polls
            "poll.close": polls.close_due,
            "poll.remind": polls.remind_due,
            # ---- digests
            digest_delivery.TIMER_KIND: digest_delivery.on_digest_timer,
            # ---- privacy and data rights
            retention.TIMER_KIND: retention.on_prune_timer,
        },
        native_poll=poll_votes.native_vote,  # polls
    )
