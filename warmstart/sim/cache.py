"""A byte-capacity LRU: what a node's disk or page cache still holds.

Entries in use (a running replica's model or image) are never evicted, the way
kubelet's image GC skips images of running containers.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Container


class LruBytes:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[str, int] = OrderedDict()
        self._used = 0

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def items(self) -> list[tuple[str, int]]:
        return list(self._entries.items())

    def resize(self, capacity: int, in_use: Container[str] = ()) -> list[str]:
        """Change the capacity (memory pressure), evicting what no longer fits."""
        self.capacity = capacity
        return self._evict_to_fit(in_use)

    def discard(self, key: str) -> bool:
        if key not in self._entries:
            return False
        self._used -= self._entries.pop(key)
        return True

    def touch(self, key: str, size: int, in_use: Container[str] = ()) -> tuple[bool, list[str]]:
        """Insert or refresh `key`, evicting least recently used entries to fit.

        Returns (whether `key` was added, the keys evicted).
        """
        if key in self._entries:
            self._entries.move_to_end(key)
            return False, []
        if size > self.capacity:
            return False, []
        self._entries[key] = size
        self._used += size
        return True, self._evict_to_fit(in_use, keep=key)

    def _evict_to_fit(self, in_use: Container[str], keep: str = "") -> list[str]:
        if self._used <= self.capacity:
            return []
        evicted: list[str] = []
        for old in list(self._entries):
            if self._used <= self.capacity:
                break
            if old == keep or old in in_use:
                continue
            self._used -= self._entries.pop(old)
            evicted.append(old)
        return evicted
