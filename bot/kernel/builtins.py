"""What the kernel itself registers: /help, /cancel and the daily prune of the event ledger."""

from __future__ import annotations

from bot.kernel import help as help_
from bot.kernel import retention
from bot.kernel.routing import PRIVATE, Command, Routes


def register(routes: Routes) -> None:
    routes.add_commands(
        Command("help", help_.help_command, "list the commands you can use, or explain one",
                "/help [command]", "/help scope"),
        Command("cancel", help_.cancel_command, "stop what you were in the middle of",
                "/cancel", "/cancel", chats=PRIVATE),
    )
    routes.add_timer(retention.TIMER_KIND, retention.on_prune_timer)
    routes.on_start.append(retention.ensure_timer)  # the daily prune runs at start, then every day
