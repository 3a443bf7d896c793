"""A pod's GPU request: whole GPUs, MIG slices, and tensor-parallel degree."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

GPU_RESOURCE = "nvidia.com/gpu"
MIG_RESOURCE_PREFIX = "nvidia.com/mig-"
GIB = 1024**3

# nvidia.com/mig-<compute>g.<memory>gb, e.g. mig-1g.5gb, mig-3g.40gb; the
# device plugin's "mixed" strategy names resources this way.
_MIG_PROFILE = re.compile(r"^nvidia\.com/mig-(\d+)g\.(\d+)gb(?:\..*)?$")


def mig_profile_memory_bytes(resource: str) -> int | None:
    """GPU memory of one slice of a MIG resource name, or None if not a MIG name."""
    match = _MIG_PROFILE.match(resource)
    return int(match.group(2)) * GIB if match else None


class GpuRequest(BaseModel):
    """What the pod asks of the node's accelerators."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    gpus: int = Field(default=0, ge=0, description="nvidia.com/gpu count")
    mig: dict[str, int] = Field(default_factory=dict, description="nvidia.com/mig-* name -> count")
    tensor_parallel: int = Field(default=1, ge=1)

    @property
    def devices(self) -> int:
        """How many GPU devices (whole or MIG slices) the weights are spread over."""
        return self.gpus + sum(self.mig.values())

    @property
    def wants_gpu(self) -> bool:
        return self.devices > 0
