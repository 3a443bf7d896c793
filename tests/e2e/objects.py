"""Objects the e2e tests put into the real API server: GPU nodes, NodeCaches, pods.

With no kubelet, a Node is created and its status (Ready, capacity, images)
written through the status subresource, as kubelet would; NodeCache status is
written the way the agent writes it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

from warmstart.kube import AlreadyExists, KubeClient
from warmstart.kube.resources import NODECACHES, NODES, PODS
from warmstart.kube.timefmt import k8s_time

GPU = "nvidia.com/gpu"


def make_gpu_node(kube: KubeClient, name: str, *, gpus: int = 8,
                  labels: dict[str, str] | None = None,
                  images: list[tuple[str, int]] | None = None,
                  extra_allocatable: dict[str, str] | None = None,
                  taints: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """A Ready node with `gpus` GPUs; `images` are (name, bytes) as kubelet reports them."""
    meta_labels = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                   "kubernetes.io/arch": "amd64", **(labels or {})}
    spec: dict[str, Any] = {"taints": taints} if taints else {}
    kube.create(NODES, {"apiVersion": "v1", "kind": "Node",
                        "metadata": {"name": name, "labels": meta_labels}, "spec": spec})
    allocatable = {"cpu": "96", "memory": "1Ti", "pods": "110", "ephemeral-storage": "2Ti",
                   GPU: str(gpus), **(extra_allocatable or {})}
    status = {
        "capacity": allocatable, "allocatable": allocatable,
        "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                        "lastHeartbeatTime": k8s_time(time.time()),
                        "lastTransitionTime": k8s_time(time.time())}],
        "images": [{"names": [image], "sizeBytes": size} for image, size in images or []],
        "nodeInfo": {"architecture": "amd64", "operatingSystem": "linux",
                     "kubeletVersion": "v1.36.2", "containerRuntimeVersion": "containerd://2.1",
                     "kernelVersion": "6.8", "osImage": "e2e", "bootID": "", "machineID": "",
                     "systemUUID": "", "kubeProxyVersion": ""},
    }
    return kube.patch_status(NODES, name, {"status": status})


def write_nodecache(kube: KubeClient, node: str, models: list[dict[str, Any]], *,
                    observed_at: float | None = None, **status: Any) -> dict[str, Any]:
    """Create the node's NodeCache and write its status as the agent would."""
    with contextlib.suppress(AlreadyExists):
        kube.create(NODECACHES, {"apiVersion": NODECACHES.api_version, "kind": "NodeCache",
                                 "metadata": {"name": node}})
    body = {"nodeName": node, "models": models,
            "observedAt": k8s_time(time.time() if observed_at is None else observed_at),
            **status}
    return kube.patch_status(NODECACHES, node, {"status": body})


def gpu_pod(name: str, namespace: str, *, gpus: int = 1, image: str = "vllm/vllm-openai:v0.6",
            annotations: dict[str, str] | None = None, scheduler: str = "warmstart-gpu",
            priority_class: str | None = None, **spec: Any) -> dict[str, Any]:
    pod_spec: dict[str, Any] = {
        "schedulerName": scheduler,
        "containers": [{"name": "server", "image": image,
                        "resources": {"limits": {GPU: str(gpus)}}}],
        **spec,
    }
    if priority_class:
        pod_spec["priorityClassName"] = priority_class
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace,
                         "annotations": annotations or {}},
            "spec": pod_spec}


def wait_for(predicate: Callable[[], Any], what: str, timeout_s: float = 20.0,
             interval_s: float = 0.1) -> Any:
    """Poll until `predicate()` returns something truthy; that value is returned."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(interval_s)


def bound_node(kube: KubeClient, name: str, namespace: str) -> str | None:
    node = kube.get(PODS, name, namespace).get("spec", {}).get("nodeName")
    return str(node) if node else None
