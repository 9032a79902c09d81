"""Project groups: register a chat, join further chats, scope, wards, topics, councillors."""

from __future__ import annotations

import re
import secrets

from bot.groups import texts as T
from bot.kernel import texts as K
from bot.kernel.context import Ctx, Work
from bot.kernel.errors import Refusal, UsageError
from bot.kernel.rich import PersonName, join, render
from bot.kernel.visible import visible_length
from storage.models import Project
from storage.repo import people, projects

MAX_NAME = 100
MAX_SCOPE = 2000
MAX_TOPICS = 20

# Hooks (see Routes.add_hook). A project's wards or topics changed: async (work, project).
AREAS_CHANGED = "project.areas_changed"
# The response figures shown after a councillor by /councillors: (work, person_id) -> str.
COUNCILLOR_FIGURES = "councillor.figures"
# The councillors linked to a project: (work, project_id) -> list of person ids.
LINKED_COUNCILLORS = "project.linked_councillors"


def require_facilitator(ctx: Ctx, name: str) -> Project:
    """The chat's project, if this person facilitates it (or is an admin)."""
    project = ctx.project
    if project is None:
        raise Refusal(K.NOT_A_PROJECT)
    assert project.id is not None
    if "admin" in ctx.roles:
        return project
    if "facilitator" not in ctx.roles or not projects.is_project_facilitator(
        ctx.session, project_id=project.id, person_id=ctx.person_id
    ):
        raise Refusal(T.NOT_PROJECT_FACILITATOR, name=name)
    return project


def _new_project_code(ctx: Ctx) -> str:
    while True:
        code = "".join(secrets.choice("ABCDEFGHJKMNPQRSTUVWXYZ23456789") for _ in range(6))
        if projects.find_project_by_code(ctx.session, code=code) is None:
            return code


async def project_command(ctx: Ctx, args: str) -> None:
    """/project (show), /project <name> (register), /project join <code>."""
    if not args:
        if ctx.project is None:
            raise Refusal(K.NOT_A_PROJECT)
        ctx.answer(T.PROJECT_INFO, name=ctx.project.name, code=ctx.project.code)
        return
    if not ctx.has_role("facilitator"):
        raise Refusal(K.ROLE_REQUIRED, roles="facilitators", name="project")
    words = args.split()
    if words[0].lower() == "join":
        if len(words) != 2:
            raise UsageError()
        await _join(ctx, words[1])
        return
    if ctx.project is not None:
        raise Refusal(T.PROJECT_ALREADY, name=ctx.project.name)
    name = " ".join(words)
    if not visible_length(name):
        raise UsageError()
    if visible_length(name) > MAX_NAME:
        raise Refusal(K.TOO_LONG, limit=MAX_NAME)
    project = projects.create_project(
        ctx.session, name=name, code=_new_project_code(ctx), created_by=ctx.person_id, now=ctx.now
    )
    assert project.id is not None
    ctx.chat.project_id = project.id
    projects.add_facilitator(ctx.session, project_id=project.id, person_id=ctx.person_id)
    ctx.project = project
    ctx.reply(T.PROJECT_REGISTERED, name=project.name, code=project.code)


async def _join(ctx: Ctx, code: str) -> None:
    project = projects.find_project_by_code(ctx.session, code=code)
    if project is None:
        raise Refusal(T.PROJECT_JOIN_UNKNOWN, code=code[:20])
    assert project.id is not None
    if ctx.project is not None:
        raise Refusal(T.PROJECT_ALREADY, name=ctx.project.name)
    if "admin" not in ctx.roles and not projects.is_project_facilitator(
        ctx.session, project_id=project.id, person_id=ctx.person_id
    ):
        raise Refusal(T.NOT_PROJECT_FACILITATOR, name="project join")
    ctx.chat.project_id = project.id
    ctx.project = project
    ctx.reply(T.PROJECT_JOINED, name=project.name)


