"""Digests: each recipient's schedule, what is new for them, delivery exactly once per period."""

from __future__ import annotations

from bot import groups, people
from bot.digests import commands, delivery
from bot.digests.content import Window, councillor_items, split_messages
from bot.digests.delivery import cadence_of, deliver, preview_digest, preview_group_digest, zone_of
from bot.kernel.routing import COUNCILLOR, FACILITATOR, PRIVATE, Command, Routes

__all__ = [
    "Window", "cadence_of", "councillor_items", "deliver", "preview_digest", "preview_group_digest",
    "register", "split_messages", "zone_of",
]


def register(routes: Routes) -> None:
    routes.add_commands(
        Command("digest", commands.digest_command,
                "show or set your digest (in a group: the group's digest)",
                "/digest [daily HH:MM | weekly <day> HH:MM | off | now]", "/digest weekly mon 08:00",
                roles=COUNCILLOR | FACILITATOR, private_roles=COUNCILLOR),
        Command("timezone", commands.timezone_command, "show or set your time zone",
                "/timezone [Area/City]", "/timezone Europe/London", chats=PRIVATE),
    )
    routes.add_timer(delivery.TIMER_KIND, delivery.on_digest_timer)
    # A councillor gets the default digest on joining, a project when it first sets its wards or
    # topics or becomes active; and at every start, any still without one.
    routes.add_hook(people.COUNCILLOR_JOINED, commands.on_councillor)
    routes.add_hook(groups.AREAS_CHANGED, commands.on_project)
    routes.add_hook(groups.PROJECT_ACTIVE, commands.on_project)
    routes.on_start.append(delivery.ensure_all)
