"""The simulator's `warmstart` policy, steered by the real forecaster and planners.

Composition root: the simulator's core may not import services, so its
capacity hook (`warmstart.sim.advisor`) is filled here. `warmstart` is the
warmth planner (`warmstart.warmth`, through `sim_warmth.WarmthAdvisor`) fed by
the forecast this module makes: every call fits the forecaster on the simulated
demand history and turns its quantile into a `DemandForecast`
(`forecaster.to_demand`). `ForecastAdvisor` also hands a `ClusterState` built
from the simulated pools to `provisioner.plan` — the same code the service
runs — for the admin API's live simulation: the forecast's replicas become
warm-replica floors, the plan's headroom nodes the pool's warm idle nodes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from forecaster import EWMA, HybridHistogram, QuantileForecaster, ReplicaSpec, to_demand
from forecaster.frame import SeriesMatrix
from provisioner import ClusterState, NodeTemplate, Plan, ProvisionerPolicy, plan
from provisioner.state import GPU, Capacity, Owned
from warmstart.cli.sim_warmth import WarmthAdvisor
from warmstart.domain import DemandForecast, PoolDefaults
from warmstart.estimate import NodeView
from warmstart.sim.advisor import (
    CapacityAdvice,
    ClusterSnapshot,
    DemandHistory,
    PoolState,
    WarmTarget,
)
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


def pool_templates(cluster: ClusterSpec) -> tuple[NodeTemplate, ...]:
    """One node template per simulated pool: what the planner may ask for."""
    return tuple(
        NodeTemplate(
            name=p.name, pool=p.name, labels=(("warmstart.io/pool", p.name),),
            allocatable={GPU: float(p.gpus_per_node)}, price_per_hour=p.price_per_hour,
            defaults=PoolDefaults(name=p.name, boot_seconds=sum(p.boot_seconds) / 2,
                                  bandwidths=p.bandwidths),
        )
        for p in cluster.pools
    )


@dataclass
class ForecastAdvisor:
    """A CapacityAdvisor: forecaster -> DemandForecast -> provisioner.plan -> advice."""

    cluster: ClusterSpec
    forecaster: str = "ewma"
    quantile: float = 0.9
    lead_s: float = 600.0  # node boot + image + model: how far ahead capacity must start
    interval_s: float = 300.0
    refit_s: float = 3600.0
    # Warm a model when a request within the lead time is at least this likely: a
    # cold start costs users minutes, an idle replica for one lead time ~10 GPU-min.
    p_warm: float = 0.25
    policy: ProvisionerPolicy = field(default_factory=ProvisionerPolicy)
    _model: QuantileForecaster | None = None
    _fitted_at: float = -math.inf
    _idle_since: dict[str, list[float]] = field(default_factory=dict)

    def __call__(self, snap: ClusterSnapshot, history: DemandHistory) -> CapacityAdvice:
        forecast = from_zero(self.forecast(snap, history), snap, self.lead_s, self.p_warm)
        decided = plan(self.state(snap), forecast, self.policy, snap.now)
        # Floors overlap the next call (which replaces them), so none lapses at
        # the step where the simulator retires idle replicas before asking us.
        until = snap.now + 2 * self.interval_s
        replicas = {
            m.model: WarmTarget(m.replicas, until,
                                f"{self.forecaster} q{m.quantile:g}: {m.requests_per_s:.2f} req/s")
            for m in forecast.models
        }
        return CapacityAdvice(replicas=replicas, warm_nodes=self._warm_nodes(snap, decided),
                              reasons=tuple(c.reason for c in decided.creates))

    def forecast(self, snap: ClusterSnapshot, history: DemandHistory) -> DemandForecast:
        step = int(history.step_s)
        start = int(history.end_s) - step * history.rates.shape[1]
        matrix = SeriesMatrix(history.models, start, step, history.rates)
        horizon = max(1, math.ceil(self.lead_s / history.step_s))
        # Refit hourly, predict at every call: the fit reads a day of history.
        if self._model is None or snap.now - self._fitted_at >= self.refit_s:
            self._model = FORECASTERS[self.forecaster]().fit_matrix(matrix)
            self._fitted_at = snap.now
        predicted = self._model.predict_matrix(horizon, matrix)
        # the simulated autoscaler runs replicas at its target utilisation; so do we
        target = self.cluster.autoscaler.target_utilization
        specs = {m.name: ReplicaSpec(requests_per_replica=m.requests_per_replica_s * target,
                                     gpus_per_replica=m.gpus_per_replica, pool=m.pool)
                 for m in snap.models}
        return to_demand(predicted, self.quantile, snap.now, specs)

    def state(self, snap: ClusterSnapshot) -> ClusterState:
        templates = pool_templates(self.cluster)
        capacity: list[Capacity] = []
        owned: list[Owned] = []
        for p in snap.pools:
            template = next(t for t in templates if t.pool == p.name)
            capacity.append(_free(p, template))
            owned.extend(self._idle(p, snap.now))
        serving = {m.name: float((m.ready + m.starting) * m.gpus_per_replica)
                   for m in snap.models}
        return ClusterState(observed_at=snap.now, capacity=tuple(capacity),
                            templates=templates, owned=tuple(owned), serving=serving)

    def _idle(self, p: PoolState, now: float) -> list[Owned]:
        """Idle nodes as capacity the planner may release, oldest idle first."""
        stamps = self._idle_since.setdefault(p.name, [])
        del stamps[p.idle_nodes:]
        stamps.extend([now] * (p.idle_nodes - len(stamps)))
        return [Owned(f"{p.name}-idle-{i}", p.name, "headroom", p.gpus_per_node, 0, t)
                for i, t in enumerate(stamps)]

    def _warm_nodes(self, snap: ClusterSnapshot, decided: Plan) -> dict[str, int]:
        """Idle nodes the plan needs: its new headroom, plus idle nodes it neither
        released nor kept only for their keep-alive (those the simulated
        cluster-autoscaler retires on its own schedule, as it would ours)."""
        warm = {}
        for p in snap.pools:
            prefix = f"{p.name}-idle-"
            released = sum(1 for r in decided.releases if r.name.startswith(prefix))
            young = sum(1 for d in decided.decisions
                        if d.kind == "keep-alive" and d.subject.startswith(prefix))
            added = sum(1 for c in decided.creates if c.template.pool == p.name)
            warm[p.name] = max(p.idle_nodes - released - young, 0) + added
        return warm


def from_zero(forecast: DemandForecast, snap: ClusterSnapshot, lead_s: float,
              p_warm: float) -> DemandForecast:
    """Keep the forecast's warmth, not its scale: one replica for every model
    likely (Poisson, at the forecast's rate) to get a request within the lead
    time, none for the others.

    Once a replica serves, the simulated request autoscaler follows the load;
    what it cannot do is be ready before the first request after an idle
    spell. Floors at the forecast's level would only buy GPU-hours.
    """
    gpus = {m.name: m.gpus_per_replica for m in snap.models}
    models = []
    for m in forecast.models:
        likely = 1 - math.exp(-m.requests_per_s * lead_s) >= p_warm
        replicas = 1 if likely and m.replicas > 0 else 0
        models.append(m.model_copy(update={"replicas": replicas,
                                           "gpus": replicas * gpus.get(m.model, 1)}))
    return forecast.model_copy(update={"models": tuple(models)})


def _free(p: PoolState, template: NodeTemplate) -> Capacity:
    """A pool's free GPUs (ready nodes) plus its booting nodes, as one bin."""
    booting = p.nodes_booting * p.gpus_per_node
    return Capacity(
        name=f"{p.name}-free", pool=p.name, labels=template.label_map,
        allocatable={GPU: float(p.free_gpus + booting)}, requested={},
        view=NodeView(name=f"{p.name}-free", pool=template.defaults),
        price_per_hour=0.0,
    )


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


def advised(cluster: ClusterSpec, cold_start_value: float = COLD_START_VALUE_USD,
            forecaster: str = "ewma") -> Policy:
    """The warmth planner, fed by the forecaster and the learned keep-alive."""
    forecast = ForecastAdvisor(cluster, forecaster=forecaster).forecast
    advisor = WarmthAdvisor(cluster, forecast, WarmthPolicy(cold_request_usd=cold_start_value))
    return warmstart(image_sizes(cluster), advisor=advisor)


def sweep_knobs(cluster: ClusterSpec, forecaster: str = "ewma") -> dict[str, Knob]:
    """Every policy's knob; warmstart's is the value of a cold start."""
    return {**baseline_knobs(),
            "warmstart": Knob("cold_start_value_usd", COLD_START_VALUES, COLD_START_VALUE_USD,
                              lambda v: advised(cluster, float(v), forecaster))}
