"""The life of a scope challenge: which moves each status allows, and why the others are refused.

    open --acknowledge--> acknowledged --answer--> answered --reopen ("Not really")--> open
    open --answer--> answered
    open | acknowledged --withdraw--> withdrawn
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.challenges import texts as T
from bot.kernel.errors import Refusal
from storage.models import Challenge

OPEN = "open"
ACKNOWLEDGED = "acknowledged"
ANSWERED = "answered"
WITHDRAWN = "withdrawn"


class Staged(Protocol):
    """What the public state is read from: a Challenge, or a row of its columns."""

    @property
    def status(self) -> str: ...
    @property
    def reopened_at(self) -> datetime | None: ...
    @property
    def escalated_at(self) -> datetime | None: ...
    @property
    def reminded_at(self) -> datetime | None: ...


def public_state(challenge: Staged) -> str:
    """Where the challenge stands, in the words every record uses (exports, the public record):
    open, reminded, acknowledged, escalated, reopened, answered or withdrawn."""
    if challenge.status in (ANSWERED, WITHDRAWN):
        return challenge.status
    if challenge.reopened_at is not None:
        return "reopened"
    if challenge.escalated_at is not None:
        return "escalated"
    if challenge.status == OPEN and challenge.reminded_at is not None:
        return "reminded"
    return challenge.status


class Move(StrEnum):
    SUPPORT = "support"
    ACKNOWLEDGE = "acknowledge"
    ANSWER = "answer"
    WITHDRAW = "withdraw"
    REOPEN = "reopen"


# move -> {status before: status after}
ALLOWED: dict[Move, dict[str, str]] = {
    Move.SUPPORT: {OPEN: OPEN, ACKNOWLEDGED: ACKNOWLEDGED},
    Move.ACKNOWLEDGE: {OPEN: ACKNOWLEDGED},
    Move.ANSWER: {OPEN: ANSWERED, ACKNOWLEDGED: ANSWERED},
    Move.WITHDRAW: {OPEN: WITHDRAWN, ACKNOWLEDGED: WITHDRAWN},
    Move.REOPEN: {ANSWERED: OPEN},
}

# (move, status) -> why not; every impossible pair has its own sentence.
REFUSED: dict[tuple[Move, str], str] = {
    (Move.SUPPORT, ANSWERED): T.CHALLENGE_SUPPORT_ANSWERED,
    (Move.SUPPORT, WITHDRAWN): T.CHALLENGE_SUPPORT_WITHDRAWN,
    (Move.ACKNOWLEDGE, ACKNOWLEDGED): T.CHALLENGE_ALREADY_ACKNOWLEDGED,
    (Move.ACKNOWLEDGE, ANSWERED): T.CHALLENGE_ALREADY_ANSWERED,
    (Move.ACKNOWLEDGE, WITHDRAWN): T.CHALLENGE_ACK_WITHDRAWN,
    (Move.ANSWER, ANSWERED): T.CHALLENGE_ALREADY_ANSWERED,
    (Move.ANSWER, WITHDRAWN): T.CHALLENGE_ANSWER_WITHDRAWN,
    (Move.WITHDRAW, ANSWERED): T.CHALLENGE_WITHDRAW_ANSWERED,
    (Move.WITHDRAW, WITHDRAWN): T.CHALLENGE_ALREADY_WITHDRAWN,
    (Move.REOPEN, OPEN): T.CHALLENGE_REOPEN_NOT_ANSWERED,
    (Move.REOPEN, ACKNOWLEDGED): T.CHALLENGE_REOPEN_NOT_ANSWERED,
    (Move.REOPEN, WITHDRAWN): T.CHALLENGE_ANSWER_WITHDRAWN,
}


def can(challenge: Challenge, move: Move) -> bool:
    return challenge.status in ALLOWED[move]


def refusal(challenge: Challenge, move: Move) -> Refusal:
    template = REFUSED.get((move, challenge.status), T.CHALLENGE_MOVE_IMPOSSIBLE)
    return Refusal(template, number=challenge.number, status=challenge.status, move=move.value)


def apply(challenge: Challenge, move: Move) -> None:
    """Make the move, or refuse it with the reason for this status."""
    after = ALLOWED[move].get(challenge.status)
    if after is None:
        raise refusal(challenge, move)
    challenge.status = after
