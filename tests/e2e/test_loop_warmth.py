"""The staging half of the anticipation loop on the real API server: the warmth
planner stages a model on a node, the provisioner's writer creates the
Prefetch, the node's agent (in process) downloads the model from a local HTTP
server and publishes it in its NodeCache, and the start-time estimate on that
NodeCache reads the model from the node instead of the object store. Orders
re-issued every step create nothing new; a drop deletes the Prefetch."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from provisioner.prefetch import PrefetchWriter, prefetch_name
from tests.agent.fileserver import Served, serving
from tests.e2e.agent_in_process import agent_on
from tests.e2e.objects import gpu_pod
from warmstart.domain import NodeInventory
from warmstart.domain.node import CacheTier
from warmstart.estimate import NodeView, estimate_startup
from warmstart.kube import KubeClient
from warmstart.kube.resources import NODECACHES, PREFETCHES
from warmstart.podspec import pod_demand
from warmstart.warmth import (
    HostNode,
    ModelNeed,
    Outlook,
    PoolSupply,
    StageOrder,
    TierTimes,
    Warmth,
    WarmthPolicy,
    plan_warmth,
)

NODE = "loop-gpu-0"
IMAGE = "vllm/vllm-openai:v0.11.0"
PAYLOAD = bytes(range(256)) * 4096  # 1 MiB of weights
TIMES = TierTimes(host=9.4, disk=13.6, warm=108.6, new=323.6)  # as for a 7B model


def _plan_for(pod: dict[str, Any], node: str) -> tuple[ModelNeed, list[StageOrder]]:
    demand = pod_demand(pod)
    assert demand.model is not None and demand.model.bytes is not None
    need = ModelNeed("tiny", "gpu", demand, demand.model.bytes, 1, 0,
                     times=TIMES, outlook=Outlook(rate_per_s=0.01))
    view = NodeView(name=node, images=frozenset({IMAGE}))
    supply = PoolSupply("gpu", 8, 24.0, 10**12, 10**12,
                        (HostNode(view, free_gpus=8, replicas=1, host_bytes=10**12,
                                  disk_bytes=10**12),))
    plan = plan_warmth([need], [supply], WarmthPolicy())
    (decided,) = plan.models
    assert (decided.warmth, decided.node) == (Warmth.HOST, node), decided.reason
    return need, list(plan.stages)


def test_a_planned_staging_lands_in_the_nodecache(
        kube: KubeClient, gpu_nodes: Callable[..., dict[str, Any]], tmp_path: Path,
        namespace: str) -> None:
    gpu_nodes(NODE, images=[(IMAGE, 10_760_000_000)])
    with serving(Served({"/models/tiny.bin": PAYLOAD})) as srv:
        uri = f"{srv.url}/models/tiny.bin"
        pod = gpu_pod("tiny-0", namespace, image=IMAGE, annotations={
            "warmstart.io/model": uri, "warmstart.io/model-bytes": str(len(PAYLOAD))})
        need, orders = _plan_for(pod, NODE)
        assert [(o.model, o.node, o.tier, o.drop) for o in orders] == [
            ("tiny", NODE, CacheTier.HOST_MEMORY, False)]

        writer = PrefetchWriter(kube)
        name = prefetch_name(NODE, uri)
        assert writer.apply(orders, {"tiny": need.pod}) == ([name], [])
        assert writer.apply(orders, {"tiny": need.pod}) == ([], [])  # the next step's order
        spec = kube.get(PREFETCHES, name)["spec"]
        assert spec == {"nodeName": NODE, "uri": uri, "bytes": len(PAYLOAD),
                        "images": list(need.pod.images)}

        with agent_on(kube, NODE, tmp_path / "cache") as agent:
            agent.tick()  # publishes, then runs the Prefetch inline
            agent.tick()  # reports what the cache now holds
        assert [r[1] for r in srv.requests if r[0] == "GET"] == ["/models/tiny.bin"]

    assert kube.get(PREFETCHES, name)["status"]["phase"] == "Succeeded"
    published = NodeInventory.model_validate(kube.get(NODECACHES, NODE)["status"])
    assert published.cached(uri), published.models
    staged = estimate_startup(need.pod, NodeView(name=NODE, inventory=published))
    bare = estimate_startup(need.pod, NodeView(name=NODE, inventory=NodeInventory(node_name=NODE)))
    assert staged.model_tier != "remote" and bare.model_tier == "remote"

    drop = [StageOrder("tiny", NODE, CacheTier.HOST_MEMORY, drop=True)]
    assert writer.apply(drop, {"tiny": need.pod}) == ([], [name])
