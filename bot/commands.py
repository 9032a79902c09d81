"""The command table, and the tables of buttons, forms, conversations and timers.

One explicit list: a new feature adds its rows here, and /help, the permission checks and the
platform command menus all read from it.
"""

from __future__ import annotations

from bot import help as help_
from bot import invites, linking, project_groups
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
        # ---- polls
        # ---- digests
        # ---- privacy and data rights
    ]
    assert ANYONE and FACILITATOR and COUNCILLOR  # role sets used by feature rows below
    return Routes(
        commands=tuple(commands),
        buttons={
            # ---- linking and scope challenges
            "link": linking.link_button,
            # ---- polls
            # ---- digests
            # ---- privacy and data rights
        },
        forms={
            # ---- linking and scope challenges
        },
        conversations={
            # ---- linking and scope challenges
            # ---- polls
        },
        timers={
            # ---- linking and scope challenges
            # ---- polls
            # ---- digests
        },
        native_poll=None,  # polls
    )
