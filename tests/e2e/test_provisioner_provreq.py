"""ProvisioningRequests v1 on the real API server with cluster-autoscaler's CRD: both
classes, the consume annotations on the real pods, and a request that ends Failed or
BookingExpired (the test writes the condition through the status subresource, as
cluster-autoscaler would) retried with backoff and cleaned up."""

from __future__ import annotations

import pytest

from provisioner.backends.provreq import ATOMIC_SCALE_UP, CHECK_CAPACITY
from tests.e2e.provisioner_world import condition, pending_pod, world
from warmstart.kube import KubeClient
from warmstart.kube.resources import PODS, PODTEMPLATES, PROVISIONINGREQUESTS

CONSUME = "autoscaling.x-k8s.io/consume-provisioning-request"
CLASS = "autoscaling.x-k8s.io/provisioning-class-name"


def _consumes(kube: KubeClient, namespace: str, pod: str) -> tuple[str, str]:
    annotations = kube.get(PODS, pod, namespace)["metadata"].get("annotations") or {}
    return annotations.get(CONSUME, ""), annotations.get(CLASS, "")


@pytest.mark.parametrize(("klass", "ending"), [(ATOMIC_SCALE_UP, "Failed"),
                                               (CHECK_CAPACITY, "BookingExpired")])
def test_request_consumed_by_its_pods_and_retried_after_it_ends(
        kube: KubeClient, namespace: str, klass: str, ending: str) -> None:
    w = world(kube, namespace, "provisioning-request", provisioningClass=klass,
              policy={"retryBaseSeconds": 30})
    for name in ("llm-0", "llm-1"):
        kube.create(PODS, pending_pod(name, namespace, w.pool, gpus=2))
    ctl = w.controller()
    [node] = w.step(ctl).creates
    [request] = w.ours(PROVISIONINGREQUESTS)
    name = request["metadata"]["name"]
    assert (name, request["metadata"]["namespace"]) == (node.name, namespace)
    assert request["spec"]["provisioningClassName"] == klass
    assert request["spec"]["podSets"] == [{"podTemplateRef": {"name": name}, "count": 1}]
    shape = kube.get(PODTEMPLATES, name, namespace)["template"]["spec"]["containers"][0]
    assert shape["resources"]["limits"] == {"nvidia.com/gpu": "4"}
    assert {_consumes(kube, namespace, p) for p in ("llm-0", "llm-1")} == {(name, klass)}

    # accepted and provisioning: still in flight, the pods stay planned on it
    kube.patch_status(PROVISIONINGREQUESTS, name, {"status": {"conditions": [
        condition("Accepted", "True", w.clock.now())]}}, namespace)
    assert w.step(ctl).creates == ()

    ended_at = w.clock.now()
    kube.patch_status(PROVISIONINGREQUESTS, name, {"status": {"conditions": [
        condition("Accepted", "True", ended_at),
        condition(ending, "True", ended_at, reason="E2E" + ending)]}}, namespace)
    held = w.step(ctl)
    assert held.creates == () and held.releases == ()
    [backoff] = [d for d in held.decisions if d.kind == "backoff"]
    assert backoff.subject == name and ending in backoff.reason and "retry 1 in 30 s" in \
        backoff.reason

    w.clock.advance(31)
    retried = w.step(ctl)
    assert [c.name for c in retried.creates] == [f"{name}-r1"]
    assert [r.name for r in retried.releases] == [name]
    [again] = w.ours(PROVISIONINGREQUESTS)
    assert again["metadata"]["name"] == f"{name}-r1"
    assert again["metadata"]["annotations"]["warmstart.io/attempt"] == "1"
    assert {_consumes(kube, namespace, p) for p in ("llm-0", "llm-1")} == {(f"{name}-r1", klass)}
    # the old request and its PodTemplate are gone; a restart keeps the attempt count
    assert [t["metadata"]["name"] for t in w.ours(PODTEMPLATES)] == [f"{name}-r1"]
    kube.patch_status(PROVISIONINGREQUESTS, f"{name}-r1", {"status": {"conditions": [
        condition("Failed", "True", w.clock.now())]}}, namespace)
    [second] = [d for d in w.step(w.controller()).decisions if d.kind == "backoff"]
    assert "retry 2 in 60 s" in second.reason


def test_a_request_nobody_wants_any_more_is_cleaned_up(kube: KubeClient,
                                                       namespace: str) -> None:
    w = world(kube, namespace, "provisioning-request")
    kube.create(PODS, pending_pod("llm-0", namespace, w.pool))
    ctl = w.controller()
    [node] = w.step(ctl).creates
    kube.patch_status(PROVISIONINGREQUESTS, node.name, {"status": {"conditions": [
        condition("Provisioned", "True", w.clock.now()),
        condition("BookingExpired", "True", w.clock.now())]}}, namespace)
    kube.delete(PODS, "llm-0", namespace)  # its pod ran elsewhere and is gone
    cleaned = w.step(ctl)
    assert [r.name for r in cleaned.releases] == [node.name] and cleaned.creates == ()
    assert w.ours(PROVISIONINGREQUESTS) == [] and w.ours(PODTEMPLATES) == []
