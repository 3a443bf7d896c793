"""The admin API's simulation runs the simulator's `warmstart` policy (the
warmth planner), each pool steered by its own stored policy as `provisioner
run` converts it."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from warmstart.admin.jobs import SimulateJobs
from warmstart.admin.policy import PolicyLookup, ScheduledOverride, WarmthPolicySpec
from warmstart.admin.policy_store import MemoryPolicyStore
from warmstart.admin.requests import SimulateRequest
from warmstart.cli.admin_sim import advisor_for, warmstart_policy
from warmstart.cli.sim_policies import make_policy
from warmstart.cli.sim_warmth import WarmthAdvisor
from warmstart.sim import ClusterSpec, default_cluster, simulate
from warmstart.sim.catalog import image_sizes
from warmstart.sim.config import ModelTemplate, PoolSpec
from warmstart.sim.policies import Policy, warmstart
from warmstart.traces import SAMPLE, load_trace
from warmstart.traces.canonical import canonical
from warmstart.warmth import Warmth

GB = 10**9
ALWAYS = {"days": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), "start": "00:00",
          "end": "23:59"}


def test_with_the_default_policy_it_is_the_simulators_warmstart() -> None:
    cluster = default_cluster()
    frame = load_trace(SAMPLE, duration_s=6 * 3600)
    ours = simulate(frame, cluster, [make_policy("warmstart", cluster)]).outcomes[0].metrics
    admin = simulate(frame, cluster, [warmstart_policy(cluster, lambda _: WarmthPolicySpec())]
                     ).outcomes[0].metrics
    assert ours.stagings > 0  # the planner acted, so the comparison means something
    assert (admin.gpu_seconds, admin.stagings) == (ours.gpu_seconds, ours.stagings)
    assert [(c.model, c.started_at) for c in admin.cold_starts] == \
        [(c.model, c.started_at) for c in ours.cold_starts]


def test_the_stored_policy_steers_the_run() -> None:
    cluster = default_cluster()
    frame = load_trace(SAMPLE, duration_s=12 * 3600)

    def run(value: float) -> tuple[float, int]:
        spec = WarmthPolicySpec(cold_start_value=value)
        m = simulate(frame, cluster, [warmstart_policy(cluster, lambda _: spec)]
                     ).outcomes[0].metrics
        return m.gpu_seconds, len(m.cold_starts)

    (cheap_gpu_s, cheap_cold), (dear_gpu_s, dear_cold) = run(0.0), run(50.0)
    assert dear_gpu_s > cheap_gpu_s and dear_cold < cheap_cold


@pytest.fixture
def two_pools() -> tuple[ClusterSpec, pd.DataFrame]:
    cluster = ClusterSpec(
        pools=(PoolSpec(name="left", gpus_per_node=4, price_per_hour=10.0),
               PoolSpec(name="right", gpus_per_node=4, price_per_hour=10.0)),
        models=tuple(ModelTemplate(name=pool, pool=pool, model_bytes=15 * GB, image="vllm:1",
                                   image_bytes=10 * GB, gpus=1, requests_per_s=5.0)
                     for pool in ("left", "right")))
    models, ts = [], []
    for i, name in enumerate("abcdef"):  # bursts every 30-55 min with idle gaps
        for start in range(0, 8 * 3600, 1800 + 300 * i):
            models += [name] * 5
            ts += [start + 10.0 * k for k in range(5)]
    return cluster, canonical(models, ts, 1.0, name="bursts")


def _plan_under(cluster: ClusterSpec, frame: pd.DataFrame,
                specs: dict[str, WarmthPolicySpec]) -> WarmthAdvisor:
    advisor = advisor_for(cluster, lambda pool: specs[pool])
    assert isinstance(advisor, WarmthAdvisor)
    simulate(frame, cluster, [warmstart(image_sizes(cluster), advisor=advisor)])
    return advisor


def test_each_pool_plans_under_its_own_policy(
        two_pools: tuple[ClusterSpec, pd.DataFrame]) -> None:
    cluster, frame = two_pools
    advisor = _plan_under(cluster, frame, {
        "left": WarmthPolicySpec(cold_start_value=0.0),
        "right": WarmthPolicySpec(cold_start_value=1000.0, min_warm_nodes=2)})
    plan = advisor.last_plan
    assert plan is not None
    by_pool = {p: [m for m in plan.models if m.pool == p] for p in ("left", "right")}
    assert by_pool["left"] and by_pool["right"]
    assert all(m.warmth is Warmth.COLD for m in by_pool["left"])
    assert all(m.warmth is not Warmth.COLD for m in by_pool["right"])
    idle = {p.pool: p for p in plan.pools}
    assert idle["left"].idle_nodes == 0
    assert idle["right"].idle_nodes >= 2 and "minWarmNodes 2" in idle["right"].reason


def test_an_active_override_binds_and_an_idle_price_counts(
        two_pools: tuple[ClusterSpec, pd.DataFrame]) -> None:
    cluster, frame = two_pools
    first = _plan_under(cluster, frame, {p: WarmthPolicySpec() for p in ("left", "right")})
    assert first.last_plan is not None
    forced = min(m.model for m in first.last_plan.models if m.pool == "left")
    override = ScheduledOverride(model=forced, tier="gpu-resident", **ALWAYS)
    plan = _plan_under(cluster, frame, {
        "left": WarmthPolicySpec(cold_start_value=0.0, overrides=(override,)),
        # GPUs free to keep idle: resident replicas cost nothing, so every model stays
        "right": WarmthPolicySpec(cold_start_value=0.5, idle_cost_per_gpu_hour=0.0)}
    ).last_plan
    assert plan is not None
    warmth = {m.model: m for m in plan.models}
    assert warmth[forced].warmth is Warmth.RESIDENT and "override" in warmth[forced].reason
    assert all(m.warmth is Warmth.COLD for m in plan.models
               if m.pool == "left" and m.model != forced)
    assert all(m.warmth is Warmth.RESIDENT for m in plan.models if m.pool == "right")


def test_a_what_if_proposes_for_its_pool_and_keeps_the_others_stored(
        two_pools: tuple[ClusterSpec, pd.DataFrame]) -> None:
    cluster, _ = two_pools
    store = MemoryPolicyStore()
    store.put("right", WarmthPolicySpec(cold_start_value=7.0))
    seen: dict[str, WarmthPolicySpec] = {}

    def make(cluster: ClusterSpec, policy_for: PolicyLookup) -> Policy:
        seen.update({p.name: policy_for(p.name) for p in cluster.pools})
        return warmstart_policy(cluster, policy_for)

    jobs = SimulateJobs(cluster, make, store, max_running=1)
    proposed = WarmthPolicySpec(cold_start_value=0.5)
    job = jobs.submit(SimulateRequest(trace="sample", hours=1, pool="left", policy=proposed,
                                      baselines=()))
    deadline = time.monotonic() + 60
    while jobs.get(job.id).state == "running" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert jobs.get(job.id).state == "done", jobs.get(job.id).error
    assert seen == {"left": proposed, "right": WarmthPolicySpec(cold_start_value=7.0)}
