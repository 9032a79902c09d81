"""What a digest says: built from batched facts, only what is new, split into bounded messages.

A digest is a list of items (one line or a short block each). Messages are cut between items so
each stays far inside every platform's limit (4,096 characters on Telegram, 50 blocks on Slack).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.challenges import OUTCOME_WORDS
from bot.digests import texts as T
from bot.kernel.rich import PersonName, Rich, join, render
from storage.models import Project
from storage.repo import digest_facts as repo
from storage.repo.digest_facts import ActivityFact, Facts

MAX_LINES = 40
MAX_CHARS = 3500
TEXT_CUT = 200  # a challenge text or poll question is quoted up to this
EXPLANATION_CUT = 600
OUTCOME_CUT = 400


@dataclass(frozen=True)
class Item:
    text: Rich
    heading: bool = False  # never left as the last line of a message


@dataclass(frozen=True)
class Window:
    """[since, until) in the recipient's time zone."""

    since: datetime
    until: datetime
    tz: ZoneInfo

    def facts(self, session: Session, project_ids: list[int]) -> Facts:
        since_day = self.since.astimezone(self.tz).date()
        until_day = max(self.until.astimezone(self.tz).date(), since_day + timedelta(days=1))
        return repo.gather_facts(
            session,
            project_ids=project_ids,
            since=self.since,
            until=self.until,
            since_day=since_day,
            until_day=until_day,
            previous_day=since_day - (until_day - since_day),
        )

    def fresh(self, when: datetime | None) -> bool:
        return when is not None and self.since <= when < self.until

    def since_text(self) -> str:
        return self.since.astimezone(self.tz).strftime("%a %d %b %H:%M")

    def age(self, when: datetime) -> str:
        days = (self.until - when).days
        if days < 1:
            return T.DIGEST_AGE_UNDER_A_DAY
        return render(T.DIGEST_AGE_DAYS, count=days).text


def cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def state_mark(c: repo.ChallengeFact) -> str:
    """Withdrawn, reopened or escalated, as the card and the export say; nothing otherwise."""
    if c.status == "withdrawn":
        return T.DIGEST_STATE_WITHDRAWN
    if c.status in repo.AWAITING and c.reopened_at is not None:
        return T.DIGEST_STATE_REOPENED
    if c.status in repo.AWAITING and c.escalated_at is not None:
        return T.DIGEST_STATE_ESCALATED
    return ""


def supporters(n: int) -> Rich:
    return render(T.DIGEST_SUPPORTS, count=n)


# ---- councillor digest -------------------------------------------------------------------------


def councillor_items(session: Session, *, person_id: int, window: Window) -> list[Item]:
    """The councillor's digest, per linked project with news; [] when nothing is new."""
    links = repo.linked_projects_of(session, councillor_id=person_id)
    facts = window.facts(session, [link.project_id for link in links])
    per_project = _by_project(facts)
    items: list[Item] = []
    for link in links:
        pid = link.project_id
        new_link = window.fresh(link.decided_at)
        challenges, answers, polls = per_project[pid]
        news = new_link or answers or polls or any(
            window.fresh(c.raised_at) or c.new_supports for c in challenges
        )
        if not news:
            continue
        title = T.DIGEST_PROJECT_NEW_LINK if new_link else T.DIGEST_PROJECT
        items.append(Item(render(title, project=link.name), heading=True))
        items.append(Item(_activity(facts.activity.get(pid, ActivityFact()))))
        awaiting = [c for c in challenges if c.status in repo.AWAITING]
        if awaiting:
            items.append(Item(render(T.DIGEST_OPEN_HEADING), heading=True))
            for c in awaiting:
                items.append(Item(render(
                    T.DIGEST_OPEN_LINE, number=c.number, text=cut(c.text, TEXT_CUT),
                    age=window.age(c.raised_at), supports=supporters(c.supports),
                    new=T.DIGEST_NEW_MARK if window.fresh(c.raised_at) else "", state=state_mark(c),
                )))
        items += _answers(answers)
        items += _polls(polls)
    if not items:
        return []
    return [Item(render(T.DIGEST_COUNCILLOR_HEADER, since=window.since_text())), *items]


# ---- group digest ------------------------------------------------------------------------------


def group_items(session: Session, *, project_id: int, window: Window) -> list[Item]:
    """The project group's digest; [] when nothing is new."""
    project = session.get(Project, project_id)
    if project is None:
        return []
    links = repo.councillors_linked_to(session, project_id=project_id)
    facts = window.facts(session, [project_id])
    raised = [c for c in facts.challenges if window.fresh(c.raised_at)]
    awaiting = [c for c in facts.challenges if c.status in repo.AWAITING]
    new_links = [link for link in links if window.fresh(link.decided_at)]
    if not (raised or facts.answers or facts.polls or new_links):
        return []
    items = [Item(render(T.DIGEST_GROUP_HEADER, project=project.name, since=window.since_text()))]
    items.append(Item(_activity(facts.activity.get(project_id, ActivityFact()))))
    if raised:
        items.append(Item(render(T.DIGEST_RAISED_HEADING), heading=True))
        items += [
            Item(render(T.DIGEST_RAISED_LINE, number=c.number, text=cut(c.text, TEXT_CUT),
                        supports=supporters(c.supports), state=state_mark(c)))
            for c in raised
        ]
    items += _answers(facts.answers)
    items += _polls(facts.polls)
    if links:
        names = join([
            render("{name}{new}", name=_councillor(link.councillor_id, link.councillor_name),
                   new=T.DIGEST_NEW_MARK if window.fresh(link.decided_at) else "")
            for link in links
        ], ", ")
        items.append(Item(render(T.DIGEST_LINKED_HEADING, names=names)))
    else:
        items.append(Item(render(T.DIGEST_LINKED_NONE)))
    if awaiting:
        items.append(Item(render(T.DIGEST_AWAITING_HEADING), heading=True))
        items += [
            Item(render(T.DIGEST_AWAITING_LINE, number=c.number, text=cut(c.text, TEXT_CUT),
                        age=window.age(c.raised_at), state=state_mark(c)))
            for c in awaiting
        ]
    return items


