"""Fixtures: a fresh migrated database per test, a fake clock, the core and the testing adapter.

Every test that uses ``db_url`` (directly or through ``settings``/``core``/``bot``) runs twice:
on a fresh SQLite file, and on a fresh PostgreSQL schema when ``NCBOT_TEST_POSTGRES_URL`` names a
server (otherwise that variant is skipped with the reason).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.testing import TestingAdapter
from bot.app import build_core
from bot.kernel.config import Settings, load_settings
from bot.kernel.core import Core
from bot.kernel.ports import FakeClock
from storage.db import create_db_engine
from storage.migrate import upgrade
from tests.fuzzing import PROFILE
from tests.pg_schemas import ENV, fresh_schema, postgres_url

assert PROFILE  # the hypothesis profile is loaded before any test module is collected

DATABASES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=pytest.mark.skipif(postgres_url() is None, reason=f"{ENV} is not set"),
    ),
]


@pytest.fixture(params=DATABASES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ncbot.db'}"
        return
    base = postgres_url()
    assert base is not None
    with fresh_schema(base) as url:
        yield url


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
    yield build_core(settings=settings, engine=engine, clock=clock, worker_id="test")
    engine.dispose()


@pytest.fixture
def bot(core: Core) -> TestingAdapter:
    return TestingAdapter(core)
