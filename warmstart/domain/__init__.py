"""The domain model: what a pod asks for and what a node holds.

Pydantic v2 models, because the same shapes are read from the wire (the
NodeCache custom resource, the Model catalog, inventory files) and must fail
with a clear error naming the field.
"""

from warmstart.domain.forecast import DemandForecast, ModelDemand
from warmstart.domain.gpu import GpuRequest, mig_profile_memory_bytes
from warmstart.domain.model_ref import ModelFormat, ModelRef
from warmstart.domain.node import (
    Bandwidths,
    CachedModel,
    CacheTier,
    GpuDevice,
    NodeInventory,
    WarmSignals,
)
from warmstart.domain.pod import PodDemand
from warmstart.domain.pool import PoolDefaults

__all__ = [
    "Bandwidths",
    "CacheTier",
    "CachedModel",
    "DemandForecast",
    "GpuDevice",
    "GpuRequest",
    "ModelDemand",
    "ModelFormat",
    "ModelRef",
    "NodeInventory",
    "PodDemand",
    "PoolDefaults",
    "WarmSignals",
    "mig_profile_memory_bytes",
]
