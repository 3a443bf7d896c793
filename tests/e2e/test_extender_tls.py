"""kube-scheduler -> extender over TLS, configured as the chart configures it.

The chart's second-scheduler configuration (its profile, and its `extenders`
entry: HTTPS, the CA file, verbs, weight, managed resources) drives the real
kube-scheduler; the
extender serves HTTPS with `--tls-cert/--tls-key` as the chart's Deployment
runs it. Only the address and the CA file's path are the test machine's.
"""

from __future__ import annotations

import ssl
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.deploy.render import helm_template
from tests.deploy.tools import tool
from tests.e2e.controlplane import ControlPlane, free_port
from tests.e2e.extender_process import extender_kubeconfig
from tests.e2e.objects import bound_node, gpu_pod, wait_for, write_nodecache
from tests.e2e.pki import Pki, make_pki
from tests.e2e.scheduler import Scheduler
from warmstart.kube import KubeClient
from warmstart.kube.resources import PODS

MODEL = "hf://e2e/tls-llama"
GPU = {"uuid": "GPU-0", "name": "NVIDIA H100 80GB HBM3", "memoryTotalBytes": 80 << 30,
       "memoryFreeBytes": 79 << 30}


def trust(pki: Pki) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(pki.ca))


def chart_scheduler_config() -> dict[str, Any]:
    """The second scheduler's KubeSchedulerConfiguration as the chart renders it."""
    docs = helm_template(tool("helm"), {})
    (config,) = (d for d in docs if d["kind"] == "ConfigMap"
                 and d["metadata"]["name"] == "warmstart-scheduler")
    loaded: dict[str, Any] = yaml.safe_load(config["data"]["scheduler-config.yaml"])
    return loaded


@pytest.fixture
def tls_extender(control_plane: ControlPlane, tmp_path: Path) -> Iterator[tuple[str, Pki]]:
    """The extender on HTTPS (a serving certificate for 127.0.0.1 from its own CA)."""
    pki = make_pki(tmp_path / "extender-pki")
    port = free_port()
    log = tmp_path / "extender.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "warmstart.cli.main", "extender", "serve",
             "--kubeconfig", str(extender_kubeconfig(control_plane, tmp_path)),
             "--host", "127.0.0.1", f"--port={port}", f"--tls-cert={pki.serving.cert}",
             f"--tls-key={pki.serving.key}"],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"https://127.0.0.1:{port}"
    try:
        def ready() -> bool:
            assert proc.poll() is None, log.read_text()
            try:
                return httpx.get(f"{url}/readyz", verify=trust(pki), timeout=1).is_success
            except httpx.TransportError:
                return False

        wait_for(ready, "the extender to serve HTTPS", timeout_s=60)
        yield url, pki
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_scheduler_reaches_the_extender_over_tls_as_the_chart_configures_it(
        kube: KubeClient, namespace: str, gpu_nodes: Callable[..., dict[str, Any]],
        scheduler: Callable[..., Scheduler], tls_extender: tuple[str, Pki]) -> None:
    url, pki = tls_extender
    chart = chart_scheduler_config()
    (extender,) = chart["extenders"]
    assert extender["urlPrefix"].startswith("https://") and extender["enableHTTPS"] is True
    extender = {**extender, "urlPrefix": url, "tlsConfig": {"caFile": str(pki.ca)}}
    for name in ("tls-holder", "tls-other"):
        gpu_nodes(name)
        held = [{"uri": MODEL, "tier": "local-disk", "bytes": 16 * 10**9}] if (
            name == "tls-holder") else []
        write_nodecache(kube, name, held, gpus=[GPU], bandwidths={"localDisk": 3.2e9})
    pod = gpu_pod("tls-0", namespace, annotations={"warmstart.io/model": MODEL,
                                                   "warmstart.io/model-bytes": "16G"})

    def holder_scored() -> bool:
        body = {"Pod": pod, "Nodes": None, "NodeNames": ["tls-holder", "tls-other"]}
        rows = httpx.post(f"{url}/explain", json=body, verify=trust(pki), timeout=5).json()
        return any(r["node"] == "tls-holder" and r["score"] > 0 for r in rows)

    wait_for(holder_scored, "the extender to index the NodeCaches")
    # The chart's profiles and extender; leader election stays off, as for every test.
    scheduler(None, overrides={"profiles": chart["profiles"], "extenders": [extender]})
    kube.create(PODS, pod, namespace)
    assert wait_for(lambda: bound_node(kube, "tls-0", namespace), "the pod to bind") == (
        "tls-holder")
    metrics = httpx.get(f"{url}/metrics", verify=trust(pki), timeout=5).text
    served = [line for line in metrics.splitlines()
              if line.startswith('warmstart_extender_handler_seconds_count{verb="prioritize"}')]
    assert served and float(served[0].split()[-1]) >= 1  # the call came over TLS
