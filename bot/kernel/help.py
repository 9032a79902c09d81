"""/help: the commands this person may use in this kind of chat, or one command in full."""

from __future__ import annotations

from functools import lru_cache

from bot.kernel import texts as T
from bot.kernel.context import Ctx
from bot.kernel.dispatch import unknown_command
from bot.kernel.events import ChatKind
from bot.kernel.rich import Rich, join, render
from bot.kernel.routing import Command, Routes


async def help_command(ctx: Ctx, args: str) -> None:
    routes = ctx.core.routes
    assert isinstance(routes, Routes)  # the core's whole table, not only its hooks
    if args:
        name = args.split()[0].lstrip("/").lower()
        cmd = routes.command(name)
        topic = routes.help_topics.get(name)
        if cmd is None and topic is None:
            ctx.answer(unknown_command(ctx, routes, name))
            return
        parts = [] if topic is None else [topic(ctx)]
        if cmd is not None:
            parts.append(render(T.HELP_COMMAND, name=cmd.name, summary=cmd.summary,
                                usage=cmd.usage, example=cmd.example))
        ctx.answer(join(parts, "\n\n"))
        return
    ctx.answer(_listing(tuple(routes.commands), ctx.event.chat.kind, frozenset(ctx.roles)))


@lru_cache(maxsize=256)
def _listing(commands: tuple[Command, ...], kind: ChatKind, roles: frozenset[str]) -> Rich | str:
    """The list /help shows; the same for everyone with these roles in this kind of chat, so it
    is made once (building it was most of a /help's work)."""
    usable = [c for c in commands if c.serves(set(roles), kind)]
    if not usable:
        return T.HELP_NO_COMMANDS
    lines = [render(T.HELP_HEADER)]
    lines += [render(T.HELP_LINE, name=c.name, summary=c.summary) for c in usable]
    lines.append(render(T.HELP_FOOTER))
    return join(lines)


async def cancel_command(ctx: Ctx, args: str) -> None:
    ctx.answer(T.CANCELLED if ctx.end_conversation() else T.NOTHING_TO_CANCEL)
