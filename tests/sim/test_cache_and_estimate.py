"""Node caches evict by LRU, and every stage time is the product's estimate."""

from __future__ import annotations

import pandas as pd
import pytest

from warmstart.estimate import GLOBAL_DEFAULTS
from warmstart.sim import make_policy, simulate
from warmstart.sim.cache import LruBytes
from warmstart.sim.config import ClusterSpec
from warmstart.traces import canonical

GB = 10**9


def test_lru_evicts_the_least_recently_used_but_not_what_is_in_use() -> None:
    cache = LruBytes(capacity=30)
    cache.touch("a", 10)
    cache.touch("b", 10)
    cache.touch("c", 10)
    cache.touch("a", 10)  # a is now the most recent
    added, evicted = cache.touch("d", 10, in_use={"b"})
    assert added and evicted == ["c"]
    assert "a" in cache and "b" in cache and "c" not in cache


def test_first_cold_start_is_the_estimate_on_a_new_node(exact_cluster: ClusterSpec) -> None:
    trace = canonical(["m"], [1000.0], [1.0])
    result = simulate(trace, exact_cluster, [make_policy("reactive", exact_cluster)], seed=1)
    (cold,) = result.outcomes[0].metrics.cold_starts
    d = GLOBAL_DEFAULTS
    # New node: CA notices the 30-s-old GPU pod on its next 10-s scan, then boots 60-120 s.
    assert 30 + 60 <= cold.stages["node"] <= 30 + 10 + 120
    assert cold.stages["image"] == pytest.approx(10 * GB / d.registry_pull_bps)
    assert cold.stages["model"] == pytest.approx(15 * GB / d.object_store_bps)
    assert cold.stages["cuda"] == d.cuda_persistent_seconds  # pool runs persistence mode
    assert cold.stages["h2d"] == pytest.approx(15 * GB / d.host_to_device_bps)


def test_a_second_start_on_the_same_node_reads_the_cache(exact_cluster: ClusterSpec) -> None:
    # The first replica is ready ~6 min after t=1000 and serves its request, idles
    # 60 s and stops; the empty node stays 10 min more. The next request comes in that time.
    trace = canonical(["m", "m"], [1000.0, 1900.0], [1.0, 1.0])
    result = simulate(pd.DataFrame(trace), exact_cluster,
                      [make_policy("reactive", exact_cluster)], seed=1)
    first, second = result.outcomes[0].metrics.cold_starts
    assert second.node == first.node
    assert second.stages["node"] == 0 and second.stages["image"] == 0
    assert second.stages["model"] == pytest.approx(15 * GB / GLOBAL_DEFAULTS.host_memory_bps)
    assert second.stages["cuda"] == GLOBAL_DEFAULTS.cuda_warm_seconds
