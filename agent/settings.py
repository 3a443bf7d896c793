"""The agent's settings: one typed object, passed down, never a module global."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class AgentSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    node_name: str = Field(min_length=1, description="the Kubernetes node this agent runs on")
    cache_dir: Path = Field(description="the model cache the serving pods share (a hostPath)")
    scan_interval_s: float = Field(default=30.0, gt=0)
    # Disk probe: at most 256 MiB or 1 s of direct reads, every 30 minutes.
    disk_probe: bool = True
    probe_max_bytes: int = Field(default=256 * 1024 * 1024, gt=0)
    probe_max_seconds: float = Field(default=1.0, gt=0)
    probe_interval_s: float = Field(default=1800.0, gt=0)
    # Publishing: wait for a change to settle, never write more often than the
    # rate limit, and refresh observedAt at least every heartbeat.
    debounce_s: float = Field(default=10.0, ge=0)
    max_publish_delay_s: float = Field(default=60.0, ge=0)
    min_publish_interval_s: float = Field(default=30.0, ge=0)
    heartbeat_s: float = Field(default=600.0, gt=0)
    quota_bytes: int | None = Field(default=None, gt=0, description="cache size kept by eviction")
    # Image pre-pulls go through the runtime's CRI socket (none: Prefetch images are
    # skipped with that reason) and stop at kubelet's image GC line; set it to the
    # kubelet's imageGCHighThresholdPercent when that is not the default.
    cri_socket: Path | None = None
    image_gc_high_threshold_percent: int = Field(default=85, ge=1, le=100)
