"""record indexes: public projects by name, challenges sent to a person

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 01:20:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_project_name_code', 'project', ['name', 'code'], unique=False)
    op.create_index('ix_challengerecipient_person_id', 'challengerecipient', ['person_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_challengerecipient_person_id', table_name='challengerecipient')
    op.drop_index('ix_project_name_code', table_name='project')
