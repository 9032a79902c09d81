"""Invites and roles the officer controls: pending invites, cancelling one, revoke voids what is
left, a link invite adds an account and grants nothing."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from sqlmodel import select

from adapters.admin_cli import run_admin
from adapters.cli import build_parser
from adapters.testing import TestingAdapter
from bot.admin import operations as admin
from bot.kernel.rich import render
from bot.people import texts as T
from storage.db import session_scope
from storage.models import Conversation, Identity, Poll
from storage.repo import people
from tests.challenge_setup import garden
from tests.helpers import _invite
from tests.system.test_cli import ncbot


def officer(bot: TestingAdapter, fn, **kwargs):  # type: ignore[no-untyped-def]
    with session_scope(bot.core.engine) as s:
        return fn(s, **kwargs)


def link_code(bot: TestingAdapter, person: str) -> str:
    return officer(bot, admin.link_invite, settings=bot.core.settings, now=bot.core.clock.now(),
                   person=person).code


def roles_of_user(bot: TestingAdapter, user: str) -> set[str]:
    with session_scope(bot.core.engine) as s:
        identity = s.exec(select(Identity).where(Identity.user_id == user)).one()
        return people.roles_of(s, person_id=identity.person_id)


async def test_pending_invites_are_listed_and_a_cancelled_code_is_dead(bot: TestingAdapter) -> None:
    jane_id, jane_code = _invite(bot, "Jane Doe", "councillor", wards=["Fremont"])
    _, fran_code = _invite(bot, "Fran Fowler", "facilitator")
    await bot.say("fran", f"/start {fran_code}")
    pending = officer(bot, admin.pending_invites, now=bot.core.clock.now())
    assert [(i["code"], i["role"], i["name"], i["person_id"]) for i in pending] == [
        (jane_code, "councillor", "Jane Doe", jane_id)]
    assert pending[0]["expires_at"] > pending[0]["created_at"]
    done = officer(bot, admin.cancel_invite, code=jane_code.lower())  # as typed from paper
    assert done == {"code": jane_code, "role": "councillor", "person_id": jane_id,
                    "name": "Jane Doe", "cancelled": True}
    assert officer(bot, admin.pending_invites, now=bot.core.clock.now()) == []
    [answer] = await bot.say("jane", f"/start {jane_code}")
    assert answer.text == T.INVITE_UNKNOWN
    assert roles_of_user(bot, "jane") == set()
    with pytest.raises(admin.AdminError, match=r"was redeemed at .*ncbot admin revoke"):
        officer(bot, admin.cancel_invite, code=fran_code)
    with pytest.raises(admin.AdminError, match="no invite 'NOPE'"):
        officer(bot, admin.cancel_invite, code="NOPE")


async def test_a_link_invite_adds_an_account_and_grants_nothing(bot: TestingAdapter) -> None:
    await bot.say("kim", "/start")  # a resident: a person without any role
    code = link_code(bot, "Kim")
    [answer] = await bot.say("kim2", f"/start {code}")
    assert answer.text == render(T.INVITE_LINKED, name="Kim").text
    assert roles_of_user(bot, "kim2") == set() == roles_of_user(bot, "kim")
    with session_scope(bot.core.engine) as s:
        ids = s.exec(select(Identity).where(Identity.user_id.in_(("kim", "kim2")))).all()
        assert len({i.person_id for i in ids}) == 1


async def test_revoke_voids_unused_invites_so_a_link_cannot_give_the_role_back(
    bot: TestingAdapter,
) -> None:
    await garden(bot)
    code = link_code(bot, "Fran Fowler")  # issued while Fran is a facilitator
    result = officer(bot, admin.revoke, person="Fran Fowler", now=bot.core.clock.now())
    assert result["invites_voided"] == 1 and result["revoked"] == ["facilitator"]
    [answer] = await bot.say("fran-slack", f"/start {code}")
    assert answer.text == T.INVITE_UNKNOWN
    assert roles_of_user(bot, "fran") == set()


async def test_a_link_invite_redeemed_after_revoke_gives_no_role(bot: TestingAdapter) -> None:
    """Even an invite that escaped the voiding (made before this rule) carries no role now."""
    await garden(bot)
    officer(bot, admin.revoke, person="Fran Fowler", now=bot.core.clock.now())
    code = link_code(bot, "Fran Fowler")
    await bot.say("fran-slack", f"/start {code}")
    assert roles_of_user(bot, "fran-slack") == set()
    [refused] = await bot.say("fran-slack", "/scope Something else", chat="garden")
    assert refused.text.startswith("Only ")


async def test_revoke_ends_the_pending_outcome_conversation(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", "/poll Bench? | Pond | Oak", chat="garden")
    await bot.say("fran", "/closepoll 1", chat="garden")
    assert "What happens next after poll #1?" in bot.last(user="fran").text
    result = officer(bot, admin.revoke, person="Fran Fowler", now=bot.core.clock.now())
    assert result["conversations_ended"] == 1
    before = len(bot.to_chat("garden"))
    await bot.say("fran", "We will put the bench by the pond.")
    assert len(bot.to_chat("garden")) == before  # nothing posted to the project
    with session_scope(bot.core.engine) as s:
        assert s.exec(select(Poll)).one().outcome is None
        assert not s.exec(select(Conversation)).all()


def admin_line(bot: TestingAdapter, line: str) -> tuple[object, str]:
    """``ncbot admin <line>`` in process (parsed by the real parser); the result and what it printed."""
    printed: list[str] = []
    ns = build_parser().parse_args(["admin", *shlex.split(line)])
    result = run_admin(ns, engine=bot.core.engine, settings=bot.core.settings,
                       now=bot.core.clock.now(), out=printed.append)
    return result, "\n".join(printed)


def test_invites_and_cancel_on_the_command_line(bot: TestingAdapter) -> None:
    _, out = admin_line(bot, 'invite facilitator --name "Fran Fowler" --json')
    issued = json.loads(out)
    _, out = admin_line(bot, "invites --json")
    assert [(i["code"], i["role"], i["name"]) for i in json.loads(out)] == [
        (issued["code"], "facilitator", "Fran Fowler")]
    _, text = admin_line(bot, "invites")
    assert issued["code"] in text and "Fran Fowler" in text and "expires" in text
    _, out = admin_line(bot, 'invite link --person "Fran Fowler" --json')
    link = json.loads(out)
    assert link["role"] == "link"
    _, out = admin_line(bot, f"invite cancel {issued['code']} --json")
    assert json.loads(out)["cancelled"] is True
    _, text = admin_line(bot, f"invite cancel {link['code']}")
    assert text.startswith(f"Invite {link['code']} for Fran")
    _, text = admin_line(bot, "invites")
    assert "No invites waiting" in text


def test_cancelling_an_unknown_invite_is_one_line_and_an_error(tmp_path: Path) -> None:
    again = ncbot("admin", "invite", "cancel", "NOPE", db=tmp_path / "cli.db")
    assert again.returncode != 0 and again.stderr.count("\n") == 1
    assert "no invite 'NOPE'" in again.stderr and "Traceback" not in again.stderr
