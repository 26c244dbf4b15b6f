"""A small cache of rendered page parts, one per application process.

Keys carry a version that changes with the data, so entries never need invalidating;
they also expire after ``FRAGMENT_CACHE_SECONDS`` and the oldest go first past
``FRAGMENT_CACHE_SIZE`` entries.
"""

import threading
import time
from collections import OrderedDict

from flask import current_app


class FragmentCache:
    def __init__(self, size: int, seconds: float):
        self.size = size
        self.seconds = seconds
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            stored_at, value = entry
            if time.monotonic() - stored_at > self.seconds:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def set(self, key, value) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._entries[key] = (time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def fragments() -> FragmentCache:
    return current_app.extensions["fragment_cache"]


def init_app(app) -> None:
    app.config.setdefault("FRAGMENT_CACHE_SIZE", 500)
    app.config.setdefault("FRAGMENT_CACHE_SECONDS", 300)
    app.extensions["fragment_cache"] = FragmentCache(
        app.config["FRAGMENT_CACHE_SIZE"], app.config["FRAGMENT_CACHE_SECONDS"]
    )
