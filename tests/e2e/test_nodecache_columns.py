"""`kubectl get nodecaches` on the real API server shows what docs/install.md says it does."""

from __future__ import annotations

from tests.e2e.controlplane import ControlPlane, delete_quietly
from tests.e2e.objects import write_nodecache
from warmstart.kube import KubeClient
from warmstart.kube.resources import NODECACHES


def test_printer_columns_show_gpu_persistence_and_observed(
        control_plane: ControlPlane, kube: KubeClient) -> None:
    gpu = {"uuid": "GPU-0", "name": "NVIDIA-L40S", "memoryTotalBytes": 48 * 2**30,
           "memoryFreeBytes": 40 * 2**30, "persistenceMode": True}
    write_nodecache(kube, "columns-0", [], gpus=[gpu], warm={"persistenceMode": True})
    try:
        header, row = control_plane.kubectl("get", "nodecache", "columns-0").splitlines()
    finally:
        delete_quietly(kube, NODECACHES, "columns-0")
    assert header.split() == ["NAME", "GPU", "PERSISTENCE", "OBSERVED", "AGE"]
    name, product, persistence, observed, _age = row.split()
    assert (name, product, persistence) == ("columns-0", "NVIDIA-L40S", "true")
    assert observed.endswith("s")  # a relative age: the column reads observedAt as a date
