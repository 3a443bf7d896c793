"""Which node slots changed, in order, so an answer kept from an earlier point
can be brought up to date by redoing just those slots instead of all of them.

The index records a slot whenever a node's indexed facts change (a watch
event) or its inventory turns stale or fresh again. The newest `kept` to
twice `kept` records are held; an answer older than that is rebuilt whole.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

KEPT = 4096


class ChangeLog:
    def __init__(self, kept: int = KEPT) -> None:
        self._kept = kept
        self._slots: list[int] = []
        self._start = 0  # the position of _slots[0]

    @property
    def position(self) -> int:
        """How many changes were ever recorded: an answer's point in the log."""
        return self._start + len(self._slots)

    def record(self, slot: int) -> None:
        self._slots.append(slot)
        if len(self._slots) > 2 * self._kept:
            del self._slots[: self._kept]
            self._start += self._kept

    def since(self, position: int) -> npt.NDArray[np.int64] | None:
        """The distinct slots changed after `position`; None when no longer known."""
        if position < self._start:
            return None
        return np.unique(np.array(self._slots[position - self._start :], dtype=np.int64))
