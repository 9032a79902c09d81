"""Every button, form and conversation step of the action matrix, tried by the person it was
shown to and by a stranger, the same person elsewhere, a revoked and an erased person.

A refusal must say exactly why and change nothing in the database.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session, SQLModel, col, select

from adapters.testing import TestingAdapter
from bot.admin import operations as admin
from bot.app import build_core
from bot.challenges import texts as CHALLENGES_T
from bot.kernel.config import load_settings
from bot.kernel.events import Outbound
from bot.kernel.ports import FakeClock
from bot.kernel.rich import render
from storage.db import create_db_engine, session_scope
from storage.migrate import upgrade
from storage.models import Challenge, ChallengeSupport, Identity, OutboundMessage
from storage.repo import people
from tests.authorization_matrix import (
    ACTIONS,
    NA,
    OK,
    PRESSERS,
    ActionRow,
    action_reason,
)
from tests.challenge_setup import garden, raise_challenge
from tests.system.test_authorization import START, Template, build_scene

STRANGER = "mallory"
WHERE = {"private": None, "project group": "garden"}
# Columns that change on every sight of a person (not a change anybody made).
SEEN = {"last_seen_at", "private_chat_id", "unreachable_at", "display_name", "username"}


async def build_action_scene(bot: TestingAdapter) -> str:
    """The command matrix's scene, and: a link proposal to Carl, #2 raised by Lee and answered,
    its follow-up question asked, and an open poll #3."""
    code = await build_scene(bot)
    await bot.say("fran", "/link Carl Cole", chat="garden")
    await bot.say("lee", "/challenge The library closes before anyone finishes work",
                  chat="garden")
    await bot.say("jane", "/answer 2 forward I will take this to the library board next month.")
    await bot.core.advance_clock(timedelta(days=bot.core.settings.challenges.followup_after_days))
    await bot.say("fran", "/cancel")  # poll #1 closed meanwhile: leave its outcome unanswered
    await bot.say("fran", "/poll Where should the bench go? | By the pond | Under the oak",
                  chat="garden")
    return code


@pytest.fixture(scope="module")
def action_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    path = tmp_path_factory.mktemp("authz-actions") / "template.db"
    url = f"sqlite:///{path}"
    engine = create_db_engine(url)
    upgrade(engine)
    clock = FakeClock()
    core = build_core(settings=load_settings(environ={"NCBOT_STORAGE__URL": url}),
                      engine=engine, clock=clock, worker_id="test")
    loop = asyncio.new_event_loop()
    code = loop.run_until_complete(build_action_scene(TestingAdapter(core)))
    loop.close()
    engine.dispose()
    return Template(path, code, clock.now() - START)


@pytest.fixture
def scene(action_template: Template, tmp_path: Path) -> Iterator[TestingAdapter]:
    path = tmp_path / "cell.db"
    shutil.copy(action_template.path, path)
    url = f"sqlite:///{path}"
    engine = create_db_engine(url)
    core = build_core(settings=load_settings(environ={"NCBOT_STORAGE__URL": url}),
                      engine=engine, clock=FakeClock(START + action_template.now_offset),
                      worker_id="test")
    bot = TestingAdapter(core)
    bot._events = itertools.count(10**6)
    yield bot
    engine.dispose()


def find_action(bot: TestingAdapter, user: str, shown: str, label: str, about: str = "") -> str:
    """The action of the latest button labelled ``label`` shown to ``user`` (or in the group)."""
    with session_scope(bot.core.engine) as s:
        rows = list(s.exec(select(OutboundMessage).order_by(col(OutboundMessage.id).desc())))
    for row in rows:
        if shown == "project group" and row.chat_id != "garden":
            continue
        if shown == "private" and row.chat_id != f"dm-{user}" and row.user_id != user:
            continue
        message = Outbound.from_json(None, json.loads(row.payload))  # type: ignore[arg-type]
        if about not in message.text.text:
            continue
        for line in message.buttons:
            for button in line:
                if label.lower() in button.label.lower():
                    return button.action
    raise AssertionError(f"no button {label!r} shown to {user} ({shown})")


def person_of(s: Session, user: str) -> int:
    return s.exec(select(Identity).where(Identity.user_id == user)).one().person_id


