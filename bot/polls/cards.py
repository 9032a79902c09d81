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

from sqlmodel import col, select

from bot.kernel.context import Work, chat_address
from bot.kernel.host import Host
from bot.kernel.rich import Rich
from bot.polls.results import native_poll, poll_message
from storage.db import transaction
from storage.models import Chat, Poll
from storage.repo import poll_messages

log = logging.getLogger(__name__)


class PollCards:
    def __init__(self, core: Host, *, window: float = 0.0) -> None:
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
                async with transaction(core.engine) as session:
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


def refresh_poll_messages(w: Work, poll: Poll) -> None:
    """Edit the poll message in each chat with the current counts.

    A chat that shows the platform's own poll keeps its own live counts and is not edited
    (an edit would stop that poll); neither is a message that never arrived.
    """
    assert poll.id is not None
    offered_native = native_poll(poll, []) is not None
    text: Rich | None = None
    buttons: list[list] = []
    for message in poll_messages.messages_of(w.session, poll_id=poll.id):
        chat = w.session.get(Chat, message.chat_id)
        if chat is None or chat.gone_at is not None:
            continue
        ref = f"poll:{poll.id}@{chat.id}"
        status, platform_poll_id = poll_messages.delivery_of(w.session, ref=ref)
        if status in ("missing", "parked") or platform_poll_id or message.platform_poll_id:
            continue
        if offered_native and status != "sent":
            continue  # not known yet whether this chat shows a native poll
        if text is None:
            text, buttons = poll_message(w, poll)
        w.send(chat_address(chat), text, buttons, edit_of=ref)


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("editing poll cards failed", exc_info=task.exception())
