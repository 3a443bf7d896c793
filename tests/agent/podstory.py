"""Realistic pod, Event and Node objects (API shapes as kubectl -o json shows them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2026, 11, 28, 1, 0, 0, tzinfo=UTC)
UID = "6f1c2a8e-3b7d-4f0e-9a51-2c8d7e4b9f10"
IMAGE = "vllm/vllm-openai:v0.6.3"


def ts(seconds: float) -> str:
    """T0 + seconds, as the API writes metav1.Time (whole seconds)."""
    return (T0 + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def event(
    reason: str,
    message: str,
    first: float,
    last: float | None = None,
    count: int = 1,
    container: str | None = "vllm",
    uid: str = UID,
    name: str = "llama-0",
) -> dict[str, Any]:
    involved: dict[str, Any] = {
        "kind": "Pod",
        "namespace": "ml",
        "name": name,
        "uid": uid,
        "apiVersion": "v1",
        "resourceVersion": "4711",
    }
    if container:
        involved["fieldPath"] = f"spec.containers{{{container}}}"
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "type": "Normal" if reason != "BackOff" else "Warning",
        "metadata": {"name": f"{name}.{int(first):x}{reason.lower()}", "namespace": "ml"},
        "involvedObject": involved,
        "reason": reason,
        "message": message,
        "source": {"component": "kubelet", "host": "gpu-node-7"},
        "firstTimestamp": ts(first),
        "lastTimestamp": ts(last if last is not None else first),
        "count": count,
        "reportingComponent": "kubelet",
        "reportingInstance": "gpu-node-7",
    }


def pulled(first: float, took: str) -> dict[str, Any]:
    return event(
        "Pulled",
        f'Successfully pulled image "{IMAGE}" in {took} ({took} including '
        "waiting). Image size: 9841312768 bytes.",
        first,
    )


def already_present(first: float) -> dict[str, Any]:
    return event("Pulled", f'Container image "{IMAGE}" already present on machine', first)


def condition(kind: str, at: float | None, status: str = "True") -> dict[str, Any]:
    return {
        "type": kind,
        "status": status,
        "lastProbeTime": None,
        "lastTransitionTime": ts(at) if at is not None else None,
    }


def pod(
    conditions: list[dict[str, Any]],
    container_status: dict[str, Any] | None,
    annotations: dict[str, str] | None = None,
    init: list[dict[str, Any]] | None = None,
    restarts: int = 0,
) -> dict[str, Any]:
    statuses = []
    if container_status is not None:
        statuses.append(
            {
                "name": "vllm",
                "image": IMAGE,
                "imageID": "",
                "ready": False,
                "restartCount": restarts,
                "started": True,
                "state": container_status,
            }
        )
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "llama-0",
            "namespace": "ml",
            "uid": UID,
            "creationTimestamp": ts(0),
            "annotations": annotations or {},
        },
        "spec": {"nodeName": "gpu-node-7", "containers": [{"name": "vllm", "image": IMAGE}]},
        "status": {
            "phase": "Running" if container_status else "Pending",
            "conditions": conditions,
            "containerStatuses": statuses,
            "initContainerStatuses": init or [],
        },
    }


def running(since: float) -> dict[str, Any]:
    return {"running": {"startedAt": ts(since)}}


def node(created: float, ready: float) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "gpu-node-7", "creationTimestamp": ts(created)},
        "status": {"conditions": [condition("Ready", ready)]},
    }
