"""The cost model: what each tier of warmth is expected to cost a model over
one planning step, idle dollars plus the expected cold-start penalty.

A cold request that waits past `slo_wait_s` costs `cold_request_usd` per
`slo_wait_s` of its wait, so a 5-minute cold start costs twenty times the
value; one that waits within the SLO costs `within_slo_weight` of that per
second (met, but still a wait). The
expected penalty is P(a request within the step plus the time the tier takes
to set up) x that price: one cold request per idle spell, since the replica it
starts serves the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

from warmstart.warmth.arrivals import p_arrival
from warmstart.warmth.types import ModelNeed, PoolSupply, Warmth, WarmthPolicy

GB = 1e9


@dataclass(frozen=True, slots=True)
class Costs:
    """Expected $ over one step per tier, and the arrival probability behind them."""

    p: float
    horizon_s: float
    resident: float
    host: float
    disk: float
    warm: float  # nothing staged, but a booted node with a free GPU and the image
    new: float  # nothing booted: the next request waits for a node

    def of(self, warmth: Warmth) -> float:
        if warmth is Warmth.HOST:
            return self.host
        if warmth is Warmth.DISK:
            return self.disk
        return self.resident if warmth is Warmth.RESIDENT else self.warm


def penalty(p: float, wait_s: float, policy: WarmthPolicy) -> float:
    per_slo = wait_s / policy.slo_wait_s
    if wait_s <= policy.slo_wait_s:
        per_slo *= policy.within_slo_weight
    return p * policy.cold_request_usd * per_slo


def gpu_usd_per_hour(pool: PoolSupply) -> float:
    return pool.price_per_hour / pool.gpus_per_node


def costs(model: ModelNeed, pool: PoolSupply, policy: WarmthPolicy) -> Costs:
    t = model.times
    # A tier must be set up before it serves: a request inside that lead time
    # finds it missing, so each decision covers the step plus the setup time.
    horizon = policy.step_s + t.warm
    p = p_arrival(model.outlook, horizon)
    hours = policy.step_s / 3600
    gb = model.model_bytes / GB
    return Costs(
        p=p, horizon_s=horizon,
        resident=model.gpus * gpu_usd_per_hour(pool) * hours,
        host=gb * policy.host_usd_per_gb_hour * hours + penalty(p, t.host, policy),
        disk=gb * policy.disk_usd_per_gb_hour * hours + penalty(p, t.disk, policy),
        warm=penalty(p, t.warm, policy),
        new=penalty(p, t.new, policy),
    )


def node_usd(pool: PoolSupply, policy: WarmthPolicy) -> float:
    """What keeping one idle node booted costs over a step."""
    return pool.price_per_hour * policy.step_s / 3600
