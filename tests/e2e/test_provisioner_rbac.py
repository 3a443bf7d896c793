"""The provisioner with a real ServiceAccount token bound to exactly the roles the chart
gives it for its backend: every call it makes, with every backend, is allowed (its API
client's calls are recorded), and a table of calls it has no business making is refused."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.binaries import REPO
from tests.e2e.controlplane import NAMESPACES, ControlPlane, free_port
from tests.e2e.objects import wait_for
from tests.e2e.provisioner_world import no_leftovers, pending_pod, world
from warmstart.kube import AlreadyExists, ClientError, KubeClient, NotFound
from warmstart.kube.lease import LeaderElector
from warmstart.kube.resources import (
    CAPACITYBUFFERS,
    LEASES,
    NODECACHES,
    NODECLAIMS,
    NODEPOOLS,
    NODES,
    PODS,
    PODTEMPLATES,
    PROVISIONINGREQUESTS,
    Resource,
)

__all__ = ["no_leftovers"]  # autouse: this module's cluster-scoped objects are deleted

# deploy/kustomize renders the chart per backend: each overlay's provisioner folder
OVERLAYS = {"karpenter": "karpenter", "capacity-buffer": "capacity-buffer",
            "provisioning-request": "cluster-autoscaler", "placeholder": "placeholder-pods"}


def deploy(backend: str) -> Path:
    """The provisioner's manifests for `backend`, as the chart renders them."""
    return REPO / "deploy" / "kustomize" / "overlays" / OVERLAYS[backend] / "provisioner"


NAMESPACE, SERVICE_ACCOUNT = "warmstart-system", "warmstart-provisioner"
CALL = re.compile(r'HTTP Request: (\w+) https://[^/]+(/\S*) "HTTP/1.1 (\d+)')
SECRETS = Resource("", "v1", "secrets", True, "Secret")
ROLEBINDINGS = Resource("rbac.authorization.k8s.io", "v1", "rolebindings", True, "RoleBinding")
PRIMARY = {"karpenter": NODECLAIMS, "capacity-buffer": CAPACITYBUFFERS,
           "provisioning-request": PROVISIONINGREQUESTS, "placeholder": PODS}
KWOK = {"group": "karpenter.kwok.sh", "kind": "KWOKNodeClass", "name": "default"}


@pytest.fixture
def own_client(control_plane: ControlPlane, kube: KubeClient,
               request: pytest.FixtureRequest) -> Iterator[KubeClient]:
    """`kubectl apply -f` the provisioner's manifests for the test's backend (every
    file), then a client holding a real token of the provisioner's ServiceAccount."""
    callspec = getattr(request.node, "callspec", None)
    backend = callspec.params["backend"] if callspec else "karpenter"
    with contextlib.suppress(AlreadyExists):
        kube.create(NAMESPACES, {"apiVersion": "v1", "kind": "Namespace",
                                 "metadata": {"name": NAMESPACE}})
    applied = control_plane.kubectl("apply", "--server-side", "--force-conflicts",
                                    "-f", str(deploy(backend)))
    assert "configmap/warmstart-provisioner" in applied
    client = control_plane.client_for_token(control_plane.token(NAMESPACE, SERVICE_ACCOUNT))
    yield client
    client.close()


def _bind_requests_role(kube: KubeClient, namespace: str) -> None:
    """What an admin does per workload namespace for the provisioning-request backend."""
    kube.create(ROLEBINDINGS, {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": "warmstart-provisioner", "namespace": namespace},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                    "name": "warmstart-provisioner-requests"},
        "subjects": [{"kind": "ServiceAccount", "name": SERVICE_ACCOUNT,
                      "namespace": NAMESPACE}]})


@pytest.mark.parametrize("backend", list(PRIMARY))
def test_every_call_the_provisioner_makes_is_allowed(
        own_client: KubeClient, kube: KubeClient, namespace: str, backend: str,
        caplog: pytest.LogCaptureFixture) -> None:
    if backend == "provisioning-request":
        _bind_requests_role(kube, namespace)
    w = world(kube, namespace, backend, node_class=KWOK)
    w.settings = w.settings.model_copy(update={"namespace": NAMESPACE})
    kube.create(PODS, pending_pod("llm-0", namespace, w.pool, gpus=4))
    kube.create(PODS, pending_pod("bad-0", namespace, w.pool, annotations={
        "warmstart.io/model": "hf://x", "warmstart.io/model-bytes": "NaN"}))  # an Event
    with caplog.at_level(logging.INFO, logger="httpx"):
        elector = LeaderElector(own_client, namespace=NAMESPACE, name=f"lease-{namespace}",
                                identity="e2e")
        elector.try_acquire_or_renew(w.clock.now())
        assert elector.is_leader(w.clock.now())
        ctl = w.controller(own_client)
        plan = w.step(ctl)
        [node] = plan.creates
        w.step(ctl)  # a second plan: reads its own objects back, creates nothing
        w.clock.advance(3600)
        release = w.controller(own_client).actuator.backend.release(node.name, node.namespace)
        for removal in release:  # what a release deletes
            own_client.delete(removal.resource, removal.name, removal.namespace)
    calls = [m.groups() for m in map(CALL.search, caplog.messages) if m]
    assert calls, "no API calls were recorded"
    # a 404 is fine where the object may be absent (a GET before create, a DELETE of
    # one already gone), never on a create or a list/watch (a type the server lacks)
    refused = [(method, path, status) for method, path, status in calls
               if status in ("401", "403") or (status == "404" and (
                   method not in ("GET", "DELETE") or "limit=" in path or "watch=" in path))]
    assert refused == []
    assert not [d for d in w.log.recent() if d.kind == "failed"]
    assert w.ours(PRIMARY[backend]) == []  # placeholders included: nothing is left


