"""The node agent on the real API server, under the agent's RBAC and admission
policy, with a real ServiceAccount token bound to its pod on its node: it publishes
its own node's NodeCache and carries out its node's Prefetch, every call it makes is
allowed, and it is refused everything else, above all another node's NodeCache."""

from __future__ import annotations

import contextlib
import logging
import re
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry

from agent.assemble import assemble
from agent.nvml import PynvmlNvml
from agent.observe import Extras
from agent.prefetch_resource import PREFETCHES
from agent.settings import AgentSettings
from tests.agent.fileserver import Served, serving
from tests.e2e.controlplane import NAMESPACES, SERVICEACCOUNTS, ControlPlane, delete_quietly
from tests.e2e.objects import wait_for, write_nodecache
from warmstart.clock import SystemClock
from warmstart.kube import AlreadyExists, ClientError, KubeClient
from warmstart.kube.resources import EVENTS, LEASES, MODELS, NODECACHES, NODES, PODS, Resource

# The agent's manifests as the chart renders them (deploy/kustomize, `make manifests`).
DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "kustomize" / "base" / "agent"
AGENT_NS, AGENT_SA = "warmstart-system", "warmstart-agent"
NODE, OTHER = "agent-gpu-a", "agent-gpu-b"
SECRETS = Resource("", "v1", "secrets", True, "Secret")
CONFIGMAPS = Resource("", "v1", "configmaps", True, "ConfigMap")
WEIGHTS = b"GGUF" + struct.pack("<IQQ", 3, 1, 0) + b"w" * 4096  # a GGUF v3 header, filler
MINE = "agent-prefetch-mine"


@dataclass
class AgentCluster:
    plane: ControlPlane
    admin: KubeClient
    agent: KubeClient  # the agent's own token, bound to its pod on NODE
    pod: str


def _nodecache(name: str) -> dict[str, Any]:
    return {"apiVersion": NODECACHES.api_version, "kind": "NodeCache",
            "metadata": {"name": name}}


def _prefetch(name: str, node: str, uri: str) -> dict[str, Any]:
    return {"apiVersion": PREFETCHES.api_version, "kind": "Prefetch",
            "metadata": {"name": name}, "spec": {"nodeName": node, "uri": uri}}


def _agent_pod(node: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"warmstart-agent-{node}", "namespace": AGENT_NS},
            "spec": {"nodeName": node, "serviceAccountName": AGENT_SA,
                     "containers": [{"name": "agent", "image": "warmstart:e2e"}]}}


def _refused_by_policy(client: KubeClient) -> bool:
    """A dry-run write of another node's NodeCache: True once the policy refuses it."""
    try:
        client.request("POST", NODECACHES.path(), params={"dryRun": "All"},
                       body=_nodecache(OTHER))
    except ClientError as exc:
        return exc.status == 403 and "may not write" in exc.message
    return False


@pytest.fixture
def cluster(control_plane: ControlPlane, kube: KubeClient,
            gpu_nodes: Callable[..., dict[str, Any]]) -> Iterator[AgentCluster]:
    with contextlib.suppress(AlreadyExists):
        kube.create(NAMESPACES, {"apiVersion": "v1", "kind": "Namespace",
                                 "metadata": {"name": AGENT_NS}})
    manifests = [DEPLOY / "agent.yaml", DEPLOY / "own-node-policy.yaml"]
    for manifest in manifests:  # ServiceAccount, ClusterRole(Binding), DaemonSet; the policy
        control_plane.apply_yaml(manifest)
    gpu_nodes(NODE)
    gpu_nodes(OTHER)
    pod = kube.create(PODS, _agent_pod(NODE), AGENT_NS)["metadata"]["name"]
    agent = control_plane.client_for_token(control_plane.token(AGENT_NS, AGENT_SA, pod=pod))
    try:
        # A new policy takes effect a moment after it is created.
        wait_for(lambda: _refused_by_policy(agent), "the own-node policy to be enforced")
        yield AgentCluster(control_plane, kube, agent, pod)
    finally:
        agent.close()
        kube.request("DELETE", PODS.path(AGENT_NS, pod), params={"gracePeriodSeconds": "0"})
        for name in (MINE, "agent-prefetch-other"):
            delete_quietly(kube, PREFETCHES, name)
        for manifest in manifests:  # the session's other tests install these their own way
            control_plane.kubectl("delete", "--ignore-not-found", "--wait=false", "-f",
                                  str(manifest))


