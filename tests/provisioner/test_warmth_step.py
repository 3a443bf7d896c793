"""One planning step of the warmth planner inside the provisioner: the snapshot and
forecast become the planner's inputs, a pool's stored WarmthPolicy its knobs, and
the plan's staging orders decisions (written only outside shadow mode; the writes
themselves are tested on the real API server in tests/e2e/test_loop_warmth.py)."""

from __future__ import annotations

from dataclasses import replace

from provisioner.decisions import DecisionLog
from provisioner.prefetch import PrefetchWriter, prefetch_name
from provisioner.state import ClusterState
from provisioner.warmth_inputs import warmth_inputs
from provisioner.warmth_step import PoolPolicy, WarmthStep
from tests.provisioner.builders import node_from, template
from warmstart.admin.policy import ScheduledOverride, WarmthPolicySpec
from warmstart.cli.provisioner_warmth import pool_policy
from warmstart.domain import DemandForecast, ModelRef, NodeInventory
from warmstart.domain.forecast import ModelDemand
from warmstart.kube import KubeClient
from warmstart.kube.config import KubeConfig
from warmstart.warmth import Warmth

URI = "hf://org/qwen-7b@main"
CATALOG = {URI: ModelRef(uri=URI, bytes=15 * 10**9)}
T = template("a100x8", pool="gpu", gpus=8, price=32.0)


def _state(now: float) -> ClusterState:
    busy = node_from(T, "gpu-a100-3", used_gpus=2)
    busy = replace(busy, view=replace(busy.view, inventory=NodeInventory(node_name=busy.name)))
    in_flight = node_from(T, "ws-gpu-claim", boot_remaining_s=60.0, owner="ws-gpu-claim")
    return ClusterState(observed_at=now, capacity=(busy, in_flight), templates=(T,))


def _forecast(rate: float) -> DemandForecast:
    return DemandForecast(issued_at=0, horizon_s=600, models=(
        ModelDemand(model=URI, pool="gpu", quantile=0.9, requests_per_s=rate,
                    replicas=1, gpus=1),))


def _step(policies: dict[str, PoolPolicy], shadow: bool = False, leader: bool = True
          ) -> tuple[WarmthStep, DecisionLog]:
    # shadow steps never reach the API: a client of an unroutable server proves it
    client = KubeClient(KubeConfig(base_url="http://127.0.0.1:9"))
    log = DecisionLog()
    return WarmthStep(PrefetchWriter(client), log, lambda now: policies, lambda: leader,
                      shadow=shadow), log


def test_inputs_are_the_forecast_models_of_known_size_and_the_booted_nodes() -> None:
    unknown = _forecast(0.0005).models[0].model_copy(update={"model": "hf://org/unsized"})
    forecast = _forecast(0.0005).model_copy(update={"models": (*_forecast(0.0005).models, unknown)})
    (inputs,) = warmth_inputs(_state(1000.0), forecast, CATALOG).values()
    assert [n.name for n in inputs.needs] == [URI]
    need = inputs.needs[0]
    assert (need.pool, need.gpus, need.model_bytes) == ("gpu", 1, 15 * 10**9)
    assert need.times.host < need.times.warm < need.times.new
    assert [(n.view.name, n.free_gpus, n.replicas) for n in inputs.supply.nodes] == [
        ("gpu-a100-3", 6, 1)]  # the in-flight claim is no node to stage on


def test_a_step_orders_a_prefetch_with_the_planners_reason_and_shadow_writes_none() -> None:
    # host memory starts in ~21 s here: within a 30 s SLO, so staging beats a GPU
    spec = WarmthPolicySpec(cold_start_value=2.0, slo_seconds=30, shadow=True)
    step, log = _step({"gpu": pool_policy("gpu", spec, 0.0)})
    planned = step.plan(_state(1000.0), _forecast(0.0005), CATALOG, 1000.0)
    assert log.recent() == []  # planned, not yet acted on
    step.act(planned, 1000.0)
    (decided,) = planned.plans["gpu"].models
    assert (decided.warmth, decided.node) == (Warmth.HOST, "gpu-a100-3"), decided.reason
    (record,) = log.recent()
    assert (record.kind, record.subject, record.outcome, record.pool) == (
        "stage", prefetch_name("gpu-a100-3", URI), "skipped (shadow)", "gpu")
    assert "host-memory on gpu-a100-3" in record.reason


def test_the_stored_policy_binds_the_planner() -> None:
    all_day = ScheduledOverride(model=URI, start="00:00", end="23:59")
    spec = WarmthPolicySpec(cold_start_value=2.0, slo_seconds=30, budget_dollars_per_hour=50,
                            max_warm_nodes=0, overrides=(all_day,))
    converted = pool_policy("gpu", spec, 1000.0)
    assert (converted.policy.cold_request_usd, converted.policy.slo_wait_s,
            converted.policy.budget_usd_per_hour, dict(converted.policy.max_warm_nodes)) == (
        2.0, 30, 50, {"gpu": 0})
    assert dict(converted.policy.overrides) == {URI: Warmth.RESIDENT}
    assert converted.idle_usd_per_gpu_hour is None  # the pool's own price
    step, log = _step({"gpu": converted}, shadow=True)
    planned = step.plan(_state(1000.0), _forecast(0.0005), CATALOG, 1000.0)
    step.act(planned, 1000.0)
    (decided,) = planned.plans["gpu"].models
    assert decided.warmth is Warmth.RESIDENT, decided.reason  # kept resident: nothing staged
    assert log.recent() == [] and dict(planned.nodes) == {}


def test_no_forecast_or_no_lease_plans_nothing() -> None:
    step, log = _step({}, shadow=True)
    assert step.plan(_state(1000.0), None, CATALOG, 1000.0).plans == {}
    standby, standby_log = _step({"gpu": PoolPolicy(min_warm_nodes=2)}, leader=False)
    planned = standby.plan(_state(1000.0), _forecast(0.0005), CATALOG, 1000.0)
    assert (planned.plans, planned.nodes) == ({}, {})  # nor asks for warm nodes
    assert log.recent() == [] and standby_log.recent() == []


def test_a_cheap_idle_gpu_makes_a_resident_replica_worth_it() -> None:
    base = WarmthPolicySpec(cold_start_value=2.0, slo_seconds=30, shadow=True)
    cheap = base.model_copy(update={"idle_cost_per_gpu_hour": 0.01})
    for spec, tier in ((base, Warmth.HOST), (cheap, Warmth.RESIDENT)):
        step, _ = _step({"gpu": pool_policy("gpu", spec, 0.0)})
        planned = step.plan(_state(1000.0), _forecast(0.0005), CATALOG, 1000.0)
        (decided,) = planned.plans["gpu"].models
        assert decided.warmth is tier, decided.reason


def test_a_pools_minimum_asks_for_warm_nodes_without_a_forecast() -> None:
    spec = WarmthPolicySpec(min_warm_nodes=2, max_warm_nodes=3, shadow=True)
    converted = pool_policy("gpu", spec, 0.0)
    assert converted.min_warm_nodes == 2
    step, _ = _step({"gpu": converted})
    planned = step.plan(_state(1000.0), None, CATALOG, 1000.0)
    assert planned.plans == {} and planned.shadow == {"gpu"}
    (warm,) = planned.nodes.values()
    assert (warm.nodes, warm.reason) == (2, "WarmthPolicy minWarmNodes 2")
