"""The routing table: commands, buttons, forms, conversations, timers, hooks and services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.kernel.context import Ctx, Work
from bot.kernel.events import ChatKind, MembershipChanged
from bot.kernel.host import Host
from bot.kernel.ports import Intake, Service
from bot.kernel.rich import Rich

CommandHandler = Callable[[Ctx, str], Awaitable[None]]
ButtonHandler = Callable[[Ctx, list[str]], Awaitable[None]]
FormHandler = Callable[[Ctx, list[str], dict[str, str]], Awaitable[None]]
ConversationHandler = Callable[[Ctx, dict[str, Any], str], Awaitable[None]]
HelpTopic = Callable[[Work], Rich]
TimerHandler = Callable[[Work, str, dict[str, Any]], Awaitable[None]]
# A feature's answer to another feature's moment; each moment documents its arguments.
Hook = Callable[..., Any]

ANYONE = frozenset({"resident", "facilitator", "councillor", "admin"})
FACILITATOR = frozenset({"facilitator"})
COUNCILLOR = frozenset({"councillor"})
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
    # Who the command serves in a private chat when that is fewer than ``roles`` (its handler
    # refuses the others there); /help lists it only for them.
    private_roles: frozenset[str] | None = None

    def allows_role(self, roles: set[str]) -> bool:
        return "resident" in self.roles or "admin" in roles or bool(self.roles & roles)

    def serves(self, roles: set[str], kind: ChatKind) -> bool:
        """Whether /help should list it for these roles in this kind of chat."""
        if self.hidden or kind not in self.chats or not self.allows_role(roles):
            return False
        return kind != ChatKind.PRIVATE or self.private_roles is None or bool(
            self.private_roles & roles)


@dataclass
class Routes:
    """The one table every feature registers into (``bot/app.py``) and the core reads.

    /help, the permission checks and the platform command menus read ``commands``; buttons and
    forms are found by the prefix of their action; timers by their kind; ``hooks`` let one
    feature act on another's moments (a project became active) without importing it.
    """

    commands: list[Command] = field(default_factory=list)
    buttons: dict[str, ButtonHandler] = field(default_factory=dict)
    forms: dict[str, FormHandler] = field(default_factory=dict)
    conversations: dict[str, ConversationHandler] = field(default_factory=dict)
    timers: dict[str, TimerHandler] = field(default_factory=dict)
    # Votes and counts from native platform polls (PollVoted, PollCounted).
    native_poll: Callable[[Ctx], Awaitable[None]] | None = None
    # The bot added to or removed from a chat (MembershipChanged).
    membership: Callable[[Ctx, MembershipChanged], Awaitable[None]] | None = None
    hooks: dict[str, list[Hook]] = field(default_factory=dict)
    # Longer explanations behind ``/help <topic>`` (a topic may share a command's name).
    help_topics: dict[str, HelpTopic] = field(default_factory=dict)
    # Run at start in one transaction: re-arm the timers that derive from other rows.
    on_start: list[Callable[[Work], int | None]] = field(default_factory=list)
    # Made once per core: work batched in memory and written once per window.
    services: list[Callable[[Host], Service]] = field(default_factory=list)
    # The service that takes ordinary group messages before any transaction (activity).
    intake: Callable[[Host], Intake] | None = None

    def add_commands(self, *commands: Command) -> None:
        for cmd in commands:
            if self.command(cmd.name) is not None:
                raise ValueError(f"/{cmd.name} is registered twice")
            self.commands.append(cmd)

    def add_button(self, prefix: str, handler: ButtonHandler) -> None:
        _add(self.buttons, prefix, handler, "button")

    def add_form(self, prefix: str, handler: FormHandler) -> None:
        _add(self.forms, prefix, handler, "form")

    def add_conversation(self, kind: str, handler: ConversationHandler) -> None:
        _add(self.conversations, kind, handler, "conversation")

    def add_timer(self, kind: str, handler: TimerHandler) -> None:
        _add(self.timers, kind, handler, "timer")

    def add_help_topic(self, name: str, topic: HelpTopic) -> None:
        _add(self.help_topics, name, topic, "help topic")

    def add_hook(self, name: str, hook: Hook) -> None:
        self.hooks.setdefault(name, []).append(hook)

    def hooked(self, name: str) -> list[Hook]:
        """What is registered for the moment ``name``, in registration order."""
        return self.hooks.get(name, [])

    def command(self, name: str) -> Command | None:
        for cmd in self.commands:
            if cmd.name == name:
                return cmd
        return None


def _add(table: dict[str, Any], key: str, handler: Any, what: str) -> None:
    if key in table:
        raise ValueError(f"the {what} {key!r} is registered twice")
    table[key] = handler
