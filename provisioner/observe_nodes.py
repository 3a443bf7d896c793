"""What a Node and the pods bound to it offer the planner.

The parts of a Node that do not change between its updates (labels, taints,
allocatable, images, template) are parsed once per resourceVersion; the parts
that do (requests of bound pods, boot time left) are added per snapshot.
Placeholders are not counted as using the node: real pods preempt them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from provisioner.constraints import Taint, parse_taint
from provisioner.demand import is_placeholder
from provisioner.memo import VersionMemo
from provisioner.resources import add, parse_resource_list, pod_requests
from provisioner.state import GPU, NodeTemplate
from warmstart.domain import PoolDefaults
from warmstart.estimate import NodeView
from warmstart.estimate.startup import node_seconds
from warmstart.images import node_images
from warmstart.kube.timefmt import parse_k8s_time
from warmstart.podspec import pod_demand

Obj = dict[str, Any]
POOL_LABELS = ("karpenter.sh/nodepool", "cloud.google.com/gke-nodepool",
               "eks.amazonaws.com/nodegroup", "kubernetes.azure.com/agentpool")
INSTANCE_TYPE = "node.kubernetes.io/instance-type"
@dataclass(frozen=True, slots=True)
class NodeFacts:
    name: str
    pool: str
    labels: dict[str, str]
    taints: tuple[Taint, ...]
    allocatable: dict[str, float]
    images: frozenset[str]
    image_bytes: dict[str, int]
    template: NodeTemplate | None
    defaults: PoolDefaults
    created: float | None
    ready: bool


@dataclass
class NodeUse:
    requested: dict[str, float] = field(default_factory=dict)
    real_pods: int = 0
    placeholders: list[str] = field(default_factory=list)


def template_for(labels: Mapping[str, str],
                 templates: tuple[NodeTemplate, ...]) -> NodeTemplate | None:
    itype = labels.get(INSTANCE_TYPE)
    if itype is None:
        return None
    return next((t for t in templates if t.label_map.get(INSTANCE_TYPE) == itype), None)


def boot_seconds(template: NodeTemplate | None) -> float:
    """A new node's boot time: the pool's, else the estimate's global default."""
    pool = template.defaults if template is not None else None
    return node_seconds(NodeView(name="", pool=pool, boot_remaining_s=None))


def node_facts(node: Obj, templates: tuple[NodeTemplate, ...]) -> NodeFacts:
    meta, spec, status = node["metadata"], node.get("spec") or {}, node.get("status") or {}
    name = meta["name"]
    labels = dict(meta.get("labels") or {})
    template = template_for(labels, templates)
    pool = next((labels[k] for k in POOL_LABELS if k in labels),
                template.pool if template else "default")
    images, sizes = node_images(node)
    conditions = status.get("conditions") or ()
    return NodeFacts(
        name=name, pool=pool, labels=labels,
        taints=tuple(parse_taint(t, f"Node {name}.spec.taints[{i}]")
                     for i, t in enumerate(spec.get("taints") or ())),
        allocatable=parse_resource_list(status.get("allocatable") or {},
                                        f"Node {name}.status.allocatable"),
        images=images, image_bytes=sizes, template=template,
        defaults=template.defaults if template and template.defaults else PoolDefaults(name=pool),
        created=parse_k8s_time(meta.get("creationTimestamp"), 0.0) or None,
        ready=any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions),
    )


def _requests(pod: Obj) -> tuple[dict[str, float], str | None] | None:
    """A bound pod's requests and the model it loads."""
    try:
        model = pod_demand(pod).model
        return pod_requests(pod.get("spec") or {}), model.uri if model else None
    except (ValueError, TypeError, KeyError, AttributeError, ArithmeticError):
        return None  # admitted by the API server, so only our reading failed; skip it


def usage(pods: list[Obj], memo: VersionMemo[Any]) -> tuple[dict[str, NodeUse], dict[str, float]]:
    """Per node, what real pods use; per model URI, the GPUs its bound pods hold."""
    use: dict[str, NodeUse] = {}
    serving: dict[str, float] = {}
    for pod in pods:
        node = (pod.get("spec") or {}).get("nodeName")
        if not node or (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            continue
        u = use.setdefault(node, NodeUse())
        if is_placeholder(pod):
            u.placeholders.append(pod["metadata"]["name"])
            continue
        parsed = memo.get(pod, _requests)
        if parsed is None:
            continue
        requests, model = parsed
        u.requested = add(u.requested, requests)
        u.real_pods += 1
        if model is not None:
            serving[model] = serving.get(model, 0.0) + requests.get(GPU, 0.0)
    return use, serving
