"""Digest preferences: /digest (show, set, off, now), /timezone; default schedules for newcomers."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from bot.digests import texts as T
from bot.digests.delivery import arm, cadence_of, ensure_schedule, preview, since, zone_of
from bot.digests.schedule import Cadence, describe_day, parse_cadence
from bot.kernel import texts as K
from bot.kernel.context import Ctx, Work
from bot.kernel.errors import Refusal
from bot.kernel.rich import render
from storage.models import DigestSchedule, Project
from storage.repo import digests as repo
from storage.repo import projects


def setting_text(cadence: Cadence) -> str:
    if cadence.kind == "daily":
        return render(T.DIGEST_SETTING_DAILY, at=cadence.at_text).text
    if cadence.kind == "weekly":
        return render(T.DIGEST_SETTING_WEEKLY, day=describe_day(cadence), at=cadence.at_text).text
    return T.DIGEST_SETTING_OFF


def local_text(when: datetime, tz: ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%a %d %b %H:%M")


async def digest_command(ctx: Ctx, args: str) -> None:
    """/digest [daily HH:MM | weekly <day> HH:MM | off | now] for oneself or this project group."""
    kind, recipient_id = _recipient(ctx)
    schedule = ensure_schedule(ctx, kind, recipient_id)
    tz = zone_of(ctx.session, ctx.settings, kind, recipient_id)
    words = args.lower().split()
    if not words:
        cadence = cadence_of(schedule)
        text = T.DIGEST_SHOW_PERSON if kind == "person" else T.DIGEST_SHOW_GROUP
        ctx.answer(text, setting=setting_text(cadence), timezone=tz.key)
        return
    if kind == "project":
        _require_facilitator(ctx)
    if words == ["now"]:
        _send_preview(ctx, kind, recipient_id, schedule)
        return
    wanted = parse_cadence(args)
    if wanted is None:
        raise Refusal(T.DIGEST_BAD_SETTING, text=args[:60])
    repo.set_schedule(
        ctx.session, recipient_kind=kind, recipient_id=recipient_id, cadence=wanted.kind,
        weekday=wanted.weekday, at_time=wanted.at_text,
    )
    due = arm(ctx, schedule, after=ctx.now)
    if due is None:
        ctx.reply(T.DIGEST_OFF_PERSON if kind == "person" else T.DIGEST_OFF_GROUP)
        return
    text = T.DIGEST_SET_PERSON if kind == "person" else T.DIGEST_SET_GROUP
    ctx.reply(text, setting=setting_text(wanted), timezone=tz.key, next=local_text(due, tz))


def _recipient(ctx: Ctx) -> tuple[str, int]:
    if ctx.is_private:
        if "councillor" not in ctx.roles:
            raise Refusal(T.DIGEST_PRIVATE_FOR_COUNCILLORS)
        return "person", ctx.person_id
    if ctx.project is None or ctx.project.id is None:
        raise Refusal(K.NOT_A_PROJECT)
    return "project", ctx.project.id


def _require_facilitator(ctx: Ctx) -> None:
    assert ctx.project is not None and ctx.project.id is not None
    if "admin" in ctx.roles:
        return
    if not projects.is_project_facilitator(
        ctx.session, project_id=ctx.project.id, person_id=ctx.person_id
    ):
        raise Refusal(T.DIGEST_GROUP_FACILITATORS)


def _send_preview(ctx: Ctx, kind: str, recipient_id: int, schedule: DigestSchedule) -> None:
    """The digest as it would read now, here and at once; the schedule's period is untouched."""
    messages = preview(ctx.session, ctx.settings, kind, recipient_id, ctx.now)
    if not messages:
        tz = zone_of(ctx.session, ctx.settings, kind, recipient_id)
        ctx.reply(T.DIGEST_NOTHING_NEW, since=local_text(since(ctx.session, schedule, ctx.now), tz))
        return
    for k, text in enumerate(messages):
        ctx.reply(render(T.DIGEST_PREVIEW_NOTE) + "\n" + text if k == 0 else text)


# ---- /timezone -----------------------------------------------------------------------------------


@cache
def _zones() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


async def timezone_command(ctx: Ctx, args: str) -> None:
    """/timezone (show) or /timezone <Area/City> (set, and move the digest to it)."""
    if not args:
        current = ctx.person.timezone or ctx.settings.bot.timezone
        ctx.answer(T.TIMEZONE_SHOW, timezone=current)
        return
    name = _zones().get(args.strip().lower())
    if name is None or ("/" not in name and name != "UTC"):
        raise Refusal(T.TIMEZONE_UNKNOWN, text=args.strip()[:60])
    ctx.person.timezone = name
    ctx.session.flush()
    schedule = repo.get_schedule(ctx.session, recipient_kind="person", recipient_id=ctx.person_id)
    if schedule is not None:
        arm(ctx, schedule, after=ctx.now)
    ctx.reply(T.TIMEZONE_SET, timezone=name, local=local_text(ctx.now, ZoneInfo(name)))


# ---- defaults for newcomers --------------------------------------------------------------------


async def on_councillor(w: Work, person_id: int) -> None:
    ensure_schedule(w, "person", person_id)


async def on_project(w: Work, project: Project) -> None:
    if project.id is not None:
        ensure_schedule(w, "project", project.id)
