"""The provisioner's knobs: one typed object, passed down, never a global.

Every limit here is checked by a guardrail whose hit becomes a recorded
decision, so a bad value is caught on load with the field named.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class PoolLimits(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    max_gpus: float | None = Field(default=None, ge=0, alias="maxGpus")
    max_dollars_per_hour: float | None = Field(default=None, ge=0, alias="maxDollarsPerHour")
    # The pool's capacity decisions are recorded, not acted on (a pool's safe rollout).
    shadow: bool = False


class ProvisionerPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    max_gpus: float | None = Field(default=None, ge=0, alias="maxGpus")
    max_dollars_per_hour: float | None = Field(default=None, ge=0, alias="maxDollarsPerHour")
    pools: dict[str, PoolLimits] = Field(default_factory=dict)
    max_creations_per_minute: int = Field(default=60, ge=0, alias="maxCreationsPerMinute")
    # A template this much dearer than the cheapest may still win if it starts faster.
    price_tolerance: float = Field(default=0.10, ge=0, alias="priceTolerance")
    # Keep-alive = startup time of a new node x this factor, clamped: paying for a
    # few startup-lengths of idle time is what one avoided cold start is worth.
    keep_alive_factor: float = Field(default=5.0, ge=0, alias="keepAliveFactor")
    min_keep_alive_s: float = Field(default=300.0, ge=0, alias="minKeepAliveSeconds")
    max_keep_alive_s: float = Field(default=3600.0, ge=0, alias="maxKeepAliveSeconds")
    max_state_age_s: float = Field(default=30.0, gt=0, alias="maxStateAgeSeconds")
    headroom: bool = Field(default=True, description="act on forecasts, not only pending pods")
    # A failed request is retried after base x 2^attempt seconds, at most the max:
    # an autoscaler that just refused (quota, stockout) rarely succeeds at once.
    retry_base_s: float = Field(default=30.0, gt=0, alias="retryBaseSeconds")
    retry_max_s: float = Field(default=900.0, gt=0, alias="retryMaxSeconds")

    def limits(self, pool: str) -> PoolLimits:
        return self.pools.get(pool, PoolLimits())

    def shadow_pools(self) -> frozenset[str]:
        return frozenset(name for name, limits in self.pools.items() if limits.shadow)
