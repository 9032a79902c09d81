"""/public on|off: a facilitator puts a project on the public record, or takes it down."""

from __future__ import annotations

from bot.groups import require_facilitator
from bot.kernel.context import Ctx, Work
from bot.kernel.errors import UsageError
from bot.kernel.rich import Rich, render
from bot.record import texts as T
from storage.models import Challenge, Project
from storage.repo import record


def project_url(w: Work, project: Project) -> str | None:
    base = w.settings.web.public_url
    return None if base is None else f"{base}/p/{project.code}"


def challenge_url(w: Work, project: Project, number: int) -> str | None:
    url = project_url(w, project)
    return None if url is None else f"{url}/c/{number}"


def _at(url: str | None) -> str:
    return f" at {url}" if url else ""


async def public_command(ctx: Ctx, args: str) -> None:
    """/public (show), /public on, /public off."""
    project = ctx.project
    assert project is not None and project.id is not None
    word = args.strip().lower()
    link = _at(project_url(ctx, project))
    if not word:
        if project.public_since is not None:
            ctx.answer(T.PUBLIC_SHOW_ON, project=project.name, link=link)
        else:
            ctx.answer(T.PUBLIC_SHOW_OFF, project=project.name)
        return
    if word not in T.PUBLIC_USAGE_WORDS:
        raise UsageError()
    require_facilitator(ctx, "public")
    if word == "on":
        if project.public_since is not None:
            ctx.answer(T.PUBLIC_ALREADY_ON, project=project.name, link=link)
            return
        record.set_public(ctx.session, project_id=project.id, since=ctx.now)
        ctx.post_to_project(project.id, T.PUBLIC_NOW_ON, project=project.name, link=link)
        return
    if project.public_since is None:
        ctx.answer(T.PUBLIC_ALREADY_OFF, project=project.name)
        return
    record.set_public(ctx.session, project_id=project.id, since=None)
    ctx.post_to_project(project.id, T.PUBLIC_NOW_OFF, project=project.name)


def card_line(w: Work, challenge: Challenge) -> Rich | None:
    """The line a challenge card carries while its project is on the public record."""
    project = w.session.get(Project, challenge.project_id)
    if project is None or project.public_since is None:
        return None
    url = challenge_url(w, project, challenge.number)
    return render(T.CARD_PUBLIC_LINK, url=url) if url else render(T.CARD_PUBLIC)
