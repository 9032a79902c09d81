"""Rendered pages kept by one process, each with the counts of changes it was built at.

A page is served from here only while the database's counts (``bot.record.projects.page_version``,
bumped by triggers in every writing transaction) are the ones it was built at, so any number of
processes can keep copies and none serves a page that a change has made stale.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

SIZE = 256  # pages kept, the least recently used dropped first


class PageCache:
    def __init__(self, size: int = SIZE) -> None:
        self._pages: OrderedDict[Hashable, tuple[Hashable, str]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()  # pages are built in worker threads

    def get(self, key: Hashable, version: Hashable) -> str | None:
        with self._lock:
            found = self._pages.get(key)
            if found is None or found[0] != version:
                return None
            self._pages.move_to_end(key)
            return found[1]

    def put(self, key: Hashable, version: Hashable, text: str) -> None:
        with self._lock:
            self._pages[key] = (version, text)
            self._pages.move_to_end(key)
            while len(self._pages) > self._size:
                self._pages.popitem(last=False)
