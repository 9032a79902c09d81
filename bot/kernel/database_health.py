"""What the core last saw of its database: a fault is logged once, and /healthz shows it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

SHOWN = 60.0  # seconds


class DatabaseHealth:
    """The last database fault since the last success, if any."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self.fault: tuple[float, str] | None = None
        self.faults = 0  # since the process started, for /healthz

    def failed(self, cause: str) -> None:
        self.faults += 1
        if self.fault is None:
            # Once per outage: a locked or full database fails every event until it is back.
            log.error("the database cannot be used (%s); events are not acknowledged until it "
                      "is back, so the platforms send them again", cause)
        self.fault = (self._monotonic(), cause)

    def worked(self) -> None:
        if self.fault is not None:
            log.warning("the database works again (after %s)", self.fault[1])
            self.fault = None

    @property
    def failing(self) -> str | None:
        """The cause of a fault seen in the last ``SHOWN`` seconds with no success since: a full
        disk lets a write begin, so only a failed one shows it."""
        if self.fault is None or self._monotonic() - self.fault[0] > SHOWN:
            return None
        return self.fault[1]
