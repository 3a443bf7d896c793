"""One pod's measured waterfall, as the admin API serves it (camelCase JSON)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

STAGES = ("node", "image", "model", "cuda", "h2d")
"""The estimator's stage names (`warmstart.estimate.StartupEstimate.stages()`)."""


class _Camel(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True
    )


class WaterfallTimes(_Camel):
    pod_created: datetime | None = None
    node_created: datetime | None = None
    node_ready: datetime | None = None
    scheduled: datetime | None = None
    pull_started: datetime | None = None
    pull_finished: datetime | None = None
    first_container_started: datetime | None = None
    container_started: datetime | None = None
    """The current run: later than the first after a restart."""
    model_ready: datetime | None = None
    cuda_ready: datetime | None = None
    weights_loaded: datetime | None = None
    first_inference: datetime | None = None
    ready: datetime | None = None


def _since(start: datetime | None, end: datetime | None) -> float | None:
    return (end - start).total_seconds() if start and end else None


class PodWaterfall(_Camel):
    uid: str
    namespace: str
    name: str
    node: str | None = None
    images: tuple[str, ...] = ()
    times: WaterfallTimes
    stages: dict[str, float] = Field(description="seconds per stage, only those measured")
    image_present: bool | None = Field(default=None, description="every image already on the node")
    restarts: int = 0
    complete: bool = Field(description="the pod became Ready")
    waiting_on: str | None = Field(
        default=None, description="not ready yet: node | image | container | app"
    )
    waiting_reason: str | None = Field(default=None, description="kubelet's, e.g. ImagePullBackOff")
    time_to_ready_s: float | None = None
    time_to_first_inference_s: float | None = None
    restart_s: float | None = Field(default=None, description="first start -> current run's start")

    @classmethod
    def of(
        cls,
        meta: Mapping[str, Any],
        spec: Mapping[str, Any],
        times: WaterfallTimes,
        stages: dict[str, float],
        present: bool | None,
        restarts: int,
        waiting_reason: str | None,
    ) -> PodWaterfall:
        complete = times.ready is not None
        return cls(
            uid=str(meta.get("uid", "")),
            namespace=str(meta.get("namespace", "")),
            name=str(meta.get("name", "")),
            node=spec.get("nodeName"),
            images=tuple(str(c.get("image", "")) for c in spec.get("containers") or ()),
            times=times,
            stages={s: stages[s] for s in STAGES if s in stages},
            image_present=present,
            restarts=restarts,
            complete=complete,
            waiting_on=None if complete else _waiting_on(times),
            waiting_reason=None if complete else waiting_reason,
            time_to_ready_s=_since(times.pod_created, times.ready),
            time_to_first_inference_s=_since(times.pod_created, times.first_inference),
            restart_s=_since(times.first_container_started, times.container_started) or None,
        )


def _waiting_on(times: WaterfallTimes) -> str:
    if times.scheduled is None:
        return "node"
    if times.container_started is None:
        return "image" if times.pull_finished is None else "container"
    return "app"
