"""Linking councillors to project groups: proposals, Accept/Decline, /link, /unlink, /mygroups."""

from __future__ import annotations

from bot.groups import councillor_line, councillor_title, require_facilitator
from bot.kernel import texts as K
from bot.kernel.context import Ctx, Work
from bot.kernel.errors import Refusal, UsageError
from bot.kernel.events import Button
from bot.kernel.rich import join, render
from bot.linking import texts as T
from storage.models import CouncillorLink, Person, Project
from storage.repo import links, people


async def propose_for_project(w: Work, project: Project) -> None:
    """Propose the project to every councillor whose ward or portfolio matches (once each)."""
    if project.became_active_at is None or project.id is None:
        return  # only active projects are proposed
    for councillor_id, why in links.councillors_matching_project(w.session, project_id=project.id):
        await propose(w, project, councillor_id, why)


async def propose_for_councillor(w: Work, councillor_id: int) -> None:
    """A new councillor: propose every active project in their ward or portfolio."""
    for project, why in links.active_projects_matching_councillor(
        w.session, councillor_id=councillor_id
    ):
        await propose(w, project, councillor_id, why)


async def propose(w: Work, project: Project, councillor_id: int, why: str) -> None:
    assert project.id is not None
    if links.get_link(w.session, project_id=project.id, councillor_id=councillor_id) is not None:
        return  # proposed, decided or left before: never asked twice
    if w.settings.linking.auto_accept:
        link = links.create_link(
            w.session, project_id=project.id, councillor_id=councillor_id,
            status="accepted", reason=why, now=w.now,
        )
        if link is not None:
            w.tell(councillor_id, T.LINK_AUTO, project=project.name, reason=why)
            announce_link(w, project, councillor_id)
        return
    if w.address_of_person(councillor_id) is None:
        return  # not reachable yet: proposed when they redeem their invite
    link = links.create_link(
        w.session, project_id=project.id, councillor_id=councillor_id,
        status="proposed", reason=why, now=w.now,
    )
    if link is not None:
        send_proposal(w, link, project)


def send_proposal(w: Work, link: CouncillorLink, project: Project, *,
                  asked_by: str | None = None) -> None:
    """Ask a councillor to link: because the project is active in their ward or portfolio, or
    because a facilitator asked (``asked_by``; the project need not be active then)."""
    w.tell(
        link.councillor_id,
        T.LINK_PROPOSAL if asked_by is None else T.LINK_PROPOSAL_ASKED,
        [[Button(T.BUTTON_ACCEPT, f"link:accept:{link.id}"),
          Button(T.BUTTON_DECLINE, f"link:decline:{link.id}")]],
        project=project.name,
        reason=link.reason,
        name=asked_by or "",
        scope=project.scope or K.NO_SCOPE_YET,
    )


def announce_link(w: Work, project: Project, councillor_id: int) -> None:
    line = councillor_line(w, councillor_id)
    w.post_to_project(project.id or 0, T.LINK_ANNOUNCE, name=line["name"], wards=line["wards"])


# ---- buttons: link:accept:<id>, link:decline:<id>, link:leave:<id> ----------------------------


async def link_button(ctx: Ctx, parts: list[str]) -> None:
    if len(parts) != 2 or not parts[1].isdigit():
        raise Refusal(K.STALE_BUTTON)
    verb, link_id = parts[0], int(parts[1])
    link = ctx.session.get(CouncillorLink, link_id)
    if link is None:
        raise Refusal(K.STALE_BUTTON)
    if link.councillor_id != ctx.person_id:
        raise Refusal(T.LINK_NOT_YOURS)
    if not ctx.is_private:  # proposals and /mygroups are private; the answer is given there
        raise Refusal(K.BUTTON_PRIVATE_ONLY)
    project = ctx.session.get(Project, link.project_id)
    assert project is not None
    if verb in ("accept", "decline"):
        if link.status != "proposed":
            raise Refusal(T.LINK_ALREADY_DECIDED, project=project.name,
                          status=T.LINK_STATUS_WORDS.get(link.status, link.status))
        link.decided_at = ctx.now
        if verb == "accept":
            link.status = "accepted"
            ctx.reply(T.LINK_ACCEPTED, project=project.name)
            announce_link(ctx, project, link.councillor_id)
        else:
            link.status = "declined"
            ctx.reply(T.LINK_DECLINED, project=project.name)
    elif verb == "leave":
        if link.status != "accepted":
            raise Refusal(T.LINK_NOT_LINKED_YOU, project=project.name)
        link.status, link.decided_at = "left", ctx.now
        ctx.reply(T.LINK_LEFT, project=project.name)
        name = councillor_line(ctx, link.councillor_id)["name"]
        ctx.post_to_project(project.id or 0, T.LINK_LEFT_ANNOUNCE, name=name)
    else:
        raise Refusal(K.STALE_BUTTON)


