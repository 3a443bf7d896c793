"""Which nodes' inventories are older than the staleness bound, answered in
O(changes) per call rather than a scan of every node on every request."""

from __future__ import annotations

import heapq
from collections.abc import Callable


class StaleTracker:
    """Observation times per node; `stale(now)` moves aged nodes to the stale set.

    A heap of (observed_at, name) with lazy deletion: an update pushes a new
    entry, and a popped entry that no longer matches the node's time is dropped.
    `on_flip(name, stale)` hears of every node entering or leaving the stale set.
    """

    def __init__(self, stale_after_s: float, on_flip: Callable[[str, bool], None]) -> None:
        self._bound = stale_after_s
        self._on_flip = on_flip
        self._observed: dict[str, float] = {}
        self._heap: list[tuple[float, str]] = []
        self._stale: set[str] = set()

    def observe(self, name: str, observed_at: float) -> None:
        if self._observed.get(name) == observed_at:
            return  # a Node event for the same inventory: nothing new to age
        self._observed[name] = observed_at
        self._unstale(name)
        heapq.heappush(self._heap, (observed_at, name))

    def forget(self, name: str) -> None:
        self._observed.pop(name, None)
        self._unstale(name)

    def stale(self, now: float) -> frozenset[str] | set[str]:
        """Names whose latest observation is older than the bound at `now`."""
        cutoff = now - self._bound
        heap = self._heap
        while heap and heap[0][0] < cutoff:
            observed_at, name = heapq.heappop(heap)
            if self._observed.get(name) == observed_at:
                self._stale.add(name)
                self._on_flip(name, True)
        return self._stale

    def _unstale(self, name: str) -> None:
        if name in self._stale:
            self._stale.discard(name)
            self._on_flip(name, False)

    def oldest_age(self, now: float) -> float:
        """Age in seconds of the oldest inventory held (0 when none)."""
        if not self._observed:
            return 0.0
        return max(0.0, now - min(self._observed.values()))
