"""Domain objects (inventories, node views, estimates) as admin API responses;
shared by the simulation and cluster sources so both answer alike."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from warmstart.admin.schemas import CachedOut, NodeOut, Stages, StartEstimate
from warmstart.domain.node import NodeInventory
from warmstart.domain.pod import PodDemand
from warmstart.estimate import NodeView, estimate_startup

TIER_RANK = {"gpu-resident": 0, "host-memory": 1, "local-disk": 2, "shared-fs": 3}


def stages_of(stages: Mapping[str, float]) -> Stages:
    return Stages(**{k: round(float(v), 3) for k, v in stages.items()})


def mean_stages(items: Iterable[Mapping[str, float]]) -> Stages:
    rows = list(items)
    if not rows:
        return Stages()
    keys = ("node", "image", "model", "cuda", "h2d")
    return stages_of({k: sum(r.get(k, 0.0) for r in rows) / len(rows) for k in keys})


def estimate_out(model: str, pod: PodDemand, view: NodeView,
                 image_bytes: Mapping[str, int]) -> StartEstimate:
    e = estimate_startup(pod, view, image_bytes)
    return StartEstimate(model=model, total_s=round(e.total_s, 3), tier=e.model_tier,
                         stages=stages_of(e.stages()))


def node_out(name: str, pool: str, gpus: int, inventory: NodeInventory | None, now: float,
             stale_after_s: float, free_gpus: int | None = None,
             resident: Iterable[str] = ()) -> NodeOut:
    """`resident`: URIs of models with a serving replica on the node (GPU-resident)."""
    models = [CachedOut(uri=uri, tier="gpu-resident", bytes=0) for uri in sorted(set(resident))]
    observed = None
    warm_images: list[str] = []
    persistence = False
    if inventory is not None:
        models += [CachedOut(uri=m.uri, tier=m.tier.value, bytes=m.bytes)
                   for m in inventory.models]
        observed = inventory.observed_at.timestamp() if inventory.observed_at else None
        warm_images = list(inventory.warm.recent_images)
        persistence = inventory.warm.persistence_mode
    models.sort(key=lambda m: (m.uri, TIER_RANK.get(m.tier, 9)))
    age = max(0.0, now - observed) if observed is not None else None
    return NodeOut(name=name, pool=pool, gpus=gpus, free_gpus=free_gpus, models=models,
                   persistence_mode=persistence, recent_images=warm_images,
                   observed_at=observed, age_s=age,
                   stale=age is not None and age > stale_after_s)


def best_tiers(nodes: Iterable[NodeOut]) -> dict[str, dict[str, str]]:
    """uri -> node -> the fastest tier holding it there."""
    out: dict[str, dict[str, str]] = {}
    for node in nodes:
        for m in node.models:
            held = out.setdefault(m.uri, {})
            if TIER_RANK.get(m.tier, 9) < TIER_RANK.get(held.get(node.name, ""), 10):
                held[node.name] = m.tier
    return out
