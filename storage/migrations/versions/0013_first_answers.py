"""first answers: when each challenge, and each recipient of it, first answered, kept by triggers

The public record counts challenges answered per month, the time to an answer and whether a
councillor answered before escalation from a challenge's first answer and a recipient's own first
answer to it. Worked out again from every answer by each page that showed them; now kept beside the
challenge and the recipient by triggers on the answers (and on recipients added or moved later),
in the writing transaction, whatever writes them.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 04:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _challenge_first(cid: str) -> str:
    return ("UPDATE challenge SET first_answered_at = (SELECT min(answered_at) FROM challengeanswer "
            f"WHERE challenge_id = {cid}) WHERE id = {cid};")


def _own_first(cid: str, pid: str) -> str:
    """A recipient's first answer to the challenge (none from an answer without a councillor)."""
    return (f"(SELECT min(answered_at) FROM challengeanswer WHERE challenge_id = {cid} "
            f"AND councillor_id = {pid})")


def _recipient_first(cid: str, pid: str) -> str:
    return (f"UPDATE challengerecipient SET first_answered_at = {_own_first(cid, pid)} "
            f"WHERE challenge_id = {cid} AND person_id = {pid};")


def _refresh(row: str) -> str:
    cid, pid = f"{row}.challenge_id", f"{row}.councillor_id"
    return _challenge_first(cid) + " " + _recipient_first(cid, pid)


ANSWER_EVENTS = {"ins": ("INSERT", ["NEW"]), "del": ("DELETE", ["OLD"]),
                 "upd": ("UPDATE OF challenge_id, councillor_id, answered_at", ["OLD", "NEW"])}
RECIPIENT_EVENTS = {"ins": "INSERT", "upd": "UPDATE OF challenge_id, person_id"}


def _sqlite_triggers() -> list[str]:
    found = [f"CREATE TRIGGER firstanswer_challengeanswer_{name} AFTER {event} ON challengeanswer "
             "BEGIN " + " ".join(_refresh(row) for row in rows) + " END"
             for name, (event, rows) in ANSWER_EVENTS.items()]
    # SQLite cannot set NEW's columns: the row is written again after it (only when it answered).
    found += [f"CREATE TRIGGER firstanswer_challengerecipient_{name} AFTER {event} ON "
              f"challengerecipient WHEN {_own_first('NEW.challenge_id', 'NEW.person_id')} "
              f"IS NOT NULL OR NEW.first_answered_at IS NOT NULL BEGIN "
              f"{_recipient_first('NEW.challenge_id', 'NEW.person_id')} END"
              for name, event in RECIPIENT_EVENTS.items()]
    return found


POSTGRES = [
    """
CREATE FUNCTION firstanswer_of_answer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        """ + _refresh("OLD") + """
    END IF;
    IF TG_OP <> 'DELETE' THEN
        """ + _refresh("NEW") + """
    END IF;
    RETURN NULL;
END $$
""",
    """
CREATE FUNCTION firstanswer_of_recipient() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.first_answered_at := """ + _own_first("NEW.challenge_id", "NEW.person_id") + """;
    RETURN NEW;
END $$
""",
    "CREATE TRIGGER firstanswer_challengeanswer AFTER INSERT OR DELETE OR UPDATE OF challenge_id, "
    "councillor_id, answered_at ON challengeanswer FOR EACH ROW EXECUTE FUNCTION "
    "firstanswer_of_answer()",
    "CREATE TRIGGER firstanswer_challengerecipient BEFORE INSERT OR UPDATE OF challenge_id, "
    "person_id ON challengerecipient FOR EACH ROW EXECUTE FUNCTION firstanswer_of_recipient()",
]


def upgrade() -> None:
    for table in ("challenge", "challengerecipient"):
        op.add_column(table, sa.Column('first_answered_at', storage.types.UTCDateTime(),
                                       nullable=True))
    # The rows that have an answer, and only they, are written (each moves its record's count).
    op.execute("UPDATE challenge SET first_answered_at = (SELECT min(answered_at) FROM "
               "challengeanswer WHERE challenge_id = challenge.id) WHERE EXISTS (SELECT 1 FROM "
               "challengeanswer WHERE challenge_id = challenge.id)")
    own = _own_first("challengerecipient.challenge_id", "challengerecipient.person_id")
    op.execute(f"UPDATE challengerecipient SET first_answered_at = {own} "
               f"WHERE {own} IS NOT NULL")
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES if postgres else _sqlite_triggers():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER firstanswer_challengerecipient ON challengerecipient")
        op.execute("DROP TRIGGER firstanswer_challengeanswer ON challengeanswer")
        op.execute("DROP FUNCTION firstanswer_of_recipient()")
        op.execute("DROP FUNCTION firstanswer_of_answer()")
    else:
        for name in RECIPIENT_EVENTS:
            op.execute(f"DROP TRIGGER firstanswer_challengerecipient_{name}")
        for name in ANSWER_EVENTS:
            op.execute(f"DROP TRIGGER firstanswer_challengeanswer_{name}")
    # Dropped in place (SQLite 3.35+): a table rebuilt by batch mode would lose its triggers.
    for table in ("challengerecipient", "challenge"):
        op.drop_column(table, 'first_answered_at')
