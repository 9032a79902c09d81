"""Poll cards brought up to date after votes: at once, or at most once per window per poll.

Every vote changes the live count on the poll's card in each chat. Rendering the card and
writing an edit for each vote would cost more than the vote itself, and platforms allow about
one edit per message per second anyway. With ``window`` 0 (tests, the console) the card is
edited in the vote's own transaction; with a window (``ncbot run``) the polls voted on are noted
and their cards edited together once the window has passed, so a burst of votes becomes one edit
per card. The votes are written at once either way: a crash can only leave a card showing the
counts of up to one window earlier, until the next vote or the close.

A chat that shows the platform's own poll (Telegram) has the card's text above that poll. Its
counts are the whole project's, so it is edited too (the edit carries the poll, which tells the
adapter to keep the poll running and change only the text), but at most once per
``NATIVE_EVERY`` seconds per poll: Telegram allows about 20 messages a minute in a group, edits
included, and the poll below shows that chat's own votes live meanwhile.
"""

from __future__ import annotations

import asyncio
import logging

from sqlmodel import col, select

from bot.kernel.context import Work, chat_address
from bot.kernel.host import Host
from bot.kernel.rich import Rich
from bot.polls.results import native_poll, poll_message, shows_live_counts
from storage.db import transaction
from storage.models import Chat, Poll
from storage.repo import poll_messages, polls

log = logging.getLogger(__name__)

NATIVE_EVERY = 6.0  # seconds between edits of the text above one native poll: 10 a minute


class PollCards:
    def __init__(self, core: Host, *, window: float = 0.0) -> None:
        self.core = core
        self.window = window
        self._changed: set[int] = set()  # cards with buttons to edit at the next flush
        self._native: set[int] = set()  # texts above native polls to edit when their turn comes
        self._native_at: dict[int, float] = {}  # when each poll's native texts were last edited
        self._timer: asyncio.TimerHandle | None = None
        self._lock = asyncio.Lock()

    def changed(self, w: Work, poll: Poll) -> None:
        """A vote on ``poll`` was recorded in ``w``'s transaction."""
        assert poll.id is not None
        if self.window <= 0:
            refresh_poll_messages(w, poll)
            return
        self._changed.add(poll.id)
        self._native.add(poll.id)
        self._arm(self.window)

    @property
    def pending(self) -> int:
        return len(self._changed | self._native)

    def _arm(self, delay: float) -> None:
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(delay, self._flush_later)

    def _flush_later(self) -> None:
        self._timer = None
        task = asyncio.get_running_loop().create_task(self.flush(due_only=True))
        task.add_done_callback(_log_failure)

    def _native_due(self, now: float) -> set[int]:
        return {i for i in self._native if self._native_at.get(i, -NATIVE_EVERY) + NATIVE_EVERY <= now}

    async def flush(self, *, due_only: bool = False) -> None:
        """Edit the cards of every poll voted on since the last flush, and the texts above its
        native polls (``due_only``: those whose turn has come; the window's own flush)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        now = asyncio.get_running_loop().time()
        native = self._native_due(now) if due_only else set(self._native)
        if not self._changed and not native:
            self._rearm(now)
            return
        async with self._lock:
            cards, self._changed = self._changed, set()
            self._native -= native
            core = self.core
            try:
                async with transaction(core.engine) as session:
                    w = Work(core, session, core.clock.now())
                    for poll in session.exec(select(Poll).where(col(Poll.id).in_(cards | native))):
                        if poll.closed_at is None:  # a closed poll's card says so already
                            refresh_poll_messages(w, poll, cards=poll.id in cards,
                                                  native=poll.id in native)
                        else:
                            self._native_at.pop(poll.id or 0, None)
                    taken = core.outbox.take_written(session, w.written)
                core.outbox.committed(taken)
            except Exception:
                log.exception("editing the cards of %d polls failed; tried again",
                              len(cards | native))
                self._changed |= cards
                self._native |= native
                if self.window > 0:
                    self._arm(self.window)
                return
            for poll_id in native:
                self._native_at[poll_id] = now
            self._rearm(now)
        await core.outbox.flush(look=False)

    def _rearm(self, now: float) -> None:
        """Native texts still waiting for their turn: flush again when the first one's comes."""
        if self._native and self.window > 0:
            turn = min(self._native_at.get(i, now) + NATIVE_EVERY for i in self._native)
            self._arm(max(self.window, turn - now))


def refresh_poll_messages(w: Work, poll: Poll, *, cards: bool = True, native: bool = True) -> None:
    """Edit the poll message in each chat with the current counts.

    ``cards``: the messages with option buttons; ``native``: the text above a platform's own
    poll (the edit carries the poll, so the adapter keeps it running). Not a message that never
    arrived, nor (anonymous polls, whose counts wait for the close) the text above a native one.
    """
    assert poll.id is not None
    offered = native_poll(poll, [])
    text: Rich | None = None
    buttons: list[list] = []
    for message in poll_messages.messages_of(w.session, poll_id=poll.id):
        chat = w.session.get(Chat, message.chat_id)
        if chat is None or chat.gone_at is not None:
            continue
        ref = f"poll:{poll.id}@{chat.id}"
        status, platform_poll_id = poll_messages.delivery_of(w.session, ref=ref)
        if status in ("missing", "parked"):
            continue
        shows_native = bool(platform_poll_id or message.platform_poll_id)
        if offered is not None and status != "sent":
            continue  # not known yet whether this chat shows a native poll
        if not (native and shows_native and shows_live_counts(poll)) and not (
                cards and not shows_native):
            continue
        if text is None:
            text, buttons = poll_message(w, poll)
        if shows_native:
            options = polls.poll_options(w.session, poll_id=poll.id)
            w.send(chat_address(chat), text, edit_of=ref,
                   poll=native_poll(poll, [o.text for o in options]))
        else:
            w.send(chat_address(chat), text, buttons, edit_of=ref)


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("editing poll cards failed", exc_info=task.exception())