API_CALL = re.compile(r'HTTP Request: (\w+) (https://[^/]+)(/[^?\s]*)\S* "HTTP/1.1 (\d+)')


def test_the_agent_publishes_its_nodecache_and_runs_its_prefetch_on_its_own_token(
        cluster: AgentCluster, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = AgentSettings(node_name=NODE, cache_dir=tmp_path / "cache", disk_probe=False,
                             debounce_s=0, min_publish_interval_s=0, max_publish_delay_s=0)
    with serving(Served({"/m/weights.gguf": WEIGHTS})) as files, httpx.Client() as http:
        uri = f"{files.url}/m/weights.gguf"
        cluster.admin.create(PREFETCHES, _prefetch(MINE, NODE, uri))
        cluster.admin.create(PREFETCHES, _prefetch("agent-prefetch-other", OTHER, uri))
        agent = assemble(settings, cluster.agent, http, PynvmlNvml(), SystemClock(),
                         CollectorRegistry(), Extras())
        # Only the agent talks to the API server while its calls are logged.
        with caplog.at_level(logging.INFO, logger="httpx"):
            agent.tick()  # creates and publishes its NodeCache (NVML absent here: no GPUs)

            def fetched() -> bool:
                agent.tick()  # polls Prefetches; the download runs on the agent's worker
                return caplog.text.count(f"prefetches/{MINE}/status") >= 2  # started, done

            wait_for(fetched, "the agent to carry out its Prefetch")
            last = agent.tick()  # publishes the fetched model
        calls = [(m, path, int(code)) for m, base, path, code in API_CALL.findall(caplog.text)
                 if base == cluster.plane.url]

    published = cluster.admin.get(NODECACHES, NODE)
    expected = last.model_dump(by_alias=True, mode="json")
    assert published["status"]["nodeName"] == NODE
    assert published["status"]["gpus"] == expected["gpus"]
    assert {m["uri"] for m in published["status"]["models"]} == {uri}  # one entry per tier
    node_uid = cluster.admin.get(NODES, NODE)["metadata"]["uid"]
    assert published["metadata"]["ownerReferences"][0]["uid"] == node_uid
    assert cluster.admin.get(PREFETCHES, MINE)["status"]["phase"] == "Succeeded"
    assert "status" not in cluster.admin.get(PREFETCHES, "agent-prefetch-other")
    with pytest.raises(ClientError):
        cluster.admin.get(NODECACHES, OTHER)

    assert [c for c in calls if not 200 <= c[2] < 300] == []  # every call it made was allowed
    made = {(m, path) for m, path, _ in calls}
    assert {("GET", f"/api/v1/nodes/{NODE}"),
            ("POST", "/apis/warmstart.io/v1alpha1/nodecaches"),
            ("PATCH", f"/apis/warmstart.io/v1alpha1/nodecaches/{NODE}/status"),
            ("GET", "/api/v1/pods"),  # this node's pods, by field selector
            ("GET", f"/api/v1/namespaces/{AGENT_NS}/events"),  # its own pod's events
            ("GET", "/apis/warmstart.io/v1alpha1/prefetches"),
            ("PATCH", f"/apis/warmstart.io/v1alpha1/prefetches/{MINE}/status"),
            } <= made


def _status(node: str) -> dict[str, Any]:
    return {"status": {"nodeName": node, "models": []}}


# (what, call, who refuses: the own-node "policy" or "rbac")
FORBIDDEN: list[tuple[str, Callable[[KubeClient], object], str]] = [
    ("create another node's NodeCache", lambda c: c.create(NODECACHES, _nodecache(OTHER)),
     "policy"),
    ("write another node's NodeCache status",
     lambda c: c.patch_status(NODECACHES, OTHER, _status(OTHER)), "policy"),
    ("report another node in its own NodeCache",
     lambda c: c.patch_status(NODECACHES, NODE, _status(OTHER)), "policy"),
    ("write another node's Prefetch status", lambda c: c.patch_status(
        PREFETCHES, "agent-prefetch-other", {"status": {"phase": "Failed"}}), "policy"),
    ("label its own NodeCache", lambda c: c.patch(
        NODECACHES, NODE, {"metadata": {"labels": {"x": "y"}}}), "rbac"),
    ("delete its own NodeCache", lambda c: c.delete(NODECACHES, NODE), "rbac"),
    ("delete another node's NodeCache", lambda c: c.delete(NODECACHES, OTHER), "rbac"),
    ("create a Prefetch", lambda c: c.create(
        PREFETCHES, _prefetch("agent-made", NODE, "https://example.invalid/m")), "rbac"),
    ("delete a Prefetch", lambda c: c.delete(PREFETCHES, "agent-prefetch-other"), "rbac"),
    ("list Nodes", lambda c: c.list(NODES), "rbac"),
    ("write its Node's status", lambda c: c.patch_status(NODES, NODE, {"status": {}}), "rbac"),
    ("label its Node", lambda c: c.patch(NODES, NODE, {"metadata": {"labels": {"x": "y"}}}),
     "rbac"),
    ("create a Pod", lambda c: c.create(PODS, _agent_pod(OTHER), AGENT_NS), "rbac"),
    ("delete its own Pod", lambda c: c.delete(PODS, f"warmstart-agent-{NODE}", AGENT_NS),
     "rbac"),
    ("read Secrets", lambda c: c.list(SECRETS, AGENT_NS), "rbac"),
    ("read ConfigMaps", lambda c: c.list(CONFIGMAPS, "kube-system"), "rbac"),
    ("create Events", lambda c: c.create(EVENTS, {
        "apiVersion": "v1", "kind": "Event", "metadata": {"name": "agent-event"},
        "involvedObject": {"kind": "Node", "name": NODE}}, AGENT_NS), "rbac"),
    ("write a Model", lambda c: c.create(MODELS, {
        "apiVersion": MODELS.api_version, "kind": "Model", "metadata": {"name": "agent-model"},
        "spec": {"uri": "hf://e2e/m", "bytes": 1}}), "rbac"),
    ("take a Lease", lambda c: c.create(LEASES, {
        "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
        "metadata": {"name": "agent-lease"}}, AGENT_NS), "rbac"),
    ("mint tokens", lambda c: c.request(
        "POST", SERVICEACCOUNTS.path(AGENT_NS, AGENT_SA) + "/token",
        body={"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
              "spec": {}}), "rbac"),
]
REFUSAL = {"policy": "ValidatingAdmissionPolicy 'warmstart-agent-own-node'",
           "rbac": "cannot"}


def test_the_agents_token_is_refused_everything_else(cluster: AgentCluster) -> None:
    write_nodecache(cluster.admin, NODE, [])
    write_nodecache(cluster.admin, OTHER, [])
    cluster.admin.create(PREFETCHES, _prefetch("agent-prefetch-other", OTHER,
                                               "https://example.invalid/m"))
    refused = []
    for what, call, refuser in FORBIDDEN:
        with pytest.raises(ClientError) as caught:
            call(cluster.agent)
        refused.append((what, caught.value.status, REFUSAL[refuser] in caught.value.message))
    assert refused == [(what, 403, True) for what, _, _ in FORBIDDEN]
    # what it may do still works: its own NodeCache status, with its own node in it
    cluster.agent.patch_status(NODECACHES, NODE, _status(NODE))
    assert cluster.admin.get(NODECACHES, OTHER)["status"]["models"] == []


def test_an_agent_token_bound_to_no_node_writes_no_nodecache(cluster: AgentCluster) -> None:
    unbound = cluster.plane.client_for_token(cluster.plane.token(AGENT_NS, AGENT_SA))
    try:
        with pytest.raises(ClientError) as caught:
            unbound.create(NODECACHES, _nodecache(NODE))
    finally:
        unbound.close()
    assert caught.value.status == 403 and "names no node" in caught.value.message
