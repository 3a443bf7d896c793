"""Decisions in memory: a bounded, filterable list with repeats folded.

The provisioner re-decides every few seconds; the same keep-alive or cap
decision, unchanged, is recorded once per `repeat_s` rather than at every
step, so the bound holds hours of history instead of minutes.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from warmstart.admin.schemas import DecisionOut, DecisionPage


@dataclass(frozen=True)
class DecisionQuery:
    pool: str | None = None
    model: str | None = None
    kind: str | None = None
    source: str | None = None
    since: float | None = None
    until: float | None = None
    limit: int = 100

    def keeps(self, d: DecisionOut) -> bool:
        return ((self.pool is None or d.pool == self.pool)
                and (self.model is None or d.model == self.model)
                and (self.kind is None or d.kind == self.kind)
                and (self.source is None or d.source == self.source)
                and (self.since is None or d.at >= self.since)
                and (self.until is None or d.at <= self.until))


def page(items: Iterable[DecisionOut], query: DecisionQuery) -> DecisionPage:
    """Newest first, after the filter; `total` counts every match."""
    kept = sorted((d for d in items if query.keeps(d)), key=lambda d: d.at, reverse=True)
    return DecisionPage(items=kept[:query.limit], total=len(kept))


class DecisionBuffer:
    def __init__(self, capacity: int = 1000, repeat_s: float = 300.0) -> None:
        self._items: deque[DecisionOut] = deque(maxlen=capacity)
        self._seen: dict[tuple[str, str, str, str], float] = {}
        self._lock = threading.Lock()
        self.repeat_s = repeat_s

    def add(self, d: DecisionOut) -> bool:
        """Keep `d` unless the same decision was kept less than `repeat_s` ago."""
        key = (d.source, d.kind, d.subject, d.reason)
        with self._lock:
            last = self._seen.get(key)
            if last is not None and 0 <= d.at - last < self.repeat_s:
                return False
            self._seen[key] = d.at
            if len(self._seen) > 4 * (self._items.maxlen or 1):
                self._seen = {k: t for k, t in self._seen.items() if d.at - t < self.repeat_s}
            self._items.append(d)
            return True

    def extend(self, items: Iterable[DecisionOut]) -> None:
        for d in items:
            self.add(d)

    def items(self) -> list[DecisionOut]:
        with self._lock:
            return list(self._items)
