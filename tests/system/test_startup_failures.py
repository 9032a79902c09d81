"""A bot that cannot start says why in one line and exits 1: no traceback, never a secret.

Each case runs ``ncbot`` as a process against local fake platforms (or none at all).
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.slack.fake_slack import FakeSlack
from tests.telegram.conftest import TOKEN
from tests.telegram.fake_api import FakeBotApi

ROOT = Path(__file__).resolve().parents[2]
SLACK_TOKEN = "xoxb-2101-secret-bot-token-value"
PG_PASSWORD = "s3cret-pg-password"


@dataclass
class Exit:
    code: int
    stderr: str

    @property
    def last_line(self) -> str:
        return self.stderr.rstrip("\n").splitlines()[-1]

    def assert_one_calm_line(self, *secrets: str) -> None:
        assert self.code == 1, self.stderr
        assert self.last_line.startswith("ncbot: ")
        assert "Traceback" not in self.stderr and "Error:" not in self.stderr.replace(
            self.last_line, ""), self.stderr
        for secret in secrets:
            assert secret not in self.stderr


async def ncbot(*args: str, env: dict[str, str], tmp_path: Path) -> Exit:
    full = {k: v for k, v in os.environ.items() if not k.startswith("NCBOT_")}
    full.update({"NCBOT_STORAGE__URL": f"sqlite:///{tmp_path / 'bot.db'}",
                 "NCBOT_HTTP__PORT": "0"})
    full.update(env)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters.cli", *args, env=full, cwd=ROOT,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return Exit(proc.returncode, err.decode())


def closed_port() -> int:
    """A port nothing listens on (bound for a moment, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def other_bots_api() -> AsyncIterator[FakeBotApi]:
    """A Bot API that knows another token: ours gets 401 Unauthorized."""
    fake = FakeBotApi("987654321:AAHsomeoneelsesbot_token_value_xyz")
    await fake.start()
    yield fake
    await fake.stop()


def telegram_env(base_url: str) -> dict[str, str]:
    return {"NCBOT_TELEGRAM__TOKEN": TOKEN, "NCBOT_TELEGRAM__API_BASE_URL": base_url}


async def test_a_rejected_telegram_token(tmp_path: Path, other_bots_api: FakeBotApi) -> None:
    out = await ncbot("run", env=telegram_env(other_bots_api.base_url), tmp_path=tmp_path)
    out.assert_one_calm_line(TOKEN, TOKEN.split(":")[1])
    assert out.last_line == (f"ncbot: telegram: the Bot API at 127.0.0.1:{other_bots_api.port} "
                             "rejected the token (401 Unauthorized); check telegram.token")


async def test_an_unreachable_telegram_api(tmp_path: Path) -> None:
    port = closed_port()
    out = await ncbot("run", env=telegram_env(f"http://127.0.0.1:{port}/bot"), tmp_path=tmp_path)
    out.assert_one_calm_line(TOKEN, TOKEN.split(":")[1])
    assert out.last_line.startswith(f"ncbot: telegram: cannot reach the Bot API at 127.0.0.1:{port}: ")


async def test_a_rejected_slack_token(tmp_path: Path) -> None:
    api = FakeSlack()
    await api.start()
    try:
        api.fail("auth.test", "invalid_auth")
        out = await ncbot("run", tmp_path=tmp_path, env={
            "NCBOT_SLACK__BOT_TOKEN": SLACK_TOKEN, "NCBOT_SLACK__API_BASE_URL": api.base_url,
            "NCBOT_SLACK__SIGNING_SECRET": "0123456789abcdef0123456789abcdef"})
    finally:
        await api.stop()
    out.assert_one_calm_line(SLACK_TOKEN, "0123456789abcdef0123456789abcdef")
    assert out.last_line == (f"ncbot: slack: Slack at 127.0.0.1:{api.port} rejected the bot token "
                             "(invalid_auth); check slack.bot_token")


async def test_an_unreachable_slack_api(tmp_path: Path) -> None:
    port = closed_port()
    out = await ncbot("run", tmp_path=tmp_path, env={
        "NCBOT_SLACK__BOT_TOKEN": SLACK_TOKEN, "NCBOT_SLACK__API_BASE_URL": f"http://127.0.0.1:{port}/api/",
        "NCBOT_SLACK__SIGNING_SECRET": "0123456789abcdef0123456789abcdef"})
    out.assert_one_calm_line(SLACK_TOKEN)
    assert out.last_line.startswith(f"ncbot: slack: cannot reach Slack at 127.0.0.1:{port}: ")


@pytest.mark.parametrize("command", [["run"], ["admin", "people"], ["db", "upgrade"],
                                     ["db", "backup", "copy.db"]])
async def test_a_database_path_that_cannot_be_opened(tmp_path: Path, command: list[str]) -> None:
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'folder' / 'bot.db'}"
    out = await ncbot(*command, tmp_path=tmp_path,
                      env={"NCBOT_STORAGE__URL": url, **telegram_env("http://127.0.0.1:9/bot")})
    out.assert_one_calm_line(TOKEN)
    assert out.last_line == f"ncbot: cannot open the database {url}: unable to open database file"


async def test_a_database_server_that_refuses_keeps_its_password(tmp_path: Path) -> None:
    port = closed_port()
    url = f"postgresql+psycopg://ncbot:{PG_PASSWORD}@127.0.0.1:{port}/ncbot"
    out = await ncbot("run", tmp_path=tmp_path,
                      env={"NCBOT_STORAGE__URL": url, **telegram_env("http://127.0.0.1:9/bot")})
    out.assert_one_calm_line(PG_PASSWORD, TOKEN)
    assert out.last_line.startswith(
        f"ncbot: cannot open the database postgresql+psycopg://ncbot:***@127.0.0.1:{port}/ncbot: ")
