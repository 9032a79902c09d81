"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from bot.kernel.core import Core
from storage.db import is_sqlite
from storage.migrate import current_revision, head_revision


def _diff(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), SQLModel.metadata))


def test_models_and_migrations_agree(core: Core) -> None:
    assert _diff(core.engine) == []


def test_database_is_at_the_single_head(core: Core) -> None:
    assert current_revision(core.engine) == head_revision(core.engine)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(core: Core) -> None:
    if not is_sqlite(core.engine):
        pytest.skip("SQLite pragmas")
    with core.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
