"""One observation pass over the node: the I/O half of the agent's loop.

Everything here reads the machine (NVML, the cache directory, the page cache,
the disk); `agent.inventory.build_inventory` then turns the result into the
NodeCache status without touching anything.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from agent.cache_scan import CacheScan, scan_cache
from agent.cuda_probe import CudaProbe
from agent.disk_probe import probe_read_bandwidth
from agent.filesystems import disk_tier
from agent.gpus import read_gpus
from agent.inventory import Observations
from agent.nvml import Nvml
from agent.residency import resident_bytes
from agent.settings import AgentSettings
from agent.warm import mps_daemon_running

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Extras:
    """Facts measured less often than each scan, carried from pass to pass."""

    disk_bps: float | None = None
    cuda: CudaProbe | None = None
    recent_images: tuple[str, ...] = field(default=())
    staged_images: tuple[str, ...] = field(default=())


def residency(scan: CacheScan) -> dict[Path, int]:
    resident: dict[Path, int] = {}
    for entry in scan.entries:
        total = 0
        for path in entry.files:
            try:
                total += resident_bytes(path)
            except OSError as exc:
                log.warning("page-cache residency of %s: %s", path, exc)
        resident[entry.root] = total
    return resident


def probe_disk(settings: AgentSettings, scan: CacheScan) -> float | None:
    """Direct-read rate of the largest cached file, or None (and a log line) if none."""
    files = [p for entry in scan.entries for p in entry.files]
    if not files:
        return None
    largest = max(files, key=lambda p: p.stat().st_size)
    result = probe_read_bandwidth(largest, settings.probe_max_bytes, settings.probe_max_seconds)
    if result.bytes_per_s is None:
        log.info("disk bandwidth not measured: %s", result.reason)
    return result.bytes_per_s


def observe(settings: AgentSettings, nvml: Nvml, extras: Extras) -> Observations:
    gpus = read_gpus(nvml)
    if gpus.reason:
        log.warning("reporting no GPU: %s", gpus.reason)
    for problem in gpus.problems:
        log.warning("GPU skipped: %s", problem)
    scan = scan_cache(settings.cache_dir)
    for problem in scan.problems:
        log.warning("cache: %s", problem)
    return Observations(
        node_name=settings.node_name,
        gpus=gpus,
        cache=scan,
        disk_tier=disk_tier(settings.cache_dir),
        resident=residency(scan),
        disk_bps=extras.disk_bps,
        cuda=extras.cuda,
        mps_daemon=mps_daemon_running(),
        recent_images=extras.recent_images,
        staged_images=extras.staged_images,
    )
