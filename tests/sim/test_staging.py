"""A planner can stage a model into host memory or local disk of a booted node
(`CapacityAdvice.staging`); a replica started there later skips the download."""

from __future__ import annotations

import pandas as pd
import pytest

from warmstart.domain.node import CacheTier
from warmstart.estimate import GLOBAL_DEFAULTS
from warmstart.sim import (
    CapacityAdvice,
    ClusterSnapshot,
    ClusterSpec,
    DemandHistory,
    StageOrder,
    simulate,
)
from warmstart.sim.catalog import image_sizes
from warmstart.sim.policies import warmstart

GB = 10**9


class StageOnTheWarmNode:
    """Keeps one idle node and stages every model in `tier` on it."""

    def __init__(self, tier: CacheTier) -> None:
        self.tier = tier
        self.orders: list[StageOrder] = []

    def __call__(self, snapshot: ClusterSnapshot, history: DemandHistory) -> CapacityAdvice:
        views = [v for v in snapshot.node_views() if v.boot_remaining_s == 0]
        staging = tuple(StageOrder(m.name, views[0].name, self.tier, reason="test")
                        for m in snapshot.models if views)
        self.orders += staging
        return CapacityAdvice(warm_nodes={snapshot.pools[0].name: 1}, staging=staging)


def _cold_start(cluster: ClusterSpec, tier: CacheTier) -> tuple[dict[str, float], int]:
    # Model m's one request comes at 3 h (another model's at 0 starts the clock):
    # by then the warm node has been up, and m staged on it, for hours.
    trace = pd.DataFrame({"model": ["a", "m"], "ts": [0.0, 3 * 3600.0], "count": [1.0, 1.0]})
    advisor = StageOnTheWarmNode(tier)
    policy = warmstart(image_sizes(cluster), advisor=advisor, advisor_interval_s=600)
    result = simulate(trace, cluster, [policy], seed=3)
    metrics = result.outcomes[0].metrics
    (cold,) = [c for c in metrics.cold_starts if c.model == "m"]
    # Orders repeat every call; one already done (or a copy already there) is a no-op.
    assert len(advisor.orders) > 10 * max(metrics.stagings, 1)
    return cold.stages, metrics.stagings


@pytest.mark.parametrize(("tier", "bps"), [(CacheTier.HOST_MEMORY, "host_memory_bps"),
                                           (CacheTier.LOCAL_DISK, "local_disk_bps")])
def test_a_staged_model_is_read_from_its_tier(exact_cluster: ClusterSpec, tier: CacheTier,
                                              bps: str) -> None:
    stages, stagings = _cold_start(exact_cluster, tier)
    assert stagings >= 1
    assert stages["node"] == 0
    assert stages["model"] == pytest.approx(15 * GB / getattr(GLOBAL_DEFAULTS, bps))


def test_without_staging_the_model_is_downloaded(exact_cluster: ClusterSpec) -> None:
    stages, stagings = _cold_start(exact_cluster, CacheTier.GPU_RESIDENT)  # not stageable
    assert stagings == 0
    assert stages["model"] == pytest.approx(15 * GB / GLOBAL_DEFAULTS.object_store_bps)
