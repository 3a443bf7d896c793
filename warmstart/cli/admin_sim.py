"""Composition root of the admin API's simulation: the forecaster and planner
behind the live run's advisor, steered by the pools' stored policies, and the
forecast band the dashboard draws.

A pool's policy reaches the run at every advisor call: its budget and GPU cap
become the planner's pool limits, its cold-start value against its idle cost
sets how likely a request must be before a model is kept warm, and its active
scheduled overrides keep their models resident.
"""

from __future__ import annotations

import math

from forecaster import EWMA
from forecaster.frame import SeriesMatrix
from provisioner import PoolLimits, ProvisionerPolicy
from warmstart.admin.policy import WarmthPolicySpec
from warmstart.admin.schemas import Band
from warmstart.admin.sim_source import PolicyLookup
from warmstart.cli.sim_policies import ForecastAdvisor
from warmstart.sim.advisor import (
    CapacityAdvice,
    CapacityAdvisor,
    ClusterSnapshot,
    DemandHistory,
    WarmTarget,
)
from warmstart.sim.catalog import image_sizes
from warmstart.sim.config import ClusterSpec
from warmstart.sim.policies import Policy, warmstart

BAND_QUANTILES = (0.1, 0.5, 0.9)


def steer(advisor: ForecastAdvisor, cluster: ClusterSpec, specs: dict[str, WarmthPolicySpec]
          ) -> None:
    """Apply the pools' policies to the advisor's knobs (one warm threshold: the first pool's)."""
    first = cluster.pools[0]
    advisor.p_warm = specs[first.name].warm_probability(
        first.price_per_hour / first.gpus_per_node, advisor.lead_s)
    advisor.policy = ProvisionerPolicy(pools={
        name: PoolLimits(max_gpus=s.max_gpus, max_dollars_per_hour=s.budget_dollars_per_hour)
        for name, s in specs.items()})


def with_overrides(advice: CapacityAdvice, specs: dict[str, WarmthPolicySpec],
                   snap: ClusterSnapshot, until: float) -> CapacityAdvice:
    replicas = dict(advice.replicas)
    pools = {m.name: m.pool for m in snap.models}
    for pool, spec in specs.items():
        for o in spec.overrides_active(snap.now):
            if o.tier == "gpu-resident" and pools.get(o.model) == pool:
                kept = replicas.get(o.model)
                replicas[o.model] = WarmTarget(max(1, kept.replicas if kept else 0), until,
                                               f"scheduled override {o.start}-{o.end} "
                                               f"{o.timezone}")
    return CapacityAdvice(replicas=replicas, warm_nodes=advice.warm_nodes,
                          reasons=advice.reasons)


def advisor_for(cluster: ClusterSpec, policy_for: PolicyLookup) -> CapacityAdvisor:
    inner = ForecastAdvisor(cluster)

    def advise(snap: ClusterSnapshot, history: DemandHistory) -> CapacityAdvice:
        specs = {p.name: policy_for(p.name) for p in cluster.pools}
        steer(inner, cluster, specs)
        return with_overrides(inner(snap, history), specs, snap, snap.now + 2 * inner.interval_s)

    return advise


def policy_for_spec(cluster: ClusterSpec, spec: WarmthPolicySpec | None) -> Policy:
    """The `warmstart` policy steered by one proposed policy (for what-ifs and the frontier)."""
    fixed = spec or WarmthPolicySpec()
    return warmstart(image_sizes(cluster), advisor=advisor_for(cluster, lambda _: fixed))


def band(history: DemandHistory, horizon_s: float) -> dict[str, Band]:
    """EWMA quantiles of each model's rate, averaged over the horizon."""
    step = int(history.step_s)
    # the window is zero-filled before the trace began: fit on what was observed
    seen = history.rates.any(axis=0)
    rates = history.rates[:, int(seen.argmax()):] if seen.any() else history.rates[:, -1:]
    model = EWMA(quantiles=BAND_QUANTILES)
    if rates.shape[1] <= 2 * model.residual_horizon:
        return {}
    matrix = SeriesMatrix(history.models, int(history.end_s) - step * rates.shape[1], step, rates)
    horizon = max(1, math.ceil(horizon_s / history.step_s))
    predicted = model.fit_matrix(matrix).predict_matrix(horizon, matrix)
    values = predicted.values.mean(axis=1)  # (series, quantiles)
    out = {}
    for name, row in zip(predicted.names, values, strict=True):
        qs = {f"{q:g}": round(float(v), 6) for q, v in zip(predicted.quantiles, row, strict=True)}
        out[name] = Band(quantiles=qs, lo=float(row[0]), mid=float(row[1]), hi=float(row[-1]))
    return out
