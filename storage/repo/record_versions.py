"""How many times what a public project's pages show has changed (counted by triggers)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from storage.models import RecordVersion

COUNCIL = 0  # the scope of changes every page may show: councillors' names, roles and wards


def versions(session: Session, *, project_id: int) -> tuple[int, int]:
    """(the project's count, the council's count), in one statement."""
    def count(scope: int) -> Any:
        return func.coalesce(sa_select(col(RecordVersion.n)).where(col(RecordVersion.scope) == scope)
                             .scalar_subquery(), 0)
    project, council = session.connection().execute(
        sa_select(count(project_id), count(COUNCIL))).one()
    return int(project), int(council)
