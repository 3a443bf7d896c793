"""Shadow mode end to end: the provisioner as the chart configures it, on the real API server.

With `provisioner.shadow: true` the provisioner plans for real pending GPU pods
and lists every decision, and the server holds no capacity object afterwards.
The same run with shadow off creates them, so the check that nothing was
created is one that can fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from provisioner.controller import Controller
from provisioner.decisions import DecisionLog
from provisioner.naming import MANAGED_BY, MANAGER
from provisioner.plan_types import Plan
from provisioner.service import build
from provisioner.settings import ProvisionerSettings
from tests.deploy.render import helm_template
from tests.deploy.tools import tool
from tests.e2e.controlplane import delete_quietly
from tests.e2e.objects import gpu_pod
from warmstart.clock import SystemClock
from warmstart.kube import KubeClient
from warmstart.kube.resources import (
    CAPACITYBUFFERS,
    NODECLAIMS,
    PODS,
    PODTEMPLATES,
    PRIORITYCLASSES,
    PROVISIONINGREQUESTS,
    Resource,
)

TEMPLATE = {"name": "g6e.12xlarge", "pool": "gpu", "pricePerHour": 10.49, "bootSeconds": 80,
            "labels": {"node.kubernetes.io/instance-type": "g6e.12xlarge",
                       "karpenter.sh/capacity-type": "on-demand",
                       "topology.kubernetes.io/zone": "us-east-1a"},
            "allocatable": {"nvidia.com/gpu": 4, "cpu": 47, "memory": "370Gi", "pods": 110},
            "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass",
                             "name": "gpu"}}
# What each backend writes: every one is looked for after a shadow run.
WRITTEN: dict[str, tuple[Resource, ...]] = {
    "karpenter": (NODECLAIMS,),
    "provisioning-request": (PROVISIONINGREQUESTS, PODTEMPLATES),
    "capacity-buffer": (CAPACITYBUFFERS, PODTEMPLATES),
    "placeholder-pods": (PODS, PRIORITYCLASSES),
}


def chart_settings(backend: str, namespace: str) -> ProvisionerSettings:
    """The settings file the chart writes with `provisioner.shadow: true`."""
    docs = helm_template(tool("helm"), {"backend": backend, "provisioner": {
        "shadow": True, "settings": {"templates": [TEMPLATE]}}})
    (config,) = (d for d in docs if d["kind"] == "ConfigMap"
                 and d["metadata"]["name"] == "warmstart-provisioner")
    raw = yaml.safe_load(config["data"]["settings.yaml"])
    return ProvisionerSettings.model_validate({**raw, "namespace": namespace})


def ours(kube: KubeClient, namespace: str, backend: str) -> list[str]:
    found = []
    for res in WRITTEN[backend]:
        items = kube.list_all(res, namespace if res.namespaced else None,
                              label_selector=f"{MANAGED_BY}={MANAGER}").items
        found += [f"{res.kind}/{o['metadata']['name']}" for o in items]
    return found


def plan_once(controller: Controller) -> Plan:
    for informer in controller.informers.required():
        informer.relist()
    decided = controller.step(force=True)
    assert decided is not None
    return decided


@pytest.fixture
def cleanup(kube: KubeClient) -> Iterator[None]:
    """Cluster-scoped objects the control run creates are deleted after the test."""
    yield
    for res in (NODECLAIMS, PRIORITYCLASSES):
        for obj in kube.list_all(res, label_selector=f"{MANAGED_BY}={MANAGER}").items:
            delete_quietly(kube, res, obj["metadata"]["name"])


@pytest.mark.parametrize("backend", list(WRITTEN))
def test_shadow_mode_lists_every_decision_and_creates_nothing(
        kube: KubeClient, namespace: str, backend: str, cleanup: None) -> None:
    selector = {"node.kubernetes.io/instance-type": "g6e.12xlarge"}
    refs = set()
    for name, gpus in (("llm-a", 2), ("llm-b", 4)):
        pod: dict[str, Any] = gpu_pod(name, namespace, gpus=gpus, nodeSelector=selector,
                                      annotations={"warmstart.io/model": f"hf://org/{name}",
                                                   "warmstart.io/model-bytes": "16Gi"})
        kube.create(PODS, pod)
        refs.add(f"{namespace}/{name}")

    log = DecisionLog()
    settings = chart_settings(backend, namespace)
    assert settings.shadow is True
    shadow = build(kube, settings, SystemClock(), log=log)
    decided = plan_once(shadow)
    assert decided.creates, "nothing was planned: the check below would prove nothing"
    assert ours(kube, namespace, backend) == []
    records = log.recent()
    shadowed = {r.subject for r in records if r.kind == "shadow"}
    assert shadowed == {n.name for n in decided.creates}
    assert all(r.outcome == "skipped (shadow)" for r in records if r.kind == "shadow")
    assert refs <= {p for r in records if r.kind == "shadow" for p in r.pods}
    assert not [r for r in records if r.kind in ("create", "release")]

    acting = build(kube, settings.model_copy(update={"shadow": False}), SystemClock(),
                   log=DecisionLog())
    created = plan_once(acting)
    assert {n.name for n in created.creates} == shadowed  # the same plan, now carried out
    assert ours(kube, namespace, backend) != []
