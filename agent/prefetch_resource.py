"""The Prefetch custom resource: how the provisioner asks a node to stage a model.

`warmstart.io/v1alpha1` Prefetch, cluster-scoped; `spec.nodeName` names the
node whose agent acts on it, `spec.uri` (+ optional `sha256`, `bytes`,
`endpoint`) the model to fetch and `spec.images` the container images to
pre-pull (either or both). The agent reports `status.phase` Pending ->
Downloading -> Succeeded | Failed, with a message, byte counts, times and one
entry per image in `status.images`.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from agent.image_prepull import ImageOutcome
from agent.prefetch import PrefetchResult
from agent.sources import PrefetchRequest
from warmstart.kube.resources import PREFETCHES as PREFETCHES  # where the agent looks
from warmstart.kube.timefmt import k8s_time

DONE = ("Succeeded", "Failed")


class PrefetchSpecError(ValueError):
    """A Prefetch whose spec does not parse; the message names the field."""


def request_of(obj: dict[str, Any]) -> PrefetchRequest | None:
    """The model to fetch, or None for a Prefetch that names images only."""
    spec = dict(obj.get("spec") or {})
    spec.pop("nodeName", None)
    spec.pop("images", None)
    if "uri" not in spec:
        return None
    try:
        return PrefetchRequest.model_validate(spec)
    except ValidationError as exc:
        fields = "; ".join(f"spec.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise PrefetchSpecError(fields) from exc


def images_of(obj: dict[str, Any]) -> tuple[str, ...]:
    images = (obj.get("spec") or {}).get("images") or []
    if not isinstance(images, list) or not all(isinstance(i, str) and i for i in images):
        raise PrefetchSpecError("spec.images: expected a list of image names")
    return tuple(images)


def requested_images(objects: list[dict[str, Any]], node_name: str) -> tuple[str, ...]:
    """Every image this node's Prefetches name, finished or not (what it should hold)."""
    return tuple(
        image
        for o in objects
        if (o.get("spec") or {}).get("nodeName") == node_name
        for image in (o.get("spec") or {}).get("images") or ()
        if isinstance(image, str)
    )


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


def status_succeeded(result: PrefetchResult | None, images: tuple[ImageOutcome, ...],
                     now: float) -> dict[str, Any]:
    """Succeeded: the model is in the cache (if one was asked for) and every image was
    pulled, was present, or was skipped with its reason; a failed pull fails the whole."""
    status: dict[str, Any] = {"finishedAt": k8s_time(now)}
    parts = []
    if result is not None:
        parts.append("already cached" if result.already_cached
                     else f"fetched {result.fetched_bytes} bytes")
        if result.evicted:
            parts.append(f"evicted {', '.join(result.evicted)}")
        status.update(bytes=result.bytes, fetchedBytes=result.fetched_bytes)
    if images:
        status["images"] = [i.status() for i in images]
        parts.append(", ".join(f"{i.image}: {i.phase}" for i in images))
    failed = any(i.phase == "Failed" for i in images)
    status.update(phase="Failed" if failed else "Succeeded", message="; ".join(parts)[:1024])
    return {"status": status}


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
