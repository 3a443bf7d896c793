"""The chart and the kustomize overlays on the real API server with the upstream CRDs.

Server-side is the honest validator: every object goes through the real
schemas, defaulting, admission (Pod Security included) and RBAC escalation
checks. There is no kubelet or controller-manager, so Deployments never make
pods; each pod template is therefore created as a Pod with `--dry-run=server`.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from tests.deploy.render import CHART, KUSTOMIZE, NAMESPACE, helm_template, overlays
from tests.deploy.tools import tool
from tests.e2e.controlplane import ControlPlane

BACKENDS = ("karpenter", "provisioning-request", "capacity-buffer", "placeholder-pods")
WORKLOADS = ("deployments", "daemonsets")  # pod templates nothing turns into pods here
# Kinds the chart makes, to prove an uninstall leaves none of them behind.
CLUSTER_KINDS = ("clusterroles", "clusterrolebindings", "validatingadmissionpolicies",
                 "validatingadmissionpolicybindings", "priorityclasses")
NAMESPACED_KINDS = ("deployments", "daemonsets", "services", "configmaps", "serviceaccounts",
                    "roles", "rolebindings", "poddisruptionbudgets", "networkpolicies")
INSTANCE = "app.kubernetes.io/instance"


class Helm:
    def __init__(self, plane: ControlPlane) -> None:
        self.exe, self.kubeconfig = tool("helm"), plane.kubeconfig

    def __call__(self, *args: str) -> str:
        done = subprocess.run([str(self.exe), f"--kubeconfig={self.kubeconfig}", *args],
                              capture_output=True, text=True, timeout=180)
        if done.returncode != 0:
            raise AssertionError(f"helm {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout


@pytest.fixture
def helm(control_plane: ControlPlane) -> Helm:
    return Helm(control_plane)


def _items(plane: ControlPlane, release: str, kind: str, *scope: str) -> list[dict[str, Any]]:
    """The release's objects of these kinds (other tests apply the rendered manifests,
    labelled as release `warmstart`; each release here is named after its namespace)."""
    items: list[dict[str, Any]] = json.loads(plane.kubectl(
        "get", kind, *scope, "-l", f"{INSTANCE}={release}", "-o", "json"))["items"]
    return items


def _pod_from(template: dict[str, Any], name: str, namespace: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {**template["metadata"], "name": name, "namespace": namespace},
            "spec": template["spec"]}


def _restricted_namespace(plane: ControlPlane, name: str) -> str:
    plane.apply_yaml(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": {
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest"}}}))
    return name


@pytest.fixture
def release(helm: Helm, control_plane: ControlPlane,
            request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh namespace name for one release; the release is uninstalled after."""
    callspec = getattr(request.node, "callspec", None)
    namespace = f"ws-{callspec.id if callspec else request.node.name.removeprefix('test_')}"
    namespace = namespace.replace("_", "-")[:60]
    yield namespace
    subprocess.run([str(helm.exe), f"--kubeconfig={helm.kubeconfig}", "uninstall", namespace,
                    "-n", namespace, "--ignore-not-found"], capture_output=True, timeout=120)


