"""Composition root of the admin API's simulation: the live run's advisor,
steered by the pools' stored policies, and the forecast band the dashboard draws.

The advisor is the simulator's `warmstart` advisor (`sim_policies.warmth_advisor`:
the warmth planner fed by the forecaster and the learned keep-alive). At every
planning step each pool plans under its stored `WarmthPolicy`, converted as
`warmstart provisioner run` converts it (`provisioner_warmth.pool_policy`):
cold-start value, SLO, idle price, budget, idle-node cap and the overrides
active at that virtual moment.
"""

from __future__ import annotations

import math

from forecaster import EWMA
from forecaster.frame import SeriesMatrix
from provisioner.warmth_step import PoolPolicy
from warmstart.admin.policy import PolicyLookup
from warmstart.admin.schemas import Band
from warmstart.cli.provisioner_warmth import pool_policy
from warmstart.cli.sim_policies import warmth_advisor
from warmstart.sim.advisor import CapacityAdvisor, DemandHistory
from warmstart.sim.catalog import image_sizes
from warmstart.sim.config import ClusterSpec
from warmstart.sim.policies import Policy, warmstart
from warmstart.warmth import WarmthPolicy

BAND_QUANTILES = (0.1, 0.5, 0.9)


def advisor_for(cluster: ClusterSpec, policy_for: PolicyLookup) -> CapacityAdvisor:
    """The `warmstart` advisor with each pool under `policy_for(pool)` at every step."""
    def policies(now: float) -> dict[str, PoolPolicy]:
        return {p.name: pool_policy(p.name, policy_for(p.name), now) for p in cluster.pools}

    return warmth_advisor(cluster, WarmthPolicy(), pool_policies=policies)


def warmstart_policy(cluster: ClusterSpec, policy_for: PolicyLookup) -> Policy:
    """The `warmstart` policy steered by the pools' policies (for what-ifs)."""
    return warmstart(image_sizes(cluster), advisor=advisor_for(cluster, policy_for))


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
