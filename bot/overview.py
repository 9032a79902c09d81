"""A person's overview, for a platform's home page: roles, projects, what awaits them, figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import project_groups
from bot import texts as T
from bot.context import Work
from bot.rich import Rich, join, render
from storage.db import session_scope
from storage.models import Person
from storage.repo import links, people, projects

if TYPE_CHECKING:
    from bot.core import Core

SHOWN = 20  # lines per part; the rest is a command away


def person_overview(core: Core, *, platform: str, user_id: str) -> list[Rich]:
    """Parts of the overview, each a block of lines; read-only."""
    with session_scope(core.engine) as session:
        identity = people.get_identity(session, platform=platform, user_id=user_id)
        person = session.get(Person, identity.person_id) if identity else None
        if person is None or person.id is None or person.erased_at is not None:
            return [render(T.OVERVIEW_STRANGER, bot=core.settings.bot.name)]
        w = Work(core, session, core.clock.now())
        roles = sorted(people.roles_of(session, person_id=person.id))
        named = ", ".join(r for r in roles) or T.OVERVIEW_NO_ROLE
        name = person.name or (identity.display_name if identity else "")
        parts = [render(T.OVERVIEW_HEADER, name=name, roles=named)]
        parts.append(_projects(w, person.id))
        if "councillor" in roles:
            figures = "; ".join(f for f in (src(w, person.id) for src in project_groups.FIGURES) if f)
            if figures:
                parts.append(render(T.OVERVIEW_FIGURES, figures=figures))
        return parts


def _projects(w: Work, person_id: int) -> Rich:
    lines = [render(T.OVERVIEW_PROJECTS)]
    for _link, project in links.links_of_councillor(w.session, councillor_id=person_id)[:SHOWN]:
        lines.append(render(T.OVERVIEW_PROJECT_LINE, project=project.name, code=project.code,
                            how=" — linked councillor"))
    for project in projects.list_projects(w.session):
        assert project.id is not None
        if len(lines) > SHOWN:
            break
        if projects.is_project_facilitator(w.session, project_id=project.id, person_id=person_id):
            lines.append(render(T.OVERVIEW_PROJECT_LINE, project=project.name, code=project.code,
                                how=" — facilitator"))
    if len(lines) == 1:
        lines.append(render(T.OVERVIEW_NO_PROJECTS))
    return join(lines)
