"""Poll cards brought up to date after votes: at once, or at most once per window per poll.

Every vote changes the live count on the poll's card in each chat. Rendering the card and
writing an edit for each vote would cost more than the vote itself, and platforms allow about
one edit per message per second anyway. With ``window`` 0 (tests, the console) the card is
edited in the vote's own transaction; with a window (``ncbot run``) the polls voted on are noted
and their cards edited together once the window has passed, so a burst of votes becomes one edit
per card. The votes are written at once either way: a crash can only leave a card showing the
counts of up to one window earlier, until the next vote or the close.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from sqlmodel import col, select

from bot.context import Work
from bot.poll_votes import refresh_poll_messages
from storage.db import session_scope
from storage.models import Poll

if TYPE_CHECKING:
    from bot.core import Core

log = logging.getLogger(__name__)


class PollCards:
    def __init__(self, core: Core, *, window: float = 0.0) -> None:
        self.core = core
        self.window = window
        self._changed: set[int] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._lock = asyncio.Lock()

    def changed(self, w: Work, poll: Poll) -> None:
        """A vote on ``poll`` was recorded in ``w``'s transaction."""
        assert poll.id is not None
        if self.window <= 0:
            refresh_poll_messages(w, poll)
            return
        self._changed.add(poll.id)
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.window, self._flush_later)

    @property
    def pending(self) -> int:
        return len(self._changed)

    def _flush_later(self) -> None:
        self._timer = None
        task = asyncio.get_running_loop().create_task(self.flush())
        task.add_done_callback(_log_failure)

    async def flush(self) -> None:
        """Edit the cards of every poll voted on since the last flush."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._changed:
            return
        async with self._lock:
            ids, self._changed = self._changed, set()
            core = self.core
            try:
                with session_scope(core.engine) as session:
                    w = Work(core, session, core.clock.now())
                    for poll in session.exec(select(Poll).where(col(Poll.id).in_(ids))):
                        if poll.closed_at is None:  # a closed poll's card says so already
                            refresh_poll_messages(w, poll)
                    taken = core.outbox.take_written(session, w.written)
                core.outbox.committed(taken)
            except Exception:
                log.exception("editing the cards of %d polls failed; tried again", len(ids))
                self._changed |= ids
                if self._timer is None and self.window > 0:
                    self._timer = asyncio.get_running_loop().call_later(
                        self.window, self._flush_later)
                return
        await core.outbox.flush(look=False)


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("editing poll cards failed", exc_info=task.exception())
