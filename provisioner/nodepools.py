"""Karpenter NodePools refine the node templates of the settings file.

A template whose `pool` names a NodePool takes from it what the settings left
out (its nodeClassRef, taints, template labels) and is dropped while its own
labels break one of the NodePool's requirements: Karpenter would never
launch such a node, so the planner must not count on it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from provisioner.constraints import Taint, parse_requirement, parse_taint
from provisioner.state import NodeTemplate

Obj = dict[str, Any]


def _requirements_hold(template: NodeTemplate, spec: Obj, name: str) -> bool:
    labels = template.label_map
    for i, raw in enumerate(spec.get("requirements") or ()):
        req = parse_requirement(raw, f"NodePool {name}.spec.template.spec.requirements[{i}]")
        if req.key in labels and not req.matches(labels):
            return False  # a key we do not set is the NodePool's to choose
    return True


def refine(template: NodeTemplate, nodepool: Obj) -> NodeTemplate | None:
    """The template as its NodePool allows it, or None if the NodePool forbids it."""
    name = nodepool["metadata"]["name"]
    tmpl = (nodepool.get("spec") or {}).get("template") or {}
    spec = tmpl.get("spec") or {}
    if not _requirements_hold(template, spec, name):
        return None
    ref = spec.get("nodeClassRef") or {}
    node_class = template.node_class or (
        (str(ref["group"]), str(ref["kind"]), str(ref["name"])) if ref.get("name") else None)
    taints: tuple[Taint, ...] = template.taints or tuple(
        parse_taint(t, f"NodePool {name}.spec.template.spec.taints[{i}]")
        for i, t in enumerate(spec.get("taints") or ()))
    labels = {**((tmpl.get("metadata") or {}).get("labels") or {}), **template.label_map}
    return replace(template, node_class=node_class, taints=taints,
                   labels=tuple(sorted(labels.items())), nodepool=name)


def with_nodepools(templates: tuple[NodeTemplate, ...],
                   nodepools: list[Obj]) -> tuple[NodeTemplate, ...]:
    """Templates refined by the NodePools their pool names; others unchanged."""
    by_name = {p["metadata"]["name"]: p for p in nodepools}
    refined = []
    for t in templates:
        pool = by_name.get(t.pool)
        kept = refine(t, pool) if pool is not None else t
        if kept is not None:
            refined.append(kept)
    return tuple(refined)
