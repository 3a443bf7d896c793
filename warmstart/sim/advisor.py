"""The hook through which the warmth planner and the forecaster steer the
`warmstart` policy, without the simulator importing a service (forecaster, provisioner).

A `CapacityAdvisor` is any callable `(ClusterSnapshot, DemandHistory) ->
CapacityAdvice`. The simulator calls it every `interval_s` of virtual time and
applies the advice: keep at least `replicas` warm for a model until `until_s`,
keep `warm_nodes` idle nodes booted (or booting) per pool, and stage or drop
models in the host memory or local disk of named nodes (`staging`). The composition
root (`warmstart/cli/sim_policies.py`) builds the advisor from the planner and forecaster.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from warmstart.domain.pod import PodDemand
from warmstart.estimate import NodeView
from warmstart.warmth.types import StageOrder  # the planner's order, applied as it is


@dataclass(frozen=True, slots=True)
class ModelState:
    name: str
    pool: str
    uri: str
    gpus_per_replica: int
    requests_per_replica_s: float
    ready: int
    starting: int
    last_request_s: float | None
    pod: PodDemand = field(default_factory=PodDemand)  # what the estimate reads of its pod
    model_bytes: int = 0


@dataclass(frozen=True, slots=True)
class PoolState:
    name: str
    gpus_per_node: int
    price_per_hour: float


@dataclass(frozen=True, slots=True)
class NodeState:
    """One node as a warmth planner sees it: the agent's report (`view`), its
    free GPUs and replicas, and the room its caches have (page cache less what
    running replicas pin; local disk)."""

    view: NodeView
    free_gpus: int
    replicas: int
    host_bytes: int
    disk_bytes: int


def _no_nodes() -> tuple[NodeState, ...]:
    return ()


@dataclass(frozen=True, slots=True)
class ClusterSnapshot:
    """The simulated cluster at virtual time `now` (epoch seconds)."""

    now: float
    models: tuple[ModelState, ...]
    pools: tuple[PoolState, ...]
    node_views: Callable[[], tuple[NodeView, ...]]
    nodes: Callable[[], tuple[NodeState, ...]] = _no_nodes


@dataclass(frozen=True, slots=True)
class DemandHistory:
    """Requests/s per model per step over the trailing window, oldest bin first.

    `rates[i, j]` is model `models[i]` in the bin starting at
    `end_s - (bins - j) * step_s`.
    """

    models: tuple[str, ...]
    step_s: float
    end_s: float
    rates: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """The long table `series, ds, y` of `warmstart.traces.rate_series`."""
        bins = self.rates.shape[1]
        starts = self.end_s - self.step_s * np.arange(bins, 0, -1)
        ds = pd.to_datetime(starts, unit="s", utc=True)
        return pd.DataFrame({
            "series": np.repeat(np.asarray(self.models, dtype=object), bins).astype(str),
            "ds": np.tile(ds, len(self.models)),
            "y": self.rates.ravel(),
        })


@dataclass(frozen=True, slots=True)
class WarmTarget:
    replicas: int
    until_s: float
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CapacityAdvice:
    replicas: Mapping[str, WarmTarget] = field(default_factory=dict)
    warm_nodes: Mapping[str, int] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()
    staging: tuple[StageOrder, ...] = ()
    # Idle nodes kept by name (they hold staged models), as a provisioner marks
    # them scale-down-disabled; they count among `warm_nodes`.
    keep: frozenset[str] = frozenset()


CapacityAdvisor = Callable[[ClusterSnapshot, DemandHistory], CapacityAdvice]
