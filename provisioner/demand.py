"""Which pods the provisioner serves, read from their raw API JSON.

A pod is ours to serve when it is Pending, not bound, not being deleted, not
already nominated to a node by preemption, and not one of our placeholders.
Reading reuses `warmstart.podspec` for what the estimate needs; a bad field
becomes a PodError naming it, and the other pods are still served.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from provisioner.constraints import parse_placement
from provisioner.memo import VersionMemo
from provisioner.naming import CONSUME_REQUEST, PLACEHOLDER, PREFIX
from provisioner.resources import pod_requests
from provisioner.state import PendingPod, PodError
from warmstart.kube.timefmt import parse_k8s_time
from warmstart.podspec import ModelCatalog, PodSpecError, pod_demand


def is_placeholder(pod: Mapping[str, Any]) -> bool:
    return PLACEHOLDER in ((pod.get("metadata") or {}).get("labels") or {})


def _foreign_request(meta: Mapping[str, Any]) -> bool:
    """It consumes a ProvisioningRequest someone else made: that request serves it."""
    name = str((meta.get("annotations") or {}).get(CONSUME_REQUEST) or "")
    return bool(name) and not name.startswith(f"{PREFIX}-")


def wants_capacity(pod: Mapping[str, Any]) -> bool:
    meta = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    return (
        status.get("phase", "Pending") == "Pending"
        and not spec.get("nodeName")
        and not meta.get("deletionTimestamp")
        and not status.get("nominatedNodeName")
        and not is_placeholder(pod)
        and not _foreign_request(meta)
    )


def pod_ref(pod: Mapping[str, Any]) -> tuple[str, str]:
    meta = pod.get("metadata") or {}
    uid = str(meta.get("uid") or "")
    return uid, f"{meta.get('namespace', '')}/{meta.get('name', '')}"


def pending_pod(pod: Mapping[str, Any], catalog: ModelCatalog | None = None) -> PendingPod:
    """Parse one pending pod; raises PodSpecError naming the bad field."""
    uid, ref = pod_ref(pod)
    if not uid:
        raise PodSpecError("Pod.metadata.uid: missing")
    spec = pod.get("spec") or {}
    meta = pod.get("metadata") or {}
    namespace, name = ref.split("/", 1)
    return PendingPod(
        uid=uid,
        namespace=namespace,
        name=name,
        requests=pod_requests(spec),
        placement=parse_placement(spec),
        demand=pod_demand(pod, catalog),
        created_at=parse_k8s_time(meta.get("creationTimestamp")),
    )


def _parse(pod: dict[str, Any], catalog: ModelCatalog | None) -> PendingPod | PodError:
    try:
        return pending_pod(pod, catalog)
    except (ValueError, TypeError, KeyError, AttributeError, ArithmeticError) as exc:
        # Any malformed field (PodSpecError, a quantity the strict grammar refuses, a
        # list where an object belongs) is this pod's problem, reported as data.
        uid, ref = pod_ref(pod)
        why = str(exc) if isinstance(exc, PodSpecError) else f"{type(exc).__name__}: {exc}"
        return PodError(uid, ref, why, kind="unreadable")


def read_pending(
    pods: list[dict[str, Any]],
    catalog: ModelCatalog | None = None,
    memo: VersionMemo[PendingPod | PodError] | None = None,
) -> tuple[tuple[PendingPod, ...], tuple[PodError, ...]]:
    """The pods that want capacity, and those whose spec we could not read."""
    memo = memo if memo is not None else VersionMemo()
    ok: list[PendingPod] = []
    bad: list[PodError] = []
    for pod in pods:
        if not wants_capacity(pod):
            continue
        parsed = memo.get(pod, lambda p: _parse(p, catalog))
        if isinstance(parsed, PendingPod):
            ok.append(parsed)
        else:
            bad.append(parsed)
    return tuple(ok), tuple(bad)
