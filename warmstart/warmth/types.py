"""The warmth planner's inputs and outputs: what it is told about models,
pools and nodes, the knobs it obeys, and the plan it returns with a reason on
every choice. Plain frozen dataclasses, so the planner stays a pure function.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from warmstart.domain.node import CacheTier
from warmstart.domain.pod import PodDemand
from warmstart.estimate import NodeView


class Warmth(StrEnum):
    """How warm a model is kept, fastest (and dearest) first."""

    RESIDENT = "gpu-resident"
    HOST = "host-memory"
    DISK = "local-disk"
    COLD = "cold"


STAGED_TIER = {Warmth.HOST: CacheTier.HOST_MEMORY, Warmth.DISK: CacheTier.LOCAL_DISK}


@dataclass(frozen=True, slots=True)
class TierTimes:
    """Estimated start seconds of one model in one pool, per tier of warmth
    (`warmstart.warmth.tiers.tier_times`): from host memory or local disk of a
    booted node with a free GPU, from the object store on such a node (`warm`),
    and on a node that has to boot first (`new`)."""

    host: float
    disk: float
    warm: float
    new: float


@dataclass(frozen=True, slots=True)
class Outlook:
    """What is known of a model's next arrivals.

    `rate_per_s`: the forecast's request rate over the coming step (a quantile of
    its predictive distribution). `idle_s`: seconds since the last request (None:
    never seen). `idle_cdf`: the learned keep-alive's idle-time distribution
    (`warmstart.hybrid_histogram`), cumulative share at each bin's upper edge,
    `bin_s` wide; idle times beyond its range make up the rest. `spells_per_s`:
    the long-run rate at which its idle spells end, a floor for models whose
    recent forecast and histogram both say nothing.
    """

    rate_per_s: float = 0.0
    idle_s: float | None = None
    idle_cdf: tuple[float, ...] = ()
    bin_s: float = 60.0
    spells_per_s: float = 0.0  # idle spells ended per second, over all the history seen


@dataclass(frozen=True, slots=True)
class ModelNeed:
    name: str
    pool: str
    pod: PodDemand
    model_bytes: int
    gpus: int
    ready: int  # replicas serving now
    times: TierTimes
    outlook: Outlook


@dataclass(frozen=True, slots=True)
class HostNode:
    """A node that can hold staged models: its report, free GPUs, room."""

    view: NodeView
    free_gpus: int
    replicas: int  # 0: idle, kept only if the plan pays for it
    host_bytes: int  # page cache a staged model may use (RAM less what replicas pin)
    disk_bytes: int  # local disk a staged model may use


@dataclass(frozen=True, slots=True)
class PoolSupply:
    name: str
    gpus_per_node: int
    price_per_hour: float
    host_bytes: int  # per new node
    disk_bytes: int
    nodes: tuple[HostNode, ...] = ()
    max_nodes: int | None = None  # the pool's limit: no new node beyond it


@dataclass(frozen=True, slots=True)
class WarmthPolicy:
    """The knobs. A cold request costs `cold_request_usd` per `slo_wait_s` it
    waits past the SLO (`within_slo_weight` of that when it meets the SLO)."""

    cold_request_usd: float = 2.0
    slo_wait_s: float = 15.0
    # A wait within the SLO meets it: it costs this share as much per second, so
    # a staged tier that meets the SLO beats a resident GPU unless the model is
    # asked for often.
    within_slo_weight: float = 0.1
    step_s: float = 300.0  # the planning period: the plan holds until the next one
    host_usd_per_gb_hour: float = 0.0  # RAM of a node that is up anyway
    disk_usd_per_gb_hour: float = 0.0
    # Staging shares a node's NIC with the replicas starting there: a step orders
    # one download per node, and more only within this many seconds, so a start
    # that queues behind them waits little longer; the rest follows later.
    stage_s_per_node: float = 60.0
    budget_usd_per_hour: float | None = None  # for resident replicas and idle warm nodes
    max_warm_nodes: Mapping[str, int] = field(default_factory=dict)  # idle nodes per pool
    overrides: Mapping[str, Warmth] = field(default_factory=dict)  # model -> forced warmth


@dataclass(frozen=True, slots=True)
class ModelWarmth:
    model: str
    pool: str
    warmth: Warmth
    node: str | None  # where it is staged
    p_arrival: float
    start_s: float  # the estimated wait of its next cold request
    expected_usd: float  # idle cost + expected penalty over the step
    explain: Callable[[], str] = field(repr=False, compare=False)

    @property
    def reason(self) -> str:
        """Worded when read: a plan of a thousand models is mostly not read."""
        return self.explain()


@dataclass(frozen=True, slots=True)
class StageOrder:
    """Copy (or drop) `model` into `tier` of node `node`: a Prefetch."""

    model: str
    node: str
    tier: CacheTier
    drop: bool = False
    reason: str = ""


@dataclass(frozen=True, slots=True)
class PoolWarmth:
    pool: str
    idle_nodes: int  # idle nodes to keep booted (existing ones kept plus new ones)
    new_nodes: int  # of which to request now
    reason: str
    keep: tuple[str, ...] = ()  # the existing idle nodes kept, by name: they hold staged models


@dataclass(frozen=True, slots=True)
class WarmthPlan:
    models: tuple[ModelWarmth, ...]
    stages: tuple[StageOrder, ...]
    pools: tuple[PoolWarmth, ...]
    spend_usd_per_hour: float  # resident replicas plus idle warm nodes

    def resident(self) -> dict[str, int]:
        return {m.model: 1 for m in self.models if m.warmth is Warmth.RESIDENT}
