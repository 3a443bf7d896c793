"""Karpenter NodePools refine the settings' templates, read over HTTP."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from provisioner.nodepools import with_nodepools
from provisioner.service import build, informers
from warmstart.kube.resources import NODECLAIMS, NODEPOOLS

from .builders import pod_json, template
from .conftest import Harness


def nodepool(name: str, requirements: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": name},
        "spec": {"template": {
            "metadata": {"labels": {"team": "inference"}},
            "spec": {
                "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass",
                                 "name": "gpu-al2023"},
                "taints": [{"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}],
                "requirements": requirements,
            }}},
    }


def test_a_template_the_nodepool_forbids_is_dropped_and_the_rest_filled_in():
    a100 = template("p4d.24xlarge", pool="gpu", gpu_type="a100")
    h100 = template("p5.48xlarge", pool="gpu", gpu_type="h100")
    other = template("g5.xlarge", pool="small", gpu_type="a10g")
    a100, h100 = (replace(t, node_class=None) for t in (a100, h100))
    pools = [nodepool("gpu", [{"key": "nvidia.com/gpu.product", "operator": "NotIn",
                               "values": ["h100"]},
                              {"key": "karpenter.k8s.aws/instance-family", "operator": "In",
                               "values": ["p4d", "p5"]}])]
    [kept, untouched] = with_nodepools((a100, h100, other), pools)
    assert kept.name == "p4d.24xlarge" and untouched is other
    assert kept.node_class == ("karpenter.k8s.aws", "EC2NodeClass", "gpu-al2023")
    assert [(t.key, t.effect) for t in kept.taints] == [("nvidia.com/gpu", "NoSchedule")]
    assert kept.label_map["team"] == "inference"


def test_the_nodeclaim_uses_the_nodepools_node_class(harness: Harness):
    settings = harness.settings("karpenter")
    no_ref = settings.model_copy(update={"templates": tuple(
        t.model_copy(update={"node_class_ref": None}) for t in settings.templates)})
    harness.mock.seed(NODEPOOLS, nodepool("gpu", []))
    harness.seed_pods(pod_json("llm-0", 1, tolerations=[
        {"key": "nvidia.com/gpu", "operator": "Exists"}]))
    sources = informers(harness.client, no_ref, harness.clock, optional=True)
    assert sources.nodepools is not None and sources.nodecaches is not None
    sources.nodepools.relist()
    harness.step(build(harness.client, no_ref, harness.clock, log=harness.log, sources=sources))
    [claim] = harness.mock.objects(NODECLAIMS)
    assert claim["spec"]["nodeClassRef"]["name"] == "gpu-al2023"
    assert claim["spec"]["taints"] == [
        {"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}]
