"""What one pod needs from a node to become ready: images, model, GPUs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from warmstart.domain.gpu import GpuRequest
from warmstart.domain.model_ref import ModelRef


class PodDemand(BaseModel):
    """The few pod facts the startup estimate reads (parsed once per request)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    images: tuple[str, ...] = ()
    model: ModelRef | None = None
    gpu: GpuRequest = Field(default_factory=GpuRequest)
    streaming_load: bool = Field(
        default=False, description="weights stream to the GPU while they are read"
    )
