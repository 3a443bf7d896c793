"""The warmth planner's inputs from the provisioner's snapshot: the forecast's
models become `ModelNeed`s (sizes from the Model catalog, tier start times
from the shared estimate on the pool's cheapest template), and each pool's
template and booted nodes (those whose agent reports a NodeCache) become a
`PoolSupply`. Pure: the simulator has its own adapter (`sim_warmth`) because
its cluster is not a `ClusterState`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from provisioner.state import GPU, Capacity, ClusterState, NodeTemplate
from warmstart.domain import DemandForecast, GpuRequest, ModelRef, PodDemand
from warmstart.domain.forecast import ModelDemand
from warmstart.warmth import HostNode, ModelNeed, Outlook, PoolSupply, tier_times

MEMORY, DISK = "memory", "ephemeral-storage"


@dataclass(frozen=True, slots=True)
class PoolInputs:
    needs: tuple[ModelNeed, ...]
    supply: PoolSupply


def cheapest(templates: tuple[NodeTemplate, ...]) -> dict[str, NodeTemplate]:
    """Per pool, its cheapest GPU template per GPU (the one a new warm node would be)."""
    best: dict[str, NodeTemplate] = {}
    for t in templates:
        if t.gpus <= 0:
            continue
        held = best.get(t.pool)
        if held is None or t.price_per_hour / t.gpus < held.price_per_hour / held.gpus:
            best[t.pool] = t
    return best


def _room(node: Capacity, resource: str) -> int:
    return max(int(node.allocatable.get(resource, 0.0) - node.requested.get(resource, 0.0)), 0)


def host_node(node: Capacity) -> HostNode:
    """A booted node as the planner sees it: free GPUs, whether replicas run there,
    and the memory and ephemeral storage its pods have not requested."""
    free = int(node.allocatable.get(GPU, 0.0) - node.requested.get(GPU, 0.0))
    busy = 1 if node.requested.get(GPU, 0.0) > 0 else 0
    return HostNode(node.view, max(free, 0), busy, _room(node, MEMORY), _room(node, DISK))


def booted_node(c: Capacity) -> bool:
    """A Node that is up and whose agent reports (not an object still in flight)."""
    return c.owner != c.name and c.view.inventory is not None and c.view.boot_remaining_s == 0.0


def _need(md: ModelDemand, pool: str, ref: ModelRef, template: NodeTemplate,
          state: ClusterState) -> ModelNeed:
    per_replica = max(md.gpus // md.replicas, 1) if md.replicas else 1
    pod = PodDemand(model=ref, gpu=GpuRequest(gpus=per_replica))
    size = ref.bytes or 0
    times = tier_times(pod, size, template.view(pool), state.image_bytes)
    ready = int(state.serving.get(ref.uri, 0.0) // per_replica)
    return ModelNeed(md.model, pool, pod, size, per_replica, ready, times,
                     Outlook(rate_per_s=md.requests_per_s))


def warmth_inputs(state: ClusterState, forecast: DemandForecast | None,
                  catalog: Mapping[str, ModelRef]) -> dict[str, PoolInputs]:
    """Per pool with a GPU template: the forecast's models of that pool whose size
    the catalog knows (a model of unknown size cannot be fitted into a node's room),
    and the pool's supply."""
    templates = cheapest(state.templates)
    needs: dict[str, list[ModelNeed]] = {p: [] for p in templates}
    for md in forecast.models if forecast is not None else ():
        ref = catalog.get(md.model.rstrip("/"))
        pool = md.pool if md.pool is not None else next(iter(templates), None)
        if ref is None or ref.bytes is None or pool not in templates:
            continue
        needs[pool].append(_need(md, pool, ref, templates[pool], state))
    out: dict[str, PoolInputs] = {}
    for pool, t in templates.items():
        booted = tuple(host_node(c) for c in state.capacity if c.pool == pool and booted_node(c))
        supply = PoolSupply(pool, int(t.gpus), t.price_per_hour,
                            int(t.allocatable.get(MEMORY, 0.0)), int(t.allocatable.get(DISK, 0.0)),
                            booted)
        out[pool] = PoolInputs(tuple(needs[pool]), supply)
    return out
