"""Rows on the hot paths: objects made as the ORM makes the rows it reads (a model's constructor
validates and records every attribute one by one: 25 to 35 µs a row against a few), and many
rows inserted with their ids in one statement."""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Insert, Table
from sqlalchemy.engine import Connection
from sqlalchemy.orm import configure_mappers, instrumentation
from sqlmodel import SQLModel

M = TypeVar("M", bound=SQLModel)


@cache
def _fields(model: type[SQLModel]) -> tuple[dict[str, Any], frozenset[str]]:
    """Every field's default (None for one without), and the fields without one: a row made
    here holds every column, and a required one must be given."""
    defaults, required = {}, set()
    for name, info in model.model_fields.items():
        if info.default_factory is not None:
            raise TypeError(f"{model.__name__}.{name}: a default made per row is not supported")
        defaults[name] = None if info.is_required() else info.default
        if info.is_required():
            required.add(name)
    return defaults, frozenset(required)


def as_read(model: type[M], **values: Any) -> M:
    """A ``model`` holding ``values`` (and the defaults of the other fields) as if read from the
    database: nothing pending to insert or update, no validation. For values the caller has just
    written, or is about to write with a plain statement; changed later, it is an ordinary row."""
    defaults, required = _fields(model)
    unknown, missing = values.keys() - defaults.keys(), required - values.keys()
    if unknown or missing:
        raise TypeError(f"{model.__name__}: no field {', '.join(sorted(unknown)) or '-'}; "
                        f"{', '.join(sorted(missing)) or 'nothing'} not given")
    manager = instrumentation.manager_of_class(model)
    assert manager is not None, f"{model.__name__} is not a table"
    if not manager.mapper.configured:
        configure_mappers()  # as the ORM does before the first row it makes
    row: M = manager.new_instance()
    row.__dict__.update(defaults, **values)
    row.__pydantic_fields_set__.update(values)  # as the constructor records them
    return row


def inserted_ids(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows``; the id of each, in their order.

    SQLAlchemy can order what RETURNING gives on SQLite only by inserting one row at a time.
    One statement for all of them gives each row the next id in turn (one more than the
    largest, while this transaction holds the write lock), so the ids sorted are the rows'
    order: taken so when they are as many consecutive numbers, else the rows go one by one.
    """
    if len(rows) <= 1:  # a plain execute, not an executemany
        return [conn.execute(_insert(table, ordered=False), row).scalar_one() for row in rows]
    if conn.dialect.name == "sqlite":
        ids = sorted(conn.execute(_insert(table, ordered=False), rows).scalars())
        if len(ids) == len(rows) and ids[-1] - ids[0] == len(ids) - 1:
            return ids
        conn.execute(table.delete().where(table.c.id.in_(ids)))
    return list(conn.execute(_insert(table, ordered=True), rows).scalars())


@cache
def _insert(table: Table, *, ordered: bool) -> Insert:
    """Built once per table: building a statement (and its cache key) costs about as much as
    running it."""
    return table.insert().returning(table.c.id, sort_by_parameter_order=ordered)
