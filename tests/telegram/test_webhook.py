"""Webhook mode: start-up calls, the secret header, commands, onboarding, duplicates, escaping."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.kernel.core import Core
from storage.db import session_scope
from storage.models import Chat, Project, RoleGrant
from tests.telegram.conftest import SECRET, TOKEN, Harness, telegram_settings
from tests.telegram.fake_api import FakeBotApi
from tests.telegram.payloads import GROUP_ID, PEOPLE, Updates


def roles_of(tg: Harness, who: str) -> set[str]:
    with session_scope(tg.core.engine) as s:
        from storage.repo import people

        identity = people.get_identity(s, platform="telegram", user_id=str(PEOPLE[who]["id"]))
        if identity is None:
            return set()
        return {g.role for g in s.exec(select(RoleGrant).where(
            RoleGrant.person_id == identity.person_id))}


async def test_start_sets_the_webhook_and_a_command_menu_per_kind_of_chat(tg: Harness) -> None:
    assert tg.api.webhook is not None
    assert tg.api.webhook["url"] == "https://bot.example.org/telegram/webhook"
    assert tg.api.webhook["secret_token"] == SECRET
    assert "callback_query" in tg.api.webhook["allowed_updates"]
    private = {c["command"] for c in tg.api.commands["all_private_chats"]}
    groups = {c["command"] for c in tg.api.commands["all_group_chats"]}
    assert "help" in private and "help" in groups
    assert "project" in groups and "project" not in private
    assert all(c["description"] for c in tg.api.commands["all_group_chats"])
    assert not tg.api.sent("getUpdates", ok=None)  # webhook mode never polls


async def test_start_with_an_invite_code_makes_a_councillor(tg: Harness) -> None:
    code = tg.invite("Jane Doe", "councillor", wards=["Fremont"])
    await tg.say("jane", f"/start {code}")
    reply = tg.api.sent(chat_id=PEOPLE["jane"]["id"])[-1]
    assert "Welcome, Jane Doe" in reply.text and "Fremont" in reply.text
    assert reply.params["parse_mode"] == "HTML"
    assert roles_of(tg, "jane") == {"councillor"}


async def test_a_deep_link_code_is_read_like_a_typed_one(tg: Harness) -> None:
    code = tg.invite("Fran Fowler", "facilitator")
    # t.me/<bot>?start=CODE arrives as "/start CODE" once the person presses Start.
    await tg.say("fiona", f"/start {code.lower()}")
    assert "Welcome, Fran Fowler" in tg.api.sent(chat_id=PEOPLE["fiona"]["id"])[-1].text
    assert roles_of(tg, "fiona") == {"facilitator"}


async def test_a_facilitator_registers_a_group_and_user_text_arrives_escaped(tg: Harness) -> None:
    await tg.say("fiona", f"/start {tg.invite('Fran Fowler', 'facilitator')}")
    group = Updates.group()
    await tg.say("fiona", "/project <b>Fremont</b> & Garden", group)
    reply = tg.api.sent(chat_id=GROUP_ID)[-1]
    assert "&lt;b&gt;Fremont&lt;/b&gt; &amp; Garden" in reply.html
    assert "<b>&lt;b&gt;Fremont" in reply.html  # the catalogue's bold, around escaped text
    assert "<b>Fremont</b> & Garden is registered" in reply.text
    with session_scope(tg.core.engine) as s:
        project = s.exec(select(Project)).one()
        assert project.name == "<b>Fremont</b> & Garden"
        chat = s.exec(select(Chat).where(Chat.platform_chat_id == str(GROUP_ID))).one()
        assert chat.project_id == project.id and chat.kind == "group"


async def test_a_command_addressed_to_this_bot_by_name_is_run(tg: Harness) -> None:
    await tg.say("alice", "/help@ncbot_test_bot", Updates.group())
    assert "Commands you can use here" in tg.api.sent(chat_id=GROUP_ID)[-1].text


async def test_a_command_for_another_bot_is_ignored(tg: Harness) -> None:
    await tg.say("alice", "/help@some_other_bot", Updates.group())
    await tg.say("alice", "/frobnicate@some_other_bot now", Updates.group())
    assert tg.api.sent(chat_id=GROUP_ID) == []


async def test_an_edited_command_is_not_run_again(tg: Harness) -> None:
    assert await tg.post(tg.u.edited("alice", "/help")) == 200
    assert tg.api.sent() == []


async def test_a_wrong_or_missing_secret_is_refused_with_no_effect(tg: Harness) -> None:
    update = tg.u.message("alice", "/help")
    assert await tg.post(update, secret=None) == 403
    assert await tg.post(update, secret="not-the-secret") == 403
    assert await tg.post(update, secret=SECRET + "x") == 403
    assert tg.api.sent() == []
    assert await tg.post(update) == 200  # the same update, now properly signed, runs once
    assert len(tg.api.sent()) == 1


async def test_a_retried_update_has_one_effect(tg: Harness) -> None:
    code = tg.invite("Jane Doe", "councillor", wards=["Fremont"])
    update = tg.u.message("jane", f"/start {code}")
    for _ in range(3):  # Telegram retries a webhook it thinks failed
        assert await tg.post(update) == 200
    replies = tg.api.sent(chat_id=PEOPLE["jane"]["id"])
    assert len(replies) == 1 and "Welcome" in replies[0].text


async def test_a_body_that_is_not_an_update_gets_400(tg: Harness) -> None:
    url = tg.webhook_url
    async with tg.client.post(url, data=b"{nope", headers={"X-Telegram-Bot-Api-Secret-Token":
                                                            SECRET}) as response:
        assert response.status == 400
    assert tg.api.sent() == []


async def test_the_health_check_reports_telegram(tg: Harness) -> None:
    url = f"http://127.0.0.1:{tg.http.bound_port}/healthz"
    async with tg.client.get(url) as response:
        body = await response.json()
    assert response.status == 200
    assert body["checks"]["telegram"] == {"ok": True, "detail": "webhook"}


async def test_a_token_the_api_refuses_stops_the_start_cleanly(core: Core, api: FakeBotApi) -> None:
    from adapters.http import HttpServer
    from adapters.telegram.adapter import TelegramAdapter, TelegramAdapterError

    api.fail("getMe", 401, "Unauthorized")
    adapter = TelegramAdapter(core, telegram_settings(api), HttpServer(core, host="127.0.0.1",
                                                                       port=0))
    with pytest.raises(TelegramAdapterError, match="rejected the token") as refused:
        await adapter.start()
    assert TOKEN not in str(refused.value) and refused.value.__cause__ is None
    assert not adapter.app.running
    assert await adapter.health() == (False, "not running")
