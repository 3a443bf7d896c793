"""Where one of our objects stands, read from the conditions its autoscaler writes.

Shared by the backends whose objects carry status conditions (ProvisioningRequest,
CapacityBuffer); the others read a node name. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from provisioner import naming
from provisioner.state import Failed, NodeTemplate
from warmstart.kube.timefmt import parse_k8s_time

Obj = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Phase:
    """Where one of our objects stands, read from what its autoscaler wrote.

    in-flight: its capacity is coming (counted as a booting node of its template);
    fulfilled: the capacity exists as nodes (counted as those nodes, if at all);
    failed: it will bring nothing (not counted; retried after a backoff, then removed).
    `since` is when it entered this phase (a condition's lastTransitionTime).
    """

    state: Literal["in-flight", "fulfilled", "failed"]
    since: float = 0.0
    reason: str = ""


IN_FLIGHT = Phase("in-flight")
FULFILLED = Phase("fulfilled")


def condition(obj: Obj, kind: str) -> tuple[str, float, str] | None:
    """A status condition of `obj`: (status, lastTransitionTime, reason: message)."""
    for c in (obj.get("status") or {}).get("conditions") or ():
        if isinstance(c, dict) and c.get("type") == kind:
            why = ": ".join(x for x in (str(c.get("reason") or ""), str(c.get("message") or ""))
                            if x)
            return str(c.get("status")), parse_k8s_time(c.get("lastTransitionTime"), 0.0), why
    return None


def unanswered(obj: Obj, now: float, timeout_s: float) -> Phase:
    """An object its autoscaler has not written a condition on yet: in flight until
    `timeout_s` after its creation, then failed (no autoscaler is serving this kind)."""
    created = parse_k8s_time((obj.get("metadata") or {}).get("creationTimestamp"), now)
    if now - created < timeout_s:
        return IN_FLIGHT
    return Phase("failed", created + timeout_s,
                 f"no autoscaler answered within {timeout_s:g} s")


def failed_from(obj: Obj, template: NodeTemplate | None, phase: Phase) -> Failed:
    """A failed object as the planner retries it: its base name, attempt and pool."""
    meta = obj["metadata"]
    try:
        attempt = max(int((meta.get("annotations") or {}).get(naming.ATTEMPT) or 0), 0)
    except ValueError:
        attempt = 0
    name = meta["name"]
    suffix = f"-r{attempt}"
    base = name[:-len(suffix)] if attempt and name.endswith(suffix) else name
    pool = template.pool if template else (meta.get("labels") or {}).get(naming.POOL, "default")
    return Failed(name=name, base=base, pool=pool, attempt=attempt, since=phase.since,
                  reason=phase.reason, namespace=meta.get("namespace"))

