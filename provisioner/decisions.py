"""The decisions log: what the provisioner did or chose not to do, and why.

Bounded in memory (the newest N), newest last, ready for the admin API to
serve; the pods concerned also get Kubernetes Events so `kubectl describe
pod` tells the same story.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    at: float
    kind: str  # create | release | capped | stale | keep-alive | pod-error | failed | shadow
    # | stage | unstage (the warmth planner's Prefetch orders)
    subject: str
    reason: str
    outcome: str = ""  # created | existed | deleted | skipped (shadow) | error text
    pods: tuple[str, ...] = ()
    estimate_s: float | None = None
    stages: tuple[tuple[str, float], ...] = ()
    pool: str = ""  # when the subject's name does not say it (a Prefetch is named by node)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["pods"] = list(self.pods)
        out["stages"] = dict(self.stages)
        return out


class DecisionLog:
    def __init__(self, capacity: int = 1000) -> None:
        self._items: deque[DecisionRecord] = deque(maxlen=capacity)
        self._lock = threading.Lock()

    def add(self, record: DecisionRecord) -> None:
        with self._lock:
            self._items.append(record)

    def recent(self, limit: int | None = None) -> list[DecisionRecord]:
        with self._lock:
            items = list(self._items)
        return items[-limit:] if limit else items

    def __len__(self) -> int:
        return len(self._items)
