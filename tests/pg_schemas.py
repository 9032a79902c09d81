"""A throwaway PostgreSQL schema per test: created empty, reached through ``search_path``, dropped after."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (the tables ``stored_bytes`` reads)

ENV = "NCBOT_TEST_POSTGRES_URL"


def postgres_url() -> str | None:
    return os.environ.get(ENV) or None


def schema_url(base: str, schema: str) -> str:
    """``base`` with every connection's ``search_path`` set to ``schema`` (and named after it)."""
    url = make_url(base).update_query_dict(
        {"options": f"-csearch_path={schema} -csynchronous_commit=off", "application_name": schema}
    )
    return url.render_as_string(hide_password=False)


@contextmanager
def fresh_schema(base: str) -> Iterator[str]:
    """Yield a database URL whose tables live in a new, empty schema; drop the schema afterwards."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", pool_size=1)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            yield schema_url(base, schema)
        finally:
            with admin.connect() as conn:
                # A connection a test left open (even idle in a transaction) must not keep the
                # schema's tables locked, or the DROP would wait for ever.
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": schema},
                )
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


def stored_bytes(engine: Engine) -> bytes:
    """Everything the database holds, to search for what must never be stored (message text).

    SQLite: the file and its write-ahead log. PostgreSQL: every row of every table, as text.
    """
    if engine.dialect.name == "sqlite":
        path = Path(engine.url.database or "")
        wal = path.with_name(path.name + "-wal")
        return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    parts: list[str] = []
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            parts += [repr(tuple(row)) for row in conn.execute(table.select())]
    return "\n".join(parts).encode()
