"""From an event to its handler: the checks every command shares, done once here."""

from __future__ import annotations

import difflib
import logging
import re

from bot.kernel import texts as T
from bot.kernel.context import Ctx, loads
from bot.kernel.errors import Refusal
from bot.kernel.events import (
    ButtonPressed,
    ChatKind,
    CommandIssued,
    FormSubmitted,
    MembershipChanged,
    MessagePosted,
    PollCounted,
    PollVoted,
)
from bot.kernel.rich import Rich, render
from bot.kernel.routing import Command, Routes
from storage.repo import work

log = logging.getLogger(__name__)

MAX_ARGS = 4000  # longer than any platform's message; anything past it is not a command
# The shape of every action the core puts on a button or form: words and small ASCII numbers.
# Anything else did not come from us (or is from a retired version): refused before any lookup.
ACTION = re.compile(r"[a-z_.]{1,24}(:([a-z_]{1,24}|[0-9]{1,18}))*")
# The moment a private message arrives that no conversation waits for: hook(ctx, text).
PRIVATE_TEXT = "private_text"


async def dispatch(ctx: Ctx, routes: Routes) -> None:
    event = ctx.event
    if isinstance(event, CommandIssued):
        await run_command(ctx, routes, event)
    elif isinstance(event, ButtonPressed):
        if not ACTION.fullmatch(event.action):
            raise Refusal(T.STALE_BUTTON)
        prefix, *parts = event.action.split(":")
        button = routes.buttons.get(prefix)
        if button is None:
            raise Refusal(T.STALE_BUTTON)
        await button(ctx, parts)
    elif isinstance(event, FormSubmitted):
        if not ACTION.fullmatch(event.action):
            raise Refusal(T.STALE_BUTTON)
        prefix, *parts = event.action.split(":")
        form = routes.forms.get(prefix)
        if form is None:
            raise Refusal(T.STALE_BUTTON)
        await form(ctx, parts, dict(event.values))
    elif isinstance(event, MessagePosted):
        await on_message(ctx, routes, event)
    elif isinstance(event, (PollVoted, PollCounted)):
        if routes.native_poll is not None:
            await routes.native_poll(ctx)
    elif isinstance(event, MembershipChanged):
        if routes.membership is not None:
            await routes.membership(ctx, event)


async def run_command(ctx: Ctx, routes: Routes, event: CommandIssued) -> None:
    name = event.name.lower()
    cmd = routes.command(name)
    if cmd is None or (cmd.hidden and not cmd.summary):
        raise Refusal(unknown_command(ctx, routes, name))
    check_allowed(ctx, cmd)
    args = event.args.strip()
    if len(args) > MAX_ARGS:
        raise Refusal(T.TOO_LONG, limit=MAX_ARGS)
    await cmd.handler(ctx, args)


def unknown_command(ctx: Ctx, routes: Routes, name: str) -> Rich:
    """An unknown command's answer, naming the nearest command this person may use here."""
    kind = ctx.event.chat.kind
    usable = [c.name for c in routes.commands if c.serves(ctx.roles, kind)]
    near = difflib.get_close_matches(name.lower(), usable, n=1, cutoff=0.6)
    if near:
        return render(T.UNKNOWN_COMMAND_NEAR, name=name[:40], near=near[0])
    return render(T.UNKNOWN_COMMAND, name=name[:40])


def check_allowed(ctx: Ctx, cmd: Command) -> None:
    """Refuse, with a one-line reason, a command this person may not use in this chat."""
    kind = ctx.event.chat.kind
    if kind not in cmd.chats:
        raise Refusal(T.PRIVATE_ONLY if kind == ChatKind.GROUP else T.GROUP_ONLY, name=cmd.name)
    if not cmd.allows_role(ctx.roles):
        names = [T.ROLE_NAMES[r] for r in sorted(cmd.roles) if r != "admin"]
        raise Refusal(T.ROLE_REQUIRED, roles=" and ".join(names) or "admins", name=cmd.name)
    if cmd.needs_project and ctx.project is None:
        raise Refusal(T.NOT_A_PROJECT)


async def on_message(ctx: Ctx, routes: Routes, event: MessagePosted) -> None:
    """A private message: input to an open conversation (group messages are taken by the core's
    intake, the activity counter, and never reach here)."""
    if not ctx.is_private:
        return
    conv = work.get_conversation(
        ctx.session, platform=ctx.identity.platform, user_id=ctx.identity.user_id
    )
    if conv is not None:
        handler = routes.conversations.get(conv.kind)
        if handler is not None:
            await handler(ctx, loads(conv.state), event.text)
            return
        ctx.end_conversation()
    for hook in routes.hooked(PRIVATE_TEXT):
        await hook(ctx, event.text)
