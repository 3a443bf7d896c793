"""Pods, nodes and templates in real API shapes, for the provisioner's tests."""

from __future__ import annotations

from typing import Any

from provisioner.constraints import Taint
from provisioner.demand import pending_pod
from provisioner.state import Capacity, NodeTemplate, PendingPod
from warmstart.domain import PoolDefaults
from warmstart.estimate import NodeView

GPU = "nvidia.com/gpu"
GPU_TAINT = Taint("nvidia.com/gpu", "true", "NoSchedule")


def pod_json(
    name: str,
    gpus: int = 1,
    *,
    cpu: str = "4",
    memory: str = "16Gi",
    node_selector: dict[str, str] | None = None,
    tolerations: list[dict[str, str]] | None = None,
    affinity: list[dict[str, Any]] | None = None,
    model: str | None = "hf://meta/llama-3-8b",
    namespace: str = "serving",
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "containers": [{
            "name": "server",
            "image": "vllm/vllm-openai:v0.6.0",
            "resources": {"requests": {"cpu": cpu, "memory": memory},
                          "limits": {GPU: str(gpus)} if gpus else {}},
        }],
    }
    if node_selector:
        spec["nodeSelector"] = node_selector
    if tolerations:
        spec["tolerations"] = tolerations
    if affinity:
        spec["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": affinity}]}}}
    annotations = {"warmstart.io/model": model, "warmstart.io/model-bytes": "16Gi"} if model else {}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "uid": f"uid-{name}",
                     "annotations": annotations,
                     "creationTimestamp": "2026-11-28T00:00:00Z"},
        "spec": spec,
        "status": {"phase": "Pending", "conditions": [{
            "type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]},
    }


def pod(name: str, gpus: int = 1, **kw: Any) -> PendingPod:
    return pending_pod(pod_json(name, gpus, **kw))


def template(
    name: str,
    pool: str = "gpu",
    *,
    gpus: int = 8,
    price: float = 30.0,
    gpu_type: str = "a100",
    zone: str = "us-east-1a",
    taints: tuple[Taint, ...] = (),
    images: frozenset[str] = frozenset(),
    boot_s: float = 90.0,
) -> NodeTemplate:
    labels = {
        "karpenter.sh/nodepool": pool,
        "node.kubernetes.io/instance-type": name,
        "nvidia.com/gpu.product": gpu_type,
        "topology.kubernetes.io/zone": zone,
        "karpenter.sh/capacity-type": "on-demand",
    }
    return NodeTemplate(
        name=name, pool=pool, labels=tuple(sorted(labels.items())),
        allocatable={GPU: float(gpus), "cpu": 96.0, "memory": 1024.0**4, "pods": 110.0},
        price_per_hour=price, taints=taints,
        defaults=PoolDefaults(name=pool, boot_seconds=boot_s), images=images,
        node_class=("karpenter.k8s.aws", "EC2NodeClass", "default"),
    )


def node_from(t: NodeTemplate, name: str, *, used_gpus: float = 0.0,
              boot_remaining_s: float | None = 0.0, owner: str | None = None) -> Capacity:
    return Capacity(
        name=name, pool=t.pool, labels=t.label_map, allocatable=t.allocatable,
        requested={GPU: used_gpus}, taints=t.taints, price_per_hour=t.price_per_hour,
        owner=owner,
        view=NodeView(name=name, pool=t.defaults, boot_remaining_s=boot_remaining_s),
    )
