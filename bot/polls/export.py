"""`ncbot export polls`: a project's polls with per-option totals, as JSON or flat CSV rows.

The secrecy rules of the chats hold here too: an anonymous poll has no voter names to give (the
bot keeps none), and while an anonymous or hidden-results poll is open its totals are left out,
as on its card (running totals of an anonymous poll, watched as people vote, tell who chose what).
A withdrawn poll has no results.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.polls import texts as T
from bot.polls.results import totals_shown
from storage.models import Poll
from storage.repo import polls

CSV_FIELDS = ["poll", "question", "status", "anonymous", "multiple", "hide_results",
              "started_at", "closes_at", "closed_at", "voters", "position", "option", "votes",
              "voter_names", "outcome", "outcome_at", "withdrawn_reason"]


def _when(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def status_of(poll: Poll) -> str:
    if poll.withdrawn_at is not None:
        return "withdrawn"
    return "open" if poll.closed_at is None else "closed"


def export_polls(session: Session, *, project_id: int) -> list[dict[str, Any]]:
    """One entry per poll, oldest first, each with its options."""
    out = []
    for poll in session.exec(select(Poll).where(Poll.project_id == project_id)
                             .order_by(col(Poll.number))):
        assert poll.id is not None
        shown = totals_shown(poll)
        options = polls.poll_options(session, poll_id=poll.id)
        counts = polls.option_counts(session, poll_id=poll.id)
        entries = []
        for option, count in zip(options, counts, strict=True):
            entry: dict[str, Any] = {"position": option.position, "text": option.text,
                                     "votes": count if shown else None}
            if not poll.anonymous:  # the bot keeps no names for an anonymous poll
                entry["voters"] = [name or T.FORMER_MEMBER for _, name in polls.named_voters(
                    session, poll_id=poll.id, option_id=option.id or 0)] if shown else None
            entries.append(entry)
        out.append({
            "poll": poll.number, "question": poll.question, "status": status_of(poll),
            "anonymous": poll.anonymous, "multiple": poll.multiple,
            "hide_results": poll.hide_results, "started_at": _when(poll.created_at),
            "closes_at": _when(poll.closes_at), "closed_at": _when(poll.closed_at),
            "voters": polls.voter_count(session, poll_id=poll.id) if shown else None,
            "options": entries, "outcome": poll.outcome, "outcome_at": _when(poll.outcome_at),
            "withdrawn_reason": poll.withdrawn_reason,
        })
    return out


def flat_rows(exported: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The export as CSV rows: one per option, the poll's columns repeated."""
    rows = []
    for poll in exported:
        head = {k: v for k, v in poll.items() if k != "options"}
        for option in poll["options"]:
            names = option.get("voters")
            rows.append({**head, "position": option["position"], "option": option["text"],
                         "votes": option["votes"],
                         "voter_names": "; ".join(names) if names else None})
    return rows