# ---- commands ------------------------------------------------------------------------------


def _councillor_by_name(ctx: Ctx, name: str) -> Person:
    found = links.find_councillor(ctx.session, name=name)
    if not found:
        everyone = people.people_with_role(ctx.session, role="councillor")
        known = ", ".join(p.name or "" for p in everyone)
        raise Refusal(T.LINK_UNKNOWN_COUNCILLOR, name=name[:60], known=known or "none yet")
    if len(found) > 1:
        names = ", ".join(p.name or "" for p in found)
        raise Refusal(T.LINK_AMBIGUOUS, name=name[:60], names=names)
    return found[0]


async def link_command(ctx: Ctx, args: str) -> None:
    """/link <councillor>: ask a councillor to link (with auto_accept: link at once)."""
    project = require_facilitator(ctx, "link")
    if not args:
        raise UsageError()
    councillor = _councillor_by_name(ctx, args)
    assert project.id is not None and councillor.id is not None
    title = councillor_title(ctx, councillor.id)
    asker = ctx.person.name or ctx.identity.display_name
    why = render(T.LINK_REASON_ASKED, name=asker).text
    auto = ctx.settings.linking.auto_accept
    link = links.get_link(ctx.session, project_id=project.id, councillor_id=councillor.id)
    if link is None:
        link = links.create_link(
            ctx.session, project_id=project.id, councillor_id=councillor.id,
            status="accepted" if auto else "proposed", reason=why, now=ctx.now,
        )
        assert link is not None
    elif link.status == "accepted":
        raise Refusal(T.LINK_ALREADY_LINKED, name=title)
    elif link.status == "proposed" and not auto:
        raise Refusal(T.LINK_ALREADY_PROPOSED, name=title)
    else:  # declined or left before: a facilitator may ask again
        link.status, link.reason, link.proposed_at = "proposed", why, ctx.now
        link.decided_at = None
        if auto:
            link.status, link.decided_at = "accepted", ctx.now
    if link.status == "accepted":
        ctx.tell(councillor.id, T.LINK_AUTO, project=project.name, reason=why)
        announce_link(ctx, project, councillor.id)
        return
    if ctx.address_of_person(councillor.id) is None:
        raise Refusal(T.LINK_UNREACHABLE, name=title)
    send_proposal(ctx, link, project, asked_by=asker)
    ctx.reply(T.LINK_ASKED, name=title)


async def unlink_command(ctx: Ctx, args: str) -> None:
    project = require_facilitator(ctx, "unlink")
    if not args:
        raise UsageError()
    councillor = _councillor_by_name(ctx, args)
    assert project.id is not None and councillor.id is not None
    title = councillor_title(ctx, councillor.id)
    link = links.get_link(ctx.session, project_id=project.id, councillor_id=councillor.id)
    if link is None or link.status != "accepted":
        raise Refusal(T.UNLINK_NOT_LINKED, name=title)
    link.status, link.decided_at = "left", ctx.now
    ctx.post_to_project(project.id, T.LINK_LEFT_ANNOUNCE, name=title)
    ctx.tell(councillor.id, T.UNLINKED_TELL, project=project.name)


async def mygroups_command(ctx: Ctx, args: str) -> None:
    """/mygroups: a councillor's linked projects, each with a Leave button, and open proposals."""
    rows = links.links_of_councillor(
        ctx.session, councillor_id=ctx.person_id, statuses=("accepted", "proposed")
    )
    if not rows:
        ctx.reply(T.MYGROUPS_NONE)
        return
    lines = [render(T.MYGROUPS_HEADER)]
    buttons: list[list[Button]] = []
    for link, project in rows:
        if link.status == "accepted":
            since = (link.decided_at or link.proposed_at).astimezone(ctx.tz).date().isoformat()
            lines.append(render(T.MYGROUPS_LINE, project=project.name, code=project.code,
                                reason=link.reason, since=since))
            buttons.append([Button(render(T.BUTTON_LEAVE, project=project.name).text,
                                   f"link:leave:{link.id}")])
        else:
            lines.append(render(T.MYGROUPS_PENDING, project=project.name, code=project.code))
            buttons.append([
                Button(render(T.BUTTON_ACCEPT_PROJECT, project=project.name).text,
                       f"link:accept:{link.id}"),
                Button(T.BUTTON_DECLINE, f"link:decline:{link.id}"),
            ])
    ctx.reply(join(lines), buttons)


def linked_of(w: Work, project_id: int) -> list[int]:
    return links.linked_councillors(w.session, project_id=project_id)
