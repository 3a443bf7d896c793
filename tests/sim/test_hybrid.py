"""The ATC'20 hybrid histogram policy's windows, from idle times."""

from __future__ import annotations

import numpy as np
import pytest

from warmstart.hybrid_histogram import BINS
from warmstart.sim.catalog import build_catalog
from warmstart.sim.config import ClusterSpec
from warmstart.sim.hybrid import HybridHistogram


def _policy(cluster: ClusterSpec) -> HybridHistogram:
    policy = HybridHistogram()
    policy.bind(build_catalog(["m"], cluster, seed=0))
    return policy


def _observe(policy: HybridHistogram, idle_s: list[float]) -> tuple[float, float]:
    """Model 0's (pre-warm, keep-alive) once it has been idle for long."""
    policy.observe_idle(np.zeros(len(idle_s), dtype="int64"), np.array(idle_s))
    pre, keep = policy.windows(np.array([0]), np.array([np.inf]), 60.0)
    return float(pre[0]), float(keep[0])


def test_concentrated_idle_times_pre_warm_and_keep_alive(small_cluster: ClusterSpec) -> None:
    policy = _policy(small_cluster)
    pre, keep = _observe(policy, [30 * 60 + 5.0] * 50)  # always ~30 min between requests
    # Head and tail are the 30-min bin: pre-warm at 30 min x 0.9, keep until 31 min x 1.1.
    assert pre == pytest.approx(30 * 60 * 0.9)
    assert keep == pytest.approx(31 * 60 * 1.1 - 30 * 60 * 0.9)


def test_spread_out_idle_times_fall_back_to_a_fixed_keep_alive(small_cluster: ClusterSpec) -> None:
    policy = _policy(small_cluster)
    # One per bin: CV 0 < 2.
    assert _observe(policy, [m * 60.0 + 1 for m in range(BINS)]) == (0.0, BINS * 60.0)


def test_too_few_samples_fall_back_too(small_cluster: ClusterSpec) -> None:
    policy = _policy(small_cluster)
    assert _observe(policy, [600.0] * 3) == (0.0, BINS * 60.0)


def test_out_of_bounds_idle_times_predict_the_next_one(small_cluster: ClusterSpec) -> None:
    policy = _policy(small_cluster)
    pre, keep = _observe(policy, [10 * 3600.0] * 12)  # 10 h: beyond the 4-h histogram
    assert pre == pytest.approx(10 * 3600 * 0.85)
    assert keep == pytest.approx(10 * 3600 * 0.3)


def test_a_busy_models_windows_are_worked_out_when_it_idles(small_cluster: ClusterSpec) -> None:
    policy = _policy(small_cluster)
    policy.observe_idle(np.zeros(50, dtype="int64"), np.full(50, 30 * 60 + 5.0))
    busy = policy.windows(np.array([0]), np.array([30.0]), 60.0)
    # Idle under a bin: no window can unload it, so the fallback stands ...
    assert (busy[0][0], busy[1][0]) == (0.0, BINS * 60.0)
    pre, _ = policy.windows(np.array([0]), np.array([60.0]), 60.0)
    assert pre[0] == pytest.approx(30 * 60 * 0.9)  # ... until it has idled a bin
