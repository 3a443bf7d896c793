"""Who waits and for how long within a step, and the weighted percentiles."""

from __future__ import annotations

import numpy as np
import pytest

from warmstart.sim.demand import spell_arrivals
from warmstart.sim.metrics import RunMetrics, weighted_quantiles
from warmstart.sim.waits import step_waits


def test_one_request_waits_for_the_first_ready_replica() -> None:
    w = step_waits(first=10.0, end=60.0, count=1, ready_now=0, ready_times=[250.0, 300.0])
    assert w.slices == [(240.0, 240.0, 1)]
    assert w.waited_on == [0]


def test_requests_before_the_replica_is_ready_wait_the_rest_do_not() -> None:
    # 60 requests evenly over [0, 60): the 30 before t=30 wait 0..30 s.
    w = step_waits(first=0.0, end=60.0, count=60, ready_now=0, ready_times=[30.0])
    assert w.slices == [(0.0, 30.0, 30.0)]
    assert w.warm == pytest.approx(30.0)


def test_a_ready_replica_serves_everyone() -> None:
    w = step_waits(first=0.0, end=60.0, count=500, ready_now=1, ready_times=[])
    assert w.warm == pytest.approx(500) and not w.slices


def test_no_replica_and_none_coming_is_unserved() -> None:
    w = step_waits(first=0.0, end=60.0, count=5, ready_now=0, ready_times=[])
    assert w.unserved == pytest.approx(5.0)


def test_weighted_quantiles() -> None:
    values = np.array([0.0, 10.0, 100.0])
    weights = np.array([90.0, 9.0, 1.0])
    assert weighted_quantiles(values, weights, (0.5, 0.95, 0.995)) == [0.0, 10.0, 100.0]


def test_all_request_percentiles_count_warm_requests_as_zero_wait() -> None:
    metrics = RunMetrics(warm_requests=98.0)
    metrics.add_slices([(100.0, 100.0, 2.0)])
    assert metrics.quantiles((0.5, 0.99), cold_only=False) == [0.0, 100.0]
    assert metrics.quantiles((0.5,), cold_only=True) == [100.0]


def test_idle_spell_arrivals_come_from_the_trace_alone() -> None:
    model = np.array([0, 0, 1, 0, 0])
    step = np.array([0, 1, 1, 3, 4])
    count = np.array([1.0, 1.0, 1.0, 5.0, 1.0])
    first = np.array([10.0, 65.0, 70.0, 200.0, 245.0])
    spell = spell_arrivals(model, step, count, first, step_s=60.0, origin=0.0)
    # a: first ever; 55 s after -> no; 135 s after -> yes; 5 requests fill step 3
    # up to its end (240), so 245 is 5 s after -> no. b: its first ever.
    assert spell.tolist() == [True, False, True, True, False]
