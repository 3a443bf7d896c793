"""Collect pending-pod triggers into one batch, the way Karpenter's batcher does.

A batch closes after `idle_s` without a new pod, or `max_s` after it opened,
whichever comes first; pods are de-duplicated by UID, so a pod updated five
times while pending counts once. Our windows are far shorter than Karpenter's
1 s / 10 s because the planner is cheap and the goal is to beat the
autoscaler; a burst still lands in one batch and packs into few nodes.
The clock is injected, so tests step it.
"""

from __future__ import annotations

import threading

from warmstart.clock import Clock


class Batcher:
    def __init__(self, clock: Clock, idle_s: float = 0.05, max_s: float = 0.5) -> None:
        if idle_s < 0 or max_s < idle_s:
            raise ValueError(f"batch windows need 0 <= idle_s <= max_s, got {idle_s}, {max_s}")
        self.clock, self.idle_s, self.max_s = clock, idle_s, max_s
        self._uids: set[str] = set()
        self._opened = 0.0
        self._last = 0.0
        self._lock = threading.Lock()
        self.wakeup = threading.Event()  # set on each trigger so a sleeping loop wakes

    def trigger(self, uid: str) -> None:
        now = self.clock.monotonic()
        with self._lock:
            if not self._uids:
                self._opened = now
            if uid not in self._uids:
                self._uids.add(uid)
                self._last = now
        self.wakeup.set()

    def wait_s(self) -> float | None:
        """Seconds until the open batch closes; None when no batch is open."""
        with self._lock:
            if not self._uids:
                return None
            now = self.clock.monotonic()
            close = min(self._last + self.idle_s, self._opened + self.max_s)
            return max(close - now, 0.0)

    def take(self) -> frozenset[str]:
        """The closed batch (empty if none is ready yet); opens the next one."""
        wait = self.wait_s()
        if wait is None or wait > 0:
            return frozenset()
        with self._lock:
            batch, self._uids = frozenset(self._uids), set()
            self.wakeup.clear()
        return batch
