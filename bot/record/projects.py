"""The council's public projects, one project's record and one challenge's timeline.

Only projects a facilitator put on the record (``/public on``) are shown; an unknown project and
a project that is not public are both None, so a page cannot tell one from the other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
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
    ChallengesPage,
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
from storage.repo import record, record_challenges, record_versions
from storage.repo.record_challenges import group_of

ACTIVITY_DAYS = 30
INDEX_PAGE = 100  # projects on one page of the council's index
CHALLENGES_PAGE = 100  # challenges on one page of a project's list
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
        counts[project_id][group_of(status, escalated_at)] += 1
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
    of "you said, we did"), the counts and the chart still count them all."""
    project = record.public_project(session, code=code)
    if project is None:
        return None
    assert project.id is not None and project.public_since is not None
    names = Names.of_project(session, project_id=project.id)
    totals = record_challenges.totals(session, project_id=project.id)
    rows: Sequence[Row[Any]]
    if shown is None:
        rows = sorted(record.challenges_with_support(session, project_id=project.id),
                      key=record_challenges.page_order)
    else:
        rows = record_challenges.shown(session, project_id=project.id, per_group=shown)
    views = _views_of(session, names, project.id, rows, every=shown is None)
    polls = _poll_views(session, project.id, now)
    linked = [cid for _, cid in record.linked_councillors(session, project_id=project.id)
              if cid in names.councillors]
    return ProjectRecord(
        code=project.code, name=project.name, scope=project.scope,
        wards=record.ward_names(session, project_id=project.id).get(project.id, []),
        topics=record.topic_names(session, project_id=project.id).get(project.id, []),
        public_since=project.public_since,
        councillors=councillors_on_project(session, names, linked, project_id=project.id, now=now),
        counts=totals.counts, challenges=views, polls=polls,
        months=_months(session, project.id, totals, tz), you_said=_you_said(views, polls)[:shown],
    )


def project_challenges(session: Session, *, code: str, page: int, per_page: int = CHALLENGES_PAGE
                       ) -> ChallengesPage | None:
    """One page of a project's challenges in page order; None past the last page."""
    project = record.public_project(session, code=code)
    if project is None:
        return None
    assert project.id is not None
    counts = record_challenges.totals(session, project_id=project.id).counts
    total = sum(counts.values())
    pages = max(1, -(-total // per_page))
    if not 1 <= page <= pages:
        return None
    rows = record_challenges.page(session, project_id=project.id, offset=(page - 1) * per_page,
                                  limit=per_page)
    views = _views_of(session, Names.of_project(session, project_id=project.id), project.id, rows,
                      every=False)
    return ChallengesPage(project.code, project.name, counts, views, page, pages, total, per_page)


def _views_of(session: Session, names: Names, project_id: int, rows: Sequence[Row[Any]], *,
              every: bool) -> list[ChallengeView]:
    """Views of these challenges, reading only their answers and follow-ups (``every``: all the
    project's, one statement each however many)."""
    ids = None if every else [c.id for c in rows]
    return _challenge_views(names, rows, record.answers_in(session, project_id=project_id, ids=ids),
                            record.followups_in(session, project_id=project_id, ids=ids))


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


def _challenge_view(c: Row[Any], answers: list[AnswerView], followups: Sequence[Row[Any]]
                    ) -> ChallengeView:
    state = public_state(c)
    replied = [f for f in followups if f.reply is not None]
    times = [t for t in (c.raised_at, c.acknowledged_at, c.reminded_at, c.escalated_at,
                         c.reopened_at, *(a.at for a in answers),
                         *(f.replied_at for f in replied)) if t is not None]
    return ChallengeView(
        number=c.number, text=c.text, state=state, state_words=T.STATE_WORDS[state],
        group=group_of(c.status, c.escalated_at), raised_at=c.raised_at, supporters=c.supporters,
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
    """The local month as ``year * 12 + month - 1``."""
    local = at.astimezone(tz)
    return local.year * 12 + local.month - 1


def month_start(month: int, tz: ZoneInfo) -> datetime:
    """The first instant of a local month (as ``month_of`` numbers it), in UTC."""
    return datetime(month // 12, month % 12 + 1, 1, tzinfo=tz).astimezone(UTC)


def _months(session: Session, project_id: int, totals: record_challenges.Totals, tz: ZoneInfo
            ) -> list[MonthCount]:
    """Challenges raised and first answered per local month, over the last CHART_MONTHS months
    (counted by the database between the months' first instants)."""
    if totals.first_raised is None or totals.last_raised is None:
        return []
    last = month_of(totals.last_raised, tz)
    if totals.last_answered is not None:
        last = max(last, month_of(totals.last_answered, tz))
    first = max(month_of(totals.first_raised, tz), last - CHART_MONTHS + 1)
    counts = record_challenges.month_counts(
        session, project_id=project_id, bounds=[month_start(m, tz) for m in range(first, last + 2)])
    return [MonthCount(f"{m // 12:04d}-{m % 12 + 1:02d}", counts.get(("raised", m - first), 0),
                       counts.get(("answered", m - first), 0))
            for m in range(first, last + 1)]


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


def page_version(session: Session, *, code: str) -> tuple[int, int, int] | None:
    """What a public project's pages show is unchanged while this is: its id and the counts of
    changes to it and to the council (two statements); None when it is not public."""
    project = record.public_project(session, code=code)
    if project is None or project.id is None:
        return None
    return (project.id, *record_versions.versions(session, project_id=project.id))
