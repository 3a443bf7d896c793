"""plan(): what capacity a snapshot earns, and why (pure, no clock, no I/O)."""

from __future__ import annotations

from dataclasses import replace

from provisioner import ClusterState, ProvisionerPolicy, plan
from provisioner.demand import read_pending
from provisioner.policy import PoolLimits
from provisioner.state import Owned
from warmstart.domain import DemandForecast, ModelDemand

from .builders import GPU_TAINT, node_from, pod, pod_json, template

NOW = 1_000_000.0
A100 = template("p4d.24xlarge", gpu_type="a100", price=32.0)
H100 = template("p5.48xlarge", gpu_type="h100", price=98.0)
SMALL = template("g5.xlarge", pool="small", gpus=1, gpu_type="a10g", price=1.0)
POLICY = ProvisionerPolicy()


def state(*pods, capacity=(), templates=(A100, H100), owned=(), recent=()) -> ClusterState:
    return ClusterState(observed_at=NOW, pending=tuple(pods), capacity=tuple(capacity),
                        templates=tuple(templates), owned=tuple(owned),
                        recent_creations=tuple(recent))


def test_gpu_type_node_selector_picks_that_type_even_when_dearer():
    p = plan(state(pod("a", node_selector={"nvidia.com/gpu.product": "h100"})), None, POLICY, NOW)
    assert [c.template.name for c in p.creates] == ["p5.48xlarge"]
    assert p.creates[0].pod_refs == ("serving/a",)
    assert "1 pending pod(s)" in p.creates[0].reason


def test_without_constraints_the_cheapest_template_wins():
    p = plan(state(pod("a")), None, POLICY, NOW)
    assert [c.template.name for c in p.creates] == ["p4d.24xlarge"]


def test_tainted_pool_only_serves_pods_that_tolerate_it():
    tainted = template("p4d-tainted", pool="reserved", price=10.0, taints=(GPU_TAINT,))
    tolerant = pod("t", tolerations=[{"key": "nvidia.com/gpu", "operator": "Exists",
                                      "effect": "NoSchedule"}])
    p = plan(state(tolerant, pod("plain"), templates=(tainted, A100)), None, POLICY, NOW)
    by_pod = {c.pod_refs: c.template.name for c in p.creates}
    assert by_pod == {("serving/t",): "p4d-tainted", ("serving/plain",): "p4d.24xlarge"}


def test_a_burst_of_50_pods_is_packed_onto_7_nodes_not_50():
    # 50 one-GPU pods / 8 GPUs per node = 6.25 -> 7 nodes
    p = plan(state(*(pod(f"p{i}") for i in range(50))), None, POLICY, NOW)
    assert len(p.creates) == 7
    assert sorted(len(c.pods) for c in p.creates) == [2, 8, 8, 8, 8, 8, 8]


def test_free_and_requested_capacity_is_used_first_and_never_twice():
    ready = node_from(A100, "ready-1", used_gpus=5)  # 3 GPUs free
    booting = node_from(A100, "booting-1", boot_remaining_s=40, owner="ws-gpu-abc")
    pods = [pod(f"p{i}") for i in range(12)]  # 3 + 8 fit, 1 is left over
    p = plan(state(*pods, capacity=(ready, booting)), None, POLICY, NOW)
    landed = [pl.node for pl in p.placed]
    assert landed.count("ready-1") == 3 and landed.count("booting-1") == 8
    assert [len(c.pods) for c in p.creates] == [1]


def test_ready_nodes_are_preferred_over_booting_ones_by_the_estimate():
    ready = node_from(A100, "ready-1")
    booting = node_from(A100, "booting-1", boot_remaining_s=60)
    p = plan(state(pod("a"), capacity=(booting, ready)), None, POLICY, NOW)
    assert [(pl.node, pl.estimate.node_s) for pl in p.placed] == [("ready-1", 0.0)]


def test_a_template_a_little_dearer_wins_when_its_image_is_baked_in():
    baked = template("p4d-baked", price=34.0, images=frozenset({"vllm/vllm-openai:v0.6.0"}))
    p = plan(state(pod("a"), templates=(A100, baked)), None, POLICY, NOW)
    # 34 <= 32 x 1.10, and the 8 GiB image pull (~107 s at 80 MB/s) is saved
    assert p.creates[0].template.name == "p4d-baked"
    assert p.creates[0].estimate.image_s == 0.0


def test_required_affinity_operators():
    big = [{"key": "node.kubernetes.io/instance-type", "operator": "NotIn",
            "values": ["p4d.24xlarge"]},
           {"key": "example.com/never", "operator": "DoesNotExist"}]
    p = plan(state(pod("a", affinity=big)), None, POLICY, NOW)
    assert [c.template.name for c in p.creates] == ["p5.48xlarge"]


def test_zone_constraint_with_no_matching_template_is_a_pod_error_not_an_exception():
    lost = pod("lost", node_selector={"topology.kubernetes.io/zone": "eu-west-1a"})
    p = plan(state(lost, pod("fine")), None, POLICY, NOW)
    assert [e.pod_ref for e in p.pod_errors] == ["serving/lost"]
    assert "nodeSelector topology.kubernetes.io/zone=eu-west-1a" in p.pod_errors[0].reason
    assert [c.pod_refs for c in p.creates] == [("serving/fine",)]