def snapshot(bot: TestingAdapter) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table but the event ledger."""
    out: dict[str, list[dict[str, Any]]] = {}
    with session_scope(bot.core.engine) as s:
        for table in SQLModel.metadata.sorted_tables:
            if table.name == "processedevent":
                continue
            rows = s.connection().execute(text(f'SELECT * FROM "{table.name}"')).mappings()
            out[table.name] = sorted(({k: v for k, v in r.items() if k not in SEEN} for r in rows),
                                     key=repr)
    return out


def unchanged_but_the_presser(before: dict[str, list[dict[str, Any]]],
                              after: dict[str, list[dict[str, Any]]], user: str = "") -> None:
    """Equal, except that someone never seen before is now known (person, identity, chat), and
    that the presser may have been answered in their private chat."""
    for table, rows in before.items():
        now = after[table]
        keep = {r.get("id") for r in rows}
        if table in ("person", "identity", "chat"):
            now = [r for r in now if r["id"] in keep]
        if table == "outboundmessage":
            now = [r for r in now if r["id"] in keep or r["chat_id"] != f"dm-{user}"]
        assert now == rows, table


async def do(bot: TestingAdapter, row: ActionRow, user: str, chat: str | None,
             action: str) -> tuple[list[str], dict[str, str]]:
    """Press, submit or type; returns what the person was told and any form errors."""
    before = len(bot.sent)
    if row.kind == "button":
        result = await bot.press(user, action, chat=chat)
        told = [result.notice] if result.notice else []
        return told + [m.text for m in bot.sent[before:]], result.field_errors
    if row.kind == "form":
        result = await bot.submit(user, action, {"outcome": "forward", "explanation": EXPLAIN})
        return [m.text for m in bot.sent[before:]], result.field_errors
    await bot.say(user, row.label, chat=chat)
    return [m.text for m in bot.sent[before:]], {}


EXPLAIN = "I will take this to the transport committee on 4 May."

CELLS = [
    pytest.param(row, presser, id=f"{row.route}:{row.label[:24]}:{row.shown}|{presser}")
    for row in ACTIONS
    for presser in PRESSERS
    if row.cell(presser) != NA
]


@pytest.mark.parametrize(("row", "presser"), CELLS)
async def test_action_cell(scene: TestingAdapter, row: ActionRow, presser: str) -> None:
    bot = scene
    for step in row.prepare:
        if step.startswith("press:"):
            await bot.press(row.owner, find_action(bot, row.owner, "private", step[6:]))
        elif step.startswith("group:"):
            await bot.say(row.owner, step[6:], chat="garden")
        else:
            await bot.say(row.owner, step)
    if row.kind == "form":
        with session_scope(bot.core.engine) as s:
            first = s.exec(select(Challenge).where(Challenge.number == 1)).one()
        action = row.action.format(challenge=first.id)
    elif row.kind == "button":
        action = find_action(bot, row.owner, row.found_in or row.shown, row.label, row.about)
        assert action.split(":")[0] == row.route
    else:
        action = ""
    user, chat = row.owner, WHERE[row.shown]
    if presser == "stranger":
        user, chat = STRANGER, None
    elif presser == "elsewhere":
        chat = "lobby"
    elif presser == "revoked":
        with session_scope(bot.core.engine) as s:
            if not people.roles_of(s, person_id=person_of(s, user)):
                user = "fran"  # a resident's button: the project's facilitator, revoked
            admin.revoke(s, person=str(person_of(s, user)), now=bot.core.clock.now())
    elif presser == "erased":
        ask = (await bot.say(user, "/forgetme"))[-1]
        await bot.press(user, ask.button("Erase my data"))
    before = snapshot(bot)
    sent_before = len(bot.sent)
    told, errors = await do(bot, row, user, chat, action)
    expected = row.cell(presser)
    if expected == OK:
        assert any(marker in t for t in told for marker in row.ok), told
        return
    want = action_reason(expected)
    if row.kind == "form":
        assert errors == {"_": want}
    elif want is None:
        assert told == []
    else:
        assert told == [want]
    # Refused: nothing went anywhere, but for typed text the one answer to the one who typed it.
    sent = bot.sent[sent_before:]
    assert [m.text for m in sent] == (told if row.kind == "conversation" else [])
    assert all(m.to.chat_id == f"dm-{user}" for m in sent)
    unchanged_but_the_presser(before, snapshot(bot), user)


def test_every_button_form_and_conversation_has_a_row() -> None:
    from bot.app import build_routes

    routes = build_routes()
    for kind, table in (("button", routes.buttons), ("form", routes.forms),
                        ("conversation", routes.conversations)):
        covered = {row.route for row in ACTIONS if row.kind == kind}
        if kind == "button":
            # /inbox's page buttons show the presser their own inbox and act on nothing:
            # tests/people/test_inbox.py checks a forged one shows nobody else's.
            covered.add("inbox")
        assert covered == set(table), (kind, set(table) ^ covered)


async def test_strangers_pressing_a_forged_support_count_for_nothing(bot: TestingAdapter) -> None:
    await garden(bot)
    card = await raise_challenge(bot)
    for stranger in ("eve", "mallory", "trent"):
        result = await bot.press(stranger, card.button("Support"))  # in their own private chats
        assert result.notice == render(CHALLENGES_T.CHALLENGE_SUPPORT_NOT_HERE, number=1).text
        result = await bot.press(stranger, card.button("Support"), chat="lobby")
        assert result.notice == render(CHALLENGES_T.CHALLENGE_SUPPORT_NOT_HERE, number=1).text
    with session_scope(bot.core.engine) as s:
        assert not s.exec(select(ChallengeSupport)).all()
    [shown] = await bot.say("kim", "/challenge 1", chat="garden")
    assert "Supporters: 0" in shown.text or "0 supporters" in shown.text, shown.text
