"""A fake API server over HTTP, and a provisioner wired to it exactly as it ships."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from provisioner.controller import Controller
from provisioner.decisions import DecisionLog
from provisioner.plan_types import Plan
from provisioner.service import build, informers
from provisioner.settings import ProvisionerSettings
from tests.kubemock import KubeMock, running_kubemock
from warmstart.clock import ManualClock
from warmstart.kube import KubeClient, from_url
from warmstart.kube.resources import NODES, PODS

TEMPLATES: list[dict[str, Any]] = [
    {"name": "p4d.24xlarge", "pool": "gpu", "pricePerHour": 32.0, "bootSeconds": 90,
     "labels": {"node.kubernetes.io/instance-type": "p4d.24xlarge",
                "nvidia.com/gpu.product": "a100", "topology.kubernetes.io/zone": "us-east-1a",
                "karpenter.sh/capacity-type": "on-demand"},
     "allocatable": {"nvidia.com/gpu": 8, "cpu": 96, "memory": "1152Gi", "pods": 110},
     "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "gpu"}},
    {"name": "p5.48xlarge", "pool": "gpu", "pricePerHour": 98.0, "bootSeconds": 120,
     "labels": {"node.kubernetes.io/instance-type": "p5.48xlarge",
                "nvidia.com/gpu.product": "h100", "topology.kubernetes.io/zone": "us-east-1a",
                "karpenter.sh/capacity-type": "on-demand"},
     "allocatable": {"nvidia.com/gpu": 8, "cpu": 192, "memory": "2048Gi", "pods": 110},
     "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "gpu"}},
    {"name": "g6e.12xlarge-reserved", "pool": "reserved", "pricePerHour": 10.0,
     "labels": {"node.kubernetes.io/instance-type": "g6e.12xlarge",
                "nvidia.com/gpu.product": "l40s", "topology.kubernetes.io/zone": "us-east-1b",
                "example.com/team": "research"},
     "taints": [{"key": "example.com/reserved", "value": "research", "effect": "NoSchedule"}],
     "allocatable": {"nvidia.com/gpu": 4, "cpu": 48, "memory": "384Gi", "pods": 110},
     "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "gpu"}},
]
BACKENDS = ["karpenter", "capacity-buffer", "provisioning-request", "placeholder"]


@dataclass
class Harness:
    mock: KubeMock
    client: KubeClient
    clock: ManualClock
    log: DecisionLog

    def settings(self, backend: str, **extra: Any) -> ProvisionerSettings:
        return ProvisionerSettings.model_validate(
            {"backend": backend, "templates": TEMPLATES, **extra})

    def controller(self, settings: ProvisionerSettings) -> Controller:
        """A freshly started provisioner (a restart is just another one of these)."""
        sources = informers(self.client, settings, self.clock, optional=False)
        return build(self.client, settings, self.clock, log=self.log, sources=sources)

    def step(self, controller: Controller) -> Plan:
        for informer in controller.informers.required():
            informer.relist()
        decided = controller.step(force=True)
        assert decided is not None
        return decided

    def seed_pods(self, *pods: dict[str, Any]) -> None:
        for pod in pods:
            self.mock.seed(PODS, pod)

    def seed_node(self, node: dict[str, Any]) -> None:
        self.mock.seed(NODES, node)

    def posts(self) -> list[Any]:
        return [r for r in self.mock.requests if r.method == "POST"
                and not r.path.endswith("/events")]


@pytest.fixture
def harness() -> Iterator[Harness]:
    with running_kubemock(watch_cap_s=0.5) as mock:
        client = KubeClient(from_url(mock.url), sleep=lambda _s: None)
        try:
            # the fake server stamps creationTimestamp with the wall clock; start there
            yield Harness(mock, client, ManualClock(time.time()), DecisionLog(100))
        finally:
            client.close()