# ---- shared pieces -----------------------------------------------------------------------------


def _by_project(
    facts: Facts,
) -> defaultdict[int, tuple[list[repo.ChallengeFact], list[repo.AnswerFact], list[repo.PollFact]]]:
    out: defaultdict[
        int, tuple[list[repo.ChallengeFact], list[repo.AnswerFact], list[repo.PollFact]]
    ] = defaultdict(lambda: ([], [], []))
    for c in facts.challenges:
        out[c.project_id][0].append(c)
    for a in facts.answers:
        out[a.project_id][1].append(a)
    for p in facts.polls:
        out[p.project_id][2].append(p)
    return out


def _activity(a: ActivityFact) -> Rich:
    if a.messages == a.previous_messages == 0:
        return render(T.DIGEST_ACTIVITY_QUIET)
    if a.messages > a.previous_messages:
        trend = render(T.DIGEST_TREND_UP, previous=a.previous_messages)
    elif a.messages < a.previous_messages:
        trend = render(T.DIGEST_TREND_DOWN, previous=a.previous_messages)
    else:
        trend = render(T.DIGEST_TREND_SAME)
    return render(T.DIGEST_ACTIVITY, messages=render(T.DIGEST_MESSAGES, count=a.messages),
                  people=render(T.DIGEST_PEOPLE, count=a.people), trend=trend)


def _councillor(person_id: int | None, name: str | None) -> str:
    """"Cllr Jane Doe", a name erasure can find; or a former member."""
    if name is None:
        return T.DIGEST_FORMER_MEMBER
    return f"Cllr {name}" if person_id is None else PersonName(f"Cllr {name}", person_id)


def _answers(answers: list[repo.AnswerFact]) -> list[Item]:
    if not answers:
        return []
    items = [Item(render(T.DIGEST_ANSWERED_HEADING), heading=True)]
    for a in answers:
        items.append(Item(render(
            T.DIGEST_ANSWER_LINE, number=a.number, text=cut(a.challenge_text, TEXT_CUT),
            councillor=_councillor(a.councillor_id, a.councillor_name),
            outcome=OUTCOME_WORDS.get(a.outcome, a.outcome),
            explanation=cut(a.explanation, EXPLANATION_CUT),
        )))
    return items


def _polls(polls: list[repo.PollFact]) -> list[Item]:
    if not polls:
        return []
    items = [Item(render(T.DIGEST_POLLS_HEADING), heading=True)]
    for p in polls:
        ranked = sorted(p.options, key=lambda o: -o[1])
        results = ", ".join(f"{cut(text, 100)} {votes}" for text, votes in ranked)
        if not any(votes for _, votes in ranked):
            results = T.DIGEST_POLL_NO_VOTES
        outcome = (
            render(T.DIGEST_POLL_OUTCOME, outcome=cut(p.outcome, OUTCOME_CUT)) if p.outcome else ""
        )
        items.append(Item(render(T.DIGEST_POLL_LINE, number=p.number,
                                 question=cut(p.question, TEXT_CUT),
                                 results=results, outcome=outcome)))
    return items


def split_messages(items: list[Item], *, max_lines: int = MAX_LINES,
                   max_chars: int = MAX_CHARS) -> list[Rich]:
    """Cut between items so no message passes ``max_lines`` lines or ``max_chars`` characters."""
    room_lines, room_chars = max_lines - 1, max_chars - 40  # a "part n of m" line on each
    chunks: list[list[Item]] = [[]]
    lines = chars = 0
    for item in items:
        n, c = item.text.text.count("\n") + 1, len(item.text) + 1
        if chunks[-1] and (lines + n > room_lines or chars + c > room_chars):
            carry: list[Item] = []
            while chunks[-1] and chunks[-1][-1].heading:
                carry.insert(0, chunks[-1].pop())  # a heading goes with what it heads
            chunks.append(carry)
            lines = sum(i.text.text.count("\n") + 1 for i in carry)
            chars = sum(len(i.text) + 1 for i in carry)
        chunks[-1].append(item)
        lines, chars = lines + n, chars + c
    chunks = [chunk for chunk in chunks if chunk]
    if len(chunks) == 1:
        return [join([i.text for i in chunks[0]])]
    return [
        join([render(T.DIGEST_CONTINUED, part=k, parts=len(chunks))] + [i.text for i in chunk])
        for k, chunk in enumerate(chunks, start=1)
    ]
