"""What a node holds: GPUs, cached models by tier, bandwidths, warm signals.

`NodeInventory` is the status of the NodeCache custom resource (one per node,
written by the node agent) and the schema of `--inventory` files.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from warmstart.images import canonical_image


class CacheTier(StrEnum):
    """Where a model's bytes sit on a node, fastest first."""

    GPU_RESIDENT = "gpu-resident"
    HOST_MEMORY = "host-memory"
    LOCAL_DISK = "local-disk"
    SHARED_FS = "shared-fs"


TIER_ORDER: tuple[CacheTier, ...] = tuple(CacheTier)


class GpuDevice(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    uuid: str
    name: str = ""
    memory_total_bytes: int = Field(ge=0, alias="memoryTotalBytes")
    memory_free_bytes: int = Field(ge=0, alias="memoryFreeBytes")
    persistence_mode: bool = Field(default=False, alias="persistenceMode")
    mig_mode: bool = Field(default=False, alias="migMode")


class CachedModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    uri: str = Field(min_length=1)
    tier: CacheTier
    bytes: int = Field(ge=0, description="bytes of the model present in this tier")
    digest: str | None = None
    last_used: datetime | None = Field(default=None, alias="lastUsed")


class Bandwidths(BaseModel):
    """Bytes per second; None means 'not measured here', so a default applies."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    registry_pull: float | None = Field(default=None, gt=0, alias="registryPull")
    object_store: float | None = Field(default=None, gt=0, alias="objectStore")
    host_memory: float | None = Field(default=None, gt=0, alias="hostMemory")
    local_disk: float | None = Field(default=None, gt=0, alias="localDisk")
    shared_fs: float | None = Field(default=None, gt=0, alias="sharedFs")
    host_to_device: float | None = Field(default=None, gt=0, alias="hostToDevice")


class WarmSignals(BaseModel):
    """Signs that a new CUDA context on this node will start quickly."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    persistence_mode: bool = Field(default=False, alias="persistenceMode")
    mps_daemon: bool = Field(default=False, alias="mpsDaemon")
    recent_images: tuple[str, ...] = Field(default=(), alias="recentImages")
    cuda_init_seconds: float | None = Field(default=None, ge=0, alias="cudaInitSeconds")


class NodeInventory(BaseModel):
    """One node's NodeCache status."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    node_name: str = Field(min_length=1, alias="nodeName")
    gpus: tuple[GpuDevice, ...] = ()
    models: tuple[CachedModel, ...] = ()
    bandwidths: Bandwidths = Field(default_factory=Bandwidths)
    warm: WarmSignals = Field(default_factory=WarmSignals)
    images: tuple[str, ...] = Field(
        default=(), description="images the agent pre-pulled that the runtime holds; they count "
        "as present like the Node's status.images (kubelet lists at most 50)")
    observed_at: datetime | None = Field(default=None, alias="observedAt")

    @field_validator("images")
    @classmethod
    def _one_spelling(cls, images: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(canonical_image(i) for i in images)

    def cached(self, uri: str) -> dict[CacheTier, int]:
        """Bytes of `uri` held per tier on this node."""
        held: dict[CacheTier, int] = {}
        for model in self.models:
            if model.uri == uri:
                held[model.tier] = max(held.get(model.tier, 0), model.bytes)
        return held
