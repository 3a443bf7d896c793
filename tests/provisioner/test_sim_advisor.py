"""The simulator's `warmstart` policy runs the real forecaster and planner."""

from __future__ import annotations

import math

import numpy as np

from warmstart.cli.sim_policies import ForecastAdvisor, from_zero, make_policy
from warmstart.domain import DemandForecast, ModelDemand
from warmstart.sim.advisor import ClusterSnapshot, DemandHistory, ModelState, PoolState
from warmstart.sim.config import default_cluster
from warmstart.sim.run import simulate
from warmstart.traces import load_trace

NOW = 86_400.0


def snapshot(idle_nodes: int = 0, free_gpus: int = 0, ready: int = 0) -> ClusterSnapshot:
    models = (ModelState("busy", "gpu-a100", "hf://busy", 1, 8.0, ready, 0, NOW - 60),
              ModelState("quiet", "gpu-a100", "hf://quiet", 1, 8.0, 0, 0, None))
    pools = (PoolState("gpu-a100", 8, 24.0, (60.0, 120.0), 2, 0, idle_nodes, free_gpus),)
    return ClusterSnapshot(NOW, models, pools, lambda: ())


def history(busy_rate: float) -> DemandHistory:
    rates = np.zeros((2, 1440))
    rates[0, :] = busy_rate
    return DemandHistory(("busy", "quiet"), 60.0, NOW, rates)


def test_warmth_follows_the_chance_of_a_request_within_the_lead_time():
    forecast = DemandForecast(issued_at=NOW, horizon_s=600, models=(
        ModelDemand(model="busy", pool="gpu-a100", quantile=0.9, requests_per_s=0.01,
                    replicas=3, gpus=3),
        ModelDemand(model="quiet", pool="gpu-a100", quantile=0.9, requests_per_s=0.0005,
                    replicas=1, gpus=1)))
    warm = from_zero(forecast, snapshot(), lead_s=600, p_warm=0.5)
    # P(>= 1 request in 600 s): busy 1 - e^-6 = 0.998 -> 1 replica (not 3);
    # quiet 1 - e^-0.3 = 0.26 < 0.5 -> none
    assert 1 - math.exp(-0.0005 * 600) < 0.5
    assert [(m.model, m.replicas, m.gpus) for m in warm.models] == [
        ("busy", 1, 1), ("quiet", 0, 0)]


def test_the_advisor_asks_the_planner_for_a_node_when_no_gpu_is_free():
    advisor = ForecastAdvisor(default_cluster())
    advice = advisor(snapshot(idle_nodes=0, free_gpus=0, ready=0), history(busy_rate=2.0))
    assert advice.replicas["busy"].replicas == 1 and advice.replicas["quiet"].replicas == 0
    assert advice.warm_nodes == {"gpu-a100": 1}
    assert "forecast wants 1 GPUs beyond running replicas" in advice.reasons[0]


def test_no_new_node_when_the_replica_already_runs():
    advisor = ForecastAdvisor(default_cluster())
    advice = advisor(snapshot(idle_nodes=2, free_gpus=16, ready=1), history(busy_rate=2.0))
    # the running replica covers the forecast; the two idle nodes are left to the
    # simulated cluster-autoscaler (kept only for their keep-alive, not needed)
    assert advice.warm_nodes == {"gpu-a100": 0}
    assert advice.reasons == ()


def test_simulate_uses_the_advisor_on_the_sample_trace():
    cluster = default_cluster()
    frame = load_trace("sample", duration_s=6 * 3600)
    result = simulate(frame, cluster, [make_policy("warmstart", cluster)])
    assert result.outcomes[0].policy.mode == "placement + capacity advisor"
    assert result.outcomes[0].metrics.gpu_seconds > 0
