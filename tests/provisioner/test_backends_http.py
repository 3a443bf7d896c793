"""Acceptance over HTTP: per backend, the exact objects the provisioner writes.

Each test seeds a fake API server (real watch semantics, real HTTP), starts
the provisioner as it ships (informers -> controller -> actuator -> backend)
and reads back what the server holds.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from provisioner import plan
from provisioner.naming import MANAGED_BY, MANAGER
from provisioner.observe import snapshot
from warmstart.kube.resources import (
    CAPACITYBUFFERS,
    NODECLAIMS,
    PODS,
    PODTEMPLATES,
    PRIORITYCLASSES,
    PROVISIONINGREQUESTS,
)

from .builders import pod_json
from .conftest import BACKENDS, Harness

PRIMARY = {"karpenter": NODECLAIMS, "capacity-buffer": CAPACITYBUFFERS,
           "provisioning-request": PROVISIONINGREQUESTS, "placeholder": PODS}
H100_SELECTOR = {"nvidia.com/gpu.product": "h100"}
H100_LABELS = {"karpenter.sh/capacity-type": "on-demand",
               "node.kubernetes.io/instance-type": "p5.48xlarge",
               "nvidia.com/gpu.product": "h100", "topology.kubernetes.io/zone": "us-east-1a"}
# what Karpenter chooses a node by; the GPU product follows from the instance type
H100_REQUIRED = {k: v for k, v in H100_LABELS.items() if k != "nvidia.com/gpu.product"}


def ours(h: Harness, backend: str) -> list[dict[str, Any]]:
    return [o for o in h.mock.objects(PRIMARY[backend])
            if o["metadata"].get("labels", {}).get(MANAGED_BY) == MANAGER]


def test_karpenter_nodeclaim_for_a_gpu_type_selector(harness: Harness):
    harness.seed_pods(pod_json("llm-0", 2, node_selector=H100_SELECTOR))
    plan = harness.step(harness.controller(harness.settings("karpenter")))
    [claim] = ours(harness, "karpenter")
    assert claim["metadata"]["name"] == plan.creates[0].name
    # no NodePool of that name is known: no nodepool label, we own its deletion
    assert "karpenter.sh/nodepool" not in claim["metadata"]["labels"]
    assert claim["metadata"]["labels"] == {MANAGED_BY: MANAGER, "warmstart.io/pool": "gpu",
                                           "warmstart.io/purpose": "pending"}
    assert claim["spec"] == {
        "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "gpu"},
        "requirements": [{"key": k, "operator": "In", "values": [v]}
                         for k, v in sorted(H100_REQUIRED.items())],
        "resources": {"requests": {"cpu": "4", "memory": str(16 * 1024**3),
                                   "nvidia.com/gpu": "2"}},
        "expireAfter": "Never",
    }
    assert claim["metadata"]["annotations"]["warmstart.io/template"] == "p5.48xlarge"
    assert claim["metadata"]["annotations"]["warmstart.io/prefetch-models"] == \
        "hf://meta/llama-3-8b"


def test_capacity_buffer_and_its_pod_template(harness: Harness):
    harness.seed_pods(pod_json("llm-0", 2, node_selector=H100_SELECTOR))
    plan = harness.step(harness.controller(harness.settings("capacity-buffer")))
    name = plan.creates[0].name
    [buffer] = ours(harness, "capacity-buffer")
    assert buffer["apiVersion"] == "autoscaling.x-k8s.io/v1beta1"
    assert buffer["metadata"]["namespace"] == "warmstart-system"
    assert buffer["spec"] == {"provisioningStrategy": "buffer.x-k8s.io/active-capacity",
                              "podTemplateRef": {"name": name}, "replicas": 1}
    template = harness.mock.object(PODTEMPLATES, name, "warmstart-system")
    assert template is not None
    spec = template["template"]["spec"]
    assert spec["nodeSelector"] == H100_LABELS
    assert spec["containers"][0]["image"] == "registry.k8s.io/pause:3.10"
    assert spec["containers"][0]["resources"] == {
        "requests": {"cpu": "4", "memory": str(16 * 1024**3), "nvidia.com/gpu": "2"},
        "limits": {"nvidia.com/gpu": "2"}}


def test_provisioning_request_with_class_and_pod_template(harness: Harness):
    harness.seed_pods(pod_json("llm-0", 2, node_selector=H100_SELECTOR))
    settings = harness.settings("provisioning-request",
                                provisioningClass="check-capacity.autoscaling.x-k8s.io")
    plan = harness.step(harness.controller(settings))
    name = plan.creates[0].name
    [request] = ours(harness, "provisioning-request")
    assert request["apiVersion"] == "autoscaling.x-k8s.io/v1"
    assert request["spec"] == {
        "provisioningClassName": "check-capacity.autoscaling.x-k8s.io",
        "podSets": [{"podTemplateRef": {"name": name}, "count": 1}]}
    # in the pod's namespace, where cluster-autoscaler looks up what a pod consumes
    assert request["metadata"]["namespace"] == "serving"
    assert harness.mock.object(PODTEMPLATES, name, "serving") is not None
    # the PodTemplate is written before the request that names it
    kinds = [r.body["kind"] for r in harness.posts()]
    assert kinds == ["PodTemplate", "ProvisioningRequest"]
    consumer = harness.mock.object(PODS, "llm-0", "serving")
    assert consumer is not None
    assert {k: v for k, v in consumer["metadata"]["annotations"].items()
            if k.startswith("autoscaling.x-k8s.io/")} == {
        "autoscaling.x-k8s.io/consume-provisioning-request": name,
        "autoscaling.x-k8s.io/provisioning-class-name": "check-capacity.autoscaling.x-k8s.io"}


def test_provisioning_requests_never_mix_namespaces(harness: Harness):
    harness.seed_pods(pod_json("a-0", 1, namespace="team-a"), pod_json("b-0", 1,
                                                                      namespace="team-b"))
    plan = harness.step(harness.controller(harness.settings("provisioning-request")))
    # two one-GPU pods would share a node, but a request serves one namespace's pods
    assert sorted((c.namespace, c.pod_refs) for c in plan.creates) == [
        ("team-a", ("team-a/a-0",)), ("team-b", ("team-b/b-0",))]
    assert sorted(o["metadata"]["namespace"] for o in ours(harness, "provisioning-request")) \
        == ["team-a", "team-b"]


def test_placeholder_pod_and_negative_priority_class(harness: Harness):
    harness.seed_pods(pod_json("llm-0", 2, node_selector=H100_SELECTOR))
    harness.step(harness.controller(harness.settings("placeholder")))
    pclass = harness.mock.object(PRIORITYCLASSES, "warmstart-placeholder")
    assert pclass is not None
    assert (pclass["value"], pclass["preemptionPolicy"], pclass["globalDefault"]) == \
        (-10, "Never", False)
    [pause] = ours(harness, "placeholder")
    assert pause["metadata"]["labels"]["warmstart.io/placeholder"] == "true"
    assert pause["spec"]["priorityClassName"] == "warmstart-placeholder"
    assert pause["spec"]["nodeSelector"]["nvidia.com/gpu.product"] == "h100"
    assert pause["spec"]["containers"][0]["resources"]["limits"] == {"nvidia.com/gpu": "2"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_pod_tolerating_a_tainted_pool_gets_that_pool(harness: Harness, backend: str):
    tolerant = pod_json("research-0", 1, tolerations=[
        {"key": "example.com/reserved", "operator": "Equal", "value": "research",
         "effect": "NoSchedule"}])
    # a pod only the tainted zone serves, without the toleration: a recorded pod error
    intolerant = pod_json("plain-0", 1, node_selector={"topology.kubernetes.io/zone":
                                                       "us-east-1b"})
    harness.seed_pods(tolerant, intolerant)
    plan = harness.step(harness.controller(harness.settings(backend)))
    assert [(c.pod_refs, c.template.name) for c in plan.creates] == [
        (("serving/research-0",), "g6e.12xlarge-reserved")]
    assert [e.pod_ref for e in plan.pod_errors] == ["serving/plain-0"]
    assert "untolerated taint example.com/reserved=research:NoSchedule" in \
        plan.pod_errors[0].reason
    objs = {o["metadata"]["annotations"]["warmstart.io/template"]: o
            for o in ours(harness, backend)}
    assert set(objs) == {"g6e.12xlarge-reserved"}
    taint = {"key": "example.com/reserved", "value": "research", "effect": "NoSchedule"}
    if backend == "karpenter":
        assert objs["g6e.12xlarge-reserved"]["spec"]["taints"] == [taint]
    if backend == "placeholder":
        assert objs["g6e.12xlarge-reserved"]["spec"]["tolerations"] == [
            {**taint, "operator": "Equal"}]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_burst_of_50_pods_is_packed_not_50_nodes(harness: Harness, backend: str):
    harness.seed_pods(*(pod_json(f"burst-{i}", 1) for i in range(50)))
    harness.step(harness.controller(harness.settings(backend)))
    # 50 one-GPU pods on 8-GPU p4d nodes: ceil(50 / 8) = 7
    assert len(ours(harness, backend)) == 7


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_restart_mid_plan_never_duplicates(harness: Harness, backend: str):
    harness.seed_pods(*(pod_json(f"burst-{i}", 1) for i in range(50)))
    first = harness.controller(harness.settings(backend))
    for informer in first.informers.required():
        informer.relist()
    full = plan(snapshot_of(first), None, first.settings.policy, harness.clock.now())
    # the process dies after writing 3 of the plan's 7 nodes
    first.actuator.act(replace(full, creates=full.creates[:3]), harness.clock.now())
    assert len(ours(harness, backend)) == 3
    restarted = harness.step(harness.controller(harness.settings(backend)))
    assert len(restarted.creates) == 4  # the 3 written count as capacity already asked for
    assert sorted(o["metadata"]["name"] for o in ours(harness, backend)) == \
        sorted(c.name for c in full.creates)
    # a replica whose informers lag replays the whole first plan: every name is taken
    lagging = harness.controller(harness.settings(backend))
    result = lagging.actuator.act(full, harness.clock.now())
    assert (result.created, len(result.existed)) == ([], 7)
    assert len(ours(harness, backend)) == 7


def snapshot_of(controller):
    return snapshot(controller.sources(), controller.backend, controller.clock.now(),
                    controller.informers.observed_at(), {})


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_budget_cap_hit_is_recorded_and_respected(harness: Harness, backend: str):
    harness.seed_pods(*(pod_json(f"burst-{i}", 1) for i in range(20)))
    settings = harness.settings(backend, policy={"maxDollarsPerHour": 70})
    harness.step(harness.controller(settings))
    # 3 nodes x $32/h wanted; $70/h allows 2
    assert len(ours(harness, backend)) == 2
    capped = [d for d in harness.log.recent() if d.kind == "capped"]
    assert len(capped) == 1 and "total $/h would be 96.00 > max 70.00" in capped[0].reason


@pytest.mark.parametrize("backend", BACKENDS)
def test_shadow_mode_writes_nothing_but_records_everything(harness: Harness, backend: str):
    harness.seed_pods(*(pod_json(f"burst-{i}", 1) for i in range(10)))
    harness.step(harness.controller(harness.settings(backend, shadow=True)))
    assert harness.posts() == [] and ours(harness, backend) == []
    shadowed = [d for d in harness.log.recent() if d.kind == "shadow"]
    assert len(shadowed) == 2 and all(d.outcome == "skipped (shadow)" for d in shadowed)


def test_a_pool_in_shadow_by_its_policy_writes_nothing_and_records_its_nodes(harness: Harness):
    harness.seed_pods(*(pod_json(f"burst-{i}", 1) for i in range(10)))
    policy = {"pools": {"gpu": {"shadow": True}}}
    decided = harness.step(harness.controller(harness.settings("karpenter", policy=policy)))
    assert len(decided.creates) == 2  # planned as usual ...
    assert harness.posts() == [] and ours(harness, "karpenter") == []  # ... and not acted on
    shadowed = [d for d in harness.log.recent() if d.kind == "shadow"]
    assert [d.outcome for d in shadowed] == ["skipped (pool shadow)"] * 2


def test_a_pool_out_of_shadow_acts_again(harness: Harness):
    harness.seed_pods(pod_json("burst-0", 1))
    policy = {"pools": {"other": {"shadow": True}}}
    harness.step(harness.controller(harness.settings("karpenter", policy=policy)))
    assert len(ours(harness, "karpenter")) == 1


def test_a_later_pod_never_counts_on_a_request_booked_for_others(harness: Harness):
    harness.seed_pods(pod_json("a-0", 1))
    ctl = harness.controller(harness.settings("provisioning-request"))
    [first] = harness.step(ctl).creates
    harness.seed_pods(pod_json("b-0", 1))
    # the request's node would have room, but its capacity is booked for a-0 alone and
    # only a-0 consumes it: b-0 gets a request (and consume annotation) of its own
    later = harness.step(ctl)
    assert [c.pod_refs for c in later.creates] == [("serving/b-0",)]
    assert [(p.pod_ref, p.node) for p in later.placed] == [("serving/a-0", first.name)]
