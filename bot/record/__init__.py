"""The public record: what the web may show of the projects facilitators put on it (/public on).

The web adapter reads it through ``projects`` and ``councillors``, which return the values of
``views``: no person's name but councillors', no platform ids.
"""

from __future__ import annotations

from bot import challenges
from bot.kernel.routing import GROUP, Command, Routes
from bot.record import public

__all__ = ["councillors", "projects", "register", "views"]


def register(routes: Routes) -> None:
    routes.add_commands(
        Command("public", public.public_command,
                "put this project on the public record (web pages), or take it off (facilitators)",
                "/public [on|off]", "/public on", chats=GROUP, needs_project=True),
    )
    routes.add_hook(challenges.CARD_LINES, public.card_line)  # the record's link on each card
