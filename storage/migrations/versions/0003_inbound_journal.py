"""inbound journal

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 19:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('inboundentry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('received_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('inboundentry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inboundentry_received_at'), ['received_at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('inboundentry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inboundentry_received_at'))
    op.drop_table('inboundentry')
