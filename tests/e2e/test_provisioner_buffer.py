"""CapacityBuffers on the real API server, with each autoscaler's CRD (a cluster holds
one of the two): written as v1beta1, and where a buffer stands is read from the
conditions its autoscaler writes (here the test writes them through the status
subresource), not from its age."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.controlplane import CRDS, ControlPlane
from tests.e2e.provisioner_world import condition, pending_pod, world
from warmstart.kube import KubeClient
from warmstart.kube.resources import CAPACITYBUFFERS, PODS, PODTEMPLATES

CRD_NAME = "capacitybuffers.autoscaling.x-k8s.io"


@pytest.fixture(params=["karpenter", "autoscaler"])
def buffer_crd(request: pytest.FixtureRequest, control_plane: ControlPlane,
               kube: KubeClient) -> Iterator[str]:
    """The CapacityBuffer CRD of one autoscaler; Karpenter's is put back afterwards."""
    crds = control_plane.binaries.crds
    assert crds is not None
    path = crds / request.param / "autoscaling.x-k8s.io_capacitybuffers.yaml"
    control_plane.install_crds([path])
    yield request.param
    if request.param != "karpenter":
        with contextlib.suppress(Exception):
            control_plane.install_crds([crds / "karpenter" / Path(path.name)])


def _status(kube: KubeClient, name: str, namespace: str, *conditions: dict[str, str],
            replicas: int | None = None) -> None:
    status: dict[str, object] = {"conditions": list(conditions)}
    if replicas is not None:
        status["replicas"] = replicas
    kube.patch_status(CAPACITYBUFFERS, name, {"status": status}, namespace)


def test_buffer_phases_come_from_its_conditions(kube: KubeClient, namespace: str,
                                                buffer_crd: str) -> None:
    served = {v["name"] for v in kube.get(CRDS, CRD_NAME)["spec"]["versions"]}
    assert "v1beta1" in served and (buffer_crd == "autoscaler") == ("v1alpha1" in served)
    w = world(kube, namespace, "capacity-buffer")
    kube.create(PODS, pending_pod("llm-0", namespace, w.pool, gpus=4))
    ctl = w.controller()
    [node] = w.step(ctl).creates
    [buffer] = w.ours(CAPACITYBUFFERS)
    assert buffer["apiVersion"] == "autoscaling.x-k8s.io/v1beta1"
    assert buffer["spec"] == {"provisioningStrategy": "buffer.x-k8s.io/active-capacity",
                              "podTemplateRef": {"name": node.name}, "replicas": 1}
    assert kube.get(PODTEMPLATES, node.name, namespace)["template"]["spec"]["tolerations"]

    # no condition yet, long past the template's boot time: still in flight (age says nothing)
    w.clock.advance(200)
    assert w.step(ctl).creates == ()
    # resolved and provisioning: in flight for one boot time from then
    _status(kube, node.name, namespace, condition("ReadyForProvisioning", "True", w.clock.now()),
            condition("Provisioning", "True", w.clock.now()), replicas=1)
    plan = w.step(ctl)
    assert plan.creates == () and [p.node for p in plan.placed] == [node.name]
    # the autoscaler refuses it (a quota): no capacity is coming, retried after a backoff
    _status(kube, node.name, namespace, condition("ReadyForProvisioning", "True", w.clock.now()),
            condition("Provisioning", "False", w.clock.now(), reason="LimitedByQuotas"))
    held = w.step(ctl)
    assert held.placed == () and [d.kind for d in held.decisions] == ["backoff"]
    assert "LimitedByQuotas" in held.decisions[0].reason
    w.clock.advance(31)
    assert [c.name for c in w.step(ctl).creates] == [f"{node.name}-r1"]
    assert [b["metadata"]["name"] for b in w.ours(CAPACITYBUFFERS)] == [f"{node.name}-r1"]
