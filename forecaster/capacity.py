"""Demand to capacity: request-rate quantiles become replicas and GPUs per pool.

This is the one place the forecaster meets the provisioner's vocabulary: it
emits `DemandForecast`, the value the planner reads.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from forecaster.forecast import QuantileForecast
from warmstart.domain.forecast import DemandForecast, ModelDemand

ROUNDING_SLACK = 1e-9
"""Float noise must not turn exactly 2.0 replicas' worth of load into 3."""


class ReplicaSpec(BaseModel):
    """What one replica of a series serves, and what it occupies."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    requests_per_replica: float = Field(default=1.0, gt=0, description="req/s one replica serves")
    gpus_per_replica: int = Field(default=1, ge=1)
    pool: str | None = None


def replicas_for(rate: np.ndarray, requests_per_replica: float) -> np.ndarray:
    """Whole replicas needed to serve `rate` req/s (zero demand: zero replicas)."""
    scaled = np.clip(np.asarray(rate, dtype=float) / requests_per_replica - ROUNDING_SLACK, 0, None)
    return np.ceil(scaled).astype(np.int64)


def to_demand(
    forecast: QuantileForecast,
    quantile: float,
    issued_at: float,
    specs: Mapping[str, ReplicaSpec] | None = None,
    default: ReplicaSpec | None = None,
) -> DemandForecast:
    """The peak of the chosen quantile over the horizon, as capacity per series."""
    rates = forecast.at(quantile).max(axis=1)
    fallback = default or ReplicaSpec()
    models = []
    for name, rate in zip(forecast.names, rates, strict=True):
        spec = (specs or {}).get(name, fallback)
        replicas = int(replicas_for(np.array(rate), spec.requests_per_replica))
        models.append(
            ModelDemand(
                model=name,
                pool=spec.pool,
                quantile=quantile,
                requests_per_s=float(rate),
                replicas=replicas,
                gpus=replicas * spec.gpus_per_replica,
            )
        )
    return DemandForecast(issued_at=issued_at, horizon_s=forecast.horizon_s, models=tuple(models))
