"""Staging a model into a cheaper tier of warmth on a node ahead of demand:
on local disk, or in host memory (page cache), so that a replica started
there later skips the download. The seam through which a warmth planner acts
in the simulator (`CapacityAdvice.staging`, or these functions directly).

A copy from the object store goes over the node's NIC (queued with its image
pulls and model downloads, at the node's own speed); one into host memory
from a disk copy goes over its disk. The model's image comes too, pulled first
over the NIC when the node lacks it (a Prefetch names both; the agent pre-pulls
images through the CRI), and a replica starting meanwhile joins that pull.
The copy lands, and the agent reports it at its next tick, when the transfer
ends. The caches evict as ever: a staged model is not pinned, so pressure can
push it out again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warmstart.domain.node import CacheTier
from warmstart.estimate.startup import image_seconds, model_seconds
from warmstart.sim.nodes import TIER_KEYS, SimNode

if TYPE_CHECKING:
    from warmstart.sim.replicas import Replicas

Landing = tuple[SimNode, list[tuple[str, int]]]


def stage(reps: Replicas, node: SimNode, m: int, tier: CacheTier, at: float) -> float | None:
    """Copy model `m` into `tier` (local disk or host memory) of `node`,
    starting at `at` (or when the node is up). Returns when it lands; None
    when the node already holds it there or the tier is not stageable."""
    if tier not in TIER_KEYS:
        return None
    spec = reps.models[m]
    view = node.true_view(at)
    held = view.inventory.cached(spec.uri) if view.inventory is not None else {}
    if tier in held:
        return None
    key = f"{TIER_KEYS[tier]}{spec.uri}"
    if key in node.real.copies:  # ordered already (a Prefetch's name is deterministic)
        return node.real.copies[key]
    begin = max(at, node.ready_at)
    size = spec.model_bytes
    items = [(f"m:{spec.uri}", size)]
    image = f"i:{spec.image}"
    if image not in node.disk and spec.image not in node.real.pulls:
        pull = image_seconds(spec.pod, view, reps.image_bytes) * node.real.pull
        node.real.pulls[spec.image] = node.real.on_nic(begin, pull)
        items.insert(0, (image, reps.image_bytes[spec.image]))
    if CacheTier.LOCAL_DISK in held:  # only host memory is missing: read the disk copy
        seconds, _ = model_seconds(view, {CacheTier.LOCAL_DISK: size}, size)
        done = node.real.on_disk(begin, seconds * node.real.disk)
    else:
        seconds, _ = model_seconds(view, {}, size)
        done = node.real.on_nic(begin, seconds * node.real.download)
    if tier is CacheTier.HOST_MEMORY:
        items.append((f"h:{spec.uri}", size))
    node.real.copies[key] = done
    reps.push(done, "staged", (node, items))
    reps.metrics.stagings += 1
    return done


def landed(reps: Replicas, landing: Landing, when: float) -> None:
    """A staging copy finished: the node's caches hold it (if the node is still up)."""
    node, items = landing
    for key, _ in items:  # a pull this copy made is over: later starts pull afresh
        if key.startswith("i:"):
            node.real.pulls.pop(key[2:], None)
        node.real.copies.pop(key, None)
    if reps.alive(node):
        reps.cluster.apply(node, node.cache(items, when))


def unstage(reps: Replicas, node: SimNode, m: int, tier: CacheTier, at: float) -> None:
    """Drop model `m` from `tier` of `node` (what a running replica uses stays)."""
    if tier in TIER_KEYS:
        reps.cluster.apply(node, node.evict(f"{TIER_KEYS[tier]}{reps.models[m].uri}", at))
