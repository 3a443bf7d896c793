"""Spot reclaims take nodes (and their caches) away; a full pool leaves requests unserved."""

from __future__ import annotations

import pandas as pd

from warmstart.sim import ClusterSpec, make_policy, simulate
from warmstart.sim.config import PoolSpec


def _with_pool(cluster: ClusterSpec, **changes: object) -> ClusterSpec:
    pool = PoolSpec.model_validate({**cluster.pools[0].model_dump(), **changes})
    return cluster.model_copy(update={"pools": (pool,)})


def test_spot_reclaims_force_new_nodes_and_cold_starts(bursty_trace: pd.DataFrame,
                                                       small_cluster: ClusterSpec) -> None:
    steady = simulate(bursty_trace, small_cluster,
                      [make_policy("always-warm", small_cluster)], seed=1)
    spot = _with_pool(small_cluster, spot=True, reclaims_per_hour=1.0)
    reclaimed = simulate(bursty_trace, spot, [make_policy("always-warm", spot)], seed=1)
    before, after = steady.outcomes[0].metrics, reclaimed.outcomes[0].metrics
    assert after.nodes_created > before.nodes_created
    assert len(after.cold_starts) > len(before.cold_starts) == 0


def test_a_pool_at_its_node_limit_leaves_requests_unserved(bursty_trace: pd.DataFrame,
                                                          small_cluster: ClusterSpec) -> None:
    capped = _with_pool(small_cluster, max_nodes=0)
    result = simulate(bursty_trace, capped, [make_policy("reactive", capped)], seed=1)
    metrics = result.outcomes[0].metrics
    assert metrics.unserved_requests == bursty_trace["count"].sum()
    assert metrics.cold_starts == []
