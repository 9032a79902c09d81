"""Daily retention: the inbound ledger is pruned and delivered copies of personal data dropped.

The ledger only has to outlive the platforms' retries (Slack retries within minutes, Telegram
keeps an undelivered update for a day), so rows older than ``ledger.retention_days`` go.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from bot.kernel.context import Work
from storage.repo import privacy, work

log = logging.getLogger(__name__)

TIMER_KIND = "ledger.prune"
TIMER_KEY = "ledger.prune"
EVERY = timedelta(days=1)
FILE_COPY_KEPT = timedelta(days=1)  # a delivered data export is not kept longer than this


def ensure_timer(w: Work) -> bool:
    """Arm the daily run (at start, due at once); an armed timer is left where it is."""
    if work.pending_timer(w.session, key=TIMER_KEY) is not None:
        return False
    w.schedule(TIMER_KIND, TIMER_KEY, w.now)
    return True


def prune(w: Work) -> dict[str, int]:
    """Remove what is past its retention now; returns counts for the log."""
    days = w.settings.ledger.retention_days
    return {
        "ledger": work.prune_events(w.session, before=w.now - timedelta(days=days)),
        "messages_to_erased": privacy.drop_delivered_to_erased(w.session),
        "file_copies": privacy.scrub_delivered_files(w.session, before=w.now - FILE_COPY_KEPT),
    }


async def on_prune_timer(w: Work, key: str, payload: dict[str, Any]) -> None:
    counts = prune(w)
    log.info("retention: %s", ", ".join(f"{k} {v}" for k, v in counts.items()))
    w.schedule(TIMER_KIND, TIMER_KEY, w.now + EVERY)
