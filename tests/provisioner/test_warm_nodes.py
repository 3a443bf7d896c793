"""The warm nodes the warmth planner keeps (and a pool's minWarmNodes) as capacity
the capacity planner asks for: the larger of warmth and forecast headroom, never
the sum; nodes already up or on their way count; kept warm nodes are not released."""

from __future__ import annotations

from dataclasses import replace

from provisioner import ClusterState, ProvisionerPolicy, plan
from provisioner.state import Owned
from provisioner.warm_nodes import WarmNodes, warm_nodes
from warmstart.domain import DemandForecast, ModelDemand, NodeInventory
from warmstart.warmth import PoolWarmth, WarmthPlan

from .builders import node_from, template

NOW = 1_000_000.0
A100 = template("p4d.24xlarge", gpu_type="a100", price=32.0)
POLICY = ProvisionerPolicy()
WARM = WarmNodes(1, reason="warmth planner keeps 1 idle node(s): qwen staged")


def _state(*capacity, owned=()) -> ClusterState:
    return ClusterState(observed_at=NOW, capacity=tuple(capacity), templates=(A100,),
                        owned=tuple(owned))


def _forecast(gpus: int) -> DemandForecast:
    return DemandForecast(issued_at=NOW, horizon_s=600, models=(ModelDemand(
        model="hf://meta/llama-3-8b", pool="gpu", quantile=0.9, requests_per_s=1.0,
        replicas=gpus, gpus=gpus),))


def _reporting(name: str, **kw) -> object:
    """A booted node whose agent reports a NodeCache."""
    cap = node_from(A100, name, **kw)
    return replace(cap, view=replace(cap.view, inventory=NodeInventory(node_name=name)))


def _plan(warmth: WarmthPlan, least: int = 0) -> dict[str, WarmNodes]:
    return warm_nodes({"gpu": warmth}, {"gpu": least} if least else {})


def test_the_plans_idle_nodes_raised_to_the_pools_minimum() -> None:
    one = WarmthPlan((), (), (PoolWarmth("gpu", 1, 1, "qwen staged", ("n1",)),), 32.0)
    assert _plan(one) == {"gpu": WarmNodes(1, frozenset({"n1"}),
                                           "warmth planner keeps 1 idle node(s): qwen staged")}
    raised = _plan(one, least=3)["gpu"]
    assert raised.nodes == 3 and raised.reason.endswith("; WarmthPolicy minWarmNodes 3")
    none = WarmthPlan((), (), (PoolWarmth("gpu", 0, 0, "nothing worth a node"),), 0.0)
    assert _plan(none) == {}


def test_a_pool_short_of_warm_nodes_gets_them_without_a_forecast() -> None:
    p = plan(_state(), None, POLICY, NOW, {"gpu": replace(WARM, nodes=2)})
    assert [c.name for c in p.creates] == ["ws-gpu-headroom-0", "ws-gpu-headroom-1"]
    assert "2 warm node(s) short (warmth planner keeps 1" in p.creates[0].reason
    assert plan(_state(), None, POLICY, NOW).creates == ()  # nothing asked: nothing made


def test_warm_nodes_and_forecast_headroom_take_the_larger_not_the_sum() -> None:
    both = plan(_state(), _forecast(8), POLICY, NOW, {"gpu": WARM})
    assert len(both.creates) == 1  # 8 GPUs = one A100 node, which is also the warm one
    assert "forecast wants 8 GPUs" in both.creates[0].reason
    assert "1 warm node(s) short" in both.creates[0].reason
    more = plan(_state(), _forecast(8), POLICY, NOW, {"gpu": replace(WARM, nodes=3)})
    assert len(more.creates) == 3


def test_idle_nodes_up_or_on_their_way_count_and_busy_or_silent_ones_do_not() -> None:
    flight = node_from(A100, "ws-gpu-headroom-0", boot_remaining_s=60, owner="ws-gpu-headroom-0")
    assert plan(_state(flight), None, POLICY, NOW, {"gpu": WARM}).creates == ()
    assert plan(_state(_reporting("n1")), None, POLICY, NOW, {"gpu": WARM}).creates == ()
    busy = _reporting("n1", used_gpus=1)
    silent = node_from(A100, "static-1")  # not ours, no agent: nothing can be staged there
    made = plan(_state(busy, silent), None, POLICY, NOW, {"gpu": WARM}).creates
    assert [c.name for c in made] == ["ws-gpu-headroom-0"]


def test_idle_warm_nodes_are_kept_past_their_keep_alive() -> None:
    caps = (node_from(A100, "n1", owner="ws-gpu-headroom-0"),
            node_from(A100, "n2", owner="ws-gpu-headroom-1"))
    owned = (Owned("ws-gpu-headroom-0", "gpu", "headroom", 8, 0, NOW - 4000),
             Owned("ws-gpu-headroom-1", "gpu", "headroom", 8, 0, NOW - 4000))
    cold = plan(_state(*caps, owned=owned), _forecast(0), POLICY, NOW)
    assert [r.name for r in cold.releases] == ["ws-gpu-headroom-0", "ws-gpu-headroom-1"]
    # n2 holds staged models: it stays, and the one spare idle node goes
    keep = replace(WARM, keep=frozenset({"n2"}))
    warm = plan(_state(*caps, owned=owned), _forecast(0), POLICY, NOW, {"gpu": keep})
    assert [r.name for r in warm.releases] == ["ws-gpu-headroom-0"]
    assert [(d.kind, d.subject) for d in warm.decisions] == [("warm", "ws-gpu-headroom-1")]
    two = plan(_state(*caps, owned=owned), _forecast(0), POLICY, NOW,
               {"gpu": replace(WARM, nodes=2)})
    assert two.releases == () and [d.kind for d in two.decisions] == ["warm", "warm"]
