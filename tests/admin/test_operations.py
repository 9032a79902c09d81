"""Operations as docs/operations.md describes them: a backup taken while the bot writes, the restore
steps, and /healthz."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from adapters.http import HttpServer
from adapters.testing import TestingAdapter
from bot.kernel.core import Core
from bot.kernel.events import CommandIssued
from storage.backup import backup
from storage.db import is_sqlite

ROOT = Path(__file__).resolve().parents[2]


def ncbot(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NCBOT_")}
    env["NCBOT_STORAGE__URL"] = f"sqlite:///{db}"
    return subprocess.run([sys.executable, "-m", "adapters.cli", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=120)


async def test_a_backup_taken_while_the_bot_writes_is_one_consistent_moment(
    bot: TestingAdapter, tmp_path: Path
) -> None:
    if not is_sqlite(bot.core.engine):
        pytest.skip("ncbot db backup copies SQLite; PostgreSQL is backed up with pg_dump")
    target = tmp_path / "backup.db"
    stop = asyncio.Event()

    async def busy() -> int:
        n = 0
        while not stop.is_set():
            n += 1
            await bot.core.handle(CommandIssued(chat=bot.dm(f"u{n % 7}"),
                                                sender=bot.sender(f"u{n % 7}"), name="help",
                                                event_id=f"busy-{n}"))
        return n

    writer = asyncio.create_task(busy())
    await asyncio.sleep(0)  # let the writer start before the copy
    await asyncio.to_thread(backup, bot.core.engine, target)
    stop.set()
    written = await writer
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        events = copy.execute("SELECT count(*) FROM processedevent").fetchone()[0]
        replies = copy.execute("SELECT count(*) FROM outboundmessage").fetchone()[0]
    # Each /help's ledger row and its reply commit together: a copy of one moment has both or
    # neither, whatever the writer was doing.
    assert events == replies
    assert 0 < written


def test_the_restore_steps(tmp_path: Path) -> None:
    live = tmp_path / "ncbot.db"
    assert ncbot("admin", "ward", "add", "Fremont", db=live).returncode == 0
    assert ncbot("admin", "invite", "facilitator", "--name", "Fran Fowler", db=live).returncode == 0
    saved = tmp_path / "backups" / "ncbot-2026-01-05.db"
    assert ncbot("db", "backup", str(saved), db=live).returncode == 0
    # The disaster: the live database is gone (or damaged).
    for path in tmp_path.glob("ncbot.db*"):
        path.unlink()
    # Restore: copy the backup into place (no -wal/-shm files beside it), then upgrade.
    live.write_bytes(saved.read_bytes())
    upgraded = ncbot("db", "upgrade", db=live)
    assert upgraded.returncode == 0 and "Database at revision" in upgraded.stdout
    people = json.loads(ncbot("admin", "people", "--json", db=live).stdout)
    assert [p["name"] for p in people] == ["Fran Fowler"]
    assert ncbot("admin", "ward", "list", db=live).stdout.strip() == "Fremont"


async def test_healthz_reports_the_database_and_each_platform(core: Core) -> None:
    http = HttpServer(core, host="127.0.0.1", port=0)

    async def telegram_up() -> tuple[bool, str]:
        return True, "@ncbot_test_bot, webhook"

    async def slack_down() -> tuple[bool, str]:
        return False, "auth.test: invalid_auth"

    http.health["telegram"] = telegram_up
    await http.start()
    url = f"http://127.0.0.1:{http.bound_port}/healthz"
    try:
        async with aiohttp.ClientSession() as client:
            async with client.get(url) as response:
                assert response.status == 200
                body = await response.json()
            assert body == {"ok": True, "checks": {
                "database": {"ok": True},
                "telegram": {"ok": True, "detail": "@ncbot_test_bot, webhook"}}}
            http.health["slack"] = slack_down
            async with client.get(url) as response:
                assert response.status == 503
                body = await response.json()
            assert body["ok"] is False
            assert body["checks"]["slack"] == {"ok": False, "detail": "auth.test: invalid_auth"}
    finally:
        await http.stop()
