"""What `plan` returns: actions with their reasons, and what it would not do.

Values only; the actuator turns them into API calls and the decisions log
keeps them for the admin API. Per-pod failures are data (`PodError`), never
an exception that stops the other pods being served.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from provisioner.resources import Resources
from provisioner.state import NodeTemplate, PodError
from warmstart.estimate import StartupEstimate

__all__ = ["PodError"]

PENDING = "pending"
HEADROOM = "headroom"


@dataclass(frozen=True, slots=True)
class NewNode:
    """Ask for one node of `template`, for these pods or as forecast headroom."""

    name: str
    template: NodeTemplate
    purpose: str
    pods: tuple[str, ...]  # pod UIDs it is meant for (empty for headroom)
    pod_refs: tuple[str, ...]
    requests: Resources  # what the pods (or the forecast) need of it
    estimate: StartupEstimate
    reason: str
    prefetch_models: tuple[str, ...] = ()
    prefetch_images: tuple[str, ...] = ()
    attempt: int = 0  # how many earlier objects for this node failed (name suffix -r<n>)
    namespace: str | None = None  # the pods' namespace when the backend writes there


@dataclass(frozen=True, slots=True)
class Release:
    """Give back capacity we own that has idled past its keep-alive."""

    name: str
    pool: str
    reason: str
    namespace: str | None = None


@dataclass(frozen=True, slots=True)
class Placed:
    """A pending pod that fits capacity already there or already asked for."""

    pod: str
    pod_ref: str
    node: str
    estimate: StartupEstimate


@dataclass(frozen=True, slots=True)
class Decision:
    """One thing the planner chose not to do, and why (a cap hit, stale state)."""

    kind: str
    subject: str
    reason: str


@dataclass(frozen=True, slots=True)
class Plan:
    now: float
    creates: tuple[NewNode, ...] = ()
    releases: tuple[Release, ...] = ()
    placed: tuple[Placed, ...] = ()
    pod_errors: tuple[PodError, ...] = ()
    decisions: tuple[Decision, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not (self.creates or self.releases)


def plan_to_json(plan: Plan) -> dict[str, object]:
    """The plan as plain JSON, for `warmstart provisioner plan` and the admin API."""
    return {
        "now": plan.now,
        "creates": [{
            "name": c.name, "template": c.template.name, "pool": c.template.pool,
            "purpose": c.purpose, "pods": list(c.pod_refs), "reason": c.reason,
            "estimate_s": round(c.estimate.total_s, 1),
            "stages": {k: round(v, 1) for k, v in c.estimate.stages().items()},
        } for c in plan.creates],
        "releases": [{"name": r.name, "pool": r.pool, "reason": r.reason}
                     for r in plan.releases],
        "placed": [{"pod": p.pod_ref, "node": p.node,
                    "estimate_s": round(p.estimate.total_s, 1)} for p in plan.placed],
        "pod_errors": [{"pod": e.pod_ref, "reason": e.reason} for e in plan.pod_errors],
        "decisions": [{"kind": d.kind, "subject": d.subject, "reason": d.reason}
                      for d in plan.decisions],
    }
