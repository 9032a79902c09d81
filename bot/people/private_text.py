"""A private message that no conversation was waiting for: answered, never met with silence."""

from __future__ import annotations

from bot.kernel.context import Ctx
from bot.people import texts as T


async def unclaimed_text(ctx: Ctx, text: str) -> None:
    """Someone who answers or decides may believe their words went somewhere: say that nothing
    was sent and how to start again. Anyone else gets a short hello."""
    if "councillor" in ctx.roles:
        ctx.reply(T.NOTHING_SENT)
    elif ctx.roles & {"facilitator", "admin"}:
        ctx.reply(T.NOTHING_SENT_FACILITATOR)
    else:
        ctx.reply(T.PRIVATE_HELLO, bot=ctx.settings.bot.name)
