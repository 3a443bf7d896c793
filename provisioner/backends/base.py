"""What every backend shares: the write seam, owner metadata, and pod shapes.

A backend turns one planned node into real API objects (pure `render`) and
names the objects a release deletes; the actuator does the writing. The
primary object of each node carries the facts the observer needs to count it
as in-flight capacity after a restart (template, GPUs, purpose, pool).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from provisioner import naming
from provisioner.backends.phase import Phase
from provisioner.plan_types import NewNode
from provisioner.resources import PODS, Resources
from provisioner.state import NodeTemplate
from warmstart.kube.resources import Resource
from warmstart.kube.timefmt import k8s_time

Obj = dict[str, Any]
TEMPLATE = "warmstart.io/template"
GPUS = "warmstart.io/gpus"
PAUSE_IMAGE = "registry.k8s.io/pause:3.10"


@dataclass(frozen=True, slots=True)
class Write:
    """Create `body` (create-or-get); with `patch`, merge-patch an existing object instead."""

    resource: Resource
    body: Obj
    patch: bool = False


@dataclass(frozen=True, slots=True)
class Removal:
    resource: Resource
    name: str
    namespace: str | None = None


class Backend(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def primary(self) -> Resource:
        """The object that stands for one planned node."""
        ...

    @property
    def per_namespace(self) -> bool:
        """Whether a node for pending pods must serve pods of one namespace only
        (its objects live in, and are consumed from, that namespace)."""
        ...

    def setup(self) -> list[Write]:
        """Objects needed once, before any node (e.g. a PriorityClass)."""
        ...

    def render(self, node: NewNode, now: float) -> list[Write]: ...

    def release(self, name: str, namespace: str | None = None) -> list[Removal]:
        """What to delete to give back the object `name` (in `namespace`, if namespaced)."""
        ...

    def phase(self, obj: Obj, now: float, template: NodeTemplate | None) -> Phase:
        """Whether the capacity this object asked for is coming, there, or never coming."""
        ...


def metadata(node: NewNode, now: float, namespace: str | None = None) -> Obj:
    annotations = {
        naming.REASON: node.reason[:1000],
        TEMPLATE: node.template.name,
        GPUS: f"{node.template.gpus:g}",
        "warmstart.io/requested-at": k8s_time(now),
        "warmstart.io/estimated-ready-s": f"{node.estimate.total_s:.1f}",
    }
    if node.attempt:
        annotations[naming.ATTEMPT] = str(node.attempt)
    if node.pods:
        annotations[naming.PODS] = ",".join(node.pods)
    if node.prefetch_models:
        annotations[naming.PREFETCH_MODELS] = ",".join(node.prefetch_models)
    if node.prefetch_images:
        annotations[naming.PREFETCH_IMAGES] = ",".join(node.prefetch_images)
    meta: Obj = {"name": node.name, "labels": naming.owner_labels(node.template.pool,
                                                                   node.purpose),
                 "annotations": annotations}
    if namespace is not None:
        meta["namespace"] = namespace
    return meta


def quantity(name: str, amount: float) -> str:
    """A ResourceList value: whole numbers as integers, CPU in millicores."""
    if name == "cpu" and amount != int(amount):
        return f"{round(amount * 1000)}m"
    return str(round(amount)) if abs(amount - round(amount)) < 1e-9 else f"{amount:g}"


def resource_list(requests: Resources) -> dict[str, str]:
    return {k: quantity(k, v) for k, v in sorted(requests.items()) if v > 0 and k != PODS}


def pause_pod_spec(node: NewNode, priority_class: str | None = None) -> Obj:
    """A pause container shaped like the node's demand, pinned to its template."""
    t = node.template
    requests = resource_list(node.requests)
    extended = {k: v for k, v in requests.items() if "/" in k}  # limits must equal requests
    spec: Obj = {
        "nodeSelector": dict(t.labels),
        "terminationGracePeriodSeconds": 0,
        "containers": [{
            "name": "pause",
            "image": PAUSE_IMAGE,
            "resources": {"requests": requests, **({"limits": extended} if extended else {})},
        }],
    }
    if t.taints:
        spec["tolerations"] = [
            {"key": x.key, "operator": "Equal", "value": x.value, "effect": x.effect}
            for x in t.taints
        ]
    if priority_class is not None:
        spec["priorityClassName"] = priority_class
        spec["preemptionPolicy"] = "Never"
    return spec


def pod_template(node: NewNode, namespace: str) -> Obj:
    """A core/v1 PodTemplate of the node's shape (for buffers and requests)."""
    meta = metadata(node, 0.0, namespace)
    meta["annotations"] = {naming.REASON: meta["annotations"][naming.REASON]}
    return {
        "apiVersion": "v1",
        "kind": "PodTemplate",
        "metadata": meta,
        "template": {
            "metadata": {"labels": naming.owner_labels(node.template.pool, node.purpose)},
            "spec": pause_pod_spec(node),
        },
    }
