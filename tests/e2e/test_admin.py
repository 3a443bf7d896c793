"""The admin API on the real API server: Kubernetes TokenReview and
SubjectAccessReview with the chart's admin roles; a policy PUT
lands as the WarmthPolicy custom resource and the provisioner applies it on
its next step; its decisions are listed after the provisioner restarts."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry

from provisioner.controller import Controller
from provisioner.plan_types import Plan
from provisioner.service import build, informers
from provisioner.settings import ProvisionerSettings
from tests.admin.server import serving
from tests.e2e.controlplane import NAMESPACES, ControlPlane, delete_quietly
from tests.e2e.objects import write_nodecache
from warmstart.admin import AdminSettings, Services, create_app
from warmstart.admin.auth import KubeReview
from warmstart.admin.cluster_source import ClusterSource
from warmstart.admin.decision_journal import CONFIGMAPS, journal_name
from warmstart.admin.jobs import SimulateJobs
from warmstart.admin.policy_store import WARMTHPOLICIES, KubePolicyStore
from warmstart.admin.prefetch import PREFETCHES
from warmstart.cli.admin_sim import warmstart_policy
from warmstart.cli.provisioner_admin import PolicyFollower, journaled_log
from warmstart.clock import SystemClock
from warmstart.kube import AlreadyExists, KubeClient
from warmstart.kube.resources import MODELS, PODS, Resource
from warmstart.sim import default_cluster

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
# As the chart renders them (deploy/kustomize, `make manifests`); the provisioner
# for the placeholder backend, which these tests run.
RBAC = DEPLOY / "kustomize" / "base" / "admin" / "rbac.yaml"
PROVISIONER = (DEPLOY / "kustomize" / "overlays" / "placeholder-pods" / "provisioner"
               / "provisioner.yaml")
SYSTEM = "warmstart-system"
BINDINGS = Resource("rbac.authorization.k8s.io", "v1", "clusterrolebindings", False,
                    "ClusterRoleBinding")
POOL = "gpu-a100"


def _bind(kube: KubeClient, namespace: str, sa: str, role: str) -> None:
    kube.create(BINDINGS, {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": f"{namespace}-{sa}"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                    "name": role},
        "subjects": [{"kind": "ServiceAccount", "name": sa, "namespace": namespace}]})


def _settings(namespace: str) -> ProvisionerSettings:
    return ProvisionerSettings.model_validate({
        "backend": "placeholder", "namespace": namespace, "resyncSeconds": 1,
        "templates": [{"name": "a100-8", "pool": POOL, "pricePerHour": 24,
                       "allocatable": {"nvidia.com/gpu": 8, "cpu": "32", "memory": "256Gi",
                                       "pods": 110}}]})


def _controller(kube: KubeClient, settings: ProvisionerSettings
                ) -> tuple[Controller, Callable[[], int]]:
    log, journal = journaled_log(kube, settings, CollectorRegistry())
    clock = SystemClock()
    ctl = build(kube, settings, clock, log=log,
                sources=informers(kube, settings, clock, optional=False))
    return ctl, journal.flush


def _step(ctl: Controller) -> Plan:
    for informer in ctl.informers.required():
        informer.relist()
    decided = ctl.step(force=True)
    assert decided is not None
    return decided


def _wait(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 15
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@pytest.fixture
def api(control_plane: ControlPlane, kube: KubeClient, namespace: str) -> Iterator[str]:
    """The admin API as deployed: the chart's admin manifests applied, and the app
    talking to the API server as its own ServiceAccount under that RBAC."""
    with contextlib.suppress(AlreadyExists):
        kube.create(NAMESPACES, {"apiVersion": "v1", "kind": "Namespace",
                                 "metadata": {"name": SYSTEM}})
    control_plane.apply_yaml(RBAC)
    control_plane.apply_yaml(DEPLOY / "kustomize" / "base" / "admin" / "deployment.yaml")
    client = control_plane.client_for_token(control_plane.token(SYSTEM, "warmstart-admin"))
    store = KubePolicyStore(client)
    svc = Services(ClusterSource(client, SYSTEM, SystemClock()), store,
                   SimulateJobs(default_cluster(), warmstart_policy, store), KubeReview(client))
    with serving(create_app(AdminSettings(), svc)) as url:
        yield url
    client.close()


def _client(url: str, token: str | None) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=30,
                        headers={"Authorization": f"Bearer {token}"} if token else {})


def test_policy_put_lands_as_the_resource_and_the_provisioner_applies_it(
        api: str, control_plane: ControlPlane, kube: KubeClient, namespace: str) -> None:
    reader_token = control_plane.token(namespace, "viewer")
    editor_token = control_plane.token(namespace, "operator")
    _bind(kube, namespace, "viewer", "warmstart-admin-reader")
    _bind(kube, namespace, "operator", "warmstart-admin-editor")
    stack = contextlib.ExitStack()
    reader, editor, nobody, stranger = (
        stack.enter_context(_client(api, t))
        for t in (reader_token, editor_token, None, "not-a-token"))
    with stack:
        _check(reader, editor, nobody, stranger, kube, namespace, control_plane)


def _check(reader: httpx.Client, editor: httpx.Client, nobody: httpx.Client,
           stranger: httpx.Client, kube: KubeClient, namespace: str,
           control_plane: ControlPlane) -> None:
    assert nobody.get(f"/v1/policies/{POOL}").status_code == 401
    assert stranger.get("/v1/nodes").status_code == 401
    assert reader.get(f"/v1/policies/{POOL}").status_code == 200
    assert reader.put(f"/v1/policies/{POOL}", json={"maxGpus": 0}).status_code == 403

    # the provisioner runs as its ServiceAccount with the chart's provisioner RBAC
    with contextlib.suppress(AlreadyExists):
        kube.create(NAMESPACES, {"apiVersion": "v1", "kind": "Namespace",
                                 "metadata": {"name": SYSTEM}})
    control_plane.apply_yaml(PROVISIONER)
    # the journal lives in the shared system namespace: start from none, as a new
    # install does, whatever provisioners earlier tests of this session ran
    delete_quietly(kube, CONFIGMAPS, journal_name("provisioner"), SYSTEM)
    provisioner = control_plane.client_for_token(
        control_plane.token(SYSTEM, "warmstart-provisioner"))
    settings = _settings(SYSTEM)
    ctl, flush = _controller(provisioner, settings)
    follower = PolicyFollower(provisioner, ctl, settings, SystemClock())
    follower.informer.start()
    try:
        kube.create(PODS, _gpu_pod(namespace), namespace)
        put = editor.put(f"/v1/policies/{POOL}", json={"maxGpus": 0, "coldStartValue": 3})
        assert put.status_code == 200, put.text
        stored = kube.get(WARMTHPOLICIES, POOL)
        assert stored["spec"]["maxGpus"] == 0 and stored["spec"]["coldStartValue"] == 3
        bad = editor.put(f"/v1/policies/{POOL}", json={"maxGpus": -4})
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "maxGpus"
        after = kube.get(WARMTHPOLICIES, POOL)
        assert after["metadata"]["resourceVersion"] == stored["metadata"]["resourceVersion"]

        _wait(lambda: ctl.settings.policy.limits(POOL).max_gpus == 0, "policy not followed")
        capped = _step(ctl)
        assert capped.creates == ()
        assert any(d.kind == "capped" for d in capped.decisions)

        assert editor.put(f"/v1/policies/{POOL}", json={"maxGpus": 16}).status_code == 200
        _wait(lambda: ctl.settings.policy.limits(POOL).max_gpus == 16, "policy not followed")
        created = _step(ctl)
        assert len(created.creates) == 1
        acted = [r for r in ctl.actuator.log.recent() if r.kind in ("create", "failed")]
        assert [r.kind for r in acted] == ["create"], [r.reason for r in acted]
        assert flush() >= 2
    finally:
        follower.informer.stop()
        provisioner.close()

    # a new provisioner (nothing in memory) and the decisions are still listed
    restarted, _ = _controller(kube, settings)
    assert len(restarted.actuator.log) == 0
    listed = reader.get("/v1/decisions", params={"source": "provisioner"}).json()
    kinds = {d["kind"] for d in listed["items"]}
    assert {"capped", "create"} <= kinds, kinds
    assert all(d["pool"] == POOL for d in listed["items"] if d["kind"] == "create")


def _gpu_pod(namespace: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "llm-0", "namespace": namespace},
            "spec": {"containers": [{"name": "server", "image": "vllm/vllm-openai:v0.6.3",
                                     "resources": {"limits": {"nvidia.com/gpu": "8"}}}]}}


def test_nodes_models_and_prefetch_against_the_cluster(
        api: str, control_plane: ControlPlane, kube: KubeClient, namespace: str,
        gpu_nodes: Callable[..., dict[str, Any]]) -> None:
    token = control_plane.token(namespace, "operator")
    _bind(kube, namespace, "operator", "warmstart-admin-editor")
    uri = "hf://meta-llama/Llama-3.1-8B-Instruct"
    nodes = [f"{namespace}-gpu-{i}" for i in range(2)]
    for name in nodes:
        gpu_nodes(name, labels={"warmstart.io/pool": POOL})
    write_nodecache(kube, nodes[0], [{"uri": uri, "tier": "local-disk", "bytes": 16 * 10**9}])
    with contextlib.suppress(AlreadyExists):
        kube.create(MODELS, {"apiVersion": MODELS.api_version, "kind": "Model",
                             "metadata": {"name": "llama-8b"},
                             "spec": {"uri": uri, "bytes": 16 * 10**9}})
    made: list[str] = []
    try:
        with _client(api, token) as editor:
            listed = {n["name"]: n for n in editor.get("/v1/nodes").json()}
            assert listed[nodes[0]]["pool"] == POOL and listed[nodes[0]]["gpus"] == 8
            assert [m["tier"] for m in listed[nodes[0]]["models"]] == ["local-disk"]
            warm = editor.get(f"/v1/nodes/{nodes[0]}", params={"model": "llama-8b"}).json()
            cold = editor.get(f"/v1/nodes/{nodes[1]}", params={"model": "llama-8b"}).json()
            assert warm["estimate"]["tier"] == "local-disk"
            assert warm["estimate"]["totalS"] < cold["estimate"]["totalS"]
            model = editor.get("/v1/models/llama-8b").json()
            assert model["uri"] == uri and model["staged"] == {"local-disk": [nodes[0]]}
            reply = editor.post("/v1/prefetch", json={"pool": POOL, "model": "llama-8b"})
            assert reply.status_code == 202, reply.text
            made = reply.json()["objects"]
            assert len(made) == 2
            again = editor.post("/v1/prefetch", json={"pool": POOL, "model": "llama-8b"})
            assert again.json()["objects"] == made  # create-or-get: asking twice is harmless
            specs = {kube.get(PREFETCHES, n)["spec"]["nodeName"] for n in made}
            assert specs == set(nodes)
            assert editor.post("/v1/prefetch", json={"pool": "nope", "model": "llama-8b"}
                               ).status_code == 404
    finally:
        for name in made:
            delete_quietly(kube, PREFETCHES, name)
        delete_quietly(kube, MODELS, "llama-8b")
