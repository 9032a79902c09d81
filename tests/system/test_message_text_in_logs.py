"""At DEBUG, the log still keeps residents' messages out: ``ncbot run`` on both platforms.

The libraries that carry the traffic (python-telegram-bot, httpx, slack_sdk, slack_bolt, aiohttp)
print whole updates and requests at DEBUG; they stay at ``bot.library_log_level`` (INFO) unless
that is lowered too. The second test lowers it and finds the message: the hazard is real.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import pytest

from tests.slack.fake_slack import FakeSlack
from tests.slack.signed import SlackSender
from tests.telegram.conftest import TOKEN
from tests.telegram.fake_api import FakeBotApi
from tests.telegram.payloads import PEOPLE, Updates

ROOT = Path(__file__).resolve().parents[2]
SIGNING = "0123456789abcdef0123456789abcdef"
ON_TELEGRAM = "The bench by the pond has been broken since May"
ON_SLACK = "Nobody empties the bins on Elm Street"


async def run_and_log(tmp_path: Path, **env: str) -> str:
    """Start ``ncbot run`` at DEBUG on a fake Telegram (polling) and a fake Slack, have a resident
    write on each, stop it; returns everything it logged."""
    telegram, slack = FakeBotApi(TOKEN), FakeSlack()
    await telegram.start()
    await slack.start()
    full = {k: v for k, v in os.environ.items() if not k.startswith("NCBOT_")}
    full.update({
        "NCBOT_STORAGE__URL": f"sqlite:///{tmp_path / 'bot.db'}", "NCBOT_HTTP__PORT": "0",
        "NCBOT_BOT__LOG_LEVEL": "DEBUG",
        "NCBOT_TELEGRAM__TOKEN": TOKEN, "NCBOT_TELEGRAM__API_BASE_URL": telegram.base_url,
        "NCBOT_SLACK__BOT_TOKEN": "xoxb-2101-secret-bot-token-value",
        "NCBOT_SLACK__SIGNING_SECRET": SIGNING, "NCBOT_SLACK__API_BASE_URL": slack.base_url,
        **env})
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters.cli", "run", env=full, cwd=ROOT,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)
    assert proc.stderr is not None
    lines: list[str] = []
    seen = asyncio.Condition()

    async def read() -> None:
        assert proc.stderr is not None
        async for raw in proc.stderr:
            async with seen:
                lines.append(raw.decode(errors="replace"))
                seen.notify_all()

    reader = asyncio.create_task(read())

    async def line(pattern: str) -> re.Match[str]:
        def found() -> re.Match[str] | None:
            return next((m for m in (re.search(pattern, x) for x in lines) if m), None)

        async with seen:
            await asyncio.wait_for(seen.wait_for(lambda: found() is not None), 60)
        match = found()
        assert match is not None
        return match

    try:
        port = int((await line(r"HTTP server on [\d.]+:(\d+)")).group(1))
        await line(r"telegram: @ncbot_test_bot")
        updates = Updates()
        await telegram.push(updates.message("alice", ON_TELEGRAM))
        await telegram.push(updates.message("alice", "/help"))  # answered once both are read
        await telegram.wait_sent(chat_id=PEOPLE["alice"]["id"])
        sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", SIGNING, slack.response_url)
        for n, text in enumerate((ON_SLACK, "help")):
            status, _ = await sender.event({"type": "message", "channel": "D1",
                                            "channel_type": "im", "user": "U1", "text": text,
                                            "ts": f"1.{n}"})
            assert status == 200
        await slack.wait_for("chat.postMessage")
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
        await reader
        await telegram.stop()
        await slack.stop()
    log = "".join(lines)
    assert " DEBUG " in log  # DEBUG was really on
    return log


async def test_debug_logging_keeps_residents_messages_out(tmp_path: Path) -> None:
    log = await run_and_log(tmp_path)
    assert ON_TELEGRAM not in log
    assert ON_SLACK not in log
    assert "HTTP Request: POST" in log  # the libraries still log their requests, at INFO


@pytest.mark.parametrize("level", ["DEBUG"])
async def test_library_debug_is_asked_for_separately(tmp_path: Path, level: str) -> None:
    log = await run_and_log(tmp_path, NCBOT_BOT__LIBRARY_LOG_LEVEL=level)
    assert ON_TELEGRAM in log  # what the first test keeps out, were the libraries at DEBUG
