"""Every cell of the authorization matrix, tried against the core; and the rules around it.

The scene is built once (a project, its facilitator, a facilitator of another project, a linked
and an unlinked councillor, a resident, an admin, a challenge, an open and a closed poll) and
copied for each cell, so every attempt starts from the same state.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from adapters.testing import SentMessage, TestingAdapter
from bot.admin import operations as admin
from bot.app import build_core
from bot.challenges import texts as CHALLENGES_T
from bot.kernel import texts as T
from bot.kernel.config import load_settings
from bot.kernel.ports import FakeClock
from bot.kernel.rich import render
from bot.linking import texts as LINKING_T
from bot.people import texts as PEOPLE_T
from storage.db import create_db_engine, session_scope
from storage.migrate import upgrade
from storage.models import CouncillorLink
from tests.authorization_matrix import (
    CHATS,
    DOC,
    MATRIX,
    OK,
    REASONS,
    ROLES,
    Row,
    document_section,
    markdown,
    reason,
)
from tests.challenge_setup import garden, notice_to, raise_challenge
from tests.helpers import _invite, make_councillor, make_facilitator, project_in

START = FakeClock().now()
WHERE = {"private": None, "project group": "garden", "other group": "lobby"}


@dataclass(frozen=True)
class Template:
    path: Path
    code: str  # the project's code, for /project join
    now_offset: timedelta


async def build_scene(bot: TestingAdapter) -> str:
    await garden(bot)  # fran facilitates Fremont Garden; Jane (Fremont) linked; kim, lee, max
    await make_councillor(bot, "Carl Cole", wards=["Riverside"])
    await make_facilitator(bot, "Otto Orr")
    await bot.say("otto", "/project Orchard", chat="orchard")
    _, code = _invite(bot, "Root Admin", "admin")
    await bot.say("root", f"/start {code}")
    for user in ("otto", "carl", "root", "jane"):
        await bot.say(user, "hello", chat="garden")
    await bot.say("kim", "hello", chat="lobby")
    await raise_challenge(bot, "The bus route cuts the garden off", user="kim")
    await bot.say("fran", "/poll Where should the bench go? | By the pond | Under the oak",
                  chat="garden")
    await bot.say("fran", "/poll Which day? | Monday | Friday", chat="garden")
    await bot.say("fran", "/closepoll 2", chat="garden")
    await bot.say("fran", "/cancel")  # leave the outcome question unanswered
    return project_in(bot, "garden").code


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    path = tmp_path_factory.mktemp("authz") / "template.db"
    url = f"sqlite:///{path}"
    engine = create_db_engine(url)
    upgrade(engine)
    clock = FakeClock()
    core = build_core(settings=load_settings(environ={"NCBOT_STORAGE__URL": url}), engine=engine,
                clock=clock, worker_id="test")
    loop = asyncio.new_event_loop()
    code = loop.run_until_complete(build_scene(TestingAdapter(core)))
    loop.close()
    engine.dispose()  # the last connection closes: the WAL is folded into the file
    return Template(path, code, clock.now() - START)


@pytest.fixture
def scene(template: Template, tmp_path: Path) -> Iterator[TestingAdapter]:
    path = tmp_path / "cell.db"
    shutil.copy(template.path, path)
    url = f"sqlite:///{path}"
    engine = create_db_engine(url)
    core = build_core(settings=load_settings(environ={"NCBOT_STORAGE__URL": url}), engine=engine,
                clock=FakeClock(START + template.now_offset), worker_id="test")
    bot = TestingAdapter(core)
    bot._events = itertools.count(10**6)  # past the template's event ids in the ledger
    yield bot
    engine.dispose()


def role_names(row: Row, bot: TestingAdapter) -> str:
    if row.roles_text:
        return row.roles_text
    cmd = bot.core.routes.command(row.name)
    assert cmd is not None
    return " and ".join(T.ROLE_NAMES[r] for r in sorted(cmd.roles) if r != "admin")


def replies(bot: TestingAdapter, user: str, chat: str | None) -> list[SentMessage]:
    return bot.to_user(user) if chat is None else bot.to_chat(chat)


CELLS = [
    pytest.param(row, chat, role, id=f"{row.line[:40]}|{chat}|{role}")
    for row in MATRIX
    for chat in CHATS
    for role in ROLES
]


@pytest.mark.parametrize(("row", "chat", "role"), CELLS)
async def test_cell(scene: TestingAdapter, template: Template, row: Row, chat: str,
                    role: str) -> None:
    bot = scene
    user = ROLES[role][0]
    where = WHERE[chat]
    await bot.say(user, row.line.format(code=template.code), chat=where)
    got = replies(bot, user, where)
    texts = [m.text for m in got]
    expected = row.cell(chat, role)
    refusals = {reason(c, row, role_names(row, bot)) for c in REASONS}
    assert T.INTERNAL_ERROR not in texts
    if expected == OK:
        everywhere = [m.text for m in bot.sent]  # a success may be posted to the project
        assert not refusals & set(texts), texts
        assert any(marker in t for t in everywhere for marker in row.ok), everywhere
    else:
        want = reason(expected, row, role_names(row, bot))
        assert texts[:1] == [want]
        assert bot.sent == got[:1]  # refused: nothing else went anywhere


def test_every_command_has_a_row() -> None:
    from bot.app import build_routes

    commands = {c.name for c in build_routes().commands}
    covered = {row.name for row in MATRIX}
    assert commands == covered, {"missing": commands - covered, "unknown": covered - commands}


def test_the_documented_table_is_the_tested_one() -> None:
    section = document_section(DOC.read_text(encoding="utf-8"))
    assert section == markdown(), "run: python -m tests.authorization_matrix"


# ---- the rules the matrix rests on -------------------------------------------------------------


async def test_invite_code_guessing_is_limited(bot: TestingAdapter) -> None:
    _, code = _invite(bot, "Jane Doe", "councillor", wards=["Fremont"])
    limit = bot.core.settings.invites.max_failed_per_hour
    for i in range(limit):
        [answer] = await bot.say("mallory", f"/start GUESS{i:05d}")
        assert answer.text == PEOPLE_T.INVITE_UNKNOWN
    [answer] = await bot.say("mallory", f"/start {code}")  # even the right code, now
    assert answer.text == PEOPLE_T.INVITE_TOO_MANY
    await bot.core.advance_clock(timedelta(hours=1, minutes=1))
    [answer] = await bot.say("mallory", f"/start {code}")
    assert "registered as a councillor" in answer.text


async def test_a_councillor_cannot_answer_for_a_project_they_are_not_linked_to(
    bot: TestingAdapter,
) -> None:
    await garden(bot)
    await make_councillor(bot, "Carl Cole", wards=["Riverside"])
    await raise_challenge(bot)
    notice = notice_to(bot, "jane")
    for verb in ("Acknowledge", "Answer"):
        result = await bot.press("carl", notice.button(verb))
        assert result.notice == render(CHALLENGES_T.CHALLENGE_NOT_RECIPIENT, number=1).text
    [answer] = await bot.say("carl", "/answer 1 forward I will raise it at the committee.")
    assert answer.text == render(CHALLENGES_T.CHALLENGE_REF_UNKNOWN, number=1, move="answer").text


async def test_a_removed_councillor_cannot_answer_at_once(bot: TestingAdapter) -> None:
    await garden(bot)
    await raise_challenge(bot)
    notice = notice_to(bot, "jane")
    revoke(bot, "Jane Doe")
    result = await bot.press("jane", notice.button("Answer"))
    assert result.notice == render(CHALLENGES_T.CHALLENGE_NOT_RECIPIENT, number=1).text
    [answer] = await bot.say("jane", "/answer 1 forward I will raise it at the committee.")
    assert answer.text.startswith("Only councillors and facilitators can use /answer")


def revoke(bot: TestingAdapter, name: str) -> None:
    with session_scope(bot.core.engine) as s:
        admin.revoke(s, person=name, now=bot.core.clock.now())


async def test_a_removed_facilitator_loses_the_role_at_once(bot: TestingAdapter) -> None:
    await garden(bot)
    [ok] = await bot.say("fran", "/scope Allotments and their paths", chat="garden")
    assert ok.text.startswith("Scope of Fremont Garden set")
    revoke(bot, "Fran Fowler")
    for line in ("/scope Something else", "/ward Fremont", "/link Jane Doe", "/closepoll 1"):
        [refused] = await bot.say("fran", line, chat="garden")
        assert refused.text.startswith("Only "), (line, refused.text)
    [refused] = await bot.say("fran", "/poll Bench? | Pond | Oak", chat="garden")
    assert refused.text == "Only councillors and facilitators can use /poll."


async def test_a_link_proposal_can_only_be_accepted_by_its_councillor(bot: TestingAdapter) -> None:
    await garden(bot, link=False)
    await make_councillor(bot, "Carl Cole", wards=["Fremont"])
    proposal = next(m for m in reversed(bot.to_user("carl")) if "Accept" in m.button_labels)
    result = await bot.press("jane", proposal.button("Accept"))
    assert result.notice == LINKING_T.LINK_NOT_YOURS
    with session_scope(bot.core.engine) as s:
        assert all(link.status != "accepted" for link in s.exec(select(CouncillorLink)))


HELP_CELLS = [pytest.param(chat, role, id=f"{chat}|{role}") for chat in CHATS for role in ROLES]
# Refusals that depend only on who asks and where, never on what follows the command.
WHO_OR_WHERE = {"role", "group only", "private only", "private digests: councillors"}


@pytest.mark.parametrize(("chat", "role"), HELP_CELLS)
async def test_help_lists_no_command_that_would_refuse_its_reader(scene: TestingAdapter, chat: str,
                                                                 role: str) -> None:
    bot = scene
    user, where = ROLES[role][0], WHERE[chat]
    await bot.say(user, "/help", chat=where)
    listed = {line.split()[0][1:] for line in replies(bot, user, where)[-1].text.splitlines()
              if line.startswith("/")}
    for name in listed:
        rows = [row for row in MATRIX if row.name == name]
        cells = {row.cell(chat, role) for row in rows}
        assert not rows or not cells <= WHO_OR_WHERE, (name, chat, role, cells)
    if role == "facilitator" and chat == "private":
        assert "digest" not in listed
    if role == "linked councillor":
        assert "digest" in listed
