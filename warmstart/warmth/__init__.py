"""Tiered warmth: which models stay GPU-resident, which are staged in host
memory or on local disk of which nodes, and how many idle nodes each pool keeps
booted, priced as idle dollars plus the expected cold-start penalty."""

from warmstart.warmth.arrivals import idle_cdf, p_arrival
from warmstart.warmth.planner import plan_warmth
from warmstart.warmth.slo import value_for_slo
from warmstart.warmth.tiers import tier_times
from warmstart.warmth.types import (
    HostNode,
    ModelNeed,
    ModelWarmth,
    Outlook,
    PoolSupply,
    PoolWarmth,
    StageOrder,
    TierTimes,
    Warmth,
    WarmthPlan,
    WarmthPolicy,
)

__all__ = [
    "HostNode", "ModelNeed", "ModelWarmth", "Outlook", "PoolSupply", "PoolWarmth", "StageOrder",
    "TierTimes", "Warmth", "WarmthPlan", "WarmthPolicy", "idle_cdf", "p_arrival", "plan_warmth",
    "tier_times", "value_for_slo",
]