@pytest.mark.parametrize("backend", BACKENDS)
def test_helm_install_of_each_backend_is_accepted_and_uninstalls_clean(
        helm: Helm, control_plane: ControlPlane, release: str, backend: str) -> None:
    extra = ["--set", "expander.enabled=true"] if backend != "karpenter" else []
    # Other e2e tests apply the same cluster-wide objects from deploy/kustomize with
    # kubectl: the release takes them over (as when moving from kustomize to Helm).
    helm("install", release, str(CHART), "-n", release, "--create-namespace",
         "--take-ownership", "--force-conflicts", "--set", f"backend={backend}", *extra)

    workloads = _items(control_plane, release, ",".join(WORKLOADS), "-n", release)
    assert {w["metadata"]["name"] for w in workloads} >= {
        "warmstart-extender", "warmstart-provisioner", "warmstart-agent", "warmstart-scheduler"}
    settings = yaml.safe_load(json.loads(control_plane.kubectl(
        "get", "configmap", "warmstart-provisioner", "-n", release, "-o", "json"))
        ["data"]["settings.yaml"])
    assert settings["namespace"] == release
    assert settings["backend"] == ("placeholder" if backend == "placeholder-pods" else backend)

    restricted = _restricted_namespace(control_plane, f"{release}-restricted")
    pods = [_pod_from(w["spec"]["template"], w["metadata"]["name"], release) for w in workloads]
    # Deployments also under Pod Security `restricted`; the agent needs hostPath.
    pods += [_pod_from(w["spec"]["template"], w["metadata"]["name"], restricted)
             for w in workloads if w["kind"] == "Deployment"]
    created = control_plane.kubectl("create", "--dry-run=server", "-f", "-", stdin=json.dumps(
        {"apiVersion": "v1", "kind": "List", "items": pods}))
    assert created.count("created (server dry run)") == len(pods)

    helm("uninstall", release, "-n", release)
    left = [f"{i['kind']}/{i['metadata']['name']}" for i in
            _items(control_plane, release, ",".join(NAMESPACED_KINDS), "-n", release)
            + _items(control_plane, release, ",".join(CLUSTER_KINDS))]
    assert left == []


def test_a_wrong_value_fails_the_install(helm: Helm, release: str) -> None:
    with pytest.raises(AssertionError, match="/extender/replicas"):
        helm("install", release, str(CHART), "-n", release, "--create-namespace",
             "--set", "extender.replicas=two")


@pytest.mark.parametrize("overlay", overlays())
def test_each_kustomize_overlay_passes_server_side_dry_run(
        control_plane: ControlPlane, overlay: str) -> None:
    kubectl = tool("kubectl")
    rendered = subprocess.run([str(kubectl), "kustomize", str(KUSTOMIZE / "overlays" / overlay)],
                              capture_output=True, text=True, timeout=60, check=True).stdout
    # A dry run creates nothing, so the namespace its objects live in must exist.
    control_plane.apply_yaml(yaml.safe_dump({"apiVersion": "v1", "kind": "Namespace",
                                             "metadata": {"name": NAMESPACE}}))
    out = control_plane.kubectl("apply", "--dry-run=server", "-f", "-", stdin=rendered)
    applied = [line for line in out.splitlines() if line.strip()]
    docs = [d for d in yaml.safe_load_all(rendered) if d]
    assert len(applied) == len(docs) and all("(server dry run)" in line for line in applied)



# Values the per-backend installs leave at their defaults; cert-manager's and the
# Prometheus Operator's objects need CRDs this control plane does not serve.
OTHER_VALUES: list[dict[str, Any]] = [
    {"scheduler": {"mode": "patch-default"}, "extender": {"tls": {"enabled": False}},
     "agent": {"rootForSharedCache": True, "cudaProbe": True,
               "criSocket": "/run/containerd/containerd.sock"}},
    {"backend": "provisioning-request", "provisioner": {"requestNamespaces": ["default"]},
     "admin": {"tokensSecret": "admin-tokens"}, "networkPolicy": {"enabled": False},
     "image": {"digest": "sha256:" + "0" * 64}},
]


@pytest.mark.parametrize("values", OTHER_VALUES, ids=["scheduler-agent", "requests-admin"])
def test_other_values_render_objects_the_server_accepts(
        control_plane: ControlPlane, values: dict[str, Any]) -> None:
    rendered = yaml.safe_dump_all(helm_template(tool("helm"), values))
    control_plane.apply_yaml(yaml.safe_dump({"apiVersion": "v1", "kind": "Namespace",
                                             "metadata": {"name": NAMESPACE}}))
    out = control_plane.kubectl("apply", "--dry-run=server", "-f", "-", stdin=rendered)
    assert out.count("(server dry run)") == len([d for d in yaml.safe_load_all(rendered) if d])