def _pod_template(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": name},
            "template": {"spec": {"containers": [{"name": "c", "image": "pause"}]}}}


# (what, call) the provisioner's token must not be able to make
FORBIDDEN: list[tuple[str, Callable[[KubeClient, str], object]]] = [
    ("create a pod in a workload namespace",
     lambda c, ns: c.create(PODS, pending_pod("rbac-pod", ns, "x"), ns)),
    ("delete a pod in a workload namespace", lambda c, ns: c.delete(PODS, "rbac-victim", ns)),
    ("patch a pod where no RoleBinding grants it", lambda c, ns: c.patch(
        PODS, "rbac-victim", {"metadata": {"annotations": {"x": "y"}}}, ns)),
    ("create a PodTemplate in kube-system",
     lambda c, ns: c.create(PODTEMPLATES, _pod_template("rbac"), "kube-system")),
    ("create a CapacityBuffer in a workload namespace", lambda c, ns: c.create(
        CAPACITYBUFFERS, {"apiVersion": CAPACITYBUFFERS.api_version, "kind": "CapacityBuffer",
                          "metadata": {"name": "rbac"}, "spec": {"replicas": 1}}, ns)),
    ("create a ProvisioningRequest where no RoleBinding grants it", lambda c, ns: c.create(
        PROVISIONINGREQUESTS, {"apiVersion": "autoscaling.x-k8s.io/v1",
                               "kind": "ProvisioningRequest", "metadata": {"name": "rbac"},
                               "spec": {}}, ns)),
    ("delete a Node", lambda c, ns: c.delete(NODES, "rbac-node")),
    ("create a NodeCache", lambda c, ns: c.create(NODECACHES, {
        "apiVersion": NODECACHES.api_version, "kind": "NodeCache",
        "metadata": {"name": "rbac-node"}})),
    ("write a NodeCache's status", lambda c, ns: c.patch_status(
        NODECACHES, "rbac-node", {"status": {"nodeName": "rbac-node", "models": []}})),
    ("change a NodePool", lambda c, ns: c.patch(
        NODEPOOLS, "rbac-pool", {"spec": {"limits": {"nvidia.com/gpu": "1000"}}})),
    ("read Secrets", lambda c, ns: c.list(SECRETS, NAMESPACE)),
]


def test_calls_outside_its_role_are_refused(own_client: KubeClient, kube: KubeClient,
                                            namespace: str) -> None:
    kube.create(PODS, pending_pod("rbac-victim", namespace, "x"))
    refused = []
    for what, call in FORBIDDEN:
        with pytest.raises(ClientError) as caught:
            call(own_client, namespace)
        refused.append((what, caught.value.status))
    assert refused == [(what, 403) for what, _ in FORBIDDEN]


@pytest.mark.parametrize("backend", ["karpenter", "capacity-buffer"])
def test_provisioner_run_with_the_shipped_settings_makes_no_refused_call(
        own_client: KubeClient, control_plane: ControlPlane, kube: KubeClient,
        namespace: str, tmp_path: Path, backend: str) -> None:
    """`warmstart provisioner run --settings .../settings.yaml` (the ConfigMap as the
    chart renders it for the backend) on the provisioner's own token, against
    Karpenter's CRDs (CapacityBuffer v1beta1 only)."""
    settings = deploy(backend) / "settings.yaml"
    config = control_plane.kubeconfig_for_token(
        control_plane.token(NAMESPACE, SERVICE_ACCOUNT), tmp_path / "provisioner.kubeconfig")
    pod = pending_pod("llm-0", namespace, "x", gpus=4)
    pod["spec"]["tolerations"] = [{"key": "nvidia.com/gpu", "operator": "Exists"}]
    uid = kube.create(PODS, pod)["metadata"]["uid"]
    log, port = tmp_path / "provisioner.log", free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "warmstart.cli.main", "provisioner", "run", "--settings",
             str(settings), "--identity", namespace, "--http-port", str(port)],
            env={**os.environ, "KUBECONFIG": str(config)}, stdout=out,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    def made_for_the_pod() -> list[dict[str, Any]]:
        return [c for c in kube.list(PRIMARY[backend]).items
                if uid in (c["metadata"].get("annotations") or {}).get("warmstart.io/pods", "")]

    try:
        made = wait_for(made_for_the_pod, f"a {PRIMARY[backend].kind} for the pod", timeout_s=40)
        scraped = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        # the next run (another identity) need not wait out this one's Lease
        with contextlib.suppress(NotFound):
            kube.delete(LEASES, "warmstart-provisioner", NAMESPACE)
        for leftover in made_for_the_pod():  # the shipped pool is not this test's
            kube.delete(PRIMARY[backend], leftover["metadata"]["name"],
                        leftover["metadata"].get("namespace"))
    text = log.read_text(errors="replace")
    [obj] = made
    assert obj["metadata"]["annotations"]["warmstart.io/template"] == "g6e.12xlarge"
    calls = CALL.findall(text)
    assert calls, text[-2000:]
    assert [c for c in calls if c[2] in ("401", "403") or (c[2] == "404" and (
        c[0] not in ("GET", "DELETE") or "limit=" in c[1] or "watch=" in c[1]))] == []
    assert "Traceback" not in text
    # the pod-error counter is served beside the journal's metrics (other tests' pods
    # that tolerate nothing here count as unplaceable)
    assert "# TYPE warmstart_provisioner_pod_errors_total counter" in scraped
    assert proc.returncode == 0, text[-2000:]
