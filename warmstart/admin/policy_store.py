"""Where pool policies live: a `WarmthPolicy` custom resource per pool (so
`kubectl` and GitOps see the object the API serves), or memory for a
simulation.

A put validates first and writes second, so a refused policy leaves the stored
one untouched; an object edited past validation (`kubectl edit` with a CRD
schema that allows it) reads as `PolicyInvalid` naming its field.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

from pydantic import ValidationError

from warmstart.admin.policy import StoredPolicy, WarmthPolicySpec
from warmstart.kube.client import KubeClient
from warmstart.kube.errors import NotFound
from warmstart.kube.resources import Resource

WARMTHPOLICIES = Resource("warmstart.io", "v1alpha1", "warmthpolicies", False, "WarmthPolicy")
FIELD_MANAGER = "warmstart-admin"


class PolicyInvalid(ValueError):
    """A stored policy object that does not validate; the message names the field."""


class PolicyStore(Protocol):
    def get(self, pool: str) -> StoredPolicy | None: ...

    def put(self, pool: str, spec: WarmthPolicySpec) -> StoredPolicy: ...

    def all(self) -> list[StoredPolicy]: ...


def policy_or_default(store: PolicyStore, pool: str) -> WarmthPolicySpec:
    """The pool's stored policy, else the defaults (what a pool without one gets)."""
    stored = store.get(pool)
    return stored.spec if stored else WarmthPolicySpec()


def first_error(exc: ValidationError, prefix: str) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{prefix}.{where}: {err['msg']}" if where else f"{prefix}: {err['msg']}"


def from_object(obj: dict[str, Any]) -> StoredPolicy:
    meta = obj.get("metadata") or {}
    try:
        spec = WarmthPolicySpec.model_validate(obj.get("spec") or {})
    except ValidationError as exc:
        raise PolicyInvalid(f"WarmthPolicy {meta.get('name')}: "
                            f"{first_error(exc, 'spec')}") from exc
    return StoredPolicy(pool=str(meta.get("name", "")), spec=spec,
                        resource_version=str(meta.get("resourceVersion", "")),
                        generation=int(meta.get("generation") or 0))


def to_object(pool: str, spec: WarmthPolicySpec) -> dict[str, Any]:
    return {
        "apiVersion": WARMTHPOLICIES.api_version, "kind": WARMTHPOLICIES.kind,
        "metadata": {"name": pool, "labels": {"app.kubernetes.io/managed-by": FIELD_MANAGER}},
        "spec": spec.model_dump(by_alias=True, mode="json", exclude_none=True),
    }


class KubePolicyStore:
    def __init__(self, client: KubeClient) -> None:
        self.client = client

    def get(self, pool: str) -> StoredPolicy | None:
        try:
            return from_object(self.client.get(WARMTHPOLICIES, pool))
        except NotFound:
            return None

    def put(self, pool: str, spec: WarmthPolicySpec) -> StoredPolicy:
        # Server-side apply with force: the API owns the whole spec it was given.
        # Fields the new spec omits are dropped from this manager's set, which
        # removes them (a PUT replaces).
        body = to_object(pool, spec)
        return from_object(self.client.apply(WARMTHPOLICIES, body, FIELD_MANAGER))

    def all(self) -> list[StoredPolicy]:
        out = []
        for obj in self.client.list_all(WARMTHPOLICIES).items:
            try:
                out.append(from_object(obj))
            except PolicyInvalid:
                continue  # listed by name in `get`, with its error
        return out


class MemoryPolicyStore:
    """For a simulation: the same contract, with a counter for a resource version."""

    def __init__(self) -> None:
        self._items: dict[str, StoredPolicy] = {}
        self._lock = threading.Lock()

    def get(self, pool: str) -> StoredPolicy | None:
        with self._lock:
            return self._items.get(pool)

    def put(self, pool: str, spec: WarmthPolicySpec) -> StoredPolicy:
        with self._lock:
            old = self._items.get(pool)
            generation = old.generation + 1 if old else 1
            stored = StoredPolicy(pool=pool, spec=spec, resource_version=str(generation),
                                  generation=generation)
            self._items[pool] = stored
            return stored

    def all(self) -> list[StoredPolicy]:
        with self._lock:
            return list(self._items.values())
