"""Resource vectors for packing: a pod's effective request and a node's room.

Kubernetes schedules on requests, not usage, so packing must add them up the
way the scheduler does: app containers summed, each init container on its own
(the larger of the two wins), plus the pod overhead. Every name is kept as
written (cpu in cores, memory in bytes, extended resources as counts), so GPU,
MIG and CPU-only constraints all pack the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from warmstart.podspec import PodSpecError
from warmstart.quantity import QuantityError, parse_quantity

Resources = Mapping[str, float]
PODS = "pods"  # every pod takes one of the node's pod slots


@lru_cache(maxsize=4096)
def _amount(text: str) -> float:
    # A cluster repeats a few dozen quantity strings ("8", "32Gi") across every
    # pod and node; remembering them keeps a 1,500-pod snapshot cheap.
    return float(parse_quantity(text))


def parse_resource_list(raw: Mapping[str, Any], field: str) -> dict[str, float]:
    """A ResourceList (`{"cpu": "500m", ...}`) to numbers; errors name `field`."""
    parsed: dict[str, float] = {}
    for name, value in raw.items():
        try:
            parsed[str(name)] = _amount(str(value))
        except QuantityError as exc:
            raise PodSpecError(f'{field}["{name}"]: {exc}') from exc
    return parsed


def _container(container: Mapping[str, Any], field: str) -> dict[str, float]:
    resources = container.get("resources") or {}
    # The API server defaults a missing request to its limit.
    merged = {**(resources.get("limits") or {}), **(resources.get("requests") or {})}
    return parse_resource_list(merged, f"{field}.resources")


def pod_requests(spec: Mapping[str, Any]) -> dict[str, float]:
    """The effective request of a pod spec, as kube-scheduler computes it."""
    total: dict[str, float] = {}
    for i, container in enumerate(spec.get("containers") or ()):
        total = add(total, _container(container, f"Pod.spec.containers[{i}]"))
    for i, container in enumerate(spec.get("initContainers") or ()):
        init = _container(container, f"Pod.spec.initContainers[{i}]")
        total = {k: max(total.get(k, 0.0), init.get(k, 0.0)) for k in {*total, *init}}
    overhead = parse_resource_list(spec.get("overhead") or {}, "Pod.spec.overhead")
    return add(add(total, overhead), {PODS: 1.0})


def add(a: Resources, b: Resources) -> dict[str, float]:
    return {k: a.get(k, 0.0) + b.get(k, 0.0) for k in {*a, *b}}


def subtract(a: Resources, b: Resources) -> dict[str, float]:
    return {k: a.get(k, 0.0) - b.get(k, 0.0) for k in {*a, *b}}


def total(items: Iterable[Resources]) -> dict[str, float]:
    summed: dict[str, float] = {}
    for item in items:
        summed = add(summed, item)
    return summed


def shortfall(need: Resources, room: Resources) -> list[str]:
    """The resources `need` asks for beyond `room` (empty when it fits).

    A resource the node does not list at all counts as zero, like kube-scheduler;
    `pods` is only checked when the node lists it.
    """
    short = []
    for name, amount in need.items():
        if amount <= 0 or (name == PODS and name not in room):
            continue
        if amount > room.get(name, 0.0) + 1e-9:
            short.append(name)
    return short
