"""The provisioner: turn pending GPU pods and forecasts into capacity early.

observe (informers) -> decide (`plan`, pure) -> act (one backend, idempotent).
"""

from provisioner.plan_types import Decision, NewNode, Placed, Plan, PodError, Release
from provisioner.planner import plan
from provisioner.policy import PoolLimits, ProvisionerPolicy
from provisioner.state import Capacity, ClusterState, NodeTemplate, PendingPod

__all__ = [
    "Capacity",
    "ClusterState",
    "Decision",
    "NewNode",
    "NodeTemplate",
    "PendingPod",
    "Placed",
    "Plan",
    "PodError",
    "PoolLimits",
    "ProvisionerPolicy",
    "Release",
    "plan",
]
