"""message mentions: which outbox messages name which person

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 19:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('messagemention',
    sa.Column('outbound_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['outbound_id'], ['outboundmessage.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('outbound_id', 'person_id')
    )
    with op.batch_alter_table('messagemention', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messagemention_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('messagemention', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messagemention_person_id'))
    op.drop_table('messagemention')
