"""The provisioner wired as it ships (informers -> controller -> actuator -> backend)
against the real API server, for the provisioner's e2e tests.

The control plane is shared by every e2e test and pods other tests left pending
stay there, so each test's node templates carry a taint only its own pods
tolerate: anything else pending is a pod error for this provisioner, never
capacity. Each test steps its provisioner by hand (relist, plan, act) on an
injected clock, so backoffs and boot times pass without waiting.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from provisioner.controller import Controller
from provisioner.decisions import DecisionLog
from provisioner.metrics import ProvisionerMetrics
from provisioner.naming import MANAGED_BY, MANAGER, POOL, dns_label
from provisioner.plan_types import Plan
from provisioner.service import build
from provisioner.settings import ProvisionerSettings
from tests.e2e.controlplane import delete_quietly
from warmstart.clock import ManualClock
from warmstart.domain import DemandForecast
from warmstart.kube import KubeClient
from warmstart.kube.resources import MODELS, NODECLAIMS, NODEPOOLS, PODS, Resource
from warmstart.kube.timefmt import k8s_time

TAINT = "e2e.warmstart.io/test"
GPU = "nvidia.com/gpu"
INSTANCE_TYPE = "node.kubernetes.io/instance-type"
UNSCHEDULED = "e2e-no-scheduler"


def templates(pool: str, node_class: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """An 8-GPU and a 4-GPU template in `pool`, tainted for this test's pods only."""
    base: dict[str, Any] = {
        "pool": pool, "taints": [{"key": TAINT, "value": pool, "effect": "NoSchedule"}],
        **({"nodeClassRef": node_class} if node_class else {})}
    return [
        {**base, "name": f"{pool}-a100", "pricePerHour": 32.0, "bootSeconds": 90,
         "labels": {INSTANCE_TYPE: "p4d.24xlarge", "karpenter.sh/capacity-type": "on-demand",
                    "topology.kubernetes.io/zone": "us-east-1a",
                    "nvidia.com/gpu.product": "A100-SXM4-40GB"},
         "allocatable": {GPU: 8, "cpu": 96, "memory": "1Ti", "pods": 110}},
        {**base, "name": f"{pool}-l40s", "pricePerHour": 10.0, "bootSeconds": 80,
         "labels": {INSTANCE_TYPE: "g6e.12xlarge", "karpenter.sh/capacity-type": "on-demand",
                    "topology.kubernetes.io/zone": "us-east-1a",
                    "nvidia.com/gpu.product": "L40S"},
         "allocatable": {GPU: 4, "cpu": 48, "memory": "384Gi", "pods": 110}},
    ]


def pending_pod(name: str, namespace: str, pool: str, *, gpus: int = 1,
                annotations: dict[str, str] | None = None,
                scheduler: str = UNSCHEDULED) -> dict[str, Any]:
    """A GPU pod that tolerates this test's templates (and only this test's). By default
    no scheduler serves it: it waits for capacity, and another test's kube-scheduler
    never places it on that test's nodes."""
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace,
                         "annotations": annotations or {}},
            "spec": {"schedulerName": scheduler,
                     "tolerations": [{"key": TAINT, "operator": "Equal", "value": pool,
                                      "effect": "NoSchedule"}],
                     "containers": [{"name": "server", "image": "vllm/vllm-openai:v0.6",
                                     "resources": {"limits": {GPU: str(gpus)}}}]}}


def condition(kind: str, status: str, at: float, reason: str = "E2E",
              message: str = "written by the test as the autoscaler would") -> dict[str, Any]:
    """A metav1.Condition (every field it requires)."""
    return {"type": kind, "status": status, "lastTransitionTime": k8s_time(at),
            "reason": reason, "message": message}


@dataclass
class World:
    kube: KubeClient
    namespace: str
    settings: ProvisionerSettings
    clock: ManualClock = field(default_factory=lambda: ManualClock(time.time()))
    log: DecisionLog = field(default_factory=lambda: DecisionLog(500))
    metrics: ProvisionerMetrics = field(default_factory=ProvisionerMetrics)

    @property
    def pool(self) -> str:
        return self.namespace

    def controller(self, client: KubeClient | None = None,
                   forecast: DemandForecast | None = None) -> Controller:
        """A freshly started provisioner (a restart is just another one of these)."""
        return build(client or self.kube, self.settings, self.clock, log=self.log,
                     metrics=self.metrics, forecast=lambda: forecast)

    def step(self, controller: Controller) -> Plan:
        for informer in controller.informers.all():
            informer.relist()
        decided = controller.step(force=True)
        assert decided is not None
        return decided

    def remove_placeholders(self) -> None:
        """Placeholders are default-scheduler pods: gone before another test's scheduler
        runs, they cannot take room on its nodes."""
        for pod in self.ours(PODS):
            self.kube.delete(PODS, pod["metadata"]["name"], pod["metadata"]["namespace"])

    def ours(self, res: Resource) -> list[dict[str, Any]]:
        """This test's objects of `res`, wherever they live."""
        selector = f"{MANAGED_BY}={MANAGER},{POOL}={dns_label(self.pool, 63)}"
        return self.kube.list(res, label_selector=selector).items


KWOK_CLASSES = Resource("karpenter.kwok.sh", "v1alpha1", "kwoknodeclasses", False,
                        "KWOKNodeClass")
EC2_CLASSES = Resource("karpenter.k8s.aws", "v1", "ec2nodeclasses", False, "EC2NodeClass")


@pytest.fixture(autouse=True)
def no_leftovers(kube: KubeClient, namespace: str) -> Iterator[None]:
    """Autouse where imported: the cluster-scoped objects a test made for its pool
    (NodeClaims, its NodePool, node classes, Model) are deleted after it, so a later
    test that counts cluster-wide objects sees only its own. (Namespaced ones stay
    in the test's namespace, which no other test reads.)"""
    yield
    selector = f"{MANAGED_BY}={MANAGER},{POOL}={dns_label(namespace, 63)}"
    for claim in kube.list(NODECLAIMS, label_selector=selector).items:
        delete_quietly(kube, NODECLAIMS, claim["metadata"]["name"])
    for res in (NODEPOOLS, KWOK_CLASSES, EC2_CLASSES, MODELS):
        delete_quietly(kube, res, namespace)


def world(kube: KubeClient, namespace: str, backend: str, **extra: Any) -> World:
    node_class = extra.pop("node_class", None)
    settings = ProvisionerSettings.model_validate(
        {"backend": backend, "namespace": namespace,
         "templates": templates(namespace, node_class), **extra})
    return World(kube, namespace, settings)
