"""Anonymous ballots with several choices, built press by press and cast whole with Confirm.

What a person has pressed so far is kept in this process's memory only: never written to the
database (whose files and logs would tie the choices to the presser), never logged, and dropped
when the ballot is cast, when the poll closes, or after ``KEPT`` without a press. Only the cast
ballot is stored, as any anonymous ballot (bot/polls/ballots.py). A restart, or a press that
reaches another process of the same bot, finds no draft: the person is told that nothing was
cast and presses their options again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.kernel.host import Host

KEPT = timedelta(hours=6)
MOST = 10_000  # drafts kept at once; the oldest go first


class BallotDrafts:
    window = 0.0  # nothing to write, ever

    def __init__(self, core: Host) -> None:
        self.core = core
        self._drafts: dict[tuple[int, int], tuple[frozenset[int], datetime]] = {}

    async def flush(self) -> None:
        return None

    def _fresh(self, key: tuple[int, int], now: datetime) -> frozenset[int]:
        found = self._drafts.get(key)
        if found is None or now - found[1] > KEPT:
            self._drafts.pop(key, None)
            return frozenset()
        return found[0]

    def toggle(self, poll_id: int, person_id: int, position: int, now: datetime) -> list[int]:
        """Add the option, or take it off if it was there; the choices so far, in order."""
        key = (poll_id, person_id)
        chosen = self._fresh(key, now) ^ {position}
        self._drafts.pop(key, None)
        if chosen:
            self._drafts[key] = (chosen, now)  # re-inserted: the newest last
            while len(self._drafts) > MOST:
                del self._drafts[next(iter(self._drafts))]
        return sorted(chosen)

    def chosen(self, poll_id: int, person_id: int, now: datetime) -> list[int]:
        return sorted(self._fresh((poll_id, person_id), now))

    def discard(self, poll_id: int, person_id: int) -> None:
        self._drafts.pop((poll_id, person_id), None)

    def forget_poll(self, poll_id: int) -> None:
        """The poll closed or was withdrawn: its drafts can never be cast."""
        for key in [k for k in self._drafts if k[0] == poll_id]:
            del self._drafts[key]

    @property
    def pending(self) -> int:
        return len(self._drafts)
