"""Persistence for ncbot: SQLModel tables, the engine, repository functions, migrations."""
