"""The bot run as it is deployed: from a config file whose Bot API is a local server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from adapters.http import HttpServer
from adapters.runtime import build_core, platform_adapters, run_platforms
from adapters.telegram.adapter import SECRET_HEADER, WEBHOOK_PATH
from bot.kernel.config import Settings, load_settings
from tests.telegram.conftest import SECRET, TOKEN
from tests.telegram.fake_api import FakeBotApi
from tests.telegram.payloads import PEOPLE, Updates

ALICE = PEOPLE["alice"]["id"]
ROOT = Path(__file__).resolve().parents[2]


def write_config(tmp_path: Path, api: FakeBotApi, mode: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[storage]
url = "sqlite:///{tmp_path / 'bot.db'}"

[http]
host = "127.0.0.1"
port = 0

[telegram]
mode = "{mode}"
api_base_url = "{api.base_url}"
file_base_url = "http://127.0.0.1:{api.port}/file/bot"
""",
        encoding="utf-8",
    )
    return path


def environment() -> dict[str, str]:
    return {"NCBOT_TELEGRAM__TOKEN": TOKEN, "NCBOT_TELEGRAM__WEBHOOK_SECRET": SECRET}


@contextlib.asynccontextmanager
async def running_bot(settings: Settings) -> AsyncIterator[HttpServer]:
    core = build_core(settings)
    http = HttpServer(core, host=settings.http.host, port=settings.http.port)
    stop = asyncio.Event()
    task = asyncio.create_task(run_platforms(core, platform_adapters(core, http), http, stop))
    try:
        yield http
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        core.engine.dispose()


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_run_platforms_from_a_config_pointing_at_a_local_bot_api(
    tmp_path: Path, api: FakeBotApi, mode: str
) -> None:
    settings = load_settings(write_config(tmp_path, api, mode), environ=environment())
    assert settings.telegram.api_base_url == api.base_url
    updates = Updates()
    async with running_bot(settings) as http:
        await api.wait_sent("setMyCommands", count=2)
        if mode == "polling":
            await api.push(updates.message("alice", "/help"))
        else:
            url = f"http://127.0.0.1:{http.bound_port}{WEBHOOK_PATH}"
            async with aiohttp.ClientSession() as client, client.post(
                url, json=updates.message("alice", "/help"), headers={SECRET_HEADER: SECRET}
            ) as response:
                assert response.status == 200
        replies = await api.wait_sent(chat_id=ALICE)
        assert "Commands you can use here" in replies[0].text
    # Stopped cleanly: polling confirmed what it fetched; nothing is left running.
    if mode == "polling":
        assert api.sent("getUpdates")[-1].params.get("timeout") == 0


async def read_until(stream: asyncio.StreamReader, pattern: str) -> re.Match[str]:
    seen = []
    while True:
        line = (await asyncio.wait_for(stream.readline(), 30)).decode()
        if not line:
            raise AssertionError("the bot stopped early:\n" + "".join(seen))
        seen.append(line)
        found = re.search(pattern, line)
        if found:
            return found


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_ncbot_run_serves_telegram_until_terminated(
    tmp_path: Path, api: FakeBotApi, mode: str
) -> None:
    config = write_config(tmp_path, api, mode)
    env = {**os.environ, **environment()}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters.cli", "--config", str(config), "run",
        env=env, stderr=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
        cwd=ROOT,
    )
    assert proc.stderr is not None
    try:
        port = int((await read_until(proc.stderr, r"HTTP server on [\d.]+:(\d+)")).group(1))
        await read_until(proc.stderr, r"telegram: @ncbot_test_bot")
        updates = Updates()
        update = updates.message("alice", "/help")
        if mode == "polling":
            await api.push(update)
        else:
            async with aiohttp.ClientSession() as client:
                url = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
                async with client.post(url, json=update) as refused:
                    assert refused.status == 403
                async with client.post(url, json=update, headers={SECRET_HEADER: SECRET}) as ok:
                    assert ok.status == 200
                # the public record is served beside the webhooks
                async with client.get(f"http://127.0.0.1:{port}/") as record:
                    assert record.status == 200 and "Public projects</h1>" in await record.text()
        replies = await api.wait_sent(chat_id=ALICE)
        assert len(replies) == 1 and "Commands you can use here" in replies[0].text
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 30)
    assert code == 0
