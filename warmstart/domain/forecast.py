"""What the forecaster hands the provisioner: capacity wanted over the lead time.

The forecaster turns request-rate quantiles into replicas and GPUs; the
provisioner's planner reads only this value, so neither imports the other.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ModelDemand(BaseModel):
    """Capacity one model needs at the chosen quantile over the horizon."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str = Field(min_length=1, description="series name: a model URI or deployment")
    pool: str | None = Field(default=None, description="node pool the replicas run on")
    quantile: float = Field(gt=0, lt=1)
    requests_per_s: float = Field(ge=0)
    replicas: int = Field(ge=0)
    gpus: int = Field(ge=0)


class DemandForecast(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    issued_at: float = Field(description="epoch seconds the forecast was made")
    horizon_s: float = Field(gt=0, description="the provisioning lead time it covers")
    models: tuple[ModelDemand, ...] = ()

    def gpus_by_pool(self) -> dict[str, int]:
        pools: dict[str, int] = {}
        for demand in self.models:
            if demand.pool is not None:
                pools[demand.pool] = pools.get(demand.pool, 0) + demand.gpus
        return pools
