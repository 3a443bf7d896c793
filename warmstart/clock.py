"""Injected time. Decisions take `now` as an argument; loops take a Clock.

Production code gets SystemClock; tests and the simulator get ManualClock and
step it, so nothing in a test waits on the wall clock.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch (wall time, for timestamps and staleness)."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for intervals and timeouts)."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()


class ManualClock:
    """A clock that moves only when told to."""

    def __init__(self, start: float = 0.0) -> None:
        self._t = start

    def now(self) -> float:
        return self._t

    def monotonic(self) -> float:
        return self._t

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"a clock cannot go back ({seconds} s)")
        self._t += seconds

    def set(self, t: float) -> None:
        self.advance(t - self._t)
