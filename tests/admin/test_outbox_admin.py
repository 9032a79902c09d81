"""`ncbot admin outbox`: parked and waiting messages with their reasons; --retry re-queues."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from adapters.admin_cli import run_admin
from adapters.cli import build_parser
from adapters.testing import TestingAdapter
from bot.admin.operations import AdminError
from bot.kernel.ports import RetryLater, Unreachable
from storage.db import session_scope
from storage.models import Identity

ROOT = Path(__file__).resolve().parents[2]


def admin(bot: TestingAdapter, *args: str) -> tuple[Any, str]:
    printed: list[str] = []
    ns = build_parser().parse_args(["admin", "outbox", *args])
    result = run_admin(ns, engine=bot.core.engine, settings=bot.core.settings,
                       now=bot.core.clock.now(), out=printed.append)
    return result, "\n".join(printed)


async def test_a_parked_message_is_shown_with_its_reason_and_retried(bot: TestingAdapter) -> None:
    bot.fail_next = [Unreachable("Forbidden: bot was blocked by the user")]
    await bot.say("kim", "/help")
    assert not bot.sent
    report, text = admin(bot)
    [parked] = report["parked"]
    assert parked["reason"] == "unreachable: Forbidden: bot was blocked by the user"
    assert parked["chat_id"] == "dm-kim" and "Commands you can use here" in parked["text"]
    assert report["counts"] == {"parked": 1}
    assert "why: unreachable: Forbidden: bot was blocked by the user" in text
    assert "ncbot admin outbox --retry" in text
    with session_scope(bot.core.engine) as s:
        assert s.exec(select(Identity)).one().unreachable_at is not None

    result, text = admin(bot, "--retry", str(parked["id"]))
    assert result["status"] == "pending" and "queued again" in text
    with session_scope(bot.core.engine) as s:
        assert s.exec(select(Identity)).one().unreachable_at is None  # the admin says: try again
    assert await bot.core.outbox.flush() == 1
    assert "Commands you can use here" in bot.last(user="kim").text
    report, _ = admin(bot)
    assert report["parked"] == [] and report["counts"] == {"sent": 1}


async def test_waiting_messages_show_their_next_try(bot: TestingAdapter) -> None:
    bot.fail_next = [RetryLater("Too Many Requests: retry after 30", after=30)]
    await bot.say("kim", "/help")
    report, text = admin(bot, "--json")
    [waiting] = report["pending"]
    assert waiting["attempts"] == 1 and waiting["next_attempt_at"] is not None
    assert json.loads(text)["pending"][0]["id"] == waiting["id"]


async def test_only_a_parked_message_can_be_retried(bot: TestingAdapter) -> None:
    await bot.say("kim", "/help")
    sent_id = admin(bot)[0]["counts"]
    assert sent_id == {"sent": 1}
    with pytest.raises(AdminError, match="is sent, not parked"):
        admin(bot, "--retry", "1")
    with pytest.raises(AdminError, match="no outbox message 99"):
        admin(bot, "--retry", "99")


def test_the_outbox_command_as_a_process(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NCBOT_")}
    env["NCBOT_STORAGE__URL"] = f"sqlite:///{tmp_path / 'cli.db'}"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "adapters.cli", "admin", "outbox", *args],
                              capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)

    ok = run("--json")
    assert ok.returncode == 0 and json.loads(ok.stdout) == {"counts": {}, "parked": [], "pending": []}
    bad = run("--retry", "7")
    assert bad.returncode == 1 and bad.stderr.strip() == (
        "ncbot: no outbox message 7 (see ncbot admin outbox)"
    )
