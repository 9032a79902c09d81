"""What a poll looks like: its message with option buttons, and its results with text bars."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.kernel.context import Work
from bot.kernel.events import Button, NativePoll
from bot.kernel.rich import PersonName, Rich, join, render
from bot.polls import texts as T
from storage.models import Person, Poll
from storage.repo import polls, projects

BAR_CELLS = 10
BUTTON_LABEL = 70  # under Slack's 75 characters for a button
NAMES_SHOWN = 10


@dataclass(frozen=True)
class Standing:
    """A poll's counts now, over every chat of its project."""

    options: list[str]
    option_ids: list[int]
    counts: list[int]
    voters: int  # people who voted through the bot (native anonymous voters are not known)
    native_anonymous: bool  # some counts are an anonymous native poll's totals

    @property
    def choices(self) -> int:
        return sum(self.counts)


def standing(w: Work, poll: Poll) -> Standing:
    assert poll.id is not None
    options = polls.poll_options(w.session, poll_id=poll.id)
    return Standing(
        options=[o.text for o in options],
        option_ids=[o.id for o in options if o.id is not None],
        counts=polls.option_counts(w.session, poll_id=poll.id),
        voters=polls.voter_count(w.session, poll_id=poll.id),
        native_anonymous=polls.has_native_counts(w.session, poll_id=poll.id),
    )


def format_when(when: datetime, tz: ZoneInfo) -> str:
    """'Mon 5 Jan at 18:00' in the bot's time zone."""
    local = when.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M}"


def starter_name(w: Work, poll: Poll) -> str:
    person = w.session.get(Person, poll.created_by) if poll.created_by else None
    if person is None or person.name is None or person.id is None:
        return "a former member"
    return PersonName(person.name, person.id)


def shows_live_counts(poll: Poll) -> bool:
    # Live counts of an anonymous poll, kept in the outbox beside each voter's last-seen time,
    # would tell who voted for what; so they wait for the close.
    return not poll.hide_results and not poll.anonymous


def totals_shown(poll: Poll) -> bool:
    """Whether a poll's totals may be shown anywhere (cards, exports, the public record): never for
    a withdrawn poll; after the close; before it only where live counts are."""
    return poll.withdrawn_at is None and (poll.closed_at is not None or shows_live_counts(poll))


def builds_ballots(poll: Poll) -> bool:
    """An anonymous ballot with several choices is built press by press in memory (never
    stored: bot/polls/drafts.py) and cast whole with Confirm."""
    return poll.anonymous and poll.multiple


def native_poll(poll: Poll, options: list[str]) -> NativePoll | None:
    """A platform poll when it can honour the flags: it cannot hide results until the close."""
    if poll.hide_results:
        return None
    return NativePoll(poll.question, tuple(options), poll.multiple, poll.anonymous)


def poll_message(
    w: Work, poll: Poll, now: Standing | None = None
) -> tuple[Rich, list[list[Button]]]:
    """The poll as posted (and re-edited with each vote): question, options with their counts,
    one line on the deadline and secrecy, and one button per option."""
    now = now or standing(w, poll)
    live = shows_live_counts(poll)
    lines = [render(T.POLL_HEADER, number=poll.number, name=starter_name(w, poll),
                    question=poll.question)]
    for position, (option, count) in enumerate(zip(now.options, now.counts, strict=True), 1):
        lines.append(render(T.POLL_OPTION_LINE, position=position, option=option,
                            count=f" — {count}" if live else ""))
    several = len(projects.project_chats(w.session, project_id=poll.project_id)) > 1
    multi = "" if not poll.multiple else (
        T.POLL_CARD_MULTI_CONFIRM if builds_ballots(poll) else T.POLL_CARD_MULTI)
    lines.append(render(
        T.POLL_CARD_LINE,
        voted=render(T.POLL_CARD_VOTED, voters=now.voters) if now.voters else "",
        when=format_when(poll.closes_at, w.tz),
        kind=render(T.POLL_CARD_ANONYMOUS if poll.anonymous else T.POLL_CARD_NAMED),
        multi=render(multi) if multi else "",
        hidden=render(T.POLL_CARD_HIDDEN) if poll.hide_results else "",
        chats=render(T.POLL_CARD_ALL_CHATS) if live and several else ""))
    buttons: list[list[Button]] = []
    for position, (option, count) in enumerate(zip(now.options, now.counts, strict=True), 1):
        label = f"{position}. {option}"
        suffix = f" ({count})" if live else ""
        if len(label) + len(suffix) > BUTTON_LABEL:
            label = label[: BUTTON_LABEL - len(suffix) - 1] + "…"
        buttons.append([Button(label + suffix, f"poll:{poll.id}:{position}")])
    if builds_ballots(poll):
        buttons.append([Button(T.BUTTON_CONFIRM_BALLOT, f"poll:{poll.id}:confirm")])
    return join(lines), buttons


def bar(share: float) -> str:
    filled = round(share * BAR_CELLS)
    return "█" * filled + "░" * (BAR_CELLS - filled)


def results_text(w: Work, poll: Poll) -> Rich:
    """Counts, percentages and a bar per option; named polls also say who chose what."""
    assert poll.id is not None
    now = standing(w, poll)
    lines = [render(T.POLL_RESULTS_HEADER, number=poll.number, question=poll.question)]
    total = now.choices
    if total == 0:
        lines.append(render(T.POLL_NO_VOTES))
        return join(lines)
    for option, option_id, count in zip(now.options, now.option_ids, now.counts, strict=True):
        share = count / total
        lines.append(render(T.POLL_RESULT_LINE, option=option, bar=bar(share), count=count,
                            percent=round(share * 100)))
        names = _names(w, poll.id, option_id) if not poll.anonymous and count else Rich()
        if names.spans:
            lines.append(names)
    lines.append(_total(poll, now))
    best = max(now.counts)
    leaders = [o for o, c in zip(now.options, now.counts, strict=True) if c == best]
    lines.append(render(T.POLL_LEADER, options=" / ".join(leaders)))
    return join(lines)


def _names(w: Work, poll_id: int, option_id: int) -> Rich:
    names = [PersonName(n, i) if n and i else "a former member"
             for i, n in polls.named_voters(w.session, poll_id=poll_id, option_id=option_id)]
    if not names:  # only native anonymous counts
        return Rich()
    text = join([render("{name}", name=n) for n in names[:NAMES_SHOWN]], ", ")
    more = render(T.POLL_RESULT_MORE_NAMES, more=len(names) - NAMES_SHOWN) if len(
        names) > NAMES_SHOWN else Rich()
    return render(T.POLL_RESULT_NAMES, names=text) + more


def _total(poll: Poll, now: Standing) -> Rich:
    if not poll.multiple:
        return render(T.POLL_TOTAL_VOTES, count=now.choices)
    if now.native_anonymous:
        return render(T.POLL_TOTAL_CHOICES_ONLY, choices=render(T.POLL_CHOICES, count=now.choices))
    return render(T.POLL_TOTAL_CHOICES, choices=render(T.POLL_CHOICES, count=now.choices),
                  voters=render(T.POLL_PEOPLE, count=now.voters))
