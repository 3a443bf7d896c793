"""What a node's agent last reported of its caches (its NodeCache status).

Agents report every `period` seconds, so between a change and the next report
tick the estimate sees the caches as they were. Only the state before the
latest change needs keeping: a tick after that change reports what is there
now, and no tick fell between it and the change before (or that state would
have been kept instead).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

Holdings = tuple[tuple[tuple[str, object], ...], tuple[str, ...]]
"""(cache entries as (key, entry) pairs, recently run images): comparable, cheap."""


@dataclass(slots=True)
class AgentReport:
    period: float
    phase: float  # the node's first report: when it was created
    before: Holdings = ((), ())  # what a stale report says the caches hold
    _changed_at: float = -math.inf

    def _tick(self, t: float) -> float:
        """The latest report at or before `t`."""
        if self.period <= 0:
            return t
        return self.phase + math.floor((t - self.phase) / self.period) * self.period

    def changing(self, t: float, current: Callable[[], Holdings]) -> None:
        """The caches change at `t`; `current()` is what they held until now
        (called only when kept: building it costs as much as the caches hold)."""
        if self._tick(t) >= self._changed_at:
            self.before = current()  # a report since the last change carried it
        self._changed_at = max(self._changed_at, t)

    def stale(self, now: float) -> bool:
        """Whether the latest report at `now` predates the latest change."""
        return self._tick(now) < self._changed_at

    def seen(self, now: float, current: Holdings) -> Holdings:
        """What the latest report at `now` says the caches hold."""
        return self.before if self.stale(now) else current
