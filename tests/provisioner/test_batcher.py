"""The batch window: idle close, max close, de-duplication by UID (stepped clock)."""

from __future__ import annotations

import pytest

from provisioner.batcher import Batcher
from warmstart.clock import ManualClock


def test_a_batch_closes_after_the_idle_window():
    clock = ManualClock()
    b = Batcher(clock, idle_s=0.05, max_s=0.5)
    b.trigger("a")
    clock.advance(0.04)
    b.trigger("b")
    assert b.take() == frozenset() and b.wait_s() == pytest.approx(0.05)
    clock.advance(0.05)
    assert b.take() == {"a", "b"}
    assert b.wait_s() is None


def test_a_steady_trickle_is_cut_at_the_max_window():
    clock = ManualClock()
    b = Batcher(clock, idle_s=0.05, max_s=0.2)
    batches = []
    for i in range(10):  # a new pod every 40 ms never leaves 50 ms of quiet
        b.trigger(str(i))
        clock.advance(0.04)
        if batch := b.take():
            batches.append(sorted(batch))
    # the first batch opened at 0 closes at 0.2 s, with pods 0..4 (0.00..0.16 s)
    assert batches == [["0", "1", "2", "3", "4"]]


def test_the_same_pod_twice_counts_once_and_does_not_extend_the_window():
    clock = ManualClock()
    b = Batcher(clock, idle_s=0.05, max_s=0.5)
    b.trigger("a")
    clock.advance(0.04)
    b.trigger("a")  # an update of a pod already in the batch
    clock.advance(0.01)
    assert b.take() == {"a"}


def test_bad_windows_are_refused():
    with pytest.raises(ValueError, match="idle_s <= max_s"):
        Batcher(ManualClock(), idle_s=2, max_s=1)
