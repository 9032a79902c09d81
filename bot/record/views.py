"""What the public record shows, as plain values: no person's name but councillors', no platform ids."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.challenges import CouncillorFigures


@dataclass(frozen=True)
class IndexPage:
    """One page of the council's index."""

    projects: list[ProjectSummary]
    page: int
    pages: int
    total: int  # public projects on every page


@dataclass(frozen=True)
class ProjectSummary:
    """A line of the council's index."""

    code: str
    name: str
    wards: list[str]
    topics: list[str]
    messages: int  # in the last ACTIVITY_DAYS days
    awaiting: int
    escalated: int
    answered: int
    withdrawn: int
    median_answer: timedelta | None
    public_since: datetime


@dataclass(frozen=True)
class CouncillorLine:
    id: int
    name: str  # "Cllr Jane Doe"
    wards: list[str]
    figures: CouncillorFigures


@dataclass(frozen=True)
class AnswerView:
    by: str  # "Cllr Jane Doe", or "a facilitator"
    councillor_id: int | None  # for a link to their record; None when not a named councillor
    outcome: str
    outcome_words: str
    explanation: str
    at: datetime


@dataclass(frozen=True)
class ChallengeView:
    number: int
    text: str
    state: str  # a key of texts.STATE_WORDS
    state_words: str
    group: str  # awaiting | escalated | answered | withdrawn
    raised_at: datetime
    supporters: int
    answers: list[AnswerView]
    followup: str | None  # the raiser's last reply to "was this answered?"
    updated_at: datetime

    @property
    def answer(self) -> AnswerView | None:
        return self.answers[-1] if self.answers else None


@dataclass(frozen=True)
class PollView:
    number: int
    question: str
    anonymous: bool
    multiple: bool
    is_open: bool
    closes_at: datetime
    closed_at: datetime | None
    options: list[tuple[str, int | None]]  # counts are None while they are not shown
    totals_shown: bool  # False while an anonymous or hidden-results poll is open
    voters: int
    outcome: str | None
    outcome_at: datetime | None
    outcome_corrected_at: datetime | None = None  # the outcome was corrected with /outcome

    @property
    def total(self) -> int:
        return sum(n or 0 for _, n in self.options)


@dataclass(frozen=True)
class MonthCount:
    month: str  # 2026-01
    raised: int
    answered: int


@dataclass(frozen=True)
class YouSaid:
    """One line of "you said, we did": an answered challenge or a poll's outcome."""

    kind: str  # challenge | poll
    number: int
    said: str
    did: str
    by: str
    at: datetime


@dataclass(frozen=True)
class ProjectRecord:
    code: str
    name: str
    scope: str
    wards: list[str]
    topics: list[str]
    public_since: datetime
    councillors: list[CouncillorLine]
    counts: dict[str, int]  # challenges per group: awaiting, escalated, answered, withdrawn
    challenges: list[ChallengeView]  # all of them, or the first few of each group
    polls: list[PollView]
    months: list[MonthCount]
    you_said: list[YouSaid]

    def in_group(self, group: str) -> list[ChallengeView]:
        return [c for c in self.challenges if c.group == group]

    def page_of_group(self, group: str, per_page: int) -> int:
        """The page of the project's challenge list where ``group`` starts."""
        return _page_of_group(self.counts, group, per_page)


def _page_of_group(counts: dict[str, int], group: str, per_page: int) -> int:
    before = 0
    for key, n in counts.items():  # in page order
        if key == group:
            break
        before += n
    return before // per_page + 1


@dataclass(frozen=True)
class ChallengesPage:
    """One page of a project's challenges, in the order of its groups."""

    code: str
    name: str
    counts: dict[str, int]  # every challenge of the project, per group
    challenges: list[ChallengeView]
    page: int
    pages: int
    total: int
    per_page: int

    def in_group(self, group: str) -> list[ChallengeView]:
        return [c for c in self.challenges if c.group == group]

    def page_of_group(self, group: str, per_page: int) -> int:
        return _page_of_group(self.counts, group, per_page)


@dataclass(frozen=True)
class Event:
    """A step of a challenge's timeline; ``at`` is None when the time was not kept."""

    at: datetime | None
    kind: str
    text: str
    detail: str = ""


@dataclass(frozen=True)
class ChallengeRecord:
    project_code: str
    project_name: str
    challenge: ChallengeView
    routed_to: str
    events: list[Event]


@dataclass(frozen=True)
class GivenAnswer:
    project_code: str
    project_name: str
    number: int
    text: str
    answer: AnswerView


@dataclass(frozen=True)
class CouncillorRecord:
    id: int
    name: str
    wards: list[str]
    portfolios: list[str]
    projects: list[tuple[str, str]]  # (code, name) of the public projects they are linked to
    figures: CouncillorFigures
    answers: list[GivenAnswer]  # the latest first: all of them, or the latest few
    answers_total: int
    answer_times: list[tuple[str, int]] = field(default_factory=list)  # (bucket, count)
