"""The council's public projects, one project's record and one challenge's timeline.

Only projects a facilitator put on the record (``/public on``) are shown; an unknown project and
a project that is not public are both None, so a page cannot tell one from the other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row
from sqlmodel import Session

from bot.challenges import public_state
from bot.polls import totals_shown
from bot.record import texts as T
from bot.record.councillors import councillors_on_project
from bot.record.naming import Names
from bot.record.views import (
    AnswerView,
    ChallengeRecord,
    ChallengeView,
    Event,
    IndexPage,
    MonthCount,
    PollView,
    ProjectRecord,
    ProjectSummary,
    YouSaid,
)
from storage.models import Poll, Project
from storage.repo import record

ACTIVITY_DAYS = 30
INDEX_PAGE = 100  # projects on one page of the council's index
GROUPS = ("awaiting", "escalated", "answered", "withdrawn")
CHART_MONTHS = 24


def council_index(session: Session, *, now: datetime) -> list[ProjectSummary]:
    """Every public project (the index's open data)."""
    return _summaries(session, record.public_projects(session), now, every=True)


def council_index_page(session: Session, *, now: datetime, page: int,
                       per_page: int = INDEX_PAGE) -> IndexPage | None:
    """One page of the council's public projects, by name; None past the last page."""
    total = record.count_public_projects(session)
    pages = max(1, -(-total // per_page))
    if not 1 <= page <= pages:
        return None
    found = record.public_projects(session, offset=(page - 1) * per_page, limit=per_page)
    return IndexPage(_summaries(session, found, now, every=False), page, pages, total)


def _summaries(session: Session, found: list[Project], now: datetime, *, every: bool
               ) -> list[ProjectSummary]:
    """The index lines of ``found``, reading only their rows (``every``: all public projects)."""
    ids = None if every else [p.id for p in found if p.id is not None]
    wards = record.ward_names(session, project_ids=ids)
    topics = record.topic_names(session, project_ids=ids)
    messages = record.messages_since(session, since=(now - timedelta(days=ACTIVITY_DAYS)).date(),
                                     project_ids=ids)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    delays: dict[int, list[float]] = defaultdict(list)
    for project_id, status, escalated_at, raised_at, first_answer in record.challenge_rows(
            session, project_ids=ids):
        counts[project_id][_group(status, escalated_at)] += 1
        if first_answer is not None:
            delays[project_id].append((first_answer - raised_at).total_seconds())
    summaries = []
    for p in found:
        assert p.id is not None and p.public_since is not None
        c = counts[p.id]
        summaries.append(ProjectSummary(
            code=p.code, name=p.name, wards=wards.get(p.id, []), topics=topics.get(p.id, []),
            messages=messages.get(p.id, 0), awaiting=c["awaiting"], escalated=c["escalated"],
            answered=c["answered"], withdrawn=c["withdrawn"],
            median_answer=timedelta(seconds=median(delays[p.id])) if delays[p.id] else None,
            public_since=p.public_since,
        ))
    return summaries


def project_record(session: Session, *, code: str, now: datetime, tz: ZoneInfo,
                   shown: int | None = None) -> ProjectRecord | None:
    """A project's record; with ``shown``, only that many challenges of each group (and lines
    of "you said, we did") are made into views, the figures and charts still count them all."""
    project = record.public_project(session, code=code)
    if project is None:
        return None
    assert project.id is not None and project.public_since is not None
    names = Names.of_project(session, project_id=project.id)
    # Every challenge counts in the figures, the counts and the chart, which need a few compact
    # columns; the text and the supporters are read only of the challenges shown.
    rows = (record.challenges_with_support(session, project_id=project.id) if shown is None
            else record.challenge_facts(session, project_id=project.id))
    answers = record.answers_in(session, project_id=project.id)
    followups = record.followups_in(session, project_id=project.id)
    groups: dict[str, list[Row[Any]]] = {group: [] for group in GROUPS}
    for c in rows:
        groups[_group(c.status, c.escalated_at)].append(c)
    for group in ("answered", "withdrawn"):  # the latest first; the others: longest waiting first
        groups[group].reverse()
    picked = [c for group in GROUPS for c in groups[group][:shown]]
    if shown is not None:
        full = {c.id: c for c in record.challenges_with_support(
            session, project_id=project.id, ids=[c.id for c in picked])}
        picked = [full[c.id] for c in picked]
    views = _challenge_views(names, picked, answers, followups)
    polls = _poll_views(session, project.id, now)
    linked = [cid for _, cid in record.linked_councillors(session, project_id=project.id)
              if cid in names.councillors]
    return ProjectRecord(
        code=project.code, name=project.name, scope=project.scope,
        wards=record.ward_names(session, project_id=project.id).get(project.id, []),
        topics=record.topic_names(session, project_id=project.id).get(project.id, []),
        public_since=project.public_since,
        councillors=councillors_on_project(
            session, names, linked, rows, answers, followups,
            record.recipients_in(session, project_id=project.id, person_ids=linked) if linked else [],
            now),
        counts={group: len(found) for group, found in groups.items()},
        challenges=views, polls=polls, months=_months(rows, answers, tz),
        you_said=_you_said(views, polls)[:shown],
    )


def challenge_record(session: Session, *, code: str, number: int) -> ChallengeRecord | None:
    project = record.public_project(session, code=code)
    if project is None:
        return None
    assert project.id is not None
    rows = record.challenges_with_support(session, project_id=project.id, number=number)
    if not rows:
        return None
    challenge = rows[0]
    names = Names.of_project(session, project_id=project.id)
    answers = record.answers_in(session, project_id=project.id, challenge_id=challenge.id)
    followups = record.followups_in(session, project_id=project.id, challenge_id=challenge.id)
    view = _challenge_view(challenge, [names.answer(a) for a in answers], followups)
    return ChallengeRecord(
        project_code=project.code, project_name=project.name, challenge=view,
        routed_to=T.ROUTED_WORDS.get(challenge.routed_to, ""),
        events=_timeline(names, challenge, answers, followups,
                         record.recipients_in(session, project_id=project.id,
                                              challenge_id=challenge.id)),
    )


# ---- challenges ----------------------------------------------------------------------------


def _group(status: str, escalated_at: datetime | None) -> str:
    if status in ("answered", "withdrawn"):
        return status
    return "escalated" if escalated_at is not None else "awaiting"


def _challenge_view(c: Row[Any], answers: list[AnswerView], followups: Sequence[Row[Any]]
                    ) -> ChallengeView:
    state = public_state(c)
    replied = [f for f in followups if f.reply is not None]
    times = [t for t in (c.raised_at, c.acknowledged_at, c.reminded_at, c.escalated_at,
                         c.reopened_at, *(a.at for a in answers),
                         *(f.replied_at for f in replied)) if t is not None]
    return ChallengeView(
        number=c.number, text=c.text, state=state, state_words=T.STATE_WORDS[state],
        group=_group(c.status, c.escalated_at), raised_at=c.raised_at, supporters=c.supporters,
        answers=answers, followup=T.FOLLOWUP_WORDS.get(replied[-1].reply or "") if replied else None,
        updated_at=max(times),
    )


def _challenge_views(names: Names, rows: Sequence[Row[Any]], answer_rows: Sequence[Row[Any]],
                     followup_rows: Sequence[Row[Any]]) -> list[ChallengeView]:
    wanted = {c.id for c in rows}
    answers: dict[int, list[AnswerView]] = defaultdict(list)
    for a in answer_rows:
        if a.challenge_id in wanted:
            answers[a.challenge_id].append(names.answer(a))
    followups: dict[int, list[Row[Any]]] = defaultdict(list)
    for f in followup_rows:
        followups[f.challenge_id].append(f)
    return [_challenge_view(c, answers[c.id], followups[c.id]) for c in rows]


def _timeline(names: Names, c: Row[Any], answers: Sequence[Row[Any]],
              followups: Sequence[Row[Any]], recipients: Sequence[Row[Any]]) -> list[Event]:
    events = [Event(c.raised_at, "raised", T.EVENT_RAISED)]
    by_time: dict[tuple[datetime, bool], list[str]] = defaultdict(list)
    for r in recipients:
        by_time[(r.notified_at, r.reason == "escalation")].append(names.recipient(r.person_id))
    escalated_to: list[str] = []
    for (at, escalation), who in sorted(by_time.items()):
        unique = list(dict.fromkeys(who))
        if escalation:
            escalated_to.extend(unique)
        else:
            events.append(Event(at, "sent", T.EVENT_SENT.format(names=", ".join(unique))))
    if c.reminded_at is not None:
        events.append(Event(c.reminded_at, "reminded", T.EVENT_REMINDED))
    if c.acknowledged_at is not None:
        events.append(Event(c.acknowledged_at, "acknowledged",
                            T.EVENT_ACKNOWLEDGED.format(name=names.acting(c.acknowledged_by))))
    if c.escalated_at is not None:
        text = (T.EVENT_ESCALATED.format(names=", ".join(dict.fromkeys(escalated_to)))
                if escalated_to else T.EVENT_ESCALATED_NOBODY)
        events.append(Event(c.escalated_at, "escalated", text))
    for a in answers:
        view = names.answer(a)
        events.append(Event(a.answered_at, "answered",
                            T.EVENT_ANSWERED.format(name=view.by, outcome=view.outcome_words),
                            a.explanation))
    for f in followups:
        if f.asked_at is not None:
            events.append(Event(f.asked_at, "followup", T.EVENT_FOLLOWUP_ASKED))
        if f.replied_at is not None and f.reply in T.FOLLOWUP_WORDS:
            events.append(Event(f.replied_at, "followup", T.FOLLOWUP_WORDS[f.reply or ""]))
    if c.reopened_at is not None:
        events.append(Event(c.reopened_at, "reopened", T.EVENT_REOPENED))
    events.sort(key=lambda e: (e.at or datetime.max.replace(tzinfo=c.raised_at.tzinfo)))
    if c.status == "withdrawn":  # the time of a withdrawal is not kept
        events.append(Event(None, "withdrawn", T.EVENT_WITHDRAWN))
    return events


def month_of(at: datetime, tz: ZoneInfo) -> int:
    """The local month as ``year * 12 + month - 1``; no zone is 14 hours or more from UTC, so
    only the first and last days of a UTC month need the (costly) conversion."""
    if not 2 <= at.day <= 27:
        at = at.astimezone(tz)
    return at.year * 12 + at.month - 1


def _months(rows: Sequence[Row[Any]], answers: Sequence[Row[Any]], tz: ZoneInfo
            ) -> list[MonthCount]:
    """Challenges raised and first answered per month, over the last CHART_MONTHS months."""
    raised: dict[int, int] = defaultdict(int)
    answered: dict[int, int] = defaultdict(int)
    for c in rows:
        raised[month_of(c.raised_at, tz)] += 1
    first: dict[int, datetime] = {}
    for a in answers:
        first.setdefault(a.challenge_id, a.answered_at)
    for at in first.values():
        answered[month_of(at, tz)] += 1
    if not raised:
        return []
    last = max(max(raised), max(answered, default=0))
    return [MonthCount(f"{m // 12:04d}-{m % 12 + 1:02d}", raised.get(m, 0), answered.get(m, 0))
            for m in range(max(min(raised), last - CHART_MONTHS + 1), last + 1)]


# ---- polls ---------------------------------------------------------------------------------


def _poll_views(session: Session, project_id: int, now: datetime) -> list[PollView]:
    counts = record.poll_counts(session, project_id=project_id)
    voters = record.poll_voters(session, project_id=project_id)
    return [_poll_view(p, counts.get(p.id or 0, []), voters.get(p.id or 0, 0), now)
            for p in record.project_polls(session, project_id=project_id)]


def _poll_view(p: Poll, counts: Sequence[tuple[str, int]], voters: int, now: datetime
               ) -> PollView:
    is_open = p.closed_at is None
    shown = totals_shown(p)  # the one rule of the cards, the export and this page
    return PollView(
        number=p.number, question=p.question, anonymous=p.anonymous, multiple=p.multiple,
        is_open=is_open, closes_at=p.closes_at, closed_at=p.closed_at,
        options=[(text, n if shown else None) for text, n in counts], totals_shown=shown,
        voters=voters, outcome=p.outcome, outcome_at=p.outcome_at,
        outcome_corrected_at=p.outcome_corrected_at,
    )


def _you_said(views: list[ChallengeView], polls: list[PollView]) -> list[YouSaid]:
    said = [YouSaid("challenge", v.number, v.text, f"{v.answer.outcome_words}: {v.answer.explanation}",
                    v.answer.by, v.answer.at)
            for v in views if v.state == "answered" and v.answer is not None]
    said += [YouSaid("poll", p.number, p.question, p.outcome, "", p.outcome_at)
             for p in polls if p.outcome and p.outcome_at is not None]
    return sorted(said, key=lambda s: s.at, reverse=True)
