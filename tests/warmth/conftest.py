"""Shared pieces for the warmth planner's tests: a 7B model on an 8-GPU pool
at the estimate's defaults, whose tier times are worked out in test_tiers."""

from __future__ import annotations

import math

from warmstart.domain.gpu import GpuRequest
from warmstart.domain.model_ref import ModelRef
from warmstart.domain.node import CachedModel, CacheTier, NodeInventory, WarmSignals
from warmstart.domain.pod import PodDemand
from warmstart.domain.pool import PoolDefaults
from warmstart.estimate import NodeView
from warmstart.warmth import HostNode, ModelNeed, Outlook, PoolSupply, TierTimes

GB = 10**9
IMAGE = "docker.io/vllm/vllm-openai:v0.6.3"
IMAGES = {IMAGE: 10 * GB}
# 7B fp16 on the defaults: CUDA 8 s (persistence mode) + read + 0.6 s to the GPU
TIMES_7B = TierTimes(host=9.35, disk=13.6, warm=108.6, new=323.6)


def pod(name: str = "m", size: int = 15 * GB, gpus: int = 1) -> PodDemand:
    return PodDemand(images=(IMAGE,), model=ModelRef(uri=f"s3://models/{name}", bytes=size),
                     gpu=GpuRequest(gpus=gpus, tensor_parallel=gpus))


def template() -> NodeView:
    inventory = NodeInventory(node_name="t", warm=WarmSignals(persistence_mode=True))
    return NodeView(name="t", inventory=inventory, pool=PoolDefaults(name="a", boot_seconds=90))


def need(name: str = "m", p_rate: float = 0.0, size: int = 15 * GB, gpus: int = 1,
         times: TierTimes = TIMES_7B) -> ModelNeed:
    """A model whose arrivals are Poisson at `p_rate` requests/s."""
    return ModelNeed(name, "a", pod(name, size, gpus), size, gpus, 0, times,
                     Outlook(rate_per_s=p_rate))


def node(name: str, free_gpus: int = 8, replicas: int = 1, host: int = 500 * GB,
         held: tuple[tuple[str, CacheTier, int], ...] = ()) -> HostNode:
    models = tuple(CachedModel(uri=f"s3://models/{m}", tier=t, bytes=b) for m, t, b in held)
    view = NodeView(name=name, images=frozenset({IMAGE}),
                    inventory=NodeInventory(node_name=name, models=models))
    return HostNode(view, free_gpus, replicas, host, 2000 * GB)


def pool(*nodes: HostNode, max_nodes: int | None = None) -> PoolSupply:
    return PoolSupply("a", 8, 24.0, 500 * GB, 2000 * GB, nodes, max_nodes)


def rate_for(p: float, horizon_s: float) -> float:
    """The Poisson rate giving P(a request within horizon_s) = p."""
    return -math.log(1 - p) / horizon_s
