"""The Prefetch custom resource: how the provisioner asks a node to stage a model.

`warmstart.io/v1alpha1` Prefetch, cluster-scoped; `spec.nodeName` names the
node whose agent acts on it, `spec.uri` (+ optional `sha256`, `bytes`,
`endpoint`) what to fetch. The agent reports `status.phase` Pending ->
Downloading -> Succeeded | Failed, with a message, byte counts and times.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from agent.prefetch import PrefetchResult
from agent.sources import PrefetchRequest
from warmstart.kube.resources import Resource
from warmstart.kube.timefmt import k8s_time

PREFETCHES = Resource("warmstart.io", "v1alpha1", "prefetches", False, "Prefetch")
DONE = ("Succeeded", "Failed")


class PrefetchSpecError(ValueError):
    """A Prefetch whose spec does not parse; the message names the field."""


def request_of(obj: dict[str, Any]) -> PrefetchRequest:
    spec = dict(obj.get("spec") or {})
    spec.pop("nodeName", None)
    try:
        return PrefetchRequest.model_validate(spec)
    except ValidationError as exc:
        fields = "; ".join(f"spec.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise PrefetchSpecError(fields) from exc


def mine_to_do(objects: list[dict[str, Any]], node_name: str) -> list[dict[str, Any]]:
    """This node's Prefetches not finished yet, oldest first (Downloading ones resume)."""
    todo = [
        o
        for o in objects
        if (o.get("spec") or {}).get("nodeName") == node_name
        and (o.get("status") or {}).get("phase") not in DONE
    ]
    return sorted(
        todo, key=lambda o: (o["metadata"].get("creationTimestamp") or "", o["metadata"]["name"])
    )


def status_started(now: float) -> dict[str, Any]:
    return {"status": {"phase": "Downloading", "message": "", "startedAt": k8s_time(now)}}


def status_succeeded(result: PrefetchResult, now: float) -> dict[str, Any]:
    message = "already cached" if result.already_cached else f"fetched {result.fetched_bytes} bytes"
    if result.evicted:
        message += f"; evicted {', '.join(result.evicted)}"
    return {
        "status": {
            "phase": "Succeeded",
            "message": message,
            "bytes": result.bytes,
            "fetchedBytes": result.fetched_bytes,
            "finishedAt": k8s_time(now),
        }
    }


def status_failed(error: Exception, now: float) -> dict[str, Any]:
    return {
        "status": {
            "phase": "Failed",
            "message": f"{type(error).__name__}: {error}"[:1024],
            "finishedAt": k8s_time(now),
        }
    }


def status_retrying(error: Exception) -> dict[str, Any]:
    """A transient failure: the part file stays and the next pass resumes it."""
    return {"status": {"phase": "Pending", "message": f"will resume: {error}"[:1024]}}