async def scope_command(ctx: Ctx, args: str) -> None:
    project = ctx.project
    assert project is not None
    if not args:
        if project.scope:
            ctx.answer(T.SCOPE_SHOW, project=project.name, scope=project.scope)
        else:
            ctx.answer(T.SCOPE_EMPTY, project=project.name)
        return
    require_facilitator(ctx, "scope")
    if not visible_length(args):
        raise UsageError()
    if visible_length(args) > MAX_SCOPE:
        raise Refusal(K.TOO_LONG, limit=MAX_SCOPE)
    project.scope = args
    ctx.post_to_project(project.id or 0, T.SCOPE_SET, project=project.name, scope=args)


def split_list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\n]", text) if visible_length(part)]


async def ward_command(ctx: Ctx, args: str) -> None:
    project = ctx.project
    assert project is not None and project.id is not None
    if not args:
        wards = projects.project_wards(ctx.session, project_id=project.id)
        if wards:
            ctx.answer(T.WARD_SHOW, project=project.name, wards=", ".join(w.name for w in wards))
        else:
            ctx.answer(T.WARD_EMPTY, project=project.name)
        return
    require_facilitator(ctx, "ward")
    found = []
    for name in split_list(args):
        ward = people.find_ward(ctx.session, name=name)
        if ward is None:
            known = ", ".join(w.name for w in people.list_wards(ctx.session)) or "none yet"
            raise Refusal(T.WARD_UNKNOWN, ward=name[:60], known=known)
        found.append(ward)
    projects.set_project_wards(
        ctx.session, project_id=project.id, ward_ids=[w.id for w in found if w.id is not None]
    )
    ctx.reply(T.WARD_SET, project=project.name, wards=", ".join(w.name for w in found))
    for callback in ctx.core.routes.hooked(AREAS_CHANGED):
        await callback(ctx, project)


def normalise_topic(text: str) -> str:
    return " ".join(text.lower().split())[:60]


async def topics_command(ctx: Ctx, args: str) -> None:
    project = ctx.project
    assert project is not None and project.id is not None
    if not args:
        topics = projects.project_topics(ctx.session, project_id=project.id)
        if topics:
            ctx.answer(T.TOPICS_SHOW, project=project.name, topics=", ".join(topics))
        else:
            ctx.answer(T.TOPICS_EMPTY, project=project.name)
        return
    require_facilitator(ctx, "topics")
    topics = list(dict.fromkeys(normalise_topic(t) for t in split_list(args)))
    if len(topics) > MAX_TOPICS:
        raise Refusal(T.TOPICS_TOO_MANY, most=MAX_TOPICS)
    projects.set_project_topics(ctx.session, project_id=project.id, topics=topics)
    ctx.reply(T.TOPICS_SET, project=project.name, topics=", ".join(topics))
    for callback in ctx.core.routes.hooked(AREAS_CHANGED):
        await callback(ctx, project)


async def councillors_command(ctx: Ctx, args: str) -> None:
    project = ctx.project
    assert project is not None and project.id is not None
    linked: list[int] = []
    for source in ctx.core.routes.hooked(LINKED_COUNCILLORS):
        linked.extend(source(ctx, project.id))
    if not linked:
        ctx.answer(T.COUNCILLORS_NONE, project=project.name)
        return
    lines = [render(T.COUNCILLORS_HEADER, project=project.name)]
    for person_id in linked:
        lines.append(render(T.COUNCILLORS_LINE, **councillor_line(ctx, person_id)))
    ctx.answer(join(lines))


def councillor_title(w: Work, person_id: int) -> str:
    from storage.models import Person

    person = w.session.get(Person, person_id)
    if person is None or person.name is None:
        return "Cllr a former member"
    return PersonName(f"Cllr {person.name}", person_id)


def councillor_line(w: Work, person_id: int) -> dict[str, str]:
    wards = ", ".join(x.name for x in people.councillor_wards(w.session, person_id=person_id))
    figures = "".join(source(w, person_id) for source in w.core.routes.hooked(COUNCILLOR_FIGURES))
    return {
        "name": councillor_title(w, person_id),
        "wards": f"{wards} ward" if wards else "no ward",
        "figures": f" — {figures}" if figures else "",
    }
