"""The extender with a real ServiceAccount token bound to exactly the chart's extender
ClusterRole: every call it makes (its API client logs each one) is allowed, it
follows watch events, and the calls it has no business making are refused."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.controlplane import ControlPlane, delete_quietly
from tests.e2e.extender_process import (
    NAMESPACE,
    SERVICE_ACCOUNT,
    extender_kubeconfig,
    start_extender,
)
from tests.e2e.objects import gpu_pod, wait_for, write_nodecache
from warmstart.kube import ClientError, KubeClient
from warmstart.kube.resources import EVENTS, LEASES, MODELS, NODECACHES, NODES, PODS, Resource

SECRETS = Resource("", "v1", "secrets", True, "Secret")
CONFIGMAPS = Resource("", "v1", "configmaps", True, "ConfigMap")
CALL = re.compile(r'HTTP Request: (\w+) https://[^/]+(/\S*) "HTTP/1.1 (\d+)')
MODEL = "hf://e2e/rbac-model"
SIZE = 40 * 10**9


def _model(name: str) -> dict[str, Any]:
    return {"apiVersion": MODELS.api_version, "kind": "Model", "metadata": {"name": name},
            "spec": {"uri": MODEL, "bytes": SIZE}}


def _node_cache(name: str) -> dict[str, Any]:
    return {"apiVersion": NODECACHES.api_version, "kind": "NodeCache",
            "metadata": {"name": name}}


# (what, call) the extender's token must not be able to make
FORBIDDEN: list[tuple[str, Callable[[KubeClient, str], object]]] = [
    ("create a Node", lambda c, ns: c.create(NODES, {"apiVersion": "v1", "kind": "Node",
                                                     "metadata": {"name": "rbac-fake"}})),
    ("write a Node's status", lambda c, ns: c.patch_status(NODES, "rbac-node", {"status": {}})),
    ("label a Node", lambda c, ns: c.patch(NODES, "rbac-node",
                                           {"metadata": {"labels": {"x": "y"}}})),
    ("delete a Node", lambda c, ns: c.delete(NODES, "rbac-node")),
    ("create a NodeCache", lambda c, ns: c.create(NODECACHES, _node_cache("rbac-other"))),
    ("write a NodeCache status", lambda c, ns: c.patch_status(
        NODECACHES, "rbac-node", {"status": {"nodeName": "rbac-node", "models": []}})),
    ("delete a NodeCache", lambda c, ns: c.delete(NODECACHES, "rbac-node")),
    ("create a Model", lambda c, ns: c.create(MODELS, _model("rbac-other"))),
    ("delete a Model", lambda c, ns: c.delete(MODELS, "rbac-model")),
    ("list Pods", lambda c, ns: c.list(PODS)),
    ("create a Pod", lambda c, ns: c.create(PODS, gpu_pod("rbac-pod", ns), ns)),
    ("bind a Pod", lambda c, ns: c.request(
        "POST", PODS.path(ns, "rbac-pod") + "/binding",
        body={"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "rbac-pod"},
              "target": {"kind": "Node", "name": "rbac-node"}})),
    ("read Secrets", lambda c, ns: c.list(SECRETS, NAMESPACE)),
    ("read ConfigMaps", lambda c, ns: c.list(CONFIGMAPS, "kube-system")),
    ("create Events", lambda c, ns: c.create(EVENTS, {
        "apiVersion": "v1", "kind": "Event", "metadata": {"name": "rbac-event"},
        "involvedObject": {"kind": "Node", "name": "rbac-node"}}, ns)),
    ("take a Lease", lambda c, ns: c.create(LEASES, {
        "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
        "metadata": {"name": "rbac-lease"}}, NAMESPACE)),
    ("mint tokens", lambda c, ns: c.request(
        "POST", Resource("", "v1", "serviceaccounts", True, "ServiceAccount").path(
            NAMESPACE, SERVICE_ACCOUNT) + "/token",
        body={"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
              "spec": {}})),
]


def test_the_extender_runs_on_its_own_role_and_nothing_more(
        control_plane: ControlPlane, kube: KubeClient, namespace: str,
        gpu_nodes: Callable[..., dict[str, Any]], tmp_path: Path) -> None:
    config = extender_kubeconfig(control_plane, tmp_path)
    extender = start_extender(config, tmp_path)  # ready: every informer has listed
    try:
        gpu_nodes("rbac-node")
        kube.apply(MODELS, _model("rbac-model"), "e2e")
        write_nodecache(kube, "rbac-node", [{"uri": MODEL, "tier": "host-memory",
                                             "bytes": SIZE}])
        pod = gpu_pod("rbac-pod", namespace, annotations={"warmstart.io/model": MODEL})
        body = {"Pod": pod, "Nodes": None, "NodeNames": ["rbac-node"]}
        # the watches deliver the node, its NodeCache and the catalog entry
        wait_for(lambda: extender.post("prioritize", body), "the extender to score rbac-node")
        assert extender.post("explain", body)[0]["modelTier"] == "host-memory"
        calls = CALL.findall(extender.logs())
    finally:
        extender.stop()
        delete_quietly(kube, MODELS, "rbac-model")
    made = {(method, path.split("?")[0]) for method, path, _ in calls}
    assert made == {("GET", "/api/v1/nodes"), ("GET", "/apis/warmstart.io/v1alpha1/nodecaches"),
                    ("GET", "/apis/warmstart.io/v1alpha1/models")}
    assert all("watch=true" in path or "limit=" in path for _, path, _ in calls)
    assert {status for *_, status in calls} == {"200"}

    own = control_plane.client_for_token(control_plane.token(NAMESPACE, SERVICE_ACCOUNT))
    try:
        for res in (NODES, NODECACHES, MODELS):  # what it needs, allowed
            own.list(res)
        refused = []
        for what, call in FORBIDDEN:
            with pytest.raises(ClientError) as caught:
                call(own, namespace)
            refused.append((what, caught.value.status))
    finally:
        own.close()
    assert refused == [(what, 403) for what, _ in FORBIDDEN]
