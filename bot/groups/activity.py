"""Activity per project (counts, never text) and the bot's own membership of chats."""

from __future__ import annotations

from datetime import timedelta

from bot.groups import texts as T
from bot.kernel.context import Ctx, Work
from bot.kernel.events import MemberChange, MembershipChanged
from storage.models import Project
from storage.repo import projects

# Hook (see Routes.add_hook): a project became active, once; async (work, project).
PROJECT_ACTIVE = "project.active"


def is_active(w: Work, project: Project) -> bool:
    assert project.id is not None
    since = w.today - timedelta(days=w.settings.activity.window_days - 1)
    count = projects.participants_since(w.session, project_id=project.id, since=since)
    return count >= w.settings.activity.min_participants


async def check_active(w: Work, project: Project) -> None:
    """Mark the moment a project first reaches the activity threshold (and tell who cares)."""
    if project.became_active_at is not None:
        return
    if is_active(w, project):
        project.became_active_at = w.now
        for callback in w.core.routes.hooked(PROJECT_ACTIVE):
            await callback(w, project)


async def on_membership(ctx: Ctx, event: MembershipChanged) -> None:
    if event.change == MemberChange.BOT_ADDED:
        ctx.chat.gone_at = None  # added back: the chat (and its project) is live again
        ctx.reply(T.BOT_ADDED, bot=ctx.settings.bot.name)
    elif event.change == MemberChange.BOT_REMOVED:
        ctx.chat.gone_at = ctx.now
    elif event.change == MemberChange.CHAT_MIGRATED and event.new_chat_id:
        # The group became a supergroup: same chat, new id; the project keeps it.
        existing = projects.find_chat(
            ctx.session, platform=ctx.chat.platform, platform_chat_id=event.new_chat_id
        )
        if existing is not None and existing.id != ctx.chat.id:
            if existing.project_id is None:
                existing.project_id = ctx.chat.project_id
            ctx.chat.gone_at = ctx.now
        else:
            ctx.chat.platform_chat_id = event.new_chat_id
            ctx.chat.gone_at = None
