"""Linking councillors to project groups: proposals, accept/decline, /link, /unlink, /mygroups."""

from __future__ import annotations

from bot import groups, people
from bot.kernel.routing import COUNCILLOR, FACILITATOR, GROUP, PRIVATE, Command, Routes
from bot.linking import links

__all__ = ["register"]


def register(routes: Routes) -> None:
    routes.add_commands(
        Command("link", links.link_command, "ask a councillor to link to this project",
                "/link <councillor>", "/link Jane Doe", roles=FACILITATOR, chats=GROUP,
                needs_project=True),
        Command("unlink", links.unlink_command, "unlink a councillor from this project",
                "/unlink <councillor>", "/unlink Jane Doe", roles=FACILITATOR, chats=GROUP,
                needs_project=True),
        Command("mygroups", links.mygroups_command,
                "the project groups you are linked to (leave one from here)",
                "/mygroups", "/mygroups", roles=COUNCILLOR, chats=PRIVATE),
    )
    routes.add_button("link", links.link_button)
    # A project that becomes active, or changes its wards or topics, is proposed to the
    # councillors it matches; so is every matching project to a new councillor.
    routes.add_hook(groups.PROJECT_ACTIVE, links.propose_for_project)
    routes.add_hook(groups.AREAS_CHANGED, links.propose_for_project)
    routes.add_hook(people.COUNCILLOR_JOINED, links.propose_for_councillor)
    routes.add_hook(groups.LINKED_COUNCILLORS, links.linked_of)
