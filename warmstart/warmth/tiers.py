"""Each tier's start time, from the shared estimate: the same pod on the
pool's booted, empty node (as its agent reports one) with the model staged in
host memory, on local disk, with only its images, and on a node still to boot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from warmstart.domain.node import CachedModel, CacheTier, NodeInventory
from warmstart.domain.pod import PodDemand
from warmstart.estimate import NodeView, estimate_startup
from warmstart.warmth.types import TierTimes


def _with(template: NodeView, pod: PodDemand, tier: CacheTier | None, size: int) -> NodeView:
    inventory = template.inventory or NodeInventory(node_name=template.name)
    if tier is not None and pod.model is not None:
        staged = CachedModel(uri=pod.model.uri, tier=tier, bytes=size)
        inventory = inventory.model_copy(update={"models": (*inventory.models, staged)})
    return replace(template, images=template.images | frozenset(pod.images),
                   inventory=inventory, boot_remaining_s=0.0)


def tier_times(pod: PodDemand, model_bytes: int, template: NodeView,
               image_bytes: Mapping[str, int]) -> TierTimes:
    """Start seconds of `pod` per tier on a node like `template` (its pool's
    defaults and reported warm signals; what it holds is ignored)."""
    empty = replace(template, images=frozenset(),
                    inventory=(template.inventory.model_copy(update={"models": (), "images": ()})
                               if template.inventory is not None else None))

    def total(view: NodeView) -> float:
        return estimate_startup(pod, view, image_bytes).total_s

    return TierTimes(
        host=total(_with(empty, pod, CacheTier.HOST_MEMORY, model_bytes)),
        disk=total(_with(empty, pod, CacheTier.LOCAL_DISK, model_bytes)),
        warm=total(_with(empty, pod, None, model_bytes)),
        new=total(replace(empty, boot_remaining_s=None)),
    )
