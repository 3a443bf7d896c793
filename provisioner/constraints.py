"""Where a pod may run: nodeSelector, required node affinity, tolerations.

The planner must never add a node the pod cannot land on, so these checks
follow kube-scheduler's NodeAffinity and TaintToleration filters: selector
terms are ORed, expressions inside a term ANDed; only NoSchedule and NoExecute
taints repel. Zones are plain labels (`topology.kubernetes.io/zone`) and go
through the same checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from warmstart.podspec import PodSpecError

OPERATORS = frozenset({"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"})
REPELLING_EFFECTS = frozenset({"NoSchedule", "NoExecute"})


@dataclass(frozen=True, slots=True)
class Requirement:
    key: str
    operator: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        value = labels.get(self.key)
        if self.operator == "In":
            return value is not None and value in self.values
        if self.operator == "NotIn":
            return value is None or value not in self.values
        if self.operator == "Exists":
            return value is not None
        if self.operator == "DoesNotExist":
            return value is None
        return _compare(value, self.operator, self.values)


def _compare(value: str | None, operator: str, values: tuple[str, ...]) -> bool:
    try:
        have, bound = int(value or ""), int(values[0])
    except (ValueError, IndexError):
        return False  # kube-scheduler treats a non-integer as "does not match"
    return have > bound if operator == "Gt" else have < bound


@dataclass(frozen=True, slots=True)
class Taint:
    key: str
    value: str = ""
    effect: str = "NoSchedule"


@dataclass(frozen=True, slots=True)
class Toleration:
    key: str = ""
    operator: str = "Equal"
    value: str = ""
    effect: str = ""

    def tolerates(self, taint: Taint) -> bool:
        if self.effect and self.effect != taint.effect:
            return False
        if not self.key:
            return self.operator == "Exists"  # an empty key with Exists tolerates all
        if self.key != taint.key:
            return False
        return self.operator == "Exists" or self.value == taint.value


@dataclass(frozen=True, slots=True)
class Placement:
    """The hard placement rules of one pod."""

    node_selector: tuple[tuple[str, str], ...] = ()
    terms: tuple[tuple[Requirement, ...], ...] = ()
    tolerations: tuple[Toleration, ...] = ()

    def rejects(self, labels: Mapping[str, str], taints: tuple[Taint, ...]) -> str | None:
        """Why a node with these labels and taints cannot take the pod, or None."""
        for key, value in self.node_selector:
            if labels.get(key) != value:
                return f"nodeSelector {key}={value}"
        if self.terms and not any(all(r.matches(labels) for r in t) for t in self.terms):
            return "required node affinity"
        for taint in taints:
            if taint.effect in REPELLING_EFFECTS and not any(
                t.tolerates(taint) for t in self.tolerations
            ):
                return f"untolerated taint {taint.key}={taint.value}:{taint.effect}"
        return None


def parse_requirement(raw: Mapping[str, Any], field: str) -> Requirement:
    operator = raw.get("operator")
    if operator not in OPERATORS:
        raise PodSpecError(
            f"{field}.operator: expected one of {sorted(OPERATORS)}, got {operator!r}"
        )
    key = raw.get("key")
    if not isinstance(key, str) or not key:
        raise PodSpecError(f"{field}.key: missing")
    values = tuple(str(v) for v in raw.get("values") or ())
    if operator in ("Gt", "Lt") and len(values) != 1:
        raise PodSpecError(f"{field}.values: {operator} takes exactly one value")
    return Requirement(key, operator, values)


def parse_taint(raw: Mapping[str, Any], field: str) -> Taint:
    if not raw.get("key"):
        raise PodSpecError(f"{field}.key: missing")
    return Taint(str(raw["key"]), str(raw.get("value") or ""), str(raw.get("effect") or ""))


def _terms(spec: Mapping[str, Any]) -> tuple[tuple[Requirement, ...], ...]:
    field = "Pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
    required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    terms = []
    for i, term in enumerate(required.get("nodeSelectorTerms") or ()):
        exprs = term.get("matchExpressions") or ()
        terms.append(
            tuple(
                parse_requirement(e, f"{field}.nodeSelectorTerms[{i}].matchExpressions[{j}]")
                for j, e in enumerate(exprs)
            )
        )
    return tuple(terms)


def parse_placement(spec: Mapping[str, Any]) -> Placement:
    """Read a pod spec's placement rules; raises PodSpecError naming the field."""
    selector = spec.get("nodeSelector") or {}
    if not isinstance(selector, Mapping):
        raise PodSpecError("Pod.spec.nodeSelector: expected an object")
    tolerations = tuple(
        Toleration(
            str(t.get("key") or ""),
            str(t.get("operator") or "Equal"),
            str(t.get("value") or ""),
            str(t.get("effect") or ""),
        )
        for t in spec.get("tolerations") or ()
    )
    return Placement(
        node_selector=tuple(sorted((str(k), str(v)) for k, v in selector.items())),
        terms=_terms(spec),
        tolerations=tolerations,
    )
