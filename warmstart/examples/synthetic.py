"""A large synthetic GPU cluster with a realistic spread of cached models and
images, as API objects (Node, NodeCache, Model), for benchmarks and tests.

Shapes are the real ones; the spread follows what scale-to-zero serving
looks like: model popularity is Zipf-like, so popular models sit on many
nodes and most on few; a handful of serving images cover most models; the
agent's measurements vary by a few percent between identical machines; a
share of GPUs is busy; a few inventories are stale.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GIB = 1024**3
Obj = dict[str, Any]


@dataclass(frozen=True)
class Pool:
    name: str
    share: float
    gpus: int
    gpu_gib: int
    product: str
    disk_bps: float
    h2d_bps: float


POOLS = (
    Pool("gpu-h100", 0.3, 8, 80, "NVIDIA-H100-80GB-HBM3", 6.5e9, 50e9),
    Pool("gpu-a100", 0.3, 8, 80, "NVIDIA-A100-SXM4-80GB", 3.5e9, 24e9),
    Pool("gpu-l40s", 0.2, 4, 48, "NVIDIA-L40S", 3.0e9, 24e9),
    Pool("gpu-a10g", 0.1, 1, 24, "NVIDIA-A10G", 2.0e9, 12e9),
    Pool("gpu-l4", 0.1, 1, 24, "NVIDIA-L4", 2.0e9, 12e9),
)
RUNTIMES = (
    "vllm/vllm-openai",
    "ghcr.io/huggingface/text-generation-inference",
    "nvcr.io/nvidia/tritonserver",
    "kserve/huggingfaceserver",
    "lmsysorg/sglang",
)


@dataclass(frozen=True)
class SyntheticModel:
    uri: str
    bytes: int
    image: str
    gpus: int


def _zipf_weights(n: int, s: float) -> list[float]:
    return [1 / (i + 1) ** s for i in range(n)]


def make_models(rng: random.Random, count: int, images: list[str]) -> list[SyntheticModel]:
    weights = _zipf_weights(len(images), 1.0)
    models = []
    for i in range(count):
        size = int(min(140e9, max(0.5e9, rng.lognormvariate(23.4, 0.9))))  # median ~15 GB
        gpus = 1 if size <= 20e9 else 2 if size <= 60e9 else 4 if size <= 120e9 else 8
        image = rng.choices(images, weights)[0]
        models.append(SyntheticModel(f"hf://org-{i % 97}/model-{i}", size, image, gpus))
    return models


def make_images(rng: random.Random, count: int = 40) -> dict[str, int]:
    return {
        f"{RUNTIMES[i % len(RUNTIMES)]}:v0.{i}.0": int(rng.uniform(4e9, 15e9)) for i in range(count)
    }


def _gpus(rng: random.Random, pool: Pool, busy: bool, persistent: bool) -> list[Obj]:
    total = pool.gpu_gib * GIB
    out = []
    for _ in range(pool.gpus):
        used = rng.uniform(0.7, 0.97) if busy and rng.random() < 0.6 else 0.006
        out.append(
            {
                "uuid": f"GPU-{rng.getrandbits(64):016x}",
                "name": pool.product,
                "memoryTotalBytes": total,
                "memoryFreeBytes": int(total * (1 - used)),
                "persistenceMode": persistent,
            }
        )
    return out


def _cached(rng: random.Random, models: list[SyntheticModel], weights: list[float]) -> list[Obj]:
    out = []
    for model in {m.uri: m for m in rng.choices(models, weights, k=rng.randint(0, 10))}.values():
        size = model.bytes if rng.random() < 0.9 else int(model.bytes * rng.uniform(0.1, 0.9))
        roll = rng.random()
        tiers = (
            ["local-disk"]
            if roll < 0.65
            else ["host-memory", "local-disk"]
            if roll < 0.85
            else ["gpu-resident", "local-disk"]
            if roll < 0.9
            else ["shared-fs"]
        )
        out += [{"uri": model.uri, "tier": t, "bytes": size} for t in tiers]
    return out


def make_node(
    rng: random.Random,
    i: int,
    pool: Pool,
    images: dict[str, int],
    models: list[SyntheticModel],
    now: datetime,
) -> tuple[Obj, Obj]:
    name = f"{pool.name}-{i:05d}"
    names = list(images)
    held = set(rng.choices(names, _zipf_weights(len(names), 1.0), k=rng.randint(1, 4)))
    node = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "resourceVersion": str(1000 + i),
            "labels": {"karpenter.sh/nodepool": pool.name, "nvidia.com/gpu.product": pool.product},
        },
        "spec": {},
        "status": {
            "allocatable": {"nvidia.com/gpu": str(pool.gpus)},
            "images": [
                {
                    "names": [f"docker.io/{n}" if "." not in n.split("/")[0] else n],
                    "sizeBytes": images[n],
                }
                for n in sorted(held)
            ],
        },
    }
    busy = rng.random() < 0.3
    persistent = rng.random() < 0.6  # nvidia-persistenced runs per node, not per GPU
    observed = now.timestamp() - (
        rng.uniform(700, 3600) if rng.random() < 0.02 else rng.uniform(0, 300)
    )
    status = {
        "nodeName": name,
        "gpus": _gpus(rng, pool, busy, persistent),
        "models": _cached(rng, models, _zipf_weights(len(models), 1.1)),
        "bandwidths": {
            "localDisk": pool.disk_bps * rng.gauss(1, 0.03),
            "hostToDevice": pool.h2d_bps * rng.gauss(1, 0.03),
        },
        "warm": {
            "persistenceMode": persistent,
            "recentImages": rng.sample(sorted(held), 1) if rng.random() < 0.3 else [],
            "cudaInitSeconds": rng.gauss(14, 2) if rng.random() < 0.2 else None,
        },
        "observedAt": datetime.fromtimestamp(observed, UTC).isoformat(),
    }
    cache = {
        "apiVersion": "warmstart.io/v1alpha1",
        "kind": "NodeCache",
        "metadata": {"name": name},
        "status": status,
    }
    return node, cache


def synthetic_cluster(
    nodes: int, models: int, seed: int, now: datetime
) -> tuple[list[Obj], list[SyntheticModel]]:
    """API objects of the cluster (Nodes, NodeCaches, Models) and its model list."""
    rng = random.Random(seed)
    images = make_images(rng)
    catalog = make_models(rng, models, list(images))
    objects: list[Obj] = []
    pools = rng.choices(POOLS, [p.share for p in POOLS], k=nodes)
    for i, pool in enumerate(pools):
        objects += make_node(rng, i, pool, images, catalog, now)
    objects += [
        {
            "apiVersion": "warmstart.io/v1alpha1",
            "kind": "Model",
            "metadata": {"name": f"model-{i}"},
            "spec": {"uri": m.uri, "bytes": m.bytes},
        }
        for i, m in enumerate(catalog)
        if i % 2 == 0
    ]
    return objects, catalog
