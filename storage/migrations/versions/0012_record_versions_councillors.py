"""record versions: only councillors' names move the council's count

People's names show on the record only for councillors; residents' names, completed after their
first message (Slack), moved the council's count and so every kept page, and on PostgreSQL made
each such write wait on the council's row.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 02:00:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNCILLOR = "EXISTS (SELECT 1 FROM rolegrant WHERE person_id = OLD.id AND role = 'councillor')"
BUMP = ("INSERT INTO recordversion (scope, n) VALUES (0, 1) "
        "ON CONFLICT (scope) DO UPDATE SET n = recordversion.n + 1;")


def _postgres_function(council_branch: str) -> str:
    return """
CREATE OR REPLACE FUNCTION recordversion_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r jsonb;
    s integer;
BEGIN
    FOREACH r IN ARRAY ARRAY[CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END,
                             CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END] LOOP
        CONTINUE WHEN r IS NULL;
        s := CASE TG_ARGV[0]
            WHEN 'council' THEN 0
            WHEN 'councillor' THEN """ + council_branch + """
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


def _person_triggers(mode: str, when: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER recordversion_person ON person")
        op.execute("CREATE TRIGGER recordversion_person AFTER DELETE OR UPDATE OF name ON person "
                   f"FOR EACH ROW EXECUTE FUNCTION recordversion_bump('{mode}')")
        return
    for name, event in (("upd", "UPDATE OF name"), ("del", "DELETE")):
        op.execute(f"DROP TRIGGER recordversion_person_{name}")
        op.execute(f"CREATE TRIGGER recordversion_person_{name} AFTER {event} ON person "
                   f"{when}BEGIN {BUMP} END")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_postgres_function(
            "(SELECT 0 FROM rolegrant WHERE person_id = (r->>'id')::integer "
            "AND role = 'councillor' LIMIT 1)"))
    _person_triggers("councillor", f"WHEN {COUNCILLOR} ")


def downgrade() -> None:
    _person_triggers("council", "")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_postgres_function("0"))
