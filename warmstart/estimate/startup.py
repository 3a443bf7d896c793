"""startup time(pod, node): a pure function returning the estimate stage by stage.

T = T_node + T_image + T_model + T_cuda + T_h2d, with each bandwidth taken from
the node's own measurements, else its pool's defaults, else GLOBAL_DEFAULTS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from warmstart.domain.node import TIER_ORDER, CacheTier, NodeInventory
from warmstart.domain.pod import PodDemand
from warmstart.domain.pool import PoolDefaults
from warmstart.estimate.defaults import GLOBAL_DEFAULTS, GlobalDefaults

REMOTE = "remote"


@dataclass(frozen=True, slots=True)
class NodeView:
    """What the estimate needs to know of one node (existing, booting or imagined).

    `boot_remaining_s` is 0 for a Ready node, the time left for one in flight,
    and None for a node that does not exist yet (the pool's boot time applies).
    """

    name: str
    images: frozenset[str] = frozenset()
    inventory: NodeInventory | None = None
    pool: PoolDefaults | None = None
    boot_remaining_s: float | None = 0.0


@dataclass(frozen=True, slots=True)
class StartupEstimate:
    node_s: float
    image_s: float
    model_s: float
    cuda_s: float
    h2d_s: float
    model_tier: str

    @property
    def total_s(self) -> float:
        return self.node_s + self.image_s + self.model_s + self.cuda_s + self.h2d_s

    def stages(self) -> dict[str, float]:
        return {
            "node": self.node_s,
            "image": self.image_s,
            "model": self.model_s,
            "cuda": self.cuda_s,
            "h2d": self.h2d_s,
        }


def _bandwidth(node: NodeView, attr: str, default: float) -> float:
    measured: float | None = None
    if node.inventory is not None:
        measured = getattr(node.inventory.bandwidths, attr)
    if measured is None and node.pool is not None:
        measured = getattr(node.pool.bandwidths, attr)
    return measured if measured is not None else default


# Slowest first, so each tier can be floored at the speed of the one below it.
_TIER_BANDWIDTH: tuple[tuple[CacheTier, str, str], ...] = (
    (CacheTier.SHARED_FS, "shared_fs", "shared_fs_bps"),
    (CacheTier.LOCAL_DISK, "local_disk", "local_disk_bps"),
    (CacheTier.HOST_MEMORY, "host_memory", "host_memory_bps"),
)


def _tier_speeds(node: NodeView, d: GlobalDefaults) -> tuple[float, dict[CacheTier, float]]:
    """Remote bandwidth and each cache tier's, never slower than the tier below.

    A cache is never read slower than fetching the bytes afresh would be (the
    loader would fetch instead), which keeps "more cached" from costing time
    even when an agent measured a slow disk.
    """
    remote = _bandwidth(node, "object_store", d.object_store_bps)
    speeds: dict[CacheTier, float] = {}
    floor = remote
    for tier, attr, default_attr in _TIER_BANDWIDTH:
        floor = max(floor, _bandwidth(node, attr, getattr(d, default_attr)))
        speeds[tier] = floor
    return remote, speeds


def node_seconds(node: NodeView, d: GlobalDefaults = GLOBAL_DEFAULTS) -> float:
    if node.boot_remaining_s is not None:
        return node.boot_remaining_s
    if node.pool is not None and node.pool.boot_seconds is not None:
        return node.pool.boot_seconds
    return d.boot_seconds


def image_seconds(
    pod: PodDemand,
    node: NodeView,
    image_bytes: Mapping[str, int],
    d: GlobalDefaults = GLOBAL_DEFAULTS,
) -> float:
    staged = node.inventory.images if node.inventory is not None else ()
    missing = sum(
        image_bytes.get(image, d.unknown_image_bytes)
        for image in pod.images
        if image not in node.images and image not in staged
    )
    return missing / _bandwidth(node, "registry_pull", d.registry_pull_bps)


def held_bytes(pod: PodDemand, node: NodeView) -> dict[CacheTier, int]:
    """Bytes of the pod's model the node holds, per tier."""
    if pod.model is None or node.inventory is None:
        return {}
    return node.inventory.cached(pod.model.uri)


def model_bytes(
    pod: PodDemand, held: Mapping[CacheTier, int], d: GlobalDefaults = GLOBAL_DEFAULTS
) -> int:
    """The pod's model size; if unknown, the largest copy the node holds, else the default."""
    if pod.model is None:
        return 0
    if pod.model.bytes is not None:
        return pod.model.bytes
    return max(held.values(), default=d.unknown_model_bytes)


def model_seconds(
    node: NodeView, held: Mapping[CacheTier, int], total: int, d: GlobalDefaults = GLOBAL_DEFAULTS
) -> tuple[float, str]:
    """Read `total` model bytes from the fastest tiers holding them; fetch the rest remotely.

    Each tier's bytes are read from that tier, the bytes no tier holds come
    from the remote store, so holding more bytes anywhere never costs time.
    """
    if held.get(CacheTier.GPU_RESIDENT, 0) >= total:
        return 0.0, CacheTier.GPU_RESIDENT.value
    remote_bps, speeds = _tier_speeds(node, d)
    remaining = total
    seconds = 0.0
    best = REMOTE
    for tier in TIER_ORDER[1:]:
        take = min(held.get(tier, 0), remaining)
        if take <= 0:
            continue
        best = tier.value if best == REMOTE else best
        seconds += take / speeds[tier]
        remaining -= take
    seconds += remaining / remote_bps
    return seconds, best


def cuda_seconds(pod: PodDemand, node: NodeView, d: GlobalDefaults = GLOBAL_DEFAULTS) -> float:
    if not pod.gpu.wants_gpu:
        return 0.0
    inv = node.inventory
    if inv is not None and inv.warm.cuda_init_seconds is not None:
        return inv.warm.cuda_init_seconds
    persistent = inv is not None and (
        inv.warm.persistence_mode or (bool(inv.gpus) and all(g.persistence_mode for g in inv.gpus))
    )
    if persistent and inv is not None and any(i in inv.warm.recent_images for i in pod.images):
        return d.cuda_warm_seconds
    if persistent:
        return d.cuda_persistent_seconds
    if node.pool is not None and node.pool.cuda_init_seconds is not None:
        return node.pool.cuda_init_seconds
    return d.cuda_cold_seconds


def h2d_seconds(
    pod: PodDemand, node: NodeView, tier: str, total: int, d: GlobalDefaults = GLOBAL_DEFAULTS
) -> float:
    """Weights host->GPU (before a streaming loader hides them behind the read)."""
    if not pod.gpu.wants_gpu or tier == CacheTier.GPU_RESIDENT.value:
        return 0.0
    lanes = max(pod.gpu.tensor_parallel, 1)
    bps = _bandwidth(node, "host_to_device", d.host_to_device_bps) * lanes
    return total / bps


def estimate_startup(
    pod: PodDemand,
    node: NodeView,
    image_bytes: Mapping[str, int] | None = None,
    defaults: GlobalDefaults = GLOBAL_DEFAULTS,
) -> StartupEstimate:
    """How long until `pod` is ready on `node`, stage by stage."""
    sizes: Mapping[str, int] = image_bytes if image_bytes is not None else {}
    model_s, tier, h2d = 0.0, "none", 0.0
    if pod.model is not None:
        held = held_bytes(pod, node)
        total = model_bytes(pod, held, defaults)
        model_s, tier = model_seconds(node, held, total, defaults)
        h2d = h2d_seconds(pod, node, tier, total, defaults)
    if pod.streaming_load:
        h2d = max(0.0, h2d - model_s)
    return StartupEstimate(
        node_s=node_seconds(node, defaults),
        image_s=image_seconds(pod, node, sizes, defaults),
        model_s=model_s,
        cuda_s=cuda_seconds(pod, node, defaults),
        h2d_s=h2d,
        model_tier=tier,
    )
