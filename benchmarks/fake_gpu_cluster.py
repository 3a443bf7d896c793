"""N fake GPU nodes with NodeCaches and images, written into a real API server for
the scheduler benchmark, as kubelet and the node agent would write them.

Each Node is created with its status in one request (kubelet registers a node
that way); its NodeCache is created, then its status written through the
status subresource. A share of the nodes (`holding`, drawn node by node) caches
the benchmark's model on local NVMe; the others cache one of a few other models. Every node
has the serving image on it, so only the NodeCache tells the nodes apart.
"""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from warmstart.kube import KubeClient
from warmstart.kube.resources import NODECACHES, NODES
from warmstart.kube.timefmt import k8s_time

GPU = "nvidia.com/gpu"
IMAGE = "vllm/vllm-openai:v0.11.0"
MODEL = "hf://bench/llama-3.1-8b"
MODEL_BYTES = 16 * 10**9
OTHER_MODELS = tuple(f"hf://bench/other-{i}" for i in range(20))
GIB = 1 << 30
POOLS = ("gpu-h100", "gpu-a100")


@dataclass(frozen=True)
class FakeCluster:
    nodes: list[str]
    holders: frozenset[str]  # nodes whose NodeCache holds MODEL
    seconds: float  # to write every object


def _node(name: str, pool: str) -> dict[str, Any]:
    allocatable = {"cpu": "96", "memory": "1Ti", "pods": "110", "ephemeral-storage": "2Ti",
                   GPU: "8"}
    now = k8s_time(time.time())
    images = [(IMAGE, 10_760_000_000), ("kserve/huggingfaceserver:v0.15.0", 6_100_000_000),
              ("registry.k8s.io/pause:3.9", 744_000)]
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {
                "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64", "karpenter.sh/nodepool": pool}},
            "spec": {},
            "status": {"capacity": allocatable, "allocatable": allocatable,
                       "conditions": [{"type": "Ready", "status": "True",
                                       "reason": "KubeletReady", "lastHeartbeatTime": now,
                                       "lastTransitionTime": now}],
                       "images": [{"names": [i], "sizeBytes": s} for i, s in images]}}


def _cache_status(name: str, model: str, rng: random.Random) -> dict[str, Any]:
    gpus = [{"uuid": f"GPU-{name}-{i}", "name": "NVIDIA H100 80GB HBM3",
             "memoryTotalBytes": 80 * GIB,
             "memoryFreeBytes": int(80 * GIB * rng.uniform(0.9, 0.99)),
             "persistenceMode": True} for i in range(8)]
    return {"nodeName": name, "gpus": gpus, "observedAt": k8s_time(time.time()),
            "models": [{"uri": model, "tier": "local-disk", "bytes": MODEL_BYTES}],
            "bandwidths": {"localDisk": round(rng.uniform(3.0e9, 3.4e9), -6),
                           "hostToDevice": 2.4e10}}


def write_cluster(kube: KubeClient, count: int, holding: float, seed: int = 1,
                  threads: int = 8, first: int = 0) -> FakeCluster:
    """Write nodes `first`..`count - 1` (`holding` of them caching MODEL) with `threads`
    in flight; the cluster returned is all `count`. Each node's share of the draws
    is its own, so a cluster grown from `first` nodes is the one written at once."""
    names = [f"bench-gpu-{i:05d}" for i in range(count)]
    draws = [random.Random(seed * 1_000_003 + i) for i in range(count)]
    holders = frozenset(n for n, rng in zip(names, draws, strict=True) if rng.random() < holding)
    plan = [(name, POOLS[i % len(POOLS)],
             MODEL if name in holders else draws[i].choice(OTHER_MODELS), draws[i])
            for i, name in enumerate(names)][first:]

    def write(item: tuple[str, str, str, random.Random]) -> None:
        name, pool, model, node_rng = item
        kube.create(NODES, _node(name, pool))
        kube.create(NODECACHES, {"apiVersion": NODECACHES.api_version, "kind": "NodeCache",
                                 "metadata": {"name": name}})
        kube.patch_status(NODECACHES, name, {"status": _cache_status(name, model, node_rng)})

    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(write, plan))
    return FakeCluster(names, holders, time.monotonic() - started)
