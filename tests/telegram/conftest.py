"""The Telegram adapter, driven by the real python-telegram-bot, against the fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from telegram import Update

from adapters.http import HttpServer
from adapters.telegram.adapter import SECRET_HEADER, WEBHOOK_PATH, TelegramAdapter
from adapters.telegram.pacing import FloodPacer
from bot.kernel.config import TelegramSection
from bot.kernel.core import Core
from bot.people.invites import issue_invite
from storage.db import session_scope
from storage.repo import people
from tests.telegram.fake_api import WAIT_LIMIT, FakeBotApi
from tests.telegram.payloads import Updates

TOKEN = "123456789:AAHfakefakefakefakefakefakefake_tst"
SECRET = "webhook-secret_4711"


@dataclass
class Harness:
    core: Core
    api: FakeBotApi
    adapter: TelegramAdapter
    http: HttpServer
    client: aiohttp.ClientSession
    u: Updates
    handled: set[int] = field(default_factory=set)  # update ids the application has processed
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.http.bound_port}{WEBHOOK_PATH}"

    async def mark_handled(self, update: Update) -> None:
        async with self.changed:
            self.handled.add(update.update_id)
            self.changed.notify_all()

    async def post(self, update: dict[str, Any], *, secret: str | None = SECRET) -> int:
        """Telegram delivers ``update``: to the webhook (returns the HTTP status), or, when
        polling, through getUpdates (returns 200 once the update has been handled)."""
        if self.adapter.settings.mode == "polling":
            await self.api.push(update)
            async with self.changed:
                await asyncio.wait_for(
                    self.changed.wait_for(lambda: update["update_id"] in self.handled),
                    WAIT_LIMIT)
            return 200
        headers = {} if secret is None else {SECRET_HEADER: secret}
        async with self.client.post(self.webhook_url, json=update, headers=headers) as response:
            return response.status

    async def say(self, who: str, text: str, chat: dict[str, Any] | None = None,
                  **extra: Any) -> dict[str, Any]:
        update = self.u.message(who, text, chat, **extra)
        assert await self.post(update) == 200
        return update

    def invite(self, name: str, role: str, wards: Iterable[str] = ()) -> str:
        """An invite as the admin issues it (a new person with ``role``); returns the code."""
        now = self.core.clock.now()
        with session_scope(self.core.engine) as s:
            person = people.create_person(s, name=name, now=now)
            assert person.id is not None
            ward_ids = []
            for ward in wards:
                found = people.find_ward(s, name=ward) or people.add_ward(s, name=ward)
                assert found.id is not None
                ward_ids.append(found.id)
            if role == "councillor":
                people.set_councillor_areas(s, person_id=person.id, ward_ids=ward_ids,
                                            portfolios=[])
            return issue_invite(s, role=role, person_id=person.id, now=now,
                                ttl=timedelta(days=14)).code


def telegram_settings(api: FakeBotApi, **overrides: Any) -> TelegramSection:
    values: dict[str, Any] = {
        "token": TOKEN,
        "mode": "webhook",
        "webhook_secret": SECRET,
        "api_base_url": api.base_url,
        "file_base_url": f"http://127.0.0.1:{api.port}/file/bot",
    }
    values.update(overrides)
    return TelegramSection(**values)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    fake = FakeBotApi(TOKEN)
    await fake.start()
    yield fake
    await fake.stop()


async def running(core: Core, api: FakeBotApi, *, pacer: FloodPacer | None = None,
                  **overrides: Any) -> AsyncIterator[Harness]:
    http = HttpServer(core, host="127.0.0.1", port=0)
    # The group limit is raised so a long scenario in one group is not paced for a minute.
    pacer = pacer or FloodPacer(group_per_minute=600)
    adapter = TelegramAdapter(core, telegram_settings(api, **overrides), http, pacer=pacer,
                              poll_timeout=5)
    await http.start()
    await adapter.start()
    async with aiohttp.ClientSession() as client:
        harness = Harness(core, api, adapter, http, client, Updates())
        adapter.on_handled.append(harness.mark_handled)
        try:
            yield harness
        finally:
            await adapter.stop()
            await http.stop()


@pytest.fixture
async def tg(core: Core, api: FakeBotApi) -> AsyncIterator[Harness]:
    """Webhook mode: each update is handled before its POST is answered."""
    async for harness in running(core, api, webhook_url="https://bot.example.org/telegram/webhook"):
        yield harness


@pytest.fixture(params=["webhook", "polling"])
async def either(request: pytest.FixtureRequest, core: Core, api: FakeBotApi
                 ) -> AsyncIterator[Harness]:
    """The same story once through the webhook and once through long polling."""
    extra = {"webhook_url": "https://bot.example.org/telegram/webhook"} \
        if request.param == "webhook" else {"mode": "polling"}
    async for harness in running(core, api, **extra):
        yield harness


@pytest.fixture
async def polling(core: Core, api: FakeBotApi) -> AsyncIterator[Harness]:
    """Long polling: updates are pushed to the fake server and fetched with getUpdates."""
    async for harness in running(core, api, mode="polling"):
        yield harness
