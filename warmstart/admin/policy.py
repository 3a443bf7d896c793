"""A pool's warmth policy: the one object operators edit, through the admin API
or `kubectl` (custom resource `WarmthPolicy`, `warmstart.io/v1alpha1`, named
after the pool).

Validated here so that a bad PUT is refused naming its field and the stored
policy is never replaced by one the planners could not use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic.alias_generators import to_camel

from warmstart.warmth import WarmthPolicy

Day = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
DAYS: tuple[Day, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
Tier = Literal["gpu-resident", "host-memory", "local-disk"]
HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class _Spec(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True,
                              extra="forbid")


class ScheduledOverride(_Spec):
    """Keep `model` at `tier` (or warmer) on `days` between `start` and `end`, local time."""

    model: str = Field(min_length=1, max_length=253)
    tier: Tier = "gpu-resident"
    days: tuple[Day, ...] = Field(default=DAYS, min_length=1, max_length=7)
    start: str = Field(pattern=HHMM, examples=["08:00"])
    end: str = Field(pattern=HHMM, examples=["18:00"])
    timezone: str = Field(default="UTC", min_length=1, max_length=64,
                          examples=["Europe/Berlin"])

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @field_validator("end")
    @classmethod
    def _ordered(cls, end: str, info: ValidationInfo) -> str:
        start = info.data.get("start")
        if start is not None and end <= start:
            raise ValueError(f"end {end} must be after start {start}")
        return end

    def active(self, now: float) -> bool:
        local = dt.datetime.fromtimestamp(now, ZoneInfo(self.timezone))
        return (DAYS[local.weekday()] in self.days
                and self.start <= local.strftime("%H:%M") < self.end)


class WarmthPolicySpec(_Spec):
    """What keeping a pool warm is worth and may cost."""

    # The planner's own default, so a pool without a policy and one with an
    # empty policy plan alike.
    cold_start_value: float = Field(
        default=WarmthPolicy().cold_request_usd, ge=0, le=1e6,
        description="dollars a cold request costs per SLO-length of wait (the SLO, priced)")
    slo_seconds: float | None = Field(
        default=None, gt=0, le=86_400, description="time to first inference to aim for")
    idle_cost_per_gpu_hour: float | None = Field(
        default=None, ge=0, le=1e4, description="default: the pool's price per GPU-hour")
    budget_dollars_per_hour: float | None = Field(default=None, ge=0, le=1e7)
    max_gpus: float | None = Field(default=None, ge=0, le=1e6)
    min_warm_nodes: int = Field(default=0, ge=0, le=10_000)
    max_warm_nodes: int | None = Field(default=None, ge=0, le=10_000)
    shadow: bool = Field(default=False, description="record decisions, act on none")
    overrides: tuple[ScheduledOverride, ...] = Field(default=(), max_length=100)

    @field_validator("max_warm_nodes")
    @classmethod
    def _bounds(cls, most: int | None, info: ValidationInfo) -> int | None:
        least = info.data.get("min_warm_nodes")
        if most is not None and least is not None and most < least:
            raise ValueError(f"maxWarmNodes {most} is below minWarmNodes {least}")
        return most

    def overrides_active(self, now: float) -> list[ScheduledOverride]:
        return [o for o in self.overrides if o.active(now)]


PolicyLookup = Callable[[str], WarmthPolicySpec]  # pool -> the policy it plans under


class StoredPolicy(_Spec):
    pool: str
    spec: WarmthPolicySpec
    resource_version: str = ""
    generation: int = 0
