"""Build the planner's snapshot from what the informers hold (raw API JSON).

Nodes become capacity (allocatable minus the requests of real pods bound to
them). Our own objects that have not become a node yet become in-flight
capacity of their template, keeping the pods they were asked for, so a pod is
packed onto a node already asked for instead of asking twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from provisioner import naming
from provisioner.backends.base import GPUS, TEMPLATE, Backend
from provisioner.backends.phase import failed_from
from provisioner.demand import read_pending
from provisioner.memo import SnapshotMemo
from provisioner.observe_nodes import NodeFacts, NodeUse, boot_seconds, node_facts, usage
from provisioner.state import GPU, Capacity, ClusterState, NodeTemplate, Owned
from warmstart.domain import NodeInventory
from warmstart.estimate import NodeView
from warmstart.kube.timefmt import parse_k8s_time
from warmstart.podspec import ModelCatalog
from warmstart.quantity import QuantityError, parse_size

Obj = dict[str, Any]


@dataclass
class Sources:
    pods: list[Obj]
    nodes: list[Obj]
    owned: list[Obj]  # the backend's primary objects that carry our managed-by label
    templates: tuple[NodeTemplate, ...]
    inventories: list[Obj] = field(default_factory=list)  # NodeCache objects
    catalog: ModelCatalog | None = None
    aliases: dict[str, str] = field(default_factory=dict)  # served model name -> Model URI


def _inventories(objs: list[Obj]) -> dict[str, NodeInventory]:
    found: dict[str, NodeInventory] = {}
    for obj in objs:
        try:
            inv = NodeInventory.model_validate(obj.get("status") or {})
        except ValidationError:
            continue  # the agent's status is not usable yet: image facts still apply
        found[inv.node_name] = inv
    return found


def node_capacity(facts: NodeFacts, use: NodeUse, inventory: NodeInventory | None,
                  owner: str | None, now: float) -> Capacity:
    age = now - (facts.created if facts.created is not None else now)
    remaining = 0.0 if facts.ready else max(boot_seconds(facts.template) - age, 0.0)
    view = NodeView(name=facts.name, images=facts.images, inventory=inventory,
                    pool=facts.defaults, boot_remaining_s=remaining)
    return Capacity(
        name=facts.name, pool=facts.pool, labels=facts.labels, allocatable=facts.allocatable,
        requested=use.requested, view=view, taints=facts.taints,
        owner=owner or (use.placeholders[0] if use.placeholders else None),
        price_per_hour=facts.template.price_per_hour if facts.template else 0.0,
    )


def _node_of(obj: Obj) -> str | None:
    """The node a primary object became (NodeClaim status, or a bound placeholder)."""
    return (obj.get("status") or {}).get("nodeName") or (obj.get("spec") or {}).get("nodeName")


def in_flight(obj: Obj, template: NodeTemplate, now: float, per_namespace: bool) -> Capacity:
    meta = obj["metadata"]
    age = now - parse_k8s_time(meta.get("creationTimestamp"), now)
    base = template.view(meta["name"])
    view = NodeView(name=base.name, images=base.images, inventory=base.inventory,
                    pool=base.pool, boot_remaining_s=max(boot_seconds(template) - age, 0.0))
    return Capacity(
        name=meta["name"], pool=template.pool, labels=template.label_map,
        allocatable=template.allocatable, requested={}, view=view, taints=template.taints,
        owner=meta["name"], price_per_hour=template.price_per_hour,
        intended=frozenset(filter(None, (meta.get("annotations") or {})
                                  .get(naming.PODS, "").split(","))),
        namespace=meta.get("namespace") if per_namespace else None,
        exclusive=per_namespace,
    )


def _gpus(annotated: str | None, template: NodeTemplate | None) -> float:
    """The GPUs we asked for, from our own annotation; one edited into something that is
    no quantity counts as its template's, so one object cannot stop planning."""
    try:
        return float(parse_size(annotated or "0"))
    except QuantityError:
        return template.allocatable.get(GPU, 0.0) if template else 0.0


def _owned(obj: Obj, template: NodeTemplate | None, use: Mapping[str, NodeUse],
           last_busy: Mapping[str, float], now: float) -> Owned:
    meta = obj["metadata"]
    labels, annotations = meta.get("labels") or {}, meta.get("annotations") or {}
    node = _node_of(obj)
    created = parse_k8s_time(meta.get("creationTimestamp"), now)
    return Owned(
        name=meta["name"],
        pool=template.pool if template else labels.get(naming.POOL, "default"),
        purpose=labels.get(naming.PURPOSE, ""),
        gpus=_gpus(annotations.get(GPUS), template),
        real_pods=use[node].real_pods if node and node in use else 0,
        idle_since=max(created, last_busy.get(meta["name"], created)),
        namespace=meta.get("namespace"),
    )


def snapshot(src: Sources, backend: Backend, now: float, observed_at: float,
             last_busy: Mapping[str, float], recent_creations: tuple[float, ...] = (),
             memo: SnapshotMemo | None = None) -> ClusterState:
    """The planner's view of the cluster, as of `observed_at`."""
    memo = memo if memo is not None else SnapshotMemo()
    pending, unreadable = read_pending(src.pods, src.catalog, memo.pending)
    use, serving = usage(src.pods, memo.requests)
    for p in pending:
        if p.demand.model is not None:
            serving[p.demand.model.uri] = serving.get(p.demand.model.uri, 0.0) \
                + p.requests.get(GPU, 0.0)
    inventories = _inventories(src.inventories)
    mine = [o for o in src.owned
            if ((o.get("metadata") or {}).get("labels") or {}).get(naming.MANAGED_BY)
            == naming.MANAGER]
    owners = {node: o["metadata"]["name"] for o in mine if (node := _node_of(o))}
    sizes: dict[str, int] = {}
    capacity: list[Capacity] = []
    for raw in src.nodes:
        facts: NodeFacts = memo.nodes.get(raw, lambda n: node_facts(n, src.templates))
        sizes.update(facts.image_bytes)
        capacity.append(node_capacity(facts, use.get(facts.name, NodeUse()),
                                      inventories.get(facts.name), owners.get(facts.name), now))
    by_template = {t.name: t for t in src.templates}
    owned, failed = [], []
    for obj in mine:
        template = by_template.get((obj["metadata"].get("annotations") or {}).get(TEMPLATE, ""))
        phase = backend.phase(obj, now, template)
        if phase.state == "failed":
            failed.append(failed_from(obj, template, phase))
            continue
        if template is not None and phase.state == "in-flight":
            capacity.append(in_flight(obj, template, now, backend.per_namespace))
        owned.append(_owned(obj, template, use, last_busy, now))
    memo.sweep()
    return ClusterState(observed_at=observed_at, pending=pending, capacity=tuple(capacity),
                        templates=src.templates, owned=tuple(owned), unreadable=unreadable,
                        recent_creations=recent_creations, image_bytes=sizes,
                        serving=serving, failed=tuple(failed),
                        per_namespace=backend.per_namespace)
