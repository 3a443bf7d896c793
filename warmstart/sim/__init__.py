"""Trace-driven cold-start simulator: replays real demand on a simulated GPU
cluster under each policy. Policies decide with the product's own startup
estimate (and `warmstart` places replicas with the extender's scorer); what
happens is drawn from a separate ground truth (`warmstart.sim.truth`).
"""

from warmstart.sim.advisor import (
    CapacityAdvice,
    CapacityAdvisor,
    ClusterSnapshot,
    DemandHistory,
    ModelState,
    PoolState,
    WarmTarget,
)
from warmstart.sim.config import ClusterSpec, default_cluster, load_cluster
from warmstart.sim.run import POLICY_NAMES, Comparison, make_policy, simulate
from warmstart.warmth.types import StageOrder

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
