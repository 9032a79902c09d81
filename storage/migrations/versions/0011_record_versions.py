"""record versions: a count of the changes to what each project's public pages show

Triggers on every table the pages read bump the count of the project a row belongs to (or of
the whole council, scope 0, for councillors' names, roles and wards), in the writing
transaction: a page cached by any process is current while both counts are unchanged.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 01:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# How a row finds the project whose pages it changes.
WATCHED = {
    "project": "self",
    **dict.fromkeys(("projectward", "projecttopic", "projectfacilitator", "councillorlink",
                     "challenge", "poll"), "project"),
    **dict.fromkeys(("challengerecipient", "challengesupport", "challengeanswer",
                     "challengefollowup"), "challenge"),
    **dict.fromkeys(("polloption", "pollvote", "pollvoter", "pollmessage"), "poll"),
    **dict.fromkeys(("rolegrant", "ward", "councillorward", "person"), "council"),
}
EVENTS = {"person": "DELETE OR UPDATE OF name"}  # names show; other columns of people do not
BUMP = "ON CONFLICT (scope) DO UPDATE SET n = recordversion.n + 1"


def _sqlite_bump(mode: str, row: str) -> str:
    if mode == "council":
        return f"INSERT INTO recordversion (scope, n) VALUES (0, 1) {BUMP};"
    if mode in ("self", "project"):
        column = "id" if mode == "self" else "project_id"
        return f"INSERT INTO recordversion (scope, n) VALUES ({row}.{column}, 1) {BUMP};"
    parent = "challenge" if mode == "challenge" else "poll"
    return (f"INSERT INTO recordversion (scope, n) SELECT project_id, 1 FROM {parent} "
            f"WHERE id = {row}.{parent}_id {BUMP};")


def _sqlite(table: str, mode: str) -> list[str]:
    events = [("ins", "INSERT", ["NEW"]), ("del", "DELETE", ["OLD"])]
    events.append(("upd", "UPDATE OF name" if table == "person" else "UPDATE", ["OLD", "NEW"]))
    if table == "person":
        events = [e for e in events if e[0] != "ins"]
    return [f"CREATE TRIGGER recordversion_{table}_{name} AFTER {event} ON {table} BEGIN "
            + " ".join(_sqlite_bump(mode, row) for row in rows) + " END"
            for name, event, rows in events]


POSTGRES_FUNCTION = """
CREATE FUNCTION recordversion_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r jsonb;
    s integer;
BEGIN
    FOREACH r IN ARRAY ARRAY[CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END,
                             CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END] LOOP
        CONTINUE WHEN r IS NULL;
        s := CASE TG_ARGV[0]
            WHEN 'council' THEN 0
            WHEN 'self' THEN (r->>'id')::integer
            WHEN 'project' THEN (r->>'project_id')::integer
            WHEN 'challenge' THEN (SELECT project_id FROM challenge
                                   WHERE id = (r->>'challenge_id')::integer)
            WHEN 'poll' THEN (SELECT project_id FROM poll WHERE id = (r->>'poll_id')::integer)
        END;
        IF s IS NOT NULL THEN
            INSERT INTO recordversion (scope, n) VALUES (s, 1)
            ON CONFLICT (scope) DO UPDATE SET n = recordversion.n + 1;
        END IF;
    END LOOP;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.create_table(
        'recordversion',
        sa.Column('scope', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('scope'),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(POSTGRES_FUNCTION)
    for table, mode in WATCHED.items():
        if postgres:
            op.execute(f"CREATE TRIGGER recordversion_{table} AFTER "
                       f"{EVENTS.get(table, 'INSERT OR UPDATE OR DELETE')} ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION recordversion_bump('{mode}')")
        else:
            for statement in _sqlite(table, mode):
                op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in WATCHED:
        if postgres:
            op.execute(f"DROP TRIGGER recordversion_{table} ON {table}")
        else:
            for name in ("ins", "upd", "del"):
                op.execute(f"DROP TRIGGER IF EXISTS recordversion_{table}_{name}")
    if postgres:
        op.execute("DROP FUNCTION recordversion_bump()")
    op.drop_table('recordversion')
