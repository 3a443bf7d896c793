"""The warmth planner's arithmetic, one decision at a time. A 7B model starts
in 9.35 s from host memory, 13.6 s from disk, 108.6 s on a warm node and
323.6 s on a new one; the pool's 8-GPU nodes cost $24/h, so over a 5-min step
a resident GPU costs $0.25 and an idle node $2. A cold request costs $2 (the
default) per 15 s it waits past the SLO, a tenth of that within it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.warmth.conftest import GB, TIMES_7B, need, node, pool, rate_for
from warmstart.domain.node import CacheTier
from warmstart.warmth import StageOrder, Warmth, WarmthPolicy, plan_warmth, value_for_slo
from warmstart.warmth.slo import missed_share

HORIZON = 300 + TIMES_7B.warm  # the step plus the time to set a tier up
POLICY = WarmthPolicy()
STEP_GPU_USD = 24 / 8 * 300 / 3600  # 0.25
STEP_NODE_USD = 24 * 300 / 3600  # 2.0


def penalty(p: float, wait_s: float, value: float = 2.0) -> float:
    return p * value * wait_s / 15 * (0.1 if wait_s <= 15 else 1.0)


def test_a_likely_model_is_staged_in_host_memory_of_a_busy_node() -> None:
    p = 0.1  # host memory: 0.1 x $2 x 0.1 x 9.35/15 = $0.012 < $0.25 for a GPU
    plan = plan_warmth([need("m", rate_for(p, HORIZON))], [pool(node("n1"))], POLICY)
    (m,) = plan.models
    assert m.warmth is Warmth.HOST and m.node == "n1"
    assert m.p_arrival == pytest.approx(p)
    assert m.expected_usd == pytest.approx(penalty(p, 9.35))
    assert plan.stages == (StageOrder("m", "n1", CacheTier.HOST_MEMORY, reason=m.reason),)
    assert m.reason.startswith("m: host-memory on n1; P(request in 7 min)=0.10")
    assert f"resident would cost ${STEP_GPU_USD - penalty(p, 9.35):.2f} more" in m.reason
    # a busy node is up anyway: no idle node is kept for it
    assert plan.pools[0].idle_nodes == 0 and plan.spend_usd_per_hour == 0


def test_resident_when_its_gpu_costs_less_than_the_penalty_it_saves() -> None:
    p = 0.6  # at $10 a cold request, host memory: 0.6 x $10 x 0.1 x 9.35/15 = $0.37 > $0.25
    dear = replace(POLICY, cold_request_usd=10.0)
    plan = plan_warmth([need("m", rate_for(p, HORIZON))], [pool(node("n1"))], dear)
    (m,) = plan.models
    assert m.warmth is Warmth.RESIDENT and plan.resident() == {"m": 1}
    assert m.expected_usd == pytest.approx(STEP_GPU_USD)
    assert plan.spend_usd_per_hour == pytest.approx(3.0)  # one GPU at $3/h
    assert plan.stages == ()


def test_a_new_warm_node_when_what_it_holds_saves_more_than_it_costs() -> None:
    # saving: 0.1 x $2 x (323.6 - 0.1 x 9.35)/15 = $4.30 > $2 for the node
    plan = plan_warmth([need("m", rate_for(0.1, HORIZON))], [pool()], POLICY)
    (m,), (p,) = plan.models, plan.pools
    assert m.warmth is Warmth.HOST and m.node == "a-new-0"
    assert (p.idle_nodes, p.new_nodes, p.keep) == (1, 1, ())
    assert plan.stages == ()  # staged once the node exists
    assert plan.spend_usd_per_hour == pytest.approx(24.0)


def test_no_warm_node_when_it_costs_more_than_it_saves() -> None:
    # saving: 0.005 x $2 x 322.7/15 = $0.22 < $2; a cold start's $0.07-0.22 < a GPU's $0.25
    plan = plan_warmth([need("m", rate_for(0.005, HORIZON))], [pool()], POLICY)
    (m,), (p,) = plan.models, plan.pools
    assert m.warmth is Warmth.COLD and p.idle_nodes == 0
    assert "its node would cost more than the penalty it saves" in m.reason
    assert m.start_s == pytest.approx(TIMES_7B.new)


def test_resident_when_a_cold_start_costs_more_than_its_gpu() -> None:
    # no warm node pays ($0.86 < $2), but even a warm node's cold start, 0.02 x $2 x
    # 108.6/15 = $0.29, costs more than a GPU's $0.25
    plan = plan_warmth([need("m", rate_for(0.02, HORIZON))], [pool()], POLICY)
    (m,) = plan.models
    assert m.warmth is Warmth.RESIDENT
    assert "a resident replica costs less than a cold start" in m.reason


def test_an_idle_node_holding_staged_models_is_kept_by_name() -> None:
    held = (("m", CacheTier.HOST_MEMORY, 15 * GB),)
    idle = node("n1", replicas=0, held=held)
    plan = plan_warmth([need("m", rate_for(0.1, HORIZON))], [pool(idle)], POLICY)
    assert plan.pools[0].keep == ("n1",) and plan.pools[0].new_nodes == 0
    assert plan.stages == ()  # it holds the model already


def test_the_budget_drops_what_saves_least_per_dollar() -> None:
    # at $10 a cold request both beat host memory: 0.9 and 0.5 x $10 x 0.1 x 9.35/15 > $0.25
    models = [need("hot", rate_for(0.9, HORIZON)), need("warm", rate_for(0.5, HORIZON))]
    budget = replace(POLICY, cold_request_usd=10.0, budget_usd_per_hour=3.0)  # one GPU
    plan = plan_warmth(models, [pool(node("n1"))], budget)
    by = {m.model: m for m in plan.models}
    assert by["hot"].warmth is Warmth.RESIDENT
    assert by["warm"].warmth is Warmth.COLD and "over budget" in by["warm"].reason
    assert plan.spend_usd_per_hour == pytest.approx(3.0)


def test_overrides_bind() -> None:
    models = [need("never", rate_for(0.9, HORIZON)), need("always")]
    forced = replace(POLICY, overrides={"never": Warmth.COLD, "always": Warmth.RESIDENT},
                     budget_usd_per_hour=0.0)
    by = {m.model: m for m in plan_warmth(models, [pool(node("n1"))], forced).models}
    assert by["never"].warmth is Warmth.COLD and "policy override" in by["never"].reason
    assert by["always"].warmth is Warmth.RESIDENT


def test_disk_when_host_memory_is_full() -> None:
    full = node("n1", host=10 * GB)
    (m,) = plan_warmth([need("m", rate_for(0.1, HORIZON))], [pool(full)], POLICY).models
    assert m.warmth is Warmth.DISK and m.expected_usd == pytest.approx(penalty(0.1, 13.6))


def test_a_step_orders_one_download_per_node_then_within_the_nic_budget() -> None:
    models = [need(f"m{i}", rate_for(0.1, HORIZON)) for i in range(3)]
    plan = plan_warmth(models, [pool(node("n1"))], POLICY)
    assert all(m.warmth is Warmth.HOST for m in plan.models)
    assert len(plan.stages) == 1  # each download takes ~99 s, over the 60-s budget
    roomy = replace(POLICY, stage_s_per_node=250.0)
    assert len(plan_warmth(models, [pool(node("n1"))], roomy).stages) == 2


def test_unwanted_host_copies_are_dropped_to_make_room() -> None:
    held = (("old", CacheTier.HOST_MEMORY, 15 * GB),)
    tight = node("n1", host=20 * GB, held=held)
    models = [need("m", rate_for(0.1, HORIZON)), need("old")]  # "old": no request expected
    plan = plan_warmth(models, [pool(tight)], POLICY)
    assert StageOrder("old", "n1", CacheTier.HOST_MEMORY, drop=True,
                      reason="room for models more likely to be asked for") in plan.stages


def test_a_pool_at_its_limit_gets_no_new_node() -> None:
    plan = plan_warmth([need("m", rate_for(0.1, HORIZON))], [pool(max_nodes=0)], POLICY)
    (m,) = plan.models
    assert plan.pools[0].new_nodes == 0 and m.node is None
    assert m.warmth is Warmth.RESIDENT and "no node has room" in m.reason


def test_four_gpu_models_need_four_free_gpus() -> None:
    big = need("big", rate_for(0.1, HORIZON), size=140 * GB, gpus=4)
    (m,) = plan_warmth([big], [pool(node("n1", free_gpus=2))], POLICY).models
    assert m.node != "n1"


def test_an_slo_becomes_the_least_value_that_meets_it() -> None:
    models = [need("m", rate_for(0.1, HORIZON))]
    pools = [pool()]  # nothing booted: meeting 15 s needs a resident replica or a warm node
    value = value_for_slo(models, pools, POLICY, quantile=0.99)
    # a resident GPU ($0.25) beats a cold start once 0.1 x V x 108.6/15 >= $0.25,
    # at V = $0.345, before a warm node pays (0.1 x V x 314.25/15 >= $2 at V = $0.95)
    assert value == pytest.approx(0.25 / (0.1 * TIMES_7B.warm / 15), rel=1e-3)
    met = plan_warmth(models, pools, replace(POLICY, cold_request_usd=value))
    assert missed_share(met, 15.0) == 0.0
    short = plan_warmth(models, pools, replace(POLICY, cold_request_usd=value * 0.99))
    assert missed_share(short, 15.0) == 1.0
