"""Which quantile to provision at: the newsvendor rule q* = c_cold / (c_cold + c_idle).

Capacity is decided once per interval. One replica short for an interval costs
one cold start (`cold_start_cost`, in dollars: the user-visible price of a
3-8 minute wait). One replica too many costs its idle GPUs for the interval
(`idle_gpu_hour` x `gpus_per_replica` x interval). Provisioning at quantile q*
of demand minimises the expected sum of both.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MINUTE_S = 60.0
HOUR_S = 3_600.0


class NewsvendorCosts(BaseModel):
    """The two prices the rule needs, and the interval they are charged over."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cold_start_cost: float = Field(default=2.0, gt=0, description="$ per cold start")
    idle_gpu_hour: float = Field(default=2.0, gt=0, description="$ per idle GPU-hour")
    gpus_per_replica: int = Field(default=1, ge=1)
    interval_s: float = Field(default=600.0, gt=0, description="decision interval")

    @property
    def c_cold(self) -> float:
        """Cost of one replica missing for one interval."""
        return self.cold_start_cost

    @property
    def c_idle(self) -> float:
        """Cost of one replica idle for one interval."""
        return self.idle_gpu_hour * self.gpus_per_replica * self.interval_s / HOUR_S

    def critical_quantile(self) -> float:
        """q* = c_cold / (c_cold + c_idle)."""
        return self.c_cold / (self.c_cold + self.c_idle)

    def cost(self, under_replica_minutes: float, over_replica_minutes: float) -> float:
        """Dollars for the given shortfall and surplus, each priced per interval."""
        intervals = MINUTE_S / self.interval_s
        return intervals * (
            self.c_cold * under_replica_minutes + self.c_idle * over_replica_minutes
        )
