"""The provisioner's settings file: backend, node templates, policy, timings.

One typed object (pydantic, so a bad value fails on load naming its field),
passed down explicitly; nothing reads a global.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from provisioner.backends import (
    Backend,
    CapacityBufferBackend,
    KarpenterBackend,
    PlaceholderBackend,
    ProvisioningRequestBackend,
)
from provisioner.backends.provreq import ATOMIC_SCALE_UP
from provisioner.constraints import Taint
from provisioner.policy import ProvisionerPolicy
from provisioner.resources import parse_resource_list
from provisioner.state import NodeTemplate
from warmstart.domain import Bandwidths, PoolDefaults

BackendKind = Literal["karpenter", "capacity-buffer", "provisioning-request", "placeholder"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class TaintSpec(_Model):
    key: str = Field(min_length=1)
    value: str = ""
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] = "NoSchedule"


class NodeClassRef(_Model):
    group: str
    kind: str
    name: str


class TemplateSpec(_Model):
    """A Karpenter NodePool offering or a cluster-autoscaler node group."""

    name: str = Field(min_length=1)
    pool: str = Field(min_length=1)
    labels: dict[str, str] = Field(default_factory=dict)
    taints: tuple[TaintSpec, ...] = ()
    allocatable: dict[str, str | float] = Field(min_length=1)
    price_per_hour: float = Field(ge=0, alias="pricePerHour")
    boot_seconds: float | None = Field(default=None, ge=0, alias="bootSeconds")
    images: tuple[str, ...] = Field(default=(), description="images baked into the node image")
    # The pool's measured bandwidths (the extender's `pools` take the same):
    # where its object store is slow, staging a model saves more.
    bandwidths: Bandwidths = Field(default_factory=Bandwidths)
    node_class_ref: NodeClassRef | None = Field(default=None, alias="nodeClassRef")

    def build(self) -> NodeTemplate:
        ref = self.node_class_ref
        return NodeTemplate(
            name=self.name, pool=self.pool, labels=tuple(sorted(self.labels.items())),
            allocatable=parse_resource_list(self.allocatable,
                                            f"templates[{self.name}].allocatable"),
            price_per_hour=self.price_per_hour,
            taints=tuple(Taint(t.key, t.value, t.effect) for t in self.taints),
            defaults=PoolDefaults(name=self.pool, boot_seconds=self.boot_seconds,
                                  bandwidths=self.bandwidths),
            images=frozenset(self.images),
            node_class=(ref.group, ref.kind, ref.name) if ref else None,
        )


class ProvisionerSettings(_Model):
    backend: BackendKind = "karpenter"
    namespace: str = "warmstart-system"
    provisioning_class: str = Field(default=ATOMIC_SCALE_UP, alias="provisioningClass")
    templates: tuple[TemplateSpec, ...] = ()
    policy: ProvisionerPolicy = Field(default_factory=ProvisionerPolicy)
    shadow: bool = False
    batch_idle_s: float = Field(default=0.05, ge=0, alias="batchIdleSeconds")
    batch_max_s: float = Field(default=0.5, gt=0, alias="batchMaxSeconds")
    resync_s: float = Field(default=10.0, gt=0, alias="resyncSeconds")
    lease_name: str = Field(default="warmstart-provisioner", alias="leaseName")
    decisions_kept: int = Field(default=1000, ge=1, alias="decisionsKept")
    # How long a buffer or request may go without any condition from its autoscaler
    # before it counts as failed (no autoscaler serves it): well past their scan periods.
    accept_timeout_s: float = Field(default=300.0, gt=0, alias="acceptTimeoutSeconds")

    def node_templates(self) -> tuple[NodeTemplate, ...]:
        return tuple(t.build() for t in self.templates)

    def make_backend(self) -> Backend:
        if self.backend == "karpenter":
            return KarpenterBackend()
        if self.backend == "capacity-buffer":
            return CapacityBufferBackend(namespace=self.namespace,
                                         accept_timeout_s=self.accept_timeout_s)
        if self.backend == "provisioning-request":
            return ProvisioningRequestBackend(namespace=self.namespace,
                                              provisioning_class=self.provisioning_class,
                                              accept_timeout_s=self.accept_timeout_s)
        return PlaceholderBackend(namespace=self.namespace)


CONFIGMAP_KEY = "settings.yaml"


def load_settings(path: Path) -> ProvisionerSettings:
    """Read a YAML settings file, or the ConfigMap manifest that ships it (its
    `data["settings.yaml"]`); pydantic's error names the bad field."""
    try:
        raw = yaml.safe_load(path.read_text()) or {}
        if isinstance(raw, dict) and raw.get("kind") == "ConfigMap":
            data = raw.get("data") or {}
            if CONFIGMAP_KEY not in data:
                raise ValueError(f"{path}: ConfigMap has no data[{CONFIGMAP_KEY!r}]")
            raw = yaml.safe_load(data[CONFIGMAP_KEY]) or {}
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from exc
    return ProvisionerSettings.model_validate(raw)
