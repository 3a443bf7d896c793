"""An SLO ("p99 wait <= 15 s") turned into the $ value of a cold request: the
least value at which the plan's own predicted share of arrivals waiting past
the SLO is within the SLO's tail, found by bisection on a log scale (a higher
value only ever buys more warmth)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from warmstart.warmth.planner import plan_warmth
from warmstart.warmth.types import ModelNeed, PoolSupply, WarmthPlan, WarmthPolicy

LOW_USD, HIGH_USD = 0.01, 10_000.0
ROUNDS = 16  # the value to within a factor of 1.0 + 1e-4 of six decades


def missed_share(plan: WarmthPlan, slo_wait_s: float) -> float:
    """Expected share of the next requests that would wait longer than the SLO."""
    expected = sum(m.p_arrival for m in plan.models)
    late = sum(m.p_arrival for m in plan.models if m.start_s > slo_wait_s)
    return late / expected if expected > 0 else 0.0


def value_for_slo(models: Sequence[ModelNeed], pools: Sequence[PoolSupply],
                  policy: WarmthPolicy, quantile: float = 0.99) -> float:
    """The least `cold_request_usd` meeting "quantile of waits <= policy.slo_wait_s"
    by the plan's prediction; HIGH_USD when no value does."""
    def meets(value: float) -> bool:
        plan = plan_warmth(models, pools, replace(policy, cold_request_usd=value))
        return missed_share(plan, policy.slo_wait_s) <= 1 - quantile

    if not meets(HIGH_USD):
        return HIGH_USD
    low, high = math.log(LOW_USD), math.log(HIGH_USD)
    for _ in range(ROUNDS):
        mid = (low + high) / 2
        low, high = (low, mid) if meets(math.exp(mid)) else (mid, high)
    return math.exp(high)
