"""Karpenter NodeClaims on the real API server with Karpenter's CRDs, a NodePool and
a NodeClass: accepted by the schema and CEL rules, read back as written."""

from __future__ import annotations

import pytest

from provisioner.backends.karpenter import SELECTING
from tests.e2e.provisioner_world import (
    EC2_CLASSES,
    KWOK_CLASSES,
    no_leftovers,
    pending_pod,
    world,
)
from warmstart.kube import ClientError, KubeClient
from warmstart.kube.resources import NODECLAIMS, NODEPOOLS, PODS

__all__ = ["no_leftovers"]  # autouse: this module's cluster-scoped objects are deleted



def _nodepool(name: str, node_class: dict[str, str]) -> dict[str, object]:
    return {"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": name},
            "spec": {"template": {
                "metadata": {"labels": {"example.com/team": "research"}},
                "spec": {"nodeClassRef": node_class,
                         "requirements": [{"key": "karpenter.sh/capacity-type",
                                           "operator": "In", "values": ["on-demand"]}]}},
                     "limits": {"nvidia.com/gpu": "64"}}}


def _kwok_class(kube: KubeClient, name: str) -> dict[str, str]:
    kube.create(KWOK_CLASSES, {"apiVersion": "karpenter.kwok.sh/v1alpha1",
                               "kind": "KWOKNodeClass", "metadata": {"name": name}})
    return {"group": "karpenter.kwok.sh", "kind": "KWOKNodeClass", "name": name}


def _ec2_class(kube: KubeClient, name: str) -> dict[str, str]:
    kube.create(EC2_CLASSES, {
        "apiVersion": "karpenter.k8s.aws/v1", "kind": "EC2NodeClass",
        "metadata": {"name": name},
        "spec": {"role": "KarpenterNodeRole-e2e", "amiSelectorTerms": [{"alias": "al2023@latest"}],
                 "subnetSelectorTerms": [{"tags": {"karpenter.sh/discovery": "e2e"}}],
                 "securityGroupSelectorTerms": [{"tags": {"karpenter.sh/discovery": "e2e"}}]}})
    return {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": name}


@pytest.mark.parametrize("make_class", [_kwok_class, _ec2_class], ids=["kwok", "ec2"])
def test_a_nodeclaim_joins_its_nodepool_and_passes_cel(kube: KubeClient, namespace: str,
                                                       make_class: object) -> None:
    assert callable(make_class)
    node_class = make_class(kube, namespace)
    kube.create(NODEPOOLS, _nodepool(namespace, node_class))
    w = world(kube, namespace, "karpenter")  # templates name no nodeClassRef: the NodePool's
    kube.create(PODS, pending_pod("llm-0", namespace, w.pool, gpus=8))
    plan = w.step(w.controller())
    assert [c.pod_refs for c in plan.creates] == [(f"{namespace}/llm-0",)]
    [claim] = w.ours(NODECLAIMS)
    meta, spec = claim["metadata"], claim["spec"]
    assert meta["labels"]["karpenter.sh/nodepool"] == namespace
    assert meta["annotations"]["karpenter.sh/do-not-disrupt"] == "true"
    assert spec["nodeClassRef"] == node_class
    keys = {r["key"] for r in spec["requirements"]}
    assert keys == {"node.kubernetes.io/instance-type", "karpenter.sh/capacity-type",
                    "topology.kubernetes.io/zone"} and keys <= SELECTING
    # the GPU product (feature discovery's) and the NodePool's team label describe the
    # node but are not Karpenter's to choose
    assert not keys & {"nvidia.com/gpu.product", "example.com/team"}
    assert spec["resources"]["requests"] == {"nvidia.com/gpu": "8"}
    assert spec["taints"] == [{"key": "e2e.warmstart.io/test", "value": namespace,
                               "effect": "NoSchedule"}]
    # a second provisioner finds the claim as in-flight capacity: nothing more
    assert w.step(w.controller()).creates == ()


def test_the_crd_refuses_what_the_backend_leaves_out(kube: KubeClient, namespace: str) -> None:
    """The CEL rules the requirement filter exists for are live on this server."""
    for key in ("kubernetes.io/hostname", "karpenter.sh/team"):
        with pytest.raises(ClientError) as refused:
            kube.create(NODECLAIMS, {
                "apiVersion": "karpenter.sh/v1", "kind": "NodeClaim",
                "metadata": {"name": f"{namespace}-{key.split('/')[1]}"},
                "spec": {"nodeClassRef": {"group": "karpenter.kwok.sh",
                                          "kind": "KWOKNodeClass", "name": "x"},
                         "requirements": [{"key": key, "operator": "In", "values": ["v"]}]}})
        assert refused.value.status == 422 and "restricted" in str(refused.value)
