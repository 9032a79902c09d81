"""The shapes of the routing tables: commands, buttons, forms, conversations, timers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.context import Ctx, Work
from bot.events import ChatKind

CommandHandler = Callable[[Ctx, str], Awaitable[None]]
ButtonHandler = Callable[[Ctx, list[str]], Awaitable[None]]
FormHandler = Callable[[Ctx, list[str], dict[str, str]], Awaitable[None]]
ConversationHandler = Callable[[Ctx, dict[str, Any], str], Awaitable[None]]
TimerHandler = Callable[[Work, str, dict[str, Any]], Awaitable[None]]

ANYONE = frozenset({"resident", "facilitator", "councillor", "admin"})
BOTH = frozenset({ChatKind.PRIVATE, ChatKind.GROUP})
GROUP = frozenset({ChatKind.GROUP})
PRIVATE = frozenset({ChatKind.PRIVATE})


@dataclass(frozen=True)
class Command:
    """One row of the command table: the handler and everything /help and checks need."""

    name: str
    handler: CommandHandler
    summary: str
    usage: str
    example: str
    roles: frozenset[str] = ANYONE
    chats: frozenset[ChatKind] = BOTH
    needs_project: bool = False
    hidden: bool = False  # not listed by /help (still usable, e.g. /start)

    def allows_role(self, roles: set[str]) -> bool:
        return "resident" in self.roles or "admin" in roles or bool(self.roles & roles)


@dataclass(frozen=True)
class Routes:
    commands: tuple[Command, ...]
    buttons: dict[str, ButtonHandler]
    forms: dict[str, FormHandler]
    conversations: dict[str, ConversationHandler]
    timers: dict[str, TimerHandler]
    # Votes and counts from native platform polls (PollVoted, PollCounted).
    native_poll: Callable[[Ctx], Awaitable[None]] | None = None

    def command(self, name: str) -> Command | None:
        for cmd in self.commands:
            if cmd.name == name:
                return cmd
        return None
