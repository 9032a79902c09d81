"""Project groups: a chat registered as a project, its scope, wards and topics, its activity."""

from __future__ import annotations

from bot.groups import project_groups
from bot.groups.activity import PROJECT_ACTIVE, is_active, on_membership
from bot.groups.activity_counts import ActivityCounter
from bot.groups.project_groups import (
    AREAS_CHANGED,
    COUNCILLOR_FIGURES,
    LINKED_COUNCILLORS,
    councillor_line,
    councillor_title,
    require_facilitator,
)
from bot.kernel.routing import GROUP, Command, Routes

__all__ = [
    "AREAS_CHANGED", "COUNCILLOR_FIGURES", "LINKED_COUNCILLORS", "PROJECT_ACTIVE", "councillor_line",
    "councillor_title", "is_active", "register", "require_facilitator",
]


def register(routes: Routes) -> None:
    routes.add_commands(
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
    )
    routes.membership = on_membership
    routes.intake = ActivityCounter  # ordinary group messages are counted, in batches
