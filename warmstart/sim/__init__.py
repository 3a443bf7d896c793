"""Trace-driven cold-start simulator: replays real demand on a simulated GPU
cluster under each policy, timing every cold start with the product's own
startup estimate and placing `warmstart` replicas with the extender's scorer.
"""

from warmstart.sim.advisor import (
    CapacityAdvice,
    CapacityAdvisor,
    ClusterSnapshot,
    DemandHistory,
    ModelState,
    PoolState,
    StageOrder,
    WarmTarget,
)
from warmstart.sim.config import ClusterSpec, default_cluster, load_cluster
from warmstart.sim.run import POLICY_NAMES, Comparison, make_policy, simulate

__all__ = [
    "POLICY_NAMES",
    "CapacityAdvice",
    "CapacityAdvisor",
    "ClusterSnapshot",
    "ClusterSpec",
    "Comparison",
    "DemandHistory",
    "ModelState",
    "PoolState",
    "StageOrder",
    "WarmTarget",
    "default_cluster",
    "load_cluster",
    "make_policy",
    "simulate",
]
