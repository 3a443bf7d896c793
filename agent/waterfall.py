"""Where one pod's start-up went: its waterfall, derived from Kubernetes and the app.

A pure function of the pod, its Events, its Node and the app's marks. The
stages carry the estimator's names (`StartupEstimate.stages()`), so measured
and estimated waterfalls compare key by key:
  node   created -> scheduled (waiting for capacity, then for the scheduler)
  image  kubelet's pull time of the first attempt (0 when already present)
  model  the storage-initializer's run, then container start -> model_ready
  cuda   previous mark -> cuda_ready
  h2d    previous mark -> weights_loaded
App marks are taken in the order they happened, from the start of the
container's current run; a mark from before a restart is ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from agent.app_contract import app_marks
from agent.pod_events import PodEvent, events_of, parse_time
from agent.waterfall_record import PodWaterfall, WaterfallTimes

STORAGE_INITIALIZER = "storage-initializer"
_MARK_STAGE = {"model_ready": "model", "cuda_ready": "cuda", "weights_loaded": "h2d"}


def _condition(obj: Mapping[str, Any], kind: str) -> datetime | None:
    for cond in (obj.get("status") or {}).get("conditions") or ():
        if cond.get("type") == kind and cond.get("status") == "True":
            return parse_time(cond.get("lastTransitionTime"))
    return None


def _first_per_container(events: list[PodEvent], reason: str) -> dict[str | None, PodEvent]:
    first: dict[str | None, PodEvent] = {}
    for event in events:
        if event.reason == reason and event.container not in first:
            first[event.container] = event
    return first


def _image(
    events: list[PodEvent],
) -> tuple[float | None, datetime | None, datetime | None, bool | None]:
    """Seconds pulling, pull start and end, and whether every image was already there."""
    pulling = _first_per_container(events, "Pulling")
    pulled = _first_per_container(events, "Pulled")
    if not pulled:
        start = min((e.first for e in pulling.values()), default=None)
        return None, start, None, None
    present = all(e.already_present for e in pulled.values())
    seconds = 0.0
    for container, event in pulled.items():
        if event.already_present:
            continue
        measured = event.pull_seconds
        began = pulling.get(container)
        span = (event.first - began.first).total_seconds() if began else 0.0
        seconds += measured if measured is not None else span
    start = min((e.first for e in pulling.values()), default=None)
    return seconds, start, max(e.first for e in pulled.values()), present


def _runs(status: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    return list(status.get(key) or ())


def _started(status: Mapping[str, Any]) -> datetime | None:
    """When the last of the containers started its current run (None until all run)."""
    starts = [
        parse_time(((c.get("state") or {}).get("running") or {}).get("startedAt"))
        for c in _runs(status, "containerStatuses")
    ]
    known = [start for start in starts if start is not None]
    return max(known) if known and len(known) == len(starts) else None


def _initializer_s(status: Mapping[str, Any]) -> float | None:
    for init in _runs(status, "initContainerStatuses"):
        done = (init.get("state") or {}).get("terminated") or {}
        began, ended = parse_time(done.get("startedAt")), parse_time(done.get("finishedAt"))
        if init.get("name") == STORAGE_INITIALIZER and began and ended:
            return (ended - began).total_seconds()
    return None


def _app_stages(
    start: datetime | None, marks: Mapping[str, datetime], stages: dict[str, float]
) -> None:
    if start is None:
        return
    previous = start
    for mark, when in sorted(marks.items(), key=lambda kv: kv[1]):
        if when < start or mark not in _MARK_STAGE:
            continue
        stage = _MARK_STAGE[mark]
        stages[stage] = stages.get(stage, 0.0) + (when - previous).total_seconds()
        previous = when


def derive_waterfall(
    pod: Mapping[str, Any],
    events: Iterable[Mapping[str, Any]],
    node: Mapping[str, Any] | None = None,
    metrics_text: str | None = None,
) -> PodWaterfall:
    meta, status = pod.get("metadata") or {}, pod.get("status") or {}
    mine = events_of(pod, events)
    marks = app_marks(meta.get("annotations") or {}, metrics_text)
    created = parse_time(meta.get("creationTimestamp"))
    scheduled, ready = _condition(pod, "PodScheduled"), _condition(pod, "Ready")
    image_s, pull_start, pull_end, present = _image(mine)
    started = _started(status)
    first_start = max(
        _first_per_container(mine, "Started").values(), key=lambda e: e.first, default=None
    )
    stages: dict[str, float] = {}
    if created and scheduled:
        stages["node"] = (scheduled - created).total_seconds()
    if image_s is not None:
        stages["image"] = image_s
    initializer = _initializer_s(status)
    if initializer is not None:
        stages["model"] = initializer
    _app_stages(started, {k: v for k, v in marks.items() if started and v >= started}, stages)
    times = WaterfallTimes(
        pod_created=created,
        scheduled=scheduled,
        pull_started=pull_start,
        pull_finished=pull_end,
        first_container_started=first_start.first if first_start else started,
        container_started=started,
        ready=ready,
        node_created=parse_time(((node or {}).get("metadata") or {}).get("creationTimestamp")),
        node_ready=_condition(node or {}, "Ready"),
        **marks,
    )
    restarts = sum(int(c.get("restartCount") or 0) for c in _runs(status, "containerStatuses"))
    return PodWaterfall.of(
        meta,
        pod.get("spec") or {},
        times,
        stages,
        present,
        restarts,
        _waiting_reason(status),
    )


def _waiting_reason(status: Mapping[str, Any]) -> str | None:
    for c in _runs(status, "initContainerStatuses") + _runs(status, "containerStatuses"):
        waiting = (c.get("state") or {}).get("waiting")
        if waiting:
            return str(waiting.get("reason") or "Waiting")
    return None
