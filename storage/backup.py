"""Online backup of the SQLite database: consistent while the bot keeps writing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import Engine


def backup(engine: Engine, target: Path) -> None:
    if engine.dialect.name != "sqlite":
        raise ValueError("db backup copies SQLite databases; for PostgreSQL use pg_dump")
    if target.exists():
        raise ValueError(f"{target} exists already; choose a new file")
    target.parent.mkdir(parents=True, exist_ok=True)
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        with sqlite3.connect(target) as dest:
            # sqlite3's backup API copies page by page under SQLite's own locking.
            source.backup(dest)
        dest.close()
    finally:
        raw.close()
