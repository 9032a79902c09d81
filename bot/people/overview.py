"""A person's overview, for a platform's home page: roles, projects, what awaits them, figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot import groups
from bot.kernel.context import Work
from bot.kernel.events import Button
from bot.kernel.rich import Rich, join, render
from bot.people import inbox
from bot.people import texts as T
from storage.db import reading
from storage.models import Person
from storage.repo import links, people, projects

if TYPE_CHECKING:
    from bot.kernel.core import Core

SHOWN = 20  # projects listed; the rest is a command away
SHOWN_ITEMS = 10  # each comes with its buttons; the rest is in /inbox


@dataclass(frozen=True)
class OverviewPart:
    text: Rich
    buttons: tuple[Button, ...] = ()


def person_overview(core: Core, *, platform: str, user_id: str) -> list[OverviewPart]:
    """The parts of the overview, in order; read-only."""
    with reading(core.engine) as session:  # read-only: another process's lock never holds it
        identity = people.get_identity(session, platform=platform, user_id=user_id)
        person = session.get(Person, identity.person_id) if identity else None
        if person is None or person.id is None or person.erased_at is not None:
            return [OverviewPart(render(T.OVERVIEW_STRANGER, bot=core.settings.bot.name))]
        w = Work(core, session, core.clock.now())
        roles = sorted(people.roles_of(session, person_id=person.id))
        name = person.name or (identity.display_name if identity else "")
        parts = [OverviewPart(render(T.OVERVIEW_HEADER, name=name,
                                     roles=", ".join(roles) or T.OVERVIEW_NO_ROLE))]
        parts.append(OverviewPart(_projects(w, person.id)))
        parts += _waiting(w, person.id)
        if "councillor" in roles:
            sources = w.core.routes.hooked(groups.COUNCILLOR_FIGURES)
            figures = "; ".join(f for f in (src(w, person.id) for src in sources) if f)
            if figures:
                parts.append(OverviewPart(render(T.OVERVIEW_FIGURES, figures=figures)))
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


def _waiting(w: Work, person_id: int) -> list[OverviewPart]:
    """What /inbox lists, the first of it with its buttons."""
    found = inbox.items(w, person_id)
    if not found:
        return [OverviewPart(join([render(T.OVERVIEW_AWAITING),
                                   render(T.OVERVIEW_NOTHING_AWAITING)]))]
    parts = [OverviewPart(render(T.INBOX_HEADER, count=len(found)))]
    section = ""
    for item in found[:SHOWN_ITEMS]:
        text = item.text
        if item.section != section:
            section = item.section
            text = render(section) + "\n" + text
        parts.append(OverviewPart(text, item.buttons))
    if len(found) > SHOWN_ITEMS:
        parts.append(OverviewPart(render(T.OVERVIEW_MORE, count=len(found) - SHOWN_ITEMS)))
    return parts
