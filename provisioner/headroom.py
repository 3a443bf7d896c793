"""Forecast-driven warm capacity per pool, and giving it back when idle.

Warm GPUs wanted in a pool = the forecaster's quantile over the lead time
minus the GPUs still free after pending pods are packed. A shortfall opens
nodes of the pool's cheapest template per GPU; a surplus releases capacity we
own once it has idled past the keep-alive (a few new-node startup times, see
ProvisionerPolicy), never a node running a real pod. Pure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from provisioner import naming
from provisioner.packing import Bin
from provisioner.plan_types import HEADROOM, Decision, NewNode, Release
from provisioner.policy import ProvisionerPolicy
from provisioner.state import GPU, NodeTemplate, Owned
from warmstart.domain import DemandForecast, GpuRequest, ModelRef, PodDemand
from warmstart.estimate import StartupEstimate, estimate_startup


@dataclass(frozen=True, slots=True)
class PoolNeed:
    pool: str
    wanted_gpus: int
    free_gpus: float
    models: tuple[str, ...]


def pool_needs(forecast: DemandForecast, bins: list[Bin],
               serving: Mapping[str, float]) -> list[PoolNeed]:
    """Per pool: GPUs the forecast wants beyond what already serves each model.

    A model's own pods (running or pending) already hold part of its forecast,
    so only the remainder asks for warm room; one model's surplus never hides
    another's shortfall.
    """
    free: dict[str, float] = {}
    for b in bins:
        free[b.pool] = free.get(b.pool, 0.0) + max(b.gpu_room, 0.0)
    wanted: dict[str, int] = {}
    for m in forecast.models:
        if m.pool is not None:
            extra = max(m.gpus - serving.get(m.model, 0.0), 0.0)
            wanted[m.pool] = wanted.get(m.pool, 0) + math.ceil(extra)
    needs = []
    for pool in sorted(wanted.keys() | free.keys()):
        models = tuple(
            sorted({m.model for m in forecast.models if m.pool == pool and m.replicas > 0})
        )
        needs.append(PoolNeed(pool, wanted.get(pool, 0), free.get(pool, 0.0), models))
    return needs


def _probe(need: PoolNeed) -> PodDemand:
    """A one-GPU pod of the pool's first forecast model, to estimate a new node by."""
    model = ModelRef(uri=need.models[0]) if need.models else None
    return PodDemand(model=model, gpu=GpuRequest(gpus=1))


def _per_gpu(t: NodeTemplate) -> float:
    return t.price_per_hour / t.gpus


def pool_template(pool: str, templates: tuple[NodeTemplate, ...]) -> NodeTemplate | None:
    """The pool's cheapest template per GPU: what headroom is bought as."""
    gpu_templates = [t for t in templates if t.pool == pool and t.gpus > 0]
    return min(gpu_templates, key=lambda t: (_per_gpu(t), t.name)) if gpu_templates else None


def new_node_estimate(
    need: PoolNeed, template: NodeTemplate, image_bytes: Mapping[str, int]
) -> StartupEstimate:
    return estimate_startup(_probe(need), template.view(template.name), image_bytes)


def grow(
    need: PoolNeed,
    template: NodeTemplate,
    taken: set[str],
    image_bytes: Mapping[str, int],
    horizon_s: float,
    warm: tuple[int, str] = (0, ""),
) -> list[NewNode]:
    """New nodes for the larger of the forecast's shortfall and `warm` (new warm
    nodes, and why): a free GPU serves either, so the two are not added."""
    deficit = need.wanted_gpus - need.free_gpus
    count = max(math.ceil(deficit / template.gpus) if deficit > 0 else 0, warm[0])
    if count <= 0:
        return []
    estimate = new_node_estimate(need, template, image_bytes)
    why = []
    if deficit > 0:
        why.append(f"forecast wants {need.wanted_gpus} GPUs beyond running replicas in pool "
                   f"{need.pool} within {horizon_s:.0f} s, {need.free_gpus:g} free")
    if warm[0]:
        why.append(f"{warm[0]} warm node(s) short ({warm[1]})")
    reason = (f"{'; '.join(why)}: +{count} x {template.name} ({template.gpus:g} GPUs, "
              f"${template.price_per_hour:.2f}/h, ready in ~{estimate.total_s:.0f} s)")
    nodes: list[NewNode] = []
    index = 0
    while len(nodes) < count:
        name = naming.headroom_name(need.pool, index)
        index += 1
        if name in taken:
            continue
        taken.add(name)
        nodes.append(
            NewNode(name, template, HEADROOM, (), (), {GPU: template.gpus},
                    estimate, reason, prefetch_models=need.models)
        )
    return nodes


def keep_alive_s(estimate: StartupEstimate, policy: ProvisionerPolicy) -> float:
    raw = estimate.total_s * policy.keep_alive_factor
    return min(max(raw, policy.min_keep_alive_s), policy.max_keep_alive_s)


def shrink(
    need: PoolNeed,
    owned: list[Owned],
    keep_alive: float,
    now: float,
    warm: tuple[frozenset[str], float] = (frozenset(), math.inf),
) -> tuple[list[Release], list[Decision]]:
    """Release idle capacity we own while the pool stays above its forecast, and
    keeps its warm nodes: `warm` is (our objects kept warm by name, how many
    idle nodes may go)."""
    surplus = need.free_gpus - need.wanted_gpus
    releases: list[Release] = []
    kept: list[Decision] = []
    spare = warm[1]
    for cap in sorted(owned, key=lambda c: (c.idle_since or now, c.name)):
        gpus = cap.gpus
        if cap.real_pods or gpus <= 0 or gpus > surplus:
            continue
        if cap.name in warm[0] or spare <= 0:
            kept.append(Decision("warm", cap.name, "kept as a warm node of pool "
                                 f"{need.pool}"))
            continue
        idle = now - (cap.idle_since if cap.idle_since is not None else now)
        if idle < keep_alive:
            kept.append(Decision("keep-alive", cap.name,
                                 f"idle {idle:.0f} s < keep-alive {keep_alive:.0f} s"))
            continue
        surplus -= gpus
        spare -= 1
        releases.append(Release(cap.name, cap.pool, (
            f"idle {idle:.0f} s >= keep-alive {keep_alive:.0f} s; pool {need.pool} has "
            f"{need.free_gpus:g} free GPUs for a forecast of {need.wanted_gpus}"
        ), cap.namespace))
    return releases, kept
