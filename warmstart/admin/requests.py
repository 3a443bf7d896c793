"""What the admin API accepts: request bodies, each field bounded so that a
body can be neither too large nor too costly to act on."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from warmstart.admin.policy import WarmthPolicySpec

Baseline = Literal["reactive", "always-warm", "keepalive", "hybrid-histogram"]


class In(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True,
                              extra="forbid")


class SimulateRequest(In):
    """A what-if: replay a stored trace (`trace`) or an uploaded CSV (`csv`:
    `model,ts[,count]` rows) under a proposed policy, beside the baselines named."""

    trace: str | None = Field(default=None, min_length=1, max_length=200,
                              description="a stored trace name, e.g. 'sample'")
    csv: str | None = Field(default=None, min_length=1, max_length=1_000_000)
    pool: str | None = Field(default=None, min_length=1, max_length=63)
    policy: WarmthPolicySpec | None = Field(
        default=None, description="proposed; default: the pool's stored policy")
    hours: float = Field(default=24.0, gt=0, le=336)
    models: int | None = Field(default=None, ge=1, le=1000,
                               description="fold the trace onto this many models")
    baselines: tuple[Baseline, ...] = Field(default=("reactive",), max_length=4)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)

    @model_validator(mode="after")
    def _one_source(self) -> SimulateRequest:
        if (self.trace is None) == (self.csv is None):
            raise ValueError("give exactly one of trace or csv")
        return self


class PrefetchRequest(In):
    pool: str = Field(min_length=1, max_length=63)
    model: str = Field(min_length=1, max_length=1000, description="model name or URI")
