"""Assemble the NodeCache status from what the agent observed: a pure function.

Each cached model is reported on the disk tier that holds its files, and
again as `host-memory` with the bytes the page cache holds, so the estimate
reads the resident part at memory speed and the rest at disk speed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from agent.cache_scan import CacheEntry, CacheScan
from agent.cuda_probe import CudaProbe
from agent.gpus import GpuReport
from warmstart.domain import Bandwidths, CachedModel, CacheTier, NodeInventory, WarmSignals


@dataclass(frozen=True, slots=True)
class Observations:
    node_name: str
    gpus: GpuReport
    cache: CacheScan
    disk_tier: CacheTier = CacheTier.LOCAL_DISK
    resident: Mapping[Path, int] = field(default_factory=dict)
    """Page-cache bytes per cache entry root."""
    disk_bps: float | None = None
    cuda: CudaProbe | None = None
    mps_daemon: bool = False
    recent_images: tuple[str, ...] = ()
    staged_images: tuple[str, ...] = ()


def _models(entry: CacheEntry, tier: CacheTier, resident: int) -> list[CachedModel]:
    held = [(tier, entry.bytes)] + ([(CacheTier.HOST_MEMORY, resident)] if resident > 0 else [])
    return [
        CachedModel(uri=uri, tier=t, bytes=b, digest=entry.digest, last_used=entry.last_used)
        for uri in (entry.uri, *entry.aliases)
        for t, b in held
    ]


def build_inventory(obs: Observations, now: datetime) -> NodeInventory:
    models = [
        model
        for entry in obs.cache.entries
        for model in _models(entry, obs.disk_tier, obs.resident.get(entry.root, 0))
    ]
    disk = obs.disk_bps if obs.disk_tier is CacheTier.LOCAL_DISK else None
    shared = obs.disk_bps if obs.disk_tier is CacheTier.SHARED_FS else None
    gpus = obs.gpus.devices
    return NodeInventory(
        node_name=obs.node_name,
        gpus=gpus,
        models=tuple(models),
        bandwidths=Bandwidths(
            local_disk=disk,
            shared_fs=shared,
            host_to_device=obs.cuda.pinned_h2d_bps if obs.cuda else None,
        ),
        warm=WarmSignals(
            persistence_mode=bool(gpus) and all(g.persistence_mode for g in gpus),
            mps_daemon=obs.mps_daemon,
            recent_images=obs.recent_images,
            cuda_init_seconds=obs.cuda.cold_start_s if obs.cuda else None,
        ),
        images=obs.staged_images,
        observed_at=now,
    )
