"""Secrets never reach a log line: not from our code, not from the libraries' request logging."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator, Iterator

import pytest

from adapters.logs import REDACTED, JsonFormatter, configured_secrets, install_secret_redaction
from adapters.testing import TestingAdapter
from bot.app import build_core
from bot.kernel.config import Settings, load_settings
from bot.kernel.context import Ctx
from bot.kernel.core import Core
from bot.kernel.ports import FakeClock
from bot.kernel.routing import Command
from storage.db import create_db_engine
from storage.migrate import upgrade
from tests.slack.conftest import FakeTime, slack_settings
from tests.slack.fake_slack import FakeSlack
from tests.slack.signed import SlackSender
from tests.telegram.conftest import TOKEN, running
from tests.telegram.fake_api import FakeBotApi

SLACK_TOKEN = "xoxb-2101-secret-bot-token-value"
SIGNING = "0123456789abcdef0123456789abcdef"


@pytest.fixture(autouse=True)
def restore_log_records() -> Iterator[None]:
    """Start without redaction (an earlier test may have built a core), and put back what was."""
    factory = logging.getLogRecordFactory()
    logging.setLogRecordFactory(logging.LogRecord)
    yield
    logging.setLogRecordFactory(factory)


@pytest.fixture
def secret_settings(db_url: str) -> Settings:
    return load_settings(environ={
        "NCBOT_STORAGE__URL": db_url,
        "NCBOT_TELEGRAM__TOKEN": TOKEN,
        "NCBOT_TELEGRAM__WEBHOOK_SECRET": "hook-secret-4711",
        "NCBOT_SLACK__BOT_TOKEN": SLACK_TOKEN,
        "NCBOT_SLACK__SIGNING_SECRET": SIGNING,
    })


async def leaky(ctx: Ctx, args: str) -> None:
    """A handler that does what careless code does: logs the token, then fails with it."""
    token = ctx.settings.telegram.token
    logging.getLogger("bot.leaky").info("calling https://api.telegram.org/bot%s/getMe", token)
    raise RuntimeError(f"POST https://api.telegram.org/bot{token}/sendMessage failed")


async def run_leaky(settings: Settings) -> Core:
    engine = create_db_engine(settings.storage.url)
    upgrade(engine)
    core = build_core(settings=settings, engine=engine, clock=FakeClock(), worker_id="test")
    core.routes = dataclasses.replace(
        core.routes, commands=(*core.routes.commands, Command("leak", leaky, "", "/leak", "/leak"))
    )
    bot = TestingAdapter(core)
    await bot.say("kim", "/leak")
    assert "went wrong" in bot.last(user="kim").text
    engine.dispose()
    return core


def every_line(caplog: pytest.LogCaptureFixture) -> str:
    """What the console handler and the JSON handler would print for the captured records."""
    plain = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    return "\n".join(f(r) for r in caplog.records for f in (plain.format, JsonFormatter().format))


def test_the_configured_secrets_are_all_found(secret_settings: Settings) -> None:
    assert set(configured_secrets(secret_settings)) == {TOKEN, "hook-secret-4711", SLACK_TOKEN,
                                                        SIGNING}


async def test_without_redaction_the_token_would_leak(secret_settings: Settings,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await run_leaky(secret_settings)
    assert TOKEN in every_line(caplog)  # the hazard is real; the next test shows it closed


async def test_the_core_never_logs_a_secret(secret_settings: Settings,
                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    install_secret_redaction(configured_secrets(secret_settings))
    await run_leaky(secret_settings)
    lines = every_line(caplog)
    assert "calling https://api.telegram.org/bot[redacted]/getMe" in lines
    assert "RuntimeError: POST https://api.telegram.org/bot[redacted]/sendMessage" in lines
    for secret in configured_secrets(secret_settings):
        assert secret not in lines


# ---- the real platform libraries at DEBUG ------------------------------------------------------


@pytest.fixture
async def telegram_api() -> AsyncIterator[FakeBotApi]:
    fake = FakeBotApi(TOKEN)
    await fake.start()
    yield fake
    await fake.stop()


async def test_telegram_request_logging_never_shows_the_token(
    core: Core, telegram_api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    install_secret_redaction([TOKEN, "webhook-secret_4711"])
    async for tg in running(core, telegram_api, webhook_url="https://bot.example.org/telegram/webhook"):
        await tg.say("alice", "/help")
        await telegram_api.wait_sent(chat_id=tg.u.user("alice")["id"])
    lines = every_line(caplog)
    assert f"/bot{REDACTED}/sendMessage" in lines  # the library did log the URL
    assert TOKEN not in lines and TOKEN.split(":")[1] not in lines
    assert "webhook-secret_4711" not in lines


async def test_slack_request_logging_never_shows_the_token(
    core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    from adapters.http import HttpServer
    from adapters.slack.adapter import SlackAdapter

    caplog.set_level(logging.DEBUG)
    install_secret_redaction([SLACK_TOKEN, SIGNING])
    api = FakeSlack()
    await api.start()
    http = HttpServer(core, host="127.0.0.1", port=0)
    time = FakeTime()
    adapter = SlackAdapter(core, slack_settings(api, bot_token=SLACK_TOKEN, signing_secret=SIGNING),
                           http, monotonic=time.monotonic, sleep=time.sleep)
    core.attach(adapter)
    await http.start()
    await adapter.start()
    try:
        sender = SlackSender(f"http://127.0.0.1:{http.bound_port}/slack/events", SIGNING,
                             api.response_url)
        status, _ = await sender.event({"type": "message", "channel": "D1", "channel_type": "im",
                                        "user": "U1", "text": "/help", "ts": "1.1"})
        assert status == 200
        await api.wait_for("chat.postMessage")
    finally:
        adapter.delivery.coalescer.forget()
        await adapter.stop()
        await http.stop()
        await api.stop()
    lines = every_line(caplog)
    assert "chat.postMessage" in lines
    assert SLACK_TOKEN not in lines and SIGNING not in lines
