"""Who is named on the public record: councillors (a public office); nobody else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row
from sqlmodel import Session

from bot.challenges import OUTCOME_WORDS
from bot.record import texts as T
from bot.record.views import AnswerView
from storage.repo import projects, record

FORMER_MEMBER = "a former member"


@dataclass(frozen=True)
class Names:
    councillors: dict[int, str]  # every councillor who has a name, by person id
    facilitators: frozenset[int]  # the project's

    @classmethod
    def of_project(cls, session: Session, *, project_id: int | None) -> Names:
        facilitators = frozenset(
            projects.project_facilitators(session, project_id=project_id) if project_id else ())
        return cls(record.councillor_names(session), facilitators)

    def councillor(self, person_id: int | None) -> str | None:
        name = None if person_id is None else self.councillors.get(person_id)
        return None if name is None else f"Cllr {name}"

    def acting(self, person_id: int | None) -> str:
        """Someone who acknowledged or answered: a councillor by name, anyone else by role."""
        named = self.councillor(person_id)
        if named is not None:
            return named
        return T.A_FACILITATOR if person_id in self.facilitators else FORMER_MEMBER

    def recipient(self, person_id: int) -> str:
        named = self.councillor(person_id)
        if named is not None:
            return named
        return T.THE_FACILITATORS if person_id in self.facilitators else FORMER_MEMBER

    def answer(self, a: Row[Any]) -> AnswerView:
        named = self.councillor(a.councillor_id) is not None
        return AnswerView(
            by=self.acting(a.councillor_id), councillor_id=a.councillor_id if named else None,
            outcome=a.outcome, outcome_words=OUTCOME_WORDS.get(a.outcome, a.outcome),
            explanation=a.explanation, at=a.answered_at,
        )
