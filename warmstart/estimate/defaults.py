"""Documented global defaults: the figures used when neither the node's agent
nor the node's pool says otherwise. Each value cites the product brief's typical
figures for the start-up waterfall; README.md ("The estimate") tabulates them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

GB = 1e9
GIB = 1024**3


class GlobalDefaults(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # A new node takes 60-120 s to boot and join; the middle of that range.
    boot_seconds: float = Field(default=90.0, ge=0)
    # 10.76 GB vLLM image in 2 min 18 s on EKS (~78 MB/s): registry pulls are slow.
    registry_pull_bps: float = Field(default=80e6, gt=0)
    # An image we cannot size from any node's status.images: a typical 8 GB GPU image.
    unknown_image_bytes: int = Field(default=8 * GIB, ge=0)
    # 14 GB in 60-180 s from an object store or a model hub: ~150 MB/s.
    object_store_bps: float = Field(default=150e6, gt=0)
    # Page cache reads run at memory-copy speed.
    host_memory_bps: float = Field(default=20 * GB, gt=0)
    # Local NVMe: 3-7 GB/s; the low end, since the pod reads through a filesystem.
    local_disk_bps: float = Field(default=3 * GB, gt=0)
    # NFS / Lustre-class shared filesystems per client.
    shared_fs_bps: float = Field(default=1 * GB, gt=0)
    # PCIe Gen4 x16 effective host-to-device copy: ~25 GB/s.
    host_to_device_bps: float = Field(default=25 * GB, gt=0)
    # A pod that names a model but not its size: 7B parameters at FP16.
    unknown_model_bytes: int = Field(default=14 * GIB, ge=0)
    # CUDA context + runtime libraries, cold: 5-30 s per process.
    cuda_cold_seconds: float = Field(default=20.0, ge=0)
    # Persistence mode keeps the driver loaded: no driver init on context creation.
    cuda_persistent_seconds: float = Field(default=8.0, ge=0)
    # Persistence mode and the same image ran recently: libraries in page cache.
    cuda_warm_seconds: float = Field(default=3.0, ge=0)


GLOBAL_DEFAULTS = GlobalDefaults()
