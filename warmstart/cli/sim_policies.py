"""The simulator's `warmstart` policy, steered by the real forecaster and planner.

Composition root: the simulator's core may not import services, so its
capacity hook (`warmstart.sim.advisor`) is filled here. `warmstart` is the
warmth planner (`warmstart.warmth`, through `sim_warmth.WarmthAdvisor`) fed by
the forecast `SimForecaster` makes: it fits the forecaster on the simulated
demand history and reads each model's rate at its quantile. `warmstart
simulate` and the admin API's simulation build the advisor here alike
(`warmth_advisor`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from forecaster import EWMA, HybridHistogram, QuantileForecaster
from forecaster.frame import SeriesMatrix
from warmstart.cli.sim_warmth import PoolPolicies, WarmthAdvisor
from warmstart.sim.advisor import ClusterSnapshot, DemandHistory
from warmstart.sim.catalog import image_sizes
from warmstart.sim.config import ClusterSpec
from warmstart.sim.policies import Policy, warmstart
from warmstart.sim.run import make_policy as make_baseline
from warmstart.sim.sweep import Knob, Value, baseline_knobs
from warmstart.warmth import WarmthPolicy

FORECASTERS: dict[str, Callable[[], QuantileForecaster]] = {
    "hybrid-histogram": HybridHistogram,
    "ewma": EWMA,
}


@dataclass
class SimForecaster:
    """The forecaster on the simulated demand history: refit every `refit_s`,
    predicting at every call; each model's rate is its `quantile`'s peak over
    the lead time (what `forecaster.to_demand` turns into replicas)."""

    forecaster: str = "ewma"
    quantile: float = 0.9
    lead_s: float = 600.0  # node boot + image + model: how far ahead capacity must start
    refit_s: float = 3600.0
    _model: QuantileForecaster | None = None
    _fitted_at: float = -math.inf

    def __call__(self, snap: ClusterSnapshot, history: DemandHistory) -> dict[str, float]:
        step = int(history.step_s)
        start = int(history.end_s) - step * history.rates.shape[1]
        matrix = SeriesMatrix(history.models, start, step, history.rates)
        horizon = max(1, math.ceil(self.lead_s / history.step_s))
        # Refit hourly, predict at every call: the fit reads a day of history.
        if self._model is None or snap.now - self._fitted_at >= self.refit_s:
            self._model = FORECASTERS[self.forecaster]().fit_matrix(matrix)
            self._fitted_at = snap.now
        predicted = self._model.predict_matrix(horizon, matrix)
        peaks = predicted.at(self.quantile).max(axis=1)
        return dict(zip(predicted.names, peaks.tolist(), strict=True))


def make_policy(name: str, cluster: ClusterSpec, forecaster: str = "ewma") -> Policy:
    """Like `warmstart.sim.run.make_policy`, with `warmstart` steered by the advisor."""
    if name != "warmstart":
        return make_baseline(name, cluster)
    return advised(cluster, forecaster=forecaster)


# warmstart's knob: the dollar value of a cold request that waits the SLO's
# 15 s (longer waits cost in proportion), which the warmth planner weighs
# against idle GPU and node dollars.
COLD_START_VALUE_USD = 2.0
COLD_START_VALUES: tuple[Value, ...] = (0.5, 2.0, 10.0, 50.0, 200.0)


def warmth_advisor(cluster: ClusterSpec, policy: WarmthPolicy, forecaster: str = "ewma",
                   pool_policies: PoolPolicies | None = None) -> WarmthAdvisor:
    """The warmth planner, fed by the forecaster and the learned keep-alive,
    under `policy` (or each pool under its own, from `pool_policies`)."""
    return WarmthAdvisor(cluster, SimForecaster(forecaster), policy, pool_policies)


def advised(cluster: ClusterSpec, cold_start_value: float = COLD_START_VALUE_USD,
            forecaster: str = "ewma") -> Policy:
    advisor = warmth_advisor(cluster, WarmthPolicy(cold_request_usd=cold_start_value),
                             forecaster)
    return warmstart(image_sizes(cluster), advisor=advisor)


def sweep_knobs(cluster: ClusterSpec, forecaster: str = "ewma") -> dict[str, Knob]:
    """Every policy's knob; warmstart's is the value of a cold start."""
    return {**baseline_knobs(),
            "warmstart": Knob("cold_start_value_usd", COLD_START_VALUES, COLD_START_VALUE_USD,
                              lambda v: advised(cluster, float(v), forecaster))}
