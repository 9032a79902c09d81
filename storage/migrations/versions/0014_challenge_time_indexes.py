"""challenge time indexes: a project's challenges by the time raised and first answered

The public record's monthly chart counts each month's challenges as a range of these indexes
instead of placing every challenge in its month one row at a time.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 04:40:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_challenge_project_raised', 'challenge', ['project_id', 'raised_at'],
                    unique=False)
    op.create_index('ix_challenge_project_first_answered', 'challenge',
                    ['project_id', 'first_answered_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_challenge_project_first_answered', table_name='challenge')
    op.drop_index('ix_challenge_project_raised', table_name='challenge')