def test_a_malformed_pod_names_the_field_and_the_others_are_read():
    bad = pod_json("bad", cpu="four")
    pods, errors = read_pending([bad, pod_json("good")])
    assert [p.name for p in pods] == ["good"]
    assert errors[0].reason == (
        "Pod.spec.containers[0].resources[\"cpu\"]: not a Kubernetes quantity: 'four'")


def test_names_are_deterministic_so_a_replan_reissues_the_same_objects():
    s = state(*(pod(f"p{i}") for i in range(20)))
    first = [c.name for c in plan(s, None, POLICY, NOW).creates]
    assert first == [c.name for c in plan(s, None, POLICY, NOW + 1).creates]
    assert len(set(first)) == 3


def test_pool_gpu_cap_is_hit_and_recorded():
    policy = ProvisionerPolicy(pools={"gpu": PoolLimits(max_gpus=16)})
    existing = node_from(A100, "full-1", used_gpus=8)
    p = plan(state(*(pod(f"p{i}") for i in range(20)), capacity=(existing,)), None, policy, NOW)
    # 8 existing + 8 new = 16 = cap: one node, the other two capped
    assert len(p.creates) == 1
    assert [d.kind for d in p.decisions] == ["capped", "capped"]
    assert "pool gpu GPUs would be 24 > max 16" in p.decisions[0].reason


def test_dollar_cap_and_creation_rate_cap():
    dollars = ProvisionerPolicy(max_dollars_per_hour=50.0)
    p = plan(state(*(pod(f"p{i}") for i in range(9))), None, dollars, NOW)
    assert len(p.creates) == 1 and "total $/h would be 64.00 > max 50.00" in p.decisions[0].reason
    rate = ProvisionerPolicy(max_creations_per_minute=2)
    p = plan(state(pod("a"), recent=(NOW - 10, NOW - 70)), None, rate, NOW)
    assert len(p.creates) == 1  # the one 70 s ago is out of the window
    p = plan(state(pod("a"), recent=(NOW - 10, NOW - 20)), None, rate, NOW)
    assert p.creates == () and "2 creations in the last 60 s" in p.decisions[0].reason


def test_stale_state_gets_no_action():
    s = state(pod("a"))
    p = plan(s, None, POLICY, NOW + 31)
    assert p.empty and p.decisions[0].kind == "stale"


def forecast(gpus: int, pool: str = "gpu") -> DemandForecast:
    return DemandForecast(issued_at=NOW, horizon_s=300, models=(ModelDemand(
        model="hf://meta/llama-3-8b", pool=pool, quantile=0.9, requests_per_s=3.0,
        replicas=gpus, gpus=gpus),))


def test_forecast_headroom_buys_whole_nodes_for_the_shortfall():
    free = node_from(A100, "n1", used_gpus=6)  # 2 free
    p = plan(state(capacity=(free,)), forecast(12), POLICY, NOW)
    # 12 wanted - 2 free = 10 -> ceil(10 / 8) = 2 nodes
    assert [c.name for c in p.creates] == ["ws-gpu-headroom-0", "ws-gpu-headroom-1"]
    assert p.creates[0].prefetch_models == ("hf://meta/llama-3-8b",)
    assert "forecast wants 12 GPUs beyond running replicas in pool gpu" in p.creates[0].reason


def test_idle_headroom_is_released_after_keep_alive_but_never_with_a_real_pod():
    caps = (node_from(A100, "n1", owner="ws-gpu-headroom-0"),
            node_from(A100, "n2", owner="ws-gpu-headroom-1", used_gpus=1))
    owned = (Owned("ws-gpu-headroom-0", "gpu", "headroom", 8, 0, NOW - 4000),
             Owned("ws-gpu-headroom-1", "gpu", "headroom", 8, 1, NOW - 4000))
    p = plan(state(capacity=caps, owned=owned), forecast(0), POLICY, NOW)
    assert [r.name for r in p.releases] == ["ws-gpu-headroom-0"]
    young = (Owned("ws-gpu-headroom-0", "gpu", "headroom", 8, 0, NOW - 60),)
    p = plan(state(capacity=caps[:1], owned=young), forecast(0), POLICY, NOW)
    assert p.releases == () and p.decisions[0].kind == "keep-alive"


def test_pods_stay_planned_onto_the_node_asked_for_them():
    # 8 small pods were asked a node for; a big pod arriving later must not take it
    asked = node_from(A100, "ws-gpu-abc", boot_remaining_s=60, owner="ws-gpu-abc")
    asked = replace(asked, intended=frozenset(f"uid-p{i}" for i in range(8)))
    pods = [pod(f"p{i}") for i in range(8)] + [pod("big", 8)]
    p = plan(state(*pods, capacity=(asked,)), None, POLICY, NOW)
    assert sorted(pl.pod_ref for pl in p.placed) == sorted(f"serving/p{i}" for i in range(8))
    assert [c.pod_refs for c in p.creates] == [("serving/big",)]


def test_headroom_counts_only_what_running_replicas_do_not_already_cover():
    # forecast 12 GPUs for the model; its pods already hold 10; 2 GPUs are free: no node
    s = replace(state(capacity=(node_from(A100, "n1", used_gpus=6),)),
                serving={"hf://meta/llama-3-8b": 10.0})
    assert plan(s, forecast(12), POLICY, NOW).creates == ()
    # 16 forecast - 10 serving = 6 wanted, 2 free -> one more node
    assert len(plan(s, forecast(16), POLICY, NOW).creates) == 1
