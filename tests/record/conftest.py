"""The busy public project is built once per module on SQLite, and copied for each test."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import delete

from adapters.testing import TestingAdapter
from bot.app import build_core
from bot.kernel.config import load_settings
from bot.kernel.core import Core
from bot.kernel.ports import FakeClock
from storage.db import create_db_engine
from storage.migrate import upgrade
from storage.models import ProcessedEvent
from tests.record.scene import busy_public_project, project_code


@dataclass(frozen=True)
class Built:
    folder: Path
    numbers: dict[str, int]
    code: str
    now: datetime


def _core(db: Path, now: datetime | None = None) -> Core:
    settings = load_settings(environ={"NCBOT_STORAGE__URL": f"sqlite:///{db}",
                                      "NCBOT_WEB__PUBLIC_URL": "https://record.example.org"})
    engine = create_db_engine(settings.storage.url)
    upgrade(engine)
    clock = FakeClock() if now is None else FakeClock(now)
    return build_core(settings=settings, engine=engine, clock=clock, worker_id="test")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    folder = tmp_path_factory.mktemp("record")
    core = _core(folder / "ncbot.db")
    bot = TestingAdapter(core)
    numbers = asyncio.run(busy_public_project(bot))
    built = Built(folder, numbers, project_code(bot), core.clock.now())
    core.engine.dispose()
    return built


@pytest.fixture
def scene(built: Built, tmp_path: Path) -> Iterator[TestingAdapter]:
    """A copy of the busy project's database, with a bot on it at the time the scene ended."""
    for name in ("ncbot.db", "ncbot.db-wal", "ncbot.db-shm"):
        if (built.folder / name).exists():
            shutil.copy(built.folder / name, tmp_path / name)
    core = _core(tmp_path / "ncbot.db", built.now)
    with core.engine.begin() as conn:  # a new adapter numbers its events from 1 again
        conn.execute(delete(ProcessedEvent))
    yield TestingAdapter(core)
    core.engine.dispose()
