"""Per-pool defaults: what a node of this pool is like before its agent reports."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from warmstart.domain.node import Bandwidths


class PoolDefaults(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    name: str = Field(min_length=1)
    boot_seconds: float | None = Field(default=None, ge=0, alias="bootSeconds")
    cuda_init_seconds: float | None = Field(default=None, ge=0, alias="cudaInitSeconds")
    bandwidths: Bandwidths = Field(default_factory=Bandwidths)
