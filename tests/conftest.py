"""Fixtures: a fresh migrated SQLite file per test, a fake clock, the core and the testing adapter."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.testing import TestingAdapter
from bot.config import Settings, load_settings
from bot.core import Core
from bot.ports import FakeClock
from storage.db import create_db_engine
from storage.migrate import upgrade


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ncbot.db'}"


@pytest.fixture
def settings(db_url: str) -> Settings:
    return load_settings(environ={"NCBOT_STORAGE__URL": db_url})


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def core(settings: Settings, clock: FakeClock) -> Iterator[Core]:
    engine = create_db_engine(settings.storage.url)
    upgrade(engine)
    yield Core(settings=settings, engine=engine, clock=clock, worker_id="test")
    engine.dispose()


@pytest.fixture
def bot(core: Core) -> TestingAdapter:
    return TestingAdapter(core)
